/**
 * Who may do what in a community: the single table for communities, their members, their
 * discussions and replies, and moderation. Built on the identity helper's `definePolicy`.
 *
 * Seeing a community: organisation admins see every community of their tenant; members and
 * invitees see theirs; public and closed communities are visible to the organisation's own
 * people, and to guests when the community admits guests; a secret community is invisible
 * to everyone else, so every action on it answers 404 (not 403) to them. Reading content
 * (discussions, replies, the member list): public communities to everyone who sees them
 * (except people a manager blocked), closed and secret ones to members only. A guest's
 * membership counts only while the community admits guests.
 */
import type { Actor } from '../auth/actor.js';
import {
  allOf,
  anyOf,
  communityManager,
  communityMember,
  definePolicy,
  guestsAdmitted,
  not,
  orgAdmin,
  organisationMember,
  owner,
  visibility,
  type AccessContext,
  type Requirement,
} from '../auth/authorize.js';
import type { MembershipRole, MembershipStatus } from './membership.model.js';
import type { CommunityVisibility } from './community.model.js';

export interface CommunityContext extends AccessContext {
  /** The status of the actor's membership document, whatever its role (null when none). */
  membershipStatus?: MembershipStatus | null;
}

/** The smallest facts the policy needs about a community. */
export interface CommunityFacts {
  visibility: CommunityVisibility;
  guestsAllowed?: boolean | null;
}

/** The smallest facts the policy needs about a membership. */
export interface MembershipFacts {
  role: MembershipRole;
  status: MembershipStatus;
}

/** The policy context for an actor, a community and the actor's membership (if any), optionally a resource owner. */
export function communityContext(actor: Pick<Actor, 'isGuest'>, community: CommunityFacts, membership: MembershipFacts | null, ownerId?: string): CommunityContext {
  const admitted = !actor.isGuest || community.guestsAllowed === true;
  const active = membership?.status === 'active' && admitted;
  return {
    communityRole: active ? membership.role : null,
    membershipStatus: membership?.status ?? null,
    visibility: community.visibility,
    guestsAdmitted: community.guestsAllowed === true,
    ...(ownerId !== undefined ? { ownerId } : {}),
  };
}

const invited: Requirement<CommunityContext> = (_actor, c) => c.membershipStatus === 'invited';
const blocked: Requirement<CommunityContext> = (_actor, c) => c.membershipStatus === 'blocked';
/** The organisation's own people, and guests where the community admits them. */
const audience = anyOf<CommunityContext>(organisationMember, guestsAdmitted);

/** May the actor know that the community exists? */
export const canSeeCommunity: Requirement<CommunityContext> = anyOf<CommunityContext>(
  orgAdmin,
  communityMember,
  allOf(invited, audience),
  allOf(visibility('public', 'closed'), audience),
);
/** May the actor read the community's discussions and members? */
export const canReadContent: Requirement<CommunityContext> = anyOf<CommunityContext>(
  orgAdmin,
  communityMember,
  allOf(visibility('public'), audience, not(blocked)),
);
const hidden = not(canSeeCommunity);
const managerOrAdmin = anyOf<CommunityContext>(communityManager, orgAdmin);

export type CommunityAction =
  | 'community.read'
  | 'community.readContent'
  | 'community.update'
  | 'community.delete'
  | 'community.join'
  | 'community.leave'
  | 'members.list'
  | 'members.manage'
  | 'discussion.create'
  | 'discussion.read'
  | 'discussion.update'
  | 'discussion.delete'
  | 'discussion.reply'
  | 'discussion.react'
  | 'discussion.follow'
  | 'discussion.acceptAnswer'
  | 'discussion.close'
  | 'discussion.pin'
  | 'reply.update'
  | 'reply.delete'
  | 'content.report'
  | 'moderation.manage';

export const communityPolicy = definePolicy<CommunityAction, CommunityContext>({
  'community.read': { allow: canSeeCommunity, conceal: hidden },
  'community.readContent': { allow: canReadContent, conceal: hidden, message: 'Only members can read this community.' },
  'community.update': { allow: managerOrAdmin, conceal: hidden, message: 'Only managers can change this community.' },
  'community.delete': { allow: managerOrAdmin, conceal: hidden, message: 'Only managers can delete this community.' },
  // Joining (public), asking to join (closed) or accepting an invitation (any visibility).
  'community.join': {
    allow: allOf<CommunityContext>(audience, not(blocked), anyOf<CommunityContext>(visibility('public', 'closed'), invited)),
    conceal: hidden,
    message: 'You cannot join this community.',
  },
  'community.leave': { allow: anyOf<CommunityContext>(communityMember, (_a, c) => c.membershipStatus === 'requested' || c.membershipStatus === 'invited'), conceal: hidden, message: 'You are not a member.' },
  'members.list': { allow: canReadContent, conceal: hidden, message: 'Only members can see who is in this community.' },
  'members.manage': { allow: managerOrAdmin, conceal: hidden, message: 'Only managers can manage members.' },
  'discussion.create': { allow: anyOf<CommunityContext>(communityMember, orgAdmin), conceal: hidden, message: 'Join the community to start a discussion.' },
  'discussion.read': { allow: canReadContent, conceal: hidden, message: 'Only members can read this community.' },
  'discussion.update': { allow: allOf<CommunityContext>(owner, canReadContent), conceal: hidden, message: 'Only the author can edit this.' },
  'discussion.delete': { allow: anyOf<CommunityContext>(allOf<CommunityContext>(owner, canReadContent), managerOrAdmin), conceal: hidden, message: 'Only the author or a manager can delete this.' },
  'discussion.reply': { allow: anyOf<CommunityContext>(communityMember, orgAdmin), conceal: hidden, message: 'Join the community to reply.' },
  'discussion.react': { allow: anyOf<CommunityContext>(communityMember, orgAdmin), conceal: hidden, message: 'Join the community to react.' },
  'discussion.follow': { allow: canReadContent, conceal: hidden, message: 'Only members can follow this.' },
  'discussion.acceptAnswer': { allow: anyOf<CommunityContext>(allOf<CommunityContext>(owner, canReadContent), managerOrAdmin), conceal: hidden, message: 'Only the asker or a manager can accept an answer.' },
  'discussion.close': { allow: anyOf<CommunityContext>(allOf<CommunityContext>(owner, canReadContent), managerOrAdmin), conceal: hidden, message: 'Only the author or a manager can close or reopen this.' },
  'discussion.pin': { allow: managerOrAdmin, conceal: hidden, message: 'Only managers can pin.' },
  'reply.update': { allow: allOf<CommunityContext>(owner, canReadContent), conceal: hidden, message: 'Only the author can edit this.' },
  'reply.delete': { allow: anyOf<CommunityContext>(allOf<CommunityContext>(owner, canReadContent), managerOrAdmin), conceal: hidden, message: 'Only the author or a manager can delete this.' },
  'content.report': { allow: canReadContent, conceal: hidden, message: 'You cannot report this.' },
  'moderation.manage': { allow: managerOrAdmin, conceal: hidden, message: 'Only managers can moderate.' },
});

/** Creating communities: the organisation's own people, or only admins when the tenant says so. */
export function canCreateCommunity(actor: Actor, creation: 'members' | 'admins'): boolean {
  if (actor.isOrgAdmin) return true;
  return !actor.isGuest && creation === 'members';
}
