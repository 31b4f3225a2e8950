/**
 * The calendar outbox against the local Graph stand-in: Teams meetings for online events,
 * attendees coalesced into few requests, faults (429 with Retry-After, 503, dropped
 * connections) survived without loss or duplicates, at most 4 requests per mailbox at once,
 * and Outlook reconciled with the registrations.
 */
import assert from 'node:assert/strict';
import { Types } from 'mongoose';
import sinon from 'sinon';
import { documentLocks } from '../../src/db/document-lock.js';
import type { Actor } from '../../src/auth/actor.js';
import { CalendarOutbox } from '../../src/events/calendar-outbox.js';
import { CalendarSyncModel } from '../../src/events/calendar-sync.model.js';
import { EventModel } from '../../src/events/event.model.js';
import type { EventsServices } from '../../src/events/events.module.js';
import { LocalCalendarEventModel, LocalCalendarGateway } from '../../src/events/local-calendar.gateway.js';
import { RegistrationModel } from '../../src/events/registration.model.js';
import type { AttendeeListChange, CalendarAttendee, CalendarEventInput, CalendarEventPatch, CalendarGateway } from '../../src/graph/calendar-gateway.js';
import { GraphCalendarGateway } from '../../src/graph/calendar-gateway.js';
import { createGraphClient, type GraphClient } from '../../src/graph/graph-client.js';
import { useTestDatabase } from '../support/database.js';
import { startGraphServer, type GraphServer, type RecordedRequest } from '../support/graph-server.js';
import { clearEvents, eventInput, person, PUBLIC_URL, services, silentLogger, syncEventIndexes, testClock, type TestClock } from './events-fixtures.js';

/** Counts calls in flight, a `$batch` counting one per event in it. */
class CountingGateway implements CalendarGateway {
  inFlight = 0;
  maxInFlight = 0;
  calls: string[] = [];
  constructor(private readonly inner: CalendarGateway) {}
  private async track<T>(name: string, units: number, call: () => Promise<T>): Promise<T> {
    this.calls.push(name);
    this.inFlight += units;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    try {
      return await call();
    } finally {
      this.inFlight -= units;
    }
  }
  createEvent(mailbox: string, event: CalendarEventInput) {
    return this.track('createEvent', 1, () => this.inner.createEvent(mailbox, event));
  }
  updateEvent(mailbox: string, id: string, patch: CalendarEventPatch) {
    return this.track('updateEvent', 1, () => this.inner.updateEvent(mailbox, id, patch));
  }
  cancelEvent(mailbox: string, id: string, comment: string) {
    return this.track('cancelEvent', 1, () => this.inner.cancelEvent(mailbox, id, comment));
  }
  setAttendees(mailbox: string, id: string, attendees: CalendarAttendee[]) {
    return this.track('setAttendees', 1, () => this.inner.setAttendees(mailbox, id, attendees));
  }
  setAttendeesMany(mailbox: string, changes: AttendeeListChange[]) {
    return this.track('setAttendeesMany', changes.length, () => this.inner.setAttendeesMany(mailbox, changes));
  }
  getEvent(mailbox: string, id: string) {
    return this.track('getEvent', 1, () => this.inner.getEvent(mailbox, id));
  }
}

describe('calendar outbox (Graph stand-in)', function () {
  this.timeout(120_000);
  useTestDatabase('event_calendar');
  let server: GraphServer;
  let graph: GraphClient;
  let gateway: CountingGateway;
  let clock: TestClock;
  let s: EventsServices;
  let admin: Actor;
  let members: Actor[];
  let guest: Actor;

  before(async () => {
    await syncEventIndexes();
    server = await startGraphServer({ validToken: 'app-token' });
    graph = createGraphClient({ baseUrl: server.baseUrl, getAccessToken: async () => 'app-token', retry: { maxAttempts: 2, baseDelayMs: 5, maxDelayMs: 20, maxRetryAfterMs: 50, attemptTimeoutMs: 5_000 } });
    admin = await person('organiser', { isOrgAdmin: true, name: 'Olga Organisator', mail: 'olga@waterschap.example' });
    members = await Promise.all(Array.from({ length: 100 }, (_, i) => person(`m${i}`, { name: `Lid ${i}`, mail: `lid${i}@waterschap.example` })));
    guest = await person('guest', { isGuest: true, name: 'Gast', mail: 'gast@lto.example' });
  });
  after(async () => {
    await server.stop();
  });
  beforeEach(async () => {
    await clearEvents();
    server.reset();
    server.addUser({ id: 'organiser', displayName: 'Olga Organisator', mail: 'olga@waterschap.example' });
    clock = testClock();
    gateway = new CountingGateway(new GraphCalendarGateway({ graph }));
    s = services(clock, { calendarGateway: gateway });
  });

  const eventRequests = (r: RecordedRequest) => r.path.includes('/events');
  const attendeesOf = (eventId: string) => ((server.event('organiser', eventId)?.attendees ?? []) as { emailAddress: { address: string } }[]).map((a) => a.emailAddress.address).sort();
  async function registeredEmails(eventId: string): Promise<string[]> {
    const rows = await RegistrationModel.find({ eventId: new Types.ObjectId(eventId), status: 'registered', isGuest: false }).lean();
    return rows.map((r) => r.email ?? '').sort();
  }
  async function outlookId(eventId: string): Promise<string> {
    const id = (await EventModel.findById(eventId).lean())?.calendar?.eventId;
    assert.ok(id, 'the Outlook id is stored');
    return id;
  }

  it('creates the Teams meeting in the organiser\'s calendar for an online event and stores its id and join URL', async () => {
    const event = await s.events.create(admin, eventInput(clock, { online: true, location: null, capacity: 100 }));
    await s.outbox.drainUntilIdle();
    const id = await outlookId(event.id);
    const outlook = server.event('organiser', id);
    assert.equal(outlook?.isOnlineMeeting, true);
    assert.equal(outlook?.onlineMeetingProvider, 'teamsForBusiness');
    assert.equal(outlook?.subject, 'Kennissessie bodemvruchtbaarheid');
    assert.match(String((outlook?.body as { content: string }).content), new RegExp(`https://meent\\.test/tab/#/event/${event.id}`), 'the invitation links back to Meent');
    const view = await s.events.get(admin, event.id);
    assert.match(view.joinUrl ?? '', /^https:\/\/teams\.microsoft\.com\/l\/meetup-join\//);
    assert.equal((await s.events.get(members[0]!, event.id)).joinUrl, null, 'no join link before signing up');
    assert.equal(await CalendarSyncModel.countDocuments({ pending: true }), 0);
  });

  it('puts 100 members into the Outlook event with two Graph requests, guests not included', async () => {
    const event = await s.events.create(admin, eventInput(clock, { online: true, location: null, capacity: 150, guestsAllowed: true }));
    await Promise.all([...members, guest].map((m) => s.signups.signUp(m, event.id)));
    await s.allocator.idle();
    server.requests.length = 0;
    await s.outbox.drainUntilIdle();
    const id = await outlookId(event.id);
    assert.equal(attendeesOf(id).length, 100);
    assert.deepEqual(attendeesOf(id), await registeredEmails(event.id));
    assert.ok(!attendeesOf(id).includes('gast@lto.example'), 'guests get an .ics instead');
    const graphRequests = server.count(eventRequests);
    assert.ok(graphRequests <= 2, `100 attendees took ${graphRequests} requests`);
  });

  it('coalesces sign-ups and cancellations into one attendee update, and ends equal to the registrations', async () => {
    const event = await s.events.create(admin, eventInput(clock, { capacity: 20 }));
    await s.outbox.drainUntilIdle();
    const id = await outlookId(event.id);
    server.requests.length = 0;
    const crowd = members.slice(0, 30);
    await Promise.all(crowd.map((m) => s.signups.signUp(m, event.id)));
    await Promise.all(crowd.slice(0, 10).map((m) => s.signups.cancelMine(m, event.id)));
    await s.allocator.idle();
    assert.equal(await CalendarSyncModel.countDocuments({ pending: true }), 1, 'one pending job for the event');
    await s.outbox.drainUntilIdle();
    assert.equal(server.count((r) => r.method === 'PATCH' && eventRequests(r)), 1, 'one attendee PATCH');
    assert.deepEqual(attendeesOf(id), await registeredEmails(event.id));
    assert.equal(attendeesOf(id).length, 20);
  });

  it('takes the outbox requests of a round of sign-ups over several events with one lock round, one job per event, and ends equal to the registrations', async () => {
    const events = await Promise.all(Array.from({ length: 4 }, (_, i) => s.events.create(admin, eventInput(clock, { title: `Ronde ${i}`, capacity: 20 }))));
    await s.outbox.drainUntilIdle();
    const lockRounds = sinon.spy(documentLocks, 'withLocks');
    try {
      // Ten people per event at once: the allocator takes them in shared rounds.
      await Promise.all(events.flatMap((event, e) => members.slice(e * 10, e * 10 + 10).map((m) => s.signups.signUp(m, event.id))));
      await s.allocator.idle();
    } finally {
      sinon.restore();
    }
    const outboxRounds = lockRounds.getCalls().filter((c) => (c.args[0] as string[]).some((k) => k.startsWith('event_calendar_sync:')));
    assert.ok(outboxRounds.length >= 1 && outboxRounds.length <= 3, `outbox lock rounds: ${outboxRounds.length}`);
    assert.ok(outboxRounds.some((c) => (c.args[0] as string[]).length > 1), 'one lock round covers several events');
    const jobs = await CalendarSyncModel.find({ pending: true }).lean();
    assert.deepEqual(jobs.map((j) => String(j.eventId)).sort(), events.map((e) => e.id).sort(), 'one pending job per event');
    assert.ok(jobs.every((j) => j.attendees && j.mailbox === 'organiser' && j.demand >= 1));
    await s.outbox.drainUntilIdle();
    for (const event of events) assert.deepEqual(attendeesOf(await outlookId(event.id)), await registeredEmails(event.id));
  });

  it('raises each job\'s demand once per request, also for an event named twice, and asks nothing for an event without a mailbox', async () => {
    const outbox = s.outbox;
    const withMailbox = [new Types.ObjectId(), new Types.ObjectId()].map((_id) => ({ _id, tenantId: admin.tenantId, calendar: { mailbox: 'organiser' } }));
    const without = { _id: new Types.ObjectId(), tenantId: admin.tenantId, calendar: { mailbox: null } };
    await outbox.requestSyncs([...withMailbox, withMailbox[0] as (typeof withMailbox)[number], without], { attendees: true });
    await outbox.requestSyncs([withMailbox[1] as (typeof withMailbox)[number]], { verify: true });
    const jobs = await CalendarSyncModel.find({}).sort({ demand: 1 }).lean();
    assert.deepEqual(
      jobs.map((j) => ({ eventId: String(j.eventId), demand: j.demand, attendees: j.attendees, verify: j.verify, pending: j.pending })),
      [
        { eventId: String(withMailbox[0]?._id), demand: 1, attendees: true, verify: false, pending: true },
        { eventId: String(withMailbox[1]?._id), demand: 2, attendees: true, verify: true, pending: true },
      ],
    );
  });

  it('waits out Graph\'s Retry-After in the outbox, without hammering, then succeeds', async () => {
    const event = await s.events.create(admin, eventInput(clock));
    server.failNext({ status: 429, retryAfter: 120, match: (r) => r.method === 'POST' && eventRequests(r) });
    const first = await s.outbox.drain();
    assert.deepEqual([first.synced, first.retrying], [0, 1]);
    const job = await CalendarSyncModel.findOne({ eventId: new Types.ObjectId(event.id) }).lean();
    assert.equal(job?.dueAt.getTime(), clock.now().getTime() + 120_000, 'due again when Graph said');
    const posts = server.count((r) => r.method === 'POST' && eventRequests(r));
    assert.equal((await s.outbox.drain()).synced, 0);
    assert.equal(server.count((r) => r.method === 'POST' && eventRequests(r)), posts, 'nothing sent before Retry-After has passed');
    // A new sign-up does not hurry a job that waits for Graph.
    await s.signups.signUp(members[0]!, event.id);
    await s.allocator.idle();
    assert.equal((await CalendarSyncModel.findOne({ eventId: new Types.ObjectId(event.id) }).lean())?.dueAt.getTime(), clock.now().getTime() + 120_000);
    clock.advance(121_000);
    await s.outbox.drainUntilIdle();
    assert.deepEqual(attendeesOf(await outlookId(event.id)), ['lid0@waterschap.example']);
    assert.equal(server.eventsOf('organiser').length, 1);
  });

  it('loses nothing while Graph is down for minutes (503s and dropped connections), and duplicates nothing', async () => {
    const event = await s.events.create(admin, eventInput(clock, { capacity: 10 }));
    server.failNext({ status: 503, times: 16 });
    server.dropConnections(6);
    for (const m of members.slice(0, 15)) await s.signups.signUp(m, event.id);
    await s.allocator.idle();
    // Twenty minutes of trying, a minute at a time, while people keep cancelling.
    for (let minute = 0; minute < 20; minute++) {
      await s.outbox.drain();
      clock.advance(60_000);
      if (minute === 5) await s.signups.cancelMine(members[2]!, event.id);
    }
    assert.ok(server.count((r) => r.status === 503) >= 10, 'Graph was down throughout');
    // Graph comes back once the faults are used up; the job runs when it is next due (backoff
    // grows to 15 minutes between attempts).
    for (let minute = 0; minute < 180 && (await CalendarSyncModel.countDocuments({ pending: true })) > 0; minute++) {
      await s.outbox.drain();
      clock.advance(60_000);
    }
    assert.ok(server.count((r) => r.status === 503) > 0 && server.count((r) => r.status === 0) > 0, 'the faults happened');
    assert.equal(server.eventsOf('organiser').length, 1, 'one Outlook event');
    const id = await outlookId(event.id);
    assert.deepEqual(attendeesOf(id), await registeredEmails(event.id));
    assert.equal(attendeesOf(id).length, 10);
    assert.equal(await CalendarSyncModel.countDocuments({ pending: true }), 0);
  });

  it('makes one Outlook event when the create was applied but its answer was lost', async () => {
    await s.events.create(admin, eventInput(clock, { online: true, location: null }));
    server.dropConnections(2, (r) => r.method === 'POST' && eventRequests(r), 'after');
    await s.outbox.drain();
    clock.advance(60_000);
    await s.outbox.drainUntilIdle();
    assert.equal(server.count((r) => r.method === 'POST' && eventRequests(r)) >= 2, true, 'the create was sent again');
    assert.equal(server.eventsOf('organiser').length, 1, 'Graph\'s transactionId kept it to one event');
  });

  it('updates Outlook when the time changes and cancels it when the event is cancelled', async () => {
    const event = await s.events.create(admin, eventInput(clock));
    await s.signups.signUp(members[0]!, event.id);
    await s.allocator.idle();
    await s.outbox.drainUntilIdle();
    const id = await outlookId(event.id);
    const start = new Date(new Date(event.start).getTime() + 2 * 3_600_000);
    await s.events.update(admin, event.id, { start, end: new Date(start.getTime() + 3_600_000), title: 'Verplaatst' });
    await s.outbox.drainUntilIdle();
    const outlook = server.event('organiser', id);
    assert.equal(outlook?.subject, 'Verplaatst');
    assert.equal((outlook?.start as { dateTime: string }).dateTime, `${start.toISOString().slice(0, 19)}.0000000`);
    assert.deepEqual(attendeesOf(id), ['lid0@waterschap.example']);

    await s.events.cancel(admin, event.id, 'Te weinig aanmeldingen');
    await s.outbox.drainUntilIdle();
    assert.deepEqual(server.cancellations.map((c) => [c.eventId, c.comment]), [[id, 'Te weinig aanmeldingen']]);
    assert.equal((await EventModel.findById(event.id).lean())?.calendar?.cancelled, true);
  });

  it('makes the Outlook event anew when the organiser deleted it, and reconciles attendees changed in Outlook', async () => {
    const event = await s.events.create(admin, eventInput(clock));
    for (const m of members.slice(0, 3)) await s.signups.signUp(m, event.id);
    await s.allocator.idle();
    await s.outbox.drainUntilIdle();
    const first = await outlookId(event.id);

    // Someone edits the attendees in Outlook: reconciliation puts them back.
    await gateway.setAttendees('organiser', first, [{ email: 'stranger@elders.example' }]);
    assert.equal(await s.outbox.reconcile(), 1);
    await s.outbox.drainUntilIdle();
    assert.deepEqual(attendeesOf(first), await registeredEmails(event.id));

    await graph.api(`/users/organiser/events/${encodeURIComponent(first)}`).delete();
    await s.signups.signUp(members[3]!, event.id);
    await s.allocator.idle();
    await s.outbox.drainUntilIdle();
    const second = await outlookId(event.id);
    assert.notEqual(second, first);
    assert.deepEqual(attendeesOf(second), await registeredEmails(event.id));
    assert.equal(server.eventsOf('organiser').length, 1);
  });

  it('sends the attendee lists of many events of one mailbox in $batch requests, never more than 4 at once', async () => {
    const events = [];
    for (let i = 0; i < 10; i++) events.push(await s.events.create(admin, eventInput(clock, { title: `Sessie ${i}` }, 5 + i)));
    await s.outbox.drainUntilIdle();
    assert.ok(gateway.maxInFlight <= 4, `creates: ${gateway.maxInFlight} at once`);
    gateway.maxInFlight = 0;
    server.requests.length = 0;
    for (const [i, e] of events.entries()) await s.signups.signUp(members[i]!, e.id);
    await s.allocator.idle();
    await s.outbox.drainUntilIdle();
    assert.ok(gateway.maxInFlight <= 4, `attendees: ${gateway.maxInFlight} at once`);
    const envelopes = server.count((r) => r.method === 'POST' && r.path === '/v1.0/$batch');
    assert.equal(envelopes, 3, '10 lists in batches of at most 4');
    assert.equal(server.count((r) => r.via === 'batch' && r.method === 'PATCH'), 10);
    for (const [i, e] of events.entries()) assert.deepEqual(attendeesOf(await outlookId(e.id)), [`lid${i}@waterschap.example`]);
  });

  it('lets only one worker at a time work a mailbox, so two workers make no duplicates', async () => {
    for (let i = 0; i < 6; i++) await s.events.create(admin, eventInput(clock, { title: `Sessie ${i}` }, 5 + i));
    const other = new CalendarOutbox({ gateway, publicUrl: PUBLIC_URL, now: clock.now, logger: silentLogger });
    const [a, b] = await Promise.all([s.outbox.drain(), other.drain()]);
    assert.equal(a.synced + b.synced, 6);
    assert.equal(a.skipped + b.skipped, 6, 'the other worker skipped the busy mailbox');
    assert.equal(server.eventsOf('organiser').length, 6);
  });

  it('runs the same flows against the local calendar in local mode', async () => {
    const local = services(clock, { calendarGateway: new LocalCalendarGateway() });
    const event = await local.events.create(admin, eventInput(clock, { capacity: 2 }));
    for (const m of members.slice(0, 3)) await local.signups.signUp(m, event.id);
    await local.allocator.idle();
    await local.outbox.drainUntilIdle();
    const stored = await LocalCalendarEventModel.findOne({ mailbox: 'organiser' }).lean();
    assert.deepEqual(stored?.attendees.map((a) => a.email).sort(), ['lid0@waterschap.example', 'lid1@waterschap.example']);
    await local.events.cancel(admin, event.id);
    await local.outbox.drainUntilIdle();
    assert.equal((await LocalCalendarEventModel.findOne({ mailbox: 'organiser' }).lean())?.isCancelled, true);
    assert.equal(server.requests.length, 0, 'no Graph in local mode');
  });
});
