/**
 * The private calendar feed through the whole application (entra mode, real JWTs from the
 * local identity provider): what it lists is decided on every poll by its owner's access now.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { buildApplication, type Application } from '../../src/composition.js';
import { loadConfig } from '../../src/config/config.js';
import { createLogger } from '../../src/logging/logger.js';
import { useTestDatabase } from '../support/database.js';
import { startGraphServer, type GraphServer } from '../support/graph-server.js';
import { TEST_APP_ID_URI, TEST_CLIENT_ID, TEST_HOME_TENANT, entraEnvironment } from '../support/identity-app.js';
import { startIdentityProvider, type IdentityProvider } from '../support/identity-provider.js';

interface Person {
  oid: string;
  name: string;
  guest?: boolean;
}

const DAY = 24 * 3_600_000;

describe('calendar feeds (whole application, real tokens)', () => {
  useTestDatabase('calendar_feed');
  let idp: IdentityProvider;
  let graph: GraphServer;
  const built: Application[] = [];
  let application: Application;

  const manager: Person = { oid: randomUUID(), name: 'Marieke Manager' };

  async function build(extra: Record<string, string> = {}): Promise<Application> {
    const config = loadConfig(entraEnvironment(idp.baseUrl, graph.baseUrl, { RATE_LIMIT_USER_WRITES: '0', RATE_LIMIT_IP_WRITES: '0', ...extra }));
    const app = await buildApplication(config, createLogger('silent'));
    built.push(app);
    return app;
  }

  before(async () => {
    idp = await startIdentityProvider();
    graph = await startGraphServer();
    application = await build();
  });
  after(async () => {
    for (const app of built) await app.close();
    await graph.stop();
    await idp.stop();
  });

  async function bearer(person: Person): Promise<string> {
    const token = await idp.userToken({
      tenantId: TEST_HOME_TENANT,
      oid: person.oid,
      name: person.name,
      apiClientId: TEST_CLIENT_ID,
      apiAppIdUri: TEST_APP_ID_URI,
      ...(person.guest ? { acct: 1 as const, upn: `${person.oid.slice(0, 8)}_lto.example#EXT#@waterschap.example` } : {}),
    });
    return `Bearer ${token}`;
  }

  async function api(person: Person, method: 'get' | 'post' | 'patch' | 'delete', path: string, body?: object, app: Application = application) {
    const res = await request(app.app)[method](`/api/v1${path}`).set('Authorization', await bearer(person)).send(body);
    await app.identity.whenIdle();
    return res;
  }

  async function communityWithEvent(visibility: 'public' | 'closed', options: { guests?: boolean; title: string }): Promise<{ communityId: string; eventId: string }> {
    const c = await api(manager, 'post', '/communities', { name: `Community ${options.title}`, visibility, guestsAllowed: options.guests ?? false });
    assert.equal(c.status, 201, JSON.stringify(c.body));
    const start = new Date(Date.now() + 10 * DAY);
    const e = await api(manager, 'post', `/communities/${c.body.id}/events`, {
      title: options.title,
      start: start.toISOString(),
      end: new Date(start.getTime() + 90 * 60_000).toISOString(),
      timeZone: 'Europe/Amsterdam',
      location: { name: 'Gemeentehuis' },
      guestsAllowed: options.guests ?? false,
    });
    assert.equal(e.status, 201, JSON.stringify(e.body));
    return { communityId: c.body.id as string, eventId: e.body.id as string };
  }

  async function signUp(person: Person, eventId: string): Promise<void> {
    const res = await api(person, 'post', `/events/${eventId}/registrations`, {});
    assert.equal(res.status, 201, JSON.stringify(res.body));
    assert.equal(res.body.status, 'registered');
  }

  /** The path of the person's new feed URL. */
  async function feedOf(person: Person): Promise<string> {
    const res = await api(person, 'post', '/me/calendar-feed');
    assert.equal(res.status, 201, JSON.stringify(res.body));
    return new URL(res.body.url as string).pathname;
  }

  async function poll(path: string, app: Application = application): Promise<{ status: number; text: string }> {
    const res = await request(app.app).get(path);
    return { status: res.status, text: res.text };
  }

  it('stops listing an event of a closed community once its owner has left it', async () => {
    const member: Person = { oid: randomUUID(), name: 'Mia Member' };
    const { communityId, eventId } = await communityWithEvent('closed', { title: 'Besloten overleg peilbeheer' });
    await api(member, 'get', '/me');
    assert.equal((await api(manager, 'post', `/communities/${communityId}/members`, { userId: member.oid })).status, 201);
    assert.equal((await api(member, 'post', `/communities/${communityId}/members`, {})).body.outcome, 'accepted');
    await signUp(member, eventId);
    const feed = await feedOf(member);
    assert.match((await poll(feed)).text, /\r\nSUMMARY:Besloten overleg peilbeheer\r\n/);

    assert.equal((await api(member, 'delete', `/communities/${communityId}/members/${member.oid}`)).status, 204);
    const after = await poll(feed);
    assert.equal(after.status, 200, 'the feed itself stays: other events may still be the owner\'s');
    assert.doesNotMatch(after.text, /Besloten overleg peilbeheer/);
    assert.match(after.text, /^BEGIN:VCALENDAR\r\n/);
  });

  it('stops listing an event of a public community once a manager blocked its owner', async () => {
    const member: Person = { oid: randomUUID(), name: 'Bram Geblokkeerd' };
    const { communityId, eventId } = await communityWithEvent('public', { title: 'Open inloop waterberging' });
    assert.equal((await api(member, 'post', `/communities/${communityId}/members`, {})).body.outcome, 'joined');
    await signUp(member, eventId);
    const feed = await feedOf(member);
    assert.match((await poll(feed)).text, /SUMMARY:Open inloop waterberging/);

    assert.equal((await api(manager, 'patch', `/communities/${communityId}/members/${member.oid}`, { status: 'blocked' })).status, 200);
    assert.doesNotMatch((await poll(feed)).text, /Open inloop waterberging/);
  });

  it('stops serving a guest once the community no longer admits guests, or guests may not use Meent at all', async () => {
    const guest: Person = { oid: randomUUID(), name: 'Gerrit Gast (LTO)', guest: true };
    const { communityId, eventId } = await communityWithEvent('public', { guests: true, title: 'Ketenoverleg mestbeleid' });
    assert.equal((await api(guest, 'post', `/communities/${communityId}/members`, {})).body.outcome, 'joined');
    await signUp(guest, eventId);
    const feed = await feedOf(guest);
    assert.match((await poll(feed)).text, /SUMMARY:Ketenoverleg mestbeleid/);

    // The same store, served by an instance configured with GUESTS_ALLOWED=false.
    const noGuests = await build({ GUESTS_ALLOWED: 'false' });
    const refused = await poll(feed, noGuests);
    assert.equal(refused.status, 404, 'a revoked feed and a refused guest look the same');
    assert.doesNotMatch(refused.text, /Ketenoverleg/);

    assert.equal((await api(manager, 'patch', `/communities/${communityId}`, { guestsAllowed: false })).status, 200);
    const after = await poll(feed);
    assert.equal(after.status, 200);
    assert.doesNotMatch(after.text, /Ketenoverleg mestbeleid/);
  });

  it('keeps listing what the owner may still read', async () => {
    const member: Person = { oid: randomUUID(), name: 'Mia Blijft' };
    const { communityId, eventId } = await communityWithEvent('public', { title: 'Kennissessie bodemvocht' });
    await api(member, 'post', `/communities/${communityId}/members`, {});
    await signUp(member, eventId);
    const feed = await feedOf(member);
    // Leaving a public community leaves its content readable to the organisation's people.
    assert.equal((await api(member, 'delete', `/communities/${communityId}/members/${member.oid}`)).status, 204);
    assert.match((await poll(feed)).text, /SUMMARY:Kennissessie bodemvocht/);
  });
});
