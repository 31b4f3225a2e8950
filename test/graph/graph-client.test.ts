import assert from 'node:assert/strict';
import sinon from 'sinon';
import { ForbiddenError, UnauthorizedError } from '../../src/errors/domain-errors.js';
import { createGraphClient, type GraphClient } from '../../src/graph/graph-client.js';
import { GraphUnavailableError, withGraphErrors } from '../../src/graph/graph-errors.js';
import type { RetryEvent, RetryPolicy } from '../../src/graph/graph-retry.js';
import { httpStatusOf } from '../../src/http/problem.js';
import { startGraphServer, type GraphServer } from '../support/graph-server.js';

describe('graph client (over the local Graph)', () => {
  let server: GraphServer;
  const sandbox = sinon.createSandbox();
  let retries: RetryEvent[];

  before(async () => {
    server = await startGraphServer({ validToken: 'token-1' });
  });
  after(async () => {
    await server.stop();
  });
  beforeEach(() => {
    server.reset();
    retries = [];
  });
  afterEach(() => sandbox.restore());

  function client(retry: Partial<RetryPolicy> = {}, getAccessToken: () => Promise<string> = async () => 'token-1'): GraphClient {
    return createGraphClient({
      baseUrl: server.baseUrl,
      getAccessToken,
      retry: { baseDelayMs: 5, maxDelayMs: 20, ...retry },
      onRetry: (event) => retries.push(event),
    });
  }

  async function getUser(graph: GraphClient, id: string): Promise<unknown> {
    return withGraphErrors(() => graph.api(`/users/${id}`).get());
  }

  it('sends the bearer token from the access-token function to the configured base URL', async () => {
    const user = server.addUser({ displayName: 'Anna de Vries' });
    const getAccessToken = sandbox.stub().resolves('token-1');
    const graph = client({}, getAccessToken);

    const body = (await getUser(graph, user.id)) as { displayName: string };

    assert.equal(body.displayName, 'Anna de Vries');
    assert.equal(getAccessToken.callCount, 1);
    assert.equal(server.requests.length, 1);
    assert.equal(server.requests[0]?.headers.authorization, 'Bearer token-1');
    assert.equal(server.requests[0]?.path, `/v1.0/users/${user.id}`);
    assert.match(server.requests[0]?.headers['client-request-id'] ?? '', /^[0-9a-f-]{36}$/);
    assert.equal(graph.root, `${server.baseUrl}/v1.0`);
  });

  it('retries a 429 after the Retry-After the server asked for (1 second)', async () => {
    const user = server.addUser({ displayName: 'Bram' });
    server.failNext({ status: 429, retryAfter: 1 });
    const graph = client();

    const body = (await getUser(graph, user.id)) as { displayName: string };

    assert.equal(body.displayName, 'Bram');
    assert.deepEqual(server.requests.map((r) => r.status), [429, 200]);
    assert.equal(retries.length, 1);
    assert.equal(retries[0]?.delayMs, 1000);
    assert.equal(retries[0]?.fromRetryAfter, true);
    assert.equal(retries[0]?.status, 429);
    // All attempts of one call share a client-request-id.
    assert.equal(server.requests[0]?.headers['client-request-id'], server.requests[1]?.headers['client-request-id']);
  });

  it('reads a Retry-After given as an HTTP date', async () => {
    const user = server.addUser({ displayName: 'Carla' });
    server.failNext({ status: 503, retryAfter: new Date(Date.now() + 1_000).toUTCString() });
    const graph = client();

    await getUser(graph, user.id);

    assert.equal(retries.length, 1);
    assert.equal(retries[0]?.fromRetryAfter, true);
    assert.ok((retries[0]?.delayMs ?? -1) >= 0 && (retries[0]?.delayMs ?? 5000) <= 1_000, `delay ${retries[0]?.delayMs}`);
    assert.equal(server.count((r) => r.status === 200), 1);
  });

  it('retries 503 three times with jittered backoff, then succeeds', async () => {
    const user = server.addUser({ displayName: 'Daan' });
    server.failNext({ status: 503, times: 3 });
    const graph = client({ maxAttempts: 4 });

    const body = (await getUser(graph, user.id)) as { displayName: string };

    assert.equal(body.displayName, 'Daan');
    assert.deepEqual(server.requests.map((r) => r.status), [503, 503, 503, 200]);
    assert.deepEqual(retries.map((r) => r.attempt), [1, 2, 3]);
    assert.ok(retries.every((r) => !r.fromRetryAfter));
    // Equal jitter: each step lies in [step/2, step] of 5, 10, 20 (capped at 20) ms.
    const steps = [5, 10, 20];
    retries.forEach((r, i) => {
      const step = steps[i] ?? 0;
      assert.ok(r.delayMs >= step / 2 && r.delayMs <= step, `retry ${i + 1} waited ${r.delayMs}ms`);
    });
  });

  it('retries a GET whose connection was dropped', async () => {
    const user = server.addUser({ displayName: 'Eva' });
    server.dropConnections(1);
    const graph = client();

    const body = (await getUser(graph, user.id)) as { displayName: string };

    assert.equal(body.displayName, 'Eva');
    assert.deepEqual(server.requests.map((r) => r.status), [0, 200]);
    assert.equal(retries[0]?.status, undefined);
  });

  it('does not resend a POST after a dropped connection unless it is marked replay-safe', async () => {
    const user = server.addUser();
    server.dropConnections(1);
    const graph = client();
    const event = { subject: 'x', start: { dateTime: '2030-01-01T10:00:00', timeZone: 'UTC' }, end: { dateTime: '2030-01-01T11:00:00', timeZone: 'UTC' } };

    await assert.rejects(
      withGraphErrors(() => graph.api(`/users/${user.id}/events`).post(event)),
      (error: unknown) => error instanceof GraphUnavailableError && error.code === 'graph_unavailable',
    );
    assert.equal(server.requests.length, 1);
    assert.equal(server.eventsOf(user.id).length, 0);
  });

  it('gives up after maxAttempts with GraphUnavailableError (graph_unavailable), hiding Graph\'s message', async () => {
    const user = server.addUser();
    server.failNext({ status: 503, times: 10 });
    const graph = client({ maxAttempts: 3 });

    await assert.rejects(getUser(graph, user.id), (error: unknown) => {
      assert.ok(error instanceof GraphUnavailableError);
      assert.equal(error.code, 'graph_unavailable');
      assert.equal(httpStatusOf(error), 503);
      assert.doesNotMatch(error.message, /mailbox|internal-node/i);
      return true;
    });
    assert.equal(server.requests.length, 3);
  });

  it('does not wait out a Retry-After longer than the policy allows, and reports it', async () => {
    const user = server.addUser();
    server.failNext({ status: 429, retryAfter: 120 });
    const graph = client({ maxRetryAfterMs: 10_000 });

    await assert.rejects(getUser(graph, user.id), (error: unknown) => {
      assert.ok(error instanceof GraphUnavailableError);
      assert.equal(error.retryAfterMs, 120_000);
      return true;
    });
    assert.equal(server.requests.length, 1);
    assert.equal(retries.length, 0);
  });

  it('maps 403 to ForbiddenError graph_forbidden without Graph\'s text', async () => {
    const user = server.addUser();
    server.failNext({ status: 403 });

    await assert.rejects(getUser(client(), user.id), (error: unknown) => {
      assert.ok(error instanceof ForbiddenError);
      assert.equal(error.code, 'graph_forbidden');
      assert.doesNotMatch(error.message, /Insufficient privileges/);
      return true;
    });
    assert.equal(server.requests.length, 1, '403 is not retried');
  });

  it('maps a rejected token (401) to graph_unauthorized', async () => {
    const user = server.addUser();

    await assert.rejects(getUser(client({}, async () => 'someone-elses-token'), user.id), (error: unknown) => {
      assert.ok(error instanceof GraphUnavailableError);
      assert.equal(error.code, 'graph_unauthorized');
      return true;
    });
    assert.equal(server.requests[0]?.status, 401);
  });

  it('lets a domain error from the access-token function through unchanged, sending nothing', async () => {
    const consent = new UnauthorizedError('Consent is needed.', 'consent_required');
    const graph = client({}, async () => {
      throw consent;
    });

    await assert.rejects(getUser(graph, 'anyone'), (error: unknown) => error === consent);
    assert.equal(server.requests.length, 0);
  });

  it('turns any other access-token failure into graph_unavailable, sending nothing', async () => {
    const graph = client({}, async () => {
      throw new Error('AADSTS7000215: Invalid client secret provided.');
    });

    await assert.rejects(getUser(graph, 'anyone'), (error: unknown) => {
      assert.ok(error instanceof GraphUnavailableError);
      assert.doesNotMatch(error.message, /AADSTS/);
      return true;
    });
    assert.equal(server.requests.length, 0);
  });

  it('refuses a non-https or path-carrying base URL', () => {
    assert.throws(() => createGraphClient({ baseUrl: 'http://127.0.0.1:1', getAccessToken: async () => 't' }), /https/);
    assert.throws(() => createGraphClient({ baseUrl: 'https://graph.microsoft.com/v1.0', getAccessToken: async () => 't' }), /origin/);
  });
});
