import assert from 'node:assert/strict';
import { ForbiddenError, ValidationError } from '../../src/errors/domain-errors.js';
import { GraphDirectoryGateway, odataString } from '../../src/graph/directory-gateway.js';
import { createGraphClient } from '../../src/graph/graph-client.js';
import { GraphUnavailableError } from '../../src/graph/graph-errors.js';
import { startGraphServer, type GraphServer } from '../support/graph-server.js';

describe('GraphDirectoryGateway', () => {
  let server: GraphServer;
  let directory: GraphDirectoryGateway;

  before(async () => {
    server = await startGraphServer();
    const graph = createGraphClient({ baseUrl: server.baseUrl, getAccessToken: async () => 'token', retry: { baseDelayMs: 5, maxDelayMs: 20, maxAttempts: 2 } });
    directory = new GraphDirectoryGateway({ graph });
  });
  after(async () => {
    await server.stop();
  });
  beforeEach(() => server.reset());

  const anna = {
    id: '5f0e2a4c-0b1d-4c1e-9a53-1f1a2b3c4d5e',
    displayName: 'Anna de Vries',
    jobTitle: 'Beleidsadviseur water',
    department: 'Waterbeheer',
    mail: 'anna.devries@waterschap.nl',
    officeLocation: 'Leeuwarden',
    userPrincipalName: 'anna.devries@waterschap.nl',
    userType: 'Member' as const,
  };

  describe('getUser', () => {
    it('returns the profile, with the fields Graph only gives on $select', async () => {
      server.addUser(anna);

      const user = await directory.getUser(anna.id);

      assert.deepEqual(user, anna);
      assert.equal(server.requests[0]?.query.get('$select'), 'id,displayName,jobTitle,department,mail,officeLocation,userPrincipalName,userType');
    });

    it('finds a guest by user principal name (with #EXT#, escaped in the path)', async () => {
      const guest = server.addUser({ displayName: 'Piet (ketenpartner)', mail: 'piet@adviesbureau.nl', userPrincipalName: 'piet_adviesbureau.nl#EXT#@waterschap.onmicrosoft.com', userType: 'Guest' });

      const user = await directory.getUser(guest.userPrincipalName);

      assert.equal(user?.id, guest.id);
      assert.equal(user?.userType, 'Guest');
      assert.match(server.requests[0]?.path ?? '', /%23EXT%23/);
    });

    it('answers null for a user the directory does not have', async () => {
      assert.equal(await directory.getUser('00000000-0000-0000-0000-000000000000'), null);
      assert.equal(server.requests[0]?.status, 404);
    });

    it('turns 403 into ForbiddenError graph_forbidden', async () => {
      server.addUser(anna);
      server.failNext({ status: 403 });

      await assert.rejects(directory.getUser(anna.id), (error: unknown) => error instanceof ForbiddenError && error.code === 'graph_forbidden');
    });
  });

  describe('getUserPhoto', () => {
    it('returns the bytes and content type', async () => {
      server.addUser(anna);
      const jpeg = Uint8Array.from([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3, 4, 0xff, 0xd9]);
      server.setPhoto(anna.id, jpeg);

      const photo = await directory.getUserPhoto(anna.id);

      assert.equal(photo?.contentType, 'image/jpeg');
      assert.deepEqual(photo?.bytes, jpeg);
      assert.equal(server.requests[0]?.path, `/v1.0/users/${anna.id}/photo/$value`);
    });

    it('answers null when the person has no photo', async () => {
      server.addUser(anna);
      assert.equal(await directory.getUserPhoto(anna.id), null);
      assert.equal(server.requests[0]?.status, 404);
    });

    it('retries a throttled photo request and fails as unavailable when Graph stays down', async () => {
      server.addUser(anna);
      server.setPhoto(anna.id, Uint8Array.from([1, 2, 3]));
      server.failNext({ status: 429, retryAfter: 0 });
      assert.deepEqual((await directory.getUserPhoto(anna.id))?.bytes, Uint8Array.from([1, 2, 3]));

      server.failNext({ status: 503, times: 5 });
      await assert.rejects(directory.getUserPhoto(anna.id), (error: unknown) => error instanceof GraphUnavailableError && error.code === 'graph_unavailable');
    });
  });

  describe('findUserByEmail', () => {
    it('finds by mail, case-insensitively', async () => {
      server.addUser(anna);

      const user = await directory.findUserByEmail('Anna.DeVries@Waterschap.nl');

      assert.equal(user?.id, anna.id);
      assert.equal(server.requests[0]?.query.get('$filter'), "mail eq 'Anna.DeVries@Waterschap.nl' or userPrincipalName eq 'Anna.DeVries@Waterschap.nl'");
    });

    it('finds by user principal name when mail differs', async () => {
      const user = server.addUser({ mail: 'j.bakker@gemeente.nl', userPrincipalName: 'jbakker@gemeente.onmicrosoft.com' });
      assert.equal((await directory.findUserByEmail('jbakker@gemeente.onmicrosoft.com'))?.id, user.id);
    });

    it("escapes quotes per OData, so o'brien is found", async () => {
      const user = server.addUser({ mail: "sean.o'brien@partner.ie" });

      assert.equal((await directory.findUserByEmail("sean.o'brien@partner.ie"))?.id, user.id);
      assert.match(server.requests[0]?.query.get('$filter') ?? '', /'sean\.o''brien@partner\.ie'/);
    });

    it('keeps +, & and # inside the literal rather than letting them change the query', async () => {
      const user = server.addUser({ mail: 'team+water&co#1@gemeente.nl' });
      assert.equal((await directory.findUserByEmail('team+water&co#1@gemeente.nl'))?.id, user.id);
    });

    it('cannot be steered into another filter by a crafted address', async () => {
      server.addUser(anna);
      assert.equal(await directory.findUserByEmail(`x' or mail eq '${anna.mail}`), null);
    });

    it('answers null when nobody has the address', async () => {
      server.addUser(anna);
      assert.equal(await directory.findUserByEmail('nobody@waterschap.nl'), null);
    });

    it('refuses an empty address without calling Graph', async () => {
      await assert.rejects(directory.findUserByEmail('  '), ValidationError);
      assert.equal(server.requests.length, 0);
    });
  });

  describe('userChanges (users delta)', () => {
    it('reads a full round, then only what changed: removed users with their reason, restored ones as present', async () => {
      server.addUser(anna);
      const guest = server.addUser({ displayName: 'Gast', userType: 'Guest' });
      const gone = server.addUser({ displayName: 'Weg' });

      const first = await directory.userChanges(undefined);
      assert.deepEqual(first.changes.map((c) => [c.id, c.removed, c.userType]).sort(), [[anna.id, null, 'Member'], [guest.id, null, 'Guest'], [gone.id, null, 'Member']].sort());
      assert.equal(server.requests[0]?.path, '/v1.0/users/delta');
      assert.equal(server.requests[0]?.query.get('$select'), 'id,userType');

      server.removeUser(guest.id, { permanently: true });
      server.removeUser(gone.id);
      const second = await directory.userChanges(first.deltaLink);
      assert.deepEqual(second.changes.map((c) => [c.id, c.removed]).sort(), [[guest.id, 'deleted'], [gone.id, 'changed']].sort());

      server.restoreUser(gone.id);
      const third = await directory.userChanges(second.deltaLink);
      assert.deepEqual(third.changes.map((c) => [c.id, c.removed]), [[gone.id, null]]);
      assert.deepEqual((await directory.userChanges(third.deltaLink)).changes, [], 'nothing changed since');
    });

    it('starts over with a full round when Graph has forgotten the delta state (410)', async () => {
      server.addUser(anna);
      const first = await directory.userChanges(undefined);
      server.expireDeltaTokens();
      const again = await directory.userChanges(first.deltaLink);
      assert.equal(again.reset, true);
      assert.deepEqual(again.changes.map((c) => c.id), [anna.id]);
      assert.ok(server.requests.some((r) => r.status === 410));
    });

    it('waits out a 429 with Retry-After, and never follows a link to another host', async () => {
      server.addUser(anna);
      server.failNext({ status: 429, retryAfter: 0, match: (r) => r.path === '/v1.0/users/delta' });
      assert.equal((await directory.userChanges(undefined)).changes.length, 1);
      assert.deepEqual(server.requests.map((r) => r.status), [429, 200]);

      server.nextLinkOrigin = 'https://graph.example.org';
      // A deltaLink to elsewhere is only stored; following it is refused (it would carry our token).
      const round = await directory.userChanges(undefined);
      assert.ok(round.deltaLink.startsWith('https://graph.example.org/'));
      await assert.rejects(directory.userChanges(round.deltaLink), GraphUnavailableError);
    });
  });

  it('writes OData string literals with doubled quotes', () => {
    assert.equal(odataString("it's"), "'it''s'");
    assert.equal(odataString("''"), "''''''");
  });
});
