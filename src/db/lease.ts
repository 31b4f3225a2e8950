/**
 * The one lease: "only one holder does this now", across processes. A lease is a document in
 * `locks` with a unique index on `key`, so inserting it succeeds for exactly one holder (the
 * backend enforces the index; no transaction needed, which FerretDB 1.24 lacks). A lease
 * expires, so a crashed holder blocks others only until then; an expired lease is removed,
 * and a lease is renewed and released, by its own `_id`, so a late holder can never remove or
 * extend a newer holder's lease.
 *
 * Used by the per-document locks (document-lock.ts, which wait for a lease), by background
 * jobs (`tryLease`/`withLease`, which skip when it is held) and by instance registrations
 * (`registerHolder`/`countHolders`: the notification workers sharing the rate budgets).
 */
import { randomUUID } from 'node:crypto';
import mongoose, { Schema, type Types } from 'mongoose';
import { isDuplicateKeyError, isStoreUnreachableError } from './mongo-errors.js';

const leaseSchema = new Schema(
  {
    key: { type: String, required: true },
    owner: { type: String, required: true },
    expiresAt: { type: Date, required: true },
  },
  { versionKey: false, collection: 'locks' },
);
leaseSchema.index({ key: 1 }, { unique: true });

export const LeaseModel = mongoose.model('Lease', leaseSchema);

/**
 * One attempt at the lease for `key`: answers its id, or null when a live lease is held by
 * someone. An expired lease is removed (exactly that one, by id) and the insert tried once more.
 */
export async function takeLease(key: string, owner: string, ms: number, now: () => number = Date.now): Promise<Types.ObjectId | null> {
  for (let attempt = 0; attempt < 2; attempt++) {
    // The id is made here, before the insert: if the connection dies under it, the insert may
    // still have been applied, and the lease is then removed by that id once the store is back.
    const lease = new LeaseModel({ key, owner, expiresAt: new Date(now() + ms) });
    try {
      await lease.save();
      return lease._id;
    } catch (error) {
      if (isStoreUnreachableError(error)) releaseWhenReachable(lease._id);
      if (!isDuplicateKeyError(error)) throw error;
    }
    const held = await LeaseModel.findOne({ key }).lean();
    if (!held || held.expiresAt.getTime() >= now()) return null;
    await LeaseModel.deleteOne({ _id: held._id });
  }
  return null;
}

/**
 * The leases of all `keys` in one insert, or null (having taken none) when any of them is
 * held: the caller then takes them one at a time in order. Taking all or none, never holding
 * some while waiting for others, is what keeps callers with overlapping keys from deadlock.
 */
export async function takeLeases(keys: readonly string[], owner: string, ms: number, now: () => number = Date.now): Promise<Types.ObjectId[] | null> {
  const leases = keys.map((key) => ({ _id: new mongoose.Types.ObjectId(), key, owner, expiresAt: new Date(now() + ms) }));
  const ids = leases.map((l) => l._id);
  try {
    await LeaseModel.insertMany(leases, { ordered: false });
    return ids;
  } catch (error) {
    // Some went in, some were held: give back what we took (by our own ids).
    await LeaseModel.deleteMany({ _id: mongoose.trusted({ $in: ids }) }).catch((cleanup: unknown) => {
      if (!isStoreUnreachableError(cleanup)) throw cleanup;
      for (const id of ids) releaseWhenReachable(id);
    });
    if (isDuplicateKeyError(error) || isStoreUnreachableError(error)) return null;
    throw error;
  }
}

/** Gives these leases up together (by their ids: never someone else's). */
export async function releaseLeases(ids: readonly Types.ObjectId[]): Promise<void> {
  try {
    await LeaseModel.deleteMany({ _id: mongoose.trusted({ $in: [...ids] }) });
  } catch (error) {
    if (isStoreUnreachableError(error)) for (const id of ids) releaseWhenReachable(id);
    throw error;
  }
}

/**
 * Gives the lease up (by its id: never someone else's). When the store cannot be reached, the
 * release is retried in the background until it answers again (and the error is thrown still):
 * otherwise a lease whose holder is alive and done would block every holder, this process's
 * own next writes to the same document included, until it expires (seen with FerretDB killed
 * under load: replies to a discussion waited 15 s for its 30 s counter lock, then failed).
 */
export async function releaseLease(id: Types.ObjectId): Promise<void> {
  try {
    await LeaseModel.deleteOne({ _id: id });
  } catch (error) {
    if (isStoreUnreachableError(error)) releaseWhenReachable(id);
    throw error;
  }
}

/** Leases to remove once the store answers again, with when they were given up. */
const unreleased = new Map<string, { id: Types.ObjectId; since: number }>();
let sweeper: NodeJS.Timeout | undefined;
/** Between retries of the releases that failed. */
const RELEASE_RETRY_MS = 250;
/** Longer than any lease is taken for (30 min): past this, the lease has expired anyway. */
const RELEASE_GIVE_UP_MS = 60 * 60_000;

function releaseWhenReachable(id: Types.ObjectId): void {
  unreleased.set(String(id), { id, since: Date.now() });
  sweeper ??= setTimeout(() => void sweepUnreleased(), RELEASE_RETRY_MS).unref();
}

async function sweepUnreleased(): Promise<void> {
  for (const [key, { id, since }] of unreleased) {
    try {
      await LeaseModel.deleteOne({ _id: id });
      unreleased.delete(key);
    } catch {
      if (Date.now() - since > RELEASE_GIVE_UP_MS) unreleased.delete(key);
      // Still unreachable: the rest would fail the same way; try again shortly.
      break;
    }
  }
  sweeper = unreleased.size > 0 ? setTimeout(() => void sweepUnreleased(), RELEASE_RETRY_MS).unref() : undefined;
}

/** Releases still waiting for the store (tests). */
export function pendingReleases(): number {
  return unreleased.size;
}

export interface WorkerLease {
  /** Pushes the expiry out (long work); false when the lease was lost. */
  renew(ms?: number): Promise<boolean>;
  release(): Promise<void>;
}

const workerOwner = `worker:${randomUUID()}`;

/** Takes the lease for `key` for `ms` without waiting, or answers null when someone holds it. */
export async function tryLease(key: string, ms: number, now: () => number = Date.now): Promise<WorkerLease | null> {
  const id = await takeLease(key, workerOwner, ms, now);
  if (!id) return null;
  return {
    async renew(renewMs = ms) {
      const result = await LeaseModel.updateOne({ _id: id }, { $set: { expiresAt: new Date(now() + renewMs) } });
      return result.matchedCount === 1;
    },
    release: () => releaseLease(id),
  };
}

/** Runs `work` under the lease for `key`; answers undefined without running it when the lease is held. */
export async function withLease<T>(key: string, ms: number, work: (lease: WorkerLease) => Promise<T>): Promise<T | undefined> {
  const lease = await tryLease(key, ms);
  if (!lease) return undefined;
  try {
    return await work(lease);
  } finally {
    await lease.release();
  }
}

/**
 * Registers (or keeps registered) a holder under its own `key` until `expiresAt`: an instance
 * saying "I am here" rather than a contested lease, so a lost race only means it exists already.
 */
export async function registerHolder(key: string, owner: string, expiresAt: Date): Promise<void> {
  const updated = await LeaseModel.updateOne({ key, owner }, { $set: { expiresAt } });
  if (updated.matchedCount > 0) return;
  await LeaseModel.create({ key, owner, expiresAt }).catch((err: unknown) => {
    if (!isDuplicateKeyError(err)) throw err;
  });
}

/** Holders registered under keys starting with `prefix` whose registration has not run out. */
export async function countHolders(prefix: string, now: Date): Promise<number> {
  return LeaseModel.countDocuments({ key: mongoose.trusted({ $regex: `^${escapeRegex(prefix)}` }), expiresAt: mongoose.trusted({ $gt: now }) });
}

/** Ends a registration. */
export async function unregisterHolder(key: string, owner: string): Promise<void> {
  await LeaseModel.deleteOne({ key, owner });
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
