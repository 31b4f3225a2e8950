/**
 * Invitations by e-mail address (issue 14) through the HTTP API, against the local Graph
 * (users lookup and POST /invitations in $batch) and a real FerretDB.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import request from 'supertest';
import { sharedAuditLog } from '../../src/audit/audit.port.js';
import { MembershipModel } from '../../src/communities/membership.model.js';
import { loadConfig } from '../../src/config/config.js';
import { meentGraphClient } from '../../src/graph/graph-client.js';
import { GraphGuestInvitationsGateway } from '../../src/graph/guest-invitations-gateway.js';
import { ApiSpec } from '../../src/http/api-spec.js';
import { createApp } from '../../src/http/app.js';
import { InvitationModel } from '../../src/invitations/invitation.model.js';
import { InvitationService } from '../../src/invitations/invitation.service.js';
import { invitationsRouter } from '../../src/invitations/invitations.routes.js';
import { createLogger } from '../../src/logging/logger.js';
import { buildWorld, community, person, testActor, actorHeader } from '../communities/communities-fixtures.js';
import { useTestDatabase } from '../support/database.js';
import { startGraphServer, type GraphServer, type RecordedRequest } from '../support/graph-server.js';
import { testAuthenticate } from '../support/test-actor.js';

const GRAPH_TOKEN = 'graph-app-token-invitations-0123456789';

describe('invitations by e-mail address (members found through Graph, others invited as B2B guests)', function () {
  this.timeout(120_000);
  useTestDatabase('invitations');
  let graph: GraphServer;
  let sim = 0;
  const logLines: string[] = [];

  before(async () => {
    graph = await startGraphServer({ validToken: GRAPH_TOKEN, now: () => sim });
  });
  after(async () => {
    await graph.stop();
  });
  beforeEach(async () => {
    graph.reset();
    sim = 5_000_000;
    logLines.length = 0;
    await Promise.all([InvitationModel.deleteMany({}), MembershipModel.deleteMany({})]);
  });

  function rig() {
    const world = buildWorld();
    const gateway = new GraphGuestInvitationsGateway({
      graph: meentGraphClient({ baseUrl: graph.baseUrl, getAccessToken: async () => GRAPH_TOKEN }),
      now: () => sim,
      sleep: async (ms) => {
        sim += ms;
      },
    });
    const logger = createLogger('info', new Writable({ write: (chunk: Buffer, _e, done) => (logLines.push(chunk.toString()), done()) }));
    const invitations = new InvitationService({ memberships: world.module.services.memberships, audit: sharedAuditLog({ logger }), gatewayFor: () => gateway, guestsAllowed: true, publicUrl: 'https://meent.example' });
    const config = loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'info' });
    const app = createApp({ config, logger, isReady: () => Promise.resolve(true), authenticate: testAuthenticate, apiRouters: [...world.module.apiRouters, invitationsRouter(new ApiSpec(), { invitations })] });
    return { world, invitations, app };
  }

  const envelopes = () => graph.requests.filter((r) => r.via === 'http' && r.path === '/v1.0/$batch');
  const subRequests = (path: (r: RecordedRequest) => boolean) => graph.requests.filter((r) => r.via === 'batch' && path(r));

  it('200 addresses (the most one request takes): 50 people of the tenant, 142 new guests, 5 malformed, 3 refused by Graph; right memberships and outcomes; a second request changes nothing', async () => {
    const { world, invitations, app } = rig();
    const manager = await person({ userId: randomUUID(), name: 'Manager' });
    const panel = await community(world, manager, { visibility: 'closed', guestsAllowed: true, name: 'Burgerpanel Waterschap' });
    const existing = Array.from({ length: 50 }, (_, i) => graph.addUser({ mail: `collega${i}@waterschap.example`, displayName: `Collega ${i}` }));
    const newcomers = Array.from({ length: 142 }, (_, i) => `panel.lid${i}@boerderij.example`);
    const malformed = ['geen-adres', 'twee@@apenstaart.example', '@zonder.naam', 'punt@.example', 'zonder-domein@'];
    graph.reach.refuseInvitesTo('geweigerd.example');
    const refused = ['a@geweigerd.example', 'b@geweigerd.example', 'c@geweigerd.example'];
    graph.reach.enforceInviteLimit();
    const pasted = [...existing.map((u) => u.mail as string), ...newcomers, ...refused].join('\n') + '\n' + malformed.join(', ');
    const body = { addresses: pasted, language: 'nl', message: 'Welkom bij het burgerpanel.' };

    const first = await request(app).post(`/api/v1/communities/${panel.id}/invitations`).set('X-Test-Actor', actorHeader(manager)).send(body);

    assert.equal(first.status, 200, JSON.stringify(first.body).slice(0, 500));
    const outcomes = first.body.outcomes as { address: string; outcome: string }[];
    const count = (o: string) => outcomes.filter((x) => x.outcome === o).length;
    assert.equal(count('invited_member'), 50);
    assert.equal(count('invited_guest'), 142);
    assert.equal(count('refused_by_policy'), 3);
    assert.equal(count('invalid_address'), 5);
    assert.equal(outcomes.length, 200);
    // Memberships: 200 invited, waiting; the guests' bound to the object id Graph gave them.
    assert.equal(await MembershipModel.countDocuments({ status: 'invited' }), 192);
    const sent = graph.reach.invitations;
    assert.equal(sent.length, 142);
    for (const invitation of sent.slice(0, 10)) {
      const membership = await MembershipModel.findOne({ userId: invitation.userId }).lean();
      assert.equal(membership?.status, 'invited');
      assert.equal(membership?.isGuest, true);
      assert.equal(invitation.redirectUrl, `https://meent.example/tab/#/communities/${panel.id}`);
      assert.equal(invitation.language, 'nl-NL');
    }
    // Graph: batches of at most 20, one lookup per valid address, one invitation per new guest, never throttled,
    // and within the invitation manager's 150 a 5 seconds (by the stand-in's clock).
    assert.ok(envelopes().every((e) => ((e.body as { requests: unknown[] }).requests.length <= 20)));
    assert.equal(subRequests((r) => r.path === '/v1.0/users').length, 195);
    const inviteCalls = subRequests((r) => r.path === '/v1.0/invitations');
    assert.equal(inviteCalls.length, 145);
    assert.equal(inviteCalls.filter((r) => r.status === 429).length, 0);
    const stamps = inviteCalls.map((r) => r.at).sort((a, b) => a - b);
    // Meent keeps to 100 a 5 seconds, leaving the rest of the tenant's 150 to other apps.
    for (let i = 100; i < stamps.length; i++) assert.ok((stamps[i] ?? 0) - (stamps[i - 100] ?? 0) >= 5_000, `101 invitations within 5 seconds at ${i}`);

    // The same request again: nothing changes, Graph is not asked.
    const before = graph.requests.length;
    const second = await request(app).post(`/api/v1/communities/${panel.id}/invitations`).set('X-Test-Actor', actorHeader(manager)).send(body);
    assert.equal(second.status, 200);
    assert.equal(graph.requests.length, before);
    assert.equal((second.body.outcomes as { outcome: string }[]).filter((o) => o.outcome === 'already_invited').length, 195);
    assert.equal(await MembershipModel.countDocuments({ status: 'invited' }), 192);
    assert.equal(await InvitationModel.countDocuments({}), 195);

    // The manager's list: pending and failed, Graph's answer as a code.
    const list = await request(app).get(`/api/v1/communities/${panel.id}/invitations`).set('X-Test-Actor', actorHeader(manager));
    const items = list.body.items as { id: string; state: string; reason: string | null; address: string | null; kind: string }[];
    assert.equal(items.filter((i) => i.state === 'pending').length, 192);
    assert.deepEqual(items.filter((i) => i.state === 'failed').map((i) => i.reason), ['refused_by_policy', 'refused_by_policy', 'refused_by_policy']);

    // A guest's first sign-in accepts: membership active, the address removed.
    const guest = sent[0];
    assert.ok(guest);
    await invitations.signedIn(testActor({ userId: guest.userId, isGuest: true }));
    assert.equal((await MembershipModel.findOne({ userId: guest.userId }).lean())?.status, 'active');
    const accepted = await InvitationModel.findOne({ userId: guest.userId }).lean();
    assert.equal(accepted?.state, 'accepted');
    assert.equal(accepted?.email, undefined);

    // Withdraw a pending member invitation: the waiting membership goes.
    const member = items.find((i) => i.kind === 'member' && i.state === 'pending');
    assert.ok(member);
    const withdrawn = await request(app).delete(`/api/v1/communities/${panel.id}/invitations/${member.id}`).set('X-Test-Actor', actorHeader(manager));
    assert.equal(withdrawn.status, 200);
    assert.equal(withdrawn.body.state, 'withdrawn');
    assert.equal(await MembershipModel.countDocuments({ status: 'invited' }), 190);

    // Re-send a refused one once the policy allows the domain.
    graph.reset();
    graph.reach.addCatalogApp('x');
    const failed = items.find((i) => i.state === 'failed');
    assert.ok(failed);
    const again = await request(app).post(`/api/v1/communities/${panel.id}/invitations/${failed.id}/resend`).set('X-Test-Actor', actorHeader(manager)).send({ language: 'en' });
    assert.equal(again.status, 200, JSON.stringify(again.body));
    assert.equal(again.body.outcome, 'invited_guest');
    assert.equal(again.body.invitation.state, 'pending');
    assert.equal(again.body.invitation.sends, 2);
    assert.equal(graph.reach.invitations[0]?.language, 'en-US');

    // No e-mail address in the log.
    assert.ok(!logLines.join('').match(/[a-z0-9.]+@[a-z]+\.example/), 'an e-mail address in the log');
  });

  it('refuses what it may not do: a plain member, 201 addresses, no guests in a community without them', async () => {
    const { world, app } = rig();
    const manager = await person({ userId: randomUUID() });
    const plain = await person({ userId: randomUUID() });
    const closed = await community(world, manager, { visibility: 'closed', guestsAllowed: false, members: [plain] });

    const forbidden = await request(app).post(`/api/v1/communities/${closed.id}/invitations`).set('X-Test-Actor', actorHeader(plain)).send({ addresses: 'x@boerderij.example' });
    assert.equal(forbidden.status, 403);
    const tooMany = await request(app).post(`/api/v1/communities/${closed.id}/invitations`).set('X-Test-Actor', actorHeader(manager)).send({ addresses: Array.from({ length: 201 }, (_, i) => `p${i}@boerderij.example`).join(',') });
    assert.equal(tooMany.status, 400);
    assert.equal(tooMany.body.code, 'too_many_addresses');
    const noGuests = await request(app).post(`/api/v1/communities/${closed.id}/invitations`).set('X-Test-Actor', actorHeader(manager)).send({ addresses: 'nieuw@boerderij.example' });
    assert.equal(noGuests.status, 200);
    assert.deepEqual(noGuests.body.outcomes, [{ address: 'nieuw@boerderij.example', outcome: 'guests_not_allowed' }]);
    assert.equal(graph.count((r) => r.path === '/v1.0/invitations'), 0);
    assert.equal(await InvitationModel.countDocuments({}), 0);
  });
});
