/**
 * Reading registrations. Registrations (and their seat claims) are written only by the seat
 * allocator's batches, under the event's lock (src/events/seat-allocator.ts); everything
 * else reads them through here.
 */
import mongoose, { type Types } from 'mongoose';
import { EventModel } from './event.model.js';
import { ACTIVE_STATUSES, RegistrationModel, type RegistrationRecord, type RegistrationStatus } from './registration.model.js';

export async function findRegistration(eventId: Types.ObjectId, userId: string): Promise<RegistrationRecord | null> {
  return RegistrationModel.findOne({ eventId, userId }).lean<RegistrationRecord>();
}

/** The person's registrations for these events. */
export async function registrationsOfUser(eventIds: readonly Types.ObjectId[], userId: string): Promise<RegistrationRecord[]> {
  if (eventIds.length === 0) return [];
  return RegistrationModel.find({ eventId: mongoose.trusted({ $in: eventIds }), userId }).lean<RegistrationRecord[]>();
}

/** Ids of the events the person is signed up for (registered, waitlisted or requested). */
export async function activeEventIdsOf(tenantId: string, userId: string): Promise<Types.ObjectId[]> {
  const rows = await RegistrationModel.find({ tenantId, userId, status: mongoose.trusted({ $in: ACTIVE_STATUSES }) })
    .select({ eventId: 1 })
    .lean<{ eventId: Types.ObjectId }[]>();
  return rows.map((r) => r.eventId);
}

/** The person's registered (seated) registrations, across events. */
export async function registeredOfUser(tenantId: string, userId: string): Promise<RegistrationRecord[]> {
  return RegistrationModel.find({ tenantId, userId, status: 'registered' }).lean<RegistrationRecord[]>();
}

/** Every registration of the event, in any status. */
export async function registrationsOf(eventId: Types.ObjectId): Promise<RegistrationRecord[]> {
  return RegistrationModel.find({ eventId }).lean<RegistrationRecord[]>();
}

/** User ids of the event's registrations in these statuses. */
export async function userIdsOf(eventId: Types.ObjectId, statuses: readonly RegistrationStatus[]): Promise<string[]> {
  const status = statuses.length === 1 ? statuses[0] : mongoose.trusted({ $in: statuses });
  const rows = await RegistrationModel.find({ eventId, status }).select({ userId: 1 }).lean<{ userId: string }[]>();
  return rows.map((r) => r.userId);
}

/** The event's registered people (optionally organisation members only), in arrival order. */
export async function registeredOf(eventId: Types.ObjectId, options: { membersOnly?: boolean } = {}): Promise<RegistrationRecord[]> {
  return RegistrationModel.find({ eventId, status: 'registered', ...(options.membersOnly ? { isGuest: false } : {}) })
    .sort({ seq: 1 })
    .lean<RegistrationRecord[]>();
}

/** A page of the event's registrations (in `status` when given), ordered by `sortField`, after `after`. */
export async function registrationPage(
  eventId: Types.ObjectId,
  status: RegistrationStatus | undefined,
  sortField: 'queue' | 'seq',
  after: number | null,
  limit: number,
): Promise<RegistrationRecord[]> {
  const filter: Record<string, unknown> = { eventId, ...(status ? { status } : {}) };
  if (after !== null) filter[sortField] = mongoose.trusted({ $gt: after });
  return RegistrationModel.find(filter).sort({ [sortField]: 1 }).limit(limit).lean<RegistrationRecord[]>();
}

/** Where a waitlisted registration stands in the line (1 = next). */
export async function waitlistPosition(registration: Pick<RegistrationRecord, 'eventId' | 'queue'>): Promise<number> {
  return 1 + (await RegistrationModel.countDocuments({ eventId: registration.eventId, status: 'waitlisted', queue: mongoose.trusted({ $lt: registration.queue }) }));
}

/**
 * The analytics' view of events between the instants (`to` exclusive) in the communities
 * (null: the whole tenant): who signed up (their first sign-up in the period), and the
 * registrations that stood at `registered` for the events that started in the period.
 */
export async function eventActivityBetween(tenantId: string, communityIds: readonly Types.ObjectId[] | null, from: Date, to: Date): Promise<{ registrants: string[]; heldRegistrations: { eventId: Types.ObjectId; registrationId: Types.ObjectId }[] }> {
  const inScope = communityIds === null ? {} : { communityId: mongoose.trusted({ $in: communityIds }) };
  const held = await EventModel.find({ tenantId, ...inScope, start: mongoose.trusted({ $gte: from, $lt: to }), status: mongoose.trusted({ $ne: 'cancelled' }) }, { _id: 1 }).lean<{ _id: Types.ObjectId }[]>();
  // Sign-ups in a community: of its events (all of the tenant's events when the scope is the organisation).
  const scopedEvents = communityIds === null ? null : (await EventModel.find({ tenantId, ...inScope }, { _id: 1 }).lean<{ _id: Types.ObjectId }[]>()).map((e) => e._id);
  const [signedUp, registered] = await Promise.all([
    scopedEvents !== null && scopedEvents.length === 0
      ? []
      : RegistrationModel.find({ tenantId, ...(scopedEvents ? { eventId: mongoose.trusted({ $in: scopedEvents }) } : {}), createdAt: mongoose.trusted({ $gte: from, $lt: to }) }, { _id: 0, userId: 1 }).lean<{ userId: string }[]>(),
    held.length === 0 ? [] : RegistrationModel.find({ eventId: mongoose.trusted({ $in: held.map((e) => e._id) }), status: 'registered' }, { _id: 1, eventId: 1 }).lean<{ _id: Types.ObjectId; eventId: Types.ObjectId }[]>(),
  ]);
  return { registrants: [...new Set(signedUp.map((r) => r.userId))], heldRegistrations: registered.map((r) => ({ eventId: r.eventId, registrationId: r._id })) };
}
