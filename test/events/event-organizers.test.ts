/**
 * Event organisers stay inside the community's and the guests' rules (issue 18, finding 7):
 * only people the event is for can be made organisers, and an organiser's rights are
 * re-checked against the membership as it is now on every request, so removal, blocking or
 * shutting guests out takes them away at once. Real HTTP through the events API, real store.
 */
import assert from 'node:assert/strict';
import type { Express } from 'express';
import request from 'supertest';
import type { Actor } from '../../src/auth/actor.js';
import { CommunityModel } from '../../src/communities/community.model.js';
import { MembershipModel } from '../../src/communities/membership.model.js';
import { EventModel } from '../../src/events/event.model.js';
import { NotificationModel } from '../../src/notifications/notification.model.js';
import { useTestDatabase } from '../support/database.js';
import type { EventsServices } from '../../src/events/events.module.js';
import { as, clearEvents, community, eventBody, eventsApp, person, services, syncEventIndexes, testClock, type TestClock } from './events-fixtures.js';

describe('event organisers', () => {
  useTestDatabase('event_organisers');
  let clock: TestClock;
  let s: EventsServices;
  let app: Express;
  let admin: Actor;
  let manager: Actor;
  let anna: Actor;
  let bert: Actor;
  let outsider: Actor;
  let gita: Actor;
  let attendee: Actor;

  before(async () => {
    await syncEventIndexes();
    admin = await person('org-admin', { isOrgAdmin: true });
    manager = await person('secret-manager');
    anna = await person('anna');
    bert = await person('bert');
    outsider = await person('outsider');
    gita = await person('gita', { isGuest: true, mail: 'gita@adviesbureau.example' });
    attendee = await person('attendee', { mail: 'attendee@gemeente.example' });
  });
  beforeEach(async () => {
    await clearEvents();
    clock = testClock();
    s = services(clock);
    app = eventsApp(s);
  });

  const body = (overrides: Record<string, unknown> = {}) => eventBody(clock, overrides);

  /** A secret community: the manager, Anna, Bert and an attendee active, Gita a guest member though it no longer admits guests. */
  const secretCommunity = () =>
    community('Bestuursdossiers', 'secret', [
      { userId: manager.userId, role: 'manager' },
      { userId: anna.userId, role: 'member' },
      { userId: bert.userId, role: 'member' },
      { userId: attendee.userId, role: 'member' },
      { userId: gita.userId, role: 'member', isGuest: true },
    ]);

  async function eventWithOrganisers(communityId: string, organizers: string[], extra: Record<string, unknown> = {}): Promise<string> {
    const res = await request(app).post(`/api/v1/communities/${communityId}/events`).set(as(manager)).send(body({ organizers, ...extra }));
    assert.equal(res.status, 201, JSON.stringify(res.body));
    await request(app).post(`/api/v1/events/${res.body.id}/registrations`).set(as(attendee)).send({}).expect(201);
    return res.body.id as string;
  }

  /** What the person can do with the event now: read it, export the attendees' e-mail addresses, edit it. */
  async function rights(actor: Actor, eventId: string): Promise<[number, number, number]> {
    const read = await request(app).get(`/api/v1/events/${eventId}`).set(as(actor));
    const csv = await request(app).get(`/api/v1/events/${eventId}/registrations.csv`).set(as(actor));
    const edit = await request(app).patch(`/api/v1/events/${eventId}`).set(as(actor)).send({ description: `edited by ${actor.userId}` });
    return [read.status, csv.status, edit.status];
  }

  it('makes only active members of the event\'s community organisers, guests not where the community admits none, and stores nothing otherwise', async () => {
    const cid = await secretCommunity();
    const refused = await request(app).post(`/api/v1/communities/${cid}/events`).set(as(manager)).send(body({ organizers: [anna.userId, outsider.userId, gita.userId] }));
    assert.equal(refused.status, 400);
    assert.match(String(refused.headers['content-type']), /^application\/problem\+json/);
    assert.equal(refused.body.code, 'organizer_not_admitted');
    assert.deepEqual(refused.body.errors, [
      { path: 'body.organizers.1', message: 'not an active member of the community', code: 'invalid' },
      { path: 'body.organizers.2', message: 'a guest, and the community does not admit guests', code: 'invalid' },
    ]);
    assert.equal(await EventModel.countDocuments(), 0);

    const id = await eventWithOrganisers(cid, [anna.userId]);
    // An organiser cannot hand the event (and the attendees' addresses) to someone outside.
    for (const other of [outsider, gita]) {
      const res = await request(app).patch(`/api/v1/events/${id}`).set(as(anna)).send({ organizers: [manager.userId, anna.userId, other.userId], title: 'Overgedragen' });
      assert.deepEqual([res.status, res.body.code], [400, 'organizer_not_admitted']);
    }
    const stored = await EventModel.findById(id).lean();
    assert.deepEqual([stored?.organizers, stored?.title], [[manager.userId, anna.userId], 'Kennissessie bodemvruchtbaarheid']);
    assert.deepEqual(await rights(outsider, id), [404, 404, 404]);

    const added = await request(app).patch(`/api/v1/events/${id}`).set(as(anna)).send({ organizers: [manager.userId, anna.userId, bert.userId] });
    assert.deepEqual([added.status, added.body.organizers], [200, [manager.userId, anna.userId, bert.userId]]);
    assert.deepEqual(await rights(bert, id), [200, 200, 200]);
  });

  it('takes the rights of an organiser who is removed or blocked away at once, and gives them back with the membership', async () => {
    const cid = await secretCommunity();
    const id = await eventWithOrganisers(cid, [anna.userId, bert.userId], { signupMethod: 'request' });
    assert.deepEqual(await rights(anna, id), [200, 200, 200]);
    const csv = await request(app).get(`/api/v1/events/${id}/registrations.csv`).set(as(anna));
    assert.match(csv.text, /attendee@gemeente\.example/);

    await MembershipModel.deleteOne({ communityId: cid, userId: anna.userId });
    await MembershipModel.updateOne({ communityId: cid, userId: bert.userId }, { $set: { status: 'blocked' } });
    for (const former of [anna, bert]) {
      assert.deepEqual(await rights(former, id), [404, 404, 404], `${former.userId} is no organiser any more`);
      assert.equal((await request(app).get(`/api/v1/events/${id}/registrations`).set(as(former))).status, 404);
      assert.equal((await request(app).patch(`/api/v1/events/${id}/registrations/${attendee.userId}`).set(as(former)).send({ action: 'decline' })).status, 404);
      const mine = await request(app).get('/api/v1/events?mine=true').set(as(former));
      assert.deepEqual([mine.status, mine.body.items], [200, []], 'not even in their own list');
    }

    // A request to sign up goes to the organisers who still run the event.
    await NotificationModel.deleteMany({});
    await request(app).post(`/api/v1/events/${id}/registrations`).set(as(outsider)).send({}).expect(404);
    const newcomer = await person('newcomer');
    await MembershipModel.create({ tenantId: manager.tenantId, communityId: cid, userId: newcomer.userId, role: 'member', status: 'active', isGuest: false, joinedAt: new Date() });
    await request(app).post(`/api/v1/events/${id}/registrations`).set(as(newcomer)).send({ message: 'Mag ik erbij?' }).expect(201);
    // The intents are written after the sign-up is answered.
    await s.allocator.idle();
    const told = await NotificationModel.find({ kind: 'eventRegistrationRequested' }).lean();
    assert.deepEqual(told.map((n) => n.recipientId).sort(), [manager.userId]);

    await MembershipModel.updateOne({ communityId: cid, userId: bert.userId }, { $set: { status: 'active' } });
    assert.deepEqual(await rights(bert, id), [200, 200, 200], 'checked on every use, not removed once');
  });

  it('lets a guest organise only while the community admits guests', async () => {
    const cid = await community('Ketenoverleg mest', 'closed', [{ userId: manager.userId, role: 'manager' }, { userId: attendee.userId, role: 'member' }, { userId: gita.userId, role: 'member', isGuest: true }], true);
    const id = await eventWithOrganisers(cid, [gita.userId], { guestsAllowed: true });
    assert.deepEqual(await rights(gita, id), [200, 200, 200]);
    await CommunityModel.updateOne({ _id: cid }, { $set: { guestsAllowed: false } });
    assert.deepEqual(await rights(gita, id), [404, 404, 404]);
  });

  it('lets a guest organise an organisation-wide event only while the event admits guests', async () => {
    const refused = await request(app).post('/api/v1/events').set(as(admin)).send(body({ organizers: [gita.userId] }));
    assert.deepEqual([refused.status, refused.body.code, refused.body.errors], [400, 'organizer_not_admitted', [{ path: 'body.organizers.0', message: 'a guest, and the event does not admit guests', code: 'invalid' }]]);
    const created = await request(app).post('/api/v1/events').set(as(admin)).send(body({ organizers: [gita.userId], guestsAllowed: true }));
    assert.equal(created.status, 201);
    const id = created.body.id as string;
    assert.deepEqual(await rights(gita, id), [200, 200, 200]);
    await request(app).patch(`/api/v1/events/${id}`).set(as(admin)).send({ guestsAllowed: false }).expect(200);
    assert.deepEqual(await rights(gita, id), [404, 404, 404]);
  });
});
