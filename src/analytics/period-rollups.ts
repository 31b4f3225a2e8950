/**
 * The rows a period's figures are summed from: each whole month that is over as its monthly row
 * (one document per scope instead of up to 31), the rest as daily rows. A month is read from its
 * days instead while its monthly rollup is missing or behind its days (marked pending), and the
 * current month always, so the figures are the same either way; `months` false reads days only
 * (the reference the monthly path is tested against).
 */
import { addDays } from './analytics-day.js';
import { daysOf, monthsBetween, scopeKey, type RollupRow } from './analytics.repository.js';
import { changedMonthsOf, monthsOf } from './monthly-rollups.repository.js';

export interface PeriodReading {
  /** The current day: a month that has not ended is read from its days. */
  today: string;
  months: boolean;
}

export interface AskedPeriod {
  from: string;
  to: string;
  withTop: boolean;
}

/** The rows of one period. */
export async function rowsOfPeriod(tenantId: string, communityIds: readonly string[] | null, from: string, to: string, reading: PeriodReading & { withTop: boolean }): Promise<RollupRow[]> {
  return (await rowsOfPeriods(tenantId, communityIds, [{ from, to, withTop: reading.withTop }], reading))[0]!;
}

/**
 * The rows of several periods (a summary's period and the one before), read together: the
 * months and days they share are read once, and every read goes out at once.
 */
export async function rowsOfPeriods(tenantId: string, communityIds: readonly string[] | null, periods: readonly AskedPeriod[], reading: PeriodReading): Promise<RollupRow[][]> {
  const scopes = communityIds === null ? [scopeKey(null)] : [...communityIds];
  const plans = periods.map((p) => {
    const months = monthsBetween(p.from, p.to);
    const whole = new Set(reading.months ? months.filter((m) => `${m}-01` >= p.from && lastDayOf(m) <= p.to && lastDayOf(m) < reading.today) : []);
    return { ...p, whole, partial: new Set(months.filter((m) => !whole.has(m))) };
  });
  const wholeMonths = [...new Set(plans.flatMap((p) => [...p.whole]))].sort();
  const topMonths = new Set(plans.flatMap((p) => (p.withTop ? [...p.whole] : [])));
  const from = plans.reduce((d, p) => (p.from < d ? p.from : d), plans[0]?.from ?? '');
  const to = plans.reduce((d, p) => (p.to > d ? p.to : d), plans[0]?.to ?? '');
  const withTop = plans.some((p) => p.withTop);
  const partialMonths = [...new Set(plans.flatMap((p) => [...p.partial]))];
  const [changed, monthly, days] = await Promise.all([
    wholeMonths.length > 0 ? changedMonthsOf(tenantId) : new Set<string>(),
    wholeMonths.length > 0 ? monthsOf(tenantId, communityIds, wholeMonths, topMonths) : new Map<string, Map<string, RollupRow>>(),
    daysOf(tenantId, scopes.flatMap((scope) => partialMonths.map((month) => ({ scope, month }))), from, to, withTop),
  ]);
  const usable = (scope: string, month: string) => !changed.has(month) && monthly.get(scope)?.has(month) === true;
  const missing = [...new Set(scopes.flatMap((scope) => wholeMonths.filter((m) => !usable(scope, m)).map((m) => `${scope}\u0000${m}`)))].map((key) => {
    const [scope, month] = key.split('\u0000') as [string, string];
    return { scope, month };
  });
  const dayRows = missing.length > 0 ? [...days, ...(await daysOf(tenantId, missing, from, to, withTop))] : days;
  return plans.map((p) => {
    const rows: RollupRow[] = dayRows.filter((row) => {
      if (row.day < p.from || row.day > p.to) return false;
      const month = row.day.slice(0, 7);
      return p.partial.has(month) || (p.whole.has(month) && !usable(scopeKey(row.communityId ?? null), month));
    });
    for (const scope of scopes) for (const month of p.whole) if (usable(scope, month)) rows.push(monthly.get(scope)!.get(month)!);
    return rows;
  });
}

/** The last day (`YYYY-MM-DD`) of the month `YYYY-MM`. */
function lastDayOf(month: string): string {
  const [y, m] = month.split('-').map(Number) as [number, number];
  const next = m === 12 ? `${y + 1}-01-01` : `${y}-${String(m + 1).padStart(2, '0')}-01`;
  return addDays(next, -1);
}
