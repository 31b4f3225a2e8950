/**
 * The analytics store: raw events (written in batches, read one tenant-day at a time, deleted
 * after retention in bounded batches), the day's salts, the pending-rollup markers and the
 * daily counters. Only this file and monthly-rollups.repository.ts (the months) import the
 * analytics models.
 */
import { randomBytes } from 'node:crypto';
import mongoose from 'mongoose';
import { isDuplicateKeyError } from '../db/mongo-errors.js';
import { AnalyticsEventModel } from './analytics-event.model.js';
import { AnalyticsPendingModel, DailyRollupModel, type DailyRollupRecord } from './daily-rollup.model.js';
import { AnalyticsPendingMonthModel } from './monthly-rollup.model.js';
import { VisitorSaltModel } from './visitor-salt.model.js';
import type { RawEvent, ScopeDay } from './visits.js';

export interface StoredEvent extends RawEvent {
  tenantId: string;
  day: string;
}

/** Writes a batch of events unordered, then marks each (tenant, day) they touch for the rollup. */
export async function insertEvents(events: readonly StoredEvent[]): Promise<void> {
  if (events.length === 0) return;
  await AnalyticsEventModel.insertMany(events, { ordered: false });
  const days = new Set(events.map((e) => `${e.tenantId}\u0000${e.day}`));
  for (const key of days) {
    const [tenantId, day] = key.split('\u0000') as [string, string];
    await AnalyticsPendingModel.updateOne({ tenantId, day }, { $inc: { version: 1 } }, { upsert: true }).catch((err: unknown) => {
      // Two instances creating the same marker: the other's insert counts for both.
      if (!isDuplicateKeyError(err)) throw err;
      return AnalyticsPendingModel.updateOne({ tenantId, day }, { $inc: { version: 1 } });
    });
  }
}

/** The salt of the tenant's day, made on first use (a race is settled by the unique index). */
export async function saltOf(tenantId: string, day: string): Promise<string> {
  const found = await VisitorSaltModel.findOne({ tenantId, day }).lean();
  if (found) return found.salt;
  try {
    await VisitorSaltModel.create({ tenantId, day, salt: randomBytes(32).toString('hex') });
  } catch (err) {
    if (!isDuplicateKeyError(err)) throw err;
  }
  const made = await VisitorSaltModel.findOne({ tenantId, day }).lean();
  if (!made) throw new Error('analytics salt vanished while it was being made');
  return made.salt;
}

/** Deletes the salts of days before `day`: their hashes can then never be recomputed. */
export async function deleteSaltsBefore(day: string): Promise<number> {
  return (await VisitorSaltModel.deleteMany({ day: mongoose.trusted({ $lt: day }) })).deletedCount;
}

export interface PendingDay {
  tenantId: string;
  day: string;
  version: number;
}

export async function pendingDays(limit: number): Promise<PendingDay[]> {
  return AnalyticsPendingModel.find({}).sort({ day: 1 }).limit(limit).lean<PendingDay[]>();
}

/** Clears the marker unless events were written after it was read (then the next pass rolls the day up again). */
export async function clearPending(p: PendingDay): Promise<void> {
  await AnalyticsPendingModel.deleteOne({ tenantId: p.tenantId, day: p.day, version: p.version });
}

export async function eventsOfDay(tenantId: string, day: string): Promise<RawEvent[]> {
  return AnalyticsEventModel.find({ tenantId, day }, { _id: 0, at: 1, visitor: 1, guest: 1, kind: 1, communityId: 1, page: 1, objectId: 1, action: 1, source: 1 }).lean<RawEvent[]>();
}

/** Sets the day's counters of every scope (idempotent: a rollup run twice writes the same). */
export async function saveDay(tenantId: string, day: string, scopes: Map<string | null, ScopeDay>): Promise<void> {
  if (scopes.size === 0) return;
  await DailyRollupModel.bulkWrite(
    [...scopes].map(([communityId, s]) => ({
      updateOne: { filter: { tenantId, communityId, day }, update: { $set: { ...s.counters, top: s.top, scope: scopeKey(communityId), month: day.slice(0, 7) } }, upsert: true },
    })),
    { ordered: false },
  );
  await markMonthChanged(tenantId, day.slice(0, 7));
}

/**
 * Marks the month for its monthly rollup. After the days are written, never before: the rollup
 * that clears the marker (version unchanged) has then read these days.
 */
export async function markMonthChanged(tenantId: string, month: string): Promise<void> {
  await AnalyticsPendingMonthModel.updateOne({ tenantId, month }, { $inc: { version: 1 } }, { upsert: true }).catch((err: unknown) => {
    if (!isDuplicateKeyError(err)) throw err;
    return AnalyticsPendingMonthModel.updateOne({ tenantId, month }, { $inc: { version: 1 } });
  });
}

/** Whether the organisation's member snapshot of the tenant's day is written (then every scope's is). */
export async function hasMemberSnapshot(tenantId: string, day: string): Promise<boolean> {
  const row = await DailyRollupModel.findOne({ tenantId, scope: scopeKey(null), month: day.slice(0, 7), day }, { _id: 0, members: 1 }).lean();
  return typeof row?.members === 'number';
}

/** Writes the day's member snapshot of every scope, the organisation's last (its presence marks the day as done). */
export async function saveMemberSnapshot(tenantId: string, day: string, counts: Map<string | null, { members: number; newMembers: number; guests: number }>): Promise<void> {
  const write = (communityId: string | null, c: { members: number; newMembers: number; guests: number }) => ({
    updateOne: { filter: { tenantId, communityId, day }, update: { $set: { members: c.members, newMembers: c.newMembers, guestMembers: c.guests, scope: scopeKey(communityId), month: day.slice(0, 7) } }, upsert: true },
  });
  const communities = [...counts].filter(([id]) => id !== null);
  if (communities.length > 0) await DailyRollupModel.bulkWrite(communities.map(([id, c]) => write(id, c)), { ordered: false });
  const organisation = counts.get(null);
  if (organisation) await DailyRollupModel.bulkWrite([write(null, organisation)]);
  await markMonthChanged(tenantId, day.slice(0, 7));
}

/**
 * Deletes raw events from before `before`, at most `limit` of them, leaving days that still
 * wait for their rollup; answers how many went.
 */
export async function purgeEvents(tenantId: string | null, before: Date, limit: number): Promise<number> {
  const waiting = (await AnalyticsPendingModel.find(tenantId ? { tenantId } : {}, { day: 1, tenantId: 1 }).lean()).map((p) => p.day);
  const filter: Record<string, unknown> = { at: mongoose.trusted({ $lt: before }) };
  if (tenantId) filter.tenantId = tenantId;
  if (waiting.length > 0) filter.day = mongoose.trusted({ $nin: [...new Set(waiting)] });
  const ids = (await AnalyticsEventModel.find(filter, { _id: 1 }).limit(limit).lean()).map((e) => e._id);
  if (ids.length === 0) return 0;
  return (await AnalyticsEventModel.deleteMany({ _id: mongoose.trusted({ $in: ids }) })).deletedCount;
}

export type RollupRow = Omit<DailyRollupRecord, 'tenantId' | 'scope' | 'month'>;

/** The `scope` of a rollup document. */
export function scopeKey(communityId: string | null): string {
  return communityId ?? 'organisation';
}

/**
 * The daily counters of the scope between the days (both included). `communityIds` null: the
 * organisation's. One equality query per scope and month (see daily-rollup.model.ts), at once;
 * `withTop` false leaves the tops out.
 */
export async function rollupsBetween(tenantId: string, communityIds: readonly string[] | null, from: string, to: string, withTop = true): Promise<RollupRow[]> {
  const scopes = communityIds === null ? [scopeKey(null)] : [...communityIds];
  return daysOf(tenantId, scopes.flatMap((scope) => monthsBetween(from, to).map((month) => ({ scope, month }))), from, to, withTop);
}

/** The daily rows of these (scope, month) pairs between the days (both included): one equality query per pair, at once. */
export async function daysOf(tenantId: string, pairs: readonly { scope: string; month: string }[], from: string, to: string, withTop: boolean): Promise<RollupRow[]> {
  const projection = { _id: 0, tenantId: 0, scope: 0, month: 0, ...(withTop ? {} : { top: 0 }) };
  const lists = await Promise.all(pairs.map(({ scope, month }) => DailyRollupModel.find({ tenantId, scope, month }, projection).lean<RollupRow[]>()));
  return lists.flat().filter((row) => row.day >= from && row.day <= to);
}

/** The months (`YYYY-MM`) the days touch, in order. */
export function monthsBetween(from: string, to: string): string[] {
  const months: string[] = [];
  for (let m = from.slice(0, 7); m <= to.slice(0, 7); m = nextMonth(m)) months.push(m);
  return months;
}

function nextMonth(month: string): string {
  const [y, m] = month.split('-').map(Number) as [number, number];
  return m === 12 ? `${y + 1}-01` : `${y}-${String(m + 1).padStart(2, '0')}`;
}
