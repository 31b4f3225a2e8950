import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { AuditEntryModel } from '../../src/audit/audit-entry.model.js';
import { AuditRepository } from '../../src/audit/audit.repository.js';
import { AuditLog } from '../../src/audit/audit-log.service.js';
import { createLogger } from '../../src/logging/logger.js';
import { useTestDatabase } from '../support/database.js';
import { startGraphServer, type GraphServer } from '../support/graph-server.js';
import {
  TEST_APP_ID_URI,
  TEST_CLIENT_ID,
  TEST_HOME_TENANT,
  TEST_PARTNER_TENANT,
  buildIdentityApp,
  entraEnvironment,
  type IdentityApp,
} from '../support/identity-app.js';
import { startIdentityProvider, type IdentityProvider } from '../support/identity-provider.js';

describe('GET /api/v1/audit (organisation admins)', () => {
  useTestDatabase('audit');
  let idp: IdentityProvider;
  let graph: GraphServer;
  let target: IdentityApp;
  const audit = new AuditLog({ repository: new AuditRepository(), logger: createLogger('silent') });

  before(async () => {
    idp = await startIdentityProvider();
    graph = await startGraphServer();
    target = buildIdentityApp(entraEnvironment(idp.baseUrl, graph.baseUrl));
  });
  after(async () => {
    await graph.stop();
    await idp.stop();
  });
  beforeEach(async () => {
    await AuditEntryModel.deleteMany({});
  });

  const bearer = async (options: { tenantId?: string; admin?: boolean; oid?: string } = {}) =>
    `Bearer ${await idp.userToken({
      tenantId: options.tenantId ?? TEST_HOME_TENANT,
      oid: options.oid ?? randomUUID(),
      apiClientId: TEST_CLIENT_ID,
      apiAppIdUri: TEST_APP_ID_URI,
      ...(options.admin ? { roles: ['Meent.Admin'] } : {}),
    })}`;

  async function get(path: string, authorization: string) {
    const res = await request(target.app).get(path).set('Authorization', authorization);
    await target.identity.whenIdle();
    return res;
  }

  it('is refused to a member without the admin role (403) and that refusal is itself audited', async () => {
    const oid = randomUUID();
    const res = await get('/api/v1/audit', await bearer({ oid }));
    assert.equal(res.status, 403);
    assert.equal(res.body.code, 'forbidden');
    const denied = await AuditEntryModel.findOne({ kind: 'access.denied', actorId: oid }).lean();
    assert.equal(denied?.reason, 'forbidden');
    assert.equal(denied?.path, '/api/v1/audit');
  });

  it('pages newest first with an opaque cursor, neither skipping nor repeating', async () => {
    for (let i = 0; i < 7; i++) await audit.record({ tenantId: TEST_HOME_TENANT, kind: 'community.role_changed', subjectId: `user-${i}`, details: { role: 'manager' } });
    const admin = await bearer({ admin: true });

    const seen: string[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < 10; page++) {
      const res = await get(`/api/v1/audit?kind=community.role_changed&limit=3${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, admin);
      assert.equal(res.status, 200, JSON.stringify(res.body));
      seen.push(...(res.body.items as { subjectId: string }[]).map((e) => e.subjectId));
      cursor = res.body.nextCursor as string | undefined;
      if (!cursor) break;
    }
    assert.deepEqual(seen, ['user-6', 'user-5', 'user-4', 'user-3', 'user-2', 'user-1', 'user-0']);
  });

  it('shows entries in the documented shape, without internals', async () => {
    await audit.record({ tenantId: TEST_HOME_TENANT, kind: 'role.changed', actorId: 'a', subjectId: 'b', details: { role: 'Meent.Admin', granted: true } });
    const res = await get('/api/v1/audit?kind=role.changed', await bearer({ admin: true }));
    const [entry] = res.body.items as Record<string, unknown>[];
    assert.deepEqual(Object.keys(entry ?? {}).sort(), ['actorId', 'at', 'count', 'details', 'id', 'kind', 'lastAt', 'subjectId', 'tenantId']);
    assert.equal(entry?.kind, 'role.changed');
    assert.deepEqual(entry?.details, { role: 'Meent.Admin', granted: true });
  });

  it('shows an admin only their own tenant\'s log', async () => {
    await audit.record({ tenantId: TEST_HOME_TENANT, kind: 'community.created', subjectId: 'home' });
    await audit.record({ tenantId: TEST_PARTNER_TENANT, kind: 'community.created', subjectId: 'partner' });
    const res = await get('/api/v1/audit?kind=community.created', await bearer({ admin: true, tenantId: TEST_PARTNER_TENANT }));
    assert.deepEqual((res.body.items as { subjectId: string }[]).map((e) => e.subjectId), ['partner']);
  });

  it('refuses a bad query with 400 problem+json (and no operator injection through kind)', async () => {
    const admin = await bearer({ admin: true });
    for (const query of ['limit=0', 'limit=101', 'limit=abc', 'kind=$ne', 'kind[$ne]=x', 'cursor=not-a-cursor']) {
      const res = await get(`/api/v1/audit?${query}`, admin);
      assert.equal(res.status, 400, query);
      assert.match(res.headers['content-type'] ?? '', /^application\/problem\+json/);
    }
  });
  it('keeps one entry per address for denials over 300 made-up paths (the path is a sample, not part of the key)', async () => {
    for (let i = 0; i < 300; i++) {
      const res = await request(target.app).get(`/api/v1/made-up-${i}/${randomUUID()}`).set('Authorization', 'Basic dXNlcjpwYXNz');
      assert.equal(res.status, 401);
    }
    await target.identity.whenIdle();
    const entries = await AuditEntryModel.find({ kind: 'access.denied' }).lean();
    assert.equal(entries.length, 1, `entries: ${entries.length}`);
    assert.equal(entries[0]?.count, 300);
    assert.match(String(entries[0]?.path), /^\/api\/v1\/made-up-0\//);
  });

  it('bounds the entries of one window when denials come from ever new addresses: the rest add up in one overflow entry', async () => {
    const bounded = new AuditLog({ repository: new AuditRepository(), logger: createLogger('silent'), maxDenialEntries: 40, now: () => new Date('2026-01-05T10:00:00Z') });
    for (let i = 0; i < 100; i++) {
      await bounded.recordDenied({ tenantId: TEST_HOME_TENANT, reason: 'missing_token', ip: `203.0.113.${i}`, method: 'GET', path: `/api/v1/x${i}` });
    }
    const entries = await AuditEntryModel.find({ kind: 'access.denied' }).lean();
    assert.equal(entries.length, 41);
    const overflow = entries.filter((e) => (e.details as { overflow?: boolean } | undefined)?.overflow === true);
    assert.equal(overflow.length, 1);
    assert.equal(overflow[0]?.count, 60);
    assert.equal(overflow[0]?.ip, undefined, 'the overflow entry names no single address');
    // An address already seen in the window keeps adding to its own entry.
    await bounded.recordDenied({ tenantId: TEST_HOME_TENANT, reason: 'missing_token', ip: '203.0.113.1', method: 'GET', path: '/api/v1/again' });
    assert.equal((await AuditEntryModel.findOne({ ip: '203.0.113.1' }).lean())?.count, 2);
  });

  describe('filters and export', () => {
    const at = (iso: string) => new AuditLog({ repository: new AuditRepository(), logger: createLogger('silent'), now: () => new Date(iso) });
    beforeEach(async () => {
      await at('2026-03-01T09:00:00Z').record({ tenantId: TEST_HOME_TENANT, kind: 'community.role_changed', actorId: 'anna', subjectId: 'bert', details: { role: 'manager' } });
      await at('2026-03-02T09:00:00Z').record({ tenantId: TEST_HOME_TENANT, kind: 'community.created', actorId: 'bert', subjectId: 'c1' });
      await at('2026-03-03T09:00:00Z').record({ tenantId: TEST_HOME_TENANT, kind: 'event.guests_changed', actorId: 'carla', subjectId: 'e1', details: { note: '=HYPERLINK("x")' } });
      await at('2026-03-04T09:00:00Z').record({ tenantId: TEST_PARTNER_TENANT, kind: 'community.created', actorId: 'bert', subjectId: 'other' });
    });
    const subjects = (res: { body: { items: { subjectId: string }[] } }) => res.body.items.map((e) => e.subjectId);

    it('finds what a person did or what is about them, a group of kinds, and a period (from inclusive, to exclusive)', async () => {
      const admin = await bearer({ admin: true });
      assert.deepEqual(subjects(await get('/api/v1/audit?person=bert', admin)), ['c1', 'bert']);
      assert.deepEqual(subjects(await get('/api/v1/audit?kind=community', admin)), ['c1', 'bert']);
      assert.deepEqual(subjects(await get('/api/v1/audit?kind=community.created', admin)), ['c1']);
      assert.deepEqual(subjects(await get(`/api/v1/audit?from=${encodeURIComponent('2026-03-02T09:00:00Z')}&to=${encodeURIComponent('2026-03-03T09:00:00Z')}`, admin)), ['c1']);
      assert.deepEqual(subjects(await get(`/api/v1/audit?person=bert&kind=community&from=${encodeURIComponent('2026-03-01T10:30:00+01:00')}`, admin)), ['c1']);
    });

    it('refuses a period that ends before it starts, a bad instant or a bad person with 400 and a field code', async () => {
      const admin = await bearer({ admin: true });
      // One good and one bad end of the period: the order check must not run on the unparsed one
      // (it did, and answered 500; found by the API fuzzing suite).
      const goodAndBad = ['from=2026-03-01T00:00:00Z&to=Infinity', 'from=&to=2026-03-01T00:00:00Z', 'from=2026-03-01T00:00:00Z&to=%7B%22%24or%22%3A%5B%5D%7D'];
      for (const query of ['from=2026-03-02T00:00:00Z&to=2026-03-01T00:00:00Z', 'from=yesterday', 'person=a%20b', 'kind=Community', ...goodAndBad, ...goodAndBad.map((q) => `csv:${q}`)]) {
        const res = query.startsWith('csv:') ? await get(`/api/v1/audit.csv?${query.slice(4)}`, admin) : await get(`/api/v1/audit?${query}`, admin);
        assert.equal(res.status, 400, query);
        const [field] = res.body.errors as { path: string; code: string }[];
        assert.ok(field && typeof field.code === 'string' && field.path.startsWith('query.'), `${query}: ${JSON.stringify(res.body.errors)}`);
      }
    });

    it('exports the filtered log as CSV (newest first, details as JSON), records the export, and refuses a member', async () => {
      const res = await get('/api/v1/audit.csv?kind=community&person=bert', await bearer({ admin: true }));
      assert.equal(res.status, 200);
      assert.match(res.headers['content-type'] ?? '', /^text\/csv/);
      assert.match(res.headers['content-disposition'] ?? '', /attachment; filename="audit-/);
      const lines = res.text.replace(/^\uFEFF/, '').trim().split('\r\n');
      assert.equal(lines.length, 3);
      assert.match(lines[0]!, /^"at";"lastAt";"kind";"actorId";"subjectId"/);
      assert.match(lines[1]!, /"community\.created";"bert";"c1"/);
      assert.match(lines[2]!, /"community\.role_changed";"anna";"bert"/);
      const all = await get('/api/v1/audit.csv?kind=event', await bearer({ admin: true }));
      assert.ok(all.text.includes('"{""note"":""=HYPERLINK(\\""x\\"")""}"'), all.text);
      assert.equal(await AuditEntryModel.countDocuments({ kind: 'audit.exported' }), 2);
      assert.equal((await get('/api/v1/audit.csv', await bearer())).status, 403);
    });
  });
});
