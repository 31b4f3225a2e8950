/**
 * The consent pop-up's server routes, through the identity layer as composed in entra mode:
 * the redirect to Entra's authorize endpoint with its parameters and a state cookie, and the
 * callback that accepts only the state this browser was given.
 */
import assert from 'node:assert/strict';
import request from 'supertest';
import { CONSENT_STATE_MAX_AGE_MS, consentStateCookieName } from '../../src/auth/consent.routes.js';
import { buildIdentityApp, entraEnvironment, TEST_CLIENT_ID, TEST_HOME_TENANT, TEST_PARTNER_TENANT, type IdentityApp } from '../support/identity-app.js';

const AUTHORITY = 'https://login.example.test';
const GRAPH = 'https://graph.example.test';
const PUBLIC_URL = 'https://meent.example.nl';
const COOKIE = consentStateCookieName(true);

function setCookies(res: request.Response): string[] {
  return ([] as string[]).concat((res.headers['set-cookie'] as string[] | string | undefined) ?? []);
}

function stateCookie(res: request.Response): { value: string; attributes: string[] } {
  const line = setCookies(res).find((c) => c.startsWith(`${COOKIE}=`));
  assert.ok(line, `a ${COOKIE} cookie is set`);
  const [pair = '', ...attributes] = line.split(';').map((s) => s.trim());
  return { value: decodeURIComponent(pair.slice(COOKIE.length + 1)), attributes: attributes.map((a) => a.toLowerCase()) };
}

function endRoute(res: request.Response): URLSearchParams {
  const location = res.headers.location ?? '';
  assert.match(location, /^\/tab\/index\.html#\/auth\/end\?/);
  return new URLSearchParams(location.slice(location.indexOf('?') + 1));
}

describe('consent routes (entra mode)', () => {
  let built: IdentityApp;

  before(() => {
    built = buildIdentityApp(entraEnvironment(AUTHORITY, GRAPH, { PUBLIC_URL }), { directoryFor: () => undefined, rateLimitStore: 'memory' });
  });

  it('redirects to the tenant’s authorize endpoint with the code flow, the consent prompt and a state in an httpOnly cookie', async () => {
    const res = await request(built.app).get('/auth/consent').query({ reason: 'consent_required', loginHint: 'anouk@waterschap.example', tenantId: TEST_HOME_TENANT });
    assert.equal(res.status, 302);
    const target = new URL(res.headers.location ?? '');
    assert.equal(`${target.origin}${target.pathname}`, `${AUTHORITY}/${TEST_HOME_TENANT}/oauth2/v2.0/authorize`);
    const q = target.searchParams;
    assert.equal(q.get('client_id'), TEST_CLIENT_ID);
    assert.equal(q.get('response_type'), 'code');
    assert.equal(q.get('response_mode'), 'query');
    assert.equal(q.get('redirect_uri'), `${PUBLIC_URL}/auth/consent/callback`);
    assert.equal(q.get('scope'), `openid profile offline_access ${GRAPH}/.default`);
    assert.equal(q.get('prompt'), 'consent');
    assert.equal(q.get('login_hint'), 'anouk@waterschap.example');
    const state = q.get('state') ?? '';
    assert.ok(state.length >= 43, 'the state is a long random nonce');

    const cookie = stateCookie(res);
    assert.equal(cookie.value, state, 'the cookie holds the same state');
    assert.ok(cookie.attributes.includes('httponly'));
    assert.ok(cookie.attributes.includes('secure'));
    assert.ok(cookie.attributes.includes('samesite=lax'));
    assert.ok(cookie.attributes.includes('path=/'));
    assert.ok(cookie.attributes.some((a) => a === `max-age=${CONSENT_STATE_MAX_AGE_MS / 1000}`), `short-lived: ${cookie.attributes.join('; ')}`);
    assert.equal(res.headers['cache-control'], 'no-store');
  });

  it('gives every pop-up its own state', async () => {
    const a = await request(built.app).get('/auth/consent');
    const b = await request(built.app).get('/auth/consent');
    assert.notEqual(new URL(a.headers.location ?? '').searchParams.get('state'), new URL(b.headers.location ?? '').searchParams.get('state'));
  });

  it('asks for a fresh sign-in (prompt=login) for a step-up, and uses the home tenant when none is given', async () => {
    const res = await request(built.app).get('/auth/consent').query({ reason: 'step_up_required' });
    const target = new URL(res.headers.location ?? '');
    assert.equal(target.pathname, `/${TEST_HOME_TENANT}/oauth2/v2.0/authorize`);
    assert.equal(target.searchParams.get('prompt'), 'login');
    assert.equal(target.searchParams.get('login_hint'), null);
  });

  it('sends a partner tenant’s user to their own tenant, and refuses a tenant Meent does not serve', async () => {
    const partner = await request(built.app).get('/auth/consent').query({ tenantId: TEST_PARTNER_TENANT });
    assert.equal(new URL(partner.headers.location ?? '').pathname, `/${TEST_PARTNER_TENANT}/oauth2/v2.0/authorize`);

    const stranger = await request(built.app).get('/auth/consent').query({ tenantId: '99999999-9999-4999-8999-999999999999' });
    assert.equal(stranger.status, 302);
    assert.deepEqual(Object.fromEntries(endRoute(stranger)), { result: 'failure', reason: 'tenant_not_allowed' });

    const garbage = await request(built.app).get('/auth/consent').query({ tenantId: '../common' });
    assert.equal(endRoute(garbage).get('reason'), 'tenant_not_allowed');
  });

  it('drops a login hint that could break out of the parameter', async () => {
    const res = await request(built.app).get('/auth/consent').query({ loginHint: 'a b"<script>' });
    assert.equal(new URL(res.headers.location ?? '').searchParams.get('login_hint'), null);
  });

  it('the callback with the matching state and a code ends the pop-up with success and clears the cookie', async () => {
    const start = await request(built.app).get('/auth/consent');
    const { value } = stateCookie(start);
    const res = await request(built.app).get('/auth/consent/callback').query({ code: 'M.C5_BAY.2.U.abc', state: value }).set('Cookie', `${COOKIE}=${value}`);
    assert.equal(res.status, 302);
    assert.deepEqual(Object.fromEntries(endRoute(res)), { result: 'success' });
    const cleared = setCookies(res).find((c) => c.startsWith(`${COOKIE}=;`));
    assert.ok(cleared && /expires=thu, 01 jan 1970/i.test(cleared), 'the state cookie is cleared');
    assert.equal(res.headers['referrer-policy'], 'no-referrer');
  });

  it('the callback refuses a state that does not match the cookie, or no cookie at all', async () => {
    const start = await request(built.app).get('/auth/consent');
    const { value } = stateCookie(start);
    const forged = await request(built.app).get('/auth/consent/callback').query({ code: 'abc', state: 'x'.repeat(value.length) }).set('Cookie', `${COOKIE}=${value}`);
    assert.deepEqual(Object.fromEntries(endRoute(forged)), { result: 'failure', reason: 'state_mismatch' });

    const noCookie = await request(built.app).get('/auth/consent/callback').query({ code: 'abc', state: value });
    assert.equal(endRoute(noCookie).get('reason'), 'state_mismatch');

    const noState = await request(built.app).get('/auth/consent/callback').query({ code: 'abc' }).set('Cookie', `${COOKIE}=${value}`);
    assert.equal(endRoute(noState).get('reason'), 'state_mismatch');
  });

  it('the callback passes on a declined consent (error=access_denied) as the failure reason', async () => {
    const start = await request(built.app).get('/auth/consent');
    const { value } = stateCookie(start);
    const res = await request(built.app)
      .get('/auth/consent/callback')
      .query({ error: 'access_denied', error_description: 'AADSTS65004: User declined to consent to access the app.', state: value })
      .set('Cookie', `${COOKIE}=${value}`);
    assert.deepEqual(Object.fromEntries(endRoute(res)), { result: 'failure', reason: 'access_denied' });

    const odd = await request(built.app).get('/auth/consent/callback').query({ error: '<b>x</b>', state: value }).set('Cookie', `${COOKIE}=${value}`);
    assert.equal(endRoute(odd).get('reason'), 'consent_failed', 'an error code that is not a plain word is not passed on');

    const noCode = await request(built.app).get('/auth/consent/callback').query({ state: value }).set('Cookie', `${COOKIE}=${value}`);
    assert.equal(endRoute(noCode).get('reason'), 'no_code');
  });

  it('is not there in local mode', async () => {
    const local = buildIdentityApp({ NODE_ENV: 'test', LOG_LEVEL: 'silent', AUTH_MODE: 'local' }, { rateLimitStore: 'memory' });
    const res = await request(local.app).get('/auth/consent');
    assert.equal(res.status, 404);
  });
});
