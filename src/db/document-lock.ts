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
import { releaseLease, releaseLeases, takeLease, takeLeases } from './lease.js';

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
  async withLocks<T>(keys: readonly string[], work: () => Promise<T>): Promise<T> {
    const sorted = [...new Set(keys)].sort();
    if (sorted.length <= 1) return sorted[0] === undefined ? work() : this.withLock(sorted[0], work);
    // In this process: queue behind every earlier caller of any of the keys, registered for all
    // of them at once (so a caller only ever waits for callers that came before it).
    const previous = sorted.map((key) => this.queues.get(key) ?? Promise.resolve());
    let done!: () => void;
    const mine = new Promise<void>((resolve) => (done = resolve));
    for (const key of sorted) this.queues.set(key, mine);
    try {
      await Promise.all(previous.map((p) => p.catch(() => undefined)));
      // Across processes: all leases in one insert when none is held (two writes a round, not
      // two per key); otherwise one at a time in sorted order, waiting as `withLock` does.
      const together = await takeLeases(sorted, this.owner, this.leaseMs);
      if (together) {
        try {
          return await work();
        } finally {
          await releaseLeases(together).catch(() => undefined);
        }
      }
      return await this.inOrder(sorted, work);
    } finally {
      done();
      for (const key of sorted) if (this.queues.get(key) === mine) this.queues.delete(key);
    }
  }

  /** Holds the leases of `keys` (sorted), taken one after another, while `work` runs. */
  private async inOrder<T>(keys: readonly string[], work: () => Promise<T>): Promise<T> {
    const [first, ...rest] = keys;
    if (first === undefined) return work();
    const lease = await this.acquire(first);
    try {
      return await this.inOrder(rest, work);
    } finally {
      await releaseLease(lease).catch(() => undefined);
    }
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
