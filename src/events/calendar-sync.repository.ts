/**
 * The calendar outbox's store (one sync job per event). Requests and the worker race on a
 * job, so every write goes through `updateSyncJob`: one guarded `atomicUpdate` under the
 * job's lock key.
 */
import mongoose, { type Types } from 'mongoose';
import { atomicUpdate } from '../db/atomic-update.js';
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

function syncLockKey(eventId: Types.ObjectId): string {
  return `${CalendarSyncModel.collection.collectionName}:${String(eventId)}`;
}
