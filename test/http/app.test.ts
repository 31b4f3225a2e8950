import assert from 'node:assert/strict';
import { Agent, get as httpGet } from 'node:http';
import { connect } from 'node:net';
import { Writable } from 'node:stream';
import express from 'express';
import mongoose from 'mongoose';
import sinon from 'sinon';
import request from 'supertest';
import { loadConfig } from '../../src/config/config.js';
import {
  ConflictError,
  ForbiddenError,
  NotFoundError,
  PayloadTooLargeError,
  RateLimitedError,
  UnauthorizedError,
  UnavailableError,
  ValidationError,
} from '../../src/errors/domain-errors.js';
import { z } from 'zod';
import { createApp } from '../../src/http/app.js';
import { parseOrThrow } from '../../src/http/api-spec.js';
import { listen } from '../../src/http/server.js';
import { createLogger } from '../../src/logging/logger.js';
import { newUrlSecret } from '../../src/logging/url-secrets.js';
import { TEAMS_FRAME_ANCESTORS } from '../../src/http/security-headers.js';

function captureLogs() {
  const lines: Array<Record<string, unknown>> = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString().split('\n')) if (line.trim()) lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  return { lines, logger: createLogger('info', stream) };
}

function appWith(router: express.Router, options: { ready?: boolean; maxBodyBytes?: number } = {}) {
  const { lines, logger } = captureLogs();
  const config = { ...loadConfig({}), maxBodyBytes: options.maxBodyBytes ?? 2048 };
  const app = createApp({ config, logger, isReady: async () => options.ready ?? true, apiRouters: [router] });
  return { app, lines };
}

describe('the HTTP server', () => {
  const sandbox = sinon.createSandbox();
  afterEach(() => sandbox.restore());

  it('answers /healthz while the process lives', async () => {
    const { app } = appWith(express.Router());
    const res = await request(app).get('/healthz').expect(200);
    assert.deepEqual(res.body, { status: 'ok' });
  });

  it('answers /readyz 200 when the database is reachable and 503 when it is not', async () => {
    await request(appWith(express.Router(), { ready: true }).app).get('/readyz').expect(200, { status: 'ready', database: 'reachable' });
    await request(appWith(express.Router(), { ready: false }).app).get('/readyz').expect(503, { status: 'unavailable', database: 'unreachable' });
  });

  it('allows framing by Teams, Outlook and Microsoft 365 only', async () => {
    const res = await request(appWith(express.Router()).app).get('/healthz');
    const csp = String(res.headers['content-security-policy']);
    const ancestors: string[] = /frame-ancestors ([^;]+)/.exec(csp)?.[1]?.split(' ') ?? [];
    assert.ok(!ancestors.includes('*'), 'no wildcard host');
    assert.deepEqual(ancestors, [...TEAMS_FRAME_ANCESTORS]);
    assert.ok(ancestors.includes('https://teams.microsoft.com'));
    assert.equal(res.headers['x-frame-options'], undefined, 'X-Frame-Options would forbid Teams');
    assert.equal(res.headers['x-powered-by'], undefined);
    assert.equal(res.headers['x-content-type-options'], 'nosniff');
  });

  it('gives every request an id, keeps a well-formed one, and logs JSON lines with it', async () => {
    const router = express.Router().get('/ping', (_req, res) => void res.json({ pong: true }));
    const { app, lines } = appWith(router);
    const fresh = await request(app).get('/api/v1/ping').expect(200);
    assert.match(String(fresh.headers['x-request-id']), /^[0-9a-f-]{36}$/);
    const kept = await request(app).get('/api/v1/ping').set('X-Request-Id', 'abc-123').expect(200);
    assert.equal(kept.headers['x-request-id'], 'abc-123');
    const replaced = await request(app).get('/api/v1/ping').set('X-Request-Id', '<script>').expect(200);
    assert.notEqual(replaced.headers['x-request-id'], '<script>');
    const logged = lines.find((l) => (l.req as { id?: string } | undefined)?.id === 'abc-123');
    assert.ok(logged, 'the request is logged with its id');
    assert.equal(logged.level, 30);
  });

  it('never logs the bearer token or cookies', async () => {
    const router = express.Router().get('/ping', (_req, res) => void res.json({}));
    const { app, lines } = appWith(router);
    await request(app).get('/api/v1/ping').set('Authorization', 'Bearer eyJ.secret.token').set('Cookie', 'meent=secret');
    const text = JSON.stringify(lines);
    assert.ok(!text.includes('eyJ.secret.token'));
    assert.ok(!text.includes('meent=secret'));
  });

  it('never logs a URL secret, on any route: not in the URL, the query, the route parameters or the Referer', async () => {
    const secret = newUrlSecret();
    const router = express.Router().get('/things/:key', (_req, res) => void res.json({}));
    const { app, lines } = appWith(router);
    await request(app).get(`/api/v1/things/${secret}?again=${secret}&code=oauth-code`).set('Referer', `https://meent.example/calendar/feeds/${secret}.ics`).expect(200);
    await request(app).get(`/calendar/feeds/${secret}.ics`).expect(404);
    const requests = lines.filter((l) => l.req !== undefined);
    assert.equal(requests.length, 2, 'both requests are logged');
    const text = JSON.stringify(lines);
    assert.ok(!text.includes(secret), text);
    assert.ok(!text.includes('oauth-code'));
    assert.deepEqual(
      requests.map((l) => (l.req as { url: string }).url),
      ['/api/v1/things/[redacted]?again=[redacted]&code=[redacted]', '/calendar/feeds/[redacted].ics'],
    );
  });

  const mapping: Array<[string, Error, number, string]> = [
    ['ValidationError', new ValidationError('Title is required.', [{ path: 'body.title', message: 'required' }]), 400, 'invalid_input'],
    ['UnauthorizedError', new UnauthorizedError(), 401, 'unauthenticated'],
    ['ForbiddenError', new ForbiddenError(), 403, 'forbidden'],
    ['NotFoundError', new NotFoundError('No such community.', 'community_not_found'), 404, 'community_not_found'],
    ['ConflictError', new ConflictError('Already signed up.', 'already_registered'), 409, 'already_registered'],
    ['PayloadTooLargeError', new PayloadTooLargeError(), 413, 'payload_too_large'],
    ['RateLimitedError', new RateLimitedError(7), 429, 'rate_limited'],
    ['UnavailableError', new UnavailableError(), 503, 'unavailable'],
  ];
  for (const [name, error, status, code] of mapping) {
    it(`maps ${name} to ${status} application/problem+json with code ${code}`, async () => {
      const router = express.Router().get('/boom', () => {
        throw error;
      });
      const res = await request(appWith(router).app).get('/api/v1/boom').expect(status);
      assert.match(String(res.headers['content-type']), /^application\/problem\+json/);
      assert.equal(res.body.status, status);
      assert.equal(res.body.code, code);
      assert.equal(res.body.detail, error.message);
      assert.equal(res.body.type, `https://meent.app/problems/${code}`);
      assert.equal(res.body.instance, '/api/v1/boom');
      assert.ok(res.body.requestId);
      if (error instanceof ValidationError) assert.deepEqual(res.body.errors, [{ path: 'body.title', message: 'required', code: 'invalid' }]);
      if (error instanceof RateLimitedError) assert.equal(res.headers['retry-after'], '7');
      if (error instanceof UnauthorizedError) assert.match(String(res.headers['www-authenticate']), /^Bearer /);
    });
  }

  it('answers an unexpected error with 500 and a reference, leaking nothing', async () => {
    const router = express.Router().get('/boom', () => {
      throw new Error('connection string mongodb://admin:pw@db failed at /srv/app/secret.ts:42');
    });
    const { app, lines } = appWith(router);
    const res = await request(app).get('/api/v1/boom').expect(500);
    assert.equal(res.body.code, 'internal_error');
    const text = JSON.stringify(res.body);
    assert.ok(!text.includes('mongodb://'), 'no internal message');
    assert.ok(!text.includes('secret.ts'), 'no stack');
    assert.ok(text.includes(String(res.headers['x-request-id'])), 'the reference is the request id');
    assert.ok(lines.some((l) => l.level === 50), 'the error is logged for us');
  });

  it('answers 503 store_unavailable with Retry-After when the store cannot be reached, never a 500 or the driver text', async () => {
    // What requests got when FerretDB was killed under load (test/reliability/store-outage.test.ts):
    // connections dying under an operation, then no server to select, then a buffered operation timing out.
    const thrown = [
      new mongoose.mongo.MongoNetworkError('connection 9 to 127.0.0.1:42249 closed'),
      new mongoose.mongo.MongoNetworkError('read ECONNRESET'),
      new mongoose.mongo.MongoServerSelectionError('connect ECONNREFUSED 127.0.0.1:42249', {} as ConstructorParameters<typeof mongoose.mongo.MongoServerSelectionError>[1]),
      new mongoose.mongo.MongoNotConnectedError('Client must be connected before running operations'),
      new mongoose.Error('Operation `replies.insertOne()` buffering timed out after 10000ms'),
      new Error('wrapped', { cause: new mongoose.mongo.MongoNetworkError('connection 3 to 127.0.0.1:1 closed') }),
    ];
    for (const error of thrown) {
      const router = express.Router().post('/write', async () => {
        await Promise.resolve();
        throw error;
      });
      const { app, lines } = appWith(router);
      const res = await request(app).post('/api/v1/write').send({}).expect(503);
      assert.match(String(res.headers['content-type']), /^application\/problem\+json/);
      assert.equal(res.body.code, 'store_unavailable');
      assert.equal(res.headers['retry-after'], '5');
      assert.ok(!/mongo|ECONN|127\.0\.0\.1|buffering/i.test(JSON.stringify(res.body)), JSON.stringify(res.body));
      assert.ok(!lines.some((l) => l.level === 50 && l.msg === 'unhandled error'), 'not logged as an unhandled error');
      assert.ok(lines.some((l) => l.level === 40 && l.msg === 'the store could not be reached'), 'logged as a warning for us');
    }
    // A store error that is not about reaching it stays a 500.
    const other = express.Router().get('/other', () => {
      throw new mongoose.mongo.MongoServerError({ message: 'E2 some server error', code: 2 });
    });
    await request(appWith(other).app).get('/api/v1/other').expect(500);
  });

  it('answers an async rejection the same way', async () => {
    const router = express.Router().get('/later', async () => {
      await Promise.resolve();
      throw new NotFoundError('Gone.', 'gone');
    });
    const res = await request(appWith(router).app).get('/api/v1/later').expect(404);
    assert.equal(res.body.code, 'gone');
  });

  it('rejects malformed JSON with 400 and an oversized body with 413, without calling the route', async () => {
    const handler = sandbox.spy((_req: express.Request, res: express.Response) => void res.json({}));
    const router = express.Router().post('/things', handler);
    const { app } = appWith(router, { maxBodyBytes: 2048 });
    const bad = await request(app).post('/api/v1/things').set('Content-Type', 'application/json').send('{"title": ').expect(400);
    assert.equal(bad.body.code, 'malformed_json');
    const big = await request(app).post('/api/v1/things').send({ body: 'x'.repeat(5000) }).expect(413);
    assert.equal(big.body.code, 'payload_too_large');
    sinon.assert.notCalled(handler);
  });

  it('refuses U+0000 in any body or query string with a 400 problem naming the field (the store cannot hold it)', async () => {
    const handler = sandbox.spy((_req: express.Request, res: express.Response) => void res.json({}));
    const router = express.Router().post('/things', handler).get('/things', handler);
    const { app } = appWith(router);
    const body = await request(app).post('/api/v1/things').send({ title: 'ok', nested: [{ body: '<img src=x onerror=alert(1)\u0000>' }] }).expect(400);
    assert.equal(body.body.code, 'invalid_input');
    assert.deepEqual(body.body.errors, [{ path: 'body.nested.0.body', message: 'cannot hold the character U+0000', code: 'unstorable_text' }]);
    const query = await request(app).get('/api/v1/things').query({ q: 'a\u0000b' }).expect(400);
    assert.equal(query.body.code, 'invalid_input');
    const key = await request(app).post('/api/v1/things').send({ 'a\u0000': 1 }).expect(400);
    assert.equal(key.body.code, 'invalid_input');
    sinon.assert.notCalled(handler);
    await request(app).post('/api/v1/things').send({ title: 'a\\u0000 as typed, and \u2028' }).expect(200);
  });

  it('names the bound a value broke in its field error, so the tab can tell the reader the number', async () => {
    const schema = z.object({ title: z.string().max(5, { error: 'at most 5 characters' }), tags: z.array(z.string()).min(2), seats: z.number().int().max(100), name: z.string().min(1) }).strict();
    const router = express.Router().post('/things', (req, res) => void res.json(parseOrThrow(schema, req.body, 'body')));
    const res = await request(appWith(router).app).post('/api/v1/things').send({ title: 'too long', tags: [], seats: 101, name: '' }).expect(400);
    assert.deepEqual(
      (res.body.errors as Array<Record<string, unknown>>).map(({ path, code, limit, unit }) => ({ path, code, limit, unit })),
      [
        { path: 'body.title', code: 'too_big', limit: 5, unit: 'characters' },
        { path: 'body.tags', code: 'too_small', limit: 2, unit: 'items' },
        { path: 'body.seats', code: 'too_big', limit: 100, unit: undefined },
        { path: 'body.name', code: 'required', limit: undefined, unit: undefined },
      ],
    );
  });

  it('answers a path parameter that is not percent-encoded UTF-8 with a 400 problem, without calling the route', async () => {
    const handler = sandbox.spy((_req: express.Request, res: express.Response) => void res.json({}));
    const { app, lines } = appWith(express.Router().get('/things/:id', handler));
    for (const segment of ['%', '%ZZ', '%E0%A4%A', '%C0%AF', '%ED%A0%80', '%FF%FE']) {
      const res = await request(app).get(`/api/v1/things/${segment}`).expect(400);
      assert.match(String(res.headers['content-type']), /^application\/problem\+json/);
      assert.equal(res.body.code, 'malformed_url', segment);
      assert.equal(res.body.status, 400);
    }
    sinon.assert.notCalled(handler);
    assert.ok(!lines.some((l) => l.level === 50), 'a client error, not one of ours');
  });

  it('answers a body that does not decompress with a 400 problem, without calling the route', async () => {
    const handler = sandbox.spy((_req: express.Request, res: express.Response) => void res.json({}));
    const { app } = appWith(express.Router().post('/things', handler));
    for (const encoding of ['gzip', 'deflate', 'br']) {
      const res = await request(app).post('/api/v1/things').set('Content-Type', 'application/json').set('Content-Encoding', encoding).send('this is not compressed').expect(400);
      assert.match(String(res.headers['content-type']), /^application\/problem\+json/);
      assert.equal(res.body.code, 'invalid_request', encoding);
    }
    const unknown = await request(app).post('/api/v1/things').set('Content-Type', 'application/json').set('Content-Encoding', 'x-unknown').send('{}').expect(415);
    assert.equal(unknown.body.code, 'unsupported_encoding');
    sinon.assert.notCalled(handler);
  });

  it('answers an unknown route with a 404 problem', async () => {
    const res = await request(appWith(express.Router()).app).get('/api/v1/nothing-here').expect(404);
    assert.equal(res.body.code, 'route_not_found');
  });

  it('marks API answers as not cacheable', async () => {
    const router = express.Router().get('/ping', (_req, res) => void res.json({}));
    const res = await request(appWith(router).app).get('/api/v1/ping').expect(200);
    assert.equal(res.headers['cache-control'], 'no-store');
  });

  it("answers a request Node's parser refuses (a URL over the header limit, a request that is not HTTP) with a problem, also on a kept-alive connection", async () => {
    const { logger } = captureLogs();
    const router = express.Router().get('/ping', (_req, res) => void res.json({}));
    const running = await listen(appWith(router).app, { port: 0, host: '127.0.0.1', shutdownTimeoutMs: 1000, logger });
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const get = (path: string) =>
      new Promise<{ status: number; type: string; body: string }>((resolve, reject) => {
        httpGet({ host: '127.0.0.1', port: running.port, path, agent }, (res) => {
          let body = '';
          res.on('data', (chunk: Buffer) => (body += chunk.toString()));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, type: String(res.headers['content-type']), body }));
        }).on('error', reject);
      });
    try {
      // The same connection first answers a request, then gets one over the limit.
      assert.equal((await get('/api/v1/ping')).status, 200);
      const long = await get(`/api/v1/ping?q=${'a'.repeat(100_000)}`);
      assert.equal(long.status, 431);
      assert.match(long.type, /^application\/problem\+json/);
      const problem = JSON.parse(long.body) as Record<string, unknown>;
      assert.equal(problem.status, 431);
      assert.equal(problem.code, 'request_headers_too_large');
      assert.equal(problem.type, 'https://meent.app/problems/request_headers_too_large');

      const raw = await new Promise<string>((resolve, reject) => {
        const socket = connect(running.port, '127.0.0.1', () => socket.write('NOT HTTP AT ALL\r\n\r\n'));
        let text = '';
        socket.on('data', (chunk: Buffer) => (text += chunk.toString()));
        socket.on('end', () => resolve(text));
        socket.on('error', reject);
      });
      assert.match(raw, /^HTTP\/1\.1 400 /);
      assert.match(raw, /Content-Type: application\/problem\+json/);
      assert.match(raw, /"status":400,"code":"malformed_request"/);
    } finally {
      agent.destroy();
      await running.close();
    }
  });

  it('finishes in-flight requests on shutdown, refuses new ones, then runs the closers', async () => {
    let release: () => void = () => {};
    const gate = new Promise<void>((r) => (release = r));
    const router = express.Router().get('/slow', async (_req, res) => {
      await gate;
      res.json({ done: true });
    });
    const { app } = appWith(router);
    const closed: string[] = [];
    const { logger } = captureLogs();
    const running = await listen(app, { port: 0, host: '127.0.0.1', shutdownTimeoutMs: 5000, logger, onClose: [async () => void closed.push('database')] });
    const base = `http://127.0.0.1:${running.port}`;
    const inFlight = fetch(`${base}/api/v1/slow`).then((r) => r.json() as Promise<{ done: boolean }>);
    await new Promise((r) => setTimeout(r, 100));
    const closing = running.close();
    await assert.rejects(fetch(`${base}/healthz`), 'no new connections are accepted');
    assert.deepEqual(closed, [], 'the database stays open while a request is in flight');
    release();
    assert.deepEqual(await inFlight, { done: true });
    await closing;
    assert.deepEqual(closed, ['database']);
  });
});
