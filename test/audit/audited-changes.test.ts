/**
 * Changes that decide who may see or take what leave an audit entry, read back through
 * GET /api/v1/audit as an organisation admin: the whole application, real tokens.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { buildApplication, type Application } from '../../src/composition.js';
import { loadConfig } from '../../src/config/config.js';
import { createLogger } from '../../src/logging/logger.js';
import { useTestDatabase } from '../support/database.js';
import { startGraphServer, type GraphServer } from '../support/graph-server.js';
import { TEST_APP_ID_URI, TEST_CLIENT_ID, TEST_CLIENT_SECRET, TEST_HOME_TENANT, entraEnvironment } from '../support/identity-app.js';
import { startIdentityProvider, type IdentityProvider } from '../support/identity-provider.js';

interface Person {
  oid: string;
  name: string;
  upn: string;
  admin?: boolean;
}

interface Entry {
  kind: string;
  actorId?: string;
  subjectId?: string;
  details?: Record<string, unknown>;
}

const DAY = 24 * 3_600_000;

function person(name: string, admin = false): Person {
  const oid = randomUUID();
  return { oid, name, upn: `${name.split(' ')[0]!.toLowerCase()}.${oid.slice(0, 6)}@waterschap.example`, admin };
}

describe('audited changes (whole application, real tokens)', () => {
  useTestDatabase('audited_changes');
  let idp: IdentityProvider;
  let graph: GraphServer;
  let application: Application;
  const admin = person('Ada Admin', true);
  const manager = person('Marieke Manager');
  const member = person('Mia Member');
  const colleague = person('Kees Collega');

  before(async () => {
    idp = await startIdentityProvider();
    graph = await startGraphServer();
    // The app's own Graph token (pinning reads the team's members with it).
    idp.registerClient({ clientId: TEST_CLIENT_ID, appIdUri: TEST_APP_ID_URI, secret: TEST_CLIENT_SECRET });
    const config = loadConfig(entraEnvironment(idp.baseUrl, graph.baseUrl, { RATE_LIMIT_USER_WRITES: '0', RATE_LIMIT_IP_WRITES: '0' }));
    application = await buildApplication(config, createLogger('silent'));
    for (const p of [admin, manager, member, colleague]) assert.equal((await api(p, 'get', '/me')).status, 200);
  });
  after(async () => {
    await application.close();
    await graph.stop();
    await idp.stop();
  });

  async function api(p: Person, method: 'get' | 'post' | 'patch' | 'delete', path: string, body?: object) {
    const token = await idp.userToken({ tenantId: TEST_HOME_TENANT, oid: p.oid, name: p.name, upn: p.upn, apiClientId: TEST_CLIENT_ID, apiAppIdUri: TEST_APP_ID_URI, ...(p.admin ? { roles: ['Meent.Admin'] } : {}) });
    const res = await request(application.app)[method](`/api/v1${path}`).set('Authorization', `Bearer ${token}`).send(body);
    await application.identity.whenIdle();
    return res;
  }

  /** The entries of a kind about a subject, oldest first, as an admin reads them; none holds an e-mail address. */
  async function audited(kind: string, subjectId?: string): Promise<Entry[]> {
    const res = await api(admin, 'get', `/audit?kind=${encodeURIComponent(kind)}&limit=100`);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    const entries = (res.body.items as Entry[]).filter((e) => subjectId === undefined || e.subjectId === subjectId).reverse();
    for (const p of [admin, manager, member, colleague]) assert.ok(!JSON.stringify(entries).includes(p.upn), `${kind} holds an e-mail address`);
    return entries;
  }

  async function newCommunity(body: object = {}): Promise<string> {
    const res = await api(manager, 'post', '/communities', { name: `Community ${randomUUID().slice(0, 6)}`, visibility: 'public', ...body });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    return res.body.id as string;
  }

  async function newEvent(communityId: string): Promise<string> {
    const start = new Date(Date.now() + 10 * DAY);
    const res = await api(manager, 'post', `/communities/${communityId}/events`, {
      title: 'Kennissessie peilbeheer',
      start: start.toISOString(),
      end: new Date(start.getTime() + 3_600_000).toISOString(),
      timeZone: 'Europe/Amsterdam',
      location: { name: 'Gemeentehuis' },
    });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    return res.body.id as string;
  }

  it('records a community admitting or refusing guests, once per change', async () => {
    const id = await newCommunity();
    assert.equal((await api(manager, 'patch', `/communities/${id}`, { guestsAllowed: true })).status, 200);
    assert.equal((await api(manager, 'patch', `/communities/${id}`, { guestsAllowed: true })).status, 200, 'no change');
    assert.equal((await api(manager, 'patch', `/communities/${id}`, { guestsAllowed: false })).status, 200);
    assert.equal((await api(member, 'patch', `/communities/${id}`, { guestsAllowed: true })).status, 403, 'refused: changes nothing');
    const entries = await audited('community.guests_changed', id);
    assert.deepEqual(
      entries.map((e) => [e.actorId, e.details]),
      [
        [manager.oid, { from: false, to: true }],
        [manager.oid, { from: true, to: false }],
      ],
    );
  });

  it('records pinning a community to a Teams channel, and unpinning it; bad ids are refused and leave no entry', async () => {
    const id = await newCommunity();
    const bad = await api(manager, 'patch', `/communities/${id}`, { teamId: 'team id with spaces' });
    assert.equal(bad.status, 400);
    assert.equal((await audited('community.channel_changed', id)).length, 0);

    // Pinning needs membership of the team, read from Graph (src/communities/channel-pin.ts).
    const team = graph.addTeam({ displayName: 'Peilbeheer', tenantId: TEST_HOME_TENANT, members: [{ userId: manager.oid, roles: ['owner'] }] });
    const channelId = team.channelIds[0] ?? '';
    const pinned = await api(manager, 'patch', `/communities/${id}`, { teamId: team.id, channelId });
    assert.equal(pinned.status, 200, JSON.stringify(pinned.body));
    assert.equal((await api(manager, 'patch', `/communities/${id}`, { teamId: null, channelId: null })).status, 200);
    const entries = await audited('community.channel_changed', id);
    assert.deepEqual(
      entries.map((e) => e.details),
      [
        { fromTeamId: null, fromChannelId: null, teamId: team.id, channelId },
        { fromTeamId: team.id, fromChannelId: channelId, teamId: null, channelId: null },
      ],
    );
  });

  it('records an event admitting guests, and each organiser added or removed', async () => {
    const communityId = await newCommunity({ guestsAllowed: true });
    const eventId = await newEvent(communityId);
    // Only members of the event's community may organise it (issue 18, finding 7).
    assert.equal((await api(colleague, 'post', `/communities/${communityId}/members`, {})).status, 201);
    assert.equal((await api(manager, 'patch', `/events/${eventId}`, { guestsAllowed: true })).status, 200);
    assert.deepEqual((await audited('event.guests_changed', eventId)).map((e) => [e.actorId, e.details]), [[manager.oid, { from: false, to: true }]]);

    assert.equal((await api(manager, 'patch', `/events/${eventId}`, { organizers: [] })).status, 400, 'bad input changes nothing');
    assert.equal((await api(manager, 'patch', `/events/${eventId}`, { organizers: [manager.oid, colleague.oid] })).status, 200);
    assert.equal((await api(colleague, 'patch', `/events/${eventId}`, { organizers: [colleague.oid] })).status, 200);
    const added = await audited('event.organizer_added', colleague.oid);
    const removed = await audited('event.organizer_removed', manager.oid);
    assert.deepEqual(added.map((e) => [e.actorId, e.details]), [[manager.oid, { eventId }]]);
    assert.deepEqual(removed.map((e) => [e.actorId, e.details]), [[colleague.oid, { eventId }]]);
  });

  it('records an export of the registrations (who, which event, how many), and not a refused one', async () => {
    const communityId = await newCommunity();
    const eventId = await newEvent(communityId);
    await api(member, 'post', `/communities/${communityId}/members`, {});
    assert.equal((await api(member, 'post', `/events/${eventId}/registrations`, {})).status, 201);
    assert.equal((await api(member, 'get', `/events/${eventId}/registrations.csv`)).status, 403);
    assert.equal((await audited('event.registrations_exported', eventId)).length, 0);
    const csv = await api(manager, 'get', `/events/${eventId}/registrations.csv`);
    assert.equal(csv.status, 200);
    assert.ok(csv.text.includes(member.upn), 'the file holds the address; the audit entry does not');
    assert.deepEqual((await audited('event.registrations_exported', eventId)).map((e) => [e.actorId, e.details]), [[manager.oid, { count: 1 }]]);
  });

  it('records a calendar feed made, replaced and revoked, never its token', async () => {
    const first = await api(member, 'post', '/me/calendar-feed');
    const second = await api(member, 'post', '/me/calendar-feed');
    assert.equal((await api(member, 'delete', '/me/calendar-feed')).status, 204);
    assert.equal((await api(member, 'delete', '/me/calendar-feed')).status, 204, 'nothing left to revoke');
    const created = await audited('calendar_feed.created', member.oid);
    const revoked = await audited('calendar_feed.revoked', member.oid);
    assert.deepEqual(created.map((e) => [e.actorId, e.details]), [[member.oid, { replaced: false }], [member.oid, { replaced: true }]]);
    assert.deepEqual(revoked.map((e) => e.actorId), [member.oid], 'one revocation; the second found nothing');
    const text = JSON.stringify([...created, ...revoked]);
    for (const url of [first.body.url as string, second.body.url as string]) assert.ok(!text.includes(url.split('/').pop()!.replace('.ics', '')));
  });
});
