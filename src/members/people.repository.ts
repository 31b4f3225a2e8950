/**
 * Reading people for the directory, member lists and mentions, and writing the profile
 * fields members edit. Lookups of a few people go one by one (equality filters, which
 * FerretDB hands to its backend) rather than `$in` (which FerretDB evaluates itself after
 * reading the whole tenant).
 */
import mongoose from 'mongoose';
import { atomicUpdate } from '../db/atomic-update.js';
import { userLockKey } from './user-directory.repository.js';
import { UserModel, type UserRecord } from './user.model.js';

export type { UserRecord };

/** The most people the directory reads for one answer (see `allInTenant`). */
export const MAX_DIRECTORY = 10_000;

/** Above this many ids one `$in` query is cheaper than one query per person. */
const ONE_BY_ONE_LIMIT = 30;

export interface ProfileChanges {
  organisation?: string | null;
  function?: string | null;
  expertise?: string[];
  interests?: string[];
  askMeAbout?: string | null;
  languages?: string[];
}

export class PeopleRepository {
  async find(tenantId: string, userId: string): Promise<UserRecord | null> {
    return UserModel.findOne({ tenantId, userId }).lean<UserRecord>();
  }

  /** The people with these ids (unknown ids are left out), keyed by id. */
  async findMany(tenantId: string, userIds: readonly string[]): Promise<Map<string, UserRecord>> {
    const ids = [...new Set(userIds)];
    let rows: UserRecord[];
    if (ids.length === 0) rows = [];
    else if (ids.length <= ONE_BY_ONE_LIMIT) rows = (await Promise.all(ids.map((userId) => this.find(tenantId, userId)))).filter((u): u is UserRecord => u !== null);
    else rows = await UserModel.find({ tenantId, userId: mongoose.trusted({ $in: ids }) }).lean<UserRecord[]>();
    return new Map(rows.map((u) => [u.userId, u]));
  }

  /** Everyone in the tenant (the directory filters what the actor may see). */
  /**
   * The tenant's people for the directory, by name, at most `MAX_DIRECTORY` of them: the
   * directory filters by what the reader may see and pages in memory, and the bound keeps
   * that cost fixed (a municipality with its partners and panel is a few thousand people).
   */
  async allInTenant(tenantId: string, limit = MAX_DIRECTORY): Promise<UserRecord[]> {
    return UserModel.find({ tenantId }).sort({ displayName: 1, userId: 1 }).limit(limit).lean<UserRecord[]>();
  }

  /** By e-mail address as Meent stored it (as given, or in lower case). */
  async findByEmail(tenantId: string, email: string): Promise<UserRecord | null> {
    const address = email.trim();
    return (
      (await UserModel.findOne({ tenantId, mail: address }).lean<UserRecord>()) ??
      (await UserModel.findOne({ tenantId, mail: address.toLowerCase() }).lean<UserRecord>())
    );
  }

  async updateProfile(tenantId: string, userId: string, changes: ProfileChanges): Promise<UserRecord | null> {
    const set: Record<string, unknown> = {};
    const unset: Record<string, 1> = {};
    for (const [key, value] of Object.entries(changes)) {
      if (value === undefined) continue;
      if (value === null) unset[`profile.${key}`] = 1;
      else set[`profile.${key}`] = value;
    }
    if (Object.keys(set).length === 0 && Object.keys(unset).length === 0) return this.find(tenantId, userId);
    return (await atomicUpdate(
      UserModel,
      { tenantId, userId },
      { ...(Object.keys(set).length > 0 ? { $set: set } : {}), ...(Object.keys(unset).length > 0 ? { $unset: unset } : {}) },
      { lockKey: userLockKey(tenantId, userId) },
    )) as UserRecord | null;
  }
}

/** A person from the directory that Meent has not seen yet (an invitation by e-mail). */
export interface DirectoryPerson {
  userId: string;
  displayName: string;
  mail?: string;
  userPrincipalName?: string;
  jobTitle?: string;
  department?: string;
  isGuest: boolean;
}

/** Makes sure Meent knows the person (a record without a sign-in); returns the record. */
export async function ensurePersonKnown(tenantId: string, person: DirectoryPerson): Promise<UserRecord> {
  const existing = await UserModel.findOne({ tenantId, userId: person.userId }).lean<UserRecord>();
  if (existing) return existing;
  try {
    const created = await UserModel.create({
      tenantId,
      userId: person.userId,
      displayName: person.displayName.slice(0, 256),
      ...(person.mail ? { mail: person.mail.slice(0, 320) } : {}),
      ...(person.userPrincipalName ? { userPrincipalName: person.userPrincipalName.slice(0, 256) } : {}),
      ...(person.jobTitle ? { jobTitle: person.jobTitle.slice(0, 256) } : {}),
      ...(person.department ? { department: person.department.slice(0, 256) } : {}),
      isGuest: person.isGuest,
      isOrgAdmin: false,
    });
    return created.toObject() as UserRecord;
  } catch (err) {
    // Signed in (or invited elsewhere) at the same moment: the other write made the record.
    const again = await UserModel.findOne({ tenantId, userId: person.userId }).lean<UserRecord>();
    if (again) return again;
    throw err;
  }
}

/**
 * Writes a person with all these fields unless they are known already (the local demo seed:
 * people it made earlier keep whatever they changed since). Answers whether they were new.
 */
export async function addPersonIfAbsent(person: Pick<UserRecord, 'tenantId' | 'userId' | 'displayName'> & Partial<UserRecord>): Promise<boolean> {
  const written = await UserModel.updateOne({ tenantId: person.tenantId, userId: person.userId }, { $setOnInsert: person }, { upsert: true });
  return written.upsertedCount > 0;
}
