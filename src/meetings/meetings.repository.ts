/**
 * The meetings capability's store: meeting links (a Teams meeting chat tied to a community
 * discussion, with its follow-up and card state) and event attendance. Only this file
 * touches their models. A link is addressed by tenant and chat, not `_id`, so its lock key
 * is built here, once, and every write of a link (update, upsert, delete) queues under it.
 */
import mongoose, { type Types } from 'mongoose';
import { atomicDelete } from '../db/atomic-delete.js';
import { atomicUpdate } from '../db/atomic-update.js';
import { documentLocks } from '../db/document-lock.js';
import { isDuplicateKeyError } from '../db/mongo-errors.js';
import { EventAttendanceModel, type AttendanceRecord } from './attendance.model.js';
import { MeetingLinkModel, type MeetingLinkRecord } from './meeting-link.model.js';

export type { AttendanceRecord, MeetingLinkRecord };

/** An update of a meeting link (operators such as `$set`, `$setOnInsert`, `$inc`). */
export type MeetingLinkUpdate = NonNullable<Parameters<typeof MeetingLinkModel.updateOne>[1]>;

const linkKey = (tenantId: string, chatId: string) => `meeting_links:${tenantId}:${chatId}`;

/** The link of a meeting chat. */
export function findMeetingLink(tenantId: string, chatId: string): Promise<MeetingLinkRecord | null> {
  return MeetingLinkModel.findOne({ tenantId, chatId }).lean<MeetingLinkRecord>().exec();
}

/**
 * Applies the update to the chat's link when it (and the guard) matches, creating it with
 * `upsert`; the link after, or null.
 */
export async function updateMeetingLink(tenantId: string, chatId: string, guard: Record<string, unknown>, update: MeetingLinkUpdate, options: { upsert?: boolean } = {}): Promise<MeetingLinkRecord | null> {
  return (await atomicUpdate(MeetingLinkModel, { ...guard, tenantId, chatId }, update, { upsert: options.upsert ?? false, lockKey: linkKey(tenantId, chatId) })) as MeetingLinkRecord | null;
}

/** Removes the chat's link unless its follow-up is running (it finishes first); whether it was removed. */
export async function deleteMeetingLinkUnlessRunning(tenantId: string, chatId: string): Promise<boolean> {
  const deleted = await atomicDelete(MeetingLinkModel, { tenantId, chatId, 'followUp.status': mongoose.trusted({ $ne: 'running' as const }) }, { lockKey: linkKey(tenantId, chatId) });
  return deleted !== null;
}

/** The links whose follow-up is due now, or ran so long ago (`staleBefore`) that its runner must have died. */
export function dueFollowUps(now: Date, staleBefore: Date, limit: number): Promise<Pick<MeetingLinkRecord, 'tenantId' | 'chatId'>[]> {
  return MeetingLinkModel.find({ $or: dueOrStale(now, staleBefore) })
    .select({ tenantId: 1, chatId: 1 })
    .limit(limit)
    .lean<Pick<MeetingLinkRecord, 'tenantId' | 'chatId'>[]>()
    .exec();
}

/** Claims the chat's follow-up when it is due (or stale): running from now, one attempt more; the link after, or null. */
export function claimFollowUp(tenantId: string, chatId: string, now: Date, staleBefore: Date): Promise<MeetingLinkRecord | null> {
  return updateMeetingLink(tenantId, chatId, { $or: dueOrStale(now, staleBefore) }, { $set: { 'followUp.status': 'running', 'followUp.runningSince': now }, $inc: { 'followUp.attempts': 1 } });
}

function dueOrStale(now: Date, staleBefore: Date): Record<string, unknown>[] {
  return [
    { 'followUp.status': 'pending', 'followUp.dueAt': mongoose.trusted({ $lte: now }) },
    { 'followUp.status': 'running', 'followUp.runningSince': mongoose.trusted({ $lt: staleBefore }) },
  ];
}

// ---- attendance ----

/** The event's attendance rows. */
export function attendanceOfEvent(eventId: Types.ObjectId): Promise<AttendanceRecord[]> {
  return EventAttendanceModel.find({ eventId }).lean<AttendanceRecord[]>().exec();
}

/**
 * Of these events, those whose Teams attendance report has been read, each with the
 * registrations that attended (the analytics' attendance rate: events without a report say
 * nothing about attendance and are left out).
 */
export async function attendanceReportsOf(eventIds: readonly Types.ObjectId[]): Promise<Map<string, Set<string>>> {
  if (eventIds.length === 0) return new Map();
  const rows = await EventAttendanceModel.find({ eventId: mongoose.trusted({ $in: eventIds }) }, { _id: 0, eventId: 1, registrationId: 1 }).lean<Pick<AttendanceRecord, 'eventId' | 'registrationId'>[]>();
  const reports = new Map<string, Set<string>>();
  for (const r of rows) {
    const attended = reports.get(String(r.eventId)) ?? new Set<string>();
    if (r.registrationId) attended.add(String(r.registrationId));
    reports.set(String(r.eventId), attended);
  }
  return reports;
}

/** Makes these rows (by key) the event's whole attendance: rows from an earlier read that are not among them go. */
export async function replaceAttendance(eventId: Types.ObjectId, rows: Map<string, Omit<AttendanceRecord, '_id' | 'createdAt' | 'updatedAt'>>): Promise<void> {
  await EventAttendanceModel.deleteMany({ eventId, key: mongoose.trusted({ $nin: [...rows.keys()] }) });
  for (const row of rows.values()) {
    try {
      await EventAttendanceModel.replaceOne({ eventId, key: row.key }, row, { upsert: true });
    } catch (err) {
      // Two readers of the same report: the other wrote the same row.
      if (!isDuplicateKeyError(err)) throw err;
    }
  }
}

/**
 * Runs `work` alone for this chat among every instance: making an automatic link takes a
 * discussion and then the link, and two deliveries of a meeting event must make one of each.
 * (A key of its own: `work` itself writes the link under the link's key.)
 */
export function withAutoLinkLock<T>(tenantId: string, chatId: string, work: () => Promise<T>): Promise<T> {
  return documentLocks.withLock(`meeting_links:auto:${tenantId}:${chatId}`, work);
}
