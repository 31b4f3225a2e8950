import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import request from 'supertest';
import { AuditEntryModel } from '../../src/audit/audit-entry.model.js';
import { DEMO_PEOPLE, DEMO_TENANT_ID, findDemoPerson } from '../../src/local/demo-people.js';
import { safeReturnTo } from '../../src/local/local-sign-in.routes.js';
import { UserModel } from '../../src/members/user.model.js';
import { useTestDatabase } from '../support/database.js';
import { buildIdentityApp, type IdentityApp } from '../support/identity-app.js';

const SECRET = 'a-session-secret-of-at-least-32-characters';
const env = (extra: Record<string, string> = {}) => ({ NODE_ENV: 'test', LOG_LEVEL: 'silent', AUTH_MODE: 'local', ...extra });

const sanne = DEMO_PEOPLE.find((p) => p.role === 'civil-servant')!;
const ingrid = DEMO_PEOPLE.find((p) => p.role === 'org-admin')!;
const gerrit = DEMO_PEOPLE.find((p) => p.role === 'guest')!;

/** A cookie as cookie-parser signs it: `s:<value>.<base64 HMAC-SHA256 without padding>`. */
function signedCookie(value: string, secret: string): string {
  const signature = createHmac('sha256', secret).update(value).digest('base64').replace(/=+$/, '');
  return `meent_session=${encodeURIComponent(`s:${value}.${signature}`)}`;
}

async function signIn(target: IdentityApp, personId: string, returnTo?: string) {
  return request(target.app)
    .post('/auth/local')
    .set('Origin', target.config.publicUrl)
    .type('form')
    .send({ person: personId, ...(returnTo !== undefined ? { returnTo } : {}) });
}

function sessionCookie(res: request.Response): string {
  const header = ([] as string[]).concat(res.headers['set-cookie'] ?? []).find((c) => c.startsWith('meent_session='));
  assert.ok(header, 'a session cookie was set');
  return header.split(';')[0] ?? '';
}

describe('local mode sign-in (AUTH_MODE=local)', () => {
  useTestDatabase('localsignin');
  let target: IdentityApp;
  let now: Date;

  beforeEach(async () => {
    now = new Date();
    target = buildIdentityApp(env({ SESSION_SECRET: SECRET }), { now: () => now });
    await UserModel.deleteMany({});
    await AuditEntryModel.deleteMany({});
  });

  describe('the page', () => {
    it('lists every demo person with a sign-in button, in Dutch with English alongside', async () => {
      const res = await request(target.app).get('/auth/local');
      assert.equal(res.status, 200);
      assert.match(res.headers['content-type'] ?? '', /^text\/html/);
      assert.match(res.text, /<html lang="nl">/);
      assert.match(res.text, /<h1>Aanmelden bij Meent <span lang="en">\/ Sign in to Meent<\/span><\/h1>/);
      for (const person of DEMO_PEOPLE) {
        assert.ok(res.text.includes(`value="${person.id}"`), person.displayName);
        assert.ok(res.text.includes(`Aanmelden als ${person.displayName.replace(/&/g, '&amp;')}`), person.displayName);
      }
      assert.match(res.text, /Gast <span lang="en">\/ Guest<\/span>/);
      assert.ok(!/<script/i.test(res.text), 'no script needed');
      assert.match(res.headers['content-security-policy'] ?? '', /form-action 'self'/);
    });

    it('the demo people are the four kinds the issue names, with stable ids in the demo tenant', () => {
      assert.deepEqual([...new Set(DEMO_PEOPLE.map((p) => p.role))].sort(), ['civil-servant', 'community-manager', 'guest', 'org-admin']);
      assert.ok(DEMO_PEOPLE.every((p) => p.tenantId === DEMO_TENANT_ID));
      assert.equal(new Set(DEMO_PEOPLE.map((p) => p.id)).size, DEMO_PEOPLE.length);
      assert.ok(DEMO_PEOPLE.filter((p) => p.isGuest).every((p) => p.homeTenantId !== DEMO_TENANT_ID && p.userPrincipalName.includes('#EXT#')));
    });

    it('escapes what it echoes: a hostile returnTo does not reach the page', async () => {
      const res = await request(target.app).get('/auth/local').query({ returnTo: '/tab/"><script>alert(1)</script>' });
      assert.ok(!res.text.includes('<script>'));
      assert.match(res.text, /name="returnTo" value="\/tab\/"/);
    });
  });

  describe('signing in', () => {
    it('sets a signed, httpOnly, SameSite=Lax session cookie and goes on to the tab', async () => {
      const res = await signIn(target, sanne.id);
      assert.equal(res.status, 303);
      assert.equal(res.headers.location, '/tab/');
      const header = ([] as string[]).concat(res.headers['set-cookie'] ?? []).find((c) => c.startsWith('meent_session='));
      assert.ok(header);
      assert.match(header, /HttpOnly/);
      assert.match(header, /SameSite=Lax/);
      assert.match(header, /Path=\//);
      assert.match(header, /^meent_session=s%3A/, 'signed by cookie-parser');
    });

    it('the session makes the API answer as that person; the first sign-in is recorded once', async () => {
      const cookie = sessionCookie(await signIn(target, gerrit.id));
      const res = await request(target.app).get('/api/v1/me').set('Cookie', cookie);
      await target.identity.whenIdle();
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.equal(res.body.id, gerrit.id);
      assert.equal(res.body.name, gerrit.displayName);
      assert.equal(res.body.isGuest, true);
      assert.equal(res.body.tenantId, DEMO_TENANT_ID);
      assert.equal(res.body.homeTenantId, gerrit.homeTenantId);
      assert.equal(await UserModel.countDocuments({ userId: gerrit.id }), 1);
      assert.equal(await AuditEntryModel.countDocuments({ kind: 'user.first_sign_in', subjectId: gerrit.id }), 1);
    });

    it('returns only to a path on this site', async () => {
      assert.equal((await signIn(target, sanne.id, '/tab/#/communities/1')).headers.location, '/tab/#/communities/1');
      for (const evil of ['//evil.example/', 'https://evil.example/', '/\\evil.example', 'javascript:alert(1)', '/tab/\r\nSet-Cookie: x=1']) {
        assert.equal((await signIn(target, sanne.id, evil)).headers.location, '/tab/', evil);
      }
      assert.equal(safeReturnTo(undefined), '/tab/');
    });

    it('refuses someone who is not a demo person, with 400 and no cookie', async () => {
      const res = await signIn(target, '00000000-0000-4000-8000-0000000000ff');
      assert.equal(res.status, 400);
      assert.equal(res.body.code, 'unknown_demo_person');
      assert.equal(res.headers['set-cookie'], undefined);
    });

    it('refuses a sign-in posted from another site (login CSRF), with 403 and no cookie', async () => {
      const res = await request(target.app).post('/auth/local').set('Origin', 'http://127.0.0.1:5173').type('form').send({ person: sanne.id });
      assert.equal(res.status, 403);
      assert.equal(res.body.code, 'cross_site_request');
      assert.equal(res.headers['set-cookie'], undefined);
    });

    it('refuses a sign-in from a page whose Origin matches the Host it sent (DNS rebinding), with 403 and no cookie', async () => {
      const res = await request(target.app).post('/auth/local').set('Host', 'rebind.attacker.example:4000').set('Origin', 'http://rebind.attacker.example:4000').type('form').send({ person: sanne.id });
      assert.equal(res.status, 403);
      assert.equal(res.body.code, 'local_only');
      assert.equal(res.headers['set-cookie'], undefined);
    });

    it('serves this computer only: a request through a tunnel (forwarding headers) or under another name is refused, sign-in page and API alike', async () => {
      for (const path of ['/auth/local', '/api/v1/communities', '/tab/']) {
        const tunnelled = await request(target.app).get(path).set('X-Forwarded-For', '203.0.113.7').set('X-Forwarded-Host', 'meent-3978.euw.devtunnels.ms');
        assert.equal(tunnelled.status, 403, path);
        assert.equal(tunnelled.body.code, 'local_only');
        const renamed = await request(target.app).get(path).set('Host', 'meent.example.org');
        assert.equal(renamed.status, 403, path);
      }
      assert.equal((await request(target.app).get('/auth/local')).status, 200, 'this computer still signs in');
    });

    it('still refuses a cross-site sign-in under a loopback Host (the Origin must be our own, not one derived from Host)', async () => {
      const res = await request(target.app).post('/auth/local').set('Origin', 'http://localhost:1').type('form').send({ person: sanne.id });
      assert.equal(res.status, 403);
      assert.equal(res.body.code, 'cross_site_request');
    });

    it('signing out clears the cookie', async () => {
      const res = await request(target.app).post('/auth/local/sign-out').set('Origin', target.config.publicUrl);
      assert.equal(res.status, 303);
      assert.match(([] as string[]).concat(res.headers['set-cookie'] ?? []).join(), /meent_session=;.*Expires=Thu, 01 Jan 1970/);
    });
  });

  describe('the API without a valid session: 401 with where to sign in, nothing written', () => {
    const cases: [string, () => string | undefined][] = [
      ['no cookie', () => undefined],
      ['an unsigned cookie', () => `meent_session=${sanne.id}.${Math.floor(Date.now() / 1000)}`],
      ['a cookie signed with another secret', () => signedCookie(`${ingrid.id}.${Math.floor(Date.now() / 1000)}`, 'another-secret-of-at-least-32-characters')],
      ['a cookie expired after 12 hours', () => signedCookie(`${ingrid.id}.${Math.floor(Date.now() / 1000) - 13 * 3600}`, SECRET)],
      ['a validly signed cookie for someone who is not a demo person', () => signedCookie(`00000000-0000-4000-8000-0000000000ff.${Math.floor(Date.now() / 1000)}`, SECRET)],
    ];
    for (const [name, cookie] of cases) {
      it(name, async () => {
        const value = cookie();
        const req = request(target.app).get('/api/v1/me');
        const res = await (value === undefined ? req : req.set('Cookie', value));
        await target.identity.whenIdle();
        assert.equal(res.status, 401);
        assert.equal(res.body.code, 'unauthenticated');
        assert.equal(res.body.signInUrl, '/auth/local');
        assert.match(res.headers['www-authenticate'] ?? '', /^Session realm="meent"/);
        assert.equal(await UserModel.countDocuments({}), 0);
        assert.equal(await AuditEntryModel.countDocuments({ kind: 'access.denied' }), 1);
      });
    }

    it('a correctly signed cookie of the configured SESSION_SECRET works (so does a restart)', async () => {
      const res = await request(target.app).get('/api/v1/me').set('Cookie', signedCookie(`${ingrid.id}.${Math.floor(Date.now() / 1000)}`, SECRET));
      assert.equal(res.status, 200);
      assert.equal(res.body.isOrgAdmin, true);
    });

    it('without SESSION_SECRET each process makes its own secret: another instance does not accept the cookie', async () => {
      const one = buildIdentityApp(env());
      const two = buildIdentityApp(env());
      const cookie = sessionCookie(await signIn(one, sanne.id));
      assert.equal((await request(one.app).get('/api/v1/me').set('Cookie', cookie)).status, 200);
      assert.equal((await request(two.app).get('/api/v1/me').set('Cookie', cookie)).status, 401);
    });

    it('refuses a cookie-authenticated write from another origin (CSRF)', async () => {
      const cookie = sessionCookie(await signIn(target, sanne.id));
      const res = await request(target.app).post('/api/v1/me').set('Cookie', cookie).set('Origin', 'https://evil.example').send({});
      assert.equal(res.status, 403);
      assert.equal(res.body.code, 'cross_site_request');
    });
  });

  describe('roles through the demo people', () => {
    it('the organisation admin reads the audit log; a civil servant is refused (and that refusal is audited)', async () => {
      const admin = sessionCookie(await signIn(target, ingrid.id));
      const servant = sessionCookie(await signIn(target, sanne.id));
      const refused = await request(target.app).get('/api/v1/audit').set('Cookie', servant);
      await target.identity.whenIdle();
      assert.equal(refused.status, 403);
      assert.equal(refused.body.code, 'forbidden');

      const res = await request(target.app).get('/api/v1/audit').set('Cookie', admin);
      assert.equal(res.status, 200);
      const kinds = (res.body.items as { kind: string; reason?: string; actorId?: string }[]).map((e) => `${e.kind}:${e.reason ?? ''}:${e.actorId ?? ''}`);
      assert.ok(kinds.includes(`access.denied:forbidden:${sanne.id}`), kinds.join(' | '));
      assert.ok(kinds.includes(`user.first_sign_in::${ingrid.id}`), kinds.join(' | '));
      assert.equal(findDemoPerson(ingrid.id)?.isOrgAdmin, true);
    });
  });
});
