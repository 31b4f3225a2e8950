/**
 * Opens the tab the way the Teams web client does: a page on https://teams.microsoft.com
 * loads it in an iframe and answers the Teams JavaScript client library's postMessage
 * protocol (teams-host.html holds that page and documents the wire format).
 *
 * The host page is served by Playwright's request interception, so no request leaves the
 * machine, yet the tab sees the real Teams origin: the SDK's origin check and the server's
 * CSP `frame-ancestors` are exercised as in production. The tab itself loads from the test
 * server on loopback over HTTPS (test/support/tab-server.ts; its certificate comes from the
 * run's throw-away CA, which Chromium does not know, hence `ignoreHTTPSErrors`). Chromium's
 * Local Network Access check (a public page framing a loopback one) is satisfied by granting
 * the `local-network-access` permission; in production it never comes up, because the tab
 * is served from a public origin.
 *
 *   const host = await TeamsHost.open(browser, { tabUrl, context: { locale: 'nl-nl', theme: 'dark' }, token });
 *   const tab = await host.tab();                  // the iframe's Playwright Frame
 *   await host.waitForCall('appInitialization.success');
 *   await host.setTheme('contrast');
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, Frame, Page } from 'playwright-core';
import { newBrowserContext } from './browser.js';

export const TEAMS_HOST_ORIGIN = 'https://teams.microsoft.com';
/** Where the host page lives; the path is what Teams web uses, for realism only. */
export const TEAMS_HOST_URL = `${TEAMS_HOST_ORIGIN}/v2/`;

const here = dirname(fileURLToPath(import.meta.url));
const HOST_PAGE = readFileSync(join(here, 'teams-host.html'), 'utf8');
export const ARTIFACTS_DIR = join(here, '..', 'artifacts', 'tab');

/** Where a screenshot called `name` goes (test/artifacts/tab/<name>.png, git-ignored). */
export function artifactPath(name: string): string {
  mkdirSync(ARTIFACTS_DIR, { recursive: true });
  return join(ARTIFACTS_DIR, `${name}.png`);
}

/**
 * The Teams JS library fetches its list of valid host origins from Microsoft's CDN at start
 * (validOriginsCdnEndpoint in @microsoft/teams-js src/internal/constants.ts); the host
 * answers it with the Teams web origins, as the CDN would.
 */
export const VALID_ORIGINS_URL = 'https://res.cdn.office.net/teams-js/validDomains/json/validDomains.json';
const VALID_ORIGINS = { validOrigins: ['teams.microsoft.com', '*.teams.microsoft.com', 'teams.cloud.microsoft', '*.cloud.microsoft', 'outlook.office.com', '*.office.com', '*.microsoft365.com'] };

export type TeamsTheme = 'default' | 'dark' | 'contrast';
export type FrameContext = 'content' | 'settings' | 'remove' | 'sidePanel' | 'authentication' | 'task' | 'stage' | 'meetingStage';

export interface TeamsHostContext {
  /** Teams sends lower-case locales, e.g. `en-us`, `nl-nl`. Default `en-us`. */
  locale?: string;
  theme?: TeamsTheme;
  frameContext?: FrameContext;
  entityId?: string;
  /** The deep link's sub-entity, e.g. `event:abc`. */
  subPageId?: string;
  user?: { id: string; displayName?: string; userPrincipalName?: string; tenantId: string };
  teamId?: string;
  groupId?: string;
  channelId?: string;
  chatId?: string;
  meetingId?: string;
}

export type TokenAnswer = { ok: true; value: string } | { ok: false; error: string };
export type AuthenticateAnswer = { ok: true; result?: string } | { ok: false; reason: string };

export interface TeamsHostOptions {
  /** Full URL of the tab page, e.g. `https://127.0.0.1:1234/tab/index.html#/`. */
  tabUrl: string;
  context?: TeamsHostContext;
  /** What `authentication.getAuthToken` answers: a token string, or a failure. */
  token?: string | TokenAnswer;
  /** Answers to successive `authentication.authenticate` pop-ups; the last one repeats. */
  authenticateResults?: AuthenticateAnswer[];
  /** Make `settings.setSettings` fail, as Teams does when it cannot save the tab. */
  setSettingsFails?: boolean;
  viewport?: { width: number; height: number };
}

export interface HostMessage {
  id?: number;
  func: string;
  args: unknown[];
}

export interface SaveOutcome {
  ok: boolean;
  reason?: string;
}

interface HostState {
  messages: HostMessage[];
  registered: string[];
  validity: boolean | undefined;
  settings: Record<string, unknown> | undefined;
  saveOutcomes: SaveOutcome[];
  tokenRequests: number;
  authenticateUrls: string[];
  theme: TeamsTheme;
}

export class TeamsHost {
  /** Requests the tab tried to make to anywhere but the test server (blocked). */
  readonly blockedRequests: string[] = [];
  /** Console errors and uncaught exceptions in the host page or the tab. */
  readonly errors: string[] = [];

  private constructor(
    readonly context: BrowserContext,
    readonly page: Page,
    private readonly tabOrigin: string,
  ) {}

  static async open(browser: Browser, options: TeamsHostOptions): Promise<TeamsHost> {
    const token: TokenAnswer = typeof options.token === 'string' ? { ok: true, value: options.token } : (options.token ?? { ok: false, error: 'No token configured in the test host' });
    const config = {
      tabUrl: options.tabUrl,
      sdkVersion: '2.58.0',
      token,
      authenticateResults: options.authenticateResults ?? [{ ok: false, reason: 'CancelledByUser' }],
      setSettingsFails: options.setSettingsFails ?? false,
      context: {
        locale: 'en-us',
        theme: 'default',
        frameContext: 'content',
        entityId: 'home',
        user: { id: '00000000-0000-4000-8000-000000000001', displayName: 'Test User', userPrincipalName: 'test.user@example.org', tenantId: '11111111-1111-4111-8111-111111111111' },
        ...options.context,
      },
    };
    // Inside a <script>: keep "</script>" and friends out of the JSON.
    const html = HOST_PAGE.replace('/*CONFIG*/ null', JSON.stringify(config).replace(/</g, '\\u003c'));

    const tabOrigin = new URL(options.tabUrl).origin;
    const context = await newBrowserContext(browser, {
      viewport: options.viewport ?? { width: 1280, height: 800 },
      permissions: ['local-network-access'],
      ignoreHTTPSErrors: true,
      locale: 'en-US',
    });
    const host = new TeamsHost(context, await context.newPage(), tabOrigin);
    // Later routes are consulted first: the Teams page, then "everything else is blocked".
    await context.route('**/*', (route) => {
      const url = route.request().url();
      if (url.startsWith(`${tabOrigin}/`)) return route.continue();
      host.blockedRequests.push(url);
      return route.abort('blockedbyclient');
    });
    await context.route(`${TEAMS_HOST_ORIGIN}/**`, (route) => route.fulfill({ status: 200, contentType: 'text/html; charset=utf-8', body: html }));
    await context.route(VALID_ORIGINS_URL, (route) => route.fulfill({ status: 200, contentType: 'application/json', headers: { 'Access-Control-Allow-Origin': '*' }, body: JSON.stringify(VALID_ORIGINS) }));
    host.page.on('console', (message) => {
      if (message.type() === 'error') host.errors.push(message.text());
    });
    host.page.on('pageerror', (error) => host.errors.push(`uncaught: ${error.message}`));
    // Generous for a shared, busy machine: waits end as soon as the condition holds.
    host.page.setDefaultTimeout(20_000);
    // The host page itself; `tab()` waits for the framed tab (its scripts may take a while on a busy machine).
    await host.page.goto(TEAMS_HOST_URL, { waitUntil: 'domcontentloaded' });
    return host;
  }

  /** The tab's frame, once it has loaded. */
  async tab(): Promise<Frame> {
    const element = await this.page.waitForSelector('#tab');
    const frame = await element.contentFrame();
    if (!frame) throw new Error('the host page has no tab frame');
    // The iframe starts on about:blank, whose load has already fired; waiting only for the load
    // state could hand back that document, and the tab's own navigation would then destroy the
    // caller's first evaluate ("Execution context was destroyed").
    await frame.waitForURL((url) => url.origin === this.tabOrigin, { waitUntil: 'domcontentloaded' });
    return frame;
  }

  async state(): Promise<HostState> {
    return this.page.evaluate('window.teamsHost.state') as Promise<HostState>;
  }

  /** Every message the tab sent, optionally only those for one function. */
  async calls(func?: string): Promise<HostMessage[]> {
    const { messages } = await this.state();
    return func ? messages.filter((m) => m.func === func) : messages;
  }

  /** Waits until the tab has sent `func` (at least `count` times) and returns the last one. */
  async waitForCall(func: string, count = 1): Promise<HostMessage> {
    await this.page.waitForFunction(
      ([f, n]) => (window as unknown as { teamsHost: { state: HostState } }).teamsHost.state.messages.filter((m) => m.func === f).length >= (n as number),
      [func, count] as const,
    );
    const calls = await this.calls(func);
    return calls[calls.length - 1]!;
  }

  /** Switches Teams' theme, as when the user changes it in Teams' settings. */
  async setTheme(theme: TeamsTheme): Promise<void> {
    await this.page.evaluate((t) => (window as unknown as { teamsHost: { setTheme(t: string): void } }).teamsHost.setTheme(t), theme);
  }

  async setToken(token: string | TokenAnswer): Promise<void> {
    const answer: TokenAnswer = typeof token === 'string' ? { ok: true, value: token } : token;
    await this.page.evaluate((a) => (window as unknown as { teamsHost: { setToken(a: TokenAnswer): void } }).teamsHost.setToken(a), answer);
  }

  /** Makes `settings.setSettings` fail (true) or succeed (false) from now on. */
  async failSetSettings(fail: boolean): Promise<void> {
    await this.page.evaluate((f) => (window as unknown as { teamsHost: { failSetSettings(f: boolean): void } }).teamsHost.failSetSettings(f), fail);
  }

  /** Presses Teams' Save button on the configuration page and waits for the tab's verdict. */
  async save(): Promise<SaveOutcome> {
    const before = (await this.state()).saveOutcomes.length;
    await this.page.evaluate('window.teamsHost.save()');
    await this.page.waitForFunction((n) => (window as unknown as { teamsHost: { state: HostState } }).teamsHost.state.saveOutcomes.length > (n as number), before);
    const outcomes = (await this.state()).saveOutcomes;
    return outcomes[outcomes.length - 1]!;
  }

  /** Saves a screenshot of the whole Teams page under test/artifacts/tab/. */
  async screenshot(name: string): Promise<string> {
    const path = artifactPath(name);
    await this.page.screenshot({ path, fullPage: true });
    return path;
  }

  async close(): Promise<void> {
    await this.context.close();
  }
}
