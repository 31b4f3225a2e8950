import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { Router } from 'express';
import request from 'supertest';
import { RateLimitedError } from '../../src/errors/domain-errors.js';
import { RateLimitCounterModel } from '../../src/http/rate-limit-counter.model.js';
import { DEMO_PEOPLE, DEMO_TENANT_ID } from '../../src/local/demo-people.js';
import { useTestDatabase } from '../support/database.js';
import { buildIdentityApp, type IdentityApp } from '../support/identity-app.js';

const SECRET = 'a-session-secret-of-at-least-32-characters';
const [sanne, mark] = DEMO_PEOPLE;

function session(personId: string, at: Date): string {
  const value = `${personId}.${Math.floor(at.getTime() / 1000)}`;
  const signature = createHmac('sha256', SECRET).update(value).digest('base64').replace(/=+$/, '');
  return `meent_session=${encodeURIComponent(`s:${value}.${signature}`)}`;
}

/** A capability's write endpoint, standing in for the real ones. */
function writes(): Router {
  const router = Router();
  router.post('/notes', (_req, res) => {
    res.status(201).json({ ok: true });
  });
  router.get('/notes', (_req, res) => {
    res.json({ items: [] });
  });
  return router;
}

describe('rate limits on writes and reads (per person and per address)', () => {
  useTestDatabase('ratelimit');
  let now: Date;

  const build = (extra: Record<string, string> = {}): IdentityApp =>
    buildIdentityApp(
      {
        NODE_ENV: 'test',
        LOG_LEVEL: 'silent',
        AUTH_MODE: 'local',
        SESSION_SECRET: SECRET,
        TRUST_PROXY: '127.0.0.1/32,::1/128,::ffff:127.0.0.1/128',
        RATE_LIMIT_WINDOW_SECONDS: '60',
        RATE_LIMIT_USER_WRITES: '3',
        RATE_LIMIT_IP_WRITES: '5',
        ...extra,
      },
      { now: () => now, extraApiRouters: [writes()] },
    );

  beforeEach(async () => {
    now = new Date('2025-03-10T09:00:10Z');
    await RateLimitCounterModel.deleteMany({});
  });

  const post = (target: IdentityApp, personId: string | undefined, ip = '10.0.0.1') => {
    const req = request(target.app).post('/api/v1/notes').set('X-Forwarded-For', ip).send({ text: 'x' });
    return personId ? req.set('Cookie', session(personId, now)) : req;
  };

  it('allows a person their writes, then answers 429 problem+json with Retry-After; reads stay free', async () => {
    const target = build();
    for (let i = 0; i < 3; i++) assert.equal((await post(target, sanne?.id)).status, 201);
    const limited = await post(target, sanne?.id);
    assert.equal(limited.status, 429);
    assert.match(limited.headers['content-type'] ?? '', /^application\/problem\+json/);
    assert.equal(limited.body.code, 'rate_limited');
    const retryAfter = Number(limited.headers['retry-after']);
    assert.ok(Number.isInteger(retryAfter) && retryAfter >= 1 && retryAfter <= 60, `Retry-After ${limited.headers['retry-after']}`);
    assert.equal(retryAfter, 50, 'until the end of the 60 s window that started at 09:00:00');

    for (let i = 0; i < 6; i++) {
      assert.equal((await request(target.app).get('/api/v1/notes').set('Cookie', session(sanne?.id ?? '', now)).set('X-Forwarded-For', '10.0.0.1')).status, 200);
    }
  });

  it('counts each person separately, and each address over everyone on it', async () => {
    const target = build();
    for (let i = 0; i < 3; i++) assert.equal((await post(target, sanne?.id)).status, 201);
    assert.equal((await post(target, mark?.id)).status, 201);
    assert.equal((await post(target, mark?.id)).status, 201);
    const sixthFromAddress = await post(target, mark?.id);
    assert.equal(sixthFromAddress.status, 429, 'the address has used its 5');
    assert.equal((await post(target, mark?.id, '10.0.0.2')).status, 201, 'another address is not affected');
  });

  it('limits by address before authentication (unauthenticated writes count too)', async () => {
    const target = build();
    for (let i = 0; i < 5; i++) assert.equal((await post(target, undefined)).status, 401);
    assert.equal((await post(target, undefined)).status, 429);
  });

  it('lets exactly the limit through when writes arrive all at once', async () => {
    const target = build({ RATE_LIMIT_IP_WRITES: '0' });
    const results = await Promise.all(Array.from({ length: 10 }, () => post(target, sanne?.id)));
    const statuses = results.map((r) => r.status).sort();
    assert.deepEqual(statuses, [201, 201, 201, 429, 429, 429, 429, 429, 429, 429]);
  });

  it('is shared by every instance (the counters live in the database)', async () => {
    const one = build();
    const two = build();
    assert.equal((await post(one, sanne?.id)).status, 201);
    assert.equal((await post(two, sanne?.id)).status, 201);
    assert.equal((await post(one, sanne?.id)).status, 201);
    assert.equal((await post(two, sanne?.id)).status, 429);
  });

  it('starts afresh in the next window and sweeps the expired counters', async () => {
    const target = build();
    for (let i = 0; i < 3; i++) await post(target, sanne?.id);
    assert.equal((await post(target, sanne?.id)).status, 429);
    now = new Date(now.getTime() + 61_000);
    assert.equal((await post(target, sanne?.id)).status, 201);
    const windows = await RateLimitCounterModel.distinct('windowStart');
    assert.deepEqual(windows.map((w: Date) => w.toISOString()), ['2025-03-10T09:01:00.000Z']);
  });

  it('counts a person\'s writes through the bot (perPerson) against the same budget as their API writes', async () => {
    const target = build();
    const bot = target.identity.writeLimit;
    const sanneInBot = { tenantId: DEMO_TENANT_ID, userId: sanne?.id ?? '' };
    assert.equal((await post(target, sanne?.id)).status, 201);
    await bot.take(sanneInBot);
    assert.equal((await post(target, sanne?.id)).status, 201);
    await assert.rejects(bot.take(sanneInBot), (err) => err instanceof RateLimitedError && err.retryAfterSeconds === 50);
    assert.equal((await post(target, sanne?.id)).status, 429, 'the bot\'s writes used up the API\'s budget too');
    await bot.take({ tenantId: DEMO_TENANT_ID, userId: mark?.id ?? '' });
    // Shared by instances as well: the counter is in the database.
    await assert.rejects(build().identity.writeLimit.take(sanneInBot), RateLimitedError);
    now = new Date(now.getTime() + 61_000);
    await bot.take(sanneInBot);
  });

  it('turns a limit off with 0', async () => {
    const target = build({ RATE_LIMIT_USER_WRITES: '0', RATE_LIMIT_IP_WRITES: '0' });
    for (let i = 0; i < 8; i++) assert.equal((await post(target, sanne?.id)).status, 201);
    for (let i = 0; i < 8; i++) await target.identity.writeLimit.take({ tenantId: DEMO_TENANT_ID, userId: sanne?.id ?? '' });
    assert.equal(await RateLimitCounterModel.countDocuments({}), 0);
  });

  it('limits reads too, much higher and counted apart from writes: a person past their reads still writes, and unauthenticated reads count per address', async () => {
    const target = build({ RATE_LIMIT_USER_READS: '4', RATE_LIMIT_IP_READS: '6' });
    const read = (personId: string | undefined, ip = '10.0.0.7') => {
      const req = request(target.app).get('/api/v1/notes').set('X-Forwarded-For', ip);
      return personId ? req.set('Cookie', session(personId, now)) : req;
    };
    for (let i = 0; i < 4; i++) assert.equal((await read(sanne?.id)).status, 200);
    const limited = await read(sanne?.id);
    assert.equal(limited.status, 429);
    assert.equal(limited.body.code, 'rate_limited');
    assert.ok(Number(limited.headers['retry-after']) >= 1);
    assert.equal((await post(target, sanne?.id, '10.0.0.7')).status, 201, 'writes have their own budget');
    // The address has had 5 reads (4 answered, 1 refused by the person limit); one more, then it is refused for anyone on it.
    assert.equal((await read(undefined)).status, 401);
    assert.equal((await read(undefined)).status, 429);
    assert.equal((await read(mark?.id)).status, 429, 'everyone behind that address');
    assert.equal((await read(mark?.id, '10.0.0.8')).status, 200, 'another address is not affected');
  });

  it('also limits sign-in attempts per address', async () => {
    const target = build();
    const signIn = () => request(target.app).post('/auth/local').set('X-Forwarded-For', '10.9.9.9').set('Origin', target.config.publicUrl).type('form').send({ person: sanne?.id ?? '' });
    for (let i = 0; i < 5; i++) assert.equal((await signIn()).status, 303);
    assert.equal((await signIn()).status, 429);
  });
});
