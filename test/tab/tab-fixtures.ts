/**
 * Shared pieces of the tab's end-to-end tests: axe, the theme shown, and, for the tab outside
 * Teams (tab-standalone.test.ts), a browser and a server with a small identity stand-in that
 * accepts exactly one session cookie (or one bearer token) and nothing else, so a test proves
 * that the tab really sends its credential. Tests inside Teams sign in for real instead
 * (entra-tab-rig.ts).
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import express, { type RequestHandler, type Router } from 'express';
import type { Browser, Frame } from 'playwright-core';
import type { Actor } from '../../src/auth/actor.js';
import { UnauthorizedError } from '../../src/errors/domain-errors.js';
import { launchChromium } from '../support/browser.js';
import type { TeamsHost, TeamsTheme } from '../support/teams-host.js';
import { ensureTabBuilt, startTabServer, type TabServer } from '../support/tab-server.js';

export const SESSION_COOKIE = 'meent_test_session';

export const civilServant: Actor = {
  userId: 'a1b2c3d4-0000-4000-8000-000000000001',
  tenantId: '11111111-1111-4111-8111-111111111111',
  name: 'Anouk de Vries',
  userPrincipalName: 'anouk.devries@waterschap.example',
  isGuest: false,
  mfa: true,
  isOrgAdmin: false,
  roles: [],
};

export interface IdentityStandIn {
  token: string;
  sessionValue: string;
  authenticate: RequestHandler;
  /** GET /me. */
  meRouter: Router;
  /** Authorization headers seen, in order ('' when none). */
  seenAuthorization: string[];
}

function cookieValue(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const [key, ...rest] = part.trim().split('=');
    if (key === name) return rest.join('=');
  }
  return undefined;
}

export function identityStandIn(actor: Actor = civilServant): IdentityStandIn {
  const stand: IdentityStandIn = {
    token: `sso-${randomBytes(12).toString('hex')}`,
    sessionValue: randomBytes(12).toString('hex'),
    seenAuthorization: [],
    authenticate: (req, _res, next) => {
      const authorization = req.headers.authorization ?? '';
      stand.seenAuthorization.push(authorization);
      if (authorization === `Bearer ${stand.token}` || cookieValue(req.headers.cookie, SESSION_COOKIE) === stand.sessionValue) {
        req.actor = actor;
        next();
        return;
      }
      next(new UnauthorizedError());
    },
    meRouter: express.Router().get('/me', (req, res) => {
      const a = req.actor!;
      res.json({ id: a.userId, name: a.name, tenantId: a.tenantId, isGuest: a.isGuest, isOrgAdmin: a.isOrgAdmin, roles: a.roles });
    }),
  };
  return stand;
}

export interface TabTestRig {
  browser: Browser;
  server: TabServer;
}

/**
 * Builds the tab if needed, starts the server with the given routers and a browser, for a
 * describe block; both are closed after it.
 */
export function useTabRig(routers: () => { authenticate?: RequestHandler; apiRouters?: Router[] }): TabTestRig {
  const rig = {} as TabTestRig;
  before(async function () {
    this.timeout(180_000);
    await ensureTabBuilt();
    rig.server = await startTabServer(routers());
    rig.browser = await launchChromium();
  });
  after(async () => {
    await rig.browser?.close();
    await rig.server?.close();
  });
  return rig;
}

/** The Fluent theme the tab is showing (ThemeRoot's data-theme attribute). */
export async function shownTheme(tab: Frame): Promise<string | null> {
  return tab.locator('[data-theme]').first().getAttribute('data-theme');
}

/**
 * Runs axe-core (WCAG 2.0/2.1 A and AA rules, and axe's best practices) in the tab's frame and
 * returns the violations. One known false positive is taken out, exactly as Microsoft's
 * Accessibility Insights does: `aria-hidden-focus` on Tabster's focus sentinels
 * (`<i data-tabster-dummy tabindex="0" aria-hidden="true">`, which Fluent's TabList, Dialog and
 * Toolbar use to hand focus on at once; hiding them keeps screen readers quiet).
 * https://github.com/microsoft/accessibility-insights-web/pull/7605, https://github.com/microsoft/tabster/issues/288
 */
export async function axeViolations(tab: Frame, axeSource: string): Promise<Array<{ id: string; impact: string | null; help: string; nodes: string[] }>> {
  // A theme switch starts Fluent's colour transitions (100 ms); measured mid-way, a button is
  // half light, half dark and fails contrast. Let every running transition finish first.
  await tab.evaluate(() => Promise.all(document.getAnimations().map((a) => a.finished.catch(() => undefined))));
  // Evaluated through the DevTools protocol, so the tab's CSP (script-src 'self') does not apply;
  // once per document (the tab is a single page: most checks find axe already there).
  if (!(await tab.evaluate(() => 'axe' in window))) await tab.evaluate(axeSource);
  const result = (await tab.evaluate(`axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] }, resultTypes: ['violations'] })
    .then((r) => r.violations
      .map((v) => ({ ...v, nodes: v.id === 'aria-hidden-focus' ? v.nodes.filter((n) => !/^<i[^>]*data-tabster-dummy/.test(n.html)) : v.nodes }))
      .filter((v) => v.nodes.length > 0)
      .map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => n.target.join(' ') + ' :: ' + n.failureSummary) })))`)) as Array<{
    id: string;
    impact: string | null;
    help: string;
    nodes: string[];
  }>;
  return result;
}

export const THEMES: readonly TeamsTheme[] = ['default', 'dark', 'contrast'];

/** Asserts axe finds nothing on the tab in the light, dark and high-contrast themes. */
export async function expectNoViolationsInAnyTheme(host: TeamsHost, tab: Frame, axeSource: string, where: string): Promise<void> {
  for (const theme of THEMES) {
    await host.setTheme(theme);
    await tab.locator(`[data-theme="${theme}"]`).first().waitFor();
    const violations = await axeViolations(tab, axeSource);
    assert.deepEqual(violations, [], `axe violations on ${where} (${theme}):\n${JSON.stringify(violations, null, 2)}`);
  }
}

/** Presses Tab until the element with this test id (or, without one, this text) has the focus. */
export async function tabUntilFocused(host: TeamsHost, tab: Frame, target: string, most = 60): Promise<void> {
  for (let i = 0; i < most; i++) {
    await host.page.keyboard.press('Tab');
    const focused = await tab.evaluate(() => document.activeElement && (document.activeElement.getAttribute('data-testid') || document.activeElement.textContent));
    if (focused === target) return;
  }
  assert.fail(`the keyboard never reached ${target}`);
}

/** Waits until the tab's live region has announced exactly `text`. */
export async function liveRegionSays(tab: Frame, text: string): Promise<void> {
  await tab.waitForFunction((t) => document.querySelector('[data-testid="live-region"]')?.textContent === t, text);
}
