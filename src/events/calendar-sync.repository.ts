/**
 * The calendar outbox's store (one sync job per event). Requests and the worker race on a
 * job, so every write goes through `updateSyncJob`: one guarded `atomicUpdate` under the
 * job's lock key.
 */
import mongoose, { type Types } from 'mongoose';
import { atomicUpdate } from '../db/atomic-update.js';
import { documentLocks } from '../db/document-lock.js';
import { inLanes } from '../db/in-lanes.js';
import { storeCapabilities } from '../db/store-capabilities.js';
import { CalendarSyncModel, type CalendarSyncRecord } from './calendar-sync.model.js';

/** An update of a sync job (operators such as `$set`, `$inc`, `$max`). */
export type SyncJobUpdate = NonNullable<Parameters<typeof CalendarSyncModel.updateOne>[1]>;

export async function countDueJobs(now: Date): Promise<number> {
  return CalendarSyncModel.countDocuments({ pending: true, dueAt: mongoose.trusted({ $lte: now }) });
}

/** The jobs due at `now`, the longest waiting first. */
export async function dueJobs(now: Date, limit: number): Promise<CalendarSyncRecord[]> {
  return CalendarSyncModel.find({ pending: true, dueAt: mongoose.trusted({ $lte: now }) })
    .sort({ dueAt: 1 })
    .limit(limit)
    .lean<CalendarSyncRecord[]>();
}

/**
 * Updates the event's job when it still matches `guard` (creates it with `upsert`);
 * answers the job after the update, or null when the guard failed.
 */
export async function updateSyncJob(eventId: Types.ObjectId, guard: Record<string, unknown>, update: SyncJobUpdate, options: { upsert?: boolean } = {}): Promise<CalendarSyncRecord | null> {
  return (await atomicUpdate(CalendarSyncModel, { ...guard, eventId }, update, { upsert: options.upsert ?? false, lockKey: syncLockKey(eventId) })) as CalendarSyncRecord | null;
}

/** A request for one event's job: fields to set, and a demand raised by one. */
export interface SyncJobRequest {
  eventId: Types.ObjectId;
  set: Record<string, unknown>;
}

/**
 * Records requests for several events' jobs (creating those that do not exist), each as
 * `updateSyncJob` would with `$set`, `$inc: { demand: 1 }` and `$max: { dueAt }`. On MongoDB
 * that is one bulk write (each update is atomic on its own). FerretDB applies an update as a
 * read and a write back, so there the jobs' locks are taken together, in one lease write for
 * all (document-lock.ts), and the updates run a few at a time: FerretDB 1.24 does not take a
 * bulk of updates well (see seat-store.ts). A round of sign-ups over 20 events so asks Outlook
 * to catch up with 2 lease writes, not 40.
 */
export async function requestSyncJobs(requests: readonly SyncJobRequest[], dueAt: Date): Promise<void> {
  if (requests.length === 0) return;
  // $max keeps a later dueAt: a job waiting out Graph's Retry-After is not hurried by new requests.
  const update = (r: SyncJobRequest) => ({ $set: r.set, $inc: { demand: 1 }, $max: { dueAt } });
  if (!storeCapabilities().needsWriteSerialisation) {
    await CalendarSyncModel.bulkWrite(
      requests.map((r) => ({ updateOne: { filter: { eventId: r.eventId }, update: update(r), upsert: true } })),
      { ordered: false },
    );
    return;
  }
  await documentLocks.withLocks(requests.map((r) => syncLockKey(r.eventId)), () =>
    inLanes(requests, 3, async (r) => {
      await CalendarSyncModel.updateOne({ eventId: r.eventId }, update(r), { upsert: true, runValidators: true });
    }),
  );
}

function syncLockKey(eventId: Types.ObjectId): string {
  return `${CalendarSyncModel.collection.collectionName}:${String(eventId)}`;
}
