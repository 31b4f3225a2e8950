import assert from 'node:assert/strict';
import { createGraphClient, type GraphClient } from '../../src/graph/graph-client.js';
import { runBatch, type BatchRequest } from '../../src/graph/graph-batch.js';
import type { RetryEvent } from '../../src/graph/graph-retry.js';
import { startGraphServer, type GraphServer, type RecordedRequest } from '../support/graph-server.js';

describe('runBatch (JSON $batch)', () => {
  let server: GraphServer;
  let graph: GraphClient;
  let retries: RetryEvent[];

  before(async () => {
    server = await startGraphServer();
    graph = createGraphClient({
      baseUrl: server.baseUrl,
      getAccessToken: async () => 'token',
      retry: { baseDelayMs: 5, maxDelayMs: 20, maxAttempts: 4 },
      onRetry: (event) => retries.push(event),
    });
  });
  after(async () => {
    await server.stop();
  });
  beforeEach(() => {
    server.reset();
    retries = [];
  });

  const isEnvelope = (r: RecordedRequest) => r.via === 'http' && r.path === '/v1.0/$batch';
  const subRequests = () => server.requests.filter((r) => r.via === 'batch');

  /** An organiser with `count` events, each created directly in the stand-in over HTTP. */
  async function organiserWithEvents(count: number): Promise<{ organiser: string; eventIds: string[] }> {
    const organiser = server.addUser({ mail: 'organiser@gemeente.nl' }).id;
    const creates: BatchRequest[] = Array.from({ length: count }, (_, i) => ({
      id: `create-${i}`,
      method: 'POST',
      url: `/users/${organiser}/events`,
      body: { subject: `Session ${i}`, start: { dateTime: '2030-03-01T09:00:00', timeZone: 'UTC' }, end: { dateTime: '2030-03-01T10:00:00', timeZone: 'UTC' } },
    }));
    const created = await runBatch(graph, creates);
    server.requests.length = 0;
    return { organiser, eventIds: created.map((r) => (r.body as { id: string }).id) };
  }

  it('sends 45 requests as 3 HTTP batches (20, 20, 5) and returns the answers in input order', async () => {
    const users = Array.from({ length: 45 }, (_, i) => server.addUser({ displayName: `Person ${i}` }));
    const requests: BatchRequest[] = users.map((u, i) => ({ id: String(i + 1), method: 'GET', url: `/users/${u.id}?$select=id,displayName` }));

    const responses = await runBatch(graph, requests);

    assert.equal(server.count(isEnvelope), 3);
    const sizes = server.requests.filter(isEnvelope).map((r) => ((r.body as { requests: unknown[] }).requests).length);
    assert.deepEqual(sizes, [20, 20, 5]);
    assert.equal(responses.length, 45);
    responses.forEach((response, i) => {
      assert.equal(response.id, String(i + 1));
      assert.equal(response.status, 200);
      assert.deepEqual(response.body, { '@odata.context': `${server.baseUrl}/v1.0/$metadata#users/$entity`, id: users[i]?.id, displayName: `Person ${i}` });
    });
  });

  it('resends only the throttled sub-requests, after their Retry-After, and ends in the right state', async () => {
    const { organiser, eventIds } = await organiserWithEvents(5);
    const throttled = [eventIds[1], eventIds[3]];
    server.failNext({ status: 429, retryAfter: 1, times: 1, match: (r) => r.via === 'batch' && r.path.endsWith(`/events/${throttled[0]}`) });
    server.failNext({ status: 429, retryAfter: 1, times: 1, match: (r) => r.via === 'batch' && r.path.endsWith(`/events/${throttled[1]}`) });
    const requests: BatchRequest[] = eventIds.map((eventId, i) => ({
      id: `attendees-${i}`,
      method: 'PATCH',
      url: `/users/${organiser}/events/${eventId}`,
      body: { attendees: [{ type: 'required', emailAddress: { address: `member${i}@gemeente.nl` } }] },
    }));

    const responses = await runBatch(graph, requests);

    assert.deepEqual(responses.map((r) => r.status), [200, 200, 200, 200, 200]);
    const envelopes = server.requests.filter(isEnvelope);
    assert.equal(envelopes.length, 2);
    const resent = (envelopes[1]?.body as { requests: { id: string }[] }).requests.map((r) => r.id).sort();
    assert.deepEqual(resent, ['attendees-1', 'attendees-3']);
    assert.equal(retries.length, 1);
    assert.equal(retries[0]?.delayMs, 1_000);
    assert.equal(retries[0]?.batch, true);
    eventIds.forEach((eventId, i) => {
      const attendees = server.event(organiser, eventId ?? '')?.attendees as { emailAddress: { address: string } }[];
      assert.deepEqual(attendees.map((a) => a.emailAddress.address), [`member${i}@gemeente.nl`]);
      assert.equal(subRequests().filter((r) => r.path.endsWith(`/events/${eventId}`) && r.status === 200).length, 1);
    });
  });

  it('waits for the largest Retry-After among the throttled sub-requests', async () => {
    const users = [server.addUser(), server.addUser(), server.addUser()];
    server.failNext({ status: 429, retryAfter: 1, match: (r) => r.via === 'batch' && r.path.endsWith(users[0]?.id ?? '') });
    server.failNext({ status: 503, retryAfter: 2, match: (r) => r.via === 'batch' && r.path.endsWith(users[2]?.id ?? '') });

    const responses = await runBatch(graph, users.map((u, i) => ({ id: `u${i}`, method: 'GET', url: `/users/${u.id}` })));

    assert.deepEqual(responses.map((r) => r.status), [200, 200, 200]);
    assert.equal(retries[0]?.delayMs, 2_000);
  });

  it('returns a sub-request still throttled after the last round with its status, the rest settled', async () => {
    const users = [server.addUser(), server.addUser()];
    server.failNext({ status: 429, times: 10, match: (r) => r.via === 'batch' && r.path.endsWith(users[1]?.id ?? '') });

    const responses = await runBatch(graph, users.map((u, i) => ({ id: `u${i}`, method: 'GET', url: `/users/${u.id}` })));

    assert.deepEqual(responses.map((r) => r.status), [200, 429]);
    assert.equal(server.count(isEnvelope), 4, 'one batch per attempt of the policy');
    assert.equal(server.count((r) => r.via === 'batch' && r.path.endsWith(users[0]?.id ?? '')), 1);
  });

  it('retries a whole batch that was throttled or whose connection dropped', async () => {
    const user = server.addUser({ displayName: 'Fleur' });
    server.failNext({ status: 429, retryAfter: 0, match: isEnvelope });
    server.dropConnections(1, isEnvelope);

    const [response] = await runBatch(graph, [{ id: 'a', method: 'GET', url: `/users/${user.id}` }]);

    assert.equal(response?.status, 200);
    assert.deepEqual(server.requests.filter(isEnvelope).map((r) => r.status), [0, 429, 200]);
  });

  it('does not resend a batch of POSTs after a dropped connection unless told they are replay-safe', async () => {
    const organiser = server.addUser().id;
    const create = (id: string, transactionId: string): BatchRequest => ({
      id,
      method: 'POST',
      url: `/users/${organiser}/events`,
      body: { transactionId, subject: 's', start: { dateTime: '2030-03-01T09:00:00', timeZone: 'UTC' }, end: { dateTime: '2030-03-01T10:00:00', timeZone: 'UTC' } },
    });
    server.dropConnections(1, isEnvelope);
    await assert.rejects(runBatch(graph, [create('a', 'tx-a')]), { code: 'graph_unavailable' });
    assert.equal(server.count(isEnvelope), 1);

    server.dropConnections(1, isEnvelope);
    const [response] = await runBatch(graph, [create('a', 'tx-a')], { replaySafe: true });
    assert.equal(response?.status, 201);
    assert.equal(server.eventsOf(organiser).length, 1);
  });

  it('refuses duplicate ids before sending anything', async () => {
    await assert.rejects(
      runBatch(graph, [
        { id: 'x', method: 'GET', url: '/users/a' },
        { id: 'x', method: 'GET', url: '/users/b' },
      ]),
      /Duplicate batch request id/,
    );
    assert.equal(server.requests.length, 0);
  });

  it('returns nothing for nothing, without a request', async () => {
    assert.deepEqual(await runBatch(graph, []), []);
    assert.equal(server.requests.length, 0);
  });
});
