/**
 * Who may do what with events: the single table, built on the identity helper's
 * `definePolicy`. An event belongs to a community (its readers see it, its managers run it)
 * or to the whole organisation (its own people see it; guests only when the event admits
 * guests; organisation admins run it). Organisers run their own events while the event's
 * rules still admit them: an organiser of a community event must be an active member of the
 * community (a guest only while it admits guests), of an organisation-wide event one of the
 * organisation's people (a guest only while the event admits guests). That is checked on
 * every use, from the membership as it is now, so someone removed or blocked from the
 * community, or a guest shut out, loses the organiser's rights at once, though still listed.
 * A denied read is a 404, so nobody learns that an event they may not see exists.
 */
import {
  allOf,
  anyOf,
  communityManager,
  communityMember,
  definePolicy,
  guest,
  not,
  orgAdmin,
  organisationMember,
  type AccessContext,
  type Requirement,
} from '../auth/authorize.js';

export interface EventContext extends AccessContext {
  /** `organisation` for an organisation-wide event. */
  scope: 'community' | 'organisation';
  /** May read the community's content (community events; from resolveCommunityAccess). */
  canReadCommunity: boolean;
  /** Listed among the event's organisers (whether that still counts is the policy's `organizer`). */
  isOrganizer: boolean;
  /** The event admits guests. */
  eventGuestsAllowed: boolean;
  hideAttendees: boolean;
}

const listedOrganizer: Requirement<EventContext> = (_actor, c) => c.isOrganizer;
const organisationWide: Requirement<EventContext> = (_actor, c) => c.scope === 'organisation';
const inCommunity: Requirement<EventContext> = (_actor, c) => c.scope === 'community';
const readsCommunity: Requirement<EventContext> = (_actor, c) => c.canReadCommunity;
const admitsGuests: Requirement<EventContext> = (_actor, c) => c.eventGuestsAllowed;
/** Someone the event's rules admit as an organiser now (see the module comment); `communityRole` is set only for a membership that counts. */
export const admittedAsOrganizer = anyOf<EventContext>(allOf(inCommunity, communityMember), allOf(organisationWide, anyOf<EventContext>(organisationMember, admitsGuests)));
const organizer = allOf<EventContext>(listedOrganizer, admittedAsOrganizer);
const attendeesShown: Requirement<EventContext> = (_actor, c) => !c.hideAttendees;

/** Sees the event: its organisers and admins, its community's readers, or for organisation-wide events its people (and guests it admits). */
export const canReadEvent = anyOf<EventContext>(
  orgAdmin,
  organizer,
  allOf(inCommunity, readsCommunity),
  allOf(organisationWide, anyOf<EventContext>(organisationMember, admitsGuests)),
);
/** Runs the event: edits, cancels, decides on requests, adds and removes attendees, sees and exports the list. */
export const canManageEvent = anyOf<EventContext>(orgAdmin, organizer, allOf(inCommunity, communityManager));

export type EventAction = 'event.read' | 'event.update' | 'event.cancel' | 'event.signUp' | 'attendees.read' | 'attendees.manage' | 'attendees.export';

export const eventPolicy = definePolicy<EventAction, EventContext>({
  'event.read': { allow: canReadEvent, conceal: not(canReadEvent) },
  'event.update': { allow: canManageEvent, conceal: not(canReadEvent), message: 'Only organisers can change this event.' },
  'event.cancel': { allow: canManageEvent, conceal: not(canReadEvent), message: 'Only organisers can cancel this event.' },
  // Guests only where the event admits them; everyone else who sees the event.
  'event.signUp': {
    allow: allOf<EventContext>(canReadEvent, anyOf<EventContext>(not(guest), admitsGuests)),
    conceal: not(canReadEvent),
    message: 'This event is not open to guests.',
  },
  'attendees.read': { allow: anyOf<EventContext>(canManageEvent, allOf(canReadEvent, attendeesShown)), conceal: not(canReadEvent), message: 'The organisers keep the attendee list private.' },
  'attendees.manage': { allow: canManageEvent, conceal: not(canReadEvent), message: 'Only organisers can manage attendees.' },
  'attendees.export': { allow: canManageEvent, conceal: not(canReadEvent), message: 'Only organisers can export the attendee list.' },
});

/** Creating events: in a community, its managers (and organisation admins); organisation-wide, admins only. */
export const canCreateCommunityEvent = anyOf<AccessContext>(orgAdmin, communityManager);
export const canCreateOrganisationEvent: Requirement = orgAdmin;
