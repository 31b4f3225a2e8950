/**
 * From a month's daily rows to its monthly row, per scope: the counters summed (unique visitors
 * too: a period's unique visitors are the sum of its days' unique visitors, see
 * analytics.service.ts), the month's last member snapshot with the sum of the snapshots'
 * joiners (exactly what the figures take from the days), and the month's top discussions and
 * events summed from the days' tops and cut to TOP_PER_MONTH of each kind.
 */
import { COUNTER_NAMES, type CounterName } from './daily-rollup.model.js';
import { emptyCounters, type DayCounters, type TopItem } from './visits.js';

/**
 * How many discussions and how many events a month's top keeps. The summary shows 5 of each and
 * looks at 20 candidates (some may have been deleted since), so 25 leave room. Like Matomo's
 * archives, where a month's report is built from its days' truncated reports and truncated
 * again (https://matomo.org/faq/how-to/faq_54/), a long period's top is then summed from these
 * cut lists: an object that is never in a month's top 25 is not counted in that month.
 */
export const TOP_PER_MONTH = 25;

/** A daily row as the month's sum reads it. */
export interface DayRow extends Partial<Record<CounterName, number>> {
  communityId?: string | null;
  day: string;
  members?: number | null;
  newMembers?: number | null;
  guestMembers?: number | null;
  top?: readonly { route?: string | null; objectId?: string | null; views?: number | null }[] | null;
}

export interface MonthSum {
  communityId: string | null;
  counters: DayCounters;
  /** Absent when no day of the month has a member snapshot. */
  members?: { members: number; day: string; newMembers: number; guestMembers: number };
  top: TopItem[];
}

/** The month's sums per scope (`null`: the organisation), from its daily rows of any scope. */
export function sumMonth(rows: readonly DayRow[]): Map<string | null, MonthSum> {
  const scopes = new Map<string | null, { sum: MonthSum; views: Map<string, TopItem> }>();
  for (const row of rows) {
    const id = row.communityId ?? null;
    let s = scopes.get(id);
    if (!s) {
      s = { sum: { communityId: id, counters: emptyCounters(), top: [] }, views: new Map() };
      scopes.set(id, s);
    }
    for (const name of COUNTER_NAMES) s.sum.counters[name] += row[name] ?? 0;
    if (typeof row.members === 'number') {
      const m = s.sum.members;
      const newMembers = (m?.newMembers ?? 0) + (row.newMembers ?? 0);
      s.sum.members = !m || row.day > m.day ? { members: row.members, day: row.day, newMembers, guestMembers: row.guestMembers ?? 0 } : { ...m, newMembers };
    }
    for (const t of row.top ?? []) {
      if (!t.route || !t.objectId) continue;
      const key = `${t.route}:${t.objectId}`;
      const item = s.views.get(key) ?? { route: t.route, objectId: t.objectId, views: 0 };
      item.views += t.views ?? 0;
      s.views.set(key, item);
    }
  }
  const result = new Map<string | null, MonthSum>();
  for (const [id, { sum, views }] of scopes) {
    const byViews = [...views.values()].sort((a, b) => b.views - a.views || a.objectId.localeCompare(b.objectId));
    const top = ['discussion', 'event'].flatMap((route) => byViews.filter((t) => t.route === route).slice(0, TOP_PER_MONTH));
    result.set(id, { ...sum, top });
  }
  return result;
}
