/**
 * The people picker's directory search (`GET /people?q=..&source=directory`) through the whole
 * app: real Teams SSO tokens from the local identity provider, the composition root's wiring,
 * and the organisation's directory read from the local Graph with the app's own token. Someone
 * who never used Meent is found by name (without an e-mail address), appears once next to the
 * people Meent knows, and can then be invited to a community and added to an event; bad input
 * is refused before Graph is asked; throttling is waited out.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { buildApplication, type Application } from '../../src/composition.js';
import { loadConfig } from '../../src/config/config.js';
import { createLogger } from '../../src/logging/logger.js';
import { UserModel } from '../../src/members/user.model.js';
import { useTestDatabase } from '../support/database.js';
import { startGraphServer, type GraphServer } from '../support/graph-server.js';
import { entraEnvironment, TEST_APP_ID_URI, TEST_CLIENT_ID, TEST_CLIENT_SECRET, TEST_HOME_TENANT, TEST_PARTNER_TENANT } from '../support/identity-app.js';
import { startIdentityProvider, type IdentityProvider } from '../support/identity-provider.js';

describe('people search in the organisation\'s directory (source=directory)', function () {
  this.timeout(60_000);
  useTestDatabase('directory-people');
  const logger = createLogger('silent');
  let idp: IdentityProvider;
  let graph: GraphServer;
  let application: Application;
  const manager = { id: randomUUID(), displayName: 'Marit Hoekstra', mail: 'marit.hoekstra@waterschap.example', userPrincipalName: 'marit.hoekstra@waterschap.example' };
  const known = { id: randomUUID(), displayName: 'Femke Bakker', mail: 'femke.bakker@waterschap.example', userPrincipalName: 'femke.bakker@waterschap.example' };
  const newcomer = { id: randomUUID(), displayName: 'Femke de Jong', jobTitle: 'Ecoloog', department: 'Waterkwaliteit', mail: 'femke.dejong@waterschap.example', userPrincipalName: 'femke.dejong@waterschap.example' };

  before(async () => {
    idp = await startIdentityProvider();
    graph = await startGraphServer({ validToken: (t) => idp.issuedAccessTokens.has(t) });
    idp.registerClient({ clientId: TEST_CLIENT_ID, appIdUri: TEST_APP_ID_URI, secret: TEST_CLIENT_SECRET });
    application = await buildApplication(
      loadConfig(entraEnvironment(idp.baseUrl, graph.baseUrl, { RATE_LIMIT_USER_WRITES: '0', RATE_LIMIT_IP_WRITES: '0', RATE_LIMIT_USER_READS: '0', RATE_LIMIT_IP_READS: '0' })),
      logger,
    );
  });
  after(async () => {
    await application.close();
    await graph.stop();
    await idp.stop();
  });
  beforeEach(async () => {
    graph.reset();
    for (const user of [manager, known, newcomer]) graph.addUser({ ...user, userType: 'Member' });
    // The manager and Femke Bakker have used Meent; Femke de Jong never has.
    await get(manager.id, '/api/v1/people/me-not-a-person');
    await get(known.id, '/api/v1/people/me-not-a-person');
    seenBefore = graph.requests.length;
  });

  const bearer = async (oid: string, admin = false) =>
    `Bearer ${await idp.userToken({ tenantId: TEST_HOME_TENANT, oid, apiClientId: TEST_CLIENT_ID, apiAppIdUri: TEST_APP_ID_URI, ...(admin ? { roles: ['Meent.Admin'] } : {}) })}`;

  async function get(oid: string, path: string, query: Record<string, string> = {}) {
    const res = await request(application.app).get(path).query(query).set('Authorization', await bearer(oid));
    await application.identity.whenIdle();
    return res;
  }

  let seenBefore = 0;
  const searches = () => graph.requests.slice(seenBefore).filter((r) => r.path === '/v1.0/users' && r.query.has('$search'));

  it('finds someone who never signed in, by name, once next to the people Meent knows, without an e-mail address', async () => {
    const res = await get(manager.id, '/api/v1/people', { q: 'femke', source: 'directory', limit: '10' });

    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.deepEqual(
      res.body.items.map((p: { id: string; displayName: string }) => [p.displayName, p.id]),
      [
        ['Femke Bakker', known.id],
        ['Femke de Jong', newcomer.id],
      ],
    );
    const found = res.body.items[1];
    assert.equal(found.mail, null);
    assert.equal(found.jobTitle, 'Ecoloog');
    assert.equal(found.isGuest, false);
    assert.equal(res.body.nextCursor, undefined);
    assert.doesNotMatch(JSON.stringify(found), /@/);

    const [asked] = searches();
    assert.equal(asked?.query.get('$search'), '"displayName:femke"');
    assert.equal(asked?.query.get('$count'), 'true');
    assert.equal(asked?.query.get('$select'), 'id,displayName,jobTitle,department,userType');
    assert.equal(asked?.query.get('$top'), '10');
    assert.equal(asked?.headers.consistencylevel, 'eventual');
    // Finding is not inviting: Meent does not know her yet.
    assert.equal(await UserModel.countDocuments({ userId: newcomer.id }), 0);
  });

  it('lets a manager invite her to a community and an organiser add her to an event; she is then known to Meent', async () => {
    const community = await request(application.app).post('/api/v1/communities').set('Authorization', await bearer(manager.id)).send({ name: 'Oeverbeheer', visibility: 'closed' });
    assert.equal(community.status, 201, JSON.stringify(community.body));
    const invited = await request(application.app).post(`/api/v1/communities/${community.body.id}/members`).set('Authorization', await bearer(manager.id)).send({ userId: newcomer.id });
    assert.equal(invited.status, 201, JSON.stringify(invited.body));
    const person = await UserModel.findOne({ userId: newcomer.id }).lean();
    assert.equal(person?.displayName, 'Femke de Jong');

    await UserModel.deleteOne({ userId: newcomer.id });
    const event = await request(application.app)
      .post('/api/v1/events')
      .set('Authorization', await bearer(manager.id, true))
      .send({ title: 'Excursie oevers', start: '2099-06-01T09:00:00Z', end: '2099-06-01T12:00:00Z', signupMethod: 'invite', capacity: 10, location: { name: 'Gemaal De Blocq' } });
    assert.equal(event.status, 201, JSON.stringify(event.body));
    const added = await request(application.app).put(`/api/v1/events/${event.body.id}/registrations/${newcomer.id}`).set('Authorization', await bearer(manager.id, true));
    await application.identity.whenIdle();
    assert.equal(added.status, 201, JSON.stringify(added.body));
    assert.equal(added.body.status, 'registered');
    assert.equal((await UserModel.findOne({ userId: newcomer.id }).lean())?.displayName, 'Femke de Jong');
  });

  it('refuses bad input with 400 before Graph is asked, and changes nothing', async () => {
    const before = await UserModel.countDocuments();
    const bad: Record<string, string>[] = [{ source: 'directory' }, { q: '   ', source: 'directory' }, { q: 'femke', source: 'directory', cursor: 'abc' }, { q: 'femke', source: 'everyone' }, { q: 'x'.repeat(201), source: 'directory' }];
    for (const query of bad) {
      const res = await get(manager.id, '/api/v1/people', query);
      assert.equal(res.status, 400, `${JSON.stringify(query)}: ${JSON.stringify(res.body)}`);
      assert.match(String(res.headers['content-type']), /^application\/problem\+json/);
      assert.equal(res.body.code, 'invalid_input');
    }
    const missing = await get(manager.id, '/api/v1/people', { source: 'directory' });
    assert.deepEqual(missing.body.errors.map((e: { path: string }) => e.path), ['query.q']);
    assert.equal(searches().length, 0);
    assert.equal(await UserModel.countDocuments(), before);
  });

  it('sends quotes and backslashes in a name search as spaces, never as $search syntax', async () => {
    const res = await get(manager.id, '/api/v1/people', { q: 'femke" OR "displayName:\\de', source: 'directory' });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(searches()[0]?.query.get('$search'), '"displayName:femke OR displayName: de"');
  });

  it('does not search the directory for a guest: guests see only the people of their communities', async () => {
    const guest = randomUUID();
    const token = await idp.userToken({ tenantId: TEST_HOME_TENANT, oid: guest, apiClientId: TEST_CLIENT_ID, apiAppIdUri: TEST_APP_ID_URI, acct: 1, idp: `https://sts.windows.net/${TEST_PARTNER_TENANT}/` });
    const res = await request(application.app).get('/api/v1/people').query({ q: 'femke', source: 'directory' }).set('Authorization', `Bearer ${token}`);
    await application.identity.whenIdle();
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.deepEqual(res.body.items, []);
    assert.equal(searches().length, 0);
  });

  it('waits out throttling (429 with Retry-After) and answers', async () => {
    graph.failNext({ status: 429, retryAfter: 0, match: (r) => r.path === '/v1.0/users' && r.query.has('$search') });
    const res = await get(manager.id, '/api/v1/people', { q: 'de jong', source: 'directory' });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.deepEqual(res.body.items.map((p: { id: string }) => p.id), [newcomer.id]);
    assert.deepEqual(searches().map((r) => r.status), [429, 200]);
  });
});

describe('the Graph stand-in\'s $search on users', function () {
  let graph: GraphServer;
  before(async () => {
    graph = await startGraphServer();
  });
  after(async () => {
    await graph.stop();
  });

  async function search(value: string, headers: Record<string, string> = { ConsistencyLevel: 'eventual' }) {
    const url = `${graph.baseUrl}/v1.0/users?$search=${encodeURIComponent(value)}&$count=true&$select=id,displayName`;
    return fetch(url, { headers: { Authorization: 'Bearer token', ...headers } });
  }

  it('answers 400 like Graph for bad $search syntax or a missing ConsistencyLevel', async () => {
    graph.addUser({ displayName: 'Femke de Jong' });
    for (const bad of ['displayName:femke', '"femke"', '"mail:femke"', '"displayName:"', '"displayName:fem"ke"']) {
      const res = await search(bad);
      assert.equal(res.status, 400, bad);
      assert.equal(((await res.json()) as { error: { code: string } }).error.code, 'Request_UnsupportedQuery');
    }
    assert.equal((await search('"displayName:fem"', {})).status, 400);
    const ok = await search('"displayName:fem"');
    const body = (await ok.json()) as { value: { displayName: string }[]; '@odata.count': number };
    assert.deepEqual([body.value.map((u) => u.displayName), body['@odata.count']], [['Femke de Jong'], 1]);
  });
});
