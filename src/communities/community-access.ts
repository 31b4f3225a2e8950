/**
 * The single place that decides whether an actor may see a community, and what their
 * relation to it is. Every capability that hangs things off a community (discussions,
 * events, polls) starts here: `resolveCommunityAccess` answers the community, the actor's
 * membership and what follows from the policy, or throws `NotFoundError` when the actor may
 * not know the community exists (a secret community for outsiders, another tenant's
 * community, an unknown or malformed id), so nothing can tell those cases apart.
 */
import { isValidObjectId, Types } from 'mongoose';
import type { Actor } from '../auth/actor.js';
import { NotFoundError } from '../errors/domain-errors.js';
import { communitiesForAccess, findCommunityInTenant, findMembership, membershipsOfPerson, type CommunityRecord, type MembershipRecord } from './communities.repository.js';
import { cachedCommunitiesOfTenant, cachedCommunityInTenant, cachedMembership, cachedMembershipsOfPerson } from './community-read-cache.js';
import { canReadContent, canSeeCommunity, communityContext, communityPolicy, type CommunityAction, type CommunityContext } from './community-policy.js';

export interface CommunityAccess {
  community: CommunityRecord;
  /** The actor's membership document in any status (active, requested, invited, blocked), or null. */
  membership: MembershipRecord | null;
  /** Always true when returned (otherwise NotFoundError is thrown); kept for callers that check. */
  canSee: boolean;
  /** May read discussions, events and the member list. */
  canRead: boolean;
  /** An active member (in any role) whose membership counts (guests: while the community admits guests). */
  isMember: boolean;
  isManager: boolean;
  /** The policy context, for `communityPolicy.authorize(actor, action, access.context)`. */
  context: CommunityContext;
  /** Throws ForbiddenError, or NotFoundError where the community must stay invisible. */
  authorize(action: CommunityAction, ownerId?: string): void;
  can(action: CommunityAction, ownerId?: string): boolean;
}

export const COMMUNITY_NOT_FOUND = 'community_not_found';

export function communityNotFound(): NotFoundError {
  return new NotFoundError('There is no such community.', COMMUNITY_NOT_FOUND);
}

/** Parses an id from outside; anything that is not an ObjectId is "not found". */
export function toObjectId(id: string | Types.ObjectId, notFound: () => NotFoundError = communityNotFound): Types.ObjectId {
  if (id instanceof Types.ObjectId) return id;
  if (typeof id !== 'string' || !/^[0-9a-f]{24}$/i.test(id) || !isValidObjectId(id)) throw notFound();
  return new Types.ObjectId(id);
}

/** Builds the access answer from records already loaded (lists use this to avoid a query per item). */
export function accessFor(actor: Actor, community: CommunityRecord, membership: MembershipRecord | null): CommunityAccess {
  const context = communityContext(actor, community, membership);
  const canSee = community.tenantId === actor.tenantId && canSeeCommunity(actor, context);
  const withOwner = (ownerId?: string): CommunityContext => (ownerId !== undefined ? { ...context, ownerId } : context);
  return {
    community,
    membership,
    canSee,
    canRead: canSee && canReadContent(actor, context),
    isMember: context.communityRole === 'member' || context.communityRole === 'manager',
    isManager: context.communityRole === 'manager',
    context,
    authorize(action, ownerId) {
      if (!canSee) throw communityNotFound();
      communityPolicy.authorize(actor, action, withOwner(ownerId));
    },
    can(action, ownerId) {
      return canSee && communityPolicy.can(actor, action, withOwner(ownerId));
    },
  };
}

/**
 * The community and the actor's relation to it; `NotFoundError` (code `community_not_found`)
 * when it does not exist in the actor's tenant or the actor may not see it.
 */
export async function resolveCommunityAccess(actor: Actor, communityId: string | Types.ObjectId, options: { forRead?: boolean } = {}): Promise<CommunityAccess> {
  const id = toObjectId(communityId);
  // Pages that only show (`forRead`) take the records from the read cache; writes read the store.
  const [community, membership] = await Promise.all(
    options.forRead
      ? [cachedCommunityInTenant(actor.tenantId, id), cachedMembership(actor.tenantId, id, actor.userId)]
      : [findCommunityInTenant(actor.tenantId, id), findMembership(id, actor.userId)],
  );
  if (!community) throw communityNotFound();
  const access = accessFor(actor, community, membership);
  if (!access.canSee) throw communityNotFound();
  return access;
}

/** The actor's memberships in the tenant (any status), keyed by community id. */
export async function membershipsOf(actor: Actor): Promise<Map<string, MembershipRecord>> {
  const rows = await membershipsOfPerson(actor.tenantId, actor.userId);
  return new Map(rows.map((m) => [String(m.communityId), m]));
}

/**
 * The ids of the communities whose content (discussions, events, members) the actor may
 * read: for feeds, search and "upcoming events I may see". `memberOnly` narrows to the
 * communities where the actor is an active member.
 */
export async function readableCommunityIds(actor: Actor, options: { memberOnly?: boolean } = {}): Promise<Types.ObjectId[]> {
  const memberships = await membershipsOf(actor);
  const memberIds = [...memberships.values()].filter((m) => m.status === 'active').map((m) => m.communityId);
  let candidates: CommunityRecord[];
  if (options.memberOnly) {
    if (memberIds.length === 0) return [];
    candidates = await communitiesForAccess(actor.tenantId, { ids: memberIds, orPublic: false });
  } else if (actor.isOrgAdmin) {
    candidates = await communitiesForAccess(actor.tenantId, 'all');
  } else {
    // Public ones (the policy narrows further for guests and blocked people), plus any the actor belongs to.
    candidates = await communitiesForAccess(actor.tenantId, { ids: memberIds, orPublic: true });
  }
  return candidates.filter((c) => accessFor(actor, c, memberships.get(String(c._id)) ?? null).canRead).map((c) => c._id);
}

export interface CommunityVisibilityMap {
  /** Communities the actor may know exist. */
  visible: Set<string>;
  /** Communities whose content the actor may read. */
  readable: Set<string>;
  /** Communities the actor is an active member of. */
  member: Set<string>;
  names: Map<string, string>;
  /** The visible communities' records. */
  records: Map<string, CommunityRecord>;
}

/** For lists and search across communities: what the actor may see, read and belongs to, by community id. */
export async function communityVisibility(actor: Actor): Promise<CommunityVisibilityMap> {
  const [communities, memberships] = await Promise.all([
    // All but the description (Markdown and HTML, the bulk of a community): the feed needs the counters.
    cachedCommunitiesOfTenant(actor.tenantId),
    cachedMembershipsOfPerson(actor.tenantId, actor.userId).then((rows) => new Map(rows.map((m) => [String(m.communityId), m]))),
  ]);
  const result: CommunityVisibilityMap = { visible: new Set(), readable: new Set(), member: new Set(), names: new Map(), records: new Map() };
  for (const c of communities) {
    const id = String(c._id);
    const access = accessFor(actor, c, memberships.get(id) ?? null);
    if (!access.canSee) continue;
    result.visible.add(id);
    result.names.set(id, c.name);
    result.records.set(id, c);
    if (access.canRead) result.readable.add(id);
    if (access.isMember) result.member.add(id);
  }
  return result;
}
