/**
 * The tab outside Teams (local mode in a browser): no host, the session cookie from the local
 * sign-in instead of an SSO token, and the way to that sign-in when there is no session.
 * Also: the server refuses to be framed by a page that is not a Microsoft 365 host.
 */
import assert from 'node:assert/strict';
import type { BrowserContext } from 'playwright-core';
import { newBrowserContext } from '../support/browser.js';
import { artifactPath, TEAMS_HOST_ORIGIN } from '../support/teams-host.js';
import { civilServant, identityStandIn, SESSION_COOKIE, useTabRig } from './tab-fixtures.js';

describe('tab outside Teams', function () {
  this.timeout(60_000);
  const identity = identityStandIn();
  const rig = useTabRig(() => ({ authenticate: identity.authenticate, apiRouters: [identity.meRouter] }));
  let context: BrowserContext | undefined;

  afterEach(async () => {
    await context?.close();
    context = undefined;
  });

  async function newContext(): Promise<BrowserContext> {
    context = await newBrowserContext(rig.browser, { ignoreHTTPSErrors: true, permissions: ['local-network-access'], locale: 'en-US' });
    return context;
  }

  it('without a session, offers the local sign-in and asks Teams for nothing', async () => {
    const page = await (await newContext()).newPage();
    const seenBefore = identity.seenAuthorization.length;
    await page.goto(rig.server.tabUrl('?inTeams=false#/'));
    const prompt = page.getByTestId('sign-in-prompt');
    await prompt.waitFor();
    const href = await prompt.getByRole('link', { name: 'Sign in' }).getAttribute('href');
    assert.equal(href, `/auth/local?returnTo=${encodeURIComponent('/tab/index.html?inTeams=false#/')}`);
    assert.deepEqual(identity.seenAuthorization.slice(seenBefore), [''], 'one GET /me, without a bearer token');
    await page.screenshot({ path: artifactPath('standalone-sign-in') });
  });

  it('with the session cookie from the local sign-in, greets the user', async () => {
    const ctx = await newContext();
    await ctx.addCookies([{ name: SESSION_COOKIE, value: identity.sessionValue, url: rig.server.origin, httpOnly: true, sameSite: 'Lax' }]);
    const page = await ctx.newPage();
    // Not framed and no opener: the tab knows at once that no Teams host will answer.
    await page.goto(rig.server.tabUrl('#/'));
    await page.getByRole('heading', { level: 1, name: `Welcome, ${civilServant.name}` }).waitFor();
    assert.ok(await page.getByRole('navigation', { name: 'Meent sections' }).isVisible());
  });

  it('runs as a web page when it is framed but no host answers', async () => {
    const ctx = await newContext();
    // A Teams-origin page that never speaks the protocol: the tab waits briefly, then goes on alone.
    await ctx.route(`${TEAMS_HOST_ORIGIN}/**`, (route) =>
      route.fulfill({ contentType: 'text/html', body: `<!doctype html><html lang="en"><title>silent</title><iframe id="tab" title="Meent" src="${rig.server.tabUrl('#/')}"></iframe></html>` }),
    );
    const page = await ctx.newPage();
    await page.goto(`${TEAMS_HOST_ORIGIN}/silent`);
    const tab = page.frameLocator('#tab');
    await tab.getByTestId('sign-in-prompt').waitFor();
  });

  it('cannot be framed by a site that is not a Microsoft 365 host', async () => {
    const ctx = await newContext();
    await ctx.route('https://intranet.example.org/**', (route) =>
      route.fulfill({ contentType: 'text/html', body: `<!doctype html><html lang="en"><title>other</title><iframe id="tab" title="Meent" src="${rig.server.tabUrl('#/')}"></iframe></html>` }),
    );
    const page = await ctx.newPage();
    const refused = page.waitForEvent('console', (message) => /frame-ancestors/.test(message.text()));
    await page.goto('https://intranet.example.org/');
    await refused;
    const frame = await (await page.waitForSelector('#tab')).contentFrame();
    assert.equal(await frame?.locator('#root').count(), 0, 'the tab did not load inside the foreign page');
  });
});
