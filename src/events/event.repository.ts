/**
 * The events store: the only module outside the seat allocator's batches that reads or
 * writes `EventModel`. Every write to an existing event goes through `updateEvent`, which
 * runs as one guarded `atomicUpdate` under the event's lock key, so callers cannot write an
 * event the unsafe way on FerretDB (see src/db/store-capabilities.ts). The allocator's
 * batches write under the same lock (`eventLockKey`), held around the whole batch.
 */
import mongoose, { Types, type QueryFilter } from 'mongoose';
import { atomicUpdate } from '../db/atomic-update.js';
import { EventModel, eventLockKey, type EventRecord } from './event.model.js';

export { eventLockKey };

/** An update of an event document (operators such as `$set`, `$inc`). */
export type EventUpdate = NonNullable<Parameters<typeof EventModel.updateOne>[1]>;

export async function createEvent(fields: Record<string, unknown>): Promise<EventRecord> {
  const created = await EventModel.create(fields);
  return created.toObject() as EventRecord;
}

/** Undoes a create that could not be completed (its files could not be recorded): nobody has seen the event yet. */
export async function deleteUnannouncedEvent(eventId: Types.ObjectId): Promise<void> {
  await EventModel.deleteOne({ _id: eventId });
}

export async function findEvent(eventId: Types.ObjectId | string): Promise<EventRecord | null> {
  return EventModel.findOne({ _id: eventId }).lean<EventRecord>();
}

export async function findEventInTenant(tenantId: string, eventId: Types.ObjectId): Promise<EventRecord | null> {
  return EventModel.findOne({ _id: eventId, tenantId }).lean<EventRecord>().exec();
}

export async function findEventTitle(eventId: Types.ObjectId | string): Promise<string | null> {
  const row = await EventModel.findOne({ _id: eventId }).select({ title: 1 }).lean<Pick<EventRecord, 'title'>>();
  return row?.title ?? null;
}

export async function findEventByTitle(tenantId: string, communityId: Types.ObjectId | string, title: string): Promise<EventRecord | null> {
  return EventModel.findOne({ tenantId, communityId, title }).lean<EventRecord>();
}

/** A page of events matching the service's filter (built from trusted operators), ordered by start then id. */
export async function findEventPage(filter: QueryFilter<EventRecord>, direction: 1 | -1, limit: number): Promise<EventRecord[]> {
  return EventModel.find(filter).sort({ start: direction, _id: direction }).limit(limit).lean<EventRecord[]>();
}

/** The tenant's events that are not cancelled, the latest start first, at most `limit`. */
export async function latestEventsOfTenant(tenantId: string, limit: number): Promise<EventRecord[]> {
  return EventModel.find({ tenantId, status: mongoose.trusted({ $ne: 'cancelled' }) })
    .sort({ start: -1, _id: -1 })
    .limit(limit)
    .lean<EventRecord[]>();
}

/** Of these events, the ones of the tenant that end after `endAfter`, by start, at most `limit`. */
export async function eventsEndingAfter(tenantId: string, eventIds: readonly Types.ObjectId[], endAfter: Date, limit: number): Promise<EventRecord[]> {
  if (eventIds.length === 0) return [];
  return EventModel.find({ tenantId, _id: mongoose.trusted({ $in: eventIds }), end: mongoose.trusted({ $gte: endAfter }) })
    .sort({ start: 1 })
    .limit(limit)
    .lean<EventRecord[]>();
}

export async function eventsByIds(eventIds: readonly Types.ObjectId[]): Promise<EventRecord[]> {
  return EventModel.find({ _id: mongoose.trusted({ $in: eventIds }) }).lean<EventRecord[]>();
}

/** Scheduled events starting in `(after, until]`. */
export async function scheduledStartingBetween(after: Date, until: Date): Promise<EventRecord[]> {
  return EventModel.find({ status: 'scheduled', start: mongoose.trusted({ $gt: after, $lte: until }) }).lean<EventRecord[]>();
}

/** Ids of scheduled events that ended before `now`, at most `limit`. */
export async function scheduledEndedBefore(now: Date, limit: number): Promise<Types.ObjectId[]> {
  const rows = await EventModel.find({ status: 'scheduled', end: mongoose.trusted({ $lt: now }) }).select({ _id: 1 }).limit(limit).lean<{ _id: Types.ObjectId }[]>();
  return rows.map((r) => r._id);
}

/** Upcoming scheduled events that have an Outlook copy, by start. */
export async function upcomingWithOutlookCopy(now: Date, limit: number): Promise<EventRecord[]> {
  return EventModel.find({ status: 'scheduled', end: mongoose.trusted({ $gt: now }), 'calendar.eventId': mongoose.trusted({ $ne: null }) })
    .sort({ start: 1 })
    .limit(limit)
    .select({ _id: 1, tenantId: 1, calendar: 1 })
    .lean<EventRecord[]>();
}

/** The event (not cancelled) whose Teams meeting has this join URL. */
export async function findByJoinUrl(tenantId: string, joinUrl: string): Promise<EventRecord | null> {
  return EventModel.findOne({ tenantId, 'calendar.joinUrl': joinUrl, status: mongoose.trusted({ $ne: 'cancelled' }) }).lean<EventRecord>();
}

/**
 * Updates one event when it still matches `guard`, atomically on every store (under the
 * event's lock key); answers the event after the update, or null when the guard failed.
 */
/**
 * Scheduled, not invite-only events of a community that start after `now`, soonest first, as
 * they are read: the caller applies the sign-up window rule and stops at the first that passes
 * (leaving the loop closes the cursor).
 */
export async function* upcomingSignUpCandidates(query: { tenantId: string; communityId: Types.ObjectId | string; except?: Types.ObjectId | string | null }, now: Date): AsyncGenerator<EventRecord> {
  const cursor = EventModel.find({
    tenantId: query.tenantId,
    communityId: new Types.ObjectId(String(query.communityId)),
    status: 'scheduled',
    signupMethod: mongoose.trusted({ $ne: 'invite' }),
    start: mongoose.trusted({ $gt: now }),
    ...(query.except ? { _id: mongoose.trusted({ $ne: new Types.ObjectId(String(query.except)) }) } : {}),
  })
    .sort({ start: 1, _id: 1 })
    .select({ _id: 1, title: 1, start: 1, timeZone: 1, status: 1, signupDeadline: 1, signupMethod: 1, capacity: 1, waitlist: 1, counts: 1 })
    .lean<EventRecord>()
    .cursor({ batchSize: 20 });
  try {
    for await (const event of cursor) yield event;
  } finally {
    await cursor.close();
  }
}

export async function updateEvent(eventId: Types.ObjectId, guard: Record<string, unknown>, update: EventUpdate): Promise<EventRecord | null> {
  return (await atomicUpdate(EventModel, { ...guard, _id: eventId }, update, { lockKey: eventLockKey(eventId) })) as EventRecord | null;
}
