/**
 * WCAG 2.1 AA checks of the tab inside the Teams host: axe-core finds no violation on any
 * page in the light, dark and high-contrast themes, and the keyboard reaches the skip link
 * and the navigation with a visible focus indicator.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Frame } from 'playwright-core';
import { TeamsHost, type TeamsTheme } from '../support/teams-host.js';
import { axeViolations, civilServant, communitiesStandIn, identityStandIn, useTabRig } from './tab-fixtures.js';

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const THEMES: readonly TeamsTheme[] = ['default', 'dark', 'contrast'];

/** Every routed page, with the h1 it shows (English). */
const PAGES: ReadonlyArray<readonly [string, string]> = [
  ['#/', `Welcome, ${civilServant.name}`],
  ['#/communities', 'Communities'],
  ['#/community/6650a1b2c3d4e5f601234567', 'Community'],
  ['#/discussion/6650a1b2c3d4e5f601234570', 'Discussion'],
  ['#/events', 'Events'],
  ['#/event/6650a1b2c3d4e5f601234569', 'Event'],
  ['#/people', 'People'],
  ['#/people/a1b2c3d4-0000-4000-8000-000000000002', 'Person'],
  ['#/search', 'Search'],
  ['#/profile', 'My profile'],
  ['#/no-such-page', 'Page not found'],
];

async function expectNoViolations(tab: Frame, where: string): Promise<void> {
  const violations = await axeViolations(tab, axeSource);
  assert.deepEqual(violations, [], `axe violations on ${where}:\n${JSON.stringify(violations, null, 2)}`);
}

interface FocusInfo {
  testId: string | null;
  text: string;
  tag: string;
  ariaCurrent: string | null;
  outlineStyle: string;
  outlineWidth: number;
  top: number;
  left: number;
}

async function focused(tab: Frame): Promise<FocusInfo> {
  return (await tab.evaluate(`(() => {
    const el = document.activeElement;
    const style = getComputedStyle(el);
    const rect = el.getBoundingClientRect();
    return {
      testId: el.getAttribute('data-testid'),
      text: el.innerText || '',
      tag: el.tagName.toLowerCase(),
      ariaCurrent: el.getAttribute('aria-current'),
      outlineStyle: style.outlineStyle,
      outlineWidth: parseFloat(style.outlineWidth),
      top: rect.top,
      left: rect.left,
    };
  })()`)) as FocusInfo;
}

describe('tab accessibility', function () {
  this.timeout(120_000);
  const identity = identityStandIn();
  const communities = communitiesStandIn();
  const rig = useTabRig(() => ({ authenticate: identity.authenticate, apiRouters: [identity.meRouter, communities.router] }));
  let host: TeamsHost | undefined;

  afterEach(async () => {
    await host?.close();
    host = undefined;
  });

  it('the axe check finds a violation when there is one', async () => {
    host = await TeamsHost.open(rig.browser, { tabUrl: rig.server.tabUrl(), token: identity.token });
    const tab = await host.tab();
    await tab.getByRole('heading', { level: 1, name: `Welcome, ${civilServant.name}` }).waitFor();
    await tab.evaluate(`document.getElementById('main-content').append(Object.assign(document.createElement('img'), { src: 'data:image/gif;base64,R0lGODlhAQABAAAAACw=' }))`);
    const violations = await axeViolations(tab, axeSource);
    assert.deepEqual(
      violations.map((v) => v.id),
      ['image-alt'],
    );
  });

  it('Home has no axe violations in light, dark and high contrast', async () => {
    host = await TeamsHost.open(rig.browser, { tabUrl: rig.server.tabUrl(), token: identity.token });
    const tab = await host.tab();
    await tab.getByRole('heading', { level: 1, name: `Welcome, ${civilServant.name}` }).waitFor();
    for (const theme of THEMES) {
      await host.setTheme(theme);
      await tab.locator(`[data-theme="${theme}"]`).waitFor();
      await expectNoViolations(tab, `Home (${theme})`);
    }
  });

  it('every page has no axe violations in light, dark and high contrast', async () => {
    host = await TeamsHost.open(rig.browser, { tabUrl: rig.server.tabUrl(), token: identity.token });
    const tab = await host.tab();
    for (const [hash, title] of PAGES) {
      await tab.evaluate(`location.hash = ${JSON.stringify(hash)}`);
      await tab.getByRole('heading', { level: 1, name: title }).waitFor();
      for (const theme of THEMES) {
        await host.setTheme(theme);
        await tab.locator(`[data-theme="${theme}"]`).waitFor();
        await expectNoViolations(tab, `${hash} (${theme})`);
        if (theme !== 'contrast') await host.screenshot(`page-${hash.replace(/[#/]+/g, ' ').trim().split(' ')[0] || 'home'}-${theme === 'default' ? 'light' : theme}`);
      }
    }
  });

  it('the configuration page and the side panel have no axe violations in any theme', async () => {
    for (const frameContext of ['settings', 'sidePanel'] as const) {
      host = await TeamsHost.open(rig.browser, { tabUrl: rig.server.tabUrl(frameContext === 'settings' ? '#/config' : '#/community/6650a1b2c3d4e5f601234567'), token: identity.token, context: { frameContext, channelId: '19:general@thread.tacv2' } });
      const tab = await host.tab();
      await tab.getByRole('heading', { level: 1 }).waitFor();
      if (frameContext === 'settings') await tab.getByTestId('community-select').waitFor();
      for (const theme of THEMES) {
        await host.setTheme(theme);
        await tab.locator(`[data-theme="${theme}"]`).waitFor();
        await expectNoViolations(tab, `${frameContext} (${theme})`);
      }
      await host.close();
      host = undefined;
    }
  });

  it('Tab reaches the skip link first, then the navigation, each with a visible focus indicator', async () => {
    host = await TeamsHost.open(rig.browser, { tabUrl: rig.server.tabUrl(), token: identity.token });
    const tab = await host.tab();
    await tab.getByRole('heading', { level: 1, name: `Welcome, ${civilServant.name}` }).waitFor();

    // Start where Teams leaves focus when the user moves into the tab: at the top of its document.
    await tab.evaluate('window.focus()');
    const skipLink = tab.getByTestId('skip-link');
    const hiddenTop = (await skipLink.boundingBox())?.y ?? 0;
    assert.ok(hiddenTop < 0, 'the skip link is off screen until focused');

    await host.page.keyboard.press('Tab');
    const skip = await focused(tab);
    assert.equal(skip.testId, 'skip-link', `the first Tab stop is the skip link, not ${JSON.stringify(skip)}`);
    assert.equal(skip.text, 'Skip to main content');
    assert.ok(skip.top >= 0, 'the focused skip link is on screen');
    assert.equal(skip.outlineStyle, 'solid');
    assert.ok(skip.outlineWidth >= 2, `focus outline is ${skip.outlineWidth}px`);
    await host.screenshot('keyboard-skip-link');

    const navTexts: string[] = [];
    for (let i = 0; i < 6; i++) {
      await host.page.keyboard.press('Tab');
      const link = await focused(tab);
      assert.equal(link.tag, 'a');
      assert.equal(link.outlineStyle, 'solid', `${link.text} shows its focus`);
      assert.ok(link.outlineWidth >= 2);
      if (i === 0) assert.equal(link.ariaCurrent, 'page', 'Home is marked as the current page');
      navTexts.push(link.text);
    }
    assert.deepEqual(navTexts, ['Home', 'Communities', 'Events', 'People', 'Search', 'My profile']);

    // Enter follows the focused link (My profile); focus moves to the new page's heading.
    await host.page.keyboard.press('Enter');
    await tab.getByRole('heading', { level: 1, name: 'My profile' }).waitFor();
    await tab.waitForFunction(`document.activeElement && document.activeElement.tagName === 'H1'`);

    // The skip link's Enter moves focus into the main region, without changing the route.
    await skipLink.focus();
    assert.equal((await focused(tab)).testId, 'skip-link');
    await host.page.keyboard.press('Enter');
    assert.equal(await tab.evaluate('document.activeElement.id'), 'main-content');
    assert.equal(await tab.evaluate('location.hash'), '#/profile', 'the skip link did not change the route');
  });
});
