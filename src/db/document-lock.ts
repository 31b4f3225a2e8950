/**
 * Serialises writes to one document where the store does not (see store-capabilities.ts).
 *
 * Two layers: inside a process, callers for the same key queue on a promise chain (cheap, no
 * polling); across processes, the head of each queue holds the lease for the key (lease.ts),
 * waiting for it with backoff. A crashed holder blocks others for at most `leaseMs`.
 */
import { randomUUID } from 'node:crypto';
import type { Types } from 'mongoose';
import { UnavailableError } from '../errors/domain-errors.js';
import { releaseLease, takeLease } from './lease.js';

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
        await releaseLease(lease).catch(() => undefined);
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

  /**
   * Runs `work` while holding the locks of all `keys`, taken one after another in sorted
   * order: two holders of overlapping sets then always wait in the same order, never for each
   * other (no deadlock), in this process and across processes.
   */
  withLocks<T>(keys: readonly string[], work: () => Promise<T>): Promise<T> {
    const sorted = [...new Set(keys)].sort();
    const nested = sorted.reduceRight<() => Promise<T>>((inner, key) => () => this.withLock(key, inner), work);
    return nested();
  }

  private async acquire(key: string): Promise<Types.ObjectId> {
    const deadline = Date.now() + this.waitMs;
    let backoff = 5;
    for (;;) {
      const lease = await takeLease(key, this.owner, this.leaseMs);
      if (lease) return lease;
      if (Date.now() > deadline) throw new UnavailableError('This item is busy; please try again.', 'resource_busy');
      await new Promise((r) => setTimeout(r, backoff / 2 + Math.random() * backoff));
      backoff = Math.min(backoff * 2, 100);
    }
  }
}

/** The process' lock manager. */
export const documentLocks = new DocumentLocks();
