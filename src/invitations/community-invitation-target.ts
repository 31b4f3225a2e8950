/**
 * A community as what invitations by e-mail are to (issue 14): its managers invite; someone of
 * the tenant gets an `invited` membership (and a notification) and accepts in Teams or the tab;
 * a new guest's membership waits, bound to their object id, until their first sign-in.
 */
import type { Actor } from '../auth/actor.js';
import { resolveCommunityAccess } from '../communities/community-access.js';
import { membershipOf } from '../communities/communities.port.js';
import type { MembershipService } from '../communities/membership.service.js';
import { ConflictError } from '../errors/domain-errors.js';
import type { InvitationTarget, KnownInviteResult } from './invitation-target.js';

export async function communityInvitationTarget(actor: Actor, communityId: string, memberships: MembershipService): Promise<InvitationTarget> {
  const access = await resolveCommunityAccess(actor, communityId);
  access.authorize('members.manage');
  const id = access.community._id;
  const waiting = async (userId: string | null | undefined) => (userId ? (await membershipOf(id, userId))?.status === 'invited' : false);
  return {
    scope: { communityId: id, eventId: null },
    subjectId: String(id),
    guestRefusal: access.community.guestsAllowed ? null : 'guests_not_allowed',
    landing: `/communities/${String(id)}`,
    async inviteKnown(userId): Promise<KnownInviteResult> {
      try {
        await memberships.add(actor, String(id), { userId });
        return { outcome: 'invited_member', state: 'pending' };
      } catch (err) {
        if (!(err instanceof ConflictError)) throw err;
        if (err.code === 'already_member') return { outcome: 'already_member', state: 'accepted' };
        if (err.code === 'guests_not_allowed') return { outcome: 'guests_not_allowed', state: 'failed' };
        return { outcome: 'already_invited', state: 'pending' };
      }
    },
    async holdForGuest(userId) {
      try {
        await memberships.add(actor, String(id), { userId });
      } catch (err) {
        if (!(err instanceof ConflictError)) throw err;
      }
    },
    takenUp: async (item) => (item.userId ? (await membershipOf(id, item.userId))?.status === 'active' : false),
    async release(item) {
      if (item.userId && (await waiting(item.userId))) await memberships.remove(actor, String(id), item.userId);
    },
  };
}
