/**
 * The tab inside the Teams host stand-in: start-up handshake, the SSO token on API calls,
 * live theme switching, Dutch, deep links, the meeting side panel, and the consent prompt.
 */
import assert from 'node:assert/strict';
import { TeamsHost } from '../support/teams-host.js';
import { civilServant, identityStandIn, shownTheme, useTabRig } from './tab-fixtures.js';

describe('tab in Teams', function () {
  this.timeout(60_000);
  const identity = identityStandIn();
  const rig = useTabRig(() => ({ authenticate: identity.authenticate, apiRouters: [identity.meRouter] }));
  let host: TeamsHost | undefined;

  afterEach(async () => {
    identity.consentNeeded = false;
    await host?.close();
    host = undefined;
  });

  it('initializes, sends the SSO token with its API calls, greets the user and notifies success', async () => {
    host = await TeamsHost.open(rig.browser, { tabUrl: rig.server.tabUrl(), token: identity.token });
    const tab = await host.tab();
    await tab.getByRole('heading', { level: 1, name: `Welcome, ${civilServant.name}` }).waitFor();
    await host.waitForCall('appInitialization.success');

    const funcs = (await host.calls()).map((m) => m.func);
    assert.equal(funcs[0], 'initialize', `the first message is initialize: ${funcs.join(', ')}`);
    assert.ok(funcs.indexOf('getContext') > 0);
    assert.ok(funcs.includes('authentication.getAuthToken'));
    assert.ok(identity.seenAuthorization.includes(`Bearer ${identity.token}`), 'GET /me carried the Teams SSO token');
    assert.equal(await tab.evaluate('document.documentElement.lang'), 'en-US');
    assert.deepEqual(host.blockedRequests, [], 'the tab reached nothing but its own server');
    assert.deepEqual(host.errors, [], 'no console errors');
    await host.screenshot('home-light');
  });

  it('follows a theme change live: dark, then high contrast, without reloading', async () => {
    host = await TeamsHost.open(rig.browser, { tabUrl: rig.server.tabUrl(), token: identity.token, context: { theme: 'dark' } });
    const tab = await host.tab();
    await tab.getByRole('heading', { level: 1, name: `Welcome, ${civilServant.name}` }).waitFor();
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
    host = await TeamsHost.open(rig.browser, { tabUrl: rig.server.tabUrl(), token: identity.token, context: { locale: 'nl-nl' } });
    const tab = await host.tab();
    await tab.getByRole('heading', { level: 1, name: `Welkom, ${civilServant.name}` }).waitFor();
    const nav = tab.getByRole('navigation', { name: 'Onderdelen van Meent' });
    assert.deepEqual(await nav.getByRole('link').allInnerTexts(), ['Start', 'Community’s', 'Bijeenkomsten', 'Mensen', 'Zoeken', 'Mijn profiel']);
    assert.equal(await tab.getByRole('heading', { level: 2 }).first().innerText(), 'Jouw tijdlijn');
    assert.equal(await tab.evaluate('document.documentElement.lang'), 'nl-NL');
    assert.equal(await tab.evaluate('document.title'), `Welkom, ${civilServant.name} – Meent`);
    await host.screenshot('home-nl');
  });

  it('opens the page a deep link points to (subPageId)', async () => {
    host = await TeamsHost.open(rig.browser, { tabUrl: rig.server.tabUrl(), token: identity.token, context: { subPageId: 'event:6650a1b2c3d4e5f601234569' } });
    const tab = await host.tab();
    await tab.getByRole('heading', { level: 1, name: 'Event' }).waitFor();
    assert.equal(await tab.evaluate('location.hash'), '#/event/6650a1b2c3d4e5f601234569');
    const current = tab.getByRole('navigation').locator('[aria-current="page"]');
    assert.equal(await current.innerText(), 'Events');
  });

  it('ignores a deep link that is not one of ours', async () => {
    host = await TeamsHost.open(rig.browser, { tabUrl: rig.server.tabUrl(), token: identity.token, context: { subPageId: 'event:../../admin' } });
    const tab = await host.tab();
    await tab.getByRole('heading', { level: 1, name: `Welcome, ${civilServant.name}` }).waitFor();
    assert.equal(await tab.evaluate('location.hash'), '#/');
  });

  it('shows the compact view in a meeting side panel', async () => {
    host = await TeamsHost.open(rig.browser, {
      tabUrl: rig.server.tabUrl('#/community/6650a1b2c3d4e5f601234567'),
      token: identity.token,
      context: { frameContext: 'sidePanel', meetingId: 'MCMxOTptZWV0aW5nX05qQXdNR0l6WldZdE1HTTNNUzAwTmpJd0xXSm1OekF0WXpjek1UbGpNR1F3WmpNd0B0aHJlYWQudjI=', chatId: '19:meeting_NjAwMGIzZWYtMGM3MS00NjIwLWJmNzAtYzczMTljMGQwZjMw@thread.v2' },
      viewport: { width: 320, height: 700 },
    });
    const tab = await host.tab();
    await tab.getByTestId('side-panel').waitFor();
    assert.equal(await tab.getByRole('navigation').count(), 0, 'no navigation in the side panel');
    assert.equal(await tab.getByRole('main').count(), 1);
    await host.waitForCall('appInitialization.success');
    await host.screenshot('side-panel');
  });

  it('asks for consent when the API needs it, and retries once the user consented', async () => {
    identity.consentNeeded = true;
    host = await TeamsHost.open(rig.browser, {
      tabUrl: rig.server.tabUrl(),
      token: identity.token,
      authenticateResults: [{ ok: false, reason: 'CancelledByUser' }, { ok: true, result: 'consented' }],
    });
    const tab = await host.tab();
    const prompt = tab.getByTestId('consent-prompt');
    await prompt.waitFor();
    await host.screenshot('consent-prompt');

    await prompt.getByRole('button', { name: 'Give permission' }).click();
    await prompt.getByText('Permission was not given. You can try again whenever you like.').waitFor();

    identity.consentNeeded = false;
    await prompt.getByRole('button', { name: 'Give permission' }).click();
    await tab.getByRole('heading', { level: 1, name: `Welcome, ${civilServant.name}` }).waitFor();

    const { authenticateUrls } = await host.state();
    assert.deepEqual(authenticateUrls, [`${rig.server.origin}/tab/index.html#/auth/start?reason=consent_required`, `${rig.server.origin}/tab/index.html#/auth/start?reason=consent_required`]);
  });

  it('says so when Teams cannot give a token, and recovers on "Try again"', async () => {
    host = await TeamsHost.open(rig.browser, { tabUrl: rig.server.tabUrl(), token: { ok: false, error: 'FailedToOpenWindow' } });
    const tab = await host.tab();
    const error = tab.getByTestId('error-message');
    await error.getByText('Signing in through Teams did not work').waitFor();
    assert.equal(await error.getAttribute('data-code'), 'sso_failed');

    await host.setToken(identity.token);
    await error.getByRole('button', { name: 'Try again' }).click();
    await tab.getByRole('heading', { level: 1, name: `Welcome, ${civilServant.name}` }).waitFor();
  });
});
