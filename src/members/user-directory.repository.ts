/** Storage of people and their cached photos; the only module here that touches those models. */
import mongoose from 'mongoose';
import { atomicUpdate } from '../db/atomic-update.js';
import { upsertRetryingRace } from '../db/mongo-errors.js';
import type { UserPhoto } from '../graph/directory-gateway.js';
import { UserPhotoModel } from './user-photo.model.js';
import { UserModel, type UserRecord } from './user.model.js';

export interface NewUser {
  tenantId: string;
  userId: string;
  homeTenantId?: string;
  displayName: string;
  userPrincipalName?: string;
  mail?: string;
  isGuest: boolean;
  isOrgAdmin: boolean;
  lastSeenAt: Date;
  firstSignInAt: Date;
}

export interface UserChanges {
  displayName?: string;
  userPrincipalName?: string;
  mail?: string;
  jobTitle?: string;
  department?: string;
  officeLocation?: string;
  homeTenantId?: string;
  isGuest?: boolean;
  isOrgAdmin?: boolean;
  lastSeenAt?: Date;
  graphSyncedAt?: Date;
}

export interface CachedPhoto {
  photo: UserPhoto | null;
  fetchedAt: Date;
}

/**
 * The lock every update of a person's record takes (see src/db/atomic-update.ts): FerretDB
 * writes whole documents back, so an unserialised update (e.g. `lastSeenAt`) could undo a
 * concurrent one (a role change, a profile edit). Other capabilities updating user records
 * use the same key.
 */
export function userLockKey(tenantId: string, userId: string): string {
  return `users:${tenantId}:${userId}`;
}

export class UserDirectoryRepository {
  async find(tenantId: string, userId: string): Promise<UserRecord | null> {
    return UserModel.findOne({ tenantId, userId }).lean<UserRecord>();
  }

  /** Inserts a person seen for the first time; a duplicate key error means someone was first. */
  async insert(user: NewUser): Promise<UserRecord> {
    const created = await UserModel.create(user);
    return created.toObject() as UserRecord;
  }

  async update(tenantId: string, userId: string, changes: UserChanges): Promise<void> {
    await atomicUpdate(UserModel, { tenantId, userId }, { $set: changes }, { lockKey: userLockKey(tenantId, userId) });
  }

  /** Sets the admin flag if it differs; true when this call changed it (so one caller audits it). */
  async changeOrgAdmin(tenantId: string, userId: string, isOrgAdmin: boolean): Promise<boolean> {
    const changed = await atomicUpdate(UserModel, { tenantId, userId, isOrgAdmin: !isOrgAdmin }, { $set: { isOrgAdmin } }, { lockKey: userLockKey(tenantId, userId) });
    return changed !== null;
  }

  /** Marks the first sign-in of a person whose record existed before; true for the one call that did. */
  async markFirstSignIn(tenantId: string, userId: string, at: Date): Promise<boolean> {
    const marked = await atomicUpdate(UserModel, { tenantId, userId, firstSignInAt: null }, { $set: { firstSignInAt: at } }, { lockKey: userLockKey(tenantId, userId) });
    return marked !== null;
  }

  /** Of `userIds`, those Meent knows in the tenant (the leavers job cares only about them). */
  async knownUserIds(tenantId: string, userIds: readonly string[]): Promise<string[]> {
    const found: string[] = [];
    // A round may remove thousands at once: asked in slices, so no query carries them all.
    for (let i = 0; i < userIds.length; i += 500) {
      const docs = await UserModel.find({ tenantId, userId: mongoose.trusted({ $in: userIds.slice(i, i + 500) }) }, { userId: 1 }).lean<{ userId: string }[]>();
      found.push(...docs.map((u) => u.userId));
    }
    return found;
  }

  /** The guests Meent knows in the tenant (the readers of an organisation-wide event that admits guests). */
  async guestIdsOf(tenantId: string): Promise<string[]> {
    const docs = await UserModel.find({ tenantId, isGuest: true }, { userId: 1 }).lean<{ userId: string }[]>();
    return docs.map((u) => u.userId);
  }

  /** The tenants that have people in Meent (the background jobs visit these). */
  async tenants(): Promise<string[]> {
    return (await UserModel.distinct('tenantId')).map(String);
  }

  async findPhoto(tenantId: string, userId: string): Promise<CachedPhoto | null> {
    const doc = await UserPhotoModel.findOne({ tenantId, userId }).lean();
    if (!doc) return null;
    const bytes = doc.hasPhoto ? bytesOf(doc.data) : undefined;
    const photo = bytes ? { contentType: doc.contentType ?? 'application/octet-stream', bytes } : null;
    return { photo, fetchedAt: doc.fetchedAt };
  }

  async savePhoto(tenantId: string, userId: string, photo: UserPhoto | null, fetchedAt: Date): Promise<void> {
    const set = photo
      ? { hasPhoto: true, contentType: photo.contentType, data: Buffer.from(photo.bytes), fetchedAt }
      : { hasPhoto: false, fetchedAt };
    const write = () =>
      UserPhotoModel.updateOne(
        { tenantId, userId },
        { $set: set, ...(photo ? {} : { $unset: { data: 1, contentType: 1 } }), $setOnInsert: { tenantId, userId } },
        { upsert: true },
      );
    // Two first fetches at once: the loser's insert becomes an update.
    await upsertRetryingRace(write);
  }
}

/** Lean documents hold BSON `Binary` for Buffer paths. */
function bytesOf(value: unknown): Uint8Array | undefined {
  if (value instanceof Uint8Array) return new Uint8Array(value);
  if (value instanceof mongoose.mongo.Binary) return new Uint8Array(value.buffer);
  return undefined;
}
