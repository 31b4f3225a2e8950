import assert from 'node:assert/strict';
import { NotFoundError, ValidationError } from '../../src/errors/domain-errors.js';
import { GraphCalendarGateway, translateEvent, type CalendarEventInput } from '../../src/graph/calendar-gateway.js';
import { createGraphClient } from '../../src/graph/graph-client.js';
import { startGraphServer, type GraphServer, type RecordedRequest } from '../support/graph-server.js';

describe('GraphCalendarGateway', () => {
  let server: GraphServer;
  let calendar: GraphCalendarGateway;
  let organiser: string;

  before(async () => {
    server = await startGraphServer();
    const graph = createGraphClient({ baseUrl: server.baseUrl, getAccessToken: async () => 'token', retry: { baseDelayMs: 5, maxDelayMs: 20 } });
    calendar = new GraphCalendarGateway({ graph });
  });
  after(async () => {
    await server.stop();
  });
  beforeEach(() => {
    server.reset();
    organiser = server.addUser({ displayName: 'Organisator', mail: 'organisator@gemeente.nl' }).id;
  });

  /** A knowledge session on 1 March 2030, 09:00-10:30 Amsterdam time (UTC+1 in winter). */
  function session(overrides: Partial<CalendarEventInput> = {}): CalendarEventInput {
    return {
      subject: 'Kennissessie klimaatadaptatie',
      bodyHtml: '<p>Wat doen we met hoosbuien?</p>',
      start: new Date('2030-03-01T09:00:00+01:00'),
      end: new Date('2030-03-01T10:30:00+01:00'),
      timeZone: 'Europe/Amsterdam',
      isOnline: true,
      ...overrides,
    };
  }

  const eventRequests = (r: RecordedRequest) => r.path.includes('/events');

  it('creates an online event as a Teams meeting and reads back the join URL', async () => {
    const created = await calendar.createEvent(organiser, session());

    const stored = server.event(organiser, created.id);
    assert.ok(stored, 'the event is in the organiser\'s calendar');
    assert.equal(stored.isOnlineMeeting, true);
    assert.equal(stored.onlineMeetingProvider, 'teamsForBusiness');
    assert.deepEqual(stored.onlineMeeting, { joinUrl: created.joinUrl });
    assert.match(created.joinUrl ?? '', /^https:\/\/teams\.microsoft\.com\/l\/meetup-join\//);
    assert.equal(created.iCalUId, stored.iCalUId);
    assert.deepEqual(stored.start, { dateTime: '2030-03-01T08:00:00.0000000', timeZone: 'UTC' });
    assert.deepEqual(stored.end, { dateTime: '2030-03-01T09:30:00.0000000', timeZone: 'UTC' });
    assert.equal(stored.allowNewTimeProposals, false);
    const request = server.requests.find(eventRequests);
    assert.equal(request?.method, 'POST');
    assert.equal(request?.path, `/v1.0/users/${organiser}/events`);
    assert.match(request?.headers.prefer ?? '', /outlook\.timezone="UTC"/);
    assert.match(request?.headers.prefer ?? '', /IdType="ImmutableId"/);
  });

  it('creates an in-person event with its address and no meeting', async () => {
    const created = await calendar.createEvent(
      organiser,
      session({ isOnline: false, location: { displayName: 'Gemeentehuis, zaal 3', address: { street: 'Markt 1', postalCode: '8911 AA', city: 'Leeuwarden', countryOrRegion: 'Nederland' } } }),
    );

    assert.equal(created.joinUrl, undefined);
    const event = await calendar.getEvent(organiser, created.id);
    assert.equal(event.isOnline, false);
    assert.deepEqual(event.location, { displayName: 'Gemeentehuis, zaal 3', address: { street: 'Markt 1', postalCode: '8911 AA', city: 'Leeuwarden', countryOrRegion: 'Nederland' } });
    assert.deepEqual(event.start, new Date('2030-03-01T08:00:00Z'));
    assert.deepEqual(event.end, new Date('2030-03-01T09:30:00Z'));
  });

  it('makes one event when a create is replayed after Graph applied it but the answer was lost', async () => {
    server.dropConnections(1, (r) => r.method === 'POST' && eventRequests(r), 'after');

    const created = await calendar.createEvent(organiser, session({ idempotencyKey: 'outbox-step-42' }));

    assert.equal(server.eventsOf(organiser).length, 1);
    assert.equal(server.eventsOf(organiser)[0]?.id, created.id);
    assert.equal(server.count((r) => r.method === 'POST' && eventRequests(r)), 2);
  });

  it('updates subject and time, leaving the rest', async () => {
    const created = await calendar.createEvent(organiser, session());

    const updated = await calendar.updateEvent(organiser, created.id, {
      subject: 'Kennissessie klimaatadaptatie (verplaatst)',
      start: new Date('2030-03-08T14:00:00+01:00'),
      end: new Date('2030-03-08T15:00:00+01:00'),
      timeZone: 'Europe/Amsterdam',
    });

    assert.equal(updated.id, created.id);
    assert.equal(updated.joinUrl, created.joinUrl);
    const event = await calendar.getEvent(organiser, created.id);
    assert.equal(event.subject, 'Kennissessie klimaatadaptatie (verplaatst)');
    assert.deepEqual(event.start, new Date('2030-03-08T13:00:00Z'));
    assert.deepEqual(event.end, new Date('2030-03-08T14:00:00Z'));
    assert.equal(event.isOnline, true);
    const patch = server.requests.find((r) => r.method === 'PATCH');
    assert.deepEqual(Object.keys(patch?.body as object).sort(), ['end', 'start', 'subject']);
  });

  it('keeps the Teams join link in the invitation when the description changes', async () => {
    const created = await calendar.createEvent(organiser, session());

    await calendar.updateEvent(organiser, created.id, { bodyHtml: '<p>Nieuwe agenda</p>' });

    const event = await calendar.getEvent(organiser, created.id);
    assert.match(event.bodyHtml, /^<p>Nieuwe agenda<\/p>/);
    assert.ok(created.joinUrl && event.bodyHtml.includes(created.joinUrl.replace(/&/g, '&amp;')), 'join link still in the body');
  });

  it('setAttendees replaces the whole attendee list (duplicates by address dropped)', async () => {
    const created = await calendar.createEvent(organiser, session());
    await calendar.setAttendees(organiser, created.id, [
      { email: 'a@gemeente.nl', name: 'A' },
      { email: 'b@gemeente.nl' },
      { email: 'c@gemeente.nl' },
    ]);

    await calendar.setAttendees(organiser, created.id, [
      { email: 'b@gemeente.nl' },
      { email: 'd@gemeente.nl', name: 'D', type: 'optional' },
      { email: 'D@Gemeente.nl' },
    ]);

    const event = await calendar.getEvent(organiser, created.id);
    assert.deepEqual(event.attendees, [
      { email: 'b@gemeente.nl', type: 'required' },
      { email: 'd@gemeente.nl', name: 'D', type: 'optional' },
    ]);
    const lastPatch = server.requests.filter((r) => r.method === 'PATCH').at(-1);
    assert.deepEqual(Object.keys(lastPatch?.body as object), ['attendees']);
  });

  it('sets the attendee lists of many events in one batch, reporting each event on its own', async () => {
    const events = await Promise.all([1, 2, 3].map((n) => calendar.createEvent(organiser, session({ subject: `Sessie ${n}` }))));
    server.requests.length = 0;
    server.failNext({ status: 429, times: 10, match: (r) => r.via === 'batch' && r.path.endsWith(events[2]?.id ?? '') });

    const results = await calendar.setAttendeesMany(organiser, [
      { eventId: events[0]?.id ?? '', attendees: [{ email: 'a@gemeente.nl' }] },
      { eventId: 'AAMkADgone', attendees: [{ email: 'b@gemeente.nl' }] },
      { eventId: events[1]?.id ?? '', attendees: [{ email: 'c@gemeente.nl' }, { email: 'd@gemeente.nl' }] },
      { eventId: events[2]?.id ?? '', attendees: [{ email: 'e@gemeente.nl' }] },
    ]);

    assert.deepEqual(results.map((r) => [r.eventId, r.error?.code ?? null]), [
      [events[0]?.id, null],
      ['AAMkADgone', 'graph_not_found'],
      [events[1]?.id, null],
      [events[2]?.id, 'graph_unavailable'],
    ]);
    assert.deepEqual((await calendar.getEvent(organiser, events[1]?.id ?? '')).attendees.map((a) => a.email), ['c@gemeente.nl', 'd@gemeente.nl']);
    assert.deepEqual((await calendar.getEvent(organiser, events[2]?.id ?? '')).attendees, []);
    const subRequests = server.requests.filter((r) => r.via === 'batch');
    assert.ok(subRequests.every((r) => /IdType="ImmutableId"/.test(r.headers.prefer ?? '')));
  });

  it('cancels with a comment; the event is gone and cancelling again is harmless', async () => {
    const created = await calendar.createEvent(organiser, session());

    await calendar.cancelEvent(organiser, created.id, 'De sessie gaat niet door.');

    assert.deepEqual(server.cancellations, [{ userId: organiser, eventId: created.id, comment: 'De sessie gaat niet door.' }]);
    assert.equal(server.event(organiser, created.id), undefined);
    await assert.rejects(calendar.getEvent(organiser, created.id), (error: unknown) => error instanceof NotFoundError && error.code === 'graph_not_found');
    await calendar.cancelEvent(organiser, created.id, 'De sessie gaat niet door.');
    assert.equal(server.cancellations.length, 1);
  });

  it('reports an unknown event as NotFoundError on update', async () => {
    await assert.rejects(calendar.updateEvent(organiser, 'AAMkADnothere', { subject: 'x' }), NotFoundError);
    await assert.rejects(calendar.setAttendees(organiser, 'AAMkADnothere', []), NotFoundError);
  });

  it('refuses a bad time zone, an end before the start or a bad attendee without calling Graph', async () => {
    await assert.rejects(calendar.createEvent(organiser, session({ timeZone: 'Mars/Olympus_Mons' })), ValidationError);
    await assert.rejects(calendar.createEvent(organiser, session({ end: new Date('2030-03-01T08:00:00+01:00') })), ValidationError);
    await assert.rejects(calendar.updateEvent(organiser, 'any', { start: new Date() }), ValidationError);
    await assert.rejects(calendar.setAttendees(organiser, 'any', [{ email: 'not-an-address' }]), ValidationError);
    assert.equal(server.requests.length, 0);
  });

  describe('translateEvent', () => {
    it('maps a new online event to Graph\'s shape', () => {
      assert.deepEqual(translateEvent({ ...session(), hideAttendees: true, idempotencyKey: 'k1', attendees: [{ email: 'x@y.nl' }] }, { isNew: true }), {
        subject: 'Kennissessie klimaatadaptatie',
        body: { contentType: 'html', content: '<p>Wat doen we met hoosbuien?</p>' },
        start: { dateTime: '2030-03-01T08:00:00.000', timeZone: 'UTC' },
        end: { dateTime: '2030-03-01T09:30:00.000', timeZone: 'UTC' },
        isOnlineMeeting: true,
        onlineMeetingProvider: 'teamsForBusiness',
        hideAttendees: true,
        attendees: [{ type: 'required', emailAddress: { address: 'x@y.nl' } }],
        transactionId: 'k1',
        allowNewTimeProposals: false,
      });
    });

    it('sets only what a patch gives, and escapes the join link it appends', () => {
      assert.deepEqual(translateEvent({ subject: 'S' }), { subject: 'S' });
      assert.deepEqual(translateEvent({ bodyHtml: '<p>b</p>' }, { joinUrl: 'https://teams.microsoft.com/l/x?a=1&b="2"' }), {
        body: { contentType: 'html', content: '<p>b</p><p><a href="https://teams.microsoft.com/l/x?a=1&amp;b=&quot;2&quot;">Join the Microsoft Teams meeting</a></p>' },
      });
    });
  });
});
