/**
 * The tab's performance benchmark: how much JavaScript and CSS a first visit downloads, and
 * how soon a page shows what it is for, in headless Chromium on loopback.
 *
 *   node --import tsx bench/tab/run.ts            (writes bench/results/tab.json)
 *   node --import tsx bench/tab/run.ts --runs 5   (fewer runs, e.g. on a busy machine)
 *
 * 1. Builds the tab (Vite, production) into dist/tab.
 * 2. Sizes: the entry (index.html's script and module preloads, and stylesheets) and what the
 *    Home route really fetched (the entry plus the lazy chunks Home needs), gzip level 9 and
 *    Brotli, as a server or CDN would send them. Fluent UI (Griffel) makes its CSS at run time,
 *    so the build has no .css file; its styles are inside the JavaScript counted here.
 * 3. Times: the real Meent HTTP app (security headers, static files, the API router chain)
 *    serves the built tab over HTTP on 127.0.0.1, with a canned API behind it (the data
 *    shapes of the real API, answered from memory, so the database is not what is measured).
 *    Each run is a fresh browser context (cold cache), outside Teams (`?inTeams=false`: no host
 *    handshake). "First meaningful render" is the time from navigation start until the page's
 *    content is on screen: Home's heading with its feed, upcoming sessions and suggestions;
 *    the discussion's heading with its first page of replies (50 of 500). Also recorded: first
 *    contentful paint, and the time to show all 500 replies ("Show more" until the end).
 *
 * Numbers are for comparing runs on the same machine (as ratios), never for assertions.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, constants as zlib, gzipSync } from 'node:zlib';
import express, { type RequestHandler } from 'express';
import { chromium, type Browser } from 'playwright-core';
import type { Actor } from '../../src/auth/actor.js';
import { loadConfig } from '../../src/config/config.js';
import { createApp } from '../../src/http/app.js';
import { createLogger } from '../../src/logging/logger.js';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const distDir = join(repoRoot, 'dist', 'tab');
const resultFile = join(repoRoot, 'bench', 'results', 'tab.json');
const CHROMIUM = '/usr/bin/chromium';
const REPLIES = 500;
const PAGE = 50;
const BUDGET_KB = 300;

function argument(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const value = i >= 0 ? Number(process.argv[i + 1]) : NaN;
  return Number.isFinite(value) && value > 0 ? value : fallback;
}

// ---------- build and sizes ----------

function buildTab(): void {
  execFileSync(process.execPath, [join(repoRoot, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--config', 'tab/vite.config.ts', '--logLevel', 'warn'], {
    cwd: repoRoot,
    env: { ...process.env, NODE_ENV: 'production' },
    stdio: 'inherit',
  });
}

interface Sized {
  files: number;
  raw: number;
  gzip: number;
  brotli: number;
}

function sizeOf(paths: string[]): Sized {
  const total: Sized = { files: 0, raw: 0, gzip: 0, brotli: 0 };
  for (const path of new Set(paths)) {
    const bytes = readFileSync(path);
    total.files += 1;
    total.raw += bytes.length;
    total.gzip += gzipSync(bytes, { level: 9 }).length;
    total.brotli += brotliCompressSync(bytes, { params: { [zlib.BROTLI_PARAM_QUALITY]: 11 } }).length;
  }
  return total;
}

/** The files index.html makes the browser fetch before anything else runs. */
function entryFiles(): { js: string[]; css: string[] } {
  const html = readFileSync(join(distDir, 'index.html'), 'utf8');
  const local = (url: string) => join(distDir, url.replace(/^\/tab\//, ''));
  const js = [...html.matchAll(/<script[^>]+src="([^"]+)"/g), ...html.matchAll(/<link[^>]+rel="modulepreload"[^>]+href="([^"]+)"/g)].map((m) => local(m[1]!));
  const css = [...html.matchAll(/<link[^>]+rel="stylesheet"[^>]+href="([^"]+)"/g)].map((m) => local(m[1]!));
  return { js, css };
}

// ---------- the server with a canned API ----------

const me: Actor = { userId: 'a1b2c3d4-0000-4000-8000-000000000001', tenantId: '5b1f6c0e-3a1d-4f2e-9c8b-7a6d5e4f3a21', name: 'Anouk de Vries', isGuest: false, mfa: true, isOrgAdmin: false, roles: [] };
const DAY = 24 * 3_600_000;
const iso = (ms: number) => new Date(ms).toISOString();
const reactions = { like: 3, thanks: 1, insightful: 0, agree: 2, celebrate: 0 };
const DISCUSSION_ID = '6650a1b2c3d4e5f601234570';
const COMMUNITY_ID = '6650a1b2c3d4e5f601234567';

function reply(i: number) {
  const text = `Antwoord ${i + 1}: bij ons werkt **peilgestuurde drainage** goed op kleigrond, zie ook de [handreiking](https://example.org/handreiking-${i}).`;
  return {
    id: (0x6650a1b2c3d4e5f601000000n + BigInt(i)).toString(16).padStart(24, '0'),
    discussionId: DISCUSSION_ID,
    parentId: null,
    author: { id: `user-${i % 40}`, displayName: `Collega ${i % 40}` },
    body: { source: text, html: `<p>Antwoord ${i + 1}: bij ons werkt <strong>peilgestuurde drainage</strong> goed op kleigrond, zie ook de <a href="https://example.org/handreiking-${i}" rel="noopener noreferrer nofollow">handreiking</a>.</p>` },
    removed: false,
    hidden: false,
    accepted: false,
    mentions: [],
    reactions,
    myReactions: i % 7 === 0 ? ['like'] : [],
    editedAt: null,
    createdAt: iso(Date.now() - (REPLIES - i) * 60_000),
    permissions: { canEdit: false, canDelete: false, canModerate: false },
    replies: [],
  };
}

function event(i: number) {
  const start = Date.now() + (i + 2) * DAY;
  return {
    id: `6650a1b2c3d4e5f6012345${(80 + i).toString(16)}`,
    communityId: COMMUNITY_ID,
    scope: 'community',
    title: `Kennissessie ${i + 1}`,
    description: { source: '', html: '' },
    start: iso(start),
    end: iso(start + 90 * 60_000),
    timeZone: 'Europe/Amsterdam',
    location: { name: 'Gemeentehuis, zaal 3' },
    online: true,
    joinUrl: null,
    capacity: 20,
    seatsLeft: 20 - i,
    counts: { registered: i, waitlisted: 0, requested: 0 },
    waitlist: true,
    signupMethod: 'open',
    signupDeadline: null,
    guestsAllowed: false,
    hideAttendees: false,
    organizers: ['x'],
    status: 'scheduled',
    reminderMinutes: [],
    followUpDiscussionId: null,
    sequence: 0,
    myRegistration: { status: 'registered' },
    canManage: false,
    canSignUp: true,
    links: { web: '', calendar: '' },
    createdBy: 'x',
    createdAt: iso(Date.now()),
    updatedAt: iso(Date.now()),
  };
}

function community(i: number) {
  return {
    id: `6650a1b2c3d4e5f6012346${(10 + i).toString(16)}`,
    name: ['Bodem en water', 'Mestbeleid', 'Klimaatadaptatie', 'Omgevingswet', 'Drinkwater'][i % 5],
    description: { source: 'Kennis delen over bodem, water en drainage in de regio.', html: '<p>Kennis delen over bodem, water en drainage in de regio.</p>' },
    imageUrl: null,
    tags: ['water'],
    visibility: 'public',
    guestsAllowed: false,
    teamId: null,
    channelId: null,
    createdBy: 'x',
    memberCount: 10 + i,
    discussionCount: 3,
    createdAt: iso(Date.now() - 90 * DAY),
    updatedAt: iso(Date.now()),
    lastActivityAt: iso(Date.now()),
    membership: null,
    permissions: { canRead: true, canJoin: true, canPost: false, canManage: false },
  };
}

function cannedApi(): express.Router {
  const router = express.Router();
  router.get('/me', (_req, res) => {
    res.json({ id: me.userId, name: me.name, tenantId: me.tenantId, isGuest: false, isOrgAdmin: false, roles: [] });
  });
  router.get('/feed', (_req, res) => {
    res.json({
      items: Array.from({ length: 10 }, (_, i) => ({ id: `f${i}`, kind: 'reply', title: `Discussie ${i + 1}`, subject: { type: 'discussion', id: DISCUSSION_ID }, communityName: 'Bodem en water', actorName: `Collega ${i}`, excerpt: 'Een nieuwe reactie in een discussie die je volgt.', at: iso(Date.now() - i * 3_600_000) })),
    });
  });
  router.get('/events', (_req, res) => {
    res.json({ items: Array.from({ length: 5 }, (_, i) => event(i)) });
  });
  router.get('/communities', (_req, res) => {
    res.json({ items: Array.from({ length: 20 }, (_, i) => community(i)) });
  });
  router.get(`/discussions/${DISCUSSION_ID}`, (_req, res) => {
    res.json({
      id: DISCUSSION_ID,
      communityId: COMMUNITY_ID,
      author: { id: 'user-1', displayName: 'Bram Jansen' },
      kind: 'question',
      title: 'Wat werkt bij natte percelen?',
      excerpt: '',
      tags: ['drainage'],
      status: 'open',
      pinned: false,
      hidden: false,
      answered: false,
      replyCount: REPLIES,
      reactions,
      isNew: false,
      unreadCount: 0,
      createdAt: iso(Date.now() - 30 * DAY),
      lastActivityAt: iso(Date.now()),
      body: { source: 'Wie heeft ervaring?', html: '<p>Wie heeft ervaring met <strong>peilgestuurde drainage</strong>?</p>' },
      mentions: [],
      conclusion: null,
      closedAt: null,
      closedBy: null,
      acceptedReplyId: null,
      hiddenReason: null,
      myReactions: [],
      following: true,
      editedAt: null,
      history: [],
      permissions: { canEdit: false, canDelete: false, canReply: true, canReact: true, canClose: false, canPin: false, canAcceptAnswer: false, canModerate: false },
    });
  });
  router.get(`/discussions/${DISCUSSION_ID}/replies`, (req, res) => {
    const from = Number(req.query.cursor ?? 0);
    const limit = Math.min(Number(req.query.limit ?? PAGE), 100);
    const items = Array.from({ length: Math.max(0, Math.min(limit, REPLIES - from)) }, (_, i) => reply(from + i));
    res.json({ items, ...(from + limit < REPLIES ? { nextCursor: String(from + limit) } : {}) });
  });
  return router;
}

async function startServer(): Promise<{ server: Server; origin: string }> {
  const config = loadConfig({ NODE_ENV: 'development', AUTH_MODE: 'local', LOG_LEVEL: 'silent', HOST: '127.0.0.1', PORT: '0', RATE_LIMIT_USER_READS: '0', RATE_LIMIT_IP_READS: '0' });
  const authenticate: RequestHandler = (req, _res, next) => {
    req.actor = me;
    next();
  };
  const app = createApp({ config, logger: createLogger('silent'), isReady: () => Promise.resolve(true), authenticate, apiRouters: [cannedApi()], tabDirectory: distDir });
  const server = createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return { server, origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

// ---------- measuring ----------

interface Sample {
  meaningfulMs: number;
  fcpMs: number;
  allRepliesMs?: number;
  /** Same-origin JS and CSS files the page fetched. */
  fetched: string[];
}

/** Records, in the page, when elements matching all `selectors` are first there (performance.now()). */
function markerScript(selectors: readonly string[]): string {
  return `(() => {
    const wanted = ${JSON.stringify(selectors)};
    const check = () => { if (!window.__meaningful && wanted.every((s) => document.querySelector(s))) window.__meaningful = performance.now(); };
    new MutationObserver(check).observe(document, { childList: true, subtree: true });
  })();`;
}

async function measure(browser: Browser, url: string, selectors: readonly string[], allReplies: boolean): Promise<Sample> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'en-US' });
  try {
    // Injected through the DevTools protocol: the tab's CSP does not apply to it.
    await context.addInitScript(markerScript(selectors));
    const page = await context.newPage();
    const fetched: string[] = [];
    page.on('requestfinished', (request) => {
      const u = new URL(request.url());
      if (/\.(js|css)$/.test(u.pathname)) fetched.push(u.pathname);
    });
    await page.goto(url);
    await page.waitForFunction(() => (window as unknown as { __meaningful?: number }).__meaningful !== undefined, undefined, { timeout: 60_000 });
    const [meaningfulMs, fcpMs] = (await page.evaluate(`[window.__meaningful, (performance.getEntriesByName('first-contentful-paint')[0] || { startTime: NaN }).startTime]`)) as [number, number];
    const sample: Sample = { meaningfulMs, fcpMs, fetched };
    if (allReplies) {
      const started = (await page.evaluate('performance.now()')) as number;
      while ((await page.getByTestId('load-more').count()) > 0) {
        const before = await page.getByTestId('reply').count();
        await page.getByTestId('load-more').click();
        await page.waitForFunction((n) => document.querySelectorAll('[data-testid="reply"]').length > n, before, { timeout: 60_000 });
      }
      const shown = await page.getByTestId('reply').count();
      if (shown !== REPLIES) throw new Error(`expected ${REPLIES} replies on screen, saw ${shown}`);
      sample.allRepliesMs = ((await page.evaluate('performance.now()')) as number) - started;
    }
    return sample;
  } finally {
    await context.close();
  }
}

function stats(values: number[]): { median: number; p90: number; min: number; max: number; runs: number } {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * (sorted.length - 1) + 0.5))]!;
  const round = (v: number) => Math.round(v * 10) / 10;
  return { median: round(at(0.5)), p90: round(at(0.9)), min: round(sorted[0]!), max: round(sorted[sorted.length - 1]!), runs: sorted.length };
}

async function main(): Promise<void> {
  const runs = argument('runs', 10);
  if (!existsSync(CHROMIUM)) throw new Error(`Chromium is not installed at ${CHROMIUM}: bash scripts/install-chromium.sh`);
  const loadBefore = os.loadavg();
  console.log('building the tab…');
  buildTab();
  const entry = entryFiles();
  const entryJs = sizeOf(entry.js);
  const entryCss = sizeOf(entry.css);

  const { server, origin } = await startServer();
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'] });
  try {
    const homeUrl = `${origin}/tab/index.html?inTeams=false#/`;
    const discussionUrl = `${origin}/tab/index.html?inTeams=false#/discussion/${DISCUSSION_ID}`;
    // Home is meaningful once its three sections have their content; the discussion once its first page of replies is there.
    const homeReady = ['h1', '[data-testid="feed-list"]', '[data-testid="upcoming-list"]', '[data-testid="suggested-list"]'];
    const discussionReady = ['h1', `[data-testid="reply-list"] > li:nth-child(${PAGE})`];
    const home: Sample[] = [];
    const discussion: Sample[] = [];
    // One warm-up each (the server's first requests, Chromium's first process), not counted.
    await measure(browser, homeUrl, homeReady, false);
    await measure(browser, discussionUrl, discussionReady, false);
    for (let i = 0; i < runs; i++) {
      home.push(await measure(browser, homeUrl, homeReady, false));
      discussion.push(await measure(browser, discussionUrl, discussionReady, true));
      process.stdout.write(`run ${i + 1}/${runs}\r`);
    }
    const local = (paths: string[]) => [...new Set(paths)].map((p) => join(distDir, p.replace(/^\/tab\//, '')));
    const homeFetched = local(home[0]!.fetched);
    const discussionFetched = local(discussion[0]!.fetched);
    const homeRoute = sizeOf(homeFetched);
    const discussionRoute = sizeOf(discussionFetched);
    const kb = (bytes: number) => Math.round((bytes / 1024) * 10) / 10;

    const result = {
      benchmark: 'tab',
      date: new Date().toISOString(),
      command: 'node --import tsx bench/tab/run.ts',
      machine: {
        cpu: os.cpus()[0]?.model ?? 'unknown',
        cores: os.cpus().length,
        memoryGb: Math.round((os.totalmem() / 1024 ** 3) * 10) / 10,
        platform: `${os.type()} ${os.release()} ${os.arch()}`,
        node: process.version,
        chromium: browser.version(),
        loadAverageAtStart: loadBefore.map((l) => Math.round(l * 100) / 100),
        loadAverageAtEnd: os.loadavg().map((l) => Math.round(l * 100) / 100),
      },
      method: 'Vite production build; gzip level 9 and Brotli quality 11; cold cache per run; HTTP on 127.0.0.1; outside Teams (?inTeams=false); canned API in memory behind the real Meent HTTP app.',
      size: {
        budgetKbGzip: BUDGET_KB,
        entry: { jsKbGzip: kb(entryJs.gzip), cssKbGzip: kb(entryCss.gzip), totalKbGzip: kb(entryJs.gzip + entryCss.gzip), jsKbBrotli: kb(entryJs.brotli), jsKbRaw: kb(entryJs.raw), files: entryJs.files + entryCss.files },
        homeRoute: { kbGzip: kb(homeRoute.gzip), kbBrotli: kb(homeRoute.brotli), kbRaw: kb(homeRoute.raw), files: homeRoute.files },
        discussionRoute: { kbGzip: kb(discussionRoute.gzip), kbBrotli: kb(discussionRoute.brotli), kbRaw: kb(discussionRoute.raw), files: discussionRoute.files },
        withinBudget: entryJs.gzip + entryCss.gzip <= BUDGET_KB * 1024 && homeRoute.gzip <= BUDGET_KB * 1024,
        note: 'Fluent UI (Griffel) generates its CSS at run time, so the build has no .css files; the styles are counted in the JavaScript.',
      },
      timingsMs: {
        homeFirstMeaningfulRender: stats(home.map((s) => s.meaningfulMs)),
        homeFirstContentfulPaint: stats(home.map((s) => s.fcpMs)),
        discussion500FirstMeaningfulRender: stats(discussion.map((s) => s.meaningfulMs)),
        discussion500FirstContentfulPaint: stats(discussion.map((s) => s.fcpMs)),
        discussion500AllRepliesShown: stats(discussion.map((s) => s.allRepliesMs ?? NaN)),
      },
      definitions: {
        homeFirstMeaningfulRender: 'navigation start → Home’s heading, feed, upcoming sessions and suggested communities are all in the DOM',
        discussion500FirstMeaningfulRender: `navigation start → the ${PAGE}th reply of the first page is in the DOM (the thread shows ${PAGE} of ${REPLIES} replies, then "Show more")`,
        discussion500AllRepliesShown: `from first meaningful render, pressing "Show more" until all ${REPLIES} replies are on screen (${REPLIES / PAGE - 1} more pages)`,
      },
    };
    mkdirSync(dirname(resultFile), { recursive: true });
    writeFileSync(resultFile, `${JSON.stringify(result, null, 2)}\n`);
    console.log(JSON.stringify({ size: result.size, timingsMs: result.timingsMs }, null, 2));
    console.log(`written to ${resultFile}`);
  } finally {
    await browser.close();
    server.close();
  }
}

await main();
