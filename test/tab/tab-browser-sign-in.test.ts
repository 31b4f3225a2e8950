/**
 * The tab in a plain browser in entra mode: sign-in with Microsoft Entra ID through
 * @azure/msal-browser against the local identity provider (authorization code + PKCE S256, checked
 * by the stand-in; refresh tokens; end_session), the real server and API (AUTH_MODE=entra, the same
 * token validation, policies and guest rules as inside Teams) and real Chromium.
 *
 * - A guest of the partner tenant opens a deep link to a community, signs in with the keyboard,
 *   lands on that community, answers a discussion; the token is renewed silently; she signs out.
 * - With guests off, the same guest gets a clear page saying so; she signs out with the keyboard.
 * - With `ENTRA_BROWSER_TENANT=organizations`, someone of a tenant that is not allowed gets a clear page.
 * - axe finds nothing on the sign-in, signed-out and refusal pages in light, dark and forced colours.
 * - The captured server log and browser console of the whole flow hold no token, code, secret or
 *   e-mail address.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Writable } from 'node:stream';
import type { BrowserContext, Page } from 'playwright-core';
import { ReplyModel } from '../../src/discussions/reply.model.js';
import { newBrowserContext } from '../support/browser.js';
import { TEST_CLIENT_SECRET, TEST_PARTNER_TENANT } from '../support/identity-app.js';
import type { BrowserAccount } from '../support/idp-browser-sign-in.js';
import { actorOf, ANOUK, GITA, seedCommunity, seedPerson, TENANT, useEntraTabRig, type EntraTabRig } from './entra-tab-rig.js';
import { axeViolations } from './tab-fixtures.js';

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** Gita's own account lives in the partner tenant; the home tenant invited her as a guest (GITA.oid there). */
const gitaAccount: BrowserAccount = {
  oid: 'b7c8d9e0-0000-4000-8000-0000000000a1',
  name: GITA.name,
  upn: 'gita.ramdin@adviesbureau.example',
  homeTenantId: TEST_PARTNER_TENANT,
  guestIn: { [TENANT]: { oid: GITA.oid, upn: GITA.upn } },
};

/** Someone whose organisation was never allowed into this Meent. */
const strangerAccount: BrowserAccount = {
  oid: 'e0e1e2e3-0000-4000-8000-0000000000b2',
  name: 'Sam Vreemd',
  upn: 'sam.vreemd@elders.example',
  homeTenantId: 'f1f2f3f4-5a6b-4c7d-8e9f-a0b1c2d3e4f5',
};

/** Everything the server logged, and everything the pages wrote to their console. */
class CapturedLog extends Writable {
  text = '';
  override _write(chunk: Buffer, _encoding: string, done: () => void): void {
    this.text += chunk.toString('utf8');
    done();
  }
}

async function openBrowser(rig: EntraTabRig, colorScheme: 'light' | 'dark' = 'light'): Promise<{ context: BrowserContext; page: Page }> {
  const context = await newBrowserContext(rig.browser, { ignoreHTTPSErrors: true, permissions: ['local-network-access'], locale: 'en-US', colorScheme });
  return { context, page: await context.newPage() };
}

/** Presses Tab until the element with this test id has the focus. */
async function tabTo(page: Page, testId: string, most = 30): Promise<void> {
  for (let i = 0; i < most; i++) {
    await page.keyboard.press('Tab');
    if ((await page.evaluate(() => document.activeElement?.getAttribute('data-testid'))) === testId) return;
  }
  assert.fail(`the keyboard never reached ${testId}`);
}

/** axe in light, dark and forced colours (the browser's settings, which the tab follows). */
async function expectAccessible(page: Page, where: string): Promise<void> {
  const themes = [
    { colorScheme: 'light', forcedColors: 'none', shown: 'default' },
    { colorScheme: 'dark', forcedColors: 'none', shown: 'dark' },
    { colorScheme: 'light', forcedColors: 'active', shown: 'contrast' },
  ] as const;
  for (const theme of themes) {
    await page.emulateMedia({ colorScheme: theme.colorScheme, forcedColors: theme.forcedColors });
    await page.locator(`[data-theme="${theme.shown}"]`).first().waitFor();
    const violations = await axeViolations(page.mainFrame(), axeSource);
    assert.deepEqual(violations, [], `axe violations on ${where} (${theme.shown}):\n${JSON.stringify(violations, null, 2)}`);
  }
  await page.emulateMedia({ colorScheme: 'light', forcedColors: 'none' });
}

/** From the sign-in page, with the keyboard only: to Microsoft and back, to the refusal page for `code`. */
async function signInWithKeyboardAndExpectRefusal(page: Page, code: string): Promise<void> {
  await tabTo(page, 'browser-sign-in-button');
  await page.keyboard.press('Enter');
  const refused = page.getByTestId('access-refused');
  await refused.waitFor();
  assert.equal(await refused.getAttribute('data-code'), code);
}

const JWT = /eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\./;
const EMAIL = /[A-Za-z0-9._%+#-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+/;

function assertNothingSecret(where: string, text: string, secrets: string[]): void {
  assert.doesNotMatch(text, JWT, `${where} holds a JWT`);
  assert.doesNotMatch(text, EMAIL, `${where} holds an e-mail address`);
  for (const secret of secrets) assert.ok(!text.includes(secret), `${where} holds a secret (${secret.slice(0, 6)}…)`);
}

describe('tab in a browser: sign-in with Entra ID (msal-browser)', function () {
  this.timeout(180_000);
  const log = new CapturedLog();
  const seeded = { community: '', discussion: '' };
  const rig = useEntraTabRig({
    logTo: log,
    seed: async (modules) => {
      for (const p of [ANOUK, GITA]) await seedPerson(p);
      seeded.community = await seedCommunity(modules, {
        name: 'Ketenpartners drainage',
        visibility: 'closed',
        guestsAllowed: true,
        members: [
          { person: ANOUK, role: 'manager' },
          { person: GITA, role: 'member' },
        ],
      });
      seeded.discussion = (await modules.communities.services.discussions.create(actorOf(ANOUK), seeded.community, { kind: 'discussion', title: 'Onderhoud stuwen', body: 'Wie plant het onderhoud van de stuwen?' })).id;
    },
  });
  const consoleLines: string[] = [];
  let context: BrowserContext | undefined;

  afterEach(async () => {
    await context?.close();
    context = undefined;
  });

  it('a partner guest follows a deep link, signs in with the keyboard (PKCE), lands on the community, answers, is renewed silently and signs out', async () => {
    rig.idp.signInAs(gitaAccount);
    // A token that is about to expire (msal renews 5 minutes ahead), so the next call renews it silently.
    rig.idp.tokenLifetimeSeconds = 120;
    let page: Page;
    ({ context, page } = await openBrowser(rig));
    page.on('console', (message) => consoleLines.push(message.text()));

    await page.goto(rig.server.tabUrl(`#/community/${seeded.community}`));
    await page.getByRole('heading', { level: 1, name: 'Sign in to Meent' }).waitFor();
    assert.equal(rig.idp.browser.authorizeRecords.length, 0, 'nobody is sent to Microsoft before they ask');
    await expectAccessible(page, 'the sign-in page');

    await tabTo(page, 'browser-sign-in-button');
    await page.keyboard.press('Enter');

    // Back from the identity provider: on the community the link named, with the code gone from the address.
    await page.getByRole('heading', { level: 1, name: 'Ketenpartners drainage' }).waitFor();
    assert.equal(new URL(page.url()).pathname, '/tab/index.html');
    assert.equal(new URL(page.url()).hash, `#/community/${seeded.community}`);
    await page.getByTestId('signed-in-user').getByText(`Signed in as ${GITA.name}`).waitFor();
    await page.getByTestId('signed-in-user').getByText('Guest').waitFor();

    const [authorize] = rig.idp.browser.authorizeRecords;
    assert.ok(authorize);
    assert.equal(authorize.tenantId, TENANT, 'signed in to the inviting tenant, as a guest must');
    assert.equal(authorize.codeChallengeMethod, 'S256');
    assert.equal(authorize.responseMode, 'fragment', 'the code never reaches the server');
    assert.ok(authorize.hasState && authorize.hasNonce);
    assert.deepEqual(authorize.scope.split(' ').sort(), ['api://meent.example.nl/8e2d4c6a-1b3f-4e5d-8c7b-9a0f1e2d3c4b/access_as_user', 'offline_access', 'openid', 'profile'].sort());
    const redeemed = rig.idp.browser.tokenRecords.filter((r) => r.grantType === 'authorization_code');
    assert.deepEqual(
      redeemed.map((r) => [r.status, r.origin]),
      [[200, rig.server.origin]],
      'the code was redeemed once, cross-origin, with the right code_verifier',
    );
    const renewed = rig.idp.browser.tokenRecords.filter((r) => r.grantType === 'refresh_token' && r.status === 200);
    assert.ok(renewed.length >= 1, 'the expiring token was renewed with the refresh token, without a visit to the sign-in page');
    assert.equal(rig.idp.browser.authorizeRecords.length, 1, 'one interactive sign-in only');
    rig.idp.tokenLifetimeSeconds = 3599;

    // Answer the discussion.
    await page.getByRole('link', { name: 'Onderhoud stuwen' }).click();
    await page.getByRole('heading', { level: 1, name: 'Onderhoud stuwen' }).waitFor();
    await page.getByTestId('reply-body').fill('Wij kunnen in maart, graag afstemmen.');
    await page.getByTestId('post-reply').click();
    await page.getByTestId('reply').filter({ hasText: 'Wij kunnen in maart, graag afstemmen.' }).waitFor();
    const stored = await ReplyModel.findOne({ discussionId: seeded.discussion, authorId: GITA.oid }).lean();
    assert.equal(stored?.body?.source, 'Wij kunnen in maart, graag afstemmen.', 'stored as the guest, by the real API');

    // Sign out: msal forgets the tokens and the identity provider ends the session.
    await page.getByTestId('sign-out').click();
    await page.getByText('You are signed out. Sign in again whenever you like.').waitFor();
    assert.equal(new URL(page.url()).pathname, '/tab/index.html');
    assert.deepEqual(rig.idp.browser.logoutRecords.map((r) => r.postLogoutRedirectUri), [`${rig.server.origin}/tab/signed-out`]);
    const cached = await page.evaluate(() => Object.keys(sessionStorage).filter((k) => /accesstoken|refreshtoken|idtoken/i.test(k)));
    assert.deepEqual(cached, [], 'no token is left in the browser');
    await expectAccessible(page, 'the signed-out page');

    // A new visit asks again rather than signing in by itself.
    await page.goto(rig.server.tabUrl('#/'));
    await page.getByRole('heading', { level: 1, name: 'Sign in to Meent' }).waitFor();
    assert.equal(rig.idp.browser.authorizeRecords.length, 1);
  });

  it('refuses a code redeemed with the wrong code_verifier, as Entra does (the stand-in checks PKCE)', async () => {
    const authorize = await fetch(`${rig.idp.baseUrl}/${TENANT}/oauth2/v2.0/authorize?${new URLSearchParams({
      client_id: rig.modules.config.entra.clientId ?? '',
      response_type: 'code',
      redirect_uri: `${rig.server.origin}/tab/auth-end`,
      response_mode: 'fragment',
      scope: 'openid offline_access',
      state: 's',
      code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
      code_challenge_method: 'S256',
    }).toString()}`, { redirect: 'manual' });
    const code = new URLSearchParams(new URL(authorize.headers.get('location') ?? '').hash.slice(1)).get('code') ?? '';
    assert.ok(code);
    const redeem = (verifier: string) =>
      fetch(`${rig.idp.baseUrl}/${TENANT}/oauth2/v2.0/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', origin: rig.server.origin },
        body: new URLSearchParams({ client_id: rig.modules.config.entra.clientId ?? '', grant_type: 'authorization_code', code, redirect_uri: `${rig.server.origin}/tab/auth-end`, code_verifier: verifier }),
      });
    const wrong = await redeem('a'.repeat(43));
    assert.equal(wrong.status, 400);
    assert.deepEqual(((await wrong.json()) as { error_codes: number[] }).error_codes, [501481]);
    // RFC 7636 appendix B's verifier for that challenge, but the code was spent by the failed try.
    const late = await redeem('dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk');
    assert.deepEqual(((await late.json()) as { error_codes: number[] }).error_codes, [70008]);
  });

  it('the log of the whole flow and the browser console hold no token, code, secret or e-mail address', () => {
    assert.match(log.text, /\/api\/v1\/me/, 'the log captured the flow');
    assert.match(log.text, /\/api\/v1\/discussions\/[^"]+\/replies/, 'including the reply');
    const secrets = [TEST_CLIENT_SECRET, ...rig.idp.issuedAccessTokens];
    assertNothingSecret('the server log', log.text, secrets);
    assertNothingSecret('the browser console', consoleLines.join('\n'), secrets);
  });
});

describe('tab in a browser: a guest where guests are off', function () {
  this.timeout(180_000);
  const rig = useEntraTabRig({ env: { GUESTS_ALLOWED: 'false' }, seed: async () => seedPerson(GITA) });
  let context: BrowserContext | undefined;

  after(async () => context?.close());

  it('gets a clear page in her language, and leaves it with the keyboard', async () => {
    rig.idp.signInAs(gitaAccount);
    let page: Page;
    ({ context, page } = await openBrowser(rig));
    await page.goto(rig.server.tabUrl('#/'));
    await signInWithKeyboardAndExpectRefusal(page, 'guests_not_allowed');
    await page.getByRole('heading', { level: 1, name: 'Guests cannot use this Meent' }).waitFor();
    assert.equal(await page.getByTestId('error-message').count(), 0, 'not a generic error');
    await expectAccessible(page, 'the guests-off page');

    await tabTo(page, 'refused-sign-out');
    await page.keyboard.press('Enter');
    await page.getByText('You are signed out. Sign in again whenever you like.').waitFor();
    assert.equal(rig.idp.browser.logoutRecords.length, 1);
  });
});

describe('tab in a browser: someone of a tenant that is not allowed', function () {
  this.timeout(180_000);
  const rig = useEntraTabRig({ env: { ENTRA_BROWSER_TENANT: 'organizations' } });
  let context: BrowserContext | undefined;

  after(async () => context?.close());

  it('signs in at organizations, gets a clear page (Dutch), and nothing of the API', async () => {
    rig.idp.signInAs(strangerAccount);
    context = await newBrowserContext(rig.browser, { ignoreHTTPSErrors: true, permissions: ['local-network-access'], locale: 'nl-NL' });
    const page = await context.newPage();
    await page.goto(rig.server.tabUrl('#/communities'));
    await page.getByRole('heading', { level: 1, name: 'Aanmelden bij Meent' }).waitFor();
    await signInWithKeyboardAndExpectRefusal(page, 'tenant_not_allowed');
    await page.getByRole('heading', { level: 1, name: 'Je organisatie kan deze Meent niet gebruiken' }).waitFor();
    assert.equal(rig.idp.browser.authorizeRecords[0]?.tenantId, 'organizations');
    await expectAccessible(page, 'the tenant-refused page');
  });
});
