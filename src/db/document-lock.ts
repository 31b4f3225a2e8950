/**
 * Serialises writes to one document where the store does not (see store-capabilities.ts).
 *
 * Two layers: inside a process, callers for the same key queue on a promise chain (cheap, no
 * polling); across processes, the head of each queue holds a lease: a document in `locks`
 * with a unique index on `key`. Inserting it succeeds for exactly one holder because the
 * backend enforces the index. A lease expires, so a crashed holder blocks others for at
 * most `leaseMs`; it is removed by its own `_id`, so a late delete can never remove a newer
 * holder's lease.
 */
import { randomUUID } from 'node:crypto';
import mongoose, { Schema, type Types } from 'mongoose';
import { UnavailableError } from '../errors/domain-errors.js';
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

export interface DocumentLockOptions {
  /** How long a lease is valid; a holder must finish well within it. */
  leaseMs?: number;
  /** How long to wait for a lease before giving up with 503. */
  waitMs?: number;
}

export class DocumentLocks {
  private readonly queues = new Map<string, Promise<unknown>>();
  private readonly owner = randomUUID();
  private readonly leaseMs: number;
  private readonly waitMs: number;

  constructor(options: DocumentLockOptions = {}) {
    this.leaseMs = options.leaseMs ?? 30_000;
    this.waitMs = options.waitMs ?? 15_000;
  }

  /** Runs `work` while holding the lock for `key`; calls for one key run one at a time. */
  async withLock<T>(key: string, work: () => Promise<T>): Promise<T> {
    const previous = this.queues.get(key) ?? Promise.resolve();
    const run = previous.catch(() => undefined).then(async () => {
      const lease = await this.acquire(key);
      try {
        return await work();
      } finally {
        await LeaseModel.deleteOne({ _id: lease }).catch(() => undefined);
      }
    });
    this.queues.set(key, run);
    try {
      return await run;
    } finally {
      // The last caller in the queue cleans up, so the map does not grow without bound.
      if (this.queues.get(key) === run) this.queues.delete(key);
    }
  }

  private async acquire(key: string): Promise<Types.ObjectId> {
    const deadline = Date.now() + this.waitMs;
    let backoff = 5;
    for (;;) {
      try {
        const lease = await LeaseModel.create({ key, owner: this.owner, expiresAt: new Date(Date.now() + this.leaseMs) });
        return lease._id;
      } catch (err) {
        if (!isDuplicateKeyError(err)) throw err;
      }
      const held = await LeaseModel.findOne({ key }).lean();
      if (held && held.expiresAt.getTime() < Date.now()) {
        await LeaseModel.deleteOne({ _id: held._id });
        continue;
      }
      if (Date.now() > deadline) throw new UnavailableError('This item is busy; please try again.', 'resource_busy');
      await new Promise((r) => setTimeout(r, backoff / 2 + Math.random() * backoff));
      backoff = Math.min(backoff * 2, 100);
    }
  }
}

/** The process' lock manager. */
export const documentLocks = new DocumentLocks();
