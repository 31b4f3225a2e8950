/**
 * The sign-up engine: every change to an event's registrations and seats (sign up, cancel,
 * approve, decline, add, remove, and event edits that move seats) is an operation on the
 * event's seat book, applied under the event's lock.
 *
 * Group commit: operations that arrive while a round is being written wait for the next
 * round. A round takes every event with waiting operations (up to `maxEvents`), and of each
 * a batch of them all (up to `maxBatch`); it holds the locks of all its events, applies each
 * batch one operation after another in arrival order to an in-memory view of its event, then
 * writes the outcome of every batch together with a handful of bulk writes (seat-store.ts).
 * The result is the same as applying them one by one under each event's lock (which is what
 * the tests check), at a fraction of the round trips: a burst of 1,000 sign-ups costs a few
 * lock hand-overs, not 1,000, and sign-ups spread over 20 events share their rounds instead
 * of paying a round each per event. Across processes the locks are leases in the database
 * (src/db/document-lock.ts, taken in sorted order), so instances serialise on them too.
 *
 * The lock gives fairness and exact counts; the unique indexes in registration.model.ts
 * make overbooking and duplicates impossible even if a lease were ever lost. Writes are
 * ordered so that those invariants hold after every single write. A round records which
 * events it is writing before its first write (on the event, or in one record for a round of
 * several: seat-rounds.ts) and clears that with its last; the next batch of an event that is
 * still recorded recounts from the registrations and releases orphaned seat claims, so a batch
 * interrupted half-way leaves nothing the next one cannot repair.
 */
import type { Types } from 'mongoose';
import type { Logger } from 'pino';
import { documentLocks as defaultLocks, type DocumentLocks } from '../db/document-lock.js';
import { DomainError } from '../errors/domain-errors.js';
import type { EventRecord } from './event.model.js';
import { eventLockKey } from './event.repository.js';
import { commitBooks, SeatBook } from './seat-book.js';
import { unfinishedAmong } from './seat-rounds.js';
import type { BatchCommitted, BatchResult, EditOutcome, EventEditPlan, Outcome, RegistrationOutcome, SeatOperation } from './seat-operations.js';
import { clockOf, type Clock } from '../time/clock.js';

export type { BatchCommitted, EditOutcome, EventEditPlan, Person, RegistrationOutcome, SeatOperation } from './seat-operations.js';

export interface SeatAllocatorDeps {
  locks?: DocumentLocks;
  /**
   * Called with a round's committed batches together (so the outboxes write once per round),
   * outside the locks, after the round's operations have been answered and before the next
   * round starts. Failures are logged, never undo the batches.
   */
  onCommitted?: (committed: readonly BatchCommitted[]) => Promise<void>;
  now?: () => Date;
  logger?: Pick<Logger, 'error' | 'warn'>;
  /** Most operations one batch (one event's share of a round) applies (default 250). */
  maxBatch?: number;
  /** Most events one round takes (default 50). */
  maxEvents?: number;
}

interface Pending {
  op: SeatOperation;
  resolve: (value: Outcome) => void;
  reject: (error: unknown) => void;
}

interface Queue {
  tenantId: string;
  eventId: Types.ObjectId;
  items: Pending[];
}

/** One event's share of a round. */
interface Batch {
  tenantId: string;
  eventId: Types.ObjectId;
  items: Pending[];
}

export class SeatAllocator {
  /** Waiting operations per event, in the order events first had some. */
  private readonly queues = new Map<string, Queue>();
  private running: Promise<void> | undefined;
  private readonly locks: DocumentLocks;
  private readonly now: Clock;
  private readonly maxBatch: number;
  private readonly maxEvents: number;

  constructor(private readonly deps: SeatAllocatorDeps = {}) {
    this.locks = deps.locks ?? defaultLocks;
    this.now = clockOf(deps);
    this.maxBatch = deps.maxBatch ?? 250;
    this.maxEvents = deps.maxEvents ?? 50;
  }

  /** Applies a registration operation; resolves with the person's registration. */
  apply(tenantId: string, eventId: Types.ObjectId, op: Exclude<SeatOperation, { kind: 'edit' }>): Promise<RegistrationOutcome> {
    return this.submit(tenantId, eventId, op) as Promise<RegistrationOutcome>;
  }

  /** Applies an event edit and moves seats as the new capacity requires. */
  edit(tenantId: string, eventId: Types.ObjectId, prepare: (event: EventRecord, now: Date) => EventEditPlan): Promise<EditOutcome> {
    return this.submit(tenantId, eventId, { kind: 'edit', prepare }) as Promise<EditOutcome>;
  }

  /** Resolves when every queued operation has been applied and its after-commit work done. */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  private submit(tenantId: string, eventId: Types.ObjectId, op: SeatOperation): Promise<Outcome> {
    const key = String(eventId);
    let queue = this.queues.get(key);
    if (!queue) {
      queue = { tenantId, eventId, items: [] };
      this.queues.set(key, queue);
    }
    const target = queue;
    const promise = new Promise<Outcome>((resolve, reject) => target.items.push({ op, resolve, reject }));
    if (!this.running) this.running = this.drain();
    return promise;
  }

  private async drain(): Promise<void> {
    try {
      while (this.queues.size > 0) {
        const round: Batch[] = [];
        for (const [key, queue] of this.queues) {
          if (round.length >= this.maxEvents) break;
          round.push({ tenantId: queue.tenantId, eventId: queue.eventId, items: queue.items.splice(0, this.maxBatch) });
          // Emptied queues leave the map now, so the next round starts with the events that waited longest.
          if (queue.items.length === 0) this.queues.delete(key);
        }
        await this.runRound(round);
      }
    } finally {
      this.running = undefined;
      if (this.queues.size > 0) this.running = this.drain();
    }
  }

  /**
   * One round: under the locks of all its events, each batch is applied to its event's seat
   * book; the books that applied are written together. A batch whose event cannot be loaded,
   * or whose application fails for another reason than a refused operation, is answered with
   * that error and writes nothing; the others go on.
   */
  private async runRound(round: Batch[]): Promise<void> {
    const applied: { batch: Batch; book: SeatBook; results: BatchResult[] }[] = [];
    const failed = new Map<Batch, unknown>();
    let committed: BatchCommitted[] = [];
    try {
      committed = await this.locks.withLocks(
        round.map((b) => eventLockKey(b.eventId)),
        async () => {
          const now = this.now();
          const unfinished = await unfinishedAmong(round.map((b) => b.eventId));
          await Promise.all(
            round.map(async (batch) => {
              try {
                const book = await SeatBook.load(batch.tenantId, batch.eventId, batch.items.map((p) => p.op), now, unfinished.has(String(batch.eventId)));
                const results: BatchResult[] = [];
                for (const pending of batch.items) {
                  try {
                    results.push({ ok: true, value: await book.apply(pending.op) });
                  } catch (error) {
                    if (!(error instanceof DomainError)) throw error;
                    results.push({ ok: false, error });
                  }
                }
                applied.push({ batch, book, results });
              } catch (error) {
                failed.set(batch, error);
              }
            }),
          );
          return commitBooks(applied, now, (error, message) => this.deps.logger?.warn({ err: error }, message));
        },
      );
    } catch (error) {
      for (const batch of round) for (const pending of batch.items) pending.reject(failed.get(batch) ?? error);
      return;
    }
    for (const [batch, error] of failed) for (const pending of batch.items) pending.reject(error);
    applied.forEach(({ batch, results }) => {
      batch.items.forEach((pending, i) => {
        const result = results[i];
        if (result?.ok) pending.resolve(result.value);
        else pending.reject(result?.error ?? new Error('operation was not applied'));
      });
    });
    const after = this.deps.onCommitted;
    if (!after || committed.length === 0) return;
    // Awaited before the next round starts. Letting the next round overlap this work made rounds
    // smaller (a round takes what arrived while the one before it ran), and sign-ups over 20
    // events fell from 332/s to 163/s here: group commit pays per round, not per sign-up.
    await after(committed).catch((error: unknown) => this.deps.logger?.error({ err: error, events: committed.map((c) => String(c.event._id)) }, 'after-commit work failed'));
  }
}
