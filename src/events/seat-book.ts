/**
 * One event's registrations and seats during a seat-allocator batch: the operations apply to
 * this in-memory view one after another, then `commitBooks` writes the outcome through the seat
 * store (src/events/seat-store.ts) in an order that keeps the unique indexes' invariants
 * after every single write.
 */
import { Types } from 'mongoose';
import { ConflictError, ForbiddenError, NotFoundError } from '../errors/domain-errors.js';
import type { NotificationIntent } from '../notifications/notification-outbox.js';
import type { EventRecord } from './event.model.js';
import type { RegistrationRecord, RegistrationStatus } from './registration.model.js';
import type { BatchCommitted, BatchResult, EditOutcome, EventEditPlan, Outcome, Person, RegistrationOutcome, SeatOperation } from './seat-operations.js';
import { arrival, isOutlookAttendee, lowerBound, personOf, time } from './registration-facts.js';
import { countRegistrations, differs, loadBatch, markAllocationDirty, registeredRows, registeredSeats, seatClaimsOf, waitlistPage, waitlistQueues, writeChanges, writeEventsAfterBatch, type EventWrites, type SeatEntry } from './seat-store.js';
import { SeatPool } from './seat-pool.js';
import { beginRound, endRound, repaired } from './seat-rounds.js';
import { hasStarted, signUpClosedReason, type SignUpClosed } from './signup-window.js';

const CLOSED_MESSAGES: Record<SignUpClosed, string> = {
  event_cancelled: 'This event has been cancelled.',
  event_started: 'This event has already started or taken place.',
  signup_closed: 'Sign-up for this event has closed.',
};

type Entry = SeatEntry;

const WAITLIST_PAGE = 200;

/** One event's registrations and seats during a batch, with the writes that follow. */
export class SeatBook {
  private readonly entries = new Map<string, Entry>();
  private readonly notifications: NotificationIntent[] = [];
  private nextSeq: number;
  /** The first arrival number of this batch. */
  private readonly firstSeq: number;
  /** Registered rows in the store when the batch began. */
  private readonly storedRegistered: number;
  /** Seats 1..capacity, and who holds each (registration id); loaded when first needed. */
  private holders: Map<number, Types.ObjectId> | undefined;
  /**
   * The free seats as the event's bookkeeping records them (seat-pool.ts), used instead of
   * `holders` while those are not loaded; dropped once they are.
   */
  private pool: SeatPool | undefined;
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
  /** An unfinished round named this event (seat-rounds.ts); once written, it no longer does. */
  private unfinished = false;
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

  /** `unfinished`: a round that wrote to this event stopped half-way (seat-rounds.ts). */
  static async load(tenantId: string, eventId: Types.ObjectId, ops: SeatOperation[], now: Date, unfinished = false): Promise<SeatBook> {
    const userIds = [...new Set(ops.flatMap((op) => (op.kind === 'edit' ? [] : [op.kind === 'signUp' || op.kind === 'add' ? op.person.userId : op.userId])))];
    const [event, registrations] = await loadBatch(tenantId, eventId, userIds);
    if (!event) throw new NotFoundError('There is no such event.', 'event_not_found');
    let counts = { registered: event.counts?.registered ?? 0, waitlisted: event.counts?.waitlisted ?? 0, requested: event.counts?.requested ?? 0 };
    let lastSeq = event.allocation?.lastSeq ?? 0;
    let recounted = false;
    if (!event.allocation || event.allocation.dirty || unfinished) {
      // The last batch stopped between its writes (or the event predates the bookkeeping): count afresh.
      const stored = await countRegistrations(eventId);
      counts = { registered: stored.count('registered'), waitlisted: stored.count('waitlisted'), requested: stored.count('requested') };
      lastSeq = stored.lastSeq;
      recounted = true;
    }
    const book = new SeatBook(tenantId, event, counts, lastSeq, now);
    book.recounted = recounted;
    book.unfinished = unfinished;
    if (!recounted && event.capacity !== null) book.pool = SeatPool.from(event.allocation?.seats);
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
      await this.place(personOf(entry.current), by, entry);
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
    if (was === 'registered' && entry.current.seat !== null) {
      this.holders?.delete(entry.current.seat);
      this.pool?.release(entry.current.seat);
    }
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
    const rows = await waitlistPage(this.event._id, this.waitlistLoadedUpTo, WAITLIST_PAGE);
    for (const row of rows) if (!this.entries.has(row.userId)) this.entries.set(row.userId, { initial: row, current: { ...row } });
    const last = rows[rows.length - 1];
    if (last) this.waitlistLoadedUpTo = last.queue;
    if (rows.length < WAITLIST_PAGE) this.waitlistExhausted = true;
  }

  private async takeFreeSeat(registrationId: Types.ObjectId): Promise<number> {
    const capacity = this.event.capacity ?? 0;
    if (this.pool && !this.holders) {
      const seat = this.pool.take(capacity);
      if (seat !== undefined) return seat;
      // The bookkeeping has no seat although the counts say one is free: ask the claims.
    }
    const holders = await this.loadHolders();
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
    const claims = await seatClaimsOf(this.event._id);
    let valid = claims;
    if (claims.length > this.storedRegistered) {
      // Nothing of this batch is written yet, so the store still shows the state at load.
      const rows = await registeredSeats(this.event._id);
      const held = new Set(rows.map((r) => `${String(r._id)}:${r.seat}`));
      valid = claims.filter((c) => held.has(`${String(c.registrationId)}:${c.seat}`));
      this.orphanClaims = claims.filter((c) => !valid.includes(c)).map((c) => c._id);
    }
    const holders = new Map<number, Types.ObjectId>(valid.map((c) => [c.seat, c.registrationId]));
    // Entries this batch already took off a seat do not hold it any more, and those it seated
    // from the bookkeeping (before the claims were needed) hold theirs already.
    for (const entry of this.entries.values()) {
      const { initial, current } = entry;
      if (initial?.status === 'registered' && initial.seat !== null && current.status !== 'registered') holders.delete(initial.seat);
      if (current.status === 'registered' && current.seat !== null && (initial?.status !== 'registered' || initial.seat !== current.seat)) holders.set(current.seat, current._id);
    }
    this.holders = holders;
    this.pool = undefined;
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
      this.pool = undefined;
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
    this.pool = undefined;
    await this.fillFreeSeats();
  }

  /** Every registered entry, loading the ones not yet known; notes claims no registration holds. */
  private async loadRegistered(): Promise<Entry[]> {
    const [rows, claims] = await Promise.all([registeredRows(this.event._id), seatClaimsOf(this.event._id)]);
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
    const current = arrival(existing?.current ?? null, person, status, seq, extra, { tenantId: this.tenantId, eventId: this.event._id, now: this.now });
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

  /** What this batch writes: its part of the round's writes, and the event's fields set last (or null: nothing to set). */
  plannedWrites(): { writes: EventWrites; dirty: boolean; eventSet: Record<string, unknown> | null; unfinished: boolean } {
    const changed = [...this.entries.values()].filter((e) => e.initial === null || differs(e.initial, e.current));
    const dirty = changed.length > 0 || this.orphanClaims.length > 0;
    const counts = { registered: this.counts.registered, waitlisted: this.counts.waitlisted, requested: this.counts.requested };
    // The free seats go with the counts; without a capacity, or when they are too many to list, none are kept.
    const seats = this.event.capacity === null ? undefined : this.holders ? SeatPool.ofHeld(this.holders.keys()).toRecord() : this.pool?.toRecord();
    const set: Record<string, unknown> = { ...this.eventSet, counts, allocation: { lastSeq: this.nextSeq - 1, dirty: false, ...(seats ? { seats } : {}) } };
    return { writes: { tenantId: this.tenantId, eventId: this.event._id, changed, orphanClaims: this.orphanClaims }, dirty, eventSet: dirty || this.edited || this.recounted ? set : null, unfinished: this.unfinished };
  }

  /** After the round's writes: the event as written, the positions, and what the outboxes need. */
  async committed(results: BatchResult[], written: { writes: EventWrites; eventSet: Record<string, unknown> | null }): Promise<BatchCommitted> {
    if (written.eventSet) this.event = { ...this.event, ...written.eventSet, updatedAt: this.now } as EventRecord;
    await this.fillPositions(results);
    for (const result of results) {
      if (result.ok && 'event' in result.value) result.value.event = this.event;
    }
    const attendeesChanged = written.writes.changed.some((e) => isOutlookAttendee(e.initial) !== isOutlookAttendee(e.current));
    return { event: this.event, attendeesChanged, edited: this.edited, notifications: this.notifications };
  }

  /**
   * Positions of waitlisted registrations that were already stored (someone signing up again):
   * one read of the stored line's order, however many there are.
   */
  private async fillPositions(results: BatchResult[]): Promise<void> {
    const missing = results.filter((r): r is { ok: true; value: RegistrationOutcome } => r.ok && 'registration' in r.value && r.value.registration.status === 'waitlisted' && r.value.position === undefined);
    if (missing.length === 0) return;
    const line = await waitlistQueues(this.event._id);
    for (const result of missing) result.value.position = lowerBound(line, result.value.registration.queue) + 1;
  }
}

/**
 * Writes a round of batches, one per event, together. Before the first write the round is
 * recorded as unfinished: in one document naming its events when it writes to several
 * (seat-rounds.ts), on the event itself otherwise; the record goes with the last write (the
 * events' counts), so an interrupted round is noticed per event. In between, `writeChanges`
 * keeps each event's invariants after every write.
 */
export async function commitBooks(
  batches: readonly { book: SeatBook; results: BatchResult[] }[],
  now: Date,
  warn: (error: unknown, message: string) => void,
): Promise<BatchCommitted[]> {
  const planned = batches.map(({ book }) => book.plannedWrites());
  const dirty = planned.filter((p) => p.dirty).map((p) => p.writes.eventId);
  // One insert and one delete instead of an update per event (the break-even is two events).
  const round = dirty.length > 2 ? await beginRound(dirty, now) : null;
  if (!round) await markAllocationDirty(dirty);
  await writeChanges(planned.map((p) => p.writes));
  await writeEventsAfterBatch(planned.flatMap((p) => (p.eventSet ? [{ eventId: p.writes.eventId, set: p.eventSet }] : [])));
  // Everything is written; a record left behind by a failure here costs a recount, nothing more.
  await Promise.all([
    round ? endRound(round) : undefined,
    repaired(planned.filter((p) => p.unfinished).map((p) => p.writes.eventId)),
  ]).catch((error: unknown) => warn(error, 'could not clear the record of a round; its events will be counted afresh'));
  return Promise.all(batches.map(({ book, results }, i) => book.committed(results, planned[i] as (typeof planned)[number])));
}
