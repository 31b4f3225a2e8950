/**
 * The communities capability's store: communities, memberships and the tenant's community
 * settings. Only this file touches their models; it owns their lock keys, so every write
 * that may race (counters, status transitions, the settings upsert) is serialised on
 * FerretDB without the caller having to remember how.
 */
import mongoose, { type Model, type QueryFilter, type Types } from 'mongoose';
import { atomicDelete } from '../db/atomic-delete.js';
import { atomicUpdate } from '../db/atomic-update.js';
import { isDuplicateKeyError, upsertRetryingRace } from '../db/mongo-errors.js';
import { findPage, type Page } from '../db/pagination.js';
import { CommunitySettingsModel, type CommunitySettingsRecord } from './community-settings.model.js';
import { CommunityModel, type CommunityRecord } from './community.model.js';
import { MembershipModel, type MembershipRecord, type MembershipStatus } from './membership.model.js';

export type { CommunityRecord, CommunitySettingsRecord, MembershipRecord };

/** An update of a community or membership document (operators such as `$set`, `$inc`, `$pull`). */
export type CommunityUpdate = NonNullable<Parameters<typeof CommunityModel.updateOne>[1]>;
export type MembershipUpdate = NonNullable<Parameters<typeof MembershipModel.updateOne>[1]>;

type NewCommunity = Omit<CommunityRecord, '_id' | 'createdAt' | 'updatedAt' | 'pinnedDiscussionIds'>;
type NewMembership = Omit<MembershipRecord, '_id' | 'createdAt' | 'updatedAt'>;

/** The fields the access policy needs to decide, for lists over many communities. */
const ACCESS_FIELDS = { visibility: 1, guestsAllowed: 1, tenantId: 1 } as const;

// The keys atomicUpdate and atomicDelete would derive (`<collection>:<_id>`), written out so they are ours to keep.
const communityKey = (id: Types.ObjectId | string) => `communities:${String(id)}`;
const membershipKey = (id: Types.ObjectId | string) => `memberships:${String(id)}`;
const settingsKey = (tenantId: string) => `community_settings:${tenantId}`;

// ---- communities ----

export async function createCommunity(doc: NewCommunity): Promise<CommunityRecord> {
  return (await CommunityModel.create(doc)).toObject() as CommunityRecord;
}

/** Deletes the community and its memberships. */
export async function deleteCommunity(id: Types.ObjectId): Promise<void> {
  await CommunityModel.deleteOne({ _id: id });
  await MembershipModel.deleteMany({ communityId: id });
}

export async function findCommunity(id: Types.ObjectId | string): Promise<CommunityRecord | null> {
  return CommunityModel.findOne({ _id: id }).lean<CommunityRecord>();
}

export async function findCommunityInTenant(tenantId: string, id: Types.ObjectId | string): Promise<CommunityRecord | null> {
  return CommunityModel.findOne({ _id: id, tenantId }).lean<CommunityRecord>();
}

export async function findCommunityNamed(tenantId: string, name: string): Promise<CommunityRecord | null> {
  return CommunityModel.findOne({ tenantId, name }).lean<CommunityRecord>();
}

/**
 * The most communities one answer reads: lists filter by what the reader may see and page in
 * memory, and this keeps their cost fixed (an organisation has tens to hundreds).
 */
export const MAX_COMMUNITIES = 5000;

/** The tenant's newest communities (optionally of one team), at most `MAX_COMMUNITIES`; without their description when asked (the bulk of a community). */
export async function communitiesOfTenant(tenantId: string, options: { teamId?: string; withoutDescription?: boolean } = {}): Promise<CommunityRecord[]> {
  const query = CommunityModel.find({ tenantId, ...(options.teamId ? { teamId: options.teamId } : {}) }).sort({ createdAt: -1, _id: -1 }).limit(MAX_COMMUNITIES);
  if (options.withoutDescription) query.select({ description: 0 });
  return query.lean<CommunityRecord[]>();
}

/**
 * The tenant's communities with just what the access policy needs: all of them, those with
 * these ids, or the public ones plus those with these ids.
 */
export async function communitiesForAccess(tenantId: string, which: 'all' | { ids: Types.ObjectId[]; orPublic: boolean }): Promise<CommunityRecord[]> {
  const filter: QueryFilter<CommunityRecord> =
    which === 'all'
      ? { tenantId }
      : which.orPublic
        ? { tenantId, $or: [{ visibility: 'public' }, { _id: mongoose.trusted({ $in: which.ids }) }] }
        : { tenantId, _id: mongoose.trusted({ $in: which.ids }) };
  return CommunityModel.find(filter).select(ACCESS_FIELDS).lean<CommunityRecord[]>();
}

/** The communities with these ids, by id (no tenant or access check: callers hold ids they stored). */
export async function communitiesByIds(ids: Types.ObjectId[]): Promise<Map<string, CommunityRecord>> {
  if (ids.length === 0) return new Map();
  const rows = await CommunityModel.find({ _id: mongoose.trusted({ $in: ids }) }).lean<CommunityRecord[]>();
  return new Map(rows.map((c) => [String(c._id), c]));
}

/** The names of the tenant's communities with these ids. */
export async function communityNamesOf(tenantId: string, ids: Types.ObjectId[]): Promise<Map<string, string>> {
  if (ids.length === 0) return new Map();
  const found = await CommunityModel.find({ tenantId, _id: mongoose.trusted({ $in: ids }) }, { name: 1 }).lean<Pick<CommunityRecord, '_id' | 'name'>[]>();
  return new Map(found.map((c) => [String(c._id), c.name]));
}

/** The Teams team and channel the community is pinned to, if any. */
export async function communityChannelOf(tenantId: string, id: Types.ObjectId | string): Promise<Pick<CommunityRecord, 'teamId' | 'channelId'> | null> {
  return CommunityModel.findOne({ tenantId, _id: id }, { teamId: 1, channelId: 1 }).lean<Pick<CommunityRecord, 'teamId' | 'channelId'>>();
}

/** Applies the update when the community (and the guard) matches; the community after, or null. */
export async function updateCommunity(id: Types.ObjectId, guard: Record<string, unknown>, update: CommunityUpdate): Promise<CommunityRecord | null> {
  return (await atomicUpdate(CommunityModel, { ...guard, _id: id }, update, { lockKey: communityKey(id) })) as CommunityRecord | null;
}

// ---- memberships ----

/** Writes the membership; null when the person already has one in this community (one per person, by a unique index). */
export async function createMembership(doc: NewMembership): Promise<MembershipRecord | null> {
  try {
    return (await MembershipModel.create(doc)).toObject() as MembershipRecord;
  } catch (err) {
    if (isDuplicateKeyError(err)) return null;
    throw err;
  }
}

/** The person's membership of the community in any status, or null. */
export async function findMembership(communityId: Types.ObjectId | string, userId: string): Promise<MembershipRecord | null> {
  return MembershipModel.findOne({ communityId, userId }).lean<MembershipRecord>();
}

/** The person's memberships across the tenant (any status, or these). */
export async function membershipsOfPerson(tenantId: string, userId: string, filter: { status?: MembershipStatus; role?: MembershipRecord['role'] } = {}): Promise<MembershipRecord[]> {
  return MembershipModel.find({ tenantId, userId, ...filter }).lean<MembershipRecord[]>();
}

/** Whether the person manages any community of the tenant. */
export async function managesAnyCommunity(tenantId: string, userId: string): Promise<boolean> {
  return (await MembershipModel.exists({ tenantId, userId, status: 'active', role: 'manager' })) !== null;
}

/** The community's memberships in this status (and role). */
export async function membershipsOfCommunity(communityId: Types.ObjectId | string, status: MembershipStatus, role?: MembershipRecord['role']): Promise<MembershipRecord[]> {
  return MembershipModel.find({ communityId, status, ...(role ? { role } : {}) }).lean<MembershipRecord[]>();
}



/** One page of the community's memberships in this status. */
/** The tenants that have communities (the analytics' daily member snapshot goes through them). */
export async function tenantsWithCommunities(): Promise<string[]> {
  return (await CommunityModel.distinct('tenantId')).map(String);
}

/** The tenant's active memberships, with only what a member count needs (the analytics' daily snapshot). */
export async function activeMembershipsOfTenant(tenantId: string): Promise<Pick<MembershipRecord, 'communityId' | 'userId' | 'joinedAt' | 'isGuest'>[]> {
  return MembershipModel.find({ tenantId, status: 'active' }, { _id: 0, communityId: 1, userId: 1, joinedAt: 1, isGuest: 1 }).lean<Pick<MembershipRecord, 'communityId' | 'userId' | 'joinedAt' | 'isGuest'>[]>();
}

/** How many memberships of the community are in this status (guests' left out when `withoutGuests`). */
export async function countMemberships(communityId: Types.ObjectId | string, status: MembershipStatus, options: { withoutGuests?: boolean } = {}): Promise<number> {
  return MembershipModel.countDocuments({ communityId, status, ...(options.withoutGuests ? { isGuest: false } : {}) }).exec();
}

export async function membershipPage(communityId: Types.ObjectId, status: MembershipStatus, page: { cursor?: string; limit?: number }, onlyUserIds?: readonly string[]): Promise<Page<MembershipRecord>> {
  const filter = onlyUserIds ? { communityId, status, userId: mongoose.trusted({ $in: [...onlyUserIds] }) } : { communityId, status };
  return findPage(MembershipModel as unknown as Model<MembershipRecord>, { filter, ...page });
}

/** Applies the update when the membership (and the guard) matches; the membership after, or null. */
export async function updateMembership(id: Types.ObjectId, guard: Record<string, unknown>, update: MembershipUpdate): Promise<MembershipRecord | null> {
  return (await atomicUpdate(MembershipModel, { ...guard, _id: id }, update, { lockKey: membershipKey(id) })) as MembershipRecord | null;
}

/** Deletes the membership when it still matches the guard; false when it changed meanwhile. */
export async function deleteMembership(id: Types.ObjectId, guard: Record<string, unknown>): Promise<boolean> {
  // atomicDelete locks `memberships:<id>`, the same key as updateMembership, so a delete and an update queue together.
  return (await atomicDelete(MembershipModel, { ...guard, _id: id })) !== null;
}

// ---- settings ----

export async function findCommunitySettings(tenantId: string): Promise<CommunitySettingsRecord | null> {
  return CommunitySettingsModel.findOne({ tenantId }).lean<CommunitySettingsRecord>();
}

/** Sets these settings, creating the tenant's document on first write. */
export async function saveCommunitySettings(tenantId: string, set: Partial<CommunitySettingsRecord>): Promise<void> {
  const model = CommunitySettingsModel as unknown as Model<CommunitySettingsRecord>;
  const lockKey = settingsKey(tenantId);
  await upsertRetryingRace(() => atomicUpdate<CommunitySettingsRecord>(model, { tenantId }, { $set: set, $setOnInsert: { tenantId } }, { upsert: true, lockKey }));
}

