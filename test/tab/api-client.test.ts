/**
 * The tab's API client against the real server app: problem+json answers become typed
 * `ApiProblem`s with field errors, the SSO token goes out as a bearer token, and failures
 * before an answer (no token, no network) are problems too.
 */
import assert from 'node:assert/strict';
import express from 'express';
import { ApiClient } from '../../tab/src/api/api-client.js';
import { ApiProblem } from '../../tab/src/api/api-problem.js';
import { ConflictError, ForbiddenError, RateLimitedError, ValidationError } from '../../src/errors/domain-errors.js';
import { startTabServer, type TabServer } from '../support/tab-server.js';

describe('tab API client', () => {
  let server: TabServer;
  const seen: Array<{ authorization?: string; language?: string; body?: unknown }> = [];

  before(async () => {
    const router = express.Router();
    router.use((req, _res, next) => {
      seen.push({ authorization: req.headers.authorization, language: req.headers['accept-language'], body: req.body });
      next();
    });
    router.get('/things', (req, res) => res.json({ items: [{ id: '1' }], query: req.query }));
    router.post('/things', (_req, _res, next) => next(new ValidationError('The request is invalid.', [{ path: 'body.name', message: 'Use at least 3 characters.', code: 'too_small' }, { path: 'body.location.address', message: 'Required.', code: 'required' }, { path: 'body.summary', message: 'at most 20000 characters', code: 'too_big', limit: 20_000, unit: 'characters' }, { path: 'body.tags', message: 'at least 1', code: 'too_small', limit: 2, unit: 'items' }, { path: 'body.capacity', message: 'too big', code: 'too_big', limit: 5000 }])));
    router.put('/things/1', (_req, res) => res.status(204).end());
    router.delete('/things/1', (_req, _res, next) => next(new ConflictError('The last manager cannot leave.', 'last_manager')));
    router.get('/limited', (_req, _res, next) => next(new RateLimitedError(42)));
    router.get('/consent', (_req, _res, next) => next(new ForbiddenError('Consent needed.', 'consent_required')));
    router.get('/broken', () => {
      throw new Error('database password is hunter2');
    });
    server = await startTabServer({ apiRouters: [router] });
  });

  after(async () => {
    await server.close();
  });

  const client = (options: Partial<ConstructorParameters<typeof ApiClient>[0]> = {}) => new ApiClient({ baseUrl: `${server.origin}/api/v1`, ...options });

  async function problemOf(call: Promise<unknown>): Promise<ApiProblem> {
    try {
      await call;
    } catch (err) {
      assert.ok(err instanceof ApiProblem, `rejected with ${String(err)}`);
      return err;
    }
    assert.fail('the call succeeded');
  }

  it('sends the Teams token as a bearer token, the language, and the query; returns the JSON', async () => {
    const api = client({ getToken: () => Promise.resolve('token-123'), language: 'nl' });
    const page = await api.get<{ items: unknown[]; query: unknown }>('/things', { query: { limit: 5, cursor: undefined, mine: true } });
    assert.deepEqual(page, { items: [{ id: '1' }], query: { limit: '5', mine: 'true' } });
    assert.deepEqual(seen.at(-1), { authorization: 'Bearer token-123', language: 'nl', body: undefined });
  });

  it('sends no Authorization header when it relies on the session cookie', async () => {
    await client().get('/things');
    assert.equal(seen.at(-1)?.authorization, undefined);
  });

  it('turns a validation problem into field errors a form can show', async () => {
    const problem = await problemOf(client().post('/things', { name: 'x' }));
    assert.equal(problem.status, 400);
    assert.equal(problem.code, 'invalid_input');
    assert.equal(problem.detail, 'The request is invalid.');
    // The field codes' texts in the reader's language (English here), not the server's message.
    assert.equal(problem.fieldError('name'), 'This is too short or too small.');
    assert.equal(problem.fieldError('location.address'), 'Fill this in.');
    assert.equal(problem.fieldError('address'), 'Fill this in.');
    assert.deepEqual(problem.errors.map((e) => e.code), ['too_small', 'required', 'too_big', 'too_small', 'too_big']);
    // A size error with its bound names the number, formatted for the reader.
    assert.equal(problem.fieldError('summary'), 'At most 20,000 characters.');
    assert.equal(problem.fieldError('tags'), 'At least 2 items.');
    assert.equal(problem.fieldError('capacity'), 'At most 5,000.');
    const dutch = await problemOf(client({ language: 'nl' }).post('/things', { name: 'x' }));
    assert.equal(dutch.fieldError('name'), 'Dit is te kort of te klein.');
    assert.equal(dutch.fieldError('summary'), 'Maximaal 20.000 tekens.');
    assert.equal(dutch.fieldError('capacity'), 'Maximaal 5.000.');
    assert.equal(dutch.fieldError('address'), 'Vul dit in.');
    assert.equal(problem.fieldError('title'), undefined);
    assert.match(problem.requestId ?? '', /.+/);
    assert.deepEqual(seen.at(-1)?.body, { name: 'x' });
  });

  it('returns undefined for 204 No Content', async () => {
    assert.equal(await client().put('/things/1', { name: 'y' }), undefined);
  });

  it('keeps the code and message of a conflict', async () => {
    const problem = await problemOf(client().delete('/things/1'));
    assert.equal(problem.status, 409);
    assert.equal(problem.code, 'last_manager');
    assert.equal(problem.detail, 'The last manager cannot leave.');
  });

  it('reads Retry-After on 429', async () => {
    const problem = await problemOf(client().get('/limited'));
    assert.equal(problem.status, 429);
    assert.equal(problem.retryAfterSeconds, 42);
  });

  it('recognises that consent is needed', async () => {
    const problem = await problemOf(client().get('/consent'));
    assert.equal(problem.code, 'consent_required');
    assert.equal(problem.needsInteraction, true);
  });

  it('gets a server error without its internal message, with a reference', async () => {
    const problem = await problemOf(client().get('/broken'));
    assert.equal(problem.status, 500);
    assert.equal(problem.code, 'internal_error');
    assert.doesNotMatch(problem.detail ?? '', /hunter2/);
    assert.match(problem.requestId ?? '', /.+/);
  });

  it('reports an unknown route as a 404 problem', async () => {
    const problem = await problemOf(client().get('/nothing-here'));
    assert.equal(problem.status, 404);
    assert.equal(problem.code, 'route_not_found');
  });

  it('turns a failed token request into an sso_failed problem, without calling the API', async () => {
    const before = seen.length;
    const problem = await problemOf(client({ getToken: () => Promise.reject(new Error('FailedToOpenWindow')) }).get('/things'));
    assert.equal(problem.status, 0);
    assert.equal(problem.code, 'sso_failed');
    assert.equal(seen.length, before, 'no request went out');
  });

  it('turns an unreachable server into a network_error problem', async () => {
    const problem = await problemOf(new ApiClient({ baseUrl: 'https://127.0.0.1:1/api/v1' }).get('/things'));
    assert.equal(problem.status, 0);
    assert.equal(problem.code, 'network_error');
  });
});
