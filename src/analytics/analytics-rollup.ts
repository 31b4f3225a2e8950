/**
 * The analytics worker: rolls the raw events of changed days up into daily counters, and the
 * daily counters of changed months that are over into monthly ones, deletes raw events once
 * the retention has passed (in bounded batches), and deletes the salts of days that are over.
 * One instance at a time (a lease), like the other background jobs.
 */
import type { Logger } from 'pino';
import { clockOf, type Clock } from '../time/clock.js';
import { startPeriodicJob, type PeriodicJob } from '../worker/scheduler.js';
import { tenantCommunityIds, tenantsWithCommunities } from '../communities/communities.port.js';
import { addDays, dayOf, DAY_MS, startOfDay } from './analytics-day.js';
import { countMembers } from './analytics-sources.js';
import { clearPending, deleteSaltsBefore, eventsOfDay, hasMemberSnapshot, pendingDays, purgeEvents, saveDay, saveMemberSnapshot } from './analytics.repository.js';
import { refreshMembersNow } from './members-now.js';
import { clearPendingMonth, pendingMonthsBefore, rollUpMonth } from './monthly-rollups.repository.js';
import { rollUpDay } from './visits.js';

/** Raw events are kept this long unless the privacy retention registry says otherwise. */
export const DEFAULT_RAW_RETENTION_DAYS = 30;
/** Days rolled up and events deleted per pass: a pass stays short; the next starts at once when more waits. */
const DAYS_PER_PASS = 20;
const PURGE_BATCH = 5_000;
/** Months rolled up per pass (a month reads up to 31 daily documents of every scope). */
const MONTHS_PER_PASS = 4;

/**
 * Deletes the tenant's raw analytics events from before `before`, at most `limit`, and answers
 * how many went. For the privacy capability's retention registry; days not yet rolled up stay.
 */
export function purgeRawAnalytics(tenantId: string, before: Date, limit: number): Promise<number> {
  return purgeEvents(tenantId, before, limit);
}

export interface RollupPass {
  daysRolledUp: number;
  eventsPurged: number;
  saltsDeleted: number;
  /** Tenants whose member snapshot of yesterday this pass wrote. */
  memberSnapshots: number;
  /** (Tenant, month) pairs whose monthly counters this pass wrote. */
  monthsRolledUp: number;
  /** Tenants whose current day's members this pass counted (members-now.ts). */
  membersCounted: number;
  /** More is waiting (another pass should follow at once). */
  more: boolean;
}

/** One pass of the analytics worker. */
export async function runAnalyticsPass(options: { now?: Clock; retentionDays?: number } = {}): Promise<RollupPass> {
  const now = clockOf(options)();
  const pending = await pendingDays(DAYS_PER_PASS);
  for (const p of pending) {
    await saveDay(p.tenantId, p.day, rollUpDay(await eventsOfDay(p.tenantId, p.day)));
    await clearPending(p);
  }
  const retentionDays = options.retentionDays ?? DEFAULT_RAW_RETENTION_DAYS;
  const eventsPurged = await purgeEvents(null, new Date(now.getTime() - retentionDays * DAY_MS), PURGE_BATCH);
  const saltsDeleted = await deleteSaltsBefore(dayOf(now));
  const memberSnapshots = await snapshotMembers(addDays(dayOf(now), -1));
  const monthsRolledUp = await rollUpMonths(dayOf(now).slice(0, 7));
  const membersCounted = await refreshMembersNow(now);
  return { daysRolledUp: pending.length, eventsPurged, saltsDeleted, memberSnapshots, monthsRolledUp, membersCounted, more: pending.length === DAYS_PER_PASS || eventsPurged === PURGE_BATCH || monthsRolledUp === MONTHS_PER_PASS };
}

/**
 * The monthly counters of months that are over and whose days changed since (the last day's
 * member snapshot, written just after the month ends, is such a change). The current month is
 * left alone: its figures are read from its days until it is over.
 */
async function rollUpMonths(currentMonth: string): Promise<number> {
  const pending = await pendingMonthsBefore(currentMonth, MONTHS_PER_PASS);
  for (const p of pending) {
    await rollUpMonth(p.tenantId, p.month, await tenantCommunityIds(p.tenantId));
    await clearPendingMonth(p);
  }
  return pending.length;
}

/**
 * Yesterday's members of every tenant, written once into the daily rollups, so that the figures
 * read a day's snapshot instead of counting memberships. The count is made on the first pass
 * after midnight from the memberships as they stand then, leaving out who joined since
 * midnight; someone who left between midnight and that pass is already gone from it (a pass
 * or so of staleness). A day the worker did not see (it was down) gets no snapshot: the
 * figures then use the last snapshot before it.
 */
async function snapshotMembers(day: string): Promise<number> {
  let written = 0;
  for (const tenantId of await tenantsWithCommunities()) {
    if (await hasMemberSnapshot(tenantId, day)) continue;
    await saveMemberSnapshot(tenantId, day, await countMembers(tenantId, { from: startOfDay(day), to: startOfDay(addDays(day, 1)) }));
    written += 1;
  }
  return written;
}

/** The worker's analytics job: a pass every `everyMs` (default 60 s) under a lease. */
export function startAnalyticsRollups(options: { logger: Pick<Logger, 'error' | 'info'>; everyMs?: number; retentionDays?: number; now?: Clock }): PeriodicJob {
  return startPeriodicJob({
    everyMs: options.everyMs ?? 60_000,
    lease: { key: 'analytics:rollup', ms: 10 * 60_000 },
    logger: options.logger,
    failureMessage: 'analytics rollup pass failed; continuing',
    run: async () => {
      const pass = await runAnalyticsPass(options);
      if (pass.eventsPurged > 0) options.logger.info({ analytics: pass }, 'analytics raw events past retention deleted');
      return pass.more;
    },
  });
}
