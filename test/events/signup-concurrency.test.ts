/**
 * The sign-up invariants under load, through the HTTP API: 1,000 distinct people sign up at
 * once for a 100-seat event while 200 of them cancel again (as soon as their answer is in, or
 * blindly at the same time), then every invariant is checked against the store.
 */
import assert from 'node:assert/strict';
import { Agent, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import mongoose, { Types } from 'mongoose';
import { EventModel } from '../../src/events/event.model.js';
import type { EventsServices } from '../../src/events/events.module.js';
import { RegistrationModel, SeatClaimModel } from '../../src/events/registration.model.js';
import { NotificationModel } from '../../src/notifications/notification.model.js';
import { useTestDatabase } from '../support/database.js';
import { actorHeader } from '../support/test-actor.js';
import { eventInput, TEST_ACTOR_HEADER, eventsApp, person, services, syncEventIndexes, testClock } from './events-fixtures.js';

interface Call {
  userId: string;
  sentAt: number;
  receivedAt: number;
  status: number;
  body: { status?: string; position?: number; code?: string };
}

describe('1,000 concurrent sign-ups for 100 seats, with cancellations, through HTTP', function () {
  this.timeout(180_000);
  useTestDatabase('event_burst');
  let s: EventsServices;
  let server: Server;
  let base: string;

  before(async () => {
    await syncEventIndexes();
    s = services(testClock());
    // A backlog for a thousand connections arriving at once.
    server = eventsApp(s).listen(0, '127.0.0.1', 2048);
    await new Promise((resolve) => server.once('listening', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1`;
  });
  after(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('never overbooks, never duplicates, keeps arrival order and hands every freed seat to exactly one waiting person', async () => {
    const admin = await person('burst-admin', { isOrgAdmin: true });
    const created = await fetch(`${base}/events`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', [TEST_ACTOR_HEADER]: actorHeader(admin) },
      body: JSON.stringify(eventInput(testClock(), { capacity: 100, title: 'Mestwetgeving 2027' })),
    });
    assert.equal(created.status, 201);
    const event = (await created.json()) as { id: string };
    const eventId = new Types.ObjectId(event.id);

    const userIds = Array.from({ length: 1000 }, (_, i) => `farmer-${String(i).padStart(4, '0')}`);
    // 150 cancel as soon as their answer is in; 50 cancel blindly at the same time as signing up.
    const cancelAfter = new Set(userIds.filter((_, i) => i % 20 === 3 || i % 20 === 11 || i % 20 === 17));
    const cancelBlind = new Set(userIds.filter((_, i) => i % 20 === 7));
    const calls: Call[] = [];
    const cancels: Promise<number>[] = [];
    const agent = new Agent({ keepAlive: true, maxSockets: 2000 });
    const call = async (method: 'POST' | 'DELETE', userId: string, path: string): Promise<Call> => {
      const sentAt = performance.now();
      const headers = { 'Content-Type': 'application/json', [TEST_ACTOR_HEADER]: actorHeader({ userId, name: `Boer ${userId}` }) };
      const answer = await send(agent, method, `${base}/events/${event.id}/${path}`, headers, method === 'POST' ? '{}' : undefined);
      return { userId, sentAt, receivedAt: performance.now(), status: answer.status, body: JSON.parse(answer.text) as Call['body'] };
    };

    const signUps: Promise<void>[] = [];
    for (const [i, userId] of userIds.entries()) {
      signUps.push(
        call('POST', userId, 'registrations').then((c) => {
          calls.push(c);
          if (cancelAfter.has(userId)) cancels.push(call('DELETE', userId, 'registrations/me').then((r) => r.status));
        }),
      );
      if (cancelBlind.has(userId)) cancels.push(call('DELETE', userId, 'registrations/me').then((r) => r.status));
      // Requests go out over about two seconds (all 1,000 are in flight together: answering
      // takes longer), so that early answers come back while later requests are still going out.
      if (i % 25 === 24) await new Promise((resolve) => setTimeout(resolve, 50));
    }
    await Promise.all(signUps);
    const cancelStatuses = await Promise.all(cancels);
    await s.allocator.idle();

    // Every request was answered as the contract says.
    assert.equal(calls.length, 1000);
    assert.deepEqual([...new Set(calls.map((c) => c.status))], [201], 'every sign-up was accepted (a seat or the waitlist)');
    assert.ok(cancelStatuses.every((st) => st === 200 || st === 404), `cancellations answer 200, or 404 when they overtook the sign-up: ${[...new Set(cancelStatuses)].join(',')}`);
    for (const c of calls) {
      if (c.body.status === 'waitlisted') assert.ok(Number.isInteger(c.body.position) && (c.body.position ?? 0) >= 1 && (c.body.position ?? 0) <= 900);
      else assert.equal(c.body.status, 'registered');
    }
    assert.equal(calls.filter((c) => c.body.status === 'registered').length >= 100, true, 'the first hundred got seats at once');

    const all = await RegistrationModel.find({ eventId }).lean();
    const registered = all.filter((r) => r.status === 'registered');
    const waitlisted = all.filter((r) => r.status === 'waitlisted');
    const cancelled = all.filter((r) => r.status === 'cancelled');

    // Never two registrations for one person and event.
    assert.equal(all.length, 1000);
    assert.equal(new Set(all.map((r) => r.userId)).size, 1000);
    assert.equal(new Set(all.map((r) => r.seq)).size, 1000, 'every sign-up has its own arrival number');

    // Never more registered than capacity, and no seat left empty while people wait.
    assert.equal(registered.length, 100, 'exactly the capacity is registered');
    const claims = await SeatClaimModel.find({ eventId }).lean();
    assert.equal(claims.length, 100);
    assert.deepEqual(claims.map((c) => c.seat).sort((a, b) => a - b), Array.from({ length: 100 }, (_, i) => i + 1), 'seats 1..100, each once');
    assert.deepEqual(claims.map((c) => String(c.registrationId)).sort(), registered.map((r) => String(r._id)).sort(), 'each registered person holds one seat');
    const cancelledIds = new Set(cancelled.map((r) => r.userId));
    assert.ok([...cancelAfter].every((id) => cancelledIds.has(id)), 'every cancellation after an answer took effect');
    assert.equal(registered.length + waitlisted.length + cancelled.length, 1000);

    // Waitlist order is arrival order: the line is sorted by arrival, everyone seated on
    // arrival came before everyone who had to wait, and promotions took the head of the line.
    const byQueue = [...waitlisted].sort((a, b) => a.queue - b.queue);
    assert.deepEqual(byQueue.map((r) => r.queue), byQueue.map((r) => r.seq));
    // Nobody got a seat on arrival while someone who came earlier was still waiting (early
    // cancellations may free seats before anyone waits, so more than 100 can be seated on arrival).
    const seatedOnArrival = all.filter((r) => r.registeredAt !== null && r.promotedAt === null);
    assert.ok(seatedOnArrival.length >= 100);
    assert.ok(Math.max(...seatedOnArrival.map((r) => r.seq)) < Math.min(...waitlisted.map((r) => r.seq)), 'seated on arrival only ahead of everyone still waiting');
    const promoted = all.filter((r) => r.promotedAt !== null);
    assert.ok(promoted.every((p) => waitlisted.every((w) => p.queue < w.queue)), 'nobody was promoted past someone ahead of them');
    // What the clients saw agrees: whoever had their waitlist answer before another person
    // even asked is ahead of that person.
    const finalQueue = new Map(all.map((r) => [r.userId, r.queue]));
    const answered = calls.filter((c) => c.body.status === 'waitlisted').sort((a, b) => a.receivedAt - b.receivedAt);
    const asked = [...answered].sort((a, b) => a.sentAt - b.sentAt);
    let i = 0;
    let maxQueueAnswered = -Infinity;
    let checkedPairs = 0;
    for (const later of asked) {
      while (i < answered.length && (answered[i]?.receivedAt ?? Infinity) < later.sentAt) maxQueueAnswered = Math.max(maxQueueAnswered, finalQueue.get(answered[i++]!.userId) ?? -Infinity);
      if (maxQueueAnswered > -Infinity) {
        checkedPairs++;
        assert.ok(maxQueueAnswered < (finalQueue.get(later.userId) ?? -Infinity), `${later.userId} was placed ahead of someone answered before it asked`);
      }
    }
    // (How many pairs that compares depends on the machine's speed; the late-comers below are checked in any case.)
    void checkedPairs;

    // A cancelled seat goes to exactly one waiting person.
    // Every seat given up went to exactly one person (someone waiting when anyone was, else the
    // next arrival): seats handed out minus seats given up is exactly the capacity.
    const seatsGivenUp = cancelled.filter((r) => r.registeredAt !== null).length;
    assert.ok(seatsGivenUp > 0 && promoted.length > 0, 'seats were given up and passed on');
    assert.equal(seatedOnArrival.length + promoted.length - seatsGivenUp, 100, 'no seat lost, none given twice');
    const told = await NotificationModel.find({ kind: 'eventPromoted', 'subject.id': event.id }).lean();
    assert.deepEqual(told.map((n) => n.recipientId).sort(), promoted.map((r) => r.userId).sort(), 'each promoted person heard about it, once');

    // Late-comers, one after another, line up behind everyone, in the order they asked.
    const late: Call[] = [];
    for (let n = 0; n < 10; n++) late.push(await call('POST', `late-${n}`, 'registrations'));
    assert.deepEqual(late.map((c) => [c.status, c.body.status, c.body.position]), late.map((_, n) => [201, 'waitlisted', waitlisted.length + n + 1]));
    const lateRows = await RegistrationModel.find({ eventId, userId: mongoose.trusted({ $in: late.map((c) => c.userId) }) }).lean();
    const lateQueue = new Map(lateRows.map((r) => [r.userId, r.queue]));
    assert.ok(late.every((c, n) => n === 0 || (lateQueue.get(c.userId) ?? 0) > (lateQueue.get(late[n - 1]!.userId) ?? Infinity)));
    assert.ok(Math.min(...lateRows.map((r) => r.queue)) > Math.max(...waitlisted.map((r) => r.queue)));

    const stored = await EventModel.findById(eventId).lean();
    assert.deepEqual({ ...stored?.counts }, { registered: 100, waitlisted: waitlisted.length + 10, requested: 0 }, 'the event shows the true counts');
    const view = (await (await fetch(`${base}/events/${event.id}`, { headers: { [TEST_ACTOR_HEADER]: actorHeader({ userId: 'farmer-0000' }) } })).json()) as { seatsLeft: number };
    assert.equal(view.seatsLeft, 0);
  });
});

/** One HTTP request through `agent` (node:http, so a thousand sockets can be open at once). */
function send(agent: Agent, method: string, url: string, headers: Record<string, string>, body?: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers, agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}
