import assert from 'node:assert/strict';
import { Types } from 'mongoose';
import sinon from 'sinon';
import type { Actor } from '../../src/auth/actor.js';
import { DocumentLocks } from '../../src/db/document-lock.js';
import { ConflictError, ForbiddenError, NotFoundError } from '../../src/errors/domain-errors.js';
import { EventModel } from '../../src/events/event.model.js';
import type { EventsServices } from '../../src/events/events.module.js';
import { RegistrationModel, SeatClaimModel } from '../../src/events/registration.model.js';
import { SeatAllocator } from '../../src/events/seat-allocator.js';
import { SeatRoundModel } from '../../src/events/seat-rounds.js';
import { NotificationModel } from '../../src/notifications/notification.model.js';
import { useTestDatabase } from '../support/database.js';
import { eventInput, person, services, syncEventIndexes, testClock, type TestClock } from './events-fixtures.js';

describe('event sign-ups (service)', () => {
  useTestDatabase('event_signup');
  let clock: TestClock;
  let s: EventsServices;
  let admin: Actor;

  before(async () => {
    await syncEventIndexes();
  });
  beforeEach(async () => {
    clock = testClock();
    s = services(clock);
    admin = await person('admin', { isOrgAdmin: true });
  });

  async function people(prefix: string, n: number): Promise<Actor[]> {
    return Promise.all(Array.from({ length: n }, (_, i) => person(`${prefix}-${i + 1}`)));
  }

  async function seatInvariants(eventId: string): Promise<void> {
    const id = new Types.ObjectId(eventId);
    const event = await EventModel.findById(id).lean();
    const registered = await RegistrationModel.find({ eventId: id, status: 'registered' }).lean();
    const claims = await SeatClaimModel.find({ eventId: id }).lean();
    if (event?.capacity !== null && event?.capacity !== undefined) {
      assert.ok(registered.length <= event.capacity, 'never more registered than capacity');
      assert.deepEqual(claims.map((c) => String(c.registrationId)).sort(), registered.map((r) => String(r._id)).sort(), 'every registered registration holds exactly one seat claim');
      assert.deepEqual(registered.map((r) => r.seat).sort(), claims.map((c) => c.seat).sort());
      assert.ok(claims.every((c) => c.seat >= 1 && c.seat <= (event.capacity ?? 0)), 'seat numbers within capacity');
      const seats = event.allocation?.seats;
      if (seats && !event.allocation?.dirty) {
        // The free-seat bookkeeping (seat-pool.ts): a seat is held exactly when it is below `next` and not listed free.
        const held = new Set(claims.map((c) => c.seat));
        for (let seat = 1; seat <= Math.max(seats.next, ...held); seat++) {
          assert.equal(held.has(seat), seat < seats.next && !seats.free.includes(seat), `seat ${seat} in the bookkeeping ${JSON.stringify(seats)}`);
        }
      }
    }
    const counts = { registered: registered.length, waitlisted: await RegistrationModel.countDocuments({ eventId: id, status: 'waitlisted' }), requested: await RegistrationModel.countDocuments({ eventId: id, status: 'requested' }) };
    assert.deepEqual({ ...event?.counts }, counts, 'the cached counts match the registrations');
  }

  it('gives seats in order, then the waitlist with positions, and returns the existing registration on a second sign-up', async () => {
    const event = await s.events.create(admin, eventInput(clock, { capacity: 2 }));
    const [a, b, c, d] = await people('p', 4);
    const first = await s.signups.signUp(a!, event.id);
    assert.equal(first.created, true);
    assert.equal(first.registration.status, 'registered');
    assert.equal((await s.signups.signUp(b!, event.id)).registration.status, 'registered');
    const third = await s.signups.signUp(c!, event.id);
    assert.deepEqual([third.registration.status, third.registration.position], ['waitlisted', 1]);
    const fourth = await s.signups.signUp(d!, event.id);
    assert.deepEqual([fourth.registration.status, fourth.registration.position], ['waitlisted', 2]);

    const again = await s.signups.signUp(a!, event.id);
    assert.equal(again.created, false);
    assert.equal(again.registration.id, first.registration.id);
    const againWaiting = await s.signups.signUp(d!, event.id);
    assert.deepEqual([againWaiting.created, againWaiting.registration.position], [false, 2]);
    assert.equal(await RegistrationModel.countDocuments({ eventId: new Types.ObjectId(event.id) }), 4);
    const view = await s.events.get(a!, event.id);
    assert.deepEqual([view.seatsLeft, view.counts.registered, view.counts.waitlisted, view.myRegistration?.status], [0, 2, 2, 'registered']);
    await seatInvariants(event.id);
  });

  it('finds the people of a batch one by one in an event that holds many registrations, and still knows who signed up before', async () => {
    const event = await s.events.create(admin, eventInput(clock, { capacity: 10 }));
    const crowd = await people('crowd', 30);
    const firstOfLast = (await Promise.all(crowd.map((p) => s.signups.signUp(p, event.id)))).at(-1);
    // The last in line leaves (nobody is promoted) and comes back.
    await s.signups.cancelMine(crowd[29]!, event.id);
    const findOne = sinon.spy(RegistrationModel.collection, 'findOne');
    try {
      const [back, again, waiting] = await Promise.all([s.signups.signUp(crowd[29]!, event.id), s.signups.signUp(crowd[1]!, event.id), s.signups.signUp(crowd[12]!, event.id)]);
      assert.ok(findOne.callCount >= 3, `the registrations were looked up person by person (${findOne.callCount})`);
      assert.equal(back.registration.id, firstOfLast?.registration.id, 'the cancelled registration is found and used again, not inserted twice');
      assert.deepEqual([back.registration.status, back.registration.position], ['waitlisted', 20]);
      assert.deepEqual([again.created, again.registration.status], [false, 'registered']);
      assert.deepEqual([waiting.created, waiting.registration.status], [false, 'waitlisted']);
    } finally {
      findOne.restore();
    }
    await s.allocator.idle();
    assert.equal(await RegistrationModel.countDocuments({ eventId: new Types.ObjectId(event.id) }), 30);
    await seatInvariants(event.id);
  });

  it('gives a freed seat to the first in line, who hears about it, and moves the others up', async () => {
    const event = await s.events.create(admin, eventInput(clock, { capacity: 2 }));
    const [a, b, c, d] = await people('q', 4);
    for (const p of [a, b, c, d]) await s.signups.signUp(p!, event.id);

    const cancelled = await s.signups.cancelMine(a!, event.id);
    assert.equal(cancelled.status, 'cancelled');
    assert.equal((await s.signups.mine(c!, event.id)).status, 'registered');
    const dNow = await s.signups.mine(d!, event.id);
    assert.deepEqual([dNow.status, dNow.position], ['waitlisted', 1]);
    await s.allocator.idle();
    const promoted = await NotificationModel.find({ kind: 'eventPromoted' }).lean();
    assert.deepEqual(promoted.map((n) => n.recipientId), [c!.userId]);
    assert.equal(await NotificationModel.countDocuments({ kind: 'eventPromoted', recipientId: d!.userId }), 0);

    // Cancelling twice is harmless; signing up again joins the end of the line.
    assert.equal((await s.signups.cancelMine(a!, event.id)).status, 'cancelled');
    const back = await s.signups.signUp(a!, event.id);
    assert.deepEqual([back.created, back.registration.status, back.registration.position], [true, 'waitlisted', 2]);
    assert.equal(back.registration.id, cancelled.id, 'one registration per person and event, reused');
    await seatInvariants(event.id);
  });

  it('refuses a sign-up when the event is full and has no waitlist, writing nothing', async () => {
    const event = await s.events.create(admin, eventInput(clock, { capacity: 1, waitlist: false }));
    const [a, b] = await people('r', 2);
    await s.signups.signUp(a!, event.id);
    await assert.rejects(s.signups.signUp(b!, event.id), (e: unknown) => e instanceof ConflictError && e.code === 'event_full');
    assert.equal(await RegistrationModel.countDocuments({ eventId: new Types.ObjectId(event.id), userId: b!.userId }), 0);
    await seatInvariants(event.id);
  });

  it('takes requests for on-request events, which organisers approve or decline', async () => {
    const event = await s.events.create(admin, eventInput(clock, { capacity: 1, signupMethod: 'request' }));
    const [a, b, c] = await people('s', 3);
    const asked = await s.signups.signUp(a!, event.id, { message: 'Ik ben melkveehouder in Winterswijk.' });
    assert.equal(asked.registration.status, 'requested');
    await s.signups.signUp(b!, event.id);
    await s.signups.signUp(c!, event.id);
    await s.allocator.idle();
    assert.equal(await NotificationModel.countDocuments({ kind: 'eventRegistrationRequested', recipientId: admin.userId }), 3);

    await assert.rejects(s.signups.decide(a!, event.id, b!.userId, 'approve'), ForbiddenError, 'attendees cannot decide');
    assert.equal((await s.signups.decide(admin, event.id, a!.userId, 'approve')).status, 'registered');
    const second = await s.signups.decide(admin, event.id, b!.userId, 'approve');
    assert.deepEqual([second.status, second.position], ['waitlisted', 1], 'approved when full: the waitlist');
    assert.equal((await s.signups.decide(admin, event.id, c!.userId, 'decline')).status, 'declined');
    await assert.rejects(s.signups.signUp(c!, event.id), (e: unknown) => e instanceof ForbiddenError && e.code === 'registration_declined');
    await assert.rejects(s.signups.decide(admin, event.id, c!.userId, 'approve'), (e: unknown) => e instanceof ConflictError && e.code === 'not_requested');
    await s.allocator.idle();
    assert.equal(await NotificationModel.countDocuments({ kind: 'eventRegistrationApproved', recipientId: a!.userId }), 1);
    assert.equal(await NotificationModel.countDocuments({ kind: 'eventRegistrationDeclined', recipientId: c!.userId }), 1);
    await seatInvariants(event.id);
  });

  it('lets only organisers add people to an invite-only event, and removing one frees the seat for the next', async () => {
    const event = await s.events.create(admin, eventInput(clock, { capacity: 1, signupMethod: 'invite' }));
    const [a, b] = await people('t', 2);
    await assert.rejects(s.signups.signUp(a!, event.id), (e: unknown) => e instanceof ForbiddenError && e.code === 'invite_only');
    await assert.rejects(s.signups.add(a!, event.id, b!.userId), ForbiddenError);
    const added = await s.signups.add(admin, event.id, a!.userId);
    assert.deepEqual([added.created, added.registration.status], [true, 'registered']);
    const second = await s.signups.add(admin, event.id, b!.userId);
    assert.equal(second.registration.status, 'waitlisted');
    await assert.rejects(s.signups.add(admin, event.id, 'nobody-known'), (e: unknown) => e instanceof NotFoundError && e.code === 'person_not_found');

    assert.equal((await s.signups.remove(admin, event.id, a!.userId)).status, 'removed');
    assert.equal((await s.signups.mine(b!, event.id)).status, 'registered');
    await assert.rejects(s.signups.signUp(a!, event.id), (e: unknown) => e instanceof ForbiddenError && e.code === 'registration_removed');
    await seatInvariants(event.id);
  });

  it('moves the newest registrations to the head of the waitlist when the capacity is lowered, and promotes when raised', async () => {
    const event = await s.events.create(admin, eventInput(clock, { capacity: 5 }));
    const seated = await people('u', 5);
    for (const p of seated) {
      await s.signups.signUp(p, event.id);
      clock.advance(1000);
    }
    const waiting = await people('w', 2);
    for (const p of waiting) await s.signups.signUp(p, event.id);

    const lowered = await s.events.update(admin, event.id, { capacity: 3 });
    assert.deepEqual([lowered.capacity, lowered.counts.registered, lowered.counts.waitlisted], [3, 3, 4]);
    const line = await s.signups.list(admin, event.id, { status: 'waitlisted' });
    assert.deepEqual(
      line.items.map((r) => [r.userId, r.position]),
      [['u-4', 1], ['u-5', 2], ['w-1', 3], ['w-2', 4]],
      'the two newest go to the head of the waitlist, earliest first, ahead of those already waiting',
    );
    await s.allocator.idle();
    const told = await NotificationModel.find({ kind: 'eventChanged', 'data.change': 'movedToWaitlist' }).lean();
    assert.deepEqual(told.map((n) => n.recipientId).sort(), ['u-4', 'u-5']);
    await seatInvariants(event.id);

    const raised = await s.events.update(admin, event.id, { capacity: 4 });
    assert.equal(raised.counts.registered, 4);
    assert.equal((await s.signups.mine(seated[3]!, event.id)).status, 'registered', 'the head of the line gets the new seat');
    await seatInvariants(event.id);

    const unlimited = await s.events.update(admin, event.id, { capacity: null });
    assert.deepEqual([unlimited.counts.registered, unlimited.counts.waitlisted, unlimited.seatsLeft], [7, 0, null]);
    assert.equal(await SeatClaimModel.countDocuments({ eventId: new Types.ObjectId(event.id) }), 0, 'unlimited events hold no seat claims');
    const limitedAgain = await s.events.update(admin, event.id, { capacity: 6 });
    assert.deepEqual([limitedAgain.counts.registered, limitedAgain.counts.waitlisted], [6, 1]);
    await seatInvariants(event.id);
  });

  it('refuses sign-ups after the deadline, for cancelled events and for events that have started', async () => {
    const [a] = await people('v', 1);
    const closing = await s.events.create(admin, eventInput(clock, { signupDeadline: new Date(clock.now().getTime() + 60_000) }));
    clock.advance(120_000);
    await assert.rejects(s.signups.signUp(a!, closing.id), (e: unknown) => e instanceof ConflictError && e.code === 'signup_closed');

    const cancelled = await s.events.create(admin, eventInput(clock));
    await s.events.cancel(admin, cancelled.id, 'De spreker is ziek.');
    await assert.rejects(s.signups.signUp(a!, cancelled.id), (e: unknown) => e instanceof ConflictError && e.code === 'event_cancelled');

    const soon = await s.events.create(admin, eventInput(clock, {}, 1));
    clock.advance(2 * 24 * 3_600_000);
    await assert.rejects(s.signups.signUp(a!, soon.id), (e: unknown) => e instanceof ConflictError && e.code === 'event_started');
    assert.equal(await RegistrationModel.countDocuments({ userId: a!.userId }), 0, 'nothing written');
  });

  it('repairs what a batch interrupted between its writes left behind: counts, arrival numbers and orphaned seats', async () => {
    const event = await s.events.create(admin, eventInput(clock, { capacity: 3 }));
    const [a, b, c, d] = await people('x', 4);
    for (const p of [a, b]) await s.signups.signUp(p!, event.id);
    const eventId = new Types.ObjectId(event.id);
    // As if a batch had written a claim and a registration and then died before its last write.
    const ghost = await RegistrationModel.create({ tenantId: admin.tenantId, eventId, userId: 'ghost', displayName: 'Ghost', status: 'waitlisted', seq: 3, queue: 3, statusChangedAt: new Date() });
    await SeatClaimModel.create({ tenantId: admin.tenantId, eventId, seat: 3, registrationId: new Types.ObjectId() });
    await EventModel.updateOne({ _id: eventId }, { $set: { 'allocation.dirty': true, counts: { registered: 0, waitlisted: 0, requested: 0 } } });

    const third = await s.signups.signUp(c!, event.id);
    assert.equal((await RegistrationModel.findById(ghost._id).lean())?.status, 'registered', 'the orphaned seat was released and went to the one waiting');
    assert.deepEqual([third.registration.status, third.registration.position], ['waitlisted', 1], 'the newcomer queues behind');
    await s.signups.cancelMine(a!, event.id);
    assert.equal((await s.signups.mine(c!, event.id)).status, 'registered');
    assert.equal((await s.signups.signUp(d!, event.id)).registration.status, 'waitlisted');
    await seatInvariants(event.id);
    const stored = await EventModel.findById(eventId).lean();
    assert.deepEqual(stored?.allocation, { lastSeq: 5, dirty: false, seats: { next: 4, free: [] } }, 'the three seats are held, and the bookkeeping says so again');
  });

  it('hands out seats from the event\'s bookkeeping without reading the seat claims, and reads them again after an interrupted batch', async () => {
    const event = await s.events.create(admin, eventInput(clock, { capacity: 5 }));
    const eventId = new Types.ObjectId(event.id);
    const crowd = await people('pool', 7);
    for (const p of crowd.slice(0, 3)) await s.signups.signUp(p, event.id);
    const find = sinon.spy(SeatClaimModel, 'find');
    try {
      await s.signups.cancelMine(crowd[1]!, event.id);
      for (const p of crowd.slice(3, 6)) await s.signups.signUp(p, event.id);
      assert.equal(find.callCount, 0, 'no seat claim was read while the bookkeeping was kept');
      assert.deepEqual((await EventModel.findById(eventId).lean())?.allocation?.seats, { next: 6, free: [] }, 'the freed seat 2 was given again before seat 5');
      await seatInvariants(event.id);
      // As if a batch had died between its writes: the bookkeeping is not trusted, the claims are read.
      await EventModel.updateOne({ _id: eventId }, { $set: { 'allocation.dirty': true } });
      await s.signups.cancelMine(crowd[0]!, event.id);
      assert.ok(find.callCount > 0, 'the claims were read after the interruption');
    } finally {
      find.restore();
    }
    assert.equal((await s.signups.signUp(crowd[6]!, event.id)).registration.status, 'registered');
    await seatInvariants(event.id);
  });

  it('recovers from free-seat bookkeeping that names a held seat: the sign-up fails without writing, the next one reads the claims', async () => {
    const event = await s.events.create(admin, eventInput(clock, { capacity: 4 }));
    const eventId = new Types.ObjectId(event.id);
    const [a, b, c, d] = await people('bad', 4);
    for (const p of [a, b]) await s.signups.signUp(p!, event.id);
    await EventModel.updateOne({ _id: eventId }, { $set: { 'allocation.seats': { next: 1, free: [] } } });
    const outcome = await s.signups.signUp(c!, event.id).then(
      (r) => r.registration.status,
      () => 'failed',
    );
    assert.equal(outcome, 'failed', 'the seat claim of a held seat is refused by the unique index');
    assert.equal(await RegistrationModel.countDocuments({ eventId, userId: c!.userId }), 0, 'the failed sign-up left no registration');
    assert.equal((await EventModel.findById(eventId).lean())?.allocation?.dirty, true, 'the event is marked for a recount');
    assert.equal((await s.signups.signUp(c!, event.id)).registration.status, 'registered');
    assert.equal((await s.signups.signUp(d!, event.id)).registration.status, 'registered');
    await seatInvariants(event.id);
  });

  it('records a round over several events once, and when it stops half-way, each event\'s next batch counts afresh and takes it out of the record', async () => {
    const allocator = new SeatAllocator({ now: clock.now });
    const [a, b, c, warmUp] = await Promise.all([0, 1, 2, 3].map(() => s.events.create(admin, eventInput(clock, { capacity: 4 }))));
    const ids = [a, b, c].map((e) => new Types.ObjectId(e!.id));
    const guest = (name: string) => ({ userId: name, displayName: name, email: null, organisation: null, isGuest: false });
    const signUp = (eventId: Types.ObjectId, name: string) => allocator.apply(admin.tenantId, eventId, { kind: 'signUp', person: guest(name) });
    // The first submission takes a round of its own; the three after it share the next one.
    const together = async (name: string) => {
      await allocator.idle();
      const first = signUp(new Types.ObjectId(warmUp!.id), `${name}-warm-up`);
      return Promise.allSettled([first, ...ids.map((id, i) => signUp(id, `${name}-${i}`))]);
    };
    // Records naming this test's events only: the file's other tests share the database.
    const mine = new Set(ids.map(String));
    const recordsOfMine = async () =>
      (await SeatRoundModel.find().lean()).map((r) => r.eventIds.map(String).filter((id) => mine.has(id)).sort()).filter((named) => named.length > 0);
    const written = await together('one');
    assert.ok(written.every((r) => r.status === 'fulfilled'));
    assert.deepEqual(await recordsOfMine(), [], 'a finished round leaves no record');
    assert.deepEqual((await Promise.all(ids.map((_id) => EventModel.findById(_id).lean()))).map((e) => e?.allocation?.dirty), [false, false, false]);

    // The middle event's bookkeeping names a held seat: the round's claims insert fails half-way
    // (before any registration; the other events' claims may be in).
    await EventModel.updateOne({ _id: ids[1] }, { $set: { 'allocation.seats': { next: 1, free: [] } } });
    const failed = await together('two');
    assert.deepEqual(failed.slice(1).map((r) => r.status), ['rejected', 'rejected', 'rejected'], 'the whole round failed');
    assert.deepEqual(await recordsOfMine(), [ids.map(String).sort()], 'one record names the three events');
    assert.deepEqual((await Promise.all(ids.map((_id) => EventModel.findById(_id).lean()))).map((e) => e?.allocation?.dirty), [false, false, false], 'no event was marked on its own');

    // Each event's next batch (a round of its own) counts afresh, releases what the failure left, and leaves the record.
    for (const [i, id] of ids.entries()) {
      assert.equal((await signUp(id, `three-${i}`)).registration.status, 'registered');
      await seatInvariants(String(id));
      const rest = ids.slice(i + 1).map(String).sort();
      assert.deepEqual(await recordsOfMine(), rest.length > 0 ? [rest] : []);
    }
    assert.deepEqual((await RegistrationModel.find({ eventId: ids[0] }).sort({ seq: 1 }).lean()).map((r) => [r.userId, r.seq, r.seat]), [
      ['one-0', 1, 1],
      ['three-0', 2, 2],
    ], 'seat 2 is given (again, if the failure left a claim on it), and arrival numbers have no gap');
    await allocator.idle();
  });

  it('keeps every invariant when two processes (two lock managers) take 120 sign-ups and 20 cancellations for 30 seats', async () => {
    const event = await s.events.create(admin, eventInput(clock, { capacity: 30 }));
    const eventId = new Types.ObjectId(event.id);
    const processA = new SeatAllocator({ locks: new DocumentLocks(), now: clock.now });
    const processB = new SeatAllocator({ locks: new DocumentLocks(), now: clock.now, maxBatch: 7 });
    const crowd = Array.from({ length: 120 }, (_, i) => ({ userId: `c-${i}`, displayName: `C ${i}`, email: `c${i}@x.example`, organisation: null, isGuest: false }));
    const signUps = crowd.map((p, i) => (i % 2 === 0 ? processA : processB).apply(admin.tenantId, eventId, { kind: 'signUp', person: p }));
    const cancels = crowd.slice(0, 20).map((p, i) => (i % 2 === 0 ? processB : processA).apply(admin.tenantId, eventId, { kind: 'cancel', userId: p.userId }).catch((e: unknown) => e));
    await Promise.all([...signUps, ...cancels]);
    await Promise.all([processA.idle(), processB.idle()]);

    const all = await RegistrationModel.find({ eventId }).lean();
    assert.equal(all.length, 120, 'one registration per person');
    assert.equal(new Set(all.map((r) => r.seq)).size, 120, 'distinct arrival numbers');
    const registered = all.filter((r) => r.status === 'registered');
    const waitlisted = all.filter((r) => r.status === 'waitlisted').sort((x, y) => x.queue - y.queue);
    assert.equal(registered.length, 30, 'every seat taken while people wait');
    const promoted = registered.filter((r) => r.promotedAt !== null);
    assert.ok(promoted.every((p) => waitlisted.every((w) => p.queue < w.queue)), 'only people ahead in line were promoted');
    assert.deepEqual(waitlisted.map((w) => w.queue), waitlisted.map((w) => w.seq), 'the waitlist is in arrival order');
    await seatInvariants(event.id);
  });

  it('writes sign-ups for many events in shared rounds, each event exact, and two processes on overlapping events never wait for each other forever', async () => {
    const events = await Promise.all(Array.from({ length: 6 }, (_, i) => s.events.create(admin, eventInput(clock, { title: `Ronde ${i}`, capacity: 5, waitlist: true }))));
    const ids = events.map((e) => new Types.ObjectId(e.id));
    const locksA = new DocumentLocks();
    const locksB = new DocumentLocks();
    const roundsA = sinon.spy(locksA, 'withLocks');
    const processA = new SeatAllocator({ locks: locksA, now: clock.now });
    const processB = new SeatAllocator({ locks: locksB, now: clock.now, maxEvents: 4 });
    const crowd = Array.from({ length: 96 }, (_, i) => ({ userId: `r-${i}`, displayName: `R ${i}`, email: null, organisation: null, isGuest: false }));
    // Person i signs up for event i % 6, through A or B; B's rounds take four events at most, in another order.
    const outcomes = await Promise.all(crowd.map((p, i) => (i % 3 === 0 ? processB : processA).apply(admin.tenantId, ids[i % 6] as Types.ObjectId, { kind: 'signUp', person: p })));
    await Promise.all([processA.idle(), processB.idle()]);

    assert.ok(outcomes.every((o) => o.created), 'everyone signed up once');
    assert.ok(roundsA.callCount <= 3, `process A wrote 64 sign-ups for 6 events in ${roundsA.callCount} rounds, not one per event`);
    assert.ok(roundsA.getCalls().some((c) => (c.args[0] as string[]).length > 1), 'a round holds several events');
    for (const [i, id] of ids.entries()) {
      const rows = await RegistrationModel.find({ eventId: id }).lean();
      assert.equal(rows.length, 16, `event ${i}: one registration per person`);
      assert.deepEqual(new Set(rows.map((r) => r.userId)), new Set(crowd.filter((_, j) => j % 6 === i).map((p) => p.userId)), `event ${i}: exactly its own people`);
      const waitlisted = rows.filter((r) => r.status === 'waitlisted').sort((x, y) => x.queue - y.queue);
      assert.equal(waitlisted.length, 11, `event ${i}: the rest wait`);
      assert.deepEqual(waitlisted.map((w) => w.queue), waitlisted.map((w) => w.seq), `event ${i}: the waitlist is in arrival order`);
      assert.ok(rows.filter((r) => r.status === 'registered').every((r) => waitlisted.every((w) => r.seq < w.seq)), `event ${i}: the first to arrive have the seats`);
      await seatInvariants(String(id));
    }

    // Cancellations in shared rounds: each event's seat claims are released per event (its own
    // equality, which FerretDB can use), and the first in each line takes the seat.
    const seated = await Promise.all(ids.map((id) => RegistrationModel.find({ eventId: id, status: 'registered' }).sort({ seq: 1 }).limit(2).lean()));
    const firstInLine = await Promise.all(ids.map((id) => RegistrationModel.find({ eventId: id, status: 'waitlisted' }).sort({ queue: 1 }).limit(2).lean()));
    const rounds = roundsA.callCount;
    await Promise.all(seated.flatMap((rows, i) => rows.map((r) => processA.apply(admin.tenantId, ids[i] as Types.ObjectId, { kind: 'cancel', userId: r.userId }))));
    await processA.idle();
    assert.ok(roundsA.getCalls().slice(rounds).some((c) => (c.args[0] as string[]).length > 1), 'the cancellations share a round');
    for (const [i, id] of ids.entries()) {
      const promoted = await Promise.all((firstInLine[i] ?? []).map((r) => RegistrationModel.findById(r._id).lean()));
      assert.deepEqual(promoted.map((r) => r?.status), ['registered', 'registered'], `event ${i}: the first two in line have the freed seats`);
      await seatInvariants(String(id));
    }
  });

  it('hands a round\'s committed batches to the after-commit work together, after answering, and starts the next round after it', async () => {
    const events = await Promise.all(Array.from({ length: 3 }, (_, i) => s.events.create(admin, eventInput(clock, { title: `Na ${i}`, capacity: 10 }))));
    const [first, second, third] = events.map((e) => new Types.ObjectId(e.id)) as [Types.ObjectId, Types.ObjectId, Types.ObjectId];
    const calls: string[][] = [];
    let releaseFirst!: () => void;
    const firstHeld = new Promise<void>((resolve) => (releaseFirst = resolve));
    const allocator = new SeatAllocator({
      now: clock.now,
      onCommitted: async (committed) => {
        calls.push(committed.map((c) => String(c.event._id)).sort());
        if (calls.length === 1) await firstHeld;
      },
    });
    const signUp = (id: Types.ObjectId, userId: string) => allocator.apply(admin.tenantId, id, { kind: 'signUp', person: { userId, displayName: userId, email: null, organisation: null, isGuest: false } });
    assert.equal((await signUp(first, 'na-a')).registration.status, 'registered', 'answered before the after-commit work ends');
    while (calls.length === 0) await new Promise((resolve) => setImmediate(resolve));
    // While the first round's after-commit work is held, three more sign-ups queue.
    let laterDone = false;
    const later = Promise.all([signUp(first, 'na-b'), signUp(second, 'na-c'), signUp(third, 'na-d')]).then((outcomes) => {
      laterDone = true;
      return outcomes;
    });
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(laterDone, false, 'no next round while the after-commit work runs');
    let idle = false;
    const waited = allocator.idle().then(() => (idle = true));
    await new Promise((resolve) => setTimeout(resolve, 20));
    assert.equal(idle, false, 'idle waits for the after-commit work');
    releaseFirst();
    assert.ok((await later).every((o) => o.registration.status === 'registered'));
    await waited;
    assert.deepEqual(calls, [[String(first)], [String(first), String(second), String(third)].sort()], 'one call per round, with all of its events');
  });
});

