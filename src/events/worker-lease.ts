/**
 * "Only one instance does this now": a lease in the `locks` collection (the unique index on
 * `key` admits one holder), taken without waiting. Background jobs of the events worker use
 * it so that every instance may run the worker: one holds a mailbox or the reminder pass,
 * the others skip it. A lease expires, so a crashed holder blocks others only until then;
 * it is released by its own id, so a late release never removes a newer holder's lease.
 */
import { randomUUID } from 'node:crypto';
import type { Types } from 'mongoose';
import { LeaseModel } from '../db/document-lock.js';
import { isDuplicateKeyError } from '../db/mongo-errors.js';

export interface WorkerLease {
  /** Pushes the expiry out (long work); false when the lease was lost. */
  renew(ms?: number): Promise<boolean>;
  release(): Promise<void>;
}

const owner = `worker:${randomUUID()}`;

/** Takes the lease for `key` for `ms`, or answers null when someone holds it. */
export async function tryLease(key: string, ms: number, now: () => number = Date.now): Promise<WorkerLease | null> {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const lease = await LeaseModel.create({ key, owner, expiresAt: new Date(now() + ms) });
      return handle(lease._id, ms, now);
    } catch (error) {
      if (!isDuplicateKeyError(error)) throw error;
    }
    const held = await LeaseModel.findOne({ key }).lean();
    if (!held || held.expiresAt.getTime() >= now()) return null;
    // Expired: remove exactly that lease (by id) and try once more.
    await LeaseModel.deleteOne({ _id: held._id });
  }
  return null;
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

function handle(id: Types.ObjectId, defaultMs: number, now: () => number): WorkerLease {
  return {
    async renew(ms = defaultMs) {
      const result = await LeaseModel.updateOne({ _id: id }, { $set: { expiresAt: new Date(now() + ms) } });
      return result.matchedCount === 1;
    },
    async release() {
      await LeaseModel.deleteOne({ _id: id });
    },
  };
}
