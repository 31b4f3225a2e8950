/**
 * Shared pieces of the tab's end-to-end tests: a browser and a server per test file, and
 * small API stand-ins mounted on the real app for the endpoints whose capabilities are
 * being built elsewhere (GET /me, /communities). The stand-in authentication accepts exactly
 * one bearer token (the one the Teams host hands the tab) or one session cookie, and nothing
 * else, so a test proves that the tab really sends its credential.
 */
import { randomBytes } from 'node:crypto';
import express, { type RequestHandler, type Router } from 'express';
import type { Browser, Frame } from 'playwright-core';
import type { Actor } from '../../src/auth/actor.js';
import { ForbiddenError, UnauthorizedError, ValidationError } from '../../src/errors/domain-errors.js';
import { launchChromium } from '../support/browser.js';
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
  /** GET /me; answers `consent_required` while `consentNeeded` is true. */
  meRouter: Router;
  /** Authorization headers seen, in order ('' when none). */
  seenAuthorization: string[];
  consentNeeded: boolean;
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
    consentNeeded: false,
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
    meRouter: express.Router().get('/me', (req, res, next) => {
      if (stand.consentNeeded) {
        next(new ForbiddenError('Meent needs your consent to read your calendar.', 'consent_required'));
        return;
      }
      const a = req.actor!;
      res.json({ id: a.userId, name: a.name, tenantId: a.tenantId, isGuest: a.isGuest, isOrgAdmin: a.isOrgAdmin, roles: a.roles });
    }),
  };
  return stand;
}

export interface CommunitiesStandIn {
  router: Router;
  communities: Array<{ id: string; name: string; visibility: 'public' | 'closed' | 'secret'; description?: string }>;
  /** Bodies of POST /communities, in order. */
  created: unknown[];
}

/** GET/POST /communities with the API's validation behaviour for a too-short name. */
export function communitiesStandIn(): CommunitiesStandIn {
  const stand: CommunitiesStandIn = {
    communities: [
      { id: '6650a1b2c3d4e5f601234567', name: 'Bodem en water', visibility: 'public' },
      { id: '6650a1b2c3d4e5f601234568', name: 'Mestbeleid waterschap', visibility: 'closed' },
    ],
    created: [],
    router: express.Router(),
  };
  stand.router.get('/communities', (_req, res) => {
    res.json({ items: stand.communities });
  });
  stand.router.post('/communities', (req, res, next) => {
    const body = req.body as { name?: unknown; visibility?: unknown };
    stand.created.push(body);
    const name = typeof body.name === 'string' ? body.name.trim() : '';
    if (name.length < 3) {
      next(new ValidationError('The request is invalid.', [{ path: 'body.name', message: 'Use at least 3 characters.' }]));
      return;
    }
    const community = { id: '6650a1b2c3d4e5f60123ffff', name, visibility: body.visibility as 'public' };
    stand.communities.push(community);
    res.status(201).json(community);
  });
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

/** Runs axe-core (WCAG 2.0/2.1 A and AA rules, and axe's best practices) in the tab's frame and returns the violations. */
export async function axeViolations(tab: Frame, axeSource: string): Promise<Array<{ id: string; impact: string | null; help: string; nodes: string[] }>> {
  // Evaluated through the DevTools protocol, so the tab's CSP (script-src 'self') does not apply.
  await tab.evaluate(axeSource);
  const result = (await tab.evaluate(`axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] }, resultTypes: ['violations'] })
    .then((r) => r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => n.target.join(' ') + ' :: ' + n.failureSummary) })))`)) as Array<{
    id: string;
    impact: string | null;
    help: string;
    nodes: string[];
  }>;
  return result;
}
