/**
 * The tab inside the Teams host stand-in, signed in for real: the host hands the tab an SSO
 * token the local identity provider signed, and the server validates it through the real
 * `authenticate` (AUTH_MODE=entra). Start-up handshake, live theme switching, Dutch, deep
 * links, the meeting side panel, a token that does not verify, the consent prompt, and the
 * consent pop-up's round trip through the server's /auth/consent routes.
 */
import assert from 'node:assert/strict';
import express from 'express';
import { ConsentRequiredError } from '../../src/auth/auth-errors.js';
import { UserModel } from '../../src/members/user.model.js';
import { newBrowserContext } from '../support/browser.js';
import { createSigningKey } from '../support/identity-provider.js';
import { TeamsHost } from '../support/teams-host.js';
import { ANOUK, TENANT, useEntraTabRig } from './entra-tab-rig.js';
import { shownTheme } from './tab-fixtures.js';

describe('tab in Teams (real sign-in)', function () {
  this.timeout(60_000);
  /** While true, GET /me answers as Meent does when Graph needs the user's consent. */
  const consent = { needed: false };
  const rig = useEntraTabRig({
    extraApiRouters: () => [
      express.Router().get('/me', (_req, _res, next) => {
        next(consent.needed ? new ConsentRequiredError('consent_required', ['User.Read', 'Calendars.ReadWrite']) : undefined);
      }),
    ],
  });
  let host: TeamsHost | undefined;

  afterEach(async () => {
    consent.needed = false;
    await host?.close();
    host = undefined;
  });

  it('initializes, signs in with the Teams SSO token, greets the user and notifies success', async () => {
    ({ host } = await rig.openTab(ANOUK));
    const tab = await host.tab();
    await tab.getByRole('heading', { level: 1, name: `Welcome, ${ANOUK.name}` }).waitFor();
    await host.waitForCall('appInitialization.success');

    const funcs = (await host.calls()).map((m) => m.func);
    assert.equal(funcs[0], 'initialize', `the first message is initialize: ${funcs.join(', ')}`);
    assert.ok(funcs.indexOf('getContext') > 0);
    assert.ok(funcs.includes('authentication.getAuthToken'));
    // The server verified the token and recorded the person it names.
    const user = await UserModel.findOne({ tenantId: TENANT, userId: ANOUK.oid }).lean();
    assert.equal(user?.displayName, ANOUK.name);
    assert.ok(user?.firstSignInAt, 'the first sign-in is recorded');
    assert.equal(await tab.getByTestId('signed-in-user').innerText(), `Signed in as ${ANOUK.name}`);
    assert.equal(await tab.evaluate('document.documentElement.lang'), 'en-US');
    assert.deepEqual(host.blockedRequests, [], 'the tab reached nothing but its own server');
    assert.deepEqual(host.errors, [], 'no console errors');
    await host.screenshot('home-light');
  });

  it('is refused with a token the identity provider did not sign, and says how to recover', async () => {
    const forged = await rig.idp.userToken({ tenantId: TENANT, oid: ANOUK.oid, name: ANOUK.name, upn: ANOUK.upn, apiClientId: '8e2d4c6a-1b3f-4e5d-8c7b-9a0f1e2d3c4b', apiAppIdUri: 'api://meent.example.nl/8e2d4c6a-1b3f-4e5d-8c7b-9a0f1e2d3c4b', key: await createSigningKey() });
    host = await TeamsHost.open(rig.browser, { tabUrl: rig.server.tabUrl(), token: forged });
    const tab = await host.tab();
    const error = tab.getByTestId('error-message');
    await error.getByText('You are not signed in').waitFor();
    assert.equal(await error.getAttribute('data-code'), 'invalid_token');

    await host.setToken(await rig.tokenFor(ANOUK));
    await error.getByRole('button', { name: 'Try again' }).click();
    await tab.getByRole('heading', { level: 1, name: `Welcome, ${ANOUK.name}` }).waitFor();
  });

  it('follows a theme change live: dark, then high contrast, without reloading', async () => {
    ({ host } = await rig.openTab(ANOUK, { context: { theme: 'dark' } }));
    const tab = await host.tab();
    await tab.getByRole('heading', { level: 1, name: `Welcome, ${ANOUK.name}` }).waitFor();
    assert.equal(await shownTheme(tab), 'dark');
    const darkBackground = await tab.locator('[data-theme]').first().evaluate((el) => getComputedStyle(el).backgroundColor);
    await host.screenshot('home-dark');

    const state = await host.state();
    assert.ok(state.registered.includes('themeChange'), 'the tab registered a theme change handler');

    await host.setTheme('contrast');
    await tab.locator('[data-theme="contrast"]').waitFor();
    const contrastBackground = await tab.locator('[data-theme]').first().evaluate((el) => getComputedStyle(el).backgroundColor);
    assert.notEqual(contrastBackground, darkBackground);
    assert.equal(contrastBackground, 'rgb(0, 0, 0)', 'Teams high contrast is black');
    await host.screenshot('home-contrast');

    await host.setTheme('default');
    await tab.locator('[data-theme="default"]').waitFor();
    assert.equal((await host.calls('initialize')).length, 1, 'switched live, not by reloading');
  });

  it('speaks Dutch when Teams runs in Dutch', async () => {
    ({ host } = await rig.openTab(ANOUK, { context: { locale: 'nl-nl' } }));
    const tab = await host.tab();
    await tab.getByRole('heading', { level: 1, name: `Welkom, ${ANOUK.name}` }).waitFor();
    const nav = tab.getByRole('navigation', { name: 'Onderdelen van Meent' });
    assert.deepEqual(await nav.getByRole('link').allInnerTexts(), ['Start', 'Community’s', 'Bijeenkomsten', 'Mensen', 'Zoeken', 'Mijn profiel', 'Mijn Meent']);
    assert.equal(await tab.getByRole('heading', { level: 2 }).first().innerText(), 'Jouw tijdlijn');
    assert.equal(await tab.evaluate('document.documentElement.lang'), 'nl-NL');
    assert.equal(await tab.evaluate('document.title'), `Welkom, ${ANOUK.name} – Meent`);
    await host.screenshot('home-nl');
  });

  it('opens the page a deep link points to (subPageId)', async () => {
    ({ host } = await rig.openTab(ANOUK, { context: { subPageId: 'event:6650a1b2c3d4e5f601234569' } }));
    const tab = await host.tab();
    // There is no such event: the event page says so.
    await tab.getByRole('heading', { level: 1, name: 'Event' }).waitFor();
    await tab.getByTestId('error-message').getByText('Not found').waitFor();
    assert.equal(await tab.evaluate('location.hash'), '#/event/6650a1b2c3d4e5f601234569');
    const current = tab.getByRole('navigation').locator('[aria-current="page"]');
    assert.equal(await current.innerText(), 'Events');
  });

  it('ignores a deep link that is not one of ours', async () => {
    ({ host } = await rig.openTab(ANOUK, { context: { subPageId: 'event:../../admin' } }));
    const tab = await host.tab();
    await tab.getByRole('heading', { level: 1, name: `Welcome, ${ANOUK.name}` }).waitFor();
    assert.equal(await tab.evaluate('location.hash'), '#/');
  });

  it('shows the compact view in a meeting side panel', async () => {
    ({ host } = await rig.openTab(ANOUK, {
      hash: '#/community/6650a1b2c3d4e5f601234567',
      context: { frameContext: 'sidePanel', meetingId: 'MCMxOTptZWV0aW5nX05qQXdNR0l6WldZdE1HTTNNUzAwTmpJd0xXSm1OekF0WXpjek1UbGpNR1F3WmpNd0B0aHJlYWQudjI=', chatId: '19:meeting_NjAwMGIzZWYtMGM3MS00NjIwLWJmNzAtYzczMTljMGQwZjMw@thread.v2' },
      viewport: { width: 320, height: 700 },
    }));
    const tab = await host.tab();
    await tab.getByTestId('side-panel').waitFor();
    assert.equal(await tab.getByRole('navigation').count(), 0, 'no navigation in the side panel');
    assert.equal(await tab.getByRole('main').count(), 1);
    await host.waitForCall('appInitialization.success');
    await host.screenshot('side-panel');
  });

  it('asks for consent when the API needs it, and retries once the user consented', async () => {
    consent.needed = true;
    ({ host } = await rig.openTab(ANOUK, { authenticateResults: [{ ok: false, reason: 'CancelledByUser' }, { ok: true, result: 'consented' }] }));
    const tab = await host.tab();
    const prompt = tab.getByTestId('consent-prompt');
    await prompt.waitFor();
    await host.screenshot('consent-prompt');

    await prompt.getByRole('button', { name: 'Give permission' }).click();
    await prompt.getByText('Permission was not given. You can try again whenever you like.').waitFor();

    consent.needed = false;
    await prompt.getByRole('button', { name: 'Give permission' }).click();
    await tab.getByRole('heading', { level: 1, name: `Welcome, ${ANOUK.name}` }).waitFor();

    const { authenticateUrls } = await host.state();
    assert.deepEqual(authenticateUrls, [`${rig.server.origin}/tab/index.html#/auth/start?reason=consent_required`, `${rig.server.origin}/tab/index.html#/auth/start?reason=consent_required`]);
  });

  for (const answer of ['accept', 'decline'] as const) {
    it(`the consent pop-up goes through the server to Entra and back to the tab (the user ${answer}s)`, async () => {
      rig.idp.authorizeAnswer = answer;
      const before = rig.idp.authorizeRequests.length;
      const context = await newBrowserContext(rig.browser, { ignoreHTTPSErrors: true, permissions: ['local-network-access'], locale: 'en-US' });
      try {
        const page = await context.newPage();
        // The page Teams opens in the pop-up (here without Teams around it, so it only shows the outcome).
        await page.goto(rig.server.tabUrl('?inTeams=false#/auth/start?reason=consent_required'));
        await page.waitForURL((url) => url.hash.startsWith('#/auth/end'));
        const asked = rig.idp.authorizeRequests.slice(before);
        assert.equal(asked.length, 1, 'one trip to the authorize endpoint');
        assert.equal(asked[0]?.tenantId, TENANT);
        assert.equal(asked[0]?.params.prompt, 'consent');
        assert.equal(asked[0]?.params.redirect_uri, `${rig.server.origin}/auth/consent/callback`);
        if (answer === 'accept') {
          assert.equal(new URL(page.url()).hash, '#/auth/end?result=success');
          await page.getByText('Done. You can close this window.').waitFor();
        } else {
          assert.equal(new URL(page.url()).hash, '#/auth/end?result=failure&reason=access_denied');
          await page.getByText('Permission was not given. Close this window and try again.').waitFor();
        }
      } finally {
        rig.idp.authorizeAnswer = 'accept';
        await context.close();
      }
    });
  }

  it('says so when Teams cannot give a token, and recovers on "Try again"', async () => {
    host = await TeamsHost.open(rig.browser, { tabUrl: rig.server.tabUrl(), token: { ok: false, error: 'FailedToOpenWindow' } });
    const tab = await host.tab();
    const error = tab.getByTestId('error-message');
    await error.getByText('Signing in through Teams did not work').waitFor();
    assert.equal(await error.getAttribute('data-code'), 'sso_failed');

    await host.setToken(await rig.tokenFor(ANOUK));
    await error.getByRole('button', { name: 'Try again' }).click();
    await tab.getByRole('heading', { level: 1, name: `Welcome, ${ANOUK.name}` }).waitFor();
  });
});
