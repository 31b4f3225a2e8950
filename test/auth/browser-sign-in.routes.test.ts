/**
 * The server side of the tab's browser sign-in: GET /auth/browser-config in entra and local
 * mode, the Content-Security-Policy that lets the tab reach the identity provider, and the API
 * accepting a token that Meent's own client (the tab's msal-browser) obtained, no other app's.
 */
import assert from 'node:assert/strict';
import request from 'supertest';
import { browserSignInConfig } from '../../src/auth/browser-sign-in.routes.js';
import { useTestDatabase } from '../support/database.js';
import { buildIdentityApp, entraEnvironment, TEST_APP_ID_URI, TEST_CLIENT_ID, TEST_HOME_TENANT } from '../support/identity-app.js';
import { startIdentityProvider, type IdentityProvider } from '../support/identity-provider.js';

describe('browser sign-in configuration (GET /auth/browser-config)', () => {
  useTestDatabase('browser_sign_in');
  let idp: IdentityProvider;
  const publicUrl = 'https://meent.example.nl';

  before(async () => {
    idp = await startIdentityProvider();
  });
  after(async () => idp.stop());

  it('entra mode: the home tenant as authority (guests get a token of this tenant), the API scope, the SPA redirect URIs', async () => {
    const { app } = buildIdentityApp(entraEnvironment(idp.baseUrl, 'https://graph.invalid', { PUBLIC_URL: publicUrl }));
    const res = await request(app).get('/auth/browser-config').expect(200);
    assert.deepEqual(res.body, {
      mode: 'entra',
      clientId: TEST_CLIENT_ID,
      authority: `${idp.baseUrl}/${TEST_HOME_TENANT}`,
      knownAuthorities: [new URL(idp.baseUrl).host],
      scopes: [`${TEST_APP_ID_URI}/access_as_user`],
      redirectUri: `${publicUrl}/tab/auth-end`,
      postLogoutRedirectUri: `${publicUrl}/tab/signed-out`,
    });
    assert.equal(res.headers['cache-control'], 'public, max-age=300');
    const csp = String(res.headers['content-security-policy']);
    assert.match(csp, new RegExp(`connect-src 'self' https://res.cdn.office.net ${idp.baseUrl.replace(/[.]/g, '\\.')}`), 'msal-browser may fetch metadata and tokens');
    assert.match(csp, new RegExp(`frame-src 'self' ${idp.baseUrl.replace(/[.]/g, '\\.')}`), 'and renew in a hidden frame');
  });

  it('ENTRA_BROWSER_TENANT=organizations signs in any work account (the API still checks the tenant)', async () => {
    const { app } = buildIdentityApp(entraEnvironment(idp.baseUrl, 'https://graph.invalid', { PUBLIC_URL: publicUrl, ENTRA_BROWSER_TENANT: 'organizations' }));
    const res = await request(app).get('/auth/browser-config').expect(200);
    assert.equal(res.body.authority, `${idp.baseUrl}/organizations`);
  });

  it('refuses an ENTRA_BROWSER_TENANT that is neither organizations nor a tenant id', () => {
    assert.throws(() => buildIdentityApp(entraEnvironment(idp.baseUrl, 'https://graph.invalid', { ENTRA_BROWSER_TENANT: 'common' })), /ENTRA_BROWSER_TENANT/);
  });

  it("Entra's own host needs no knownAuthorities; local mode keeps the demo sign-in", () => {
    const entra = browserSignInConfig({ publicUrl, entra: { authorityHost: 'https://login.microsoftonline.com', tenant: TEST_HOME_TENANT, clientId: TEST_CLIENT_ID, appIdUri: TEST_APP_ID_URI } });
    assert.equal(entra.mode === 'entra' && entra.authority, `https://login.microsoftonline.com/${TEST_HOME_TENANT}`);
    assert.deepEqual(entra.mode === 'entra' && entra.knownAuthorities, []);
    assert.deepEqual(browserSignInConfig({ publicUrl }), { mode: 'local', signInUrl: '/auth/local' });
  });

  it("accepts a token Meent's own client obtained (the browser sign-in), and still refuses another app's", async () => {
    const target = buildIdentityApp(entraEnvironment(idp.baseUrl, 'https://graph.invalid'));
    const person = { tenantId: TEST_HOME_TENANT, apiClientId: TEST_CLIENT_ID, apiAppIdUri: TEST_APP_ID_URI };
    const own = await idp.userToken({ ...person, extra: { appid: TEST_CLIENT_ID } });
    await request(target.app).get('/api/v1/me').set('Authorization', `Bearer ${own}`).expect(200);
    const other = await idp.userToken({ ...person, extra: { appid: '11111111-2222-4333-8444-555555555555' } });
    const refused = await request(target.app).get('/api/v1/me').set('Authorization', `Bearer ${other}`).expect(401);
    assert.equal(refused.body.code, 'invalid_token');
    await target.identity.whenIdle();
  });
});
