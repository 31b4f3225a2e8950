/**
 * The sign-up engine: every change to an event's registrations and seats (sign up, cancel,
 * approve, decline, add, remove, and event edits that move seats) is an operation on the
 * event's seat book, applied under the event's lock.
 *
 * Group commit: operations for one event that arrive while a batch is being written wait
 * for the next batch, and a batch takes them all (up to `maxBatch`), applies them one after
 * another in arrival order to an in-memory view of the event, then writes the outcome with
 * a handful of bulk writes. The result is the same as applying them one by one under the
 * lock (which is what the tests check), at a fraction of the round trips: a burst of 1,000
 * sign-ups costs a few lock hand-overs, not 1,000. Across processes the lock is a lease in
 * the database (src/db/document-lock.ts), so instances serialise on it too.
 *
 * The lock gives fairness and exact counts; the unique indexes in registration.model.ts
 * make overbooking and duplicates impossible even if a lease were ever lost. Writes are
 * ordered so that those invariants hold after every single write. A batch marks the event
 * before its first write and clears the mark with its last; the next batch that finds the
 * mark recounts from the registrations and releases orphaned seat claims, so a batch
 * interrupted half-way leaves nothing the next one cannot repair.
 */
import type { Types } from 'mongoose';
import type { Logger } from 'pino';
import { documentLocks as defaultLocks, type DocumentLocks } from '../db/document-lock.js';
import { DomainError } from '../errors/domain-errors.js';
import type { EventRecord } from './event.model.js';
import { eventLockKey } from './event.repository.js';
import { SeatBook } from './seat-book.js';
import type { BatchCommitted, BatchResult, EditOutcome, EventEditPlan, Outcome, RegistrationOutcome, SeatOperation } from './seat-operations.js';
import { clockOf, type Clock } from '../time/clock.js';

export type { BatchCommitted, EditOutcome, EventEditPlan, Person, RegistrationOutcome, SeatOperation } from './seat-operations.js';

export interface SeatAllocatorDeps {
  locks?: DocumentLocks;
  /** Called after each committed batch, outside the lock. Failures are logged, never undo the batch. */
  onCommitted?: (committed: BatchCommitted) => Promise<void>;
  now?: () => Date;
  logger?: Pick<Logger, 'error' | 'warn'>;
  /** Most operations one batch applies (default 250). */
  maxBatch?: number;
}

interface Pending {
  op: SeatOperation;
  resolve: (value: Outcome) => void;
  reject: (error: unknown) => void;
}

interface Queue {
  tenantId: string;
  items: Pending[];
  running: Promise<void> | undefined;
}

export class SeatAllocator {
  private readonly queues = new Map<string, Queue>();
  private readonly locks: DocumentLocks;
  private readonly now: Clock;
  private readonly maxBatch: number;

  constructor(private readonly deps: SeatAllocatorDeps = {}) {
    this.locks = deps.locks ?? defaultLocks;
    this.now = clockOf(deps);
    this.maxBatch = deps.maxBatch ?? 250;
  }

  /** Applies a registration operation; resolves with the person's registration. */
  apply(tenantId: string, eventId: Types.ObjectId, op: Exclude<SeatOperation, { kind: 'edit' }>): Promise<RegistrationOutcome> {
    return this.submit(tenantId, eventId, op) as Promise<RegistrationOutcome>;
  }

  /** Applies an event edit and moves seats as the new capacity requires. */
  edit(tenantId: string, eventId: Types.ObjectId, prepare: (event: EventRecord, now: Date) => EventEditPlan): Promise<EditOutcome> {
    return this.submit(tenantId, eventId, { kind: 'edit', prepare }) as Promise<EditOutcome>;
  }

  /** Resolves when every queued operation has been applied. */
  async idle(): Promise<void> {
    for (;;) {
      const running = [...this.queues.values()].map((q) => q.running).filter((r): r is Promise<void> => r !== undefined);
      if (running.length === 0) return;
      await Promise.all(running);
    }
  }

  private submit(tenantId: string, eventId: Types.ObjectId, op: SeatOperation): Promise<Outcome> {
    const key = String(eventId);
    let queue = this.queues.get(key);
    if (!queue) {
      queue = { tenantId, items: [], running: undefined };
      this.queues.set(key, queue);
    }
    const promise = new Promise<Outcome>((resolve, reject) => queue.items.push({ op, resolve, reject }));
    if (!queue.running) queue.running = this.drain(key, eventId, queue);
    return promise;
  }

  private async drain(key: string, eventId: Types.ObjectId, queue: Queue): Promise<void> {
    try {
      while (queue.items.length > 0) {
        const batch = queue.items.splice(0, this.maxBatch);
        await this.runBatch(queue.tenantId, eventId, batch);
      }
    } finally {
      queue.running = undefined;
      if (queue.items.length === 0) this.queues.delete(key);
      else queue.running = this.drain(key, eventId, queue);
    }
  }

  private async runBatch(tenantId: string, eventId: Types.ObjectId, batch: Pending[]): Promise<void> {
    let committed: BatchCommitted | undefined;
    const results: BatchResult[] = [];
    try {
      committed = await this.locks.withLock(eventLockKey(eventId), async () => {
        const book = await SeatBook.load(tenantId, eventId, batch.map((p) => p.op), this.now());
        for (const pending of batch) {
          try {
            results.push({ ok: true, value: await book.apply(pending.op) });
          } catch (error) {
            if (!(error instanceof DomainError)) throw error;
            results.push({ ok: false, error });
          }
        }
        return book.commit(results);
      });
    } catch (error) {
      for (const pending of batch) pending.reject(error);
      return;
    }
    batch.forEach((pending, i) => {
      const result = results[i];
      if (result?.ok) pending.resolve(result.value);
      else pending.reject(result?.error ?? new Error('operation was not applied'));
    });
    if (committed && this.deps.onCommitted) {
      await this.deps.onCommitted(committed).catch((error: unknown) => this.deps.logger?.error({ err: error, eventId: String(eventId) }, 'after-commit work failed'));
    }
  }
}
