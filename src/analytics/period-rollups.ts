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
  withTop: boolean;
  /** The current day: a month that has not ended is read from its days. */
  today: string;
  months: boolean;
}

export async function rowsOfPeriod(tenantId: string, communityIds: readonly string[] | null, from: string, to: string, reading: PeriodReading): Promise<RollupRow[]> {
  const scopes = communityIds === null ? [scopeKey(null)] : [...communityIds];
  const months = monthsBetween(from, to);
  const whole = reading.months ? months.filter((m) => `${m}-01` >= from && lastDayOf(m) <= to && lastDayOf(m) < reading.today) : [];
  const partial = months.filter((m) => !whole.includes(m));
  const [changed, monthly, days] = await Promise.all([
    whole.length > 0 ? changedMonthsOf(tenantId) : new Set<string>(),
    whole.length > 0 ? monthsOf(tenantId, communityIds, whole, reading.withTop) : new Map<string, Map<string, RollupRow>>(),
    daysOf(tenantId, scopes.flatMap((scope) => partial.map((month) => ({ scope, month }))), from, to, reading.withTop),
  ]);
  const rows: RollupRow[] = [...days];
  const fallback: { scope: string; month: string }[] = [];
  for (const scope of scopes) {
    for (const month of whole) {
      const row = monthly.get(scope)?.get(month);
      if (row && !changed.has(month)) rows.push(row);
      else fallback.push({ scope, month });
    }
  }
  if (fallback.length > 0) rows.push(...(await daysOf(tenantId, fallback, from, to, reading.withTop)));
  return rows;
}

/** The last day (`YYYY-MM-DD`) of the month `YYYY-MM`. */
function lastDayOf(month: string): string {
  const [y, m] = month.split('-').map(Number) as [number, number];
  const next = m === 12 ? `${y + 1}-01-01` : `${y}-${String(m + 1).padStart(2, '0')}-01`;
  return addDays(next, -1);
}
