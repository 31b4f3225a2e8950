/**
 * The private calendar feed through the whole application (entra mode, real JWTs from the
 * local identity provider): what it lists is decided on every poll by its owner's access now.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import request from 'supertest';
import { AuditEntryModel } from '../../src/audit/audit-entry.model.js';
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

  async function build(extra: Record<string, string> = {}, logger = createLogger('silent')): Promise<Application> {
    const config = loadConfig(entraEnvironment(idp.baseUrl, graph.baseUrl, { RATE_LIMIT_USER_WRITES: '0', RATE_LIMIT_IP_WRITES: '0', ...extra }));
    const app = await buildApplication(config, logger);
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

  async function api(person: Person, method: 'get' | 'post' | 'patch' | 'delete', path: string, body?: object, app: Application = application, from?: string) {
    const res = await request(app.app)[method](`/api/v1${path}`).set('Authorization', await bearer(person)).set(from ? { 'X-Forwarded-For': from } : {}).send(body);
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

  describe('under the network policy, and out of the logs', () => {
    const OFFICE = '10.20.30.40';
    const ELSEWHERE = '198.51.100.7';
    let lines: Record<string, unknown>[];
    let guarded: Application;

    before(async () => {
      lines = [];
      const stream = new Writable({
        write(chunk: Buffer, _enc, done) {
          for (const line of chunk.toString().split('\n')) if (line.trim()) lines.push(JSON.parse(line) as Record<string, unknown>);
          done();
        },
      });
      // One proxy in front (as App Service): its X-Forwarded-For names the client.
      guarded = await build({ IP_ALLOWLIST: '10.0.0.0/8', TRUST_PROXY: '1' }, createLogger('info', stream));
    });

    async function guardedFeed(person: Person): Promise<{ path: string; token: string }> {
      const { communityId, eventId } = await communityWithEvent('public', { title: 'Netwerkbeleid' });
      await api(person, 'post', `/communities/${communityId}/members`, {}, guarded, OFFICE);
      assert.equal((await api(person, 'post', `/events/${eventId}/registrations`, {}, guarded, OFFICE)).status, 201);
      const created = await api(person, 'post', '/me/calendar-feed', undefined, guarded, OFFICE);
      assert.equal(created.status, 201, JSON.stringify(created.body));
      const path = new URL(created.body.url as string).pathname;
      return { path, token: /\/calendar\/feeds\/([A-Za-z0-9_-]{43})\.ics$/.exec(path)?.[1] ?? assert.fail(path) };
    }

    it('serves a feed only to the allowed networks (IP_ALLOWLIST), as the API, and audits the refusal without the token', async () => {
      const member: Person = { oid: randomUUID(), name: 'Nora Netwerk' };
      const { path, token } = await guardedFeed(member);
      const inside = await request(guarded.app).get(path).set('X-Forwarded-For', OFFICE);
      assert.equal(inside.status, 200);
      assert.match(inside.text, /SUMMARY:Netwerkbeleid/);

      const outside = await request(guarded.app).get(path).set('X-Forwarded-For', ELSEWHERE);
      await guarded.identity.whenIdle();
      assert.equal(outside.status, 403);
      assert.match(String(outside.headers['content-type']), /^application\/problem\+json/);
      assert.equal(outside.body.code, 'ip_not_allowed');
      assert.doesNotMatch(outside.text, /Netwerkbeleid/);
      const denied = await AuditEntryModel.findOne({ kind: 'access.denied', reason: 'ip_not_allowed', ip: ELSEWHERE }).lean();
      assert.equal(denied?.path, '/calendar/feeds/[redacted].ics');
      assert.ok(!JSON.stringify(await AuditEntryModel.find({}).lean()).includes(token), 'no audit entry holds the token');
      // The health endpoints still answer the load balancer from anywhere.
      assert.equal((await request(guarded.app).get('/healthz').set('X-Forwarded-For', ELSEWHERE)).status, 200);
    });

    it('logs every feed request without its token', async () => {
      const member: Person = { oid: randomUUID(), name: 'Lotte Log' };
      const { path, token } = await guardedFeed(member);
      const before = lines.length;
      assert.equal((await request(guarded.app).get(path).set('X-Forwarded-For', OFFICE)).status, 200);
      assert.equal((await request(guarded.app).get(`${path}?refresh=${token}`).set('X-Forwarded-For', OFFICE).set('Referer', `https://calendar.example/subscribe?url=${path}`)).status, 200);
      assert.equal((await request(guarded.app).get(path).set('X-Forwarded-For', ELSEWHERE)).status, 403);
      const logged = lines.slice(before).filter((l) => typeof (l.req as { url?: unknown } | undefined)?.url === 'string');
      assert.equal(logged.length, 3, 'each request has its log line');
      assert.deepEqual(
        logged.map((l) => (l.req as { url: string }).url),
        ['/calendar/feeds/[redacted].ics', '/calendar/feeds/[redacted].ics?refresh=[redacted]', '/calendar/feeds/[redacted].ics'],
      );
      assert.ok(!JSON.stringify(lines).includes(token), 'no log line holds the token');
    });
  });
});
