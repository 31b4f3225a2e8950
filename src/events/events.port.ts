/**
 * What other capabilities may read and change of events, without the events models: the
 * meetings capability (attendance, follow-ups, linking a meeting to its event), search and
 * the local demo seed. Writes go through the events repository's guarded updates.
 */
import mongoose, { type Types } from 'mongoose';
import type { Actor } from '../auth/actor.js';
import { NotFoundError } from '../errors/domain-errors.js';
import { resolveEventAccess } from './event-access.js';
import type { EventRecord } from './event.model.js';
import { latestEventsOfTenant, findByJoinUrl, findEvent, findEventByTitle, findEventTitle, updateEvent } from './event.repository.js';
import type { RegistrationRecord } from './registration.model.js';
import { eventActivityBetween, findRegistration, registeredOf, registrationsOf } from './registration.repository.js';

export { eventActivityBetween };

export type { EventRecord, RegistrationRecord };

/** The event with this id (any tenant: callers hold an id they stored themselves). */
export const eventById: (eventId: Types.ObjectId | string) => Promise<EventRecord | null> = findEvent;

/** Whether the actor sees the event as GET /events/{id} shows it to them, files included (a denied read is a 404 there). */
export async function seesEvent(actor: Actor, eventId: Types.ObjectId): Promise<boolean> {
  try {
    await resolveEventAccess(actor, eventId);
    return true;
  } catch (err) {
    if (err instanceof NotFoundError) return false;
    throw err;
  }
}

/** The event's title, or null when there is no such event. */
export const eventTitle: (eventId: Types.ObjectId | string) => Promise<string | null> = findEventTitle;

/** Every event of the tenant (search filters what the actor may see). */
export const latestEventsOf: (tenantId: string, limit: number) => Promise<EventRecord[]> = latestEventsOfTenant;

/** The event (not cancelled) whose Teams meeting has this join URL. */
export const eventByJoinUrl: (tenantId: string, joinUrl: string) => Promise<EventRecord | null> = findByJoinUrl;

/** The community's event with this title (the demo seed finds what it made before). */
export const eventTitled: (tenantId: string, communityId: Types.ObjectId | string, title: string) => Promise<EventRecord | null> = findEventByTitle;

/** Every registration of the event, in any status. */
export const registrationsOfEvent: (eventId: Types.ObjectId) => Promise<RegistrationRecord[]> = registrationsOf;

/** The person's registration for the event, in any status, or null (invitations by e-mail see whether it was taken up). */
export const registrationOfPerson: (eventId: Types.ObjectId, userId: string) => Promise<RegistrationRecord | null> = findRegistration;

/** The event's registered people, in arrival order. */
export const registeredOfEvent = (eventId: Types.ObjectId): Promise<RegistrationRecord[]> => registeredOf(eventId);

/** Marks a scheduled event that began by `now` completed; answers whether it did. */
export async function completeStartedEvent(eventId: Types.ObjectId, now: Date): Promise<boolean> {
  return (await updateEvent(eventId, { status: 'scheduled', start: mongoose.trusted({ $lte: now }) }, { $set: { status: 'completed' } })) !== null;
}

/**
 * Sets the event's follow-up discussion when it has none, or still has `replacing` (one that
 * may no longer be shown); an organiser's own valid choice stays. The caller vouches that the
 * discussion is one of the event's community's.
 */
export async function setFollowUpDiscussionOnce(eventId: Types.ObjectId, discussionId: Types.ObjectId, replacing: Types.ObjectId | null = null): Promise<void> {
  await updateEvent(eventId, { followUpDiscussionId: replacing }, { $set: { followUpDiscussionId: discussionId } });
}
