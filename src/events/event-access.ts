/**
 * What an actor may do with an event: loads the event (in the actor's tenant) and the
 * actor's relation to its community, and builds the policy context. Unknown ids, other
 * tenants' events and events the actor may not see all answer the same 404.
 */
import { isValidObjectId, Types } from 'mongoose';
import { actorOfPerson, type Actor, type StoredPerson } from '../auth/actor.js';
import { NotFoundError } from '../errors/domain-errors.js';
import { accessFor, membershipsOf, resolveCommunityAccess, type CommunityAccess } from '../communities/community-access.js';
import { communitiesByIds, communityById, countingRoleOf, type CommunityRecord, type MembershipRecord } from '../communities/communities.port.js';
import type { UserDirectoryRepository } from '../members/user-directory.repository.js';
import type { NotificationIntent } from '../notifications/notification-outbox.js';
import type { EventRecord } from './event.model.js';
import { findEventInTenant } from './event.repository.js';
import { admittedAsOrganizer, eventPolicy, type EventAction, type EventContext } from './events.policy.js';

export const EVENT_NOT_FOUND = 'event_not_found';

export function eventNotFound(): NotFoundError {
  return new NotFoundError('There is no such event.', EVENT_NOT_FOUND);
}

export function toEventId(id: string | Types.ObjectId): Types.ObjectId {
  if (id instanceof Types.ObjectId) return id;
  if (typeof id !== 'string' || !/^[0-9a-f]{24}$/i.test(id) || !isValidObjectId(id)) throw eventNotFound();
  return new Types.ObjectId(id);
}

export interface EventAccess {
  event: EventRecord;
  context: EventContext;
  community: CommunityAccess | null;
  can(action: EventAction): boolean;
  /** Throws ForbiddenError, or the event's 404 where the actor may not see it. */
  authorize(action: EventAction): void;
}

export function eventContext(actor: Actor, event: Pick<EventRecord, 'communityId' | 'organizers' | 'guestsAllowed' | 'hideAttendees'>, community: { canRead: boolean; communityRole: 'manager' | 'member' | null } | null): EventContext {
  return {
    scope: event.communityId ? 'community' : 'organisation',
    canReadCommunity: community?.canRead ?? false,
    communityRole: community?.communityRole ?? null,
    isOrganizer: (event.organizers ?? []).includes(actor.userId),
    eventGuestsAllowed: event.guestsAllowed === true,
    hideAttendees: event.hideAttendees === true,
  };
}

export function accessFromContext(actor: Actor, event: EventRecord, context: EventContext, community: CommunityAccess | null): EventAccess {
  return {
    event,
    context,
    community,
    can: (action) => eventPolicy.can(actor, action, context),
    authorize(action) {
      if (!eventPolicy.can(actor, 'event.read', context)) throw eventNotFound();
      eventPolicy.authorize(actor, action, context);
    },
  };
}

/** Loads an event of a tenant; the default reads the store, callers may read through a cache. */
export type EventLoader = (tenantId: string, id: Types.ObjectId) => Promise<EventRecord | null>;

export const loadEvent: EventLoader = findEventInTenant;

/** The event and the actor's access to it; 404 (`event_not_found`) when it may not be seen. */
export async function resolveEventAccess(actor: Actor, eventId: string | Types.ObjectId, load: EventLoader = loadEvent): Promise<EventAccess> {
  const id = toEventId(eventId);
  const event = await load(actor.tenantId, id);
  if (!event) throw eventNotFound();
  let community: CommunityAccess | null = null;
  if (event.communityId) {
    community = await resolveCommunityAccess(actor, event.communityId).catch((error: unknown) => {
      if (error instanceof NotFoundError) return null;
      throw error;
    });
  }
  const context = eventContext(actor, event, community ? { canRead: community.canRead, communityRole: community.context.communityRole ?? null } : null);
  const access = accessFromContext(actor, event, context, community);
  if (!access.can('event.read')) throw eventNotFound();
  return access;
}

/**
 * The events of this list that the actor may read, decided as `resolveEventAccess` decides
 * for one (an unseen community reads as none), with two queries for the whole list.
 */
export async function readableEvents(actor: Actor, events: readonly EventRecord[]): Promise<EventRecord[]> {
  const communityIds = [...new Map(events.flatMap((e) => (e.communityId ? [[String(e.communityId), e.communityId] as const] : []))).values()];
  const [communities, memberships] = await Promise.all([communitiesByIds(communityIds), membershipsOf(actor)]);
  return events.filter((event) => {
    if (event.tenantId !== actor.tenantId) return false;
    const record = event.communityId ? communities.get(String(event.communityId)) : undefined;
    const community = record ? accessFor(actor, record, memberships.get(String(record._id)) ?? null) : null;
    const facts = community?.canSee ? { canRead: community.canRead, communityRole: community.context.communityRole ?? null } : null;
    return eventPolicy.can(actor, 'event.read', eventContext(actor, event, facts));
  });
}

/**
 * The actor's active community roles, keyed by community id. Lists use it for display hints
 * (`canManage`); every action re-checks through `resolveEventAccess`.
 */
export async function communityRolesOf(actor: Actor): Promise<Map<string, 'manager' | 'member'>> {
  const memberships: Map<string, MembershipRecord> = await membershipsOf(actor);
  const roles = new Map<string, 'manager' | 'member'>();
  for (const [id, m] of memberships) if (m.status === 'active') roles.set(id, m.role);
  return roles;
}

/** What decides whether someone may organise an event: its community (null: organisation-wide), that community's record (null when it is gone), and whether the event admits guests. */
export interface OrganizerRules {
  communityId: Types.ObjectId | null;
  community: CommunityRecord | null;
  guestsAllowed: boolean;
}

/** The person as an actor, and their policy context for an event with these rules, listed as one of its organisers. */
async function asListedOrganizer(person: StoredPerson, rules: OrganizerRules): Promise<{ actor: Actor; context: EventContext }> {
  const actor = actorOfPerson(person);
  const communityRole = rules.community ? await countingRoleOf(rules.community, actor) : null;
  const facts = { communityId: rules.communityId, organizers: [actor.userId], guestsAllowed: rules.guestsAllowed, hideAttendees: false };
  return { actor, context: eventContext(actor, facts, rules.communityId ? { canRead: communityRole !== null, communityRole } : null) };
}

/**
 * Whether the event's rules admit the person as an organiser now (events.policy.ts
 * `admittedAsOrganizer`), for someone other than the actor: a co-organiser being added.
 */
export async function admitsAsOrganizer(person: StoredPerson, rules: OrganizerRules): Promise<boolean> {
  const { actor, context } = await asListedOrganizer(person, rules);
  return admittedAsOrganizer(actor, context);
}

/** Kinds of notification meant for the people who run the event. */
const ORGANIZER_KINDS: ReadonlySet<string> = new Set(['eventRegistrationRequested']);

/**
 * The intents, less those for listed organisers who may no longer run the event (removed or
 * blocked from the community, a guest shut out): they hear nothing more about who signs up.
 */
export async function withoutFormerOrganizers(event: EventRecord, intents: NotificationIntent[], people: Pick<UserDirectoryRepository, 'find'>): Promise<NotificationIntent[]> {
  const addressed = new Set(intents.filter((i) => ORGANIZER_KINDS.has(i.kind) && event.organizers.includes(i.recipientId)).map((i) => i.recipientId));
  if (addressed.size === 0) return intents;
  const rules: OrganizerRules = { communityId: event.communityId, community: event.communityId ? await communityById(event.communityId) : null, guestsAllowed: event.guestsAllowed === true };
  const former = new Set<string>();
  for (const userId of addressed) {
    const person = await people.find(event.tenantId, userId);
    if (!person || !(await isStillRunning(person, rules))) former.add(userId);
  }
  return intents.filter((i) => !(ORGANIZER_KINDS.has(i.kind) && former.has(i.recipientId)));
}

async function isStillRunning(person: StoredPerson, rules: OrganizerRules): Promise<boolean> {
  const { actor, context } = await asListedOrganizer(person, rules);
  return eventPolicy.can(actor, 'attendees.manage', context);
}
