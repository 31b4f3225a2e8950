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
import { isDuplicateKeyError } from './mongo-errors.js';

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
    try {
      const lease = await LeaseModel.create({ key, owner, expiresAt: new Date(now() + ms) });
      return lease._id;
    } catch (error) {
      if (!isDuplicateKeyError(error)) throw error;
    }
    const held = await LeaseModel.findOne({ key }).lean();
    if (!held || held.expiresAt.getTime() >= now()) return null;
    await LeaseModel.deleteOne({ _id: held._id });
  }
  return null;
}

/** Gives the lease up (by its id: never someone else's). */
export async function releaseLease(id: Types.ObjectId): Promise<void> {
  await LeaseModel.deleteOne({ _id: id });
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
