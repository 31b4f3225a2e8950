/**
 * What other capabilities may read and change of communities and memberships, without the
 * communities models: discussions (the community's counters and pinned list, who may hear
 * of a post), people (who shares a community), moderation and meetings (who manages what),
 * notifications (names and channels) and the local demo seed. Access decisions stay in
 * community-access.ts; this is the data behind them.
 */
import type { Types } from 'mongoose';
import {
  activeMembershipsOfTenant,
  communitiesByIds,
  communitiesForAccess,
  tenantsWithCommunities,
  communitiesOfTenant,
  communityChannelOf,
  communityNamesOf,
  countMemberships,
  findCommunity,
  findCommunityNamed,
  findMembership,
  managesAnyCommunity,
  membershipsOfCommunity,
  membershipsOfPerson,
  updateCommunity,
  type CommunityRecord,
  type MembershipRecord,
} from './communities.repository.js';
import { communityContext } from './community-policy.js';

export type { CommunityRecord, MembershipRecord };
export type { CommunityVisibility } from './community.model.js';
export type { MembershipStatus } from './membership.model.js';
export { activeMembershipsOfTenant, tenantsWithCommunities, communitiesByIds, findCommunity as communityById, findCommunityNamed as communityNamed, findMembership as membershipOf, managesAnyCommunity };

/** The names of the tenant's communities with these ids (ids from outside that are not ObjectIds are skipped by the caller). */
export const communityNames: (tenantId: string, ids: Types.ObjectId[]) => Promise<Map<string, string>> = communityNamesOf;

/** The ids of the tenant's communities (the analytics' organisation-wide member count). */
export async function tenantCommunityIds(tenantId: string): Promise<string[]> {
  return (await communitiesOfTenant(tenantId, { withoutDescription: true })).map((c) => String(c._id));
}

/** The Teams channel the community is pinned to, or null. */
export async function communityChannel(tenantId: string, communityId: Types.ObjectId | string): Promise<{ teamId: string; channelId: string } | null> {
  const c = await communityChannelOf(tenantId, communityId);
  return c?.teamId && c.channelId ? { teamId: c.teamId, channelId: c.channelId } : null;
}

/**
 * The person's role in the community as it counts now: null without an active membership, and
 * a guest's only while the community admits guests. The policy's rule for people who act,
 * applied to someone another person names (an event's co-organiser).
 */
export async function countingRoleOf(community: CommunityRecord, person: { userId: string; isGuest: boolean }): Promise<'manager' | 'member' | null> {
  const membership = await findMembership(community._id, person.userId);
  return communityContext({ isGuest: person.isGuest || membership?.isGuest === true }, community, membership).communityRole ?? null;
}

/** The community's active members. */
export function activeMembersOf(communityId: Types.ObjectId | string): Promise<MembershipRecord[]> {
  return membershipsOfCommunity(communityId, 'active');
}

/** The tenant's public communities that admit guests: every guest of the tenant reads them, members or not. */
export async function communitiesReadByGuests(tenantId: string): Promise<Types.ObjectId[]> {
  return (await communitiesForAccess(tenantId, { ids: [], orPublic: true })).filter((c) => c.visibility === 'public' && c.guestsAllowed === true).map((c) => c._id);
}

/** The people the community's managers blocked. */
export function blockedMembersOf(communityId: Types.ObjectId | string): Promise<MembershipRecord[]> {
  return membershipsOfCommunity(communityId, 'blocked');
}

/** How many active members the community has; guests counted only when `withGuests` (and only while the community admits guests). */
export function countActiveMembers(community: Pick<CommunityRecord, '_id' | 'guestsAllowed'>, withGuests: boolean): Promise<number> {
  return countMemberships(community._id, 'active', { withoutGuests: !(withGuests && community.guestsAllowed === true) });
}

/** The community's active managers. */
export function managersOf(communityId: Types.ObjectId | string): Promise<MembershipRecord[]> {
  return membershipsOfCommunity(communityId, 'active', 'manager');
}

/** The ids of the communities the person manages. */
export async function communitiesManagedBy(tenantId: string, userId: string): Promise<Types.ObjectId[]> {
  return (await membershipsOfPerson(tenantId, userId, { status: 'active', role: 'manager' })).map((m) => m.communityId);
}

/** Whether two people of the tenant are active members of one community. */
export async function shareACommunity(tenantId: string, userId: string, otherId: string): Promise<boolean> {
  const mine = await countingMemberships(tenantId, userId);
  for (const m of mine) {
    const theirs = await findMembership(m.communityId, otherId);
    if (theirs?.status === 'active' && counts(theirs, m.community)) return true;
  }
  return false;
}

/**
 * Whether a membership makes someone a member now: a guest's membership of a community that
 * no longer admits guests stays in the store (it revives if guests are admitted again) but
 * counts for nothing, here as in the access policy.
 */
function counts(m: Pick<MembershipRecord, 'isGuest'>, community: Pick<CommunityRecord, 'guestsAllowed'>): boolean {
  return m.isGuest !== true || community.guestsAllowed === true;
}

/** The person's active memberships that count, with their communities. */
async function countingMemberships(tenantId: string, userId: string): Promise<Array<MembershipRecord & { community: CommunityRecord }>> {
  const mine = await membershipsOfPerson(tenantId, userId, { status: 'active' });
  const communities = await communitiesByIds(mine.map((m) => m.communityId));
  return mine.flatMap((m) => {
    const community = communities.get(String(m.communityId));
    return community && counts(m, community) ? [{ ...m, community }] : [];
  });
}

/** The people who are active members of a community the person is an active member of (the person included). */
export async function coMembersOf(tenantId: string, userId: string): Promise<Set<string>> {
  const mine = await countingMemberships(tenantId, userId);
  // One equality query per community, at once (FerretDB hands equality to PostgreSQL; an `$in` it evaluates itself).
  const lists = await Promise.all(mine.map(async (m) => (await membershipsOfCommunity(m.communityId, 'active')).filter((other) => counts(other, m.community))));
  return new Set(lists.flat().map((other) => other.userId));
}

// ---- the counters and lists the discussions capability keeps on a community ----

/**
 * Counts a new discussion: the next discussion and activity sequence numbers, one more
 * discussion, activity now. Null when the community was deleted meanwhile.
 */
export async function countNewDiscussion(communityId: Types.ObjectId, now: Date): Promise<{ discussionSeq: number; activitySeq: number } | null> {
  const after = await updateCommunity(communityId, {}, { $inc: { 'counts.discussionSeq': 1, 'counts.activitySeq': 1, 'counts.discussionCount': 1 }, $set: { lastActivityAt: now } });
  return after ? { discussionSeq: after.counts?.discussionSeq ?? 0, activitySeq: after.counts?.activitySeq ?? 0 } : null;
}

/** One discussion fewer (a deleted discussion, or a creation that failed after it was counted), unpinning `pinned`. */
export async function countRemovedDiscussion(communityId: Types.ObjectId, pinned?: Types.ObjectId): Promise<void> {
  await updateCommunity(communityId, {}, { $inc: { 'counts.discussionCount': -1 }, ...(pinned ? { $pull: { pinnedDiscussionIds: pinned } } : {}) });
}

/** The community keeps the ids of its pinned discussions, so its list needs no search for them. */
export async function setDiscussionPinned(communityId: Types.ObjectId, discussionId: Types.ObjectId, pinned: boolean): Promise<void> {
  await updateCommunity(communityId, {}, pinned ? { $addToSet: { pinnedDiscussionIds: discussionId } } : { $pull: { pinnedDiscussionIds: discussionId } });
}

/** The next activity sequence number (a reply), with activity now; 0 when the community was deleted meanwhile. */
export async function takeActivitySeq(communityId: Types.ObjectId, now: Date): Promise<number> {
  const after = await updateCommunity(communityId, {}, { $inc: { 'counts.activitySeq': 1 }, $set: { lastActivityAt: now } });
  return after?.counts?.activitySeq ?? 0;
}
