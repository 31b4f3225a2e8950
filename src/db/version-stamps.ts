/**
 * Version stamps: one small document per scope (a community, a tenant's community list, a
 * person's memberships and markers, a tenant's search entries, events, people or attachments,
 * or everything a model holds),
 * whose value changes with every write in that scope. Read caches (read-cache.ts) keep a value
 * together with the stamps it was read under, and drop it when a stamp has moved.
 *
 * Why a random value and not a counter: FerretDB 1.24 does not make `$inc` on one document
 * atomic across connections (see atomic-update.ts), and a lost increment would leave two
 * different states under one stamp. A fresh ObjectId per write cannot collide: whichever write
 * lands last, its value differs from every value any reader saw before it.
 *
 * Ordering that makes this correct: a writer changes the data first and the stamp after; a
 * reader reads the stamp first and the data after. A reader that read data older than a write
 * therefore read a stamp older than that write's stamp, and its cache entry dies when the new
 * stamp is seen.
 *
 * The collection is infrastructure (no personal data: its ids are community ids, tenant ids,
 * model names and buckets of people; see personal-data-catalogue.ts).
 */
import { createHash } from 'node:crypto';
import mongoose, { Schema, Types } from 'mongoose';
import { upsertRetryingRace } from './mongo-errors.js';
import { storeCapabilities } from './store-capabilities.js';

const versionStampSchema = new Schema(
  {
    _id: { type: String, required: true, maxlength: 200 },
    v: { type: String, required: true, maxlength: 40 },
  },
  { versionKey: false, collection: 'version_stamps' },
);

export const VersionStampModel = mongoose.model('VersionStamp', versionStampSchema);

/**
 * A person's scope is one of this many buckets of people, not the person: the stamp collection
 * then holds nothing that points at anyone, and a write of one person only makes the caches of
 * the few who share the bucket read again.
 */
export const PERSON_BUCKETS = 4096;

/** Stamp scope keys. */
export const stampScope = {
  community: (communityId: unknown) => `c:${String(communityId)}`,
  discussion: (discussionId: unknown) => `d:${String(discussionId)}`,
  tenantCommunities: (tenantId: string) => `t:${tenantId}`,
  person: (userId: string) => `u:${createHash('sha256').update(userId).digest().readUInt32BE(0) % PERSON_BUCKETS}`,
  tenantSearch: (tenantId: string) => `s:${tenantId}`,
  /** A tenant's events (search reads the latest of them). */
  tenantEvents: (tenantId: string) => `e:${tenantId}`,
  /** A tenant's people records (the directory and search read them all). */
  tenantPeople: (tenantId: string) => `p:${tenantId}`,
  /** A tenant's attachment records (search finds events by their files' names). */
  tenantAttachments: (tenantId: string) => `f:${tenantId}`,
  /** A write to the model that names no narrower scope (an update by `_id` alone, say). */
  wholeModel: (modelName: string) => `*:${modelName}`,
};

export function newStampValue(): string {
  return new Types.ObjectId().toHexString();
}

/**
 * The stored values of these stamps (a scope never written has none: `''`). One equality read
 * per scope where `$in` does not reach the index (FerretDB hands its backend equalities only,
 * https://docs.ferretdb.io/pushdown): there an `$in` read every stamp in the collection, one per
 * discussion ever written, so at 20,000 discussions each renewal of a request's stamps cost
 * ~60 ms of FerretDB's CPU and the cached feeds fell from 490 to 20 requests/s.
 */
export async function readStamps(keys: readonly string[]): Promise<Map<string, string>> {
  const out = new Map<string, string>(keys.map((k) => [k, '']));
  if (keys.length === 0) return out;
  const rows = storeCapabilities().product === 'ferretdb'
    ? (await Promise.all(keys.map((key) => VersionStampModel.findOne({ _id: key }).lean<{ _id: string; v: string }>()))).filter((row): row is { _id: string; v: string } => row !== null)
    : await VersionStampModel.find({ _id: mongoose.trusted({ $in: [...keys] }) }).lean<{ _id: string; v: string }[]>();
  for (const row of rows) out.set(row._id, row.v);
  return out;
}

/**
 * Gives each scope a new value in the store, one upsert per scope; answers the values written.
 * Not one bulkWrite: on FerretDB 1.24 a bulk of upserts over documents that already exist never
 * answered after a run of concurrent writes (test/consultations/consultations-close-race.test.ts
 * hung in its second setup, with nothing waiting in PostgreSQL). A write bumps one to three
 * scopes; only bulk inserts (a seed, a list of members) bump many.
 */
export async function writeStamps(keys: readonly string[]): Promise<Map<string, string>> {
  const values = new Map(keys.map((k) => [k, newStampValue()]));
  if (values.size === 0) return values;
  for (const [key, v] of values) {
    // Two first writes of one scope at once: the loser's insert hits the unique _id; again it updates.
    await upsertRetryingRace(() => VersionStampModel.updateOne({ _id: key }, { $set: { v } }, { upsert: true }));
  }
  return values;
}
