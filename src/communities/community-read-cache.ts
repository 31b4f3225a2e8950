/**
 * The communities capability's records as the read path reads them, through the read cache
 * (src/db/read-cache.ts): a community, a person's membership of it, the tenant's communities
 * and a person's memberships. Records only: the policy runs over them on every request.
 * Write paths read the store directly (communities.repository.ts), so a decision to write is
 * never taken on a copy.
 */
import type { Types } from 'mongoose';
import { readCache } from '../db/read-cache.js';
import { stampScope } from '../db/version-stamps.js';
import { communitiesOfTenant, findCommunityInTenant, findMembership, membershipsOfPerson, type CommunityRecord, type MembershipRecord } from './communities.repository.js';

const COMMUNITY = stampScope.wholeModel('Community');
const MEMBERSHIP = stampScope.wholeModel('Membership');

export function cachedCommunityInTenant(tenantId: string, id: Types.ObjectId): Promise<CommunityRecord | null> {
  return readCache().get(`community:${tenantId}:${String(id)}`, [stampScope.community(id), COMMUNITY], () => findCommunityInTenant(tenantId, id));
}

export function cachedMembership(tenantId: string, communityId: Types.ObjectId, userId: string): Promise<MembershipRecord | null> {
  return readCache().get(`membership:${tenantId}:${String(communityId)}:${userId}`, [stampScope.community(communityId), MEMBERSHIP], () => findMembership(communityId, userId));
}

/** The tenant's communities without their descriptions (lists, feeds and search need the rest). */
export function cachedCommunitiesOfTenant(tenantId: string): Promise<CommunityRecord[]> {
  return readCache().get(`communities:${tenantId}`, [stampScope.tenantCommunities(tenantId), COMMUNITY], () => communitiesOfTenant(tenantId, { withoutDescription: true }));
}

export function cachedMembershipsOfPerson(tenantId: string, userId: string): Promise<MembershipRecord[]> {
  return readCache().get(`memberships:${tenantId}:${userId}`, [stampScope.person(userId), MEMBERSHIP], () => membershipsOfPerson(tenantId, userId));
}
