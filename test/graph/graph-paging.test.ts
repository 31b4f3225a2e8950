import assert from 'node:assert/strict';
import type { User } from '@microsoft/microsoft-graph-types';
import { createGraphClient, type GraphClient } from '../../src/graph/graph-client.js';
import { GraphUnavailableError } from '../../src/graph/graph-errors.js';
import { listAll } from '../../src/graph/graph-paging.js';
import { startGraphServer, type GraphServer } from '../support/graph-server.js';

describe('listAll (following @odata.nextLink)', () => {
  let server: GraphServer;
  let graph: GraphClient;

  before(async () => {
    server = await startGraphServer({ pageSize: 2 });
    graph = createGraphClient({ baseUrl: server.baseUrl, getAccessToken: async () => 'token' });
  });
  after(async () => {
    await server.stop();
  });
  beforeEach(() => {
    server.reset();
    for (let i = 1; i <= 5; i++) server.addUser({ id: `user-${i}`, displayName: `Person ${i}` });
  });

  it('reads every page, in order, one request per page', async () => {
    const result = await listAll<User>(graph, graph.api('/users').select(['id', 'displayName']));

    assert.equal(result.complete, true);
    assert.deepEqual(result.items.map((u) => u.id), ['user-1', 'user-2', 'user-3', 'user-4', 'user-5']);
    assert.equal(server.count((r) => r.path === '/v1.0/users'), 3);
    // The $select of the first request travels on in the link Graph hands back.
    assert.ok(server.requests.every((r) => r.query.get('$select') === 'id,displayName'));
  });

  it('stops at the page cap and says the list is incomplete', async () => {
    const result = await listAll<User>(graph, graph.api('/users'), { maxPages: 2 });

    assert.equal(result.complete, false);
    assert.equal(result.items.length, 4);
    assert.equal(server.requests.length, 2);
  });

  it('refuses to follow a link to another host (it would carry our token)', async () => {
    server.nextLinkOrigin = 'https://graph.example.net';

    await assert.rejects(listAll<User>(graph, graph.api('/users')), GraphUnavailableError);
    assert.equal(server.requests.length, 1);
  });

  it('retries a throttled page and carries on', async () => {
    server.failNext({ status: 429, retryAfter: 0, match: (r) => r.query.has('$skiptoken') });

    const result = await listAll<User>(graph, graph.api('/users'));

    assert.equal(result.items.length, 5);
    assert.deepEqual(server.requests.map((r) => r.status), [200, 429, 200, 200]);
  });
});
