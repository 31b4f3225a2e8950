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
import mongoose, { Types } from 'mongoose';
import type { Logger } from 'pino';
import { documentLocks as defaultLocks, type DocumentLocks } from '../db/document-lock.js';
import { storeCapabilities } from '../db/store-capabilities.js';
import { ConflictError, DomainError, ForbiddenError, NotFoundError } from '../errors/domain-errors.js';
import type { NotificationIntent } from '../notifications/notification-outbox.js';
import { eventLockKey, EventModel, type EventRecord } from './event.model.js';
import { RegistrationModel, SeatClaimModel, type RegistrationRecord, type RegistrationStatus } from './registration.model.js';
import { hasStarted, signUpClosedReason, type SignUpClosed } from './signup-window.js';

const CLOSED_MESSAGES: Record<SignUpClosed, string> = {
  event_cancelled: 'This event has been cancelled.',
  event_started: 'This event has already started or taken place.',
  signup_closed: 'Sign-up for this event has closed.',
};

/** Who signs up, as the registration records them. */
export interface Person {
  userId: string;
  displayName: string;
  email: string | null;
  organisation: string | null;
  isGuest: boolean;
}

/** What an edit changes, decided against the current event inside the lock. */
export interface EventEditPlan {
  /** Fields to set on the event. */
  set: Record<string, unknown>;
}

export type SeatOperation =
  | { kind: 'signUp'; person: Person; message?: string }
  | { kind: 'cancel'; userId: string }
  | { kind: 'approve'; userId: string; by: string }
  | { kind: 'decline'; userId: string; by: string }
  | { kind: 'add'; person: Person; by: string }
  | { kind: 'remove'; userId: string; by: string }
  /** Throws a DomainError to refuse; runs against the event as it is inside the lock. */
  | { kind: 'edit'; prepare: (event: EventRecord, now: Date) => EventEditPlan };

export interface RegistrationOutcome {
  registration: RegistrationRecord;
  /** A new sign-up (or a new one after cancelling), rather than the existing registration. */
  created: boolean;
  /** 1-based place in the waitlist, when waitlisted. */
  position?: number;
}

export interface EditOutcome {
  event: EventRecord;
  /** People moved from registered to the waitlist by a lowered capacity. */
  demoted: string[];
  /** People moved from the waitlist to registered. */
  promoted: string[];
}

/** What a committed batch changed, for the notification and calendar outboxes. */
export interface BatchCommitted {
  event: EventRecord;
  /** The set of registered organisation members (the Outlook attendees) may have changed. */
  attendeesChanged: boolean;
  /** An edit ran (the event's details may have changed). */
  edited: boolean;
  notifications: NotificationIntent[];
}

export interface SeatAllocatorDeps {
  locks?: DocumentLocks;
  /** Called after each committed batch, outside the lock. Failures are logged, never undo the batch. */
  onCommitted?: (committed: BatchCommitted) => Promise<void>;
  now?: () => Date;
  logger?: Pick<Logger, 'error' | 'warn'>;
  /** Most operations one batch applies (default 250). */
  maxBatch?: number;
}

type Outcome = RegistrationOutcome | EditOutcome;

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
  private readonly now: () => Date;
  private readonly maxBatch: number;

  constructor(private readonly deps: SeatAllocatorDeps = {}) {
    this.locks = deps.locks ?? defaultLocks;
    this.now = deps.now ?? (() => new Date());
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
    const results: ({ ok: true; value: Outcome } | { ok: false; error: unknown })[] = [];
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

// ---------------------------------------------------------------------------------------

interface Entry {
  /** As stored when the batch began; null for a registration this batch creates. */
  initial: RegistrationRecord | null;
  current: RegistrationRecord;
}

const WAITLIST_PAGE = 200;

/** One event's registrations and seats during a batch, with the writes that follow. */
class SeatBook {
  private readonly entries = new Map<string, Entry>();
  private readonly notifications: NotificationIntent[] = [];
  private nextSeq: number;
  /** The first arrival number of this batch. */
  private readonly firstSeq: number;
  /** Registered rows in the store when the batch began. */
  private readonly storedRegistered: number;
  /** Seats 1..capacity, and who holds each (registration id); loaded when first needed. */
  private holders: Map<number, Types.ObjectId> | undefined;
  private orphanClaims: Types.ObjectId[] = [];
  /** Where the search for a free seat number starts (0-based). */
  private seatHint = 0;
  private waitlistLoadedUpTo = -Infinity;
  private waitlistExhausted = false;
  private readonly eventSet: Record<string, unknown> = {};
  private edited = false;
  private rebalanceNeeded = false;
  /** Counts were recomputed at load; the event document is rewritten even without other changes. */
  private recounted = false;
  private settled = false;
  /** People moved by this batch, in order (for edit outcomes). */
  private readonly demotedNow: string[] = [];
  private readonly promotedNow: string[] = [];

  private constructor(
    private readonly tenantId: string,
    private event: EventRecord,
    private readonly counts: Record<'registered' | 'waitlisted' | 'requested', number>,
    maxSeq: number,
    private readonly now: Date,
  ) {
    this.nextSeq = maxSeq + 1;
    this.firstSeq = this.nextSeq;
    this.storedRegistered = counts.registered;
  }

  static async load(tenantId: string, eventId: Types.ObjectId, ops: SeatOperation[], now: Date): Promise<SeatBook> {
    const userIds = [...new Set(ops.flatMap((op) => (op.kind === 'edit' ? [] : [op.kind === 'signUp' || op.kind === 'add' ? op.person.userId : op.userId])))];
    const [event, registrations] = await Promise.all([
      EventModel.findOne({ _id: eventId, tenantId }).lean<EventRecord>(),
      userIds.length > 0 ? RegistrationModel.find({ eventId, userId: mongoose.trusted({ $in: userIds }) }).lean<RegistrationRecord[]>() : Promise.resolve([]),
    ]);
    if (!event) throw new NotFoundError('There is no such event.', 'event_not_found');
    let counts = { registered: event.counts?.registered ?? 0, waitlisted: event.counts?.waitlisted ?? 0, requested: event.counts?.requested ?? 0 };
    let lastSeq = event.allocation?.lastSeq ?? 0;
    let recounted = false;
    if (!event.allocation || event.allocation.dirty) {
      // The last batch stopped between its writes (or the event predates the bookkeeping): count afresh.
      const [grouped, last] = await Promise.all([
        RegistrationModel.aggregate<{ _id: RegistrationStatus; n: number }>([{ $match: { eventId } }, { $group: { _id: '$status', n: { $sum: 1 } } }]),
        RegistrationModel.findOne({ eventId }).sort({ seq: -1 }).select({ seq: 1 }).lean<{ seq: number }>(),
      ]);
      const count = (status: RegistrationStatus) => grouped.find((g) => g._id === status)?.n ?? 0;
      counts = { registered: count('registered'), waitlisted: count('waitlisted'), requested: count('requested') };
      lastSeq = last?.seq ?? 0;
      recounted = true;
    }
    const book = new SeatBook(tenantId, event, counts, lastSeq, now);
    book.recounted = recounted;
    for (const r of registrations) book.entries.set(r.userId, { initial: r, current: { ...r } });
    // A batch interrupted between writes can leave more registered than seats after a capacity change.
    if (event.capacity !== null && book.counts.registered > event.capacity) book.rebalanceNeeded = true;
    return book;
  }

  async apply(op: SeatOperation): Promise<Outcome> {
    if (this.rebalanceNeeded) await this.rebalance();
    if (this.recounted && !this.settled) {
      // After an interrupted batch a seat may be free while people wait: the line moves first.
      this.settled = true;
      await this.fillFreeSeats();
    }
    switch (op.kind) {
      case 'signUp':
        return this.signUp(op.person, op.message);
      case 'cancel':
        return this.cancel(op.userId);
      case 'approve':
        return this.approve(op.userId, op.by);
      case 'decline':
        return this.decline(op.userId, op.by);
      case 'add':
        return this.add(op.person, op.by);
      case 'remove':
        return this.remove(op.userId, op.by);
      case 'edit':
        return this.applyEdit(op.prepare);
    }
  }

  // ---- operations ----

  private async signUp(person: Person, message: string | undefined): Promise<RegistrationOutcome> {
    this.assertOpen({ deadline: true });
    const entry = this.entries.get(person.userId);
    const status = entry?.current.status;
    if (entry && (status === 'registered' || status === 'waitlisted' || status === 'requested')) return this.outcome(entry, false);
    if (status === 'declined') throw new ForbiddenError('An organiser declined your request for this event.', 'registration_declined');
    if (status === 'removed') throw new ForbiddenError('An organiser removed you from this event.', 'registration_removed');
    if (this.event.signupMethod === 'invite') throw new ForbiddenError('This event is by invitation only.', 'invite_only');
    if (this.event.signupMethod === 'request') {
      const requested = this.arrive(person, 'requested', { message: message ?? null });
      this.counts.requested++;
      for (const organizer of this.event.organizers) {
        this.notify(organizer, 'eventRegistrationRequested', requested.current, person.userId, { requesterName: person.displayName });
      }
      return this.outcome(requested, true);
    }
    const placed = await this.place(person, null);
    return this.outcome(placed, true);
  }

  private async cancel(userId: string): Promise<RegistrationOutcome> {
    const entry = this.entries.get(userId);
    if (!entry) throw new NotFoundError('You have not signed up for this event.', 'registration_not_found');
    const status = entry.current.status;
    if (status === 'cancelled' || status === 'declined' || status === 'removed') return this.outcome(entry, false);
    this.assertNotStarted();
    await this.leave(entry, 'cancelled', null);
    return this.outcome(entry, false);
  }

  private async approve(userId: string, by: string): Promise<RegistrationOutcome> {
    const entry = this.entries.get(userId);
    if (!entry) throw new NotFoundError('This person has not signed up for this event.', 'registration_not_found');
    if (entry.current.status !== 'requested') {
      if (entry.current.status === 'registered' || entry.current.status === 'waitlisted') return this.outcome(entry, false);
      throw new ConflictError('There is no open request from this person.', 'not_requested');
    }
    this.assertOpen({ deadline: false });
    this.counts.requested--;
    try {
      await this.place(this.personOf(entry.current), by, entry);
    } catch (error) {
      this.counts.requested++;
      throw error;
    }
    this.notify(userId, 'eventRegistrationApproved', entry.current, by, { result: entry.current.status });
    return this.outcome(entry, false);
  }

  private async decline(userId: string, by: string): Promise<RegistrationOutcome> {
    const entry = this.entries.get(userId);
    if (!entry) throw new NotFoundError('This person has not signed up for this event.', 'registration_not_found');
    if (entry.current.status === 'declined') return this.outcome(entry, false);
    if (entry.current.status !== 'requested') throw new ConflictError('There is no open request from this person.', 'not_requested');
    this.counts.requested--;
    this.setStatus(entry, 'declined', { decidedBy: by });
    this.notify(userId, 'eventRegistrationDeclined', entry.current, by, {});
    return this.outcome(entry, false);
  }

  private async add(person: Person, by: string): Promise<RegistrationOutcome> {
    const entry = this.entries.get(person.userId);
    if (entry?.current.status === 'requested') return this.approve(person.userId, by);
    if (entry && (entry.current.status === 'registered' || entry.current.status === 'waitlisted')) return this.outcome(entry, false);
    this.assertOpen({ deadline: false });
    const placed = await this.place(person, by);
    this.notify(person.userId, 'eventRegistrationApproved', placed.current, by, { result: placed.current.status, addedByOrganiser: true });
    return this.outcome(placed, true);
  }

  private async remove(userId: string, by: string): Promise<RegistrationOutcome> {
    const entry = this.entries.get(userId);
    if (!entry) throw new NotFoundError('This person has not signed up for this event.', 'registration_not_found');
    const status = entry.current.status;
    if (status === 'removed') return this.outcome(entry, false);
    if (status !== 'registered' && status !== 'waitlisted' && status !== 'requested') {
      throw new ConflictError('This person is not signed up for this event.', 'registration_not_active');
    }
    await this.leave(entry, 'removed', by);
    this.notify(userId, 'eventRegistrationDeclined', entry.current, by, { removed: true });
    return this.outcome(entry, false);
  }

  private async applyEdit(prepare: (event: EventRecord, now: Date) => EventEditPlan): Promise<EditOutcome> {
    const plan = prepare(this.event, this.now);
    const before = this.event;
    this.event = { ...before, ...plan.set } as EventRecord;
    Object.assign(this.eventSet, plan.set);
    this.edited = true;
    const demotedBefore = this.demotedNow.length;
    const promotedBefore = this.promotedNow.length;
    if ('capacity' in plan.set && plan.set.capacity !== before.capacity) {
      this.rebalanceNeeded = true;
      await this.rebalance();
    }
    return { event: this.event, demoted: this.demotedNow.slice(demotedBefore), promoted: this.promotedNow.slice(promotedBefore) };
  }

  // ---- rules ----

  private assertOpen(options: { deadline: boolean }): void {
    const closed = signUpClosedReason(this.event, this.now, options);
    if (closed) throw new ConflictError(CLOSED_MESSAGES[closed], closed);
  }

  private assertNotStarted(): void {
    if (hasStarted(this.event, this.now)) {
      throw new ConflictError(CLOSED_MESSAGES.event_started, 'event_started');
    }
  }

  // ---- seats ----

  /**
   * A seat when one is free and nobody is waiting for it; otherwise the end of the waitlist
   * (when the event has one); otherwise `event_full`. `existing` re-places a registration
   * (an approved request) as a new arrival.
   */
  private async place(person: Person, by: string | null, existing?: Entry): Promise<Entry> {
    const seatFree = this.freeSeatCount() > 0 && this.counts.waitlisted === 0;
    if (!seatFree && !this.event.waitlist) throw new ConflictError('This event is full.', 'event_full');
    const entry = existing ?? this.arrive(person, 'waitlisted', { addedBy: by });
    if (existing) this.rearrive(existing, 'waitlisted', by);
    this.counts.waitlisted++;
    if (seatFree) await this.seat(entry, false);
    return entry;
  }

  /** Moves a waitlisted entry onto a free seat. */
  private async seat(entry: Entry, promoted: boolean): Promise<void> {
    this.counts.waitlisted--;
    this.counts.registered++;
    const seat = this.event.capacity === null ? null : await this.takeFreeSeat(entry.current._id);
    this.setStatus(entry, 'registered', { seat, registeredAt: this.now, ...(promoted ? { promotedAt: this.now } : {}) });
    if (promoted) {
      this.promotedNow.push(entry.current.userId);
      this.notify(entry.current.userId, 'eventPromoted', entry.current, undefined, {});
    }
  }

  /** Leaves the event (cancelled or removed); a freed seat goes to the head of the waitlist. */
  private async leave(entry: Entry, status: 'cancelled' | 'removed', by: string | null): Promise<void> {
    const was = entry.current.status;
    if (was === 'registered') this.counts.registered--;
    if (was === 'waitlisted') this.counts.waitlisted--;
    if (was === 'requested') this.counts.requested--;
    if (was === 'registered' && entry.current.seat !== null && this.holders) this.holders.delete(entry.current.seat);
    this.setStatus(entry, status, { seat: null, ...(by ? { decidedBy: by } : {}) });
    if (was === 'registered') await this.fillFreeSeats();
  }

  /** Seats people from the head of the waitlist while seats are free. */
  private async fillFreeSeats(): Promise<void> {
    while (this.freeSeatCount() > 0 && this.counts.waitlisted > 0) {
      const next = await this.headOfWaitlist();
      if (!next) break;
      await this.seat(next, true);
    }
  }

  private freeSeatCount(): number {
    if (this.event.capacity === null) return Number.POSITIVE_INFINITY;
    return Math.max(0, this.event.capacity - this.counts.registered);
  }

  /** The waitlisted entry with the lowest `queue`, loading from the store as needed. */
  private async headOfWaitlist(): Promise<Entry | undefined> {
    for (;;) {
      let best: Entry | undefined;
      for (const entry of this.entries.values()) {
        if (entry.current.status === 'waitlisted' && (!best || entry.current.queue < best.current.queue)) best = entry;
      }
      if (!this.waitlistExhausted && (!best || best.current.queue > this.waitlistLoadedUpTo)) {
        await this.loadWaitlistPage();
        continue;
      }
      return best;
    }
  }

  private async loadWaitlistPage(): Promise<void> {
    const filter: Record<string, unknown> = { eventId: this.event._id, status: 'waitlisted' };
    if (this.waitlistLoadedUpTo !== -Infinity) filter.queue = mongoose.trusted({ $gt: this.waitlistLoadedUpTo });
    const rows = await RegistrationModel.find(filter).sort({ queue: 1 }).limit(WAITLIST_PAGE).lean<RegistrationRecord[]>();
    for (const row of rows) if (!this.entries.has(row.userId)) this.entries.set(row.userId, { initial: row, current: { ...row } });
    const last = rows[rows.length - 1];
    if (last) this.waitlistLoadedUpTo = last.queue;
    if (rows.length < WAITLIST_PAGE) this.waitlistExhausted = true;
  }

  private async takeFreeSeat(registrationId: Types.ObjectId): Promise<number> {
    const holders = await this.loadHolders();
    const capacity = this.event.capacity ?? 0;
    // Search on from the last seat given, wrapping round: a burst takes seats in one sweep.
    for (let i = 0; i < capacity; i++) {
      const seat = ((this.seatHint + i) % capacity) + 1;
      if (!holders.has(seat)) {
        holders.set(seat, registrationId);
        this.seatHint = seat % capacity;
        return seat;
      }
    }
    // Counts say a seat is free but every number is held: the store disagrees with itself.
    throw new Error(`no free seat number although ${this.freeSeatCount()} seats are free`);
  }

  /**
   * Seat claims as stored, keyed by seat. Claims that no stored registration holds (a batch
   * stopped between its writes) are released at commit.
   */
  private async loadHolders(): Promise<Map<number, Types.ObjectId>> {
    if (this.holders) return this.holders;
    const claims = await SeatClaimModel.find({ eventId: this.event._id }).select({ seat: 1, registrationId: 1 }).lean<{ _id: Types.ObjectId; seat: number; registrationId: Types.ObjectId }[]>();
    let valid = claims;
    if (claims.length > this.storedRegistered) {
      // Nothing of this batch is written yet, so the store still shows the state at load.
      const rows = await RegistrationModel.find({ eventId: this.event._id, status: 'registered' }).select({ _id: 1, seat: 1 }).lean<{ _id: Types.ObjectId; seat: number | null }[]>();
      const held = new Set(rows.map((r) => `${String(r._id)}:${r.seat}`));
      valid = claims.filter((c) => held.has(`${String(c.registrationId)}:${c.seat}`));
      this.orphanClaims = claims.filter((c) => !valid.includes(c)).map((c) => c._id);
    }
    const holders = new Map<number, Types.ObjectId>(valid.map((c) => [c.seat, c.registrationId]));
    // Entries this batch already took off a seat do not hold it any more.
    for (const entry of this.entries.values()) {
      if (entry.initial?.status === 'registered' && entry.initial.seat !== null && entry.current.status !== 'registered') holders.delete(entry.initial.seat);
    }
    this.holders = holders;
    return holders;
  }

  /**
   * Brings seats in line with the capacity: newest registrations beyond it go to the head of
   * the waitlist (earliest of them first), everyone registered holds a seat number within
   * it, and free seats go to the waitlist.
   */
  private async rebalance(): Promise<void> {
    this.rebalanceNeeded = false;
    const capacity = this.event.capacity;
    const registered = await this.loadRegistered();
    if (capacity === null) {
      for (const entry of registered) if (entry.current.seat !== null) entry.current = { ...entry.current, seat: null };
      this.holders = new Map();
      await this.fillFreeSeats();
      return;
    }
    const excess = registered.length - capacity;
    if (excess > 0) {
      // Newest first: latest registeredAt, then latest arrival.
      const newest = [...registered].sort((a, b) => time(b.current.registeredAt) - time(a.current.registeredAt) || b.current.seq - a.current.seq).slice(0, excess);
      const head = await this.headOfWaitlist();
      let queue = Math.min(head?.current.queue ?? 0, 0) - 1;
      // Earliest of the moved people ends up first: assign from the newest backwards.
      for (const entry of newest) {
        this.counts.registered--;
        this.counts.waitlisted++;
        this.setStatus(entry, 'waitlisted', { seat: null, queue: queue-- });
        this.demotedNow.push(entry.current.userId);
        this.notify(entry.current.userId, 'eventChanged', entry.current, undefined, { change: 'movedToWaitlist' });
      }
    }
    // Seat numbers: keep those within capacity, renumber the rest into free seats.
    const holders = new Map<number, Types.ObjectId>();
    const stillRegistered = registered.filter((e) => e.current.status === 'registered');
    const needSeat: Entry[] = [];
    for (const entry of stillRegistered) {
      const seat = entry.current.seat;
      if (seat !== null && seat >= 1 && seat <= capacity && !holders.has(seat)) holders.set(seat, entry.current._id);
      else needSeat.push(entry);
    }
    let candidate = 1;
    for (const entry of needSeat) {
      while (holders.has(candidate)) candidate++;
      holders.set(candidate, entry.current._id);
      entry.current = { ...entry.current, seat: candidate };
    }
    this.holders = holders;
    await this.fillFreeSeats();
  }

  /** Every registered entry, loading the ones not yet known; notes claims no registration holds. */
  private async loadRegistered(): Promise<Entry[]> {
    const [rows, claims] = await Promise.all([
      RegistrationModel.find({ eventId: this.event._id, status: 'registered' }).lean<RegistrationRecord[]>(),
      SeatClaimModel.find({ eventId: this.event._id }).select({ _id: 1, seat: 1, registrationId: 1 }).lean<{ _id: Types.ObjectId; seat: number; registrationId: Types.ObjectId }[]>(),
    ]);
    for (const row of rows) if (!this.entries.has(row.userId)) this.entries.set(row.userId, { initial: row, current: { ...row } });
    // Claims held by stored registered rows are released through the normal commit path
    // (leaving / moved); the rest belong to nobody.
    const held = new Set(rows.map((r) => `${String(r._id)}:${r.seat}`));
    this.orphanClaims = claims.filter((c) => !held.has(`${String(c.registrationId)}:${c.seat}`)).map((c) => c._id);
    return [...this.entries.values()].filter((e) => e.current.status === 'registered');
  }

  // ---- registration drafts ----

  private arrive(person: Person, status: RegistrationStatus, extra: { message?: string | null; addedBy?: string | null }): Entry {
    const existing = this.entries.get(person.userId);
    const seq = this.nextSeq++;
    const base: RegistrationRecord = existing
      ? { ...existing.current }
      : ({
          _id: new Types.ObjectId(),
          tenantId: this.tenantId,
          eventId: this.event._id,
          userId: person.userId,
          revision: 0,
          decidedBy: null,
          promotedAt: null,
          registeredAt: null,
          seat: null,
          createdAt: this.now,
          updatedAt: this.now,
        } as unknown as RegistrationRecord);
    const current: RegistrationRecord = {
      ...base,
      displayName: person.displayName,
      email: person.email,
      organisation: person.organisation,
      isGuest: person.isGuest,
      status,
      seq,
      queue: seq,
      seat: null,
      addedBy: extra.addedBy ?? null,
      decidedBy: null,
      promotedAt: null,
      registeredAt: null,
      statusChangedAt: this.now,
      revision: (base.revision ?? 0) + (existing ? 1 : 0),
      ...(extra.message !== undefined && extra.message !== null ? { message: extra.message } : {}),
    };
    const entry: Entry = existing ? { initial: existing.initial, current } : { initial: null, current };
    this.entries.set(person.userId, entry);
    return entry;
  }

  /** An existing registration arrives again (an approved request): new place in the order. */
  private rearrive(entry: Entry, status: RegistrationStatus, by: string | null): void {
    const seq = this.nextSeq++;
    this.setStatus(entry, status, { seq, queue: seq, ...(by ? { decidedBy: by } : {}) });
  }

  private setStatus(entry: Entry, status: RegistrationStatus, extra: Partial<RegistrationRecord>): void {
    const wasRegistered = entry.current.status === 'registered';
    const isRegistered = status === 'registered';
    entry.current = {
      ...entry.current,
      ...extra,
      status,
      statusChangedAt: this.now,
      // The person's own invitation changes when they gain or lose their seat.
      revision: (entry.current.revision ?? 0) + (wasRegistered !== isRegistered ? 1 : 0),
    };
  }

  private personOf(r: RegistrationRecord): Person {
    return { userId: r.userId, displayName: r.displayName ?? '', email: r.email ?? null, organisation: r.organisation ?? null, isGuest: r.isGuest ?? false };
  }

  /** The registration as this operation left it (later operations of the batch replace `current`, not this object). */
  private outcome(entry: Entry, created: boolean): RegistrationOutcome {
    const registration = entry.current;
    if (registration.status !== 'waitlisted' || registration.queue < this.firstSeq) return { registration, created };
    // Arrived in this batch: only this batch's later arrivals can be behind it.
    let behind = 0;
    for (const other of this.entries.values()) if (other.current.status === 'waitlisted' && other.current.queue > registration.queue) behind++;
    return { registration, created, position: this.counts.waitlisted - behind };
  }

  private notify(recipientId: string, kind: NotificationIntent['kind'], registration: RegistrationRecord, actorId: string | undefined, data: NotificationIntent['data'] & object): void {
    this.notifications.push({
      tenantId: this.tenantId,
      recipientId,
      kind,
      subject: { type: 'event', id: String(this.event._id) },
      ...(actorId ? { actorId } : {}),
      data: { eventTitle: this.event.title, startsAt: this.event.start.toISOString(), ...data },
      // One per change of this registration: seq and revision move with every change.
      idempotencyKey: `${kind}:${String(registration._id)}:${registration.seq}:${registration.revision ?? 0}:${recipientId}`,
    });
  }

  // ---- commit ----

  /**
   * Writes the batch. Order keeps "registered <= seat claims <= capacity" true after every
   * write: registrations leave `registered` before their claims go; claims are written
   * before registrations take the seats; old seat numbers are released last.
   */
  async commit(results: ({ ok: true; value: Outcome } | { ok: false; error: unknown })[]): Promise<BatchCommitted> {
    const changed = [...this.entries.values()].filter((e) => e.initial === null || differs(e.initial, e.current));
    const leaving = changed.filter((e) => e.initial?.status === 'registered' && e.current.status !== 'registered');
    const gaining = changed.filter((e) => e.current.status === 'registered' && e.current.seat !== null && (e.initial?.status !== 'registered' || e.initial.seat !== e.current.seat));
    const moved = changed.filter((e) => e.initial?.status === 'registered' && e.initial.seat !== null && e.current.status === 'registered' && e.current.seat !== e.initial.seat);
    const rest = changed.filter((e) => !leaving.includes(e));
    const writes = changed.length > 0 || this.orphanClaims.length > 0;
    // Marked before the first write and cleared with the last, so an interrupted batch is noticed.
    if (writes) await EventModel.updateOne({ _id: this.event._id }, { $set: { 'allocation.dirty': true } });

    await writeUpdates(leaving.map((e) => e.current));
    const releasedClaims = [...this.orphanClaims];
    const leavingSeats = leaving.filter((e) => e.initial?.seat !== null && e.initial?.seat !== undefined);
    if (leavingSeats.length > 0 || releasedClaims.length > 0) {
      await SeatClaimModel.deleteMany({
        eventId: this.event._id,
        $or: [
          ...(releasedClaims.length > 0 ? [{ _id: mongoose.trusted({ $in: releasedClaims }) }] : []),
          ...leavingSeats.map((e) => ({ registrationId: e.current._id, seat: e.initial?.seat })),
        ],
      });
    }
    if (gaining.length > 0) {
      await SeatClaimModel.insertMany(
        gaining.map((e) => ({ tenantId: this.tenantId, eventId: this.event._id, seat: e.current.seat, registrationId: e.current._id })),
        { ordered: true },
      );
    }
    const inserts = rest.filter((e) => e.initial === null);
    const updates = rest.filter((e) => e.initial !== null);
    if (inserts.length > 0) await RegistrationModel.insertMany(inserts.map((e) => e.current), { ordered: true });
    await writeUpdates(updates.map((e) => e.current));
    if (moved.length > 0) {
      await SeatClaimModel.deleteMany({ eventId: this.event._id, $or: moved.map((e) => ({ registrationId: e.current._id, seat: e.initial?.seat })) });
    }

    const counts = { registered: this.counts.registered, waitlisted: this.counts.waitlisted, requested: this.counts.requested };
    const set: Record<string, unknown> = { ...this.eventSet, counts, allocation: { lastSeq: this.nextSeq - 1, dirty: false } };
    if (writes || this.edited || this.recounted) await EventModel.updateOne({ _id: this.event._id }, { $set: set });
    this.event = { ...this.event, ...set, updatedAt: this.now } as EventRecord;

    await this.fillPositions(results);
    for (const result of results) {
      if (result.ok && 'event' in result.value) result.value.event = this.event;
    }
    const attendeesChanged = changed.some((e) => isOutlookAttendee(e.initial) !== isOutlookAttendee(e.current));
    return { event: this.event, attendeesChanged, edited: this.edited, notifications: this.notifications };
  }

  /**
   * Positions of waitlisted registrations that were already stored (someone signing up again):
   * one read of the stored line's order, however many there are.
   */
  private async fillPositions(results: ({ ok: true; value: Outcome } | { ok: false; error: unknown })[]): Promise<void> {
    const missing = results.filter((r): r is { ok: true; value: RegistrationOutcome } => r.ok && 'registration' in r.value && r.value.registration.status === 'waitlisted' && r.value.position === undefined);
    if (missing.length === 0) return;
    const line = (await RegistrationModel.find({ eventId: this.event._id, status: 'waitlisted' }).select({ queue: 1, _id: 0 }).lean<{ queue: number }[]>()).map((r) => r.queue).sort((a, b) => a - b);
    for (const result of missing) result.value.position = lowerBound(line, result.value.registration.queue) + 1;
  }
}

/** How many of the sorted `values` are below `x`. */
function lowerBound(values: readonly number[], x: number): number {
  let lo = 0;
  let hi = values.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((values[mid] ?? Infinity) < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Registered organisation members with an address are the Outlook attendees. */
function isOutlookAttendee(r: RegistrationRecord | null): boolean {
  return r !== null && r.status === 'registered' && !r.isGuest && typeof r.email === 'string' && r.email.length > 0;
}

const WRITTEN_FIELDS = [
  'displayName', 'email', 'organisation', 'isGuest', 'status', 'seq', 'queue', 'seat', 'revision',
  'message', 'addedBy', 'decidedBy', 'registeredAt', 'promotedAt', 'statusChangedAt',
] as const;

function differs(a: RegistrationRecord, b: RegistrationRecord): boolean {
  return WRITTEN_FIELDS.some((field) => !sameValue(a[field], b[field]));
}

function sameValue(a: unknown, b: unknown): boolean {
  if (a instanceof Date && b instanceof Date) return a.getTime() === b.getTime();
  return (a ?? null) === (b ?? null);
}

function fieldsOf(r: RegistrationRecord): Record<string, unknown> {
  const set: Record<string, unknown> = { updatedAt: new Date() };
  for (const field of WRITTEN_FIELDS) set[field] = r[field] ?? null;
  return set;
}

/**
 * Writes changed registrations. MongoDB takes them as one bulk write. FerretDB 1.24 does not:
 * an `update` command with several statements held a pool connection per statement and took
 * ~100 ms per statement here, and one with 16 statements never returned (with FerretDB's pool
 * of 16); so there they go as single updates, a few at a time (see also connection.ts on
 * concurrent updates and FerretDB's pool).
 */
async function writeUpdates(records: RegistrationRecord[]): Promise<void> {
  if (records.length === 0) return;
  if (!storeCapabilities().needsWriteSerialisation) {
    await RegistrationModel.bulkWrite(records.map((r) => ({ updateOne: { filter: { _id: r._id }, update: { $set: fieldsOf(r) } } })), { ordered: true });
    return;
  }
  let next = 0;
  const lanes = Array.from({ length: Math.min(3, records.length) }, async () => {
    while (next < records.length) {
      const r = records[next++] as RegistrationRecord;
      await RegistrationModel.updateOne({ _id: r._id }, { $set: fieldsOf(r) });
    }
  });
  await Promise.all(lanes);
}

function time(date: Date | null | undefined): number {
  return date instanceof Date ? date.getTime() : 0;
}
