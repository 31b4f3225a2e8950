/**
 * Invitations by e-mail to an event (issue 14) through the HTTP API, against the local Graph
 * (users lookup and POST /invitations in $batch) and a real FerretDB: people of the tenant are
 * registered at once (a seat, or the waitlist when full) and invited into the event's
 * community; new guests are invited through Graph and registered at their first sign-in.
 * Time is a test clock: nothing here depends on the real one.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import type { Express } from 'express';
import mongoose from 'mongoose';
import request from 'supertest';
import { AuditEntryModel } from '../../src/audit/audit-entry.model.js';
import { sharedAuditLog } from '../../src/audit/audit.port.js';
import { MembershipModel } from '../../src/communities/membership.model.js';
import { loadConfig } from '../../src/config/config.js';
import { RegistrationModel } from '../../src/events/registration.model.js';
import { ApiSpec } from '../../src/http/api-spec.js';
import { createApp } from '../../src/http/app.js';
import { InvitationModel } from '../../src/invitations/invitation.model.js';
import { InvitationService } from '../../src/invitations/invitation.service.js';
import { invitationsRouter } from '../../src/invitations/invitations.routes.js';
import { createLogger } from '../../src/logging/logger.js';
import { buildWorld, community, person, testActor, actorHeader } from '../communities/communities-fixtures.js';
import { clearEvents, eventInput, services, testClock, DAY } from '../events/events-fixtures.js';
import { useTestDatabase } from '../support/database.js';
import { startGraphServer, type GraphServer } from '../support/graph-server.js';
import { testAuthenticate } from '../support/test-actor.js';
import { simulatedGateway, type SimulatedTime } from './simulated-gateway.js';

const GRAPH_TOKEN = 'graph-app-token-event-invitations-0123456789';

describe('invitations by e-mail to an event (registered at once, or at a guest’s first sign-in)', function () {
  this.timeout(120_000);
  useTestDatabase('event_invitations');
  let graph: GraphServer;
  const sim: SimulatedTime = { ms: 0 };
  const logLines: string[] = [];
  const clock = testClock(Date.parse('2031-05-12T08:00:00Z'));

  before(async () => {
    graph = await startGraphServer({ validToken: GRAPH_TOKEN, now: () => sim.ms });
  });
  after(async () => {
    await graph.stop();
  });
  beforeEach(async () => {
    graph.reset();
    sim.ms = 5_000_000;
    clock.set(new Date('2031-05-12T08:00:00Z'));
    logLines.length = 0;
    await Promise.all([InvitationModel.deleteMany({}), AuditEntryModel.deleteMany({}), clearEvents()]);
  });

  function rig() {
    const world = buildWorld({ now: clock.now });
    const events = services(clock);
    const gateway = simulatedGateway(graph, GRAPH_TOKEN, sim);
    const logger = createLogger('info', new Writable({ write: (chunk: Buffer, _e, done) => (logLines.push(chunk.toString()), done()) }));
    const invitations = new InvitationService({
      memberships: world.module.services.memberships,
      signups: events.signups,
      audit: sharedAuditLog({ logger, now: clock.now }),
      gatewayFor: () => gateway,
      guestsAllowed: true,
      publicUrl: 'https://meent.example',
      now: clock.now,
    });
    const config = loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'info' });
    const app = createApp({ config, logger, isReady: () => Promise.resolve(true), authenticate: testAuthenticate, apiRouters: [...world.module.apiRouters, invitationsRouter(new ApiSpec(), { invitations })] });
    return { world, events, invitations, app };
  }

  /** A closed community with a manager, a member who co-organises the event, and a plain member; an invite-only event of two seats. */
  async function scene(r: ReturnType<typeof rig>, options: { waitlist?: boolean; guestsAllowed?: boolean } = {}) {
    const manager = await person({ userId: randomUUID(), name: 'Manager' });
    const organiser = await person({ userId: randomUUID(), name: 'Organiser' });
    const plain = await person({ userId: randomUUID(), name: 'Plain member' });
    const panel = await community(r.world, manager, { visibility: 'closed', guestsAllowed: true, name: 'Burgerpanel', members: [organiser, plain] });
    const event = await r.events.events.create(manager, eventInput(clock, { communityId: panel.id, signupMethod: 'invite', capacity: 2, waitlist: options.waitlist ?? true, guestsAllowed: options.guestsAllowed ?? true, organizers: [manager.userId, organiser.userId] }));
    return { manager, organiser, plain, panel, event };
  }

  const post = (app: Express, actor: ReturnType<typeof testActor>, path: string, body?: object) => request(app).post(`/api/v1${path}`).set('X-Test-Actor', actorHeader(actor)).send(body);

  it('a mixed paste by an organiser who manages the community: seats, the waitlist, pending guests, malformed and refused; the same again changes nothing; a guest’s first sign-in registers them', async () => {
    const r = rig();
    const { manager, plain, panel, event } = await scene(r);
    const colleagues = ['anna', 'bram', 'cees'].map((n) => graph.addUser({ mail: `${n}@waterschap.example`, displayName: n }));
    // Already a member of the community: registered, and no invitation to the community.
    graph.addUser({ id: plain.userId, mail: 'plain@waterschap.example', displayName: 'Plain member' });
    graph.reach.refuseInvitesTo('geweigerd.example');
    const pasted = ['anna@waterschap.example', 'bram@waterschap.example', 'PLAIN@waterschap.example', 'nieuw1@boerderij.example', 'nieuw2@boerderij.example', 'x@geweigerd.example', 'geen-adres', 'twee@@apenstaart.example', 'anna@waterschap.example'].join('\n');
    const body = { addresses: pasted, language: 'en', message: 'Welcome to the session.' };

    const first = await post(r.app, manager, `/events/${event.id}/invitations`, body);

    assert.equal(first.status, 200, JSON.stringify(first.body));
    const outcomes = Object.fromEntries((first.body.outcomes as { address: string; outcome: string }[]).map((o) => [o.address.toLowerCase(), o.outcome]));
    assert.deepEqual(outcomes, {
      'anna@waterschap.example': 'registered',
      'bram@waterschap.example': 'registered',
      'plain@waterschap.example': 'waitlisted',
      'nieuw1@boerderij.example': 'invited_guest',
      'nieuw2@boerderij.example': 'invited_guest',
      'x@geweigerd.example': 'refused_by_policy',
      'geen-adres': 'invalid_address',
      'twee@@apenstaart.example': 'invalid_address',
    });
    const registrations = await RegistrationModel.find({ eventId: event.id }).lean();
    const statusOf = (userId: string) => registrations.find((x) => x.userId === userId)?.status;
    assert.equal(statusOf(colleagues[0]!.id), 'registered');
    assert.equal(statusOf(colleagues[1]!.id), 'registered');
    assert.equal(statusOf(plain.userId), 'waitlisted', 'two seats: the third waits');
    assert.equal(statusOf(colleagues[2]!.id), undefined, 'not pasted, not registered');
    // Into the community: the two colleagues and the two guests wait as invited; the member stays active.
    const membership = async (userId: string) => (await MembershipModel.findOne({ communityId: panel.id, userId }).lean())?.status;
    assert.equal(await membership(colleagues[0]!.id), 'invited');
    assert.equal(await membership(plain.userId), 'active');
    const sent = graph.reach.invitations;
    assert.equal(sent.length, 2);
    for (const guest of sent) {
      assert.equal(guest.redirectUrl, `https://meent.example/tab/#/events/${event.id}`);
      assert.equal(guest.language, 'en-US');
      assert.equal(await membership(guest.userId), 'invited');
      assert.equal(statusOf(guest.userId), undefined, 'a guest is registered at their first sign-in');
    }
    assert.equal(await InvitationModel.countDocuments({ eventId: event.id, state: 'accepted', email: mongoose.trusted({ $exists: false }) }), 3, 'registered: the address is not kept');
    assert.equal(await InvitationModel.countDocuments({ eventId: event.id, state: 'pending' }), 2);
    assert.equal(await InvitationModel.countDocuments({ eventId: event.id, state: 'failed', reason: 'refused_by_policy' }), 1);

    // The same request again: nothing changes, Graph is not asked.
    const before = graph.requests.length;
    const second = await post(r.app, manager, `/events/${event.id}/invitations`, body);
    assert.equal(second.status, 200);
    assert.equal(graph.requests.length, before, 'no Graph request');
    const again = (second.body.outcomes as { outcome: string }[]).map((o) => o.outcome).sort();
    assert.deepEqual(again, ['already_invited', 'already_invited', 'already_invited', 'already_registered', 'already_registered', 'already_registered', 'invalid_address', 'invalid_address']);
    assert.equal(await RegistrationModel.countDocuments({ eventId: event.id }), 3);
    assert.equal(await InvitationModel.countDocuments({}), 6);

    // A guest's first sign-in: a member of the community, registered (on the waitlist: both seats are taken), the address gone.
    const guest = sent[0]!;
    await r.invitations.signedIn(testActor({ userId: guest.userId, isGuest: true }));
    assert.equal(await membership(guest.userId), 'active');
    const registration = await RegistrationModel.findOne({ eventId: event.id, userId: guest.userId }).lean();
    assert.equal(registration?.status, 'waitlisted');
    assert.equal(registration?.addedBy, manager.userId, 'added as the organiser who invited them would have');
    const accepted = await InvitationModel.findOne({ eventId: event.id, userId: guest.userId }).lean();
    assert.deepEqual([accepted?.state, accepted?.email], ['accepted', undefined]);

    // The organiser's list: pending, accepted, failed.
    const list = await request(r.app).get(`/api/v1/events/${event.id}/invitations`).set('X-Test-Actor', actorHeader(manager));
    assert.equal(list.status, 200);
    const items = list.body.items as { id: string; state: string; userId: string | null; kind: string }[];
    assert.deepEqual(items.map((i) => i.state).sort(), ['accepted', 'accepted', 'accepted', 'accepted', 'failed', 'pending']);

    // Withdraw the other guest's: their waiting membership goes.
    const other = items.find((i) => i.state === 'pending')!;
    const withdrawn = await request(r.app).delete(`/api/v1/events/${event.id}/invitations/${other.id}`).set('X-Test-Actor', actorHeader(manager));
    assert.equal(withdrawn.status, 200, JSON.stringify(withdrawn.body));
    assert.equal(withdrawn.body.state, 'withdrawn');
    assert.equal(await membership(sent[1]!.userId), undefined);

    // Send the refused one again once the policy allows the domain.
    graph.reach.reset();
    const failed = items.find((i) => i.state === 'failed')!;
    const resent = await post(r.app, manager, `/events/${event.id}/invitations/${failed.id}/resend`, { language: 'nl' });
    assert.equal(resent.status, 200, JSON.stringify(resent.body));
    assert.deepEqual([resent.body.outcome, resent.body.invitation.state, resent.body.invitation.sends], ['invited_guest', 'pending', 2]);

    // Audited, without addresses; and no address in the log.
    const audit = await AuditEntryModel.find({ subjectId: event.id }).lean();
    assert.deepEqual(audit.map((e) => e.kind), ['invitations.sent', 'invitations.sent', 'invitations.sent']);
    assert.deepEqual((audit[0]?.details as Record<string, unknown>)?.eventId, event.id);
    assert.equal(await AuditEntryModel.countDocuments({ kind: mongoose.trusted({ $in: ['invitations.withdrawn', 'invitations.resent'] }) }), 2);
    const written = JSON.stringify(await AuditEntryModel.find({}).lean()) + logLines.join('');
    assert.ok(!/[a-z0-9.]+@[a-z]+\.example/i.test(written), 'an e-mail address in the audit log or the log');
  });

  it('an organiser who does not manage the community registers people of the tenant, brings nobody into the community and invites no guests', async () => {
    const r = rig();
    const { organiser, panel, event } = await scene(r);
    const colleague = graph.addUser({ mail: 'anna@waterschap.example', displayName: 'Anna' });
    const answer = await post(r.app, organiser, `/events/${event.id}/invitations`, { addresses: 'anna@waterschap.example, gast@boerderij.example' });
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    assert.deepEqual(answer.body.outcomes.map((o: { outcome: string }) => o.outcome), ['registered', 'needs_community_manager']);
    assert.equal((await RegistrationModel.findOne({ eventId: event.id, userId: colleague.id }).lean())?.status, 'registered', 'registered, as adding them by name does');
    assert.equal(await MembershipModel.countDocuments({ communityId: panel.id, userId: colleague.id }), 0, 'running an event lets nobody into the closed community');
    assert.equal(graph.reach.invitations.length, 0, 'no guest invited through Graph');
    assert.equal(await InvitationModel.countDocuments({ eventId: event.id, state: 'pending' }), 0);
  });

  it('a guest invited to a full event without a waitlist is not registered at sign-in: the invitation fails with the reason', async () => {
    const r = rig();
    const { manager, event } = await scene(r, { waitlist: false });
    for (const n of ['a', 'b']) graph.addUser({ mail: `${n}@waterschap.example` });
    const answer = await post(r.app, manager, `/events/${event.id}/invitations`, { addresses: 'a@waterschap.example, b@waterschap.example, c@waterschap.example, gast@boerderij.example' });
    const outcomes = (answer.body.outcomes as { outcome: string }[]).map((o) => o.outcome);
    // c is not in the tenant: a guest. Two seats for a and b.
    assert.deepEqual(outcomes, ['registered', 'registered', 'invited_guest', 'invited_guest']);
    const guest = graph.reach.invitations[0]!;
    await r.invitations.signedIn(testActor({ userId: guest.userId, isGuest: true }));
    assert.equal(await RegistrationModel.countDocuments({ eventId: event.id, userId: guest.userId }), 0);
    const item = await InvitationModel.findOne({ userId: guest.userId }).lean();
    assert.deepEqual([item?.state, item?.reason], ['failed', 'event_full']);
    assert.equal((await MembershipModel.findOne({ userId: guest.userId }).lean())?.status, 'active', 'still let into the community');
    // A third person of the tenant: the event is full and has no waitlist.
    graph.addUser({ mail: 'd@waterschap.example' });
    const full = await post(r.app, manager, `/events/${event.id}/invitations`, { addresses: 'd@waterschap.example' });
    assert.deepEqual(full.body.outcomes.map((o: { outcome: string }) => o.outcome), ['event_full']);
  });

  it('refuses whoever does not run the event (403), a cancelled event and one that has started (409)', async () => {
    const r = rig();
    const { manager, plain, event } = await scene(r);
    const outsider = await person({ userId: randomUUID() });
    const forbidden = await post(r.app, plain, `/events/${event.id}/invitations`, { addresses: 'x@boerderij.example' });
    assert.equal(forbidden.status, 403);
    assert.equal((await request(r.app).get(`/api/v1/events/${event.id}/invitations`).set('X-Test-Actor', actorHeader(plain))).status, 403);
    // Not in the closed community: the event is not there for them.
    assert.equal((await post(r.app, outsider, `/events/${event.id}/invitations`, { addresses: 'x@boerderij.example' })).status, 404);

    clock.advance(11 * DAY);
    const started = await post(r.app, manager, `/events/${event.id}/invitations`, { addresses: 'x@boerderij.example' });
    assert.deepEqual([started.status, started.body.code], [409, 'event_started']);
    clock.advance(-11 * DAY);
    await r.events.events.cancel(manager, event.id);
    const cancelled = await post(r.app, manager, `/events/${event.id}/invitations`, { addresses: 'x@boerderij.example' });
    assert.deepEqual([cancelled.status, cancelled.body.code], [409, 'event_cancelled']);
    assert.equal((await request(r.app).get(`/api/v1/events/${event.id}/invitations`).set('X-Test-Actor', actorHeader(manager))).status, 200, 'the list can still be read');
    assert.equal(graph.requests.length, 0, 'Graph was not asked');
    assert.equal(await InvitationModel.countDocuments({}), 0);
  });

  it('invites no guests to an event that admits none, and keeps the community’s own invitations apart', async () => {
    const r = rig();
    const { manager, panel, event } = await scene(r, { guestsAllowed: false });
    const toEvent = await post(r.app, manager, `/events/${event.id}/invitations`, { addresses: 'gast@boerderij.example' });
    assert.deepEqual(toEvent.body.outcomes, [{ address: 'gast@boerderij.example', outcome: 'guests_not_allowed' }]);
    assert.equal(graph.count((x) => x.path === '/v1.0/invitations'), 0);
    // The same address invited to the community is a separate invitation, listed there only.
    const toCommunity = await post(r.app, manager, `/communities/${panel.id}/invitations`, { addresses: 'gast@boerderij.example' });
    assert.deepEqual(toCommunity.body.outcomes.map((o: { outcome: string }) => o.outcome), ['invited_guest']);
    const communityList = await request(r.app).get(`/api/v1/communities/${panel.id}/invitations`).set('X-Test-Actor', actorHeader(manager));
    const eventList = await request(r.app).get(`/api/v1/events/${event.id}/invitations`).set('X-Test-Actor', actorHeader(manager));
    assert.deepEqual([communityList.body.items.length, eventList.body.items.length], [1, 0]);
  });
});
