/**
 * Bad input gets a clear 4xx problem+json and writes nothing: unknown and malformed ids,
 * oversized and empty fields, markup in plain-text fields, Mongo operators in JSON bodies,
 * unknown fields, malformed JSON, bad query parameters.
 */
import assert from 'node:assert/strict';
import mongoose from 'mongoose';
import request from 'supertest';
import { useTestDatabase } from '../support/database.js';
import { actorHeader, as, buildWorld, community, person, type TestWorld } from './communities-fixtures.js';
import type { Actor } from '../../src/auth/actor.js';

const COLLECTIONS = ['communities', 'memberships', 'discussions', 'replies', 'reactions', 'follows', 'reports', 'notifications', 'activities', 'search_entries', 'users'];

async function snapshot(): Promise<Record<string, number>> {
  const db = mongoose.connection.db;
  assert.ok(db);
  const counts: Record<string, number> = {};
  for (const name of COLLECTIONS) counts[name] = await db.collection(name).countDocuments();
  return counts;
}

describe('bad input (HTTP, real database)', function () {
  this.timeout(60_000);
  useTestDatabase('badinput');
  let world: TestWorld;
  let me: Actor;
  let c: string;
  let d: string;
  let r = '';
  const long = 'a'.repeat(20_001);
  const unknown = '0123456789abcdef01234567';

  before(async () => {
    world = buildWorld();
    me = await person({ userId: 'bi-me' });
    c = (await community(world, me)).id;
    d = (await world.module.services.discussions.create(me, c, { title: 'Start', body: 'x', kind: 'question' })).id;
    r = (await world.module.services.replies.create(me, d, { body: 'reply' })).id;
  });

  const cases: Array<{ name: string; method: 'get' | 'post' | 'put' | 'patch' | 'delete'; path: () => string; body?: unknown; status: number; code?: string }> = [
    { name: 'community without a name', method: 'post', path: () => '/communities', body: {}, status: 400, code: 'invalid_input' },
    { name: 'community with an empty name', method: 'post', path: () => '/communities', body: { name: '   ' }, status: 400 },
    { name: 'community name as an operator', method: 'post', path: () => '/communities', body: { name: { $gt: '' } }, status: 400 },
    { name: 'community with $where', method: 'post', path: () => '/communities', body: { name: 'x', $where: 'sleep(1000)' }, status: 400 },
    { name: 'community with an unknown field', method: 'post', path: () => '/communities', body: { name: 'x', createdBy: 'someone-else' }, status: 400 },
    { name: 'community with a bad visibility', method: 'post', path: () => '/communities', body: { name: 'x', visibility: 'hidden' }, status: 400 },
    { name: 'community with an oversized description', method: 'post', path: () => '/communities', body: { name: 'x', description: long }, status: 400 },
    { name: 'community with a javascript: image', method: 'post', path: () => '/communities', body: { name: 'x', imageUrl: 'javascript:alert(1)' }, status: 400 },
    { name: 'community with operator tags', method: 'post', path: () => '/communities', body: { name: 'x', tags: [{ $ne: 1 }] }, status: 400 },
    { name: 'community with a control character', method: 'post', path: () => '/communities', body: { name: 'x\u0000y' }, status: 400 },
    { name: 'community with markup in a tag', method: 'post', path: () => '/communities', body: { name: 'x', tags: ['<script>'] }, status: 400 },
    { name: 'malformed community id', method: 'get', path: () => '/communities/not-an-id', status: 400 },
    { name: 'operator-looking id', method: 'get', path: () => '/communities/%7B%22%24gt%22%3A%22%22%7D', status: 400 },
    { name: 'unknown community id', method: 'get', path: () => `/communities/${unknown}`, status: 404, code: 'community_not_found' },
    { name: 'discussion in an unknown community', method: 'post', path: () => `/communities/${unknown}/discussions`, body: { title: 't', body: 'b' }, status: 404 },
    { name: 'discussion with an empty title', method: 'post', path: () => `/communities/${c}/discussions`, body: { title: '', body: 'b' }, status: 400 },
    { name: 'discussion with an empty body', method: 'post', path: () => `/communities/${c}/discussions`, body: { title: 't', body: '   ' }, status: 400 },
    { name: 'discussion with an oversized body', method: 'post', path: () => `/communities/${c}/discussions`, body: { title: 't', body: long }, status: 400 },
    { name: 'discussion with a 201-character title', method: 'post', path: () => `/communities/${c}/discussions`, body: { title: 't'.repeat(201), body: 'b' }, status: 400 },
    { name: 'discussion body as an operator', method: 'post', path: () => `/communities/${c}/discussions`, body: { title: 't', body: { $gt: '' } }, status: 400 },
    { name: 'discussion with operator mentions', method: 'post', path: () => `/communities/${c}/discussions`, body: { title: 't', body: 'b', mentions: [{ $gt: '' }] }, status: 400 },
    { name: 'discussion naming its own author', method: 'post', path: () => `/communities/${c}/discussions`, body: { title: 't', body: 'b', authorId: 'bi-other' }, status: 400 },
    { name: 'discussion of an unknown kind', method: 'post', path: () => `/communities/${c}/discussions`, body: { title: 't', body: 'b', kind: 'poll' }, status: 400 },
    { name: 'discussion body with U+0000 (the store refuses it)', method: 'post', path: () => `/communities/${c}/discussions`, body: { title: 't', body: 'x\u0000y' }, status: 400, code: 'invalid_input' },
    { name: 'reply with a lone surrogate (the store would keep U+FFFD)', method: 'post', path: () => `/discussions/${d}/replies`, body: { body: 'half an emoji \uD83D' }, status: 400, code: 'invalid_input' },
    { name: 'reply edit with U+0000', method: 'patch', path: () => `/replies/${r}`, body: { body: '\u0000' }, status: 400 },
    { name: 'community description with a lone low surrogate', method: 'post', path: () => '/communities', body: { name: 'x', description: '\uDC00 tail' }, status: 400 },
    { name: 'a search for U+0000', method: 'get', path: () => '/search?q=x%00y', status: 400 },
    { name: 'reply with an oversized body', method: 'post', path: () => `/discussions/${d}/replies`, body: { body: long }, status: 400 },
    { name: 'reply to a malformed parent', method: 'post', path: () => `/discussions/${d}/replies`, body: { body: 'b', parentId: 'zzz' }, status: 400 },
    { name: 'reply to an unknown parent', method: 'post', path: () => `/discussions/${d}/replies`, body: { body: 'b', parentId: unknown }, status: 400, code: 'parent_not_in_discussion' },
    { name: 'reply to an unknown discussion', method: 'post', path: () => `/discussions/${unknown}/replies`, body: { body: 'b' }, status: 404, code: 'discussion_not_found' },
    { name: 'empty discussion patch', method: 'patch', path: () => `/discussions/${d}`, body: {}, status: 400 },
    { name: 'pin as a string', method: 'patch', path: () => `/discussions/${d}`, body: { pinned: 'yes' }, status: 400 },
    { name: 'reaction of an unknown kind', method: 'put', path: () => `/discussions/${d}/reactions/boo`, status: 400 },
    { name: 'reaction to an unknown reply', method: 'put', path: () => `/replies/${unknown}/reactions/like`, status: 404, code: 'reply_not_found' },
    { name: 'answer with a malformed reply id', method: 'put', path: () => `/discussions/${d}/answer`, body: { replyId: { $ne: null } }, status: 400 },
    { name: 'reply edit with an operator body', method: 'patch', path: () => `/replies/${r}`, body: { body: { $set: { authorId: 'x' } } }, status: 400 },
    { name: 'member id with an operator', method: 'patch', path: () => `/communities/${c}/members/%24where`, body: { role: 'manager' }, status: 400 },
    { name: 'member patch with an unknown status', method: 'patch', path: () => `/communities/${c}/members/bi-me`, body: { status: 'owner' }, status: 400 },
    { name: 'invitation with a bad e-mail address', method: 'post', path: () => `/communities/${c}/members`, body: { email: 'not-an-address' }, status: 400 },
    { name: 'invitation of an unknown person', method: 'post', path: () => `/communities/${c}/members`, body: { userId: 'nobody-known' }, status: 404, code: 'user_not_found' },
    { name: 'page size 0', method: 'get', path: () => '/communities?limit=0', status: 400 },
    { name: 'page size 1000', method: 'get', path: () => '/communities?limit=1000', status: 400 },
    { name: 'a garbage cursor', method: 'get', path: () => '/communities?cursor=garbage', status: 400, code: 'invalid_cursor' },
    { name: 'an unknown query parameter', method: 'get', path: () => '/communities?sort[$gt]=1', status: 400 },
    { name: 'an empty search', method: 'get', path: () => '/search?q=', status: 400 },
    { name: 'an oversized search', method: 'get', path: () => `/search?q=${'a'.repeat(201)}`, status: 400 },
    { name: 'a report of a malformed id', method: 'post', path: () => '/reports', body: { targetType: 'discussion', targetId: 'abc', reason: 'spam' }, status: 400 },
    { name: 'a report with an unknown reason', method: 'post', path: () => '/reports', body: { targetType: 'reply', targetId: r, reason: 'boring' }, status: 400 },
    { name: 'a report of an unknown discussion', method: 'post', path: () => '/reports', body: { targetType: 'discussion', targetId: unknown, reason: 'spam' }, status: 404 },
    { name: 'settings with an absurd threshold', method: 'patch', path: () => '/settings/communities', body: { autoHideThreshold: -1 }, status: 400 },
    { name: 'an unknown route', method: 'get', path: () => '/communities-of-everything', status: 404, code: 'route_not_found' },
  ];

  for (const t of cases) {
    it(`${t.name}: ${t.status}, nothing written`, async () => {
      const before = await snapshot();
      const client = as(world.app, me);
      const res = await (t.method === 'get' || t.method === 'delete' ? client[t.method](t.path()) : client[t.method](t.path(), t.body));
      assert.equal(res.status, t.status, JSON.stringify(res.body));
      assert.match(String(res.headers['content-type']), /^application\/problem\+json/);
      assert.equal(typeof res.body.code, 'string');
      assert.equal(typeof res.body.detail, 'string');
      if (t.code) assert.equal(res.body.code, t.code);
      assert.doesNotMatch(JSON.stringify(res.body), /Mongo|E11000|stack|at \w+ \(/);
      assert.deepEqual(await snapshot(), before);
    });
  }

  it('malformed JSON: 400, nothing written', async () => {
    const before = await snapshot();
    const res = await request(world.app).post('/api/v1/communities').set('X-Test-Actor', actorHeader(me)).set('Content-Type', 'application/json').send('{"name": "x",');
    assert.equal(res.status, 400);
    assert.match(String(res.headers['content-type']), /^application\/problem\+json/);
    assert.deepEqual(await snapshot(), before);
  });

  it('a body that is not JSON: 415, not read as an empty body (an invitation that would join the sender), nothing written', async () => {
    const outsider = await person({ userId: 'bi-outsider' });
    const invitee = await person({ userId: 'bi-invitee' });
    const before = await snapshot();
    const sends: Array<[string | undefined, string]> = [
      ['text/plain', JSON.stringify({ userId: invitee.userId })],
      ['application/x-www-form-urlencoded', `userId=${invitee.userId}`],
      ['multipart/form-data; boundary=x', `--x\r\nContent-Disposition: form-data; name="userId"\r\n\r\n${invitee.userId}\r\n--x--\r\n`],
      [undefined, JSON.stringify({ userId: invitee.userId })],
    ];
    for (const [type, body] of sends) {
      const req = request(world.app).post(`/api/v1/communities/${c}/members`).set('X-Test-Actor', actorHeader(outsider));
      const res = await (type ? req.set('Content-Type', type) : req.unset('Content-Type')).send(body);
      assert.equal(res.status, 415, `${type}: ${res.status} ${JSON.stringify(res.body)}`);
      assert.match(String(res.headers['content-type']), /^application\/problem\+json/);
      assert.equal(res.body.code, 'unsupported_media_type');
    }
    assert.deepEqual(await snapshot(), before);
  });

  it('a body over the size limit: 413, nothing written', async () => {
    const before = await snapshot();
    const res = await request(world.app).post(`/api/v1/communities/${c}/discussions`).set('X-Test-Actor', actorHeader(me)).send({ title: 't', body: 'x'.repeat(2_000_000) });
    assert.equal(res.status, 413);
    assert.deepEqual(await snapshot(), before);
  });

  it('no actor: 401', async () => {
    const res = await request(world.app).get('/api/v1/communities');
    assert.equal(res.status, 401);
    assert.equal(res.body.code, 'unauthenticated');
  });
});
