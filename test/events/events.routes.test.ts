import assert from 'node:assert/strict';
import type { Express } from 'express';
import request from 'supertest';
import type { Actor } from '../../src/auth/actor.js';
import { EventModel } from '../../src/events/event.model.js';
import type { EventsServices } from '../../src/events/events.module.js';
import { RegistrationModel } from '../../src/events/registration.model.js';
import { NotificationModel } from '../../src/notifications/notification.model.js';
import { useTestDatabase } from '../support/database.js';
import { as, clearEvents, community, DAY, eventBody, eventsApp, person, services, syncEventIndexes, testClock, type TestClock } from './events-fixtures.js';

describe('events API', () => {
  useTestDatabase('events_api');
  let clock: TestClock;
  let s: EventsServices;
  let app: Express;
  let admin: Actor;
  let manager: Actor;
  let member: Actor;
  let outsider: Actor;
  let guest: Actor;

  before(async () => {
    await syncEventIndexes();
    admin = await person('admin', { isOrgAdmin: true, name: 'Ada Admin' });
    manager = await person('manager', { name: 'Mark Manager' });
    member = await person('member', { name: 'Mia Member', organisation: 'Gemeente Oost' });
    outsider = await person('outsider', { name: 'Otto Outsider' });
    guest = await person('guest', { name: 'Gerrit Gast (LTO)', isGuest: true, mail: 'gerrit@lto.example' });
  });
  beforeEach(async () => {
    await clearEvents();
    clock = testClock();
    s = services(clock);
    app = eventsApp(s);
  });

  const body = (overrides: Record<string, unknown> = {}, daysAhead = 10) => eventBody(clock, overrides, daysAhead);

  async function createEvent(overrides: Record<string, unknown> = {}, by: Actor = admin, path = '/api/v1/events'): Promise<{ id: string } & Record<string, unknown>> {
    const res = await request(app).post(path).set(as(by)).send(body(overrides));
    assert.equal(res.status, 201, JSON.stringify(res.body));
    return res.body as { id: string } & Record<string, unknown>;
  }

  it('answers 401 without an actor', async () => {
    const res = await request(app).get('/api/v1/events');
    assert.equal(res.status, 401);
    assert.equal(res.body.code, 'unauthenticated');
  });

  it('lets organisation admins plan organisation-wide events, and nobody else', async () => {
    const refused = await request(app).post('/api/v1/events').set(as(member)).send(body());
    assert.equal(refused.status, 403);
    const res = await request(app).post('/api/v1/events').set(as(admin)).send(body({ capacity: 40, online: true }));
    assert.equal(res.status, 201);
    assert.equal(res.headers.location, `/api/v1/events/${res.body.id}`);
    assert.equal(res.body.scope, 'organisation');
    assert.equal(res.body.timeZone, 'Europe/Amsterdam');
    assert.deepEqual([res.body.capacity, res.body.seatsLeft, res.body.status, res.body.signupMethod, res.body.waitlist], [40, 40, 'scheduled', 'open', true]);
    assert.match(res.body.description.html, /<strong>organische stof<\/strong>/);
    assert.deepEqual(res.body.organizers, ['admin']);
    assert.equal(res.body.links.calendar, `/api/v1/events/${res.body.id}/calendar.ics`);
    assert.equal(res.body.links.web, `https://meent.test/tab/#/event/${res.body.id}`);
  });

  it('refuses bad input with a clear 400 naming each field, and writes nothing', async () => {
    const before = await EventModel.countDocuments({});
    const start = new Date(clock.now().getTime() + 5 * DAY);
    const cases: [Record<string, unknown>, string][] = [
      [{ start: start.toISOString(), end: new Date(start.getTime() - 3_600_000).toISOString() }, 'body.end'],
      [{ timeZone: 'Mars/Olympus_Mons' }, 'body.timeZone'],
      [{ timeZone: 'CET' }, 'body.timeZone'],
      [{ capacity: -1 }, 'body.capacity'],
      [{ capacity: 2.5 }, 'body.capacity'],
      [{ signupDeadline: new Date(new Date(body().start as string).getTime() + 60_000).toISOString() }, 'body.signupDeadline'],
      [{ start: new Date(clock.now().getTime() - DAY).toISOString(), end: new Date(clock.now().getTime() - DAY + 3_600_000).toISOString() }, 'body.start'],
      [{ location: null, online: false }, 'body.location'],
      [{ start: '1 maart 2030 om 9 uur' }, 'body.start'],
      [{ title: '' }, 'body.title'],
      [{ signupMethod: 'lottery' }, 'body.signupMethod'],
      [{ unknownField: true }, 'body'],
    ];
    for (const [overrides, path] of cases) {
      const res = await request(app).post('/api/v1/events').set(as(admin)).send(body(overrides));
      assert.equal(res.status, 400, `${JSON.stringify(overrides)} -> ${res.status}`);
      assert.equal(res.headers['content-type'], 'application/problem+json; charset=utf-8');
      assert.ok((res.body.errors as { path: string }[]).some((e) => e.path.startsWith(path)), `${JSON.stringify(overrides)}: ${JSON.stringify(res.body.errors)}`);
    }
    assert.equal(await EventModel.countDocuments({}), before);
  });

  it('keeps community events to the community: managers plan them, readers see them, outsiders get 404', async () => {
    const closed = await community('Bodem en water', 'closed', [{ userId: 'manager', role: 'manager' }, { userId: 'member', role: 'member' }]);
    const refused = await request(app).post(`/api/v1/communities/${closed}/events`).set(as(member)).send(body());
    assert.equal(refused.status, 403);
    const event = await createEvent({ capacity: 10 }, manager, `/api/v1/communities/${closed}/events`);
    assert.equal(event.communityId, closed);
    assert.equal(event.canManage, true);

    assert.equal((await request(app).get(`/api/v1/events/${event.id}`).set(as(member))).status, 200);
    const hidden = await request(app).get(`/api/v1/events/${event.id}`).set(as(outsider));
    assert.equal(hidden.status, 404);
    assert.equal(hidden.body.code, 'event_not_found');
    assert.equal((await request(app).post(`/api/v1/events/${event.id}/registrations`).set(as(outsider)).send({})).status, 404);
    assert.equal((await request(app).get(`/api/v1/events/not-an-id`).set(as(member))).status, 400);
    assert.equal((await request(app).get(`/api/v1/events/${'0'.repeat(24)}`).set(as(member))).status, 404);
    const otherTenant = await request(app).get(`/api/v1/events/${event.id}`).set(as({ ...member, tenantId: '99999999-2222-4333-8444-555555555555' }));
    assert.equal(otherTenant.status, 404);

    const listed = await request(app).get(`/api/v1/communities/${closed}/events`).set(as(member));
    assert.deepEqual(listed.body.items.map((e: { id: string }) => e.id), [event.id]);
    // A closed community is visible to the organisation, its events are not.
    assert.equal((await request(app).get(`/api/v1/communities/${closed}/events`).set(as(outsider))).status, 403);
    const mine = await request(app).get('/api/v1/events').set(as(outsider));
    assert.ok(!mine.body.items.some((e: { id: string }) => e.id === event.id), 'not in an outsider\'s list');
  });

  it('admits guests only to events that allow guests', async () => {
    const closedToGuests = await createEvent({ guestsAllowed: false });
    const open = await createEvent({ guestsAllowed: true });
    assert.equal((await request(app).get(`/api/v1/events/${closedToGuests.id}`).set(as(guest))).status, 404);
    assert.equal((await request(app).post(`/api/v1/events/${closedToGuests.id}/registrations`).set(as(guest)).send({})).status, 404);
    const signedUp = await request(app).post(`/api/v1/events/${open.id}/registrations`).set(as(guest)).send({});
    assert.equal(signedUp.status, 201);
    assert.equal(signedUp.body.isGuest, true);

    const publicCommunity = await community('Open community', 'public', [{ userId: 'manager', role: 'manager' }], true);
    const inCommunity = await createEvent({ guestsAllowed: false }, manager, `/api/v1/communities/${publicCommunity}/events`);
    assert.equal((await request(app).get(`/api/v1/events/${inCommunity.id}`).set(as(guest))).status, 200, 'guests see events of communities that admit them');
    const refused = await request(app).post(`/api/v1/events/${inCommunity.id}/registrations`).set(as(guest)).send({});
    assert.equal(refused.status, 403);
    assert.equal(await RegistrationModel.countDocuments({ userId: 'guest', eventId: inCommunity.id }), 0);
  });

  it('signs up, returns the existing registration the second time, and cancels', async () => {
    const event = await createEvent({ capacity: 1 });
    const first = await request(app).post(`/api/v1/events/${event.id}/registrations`).set(as(member)).send({});
    assert.equal(first.status, 201);
    assert.deepEqual([first.body.status, first.body.email, first.body.displayName], ['registered', 'member@gemeente.example', 'Mia Member']);
    const again = await request(app).post(`/api/v1/events/${event.id}/registrations`).set(as(member)).send({});
    assert.equal(again.status, 200);
    assert.equal(again.body.id, first.body.id);
    const waiting = await request(app).post(`/api/v1/events/${event.id}/registrations`).set(as(outsider)).send({});
    assert.deepEqual([waiting.status, waiting.body.status, waiting.body.position], [201, 'waitlisted', 1]);

    const me = await request(app).get(`/api/v1/events/${event.id}/registrations/me`).set(as(outsider));
    assert.deepEqual([me.body.status, me.body.position], ['waitlisted', 1]);
    const cancelled = await request(app).delete(`/api/v1/events/${event.id}/registrations/me`).set(as(member));
    assert.deepEqual([cancelled.status, cancelled.body.status], [200, 'cancelled']);
    const promoted = await request(app).get(`/api/v1/events/${event.id}`).set(as(outsider));
    assert.deepEqual([promoted.body.myRegistration, promoted.body.seatsLeft], [{ status: 'registered' }, 0]);
    assert.equal((await request(app).get(`/api/v1/events/${event.id}/registrations/me`).set(as(manager))).status, 404);
    assert.equal((await request(app).delete(`/api/v1/events/${event.id}/registrations/me`).set(as(manager))).body.code, 'registration_not_found');
    const badBody = await request(app).post(`/api/v1/events/${event.id}/registrations`).set(as(manager)).send({ status: 'registered' });
    assert.equal(badBody.status, 400);
  });

  it('lets organisers approve, decline, add and remove, and nobody else', async () => {
    const event = await createEvent({ signupMethod: 'request', capacity: 5 });
    await request(app).post(`/api/v1/events/${event.id}/registrations`).set(as(member)).send({ message: 'Graag!' }).expect(201);
    await request(app).post(`/api/v1/events/${event.id}/registrations`).set(as(outsider)).send({}).expect(201);
    assert.equal((await request(app).patch(`/api/v1/events/${event.id}/registrations/member`).set(as(outsider)).send({ action: 'approve' })).status, 403);
    const approved = await request(app).patch(`/api/v1/events/${event.id}/registrations/member`).set(as(admin)).send({ action: 'approve' });
    assert.deepEqual([approved.status, approved.body.status, approved.body.message], [200, 'registered', 'Graag!']);
    assert.equal((await request(app).patch(`/api/v1/events/${event.id}/registrations/outsider`).set(as(admin)).send({ action: 'decline' })).body.status, 'declined');
    assert.equal((await request(app).patch(`/api/v1/events/${event.id}/registrations/outsider`).set(as(admin)).send({ action: 'maybe' })).status, 400);

    const added = await request(app).put(`/api/v1/events/${event.id}/registrations/manager`).set(as(admin));
    assert.deepEqual([added.status, added.body.status], [201, 'registered']);
    assert.equal((await request(app).put(`/api/v1/events/${event.id}/registrations/manager`).set(as(admin))).status, 200);
    assert.equal((await request(app).put(`/api/v1/events/${event.id}/registrations/guest`).set(as(admin))).body.code, 'guests_not_allowed');
    assert.equal((await request(app).delete(`/api/v1/events/${event.id}/registrations/manager`).set(as(member))).status, 403);
    const removed = await request(app).delete(`/api/v1/events/${event.id}/registrations/manager`).set(as(admin));
    assert.deepEqual([removed.status, removed.body.status], [200, 'removed']);
  });

  it('shows the attendee list to attendees unless hidden, with contact details only for organisers, and exports CSV for organisers', async () => {
    const event = await createEvent({ capacity: 2 });
    const sneaky = await person('sneaky', { name: '=HYPERLINK("https://evil.example","klik")' });
    for (const p of [member, manager, sneaky]) await request(app).post(`/api/v1/events/${event.id}/registrations`).set(as(p)).send({}).expect(201);

    const seen = await request(app).get(`/api/v1/events/${event.id}/registrations`).set(as(member));
    assert.equal(seen.status, 200);
    assert.deepEqual(seen.body.items.map((r: { userId: string }) => r.userId), ['member', 'manager'], 'others see who is registered');
    assert.ok(seen.body.items.every((r: Record<string, unknown>) => !('email' in r)), 'no addresses for attendees');
    assert.equal((await request(app).get(`/api/v1/events/${event.id}/registrations?status=waitlisted`).set(as(member))).status, 400);

    const full = await request(app).get(`/api/v1/events/${event.id}/registrations?status=waitlisted`).set(as(admin));
    assert.deepEqual(full.body.items.map((r: { userId: string; position: number; email: string }) => [r.userId, r.position, r.email]), [['sneaky', 1, 'sneaky@gemeente.example']]);
    const paged = await request(app).get(`/api/v1/events/${event.id}/registrations?limit=1`).set(as(admin));
    assert.equal(paged.body.items.length, 1);
    const next = await request(app).get(`/api/v1/events/${event.id}/registrations?limit=1&cursor=${paged.body.nextCursor}`).set(as(admin));
    assert.equal(next.body.items[0].userId, 'manager');
    assert.equal((await request(app).get(`/api/v1/events/${event.id}/registrations?cursor=bogus`).set(as(admin))).status, 400);

    const csv = await request(app).get(`/api/v1/events/${event.id}/registrations.csv`).set(as(admin));
    assert.equal(csv.status, 200);
    assert.match(csv.headers['content-type'] ?? '', /^text\/csv; charset=utf-8/);
    assert.match(csv.headers['content-disposition'] ?? '', /attachment; filename="attendees-kennissessie-bodemvruchtbaarheid\.csv"/);
    const lines = csv.text.replace(/^\uFEFF/, '').trimEnd().split('\r\n');
    assert.equal(lines[0], '"Name";"E-mail";"Organisation";"Guest";"Status";"Waitlist position";"Signed up at";"Registered at"');
    assert.match(lines[1] ?? '', /^"Mia Member";"member@gemeente\.example";"Gemeente Oost";"no";"registered";"";/);
    assert.match(lines[3] ?? '', /^"'=HYPERLINK\(""https:\/\/evil\.example"",""klik""\)";.*"waitlisted";"1"/, 'a formula is kept as text');
    assert.equal((await request(app).get(`/api/v1/events/${event.id}/registrations.csv`).set(as(member))).status, 403);

    await request(app).patch(`/api/v1/events/${event.id}`).set(as(admin)).send({ hideAttendees: true }).expect(200);
    const refused = await request(app).get(`/api/v1/events/${event.id}/registrations`).set(as(member));
    assert.equal(refused.status, 403);
    assert.equal((await request(app).get(`/api/v1/events/${event.id}/registrations`).set(as(admin))).body.items.length, 3);
  });

  it('asks for one announcement in the community\'s channel for a new community event, none for an organisation-wide one', async () => {
    const closed = await community('Droogte', 'closed', [{ userId: 'manager', role: 'manager' }]);
    const event = await createEvent({}, manager, `/api/v1/communities/${closed}/events`);
    const announced = await NotificationModel.find({ kind: 'eventAnnounced', 'subject.id': event.id }).lean();
    assert.equal(announced.length, 1);
    assert.equal(announced[0]?.recipientId, `community:${closed}`);
    assert.equal(announced[0]?.data.communityName, 'Droogte');
    assert.equal(announced[0]?.idempotencyKey, `eventAnnounced:${event.id}`);
    const organisationWide = await createEvent();
    assert.equal(await NotificationModel.countDocuments({ kind: 'eventAnnounced', 'subject.id': organisationWide.id }), 0);
  });

  it('tells every attendee about a new time or place and about a cancellation, raising the sequence each time', async () => {
    const event = await createEvent({ capacity: 1 });
    for (const p of [member, outsider]) await request(app).post(`/api/v1/events/${event.id}/registrations`).set(as(p)).send({}).expect(201);
    const start = new Date(new Date(event.start as string).getTime() + DAY);
    const moved = await request(app).patch(`/api/v1/events/${event.id}`).set(as(admin)).send({ start: start.toISOString(), end: new Date(start.getTime() + 3_600_000).toISOString() });
    assert.equal(moved.status, 200);
    assert.equal(moved.body.sequence, 1);
    assert.equal(moved.body.start, start.toISOString());
    const changed = await NotificationModel.find({ kind: 'eventChanged', 'subject.id': event.id }).lean();
    assert.deepEqual(changed.map((n) => [n.recipientId, n.data.change]).sort(), [['member', 'time'], ['outsider', 'time']]);

    const retitled = await request(app).patch(`/api/v1/events/${event.id}`).set(as(admin)).send({ title: 'Bodemvruchtbaarheid, deel 2' });
    assert.equal(retitled.body.sequence, 2);
    assert.equal(await NotificationModel.countDocuments({ kind: 'eventChanged', 'subject.id': event.id }), 2, 'a new title is not a new time or place');
    assert.equal((await request(app).patch(`/api/v1/events/${event.id}`).set(as(member)).send({ title: 'x' })).status, 403);
    assert.equal((await request(app).patch(`/api/v1/events/${event.id}`).set(as(admin)).send({ end: event.start })).status, 400);
    assert.equal((await request(app).patch(`/api/v1/events/${event.id}`).set(as(admin)).send({})).status, 400);

    const cancelled = await request(app).delete(`/api/v1/events/${event.id}`).set(as(admin)).send({ reason: 'De spreker is ziek.' });
    assert.deepEqual([cancelled.status, cancelled.body.status, cancelled.body.sequence], [200, 'cancelled', 3]);
    const told = await NotificationModel.find({ kind: 'eventCancelled', 'subject.id': event.id }).lean();
    assert.deepEqual(told.map((n) => n.recipientId).sort(), ['member', 'outsider']);
    assert.equal(told[0]?.data.reason, 'De spreker is ziek.');
    assert.equal((await request(app).delete(`/api/v1/events/${event.id}`).set(as(admin))).body.sequence, 3, 'cancelling twice changes nothing');
    assert.equal((await request(app).post(`/api/v1/events/${event.id}/registrations`).set(as(manager)).send({})).body.code, 'event_cancelled');
    assert.equal((await request(app).patch(`/api/v1/events/${event.id}`).set(as(admin)).send({ title: 'x' })).body.code, 'event_cancelled');
  });

  it('lets organisers add and remove co-organisers, who then run the event; an event keeps at least one', async () => {
    const event = await createEvent({ capacity: 5 });
    assert.equal((await request(app).patch(`/api/v1/events/${event.id}`).set(as(manager)).send({ title: 'x' })).status, 403);
    const added = await request(app).patch(`/api/v1/events/${event.id}`).set(as(admin)).send({ organizers: ['admin', 'manager'] });
    assert.deepEqual(added.body.organizers, ['admin', 'manager']);
    const byCoOrganiser = await request(app).patch(`/api/v1/events/${event.id}`).set(as(manager)).send({ title: 'Door Mark georganiseerd' });
    assert.equal(byCoOrganiser.status, 200);
    assert.equal(byCoOrganiser.body.canManage, true);
    assert.equal((await request(app).get(`/api/v1/events/${event.id}/registrations.csv`).set(as(manager))).status, 200);
    const unknown = await request(app).patch(`/api/v1/events/${event.id}`).set(as(admin)).send({ organizers: ['admin', 'nobody-we-know'] });
    assert.deepEqual([unknown.status, unknown.body.code], [400, 'unknown_person']);
    assert.equal((await request(app).patch(`/api/v1/events/${event.id}`).set(as(admin)).send({ organizers: [] })).status, 400);
    await request(app).patch(`/api/v1/events/${event.id}`).set(as(admin)).send({ organizers: ['admin'] }).expect(200);
    assert.equal((await request(app).patch(`/api/v1/events/${event.id}`).set(as(manager)).send({ title: 'y' })).status, 403, 'removed organisers no longer run it');
  });

  it('lists upcoming, past, mine and a date range, soonest first, with seats left and cursors', async () => {
    const a = await createEvent({ title: 'A', capacity: 3 }, admin);
    const b = await request(app).post('/api/v1/events').set(as(admin)).send(body({ title: 'B' }, 3)).then((r) => r.body as { id: string });
    const c = await request(app).post('/api/v1/events').set(as(admin)).send(body({ title: 'C' }, 20)).then((r) => r.body as { id: string });
    await request(app).post(`/api/v1/events/${a.id}/registrations`).set(as(member)).send({}).expect(201);

    const upcoming = await request(app).get('/api/v1/events?limit=2').set(as(member));
    assert.deepEqual(upcoming.body.items.map((e: { title: string }) => e.title), ['B', 'A']);
    assert.equal(upcoming.body.items[1].seatsLeft, 2);
    assert.deepEqual(upcoming.body.items[1].myRegistration, { status: 'registered' });
    const rest = await request(app).get(`/api/v1/events?limit=2&cursor=${upcoming.body.nextCursor}`).set(as(member));
    assert.deepEqual(rest.body.items.map((e: { id: string }) => e.id), [c.id]);
    assert.equal(rest.body.nextCursor, undefined);

    const mine = await request(app).get('/api/v1/events?mine=true').set(as(member));
    assert.deepEqual(mine.body.items.map((e: { id: string }) => e.id), [a.id]);
    const from = new Date(clock.now().getTime() + 5 * DAY).toISOString();
    const to = new Date(clock.now().getTime() + 15 * DAY).toISOString();
    const range = await request(app).get(`/api/v1/events?from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`).set(as(member));
    assert.deepEqual(range.body.items.map((e: { id: string }) => e.id), [a.id]);
    assert.equal((await request(app).get(`/api/v1/events?from=${encodeURIComponent(to)}&to=${encodeURIComponent(from)}`).set(as(member))).status, 400);
    assert.equal((await request(app).get('/api/v1/events?limit=0').set(as(member))).status, 400);

    clock.advance(4 * DAY);
    s = services(clock);
    app = eventsApp(s);
    const past = await request(app).get('/api/v1/events?past=true').set(as(member));
    assert.deepEqual(past.body.items.map((e: { id: string; status: string }) => [e.id, e.status]), [[b.id, 'completed']]);
  });

  it('serves the invitation as .ics: REQUEST when registered, CANCEL after cancelling, PUBLISH otherwise', async () => {
    const event = await createEvent({ online: true, location: null });
    await request(app).post(`/api/v1/events/${event.id}/registrations`).set(as(guest)).send({}).expect(404);
    await request(app).post(`/api/v1/events/${event.id}/registrations`).set(as(member)).send({}).expect(201);
    const unfold = (text: string) => text.replace(/\r\n[ \t]/g, '');
    const invite = await request(app).get(`/api/v1/events/${event.id}/calendar.ics`).set(as(member));
    invite.text = unfold(invite.text);
    assert.equal(invite.status, 200);
    assert.equal(invite.headers['content-type'], 'text/calendar; charset=utf-8; method=REQUEST');
    assert.match(invite.text, /\r\nMETHOD:REQUEST\r\n/);
    assert.match(invite.text, new RegExp(`\\r\\nUID:${event.id}@meent\\.test\\r\\n`));
    assert.match(invite.text, /\r\nBEGIN:VTIMEZONE\r\nTZID:Europe\/Amsterdam\r\n/);
    assert.match(invite.text, /\r\nDTSTART;TZID=Europe\/Amsterdam:\d{8}T\d{6}\r\n/);
    assert.match(invite.text, /\r\nATTENDEE;ROLE=REQ-PARTICIPANT;PARTSTAT=ACCEPTED;CN=Mia Member:mailto:member@gemeente\.example\r\n/);
    assert.match(invite.text, /\r\nORGANIZER;CN=Ada Admin:mailto:admin@gemeente\.example\r\n/);
    const sequence = (text: string) => Number(/\r\nSEQUENCE:(\d+)\r\n/.exec(text)?.[1]);

    await request(app).delete(`/api/v1/events/${event.id}/registrations/me`).set(as(member)).expect(200);
    const withdrawn = await request(app).get(`/api/v1/events/${event.id}/calendar.ics`).set(as(member));
    withdrawn.text = unfold(withdrawn.text);
    assert.match(withdrawn.text, /\r\nMETHOD:CANCEL\r\n/);
    assert.ok(sequence(withdrawn.text) > sequence(invite.text), 'the CANCEL supersedes the REQUEST');

    const copy = await request(app).get(`/api/v1/events/${event.id}/calendar.ics`).set(as(outsider));
    assert.match(copy.text, /\r\nMETHOD:PUBLISH\r\n/);
    assert.doesNotMatch(copy.text, /ATTENDEE/);
  });

  it('gives each person a private calendar feed that can be replaced and revoked', async () => {
    const event = await createEvent({ title: 'Feed event' });
    await request(app).post(`/api/v1/events/${event.id}/registrations`).set(as(member)).send({}).expect(201);
    assert.deepEqual((await request(app).get('/api/v1/me/calendar-feed').set(as(member))).body.active, false);
    const created = await request(app).post('/api/v1/me/calendar-feed').set(as(member));
    assert.equal(created.status, 201);
    const url = new URL(created.body.url as string);
    assert.equal(url.origin, 'https://meent.test');
    assert.match(url.pathname, /^\/calendar\/feeds\/[A-Za-z0-9_-]{43}\.ics$/);

    const feed = await request(app).get(url.pathname);
    assert.equal(feed.status, 200);
    assert.equal(feed.headers['content-type'], 'text/calendar; charset=utf-8');
    assert.equal(feed.headers['cache-control'], 'private, no-store');
    assert.match(feed.text, /\r\nSUMMARY:Feed event\r\n/);
    assert.doesNotMatch(feed.text, /METHOD:/);
    assert.equal((await request(app).get('/api/v1/me/calendar-feed').set(as(member))).body.active, true);

    const replaced = await request(app).post('/api/v1/me/calendar-feed').set(as(member));
    assert.equal((await request(app).get(url.pathname)).status, 404, 'the old URL stops working');
    const newPath = new URL(replaced.body.url as string).pathname;
    assert.equal((await request(app).get(newPath)).status, 200);
    await request(app).delete('/api/v1/me/calendar-feed').set(as(member)).expect(204);
    assert.equal((await request(app).get(newPath)).status, 404);
    assert.equal((await request(app).get('/calendar/feeds/not-a-token.ics')).status, 404);
  });
});
