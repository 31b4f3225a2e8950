/**
 * The monthly store: the months waiting for their rollup, writing a month's sums (month-sums.ts)
 * of every scope, and reading months of some scopes. Reads are string equalities on (tenant,
 * scope, year), which FerretDB hands to PostgreSQL (its `$in` and ranges it evaluates itself
 * after reading all that the equalities match:
 * https://docs.ferretdb.io/pushdown/, v1.24), so a year of one scope is at most 12 documents.
 */
import mongoose from 'mongoose';
import { DailyRollupModel } from './daily-rollup.model.js';
import { sumMonth, type DayRow } from './month-sums.js';
import { AnalyticsPendingMonthModel, MonthlyRollupModel, MonthlyTopModel } from './monthly-rollup.model.js';
import { scopeKey, type RollupRow } from './analytics.repository.js';

export interface PendingMonth {
  tenantId: string;
  month: string;
  version: number;
}

/** Months before `month` whose days changed since their last monthly rollup, oldest first. */
export async function pendingMonthsBefore(month: string, limit: number): Promise<PendingMonth[]> {
  return AnalyticsPendingMonthModel.find({ month: mongoose.trusted({ $lt: month }) }).sort({ month: 1 }).limit(limit).lean<PendingMonth[]>();
}

/** The tenant's months whose monthly rollup is missing or behind their days (the figures read their days instead). */
export async function changedMonthsOf(tenantId: string): Promise<Set<string>> {
  return new Set((await AnalyticsPendingMonthModel.find({ tenantId }, { _id: 0, month: 1 }).lean()).map((p) => p.month));
}

/** Clears the marker unless a day of the month was written after it was read. */
export async function clearPendingMonth(p: PendingMonth): Promise<void> {
  await AnalyticsPendingMonthModel.deleteOne({ tenantId: p.tenantId, month: p.month, version: p.version });
}

/**
 * Sums the tenant's month from its daily rows and writes it for every scope that has days, and
 * for each of `communityIds` (zeros when it has none: a month written for a scope is a month
 * the figures may read instead of its days). Idempotent: writing again writes the same.
 */
export async function rollUpMonth(tenantId: string, month: string, communityIds: readonly string[]): Promise<number> {
  const days = await DailyRollupModel.find({ tenantId, month }, { _id: 0, tenantId: 0, scope: 0, month: 0 }).lean<DayRow[]>();
  const sums = sumMonth(days);
  for (const id of [null, ...communityIds]) if (!sums.has(id)) sums.set(id, sumMonth([{ communityId: id, day: `${month}-01` }]).get(id)!);
  const year = month.slice(0, 4);
  const rows = [...sums.values()];
  await MonthlyRollupModel.bulkWrite(
    rows.map((s) => {
      const scope = scopeKey(s.communityId);
      const members = s.members ? { members: s.members.members, membersDay: s.members.day, newMembers: s.members.newMembers, guestMembers: s.members.guestMembers } : null;
      return {
        updateOne: {
          filter: { tenantId, scope, month },
          update: { $set: { communityId: s.communityId, year, ...s.counters, ...members }, ...(members ? {} : { $unset: { members: 1, membersDay: 1, newMembers: 1, guestMembers: 1 } }) },
          upsert: true,
        },
      };
    }),
    { ordered: false },
  );
  await MonthlyTopModel.bulkWrite(
    rows.map((s) => ({ updateOne: { filter: { tenantId, scope: scopeKey(s.communityId), month }, update: { $set: { year, top: s.top } }, upsert: true } })),
    { ordered: false },
  );
  return rows.length;
}

/** A monthly row as the figures read it: a row of the month's sums, dated on its last member snapshot. */
export type MonthRow = RollupRow & { month: string };

/**
 * The months of each scope (`communityIds` null: the organisation's) among `months`, with
 * their tops for `topMonths`. One query per scope (and per scope and year of `topMonths` for
 * the tops), at once.
 * A month missing for a scope is absent from its map.
 */
export async function monthsOf(tenantId: string, communityIds: readonly string[] | null, months: readonly string[], topMonths: ReadonlySet<string>): Promise<Map<string, Map<string, MonthRow>>> {
  const scopes = communityIds === null ? [scopeKey(null)] : [...communityIds];
  const wanted = new Set(months);
  const years = [...new Set(months.map((m) => m.slice(0, 4)))];
  const topYears = new Set([...topMonths].map((m) => m.slice(0, 4)));
  // The counters are small: months of more than one year come from one query per scope (all
  // its months, twelve a year); the tops, larger, per year asked.
  const counterFilters = years.length > 1 ? [{}] : years.map((year) => ({ year }));
  const read = async (scope: string) => {
    const [rows, tops] = await Promise.all([
      Promise.all(counterFilters.map((f) => MonthlyRollupModel.find({ tenantId, scope, ...f }, { _id: 0, tenantId: 0, scope: 0, year: 0 }).lean<(Record<string, unknown> & { month: string })[]>())),
      Promise.all([...topYears].map((year) => MonthlyTopModel.find({ tenantId, scope, year }, { _id: 0, month: 1, top: 1 }).lean<{ month: string; top: RollupRow['top'] }[]>())),
    ]);
    return [rows.flat(), tops.flat()] as const;
  };
  const lists = await Promise.all(scopes.map(async (scope) => ({ scope, found: await read(scope) })));
  const result = new Map<string, Map<string, MonthRow>>(scopes.map((s) => [s, new Map()]));
  for (const { scope, found } of lists) {
    const [rows, tops] = found;
    const topOf = new Map(tops.map((t) => [t.month, t.top]));
    for (const row of rows) {
      if (!wanted.has(row.month)) continue;
      const { membersDay, ...rest } = row as { membersDay?: string } & Record<string, unknown>;
      result.get(scope)!.set(row.month, { ...(rest as unknown as RollupRow), month: row.month, day: membersDay ?? `${row.month}-01`, top: ((topMonths.has(row.month) && topOf.get(row.month)) || []) as RollupRow['top'] });
    }
  }
  return result;
}
