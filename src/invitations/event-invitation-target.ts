/**
 * An event as what invitations by e-mail are to (issue 14): whoever runs the event (may add
 * attendees) invites. Someone of the tenant is registered at once, as the organiser would add
 * them (a seat, or the waitlist when full), and invited into the event's community when not
 * yet in it; a new guest's membership waits, as a community's guest invitation does, and their
 * first sign-in registers them (InvitationService.signedIn). Nobody is invited to an event
 * that is cancelled or has started.
 *
 * Running an event does not let anyone into its community: only an organiser who may manage
 * the community's members (its managers, organisation admins) brings people into it. Another
 * organiser registers people of the tenant on the event, as adding them by name does, and
 * cannot invite guests (`needs_community_manager`): a guest outside the community could not
 * open the event, and inviting them would open a closed or secret community to whoever runs
 * one of its events.
 */
import type { Actor } from '../auth/actor.js';
import { communityById, membershipOf } from '../communities/communities.port.js';
import { resolveCommunityAccess } from '../communities/community-access.js';
import type { MembershipService } from '../communities/membership.service.js';
import { ConflictError } from '../errors/domain-errors.js';
import { resolveEventAccess } from '../events/event-access.js';
import type { EventSignupService } from '../events/event-signup.service.js';
import { registrationOfPerson } from '../events/events.port.js';
import { signUpClosedReason } from '../events/signup-window.js';
import type { Clock } from '../time/clock.js';
import type { InvitationTarget, KnownInviteResult } from './invitation-target.js';

export interface EventTargetDeps {
  signups: Pick<EventSignupService, 'add'>;
  memberships: Pick<MembershipService, 'add' | 'remove'>;
  now: Clock;
}

const CLOSED = {
  event_cancelled: 'This event was cancelled; nobody can be invited to it.',
  event_started: 'This event has started or is over; nobody can be invited to it.',
  signup_closed: '',
} as const;

/** `evenIfClosed`: for reading the list and withdrawing, which a cancelled or past event still allows. */
export async function eventInvitationTarget(actor: Actor, eventId: string, deps: EventTargetDeps, options: { evenIfClosed?: boolean } = {}): Promise<InvitationTarget> {
  const access = await resolveEventAccess(actor, eventId);
  access.authorize('attendees.manage');
  const event = access.event;
  // The sign-up deadline does not bind organisers (they add people after it), so only these two refuse.
  const closed = options.evenIfClosed ? null : signUpClosedReason(event, deps.now(), { deadline: false });
  if (closed) throw new ConflictError(CLOSED[closed], closed);
  const communityId = event.communityId ?? null;
  const community = access.community?.community ?? (communityId ? await communityById(communityId) : null);
  const managesCommunity = communityId ? (await resolveCommunityAccess(actor, String(communityId))).can('members.manage') : false;

  /** Into the event's community, unless they are in it or invited already (a refusal there leaves the registration be). */
  const intoCommunity = async (userId: string) => {
    if (!communityId || !managesCommunity) return;
    const status = (await membershipOf(communityId, userId))?.status;
    if (status === 'active' || status === 'invited') return;
    try {
      await deps.memberships.add(actor, String(communityId), { userId });
    } catch (err) {
      if (!(err instanceof ConflictError)) throw err;
    }
  };

  return {
    scope: { communityId, eventId: event._id },
    subjectId: String(event._id),
    guestRefusal: event.guestsAllowed !== true || (community && !community.guestsAllowed) ? 'guests_not_allowed' : communityId && !managesCommunity ? 'needs_community_manager' : null,
    landing: `/events/${String(event._id)}`,
    async inviteKnown(userId): Promise<KnownInviteResult> {
      let added;
      try {
        added = await deps.signups.add(actor, String(event._id), userId);
      } catch (err) {
        if (err instanceof ConflictError && (err.code === 'event_full' || err.code === 'guests_not_allowed')) return { outcome: err.code, state: 'failed' };
        throw err;
      }
      await intoCommunity(userId);
      if (!added.created) return { outcome: 'already_registered', state: 'accepted' };
      return { outcome: added.registration.status === 'waitlisted' ? 'waitlisted' : 'registered', state: 'accepted' };
    },
    holdForGuest: intoCommunity,
    async takenUp(item) {
      const status = item.userId ? (await registrationOfPerson(event._id, item.userId))?.status : undefined;
      return status === 'registered' || status === 'waitlisted';
    },
    async release(item) {
      // As a community's own invitation is taken back: only a membership that still waits.
      if (communityId && managesCommunity && item.userId && (await membershipOf(communityId, item.userId))?.status === 'invited') await deps.memberships.remove(actor, String(communityId), item.userId);
    },
  };
}
