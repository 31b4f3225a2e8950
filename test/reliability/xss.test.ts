/**
 * Reliability suite, XSS in a real browser (issue 18). The corpus of test/reliability/xss-payloads.ts
 * is stored in every place a person (or the directory) can put text: community names and
 * descriptions, discussion titles and bodies, replies, event titles, descriptions and places,
 * display names, job titles and departments (synced from the directory), profile fields; the
 * whole Meent app runs in local mode (the real composition, the real HTTP API, the built tab)
 * and Chromium opens the pages that show them, signed in through the local sign-in.
 *
 * Before any page script, every frame gets `__xss`, which records a call; dialogs, navigations
 * away from the tab, new windows, requests to other origins and CSP violations are recorded
 * too. A page passes when nothing ran, nothing navigated, and its DOM holds no inline event
 * handler, no script, frame or object the content brought, and no link or source whose scheme
 * is not http(s), mailto or the tab's own. The same stored values then go through the bot's
 * card functions: no card text may hold Markdown formatting, a link or raw HTML.
 *
 * There are no consultations (polls with options) in Meent's code yet; nothing to store there.
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { marked } from 'marked';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { discussionListView, discussionView, eventListView, eventView, searchView } from '../../bot/card-views.js';
import { toSummary } from '../../bot/core-ports.js';
import { ServiceDiscussionsPort } from '../../bot/discussions-port.js';
import { NotificationCards } from '../../bot/notification-cards.js';
import { tabLinks, type DiscussionSummary } from '../../bot/ports.js';
import { ServiceSearchPort } from '../../bot/search-port.js';
import { textsFor } from '../../bot/texts.js';
import type { Actor } from '../../src/auth/actor.js';
import { createCommunitySchema } from '../../src/communities/community.schemas.js';
import { buildApplication, type Application, type CommunitiesModule } from '../../src/composition.js';
import { loadConfig, type Config } from '../../src/config/config.js';
import { createDiscussionSchema, createReplySchema } from '../../src/discussions/discussion.schemas.js';
import { createEventSchema } from '../../src/events/event.schemas.js';
import type { EventsModule } from '../../src/events/events.module.js';
import { DEMO_PEOPLE, DEMO_TENANT_ID } from '../../src/local/demo-people.js';
import { actorForDemoPerson } from '../../src/local/local-session.js';
import { createLogger } from '../../src/logging/logger.js';
import { updateProfileSchema } from '../../src/members/profile.schemas.js';
import { UserModel } from '../../src/members/user.model.js';
import { NOTIFICATION_KINDS, NotificationModel, type NotificationRecord } from '../../src/notifications/notification.model.js';
import { NotificationPreferences } from '../../src/notifications/notification-preferences.js';
import { formattingIn, markdownTexts, ownMarkdownRemoved } from '../support/adaptive-cards.js';
import { launchChromium, newBrowserContext } from '../support/browser.js';
import { useTestDatabase } from '../support/database.js';
import { ensureTabBuilt, TAB_DIST_DIR } from '../support/tab-server.js';
import { XSS_PAYLOADS, type XssPayload } from './xss-payloads.js';

const viewer = DEMO_PEOPLE.find((p) => p.role === 'civil-servant')!;
const manager = DEMO_PEOPLE.find((p) => p.role === 'community-manager')!;

/** Runs in every frame before its own scripts (through the DevTools protocol, so the CSP does not apply). */
const SENTINEL = `(() => {
  const report = (kind, detail) => { try { window.__xssReport(kind, String(detail), location.href); } catch (e) { /* a frame without the binding */ } };
  Object.defineProperty(window, '__xss', { value: (id) => report('execution', id), configurable: false, writable: false });
  document.addEventListener('securitypolicyviolation', (e) => report('csp', e.violatedDirective + ' ' + (e.blockedURI || 'inline') + ' ' + (e.sample || '')), true);
})();`;

/** What the DOM must not hold after rendering; run in the page. */
const INSPECT_DOM = `(() => {
  const problems = [];
  const bad = /^(javascript|vbscript|data|file|blob):/i;
  const clean = (v) => v.replace(/[\\u0000-\\u0020\\u007f-\\u009f]/g, '').toLowerCase();
  const all = document.querySelectorAll('*');
  for (const el of all) {
    for (const attr of el.attributes) {
      if (/^on/i.test(attr.name)) problems.push('handler ' + attr.name + ' on <' + el.tagName.toLowerCase() + '>: ' + attr.value.slice(0, 80));
      if (/^(src|srcdoc|data|action|formaction|background|poster|dynsrc|lowsrc|xlink:href)$/i.test(attr.name) && !(el.tagName === 'SCRIPT' && el.getAttribute('src')?.startsWith('/'))) {
        if (attr.name === 'srcdoc' || bad.test(clean(attr.value))) problems.push(attr.name + ' on <' + el.tagName.toLowerCase() + '>: ' + attr.value.slice(0, 80));
      }
    }
  }
  const root = document.getElementById('root');
  for (const el of root ? root.querySelectorAll('script, iframe, frame, object, embed, base, meta, link, style, math, template, noscript, video, audio, source, animate, set, foreignObject, image, isindex, marquee') : []) {
    problems.push('element <' + el.tagName.toLowerCase() + '> in the tab: ' + el.outerHTML.slice(0, 120));
  }
  const links = [];
  for (const a of document.querySelectorAll('a[href], area[href]')) {
    const href = a.getAttribute('href');
    const resolved = a.href;
    links.push(href);
    const scheme = clean(resolved).split(':')[0];
    if (!['http', 'https', 'mailto'].includes(scheme)) problems.push('link with scheme ' + scheme + ': ' + href.slice(0, 120));
  }
  return { problems, links: links.length, richTexts: document.querySelectorAll('[data-testid$="body"], [data-testid="community-about"]').length };
})()`;

interface Recorded {
  executions: string[];
  dialogs: string[];
  navigations: string[];
  popups: string[];
  offOrigin: string[];
  csp: string[];
}

interface Stored {
  lab: string;
  /** Where the replies are: spread over a few threads, since replies to one discussion are written one at a time. */
  threads: string[];
  discussions: Array<{ id: string; payload: XssPayload }>;
  communities: Array<{ id: string; payload: XssPayload }>;
  events: Array<{ id: string; payload: XssPayload }>;
  people: Array<{ id: string; payload: XssPayload }>;
  /** Per place, how many payloads the API accepted (a payload it refuses is not stored there). */
  places: Record<string, number>;
}

/** A person as the directory (Entra, synced through Graph) would have them: every text field one payload. */
function hostileActor(index: number, payload: XssPayload): Actor {
  return {
    userId: `xss-${payload.id}`,
    tenantId: DEMO_TENANT_ID,
    homeTenantId: DEMO_TENANT_ID,
    name: payload.text.slice(0, 256),
    userPrincipalName: `xss${index}@waterschap.example`,
    isGuest: false,
    mfa: true,
    isOrgAdmin: false,
    roles: [],
  };
}

/** How many of the people named by payloads join the lab and write in it. */
const WRITERS = 20;
/** Threads the replies are spread over. */
const THREADS = 4;
/** Pages of single items opened: every SAMPLE-th discussion, community and event (the rest are in the lists, replies and the one-document description). */
const SAMPLE = 16;

/** Runs `work` over `items`, `width` at a time. */
async function inBatches<T>(items: readonly T[], width: number, work: (item: T, index: number) => Promise<void>): Promise<void> {
  for (let i = 0; i < items.length; i += width) await Promise.all(items.slice(i, i + width).map((item, j) => work(item, i + j)));
}

async function storeCorpus(application: Application, config: Config, origin: string, sessionCookie: string): Promise<Stored> {
  const communities = application.modules.find((m): m is CommunitiesModule => 'services' in m && 'discussions' in (m as CommunitiesModule).services)!.services;
  const events = application.modules.find((m): m is EventsModule => 'services' in m && 'events' in (m as EventsModule).services && 'signups' in (m as EventsModule).services)!.services;
  const owner = actorForDemoPerson(manager, config.adminRole);
  const places: Record<string, number> = {};
  const count = (place: string) => (places[place] = (places[place] ?? 0) + 1);
  // The API refuses U+0000 anywhere (src/http/refuse-nul.ts: the store cannot hold it); those payloads are stored nowhere.
  const storable = XSS_PAYLOADS.filter((p) => !p.text.includes('\u0000'));
  places['refused by the API (U+0000)'] = XSS_PAYLOADS.length - storable.length;
  const all = storable.map((p) => p.text).join('\n\n');

  // One community holds them all: its description is every payload at once (one Markdown document).
  const lab = await communities.communities.create(owner, createCommunitySchema.parse({ name: 'XSS lab', description: all.slice(0, 20_000), visibility: 'public' }));
  count('community description (all payloads in one)');
  const threads: string[] = [];
  for (let t = 0; t < THREADS; t++) {
    threads.push((await communities.discussions.create(owner, lab.id, createDiscussionSchema.parse({ kind: 'discussion', title: `Payloads as replies, part ${t + 1}`, body: all.slice(0, 20_000) }))).id);
    count('discussion body (all payloads in one)');
  }

  const stored: Stored = { lab: lab.id, threads, discussions: [], communities: [], events: [], people: [], places };
  const start = Date.now() + 7 * 24 * 3_600_000;
  await inBatches(storable, 16, async (payload, i) => {
    const actor = hostileActor(i, payload);
    const text = payload.text;
    // Directory fields come from Graph as they are: written as the sync writes them.
    const profile: Record<string, unknown> = {};
    for (const [field, value] of [
      ['organisation', text],
      ['function', text],
      ['askMeAbout', text],
      ['expertise', [text.slice(0, 40)]],
      ['interests', [text.slice(0, 40)]],
    ] as const) {
      const parsed = updateProfileSchema.safeParse({ [field]: value });
      if (parsed.success) {
        Object.assign(profile, parsed.data);
        count(`profile ${field}`);
      }
    }
    await UserModel.updateOne(
      { tenantId: DEMO_TENANT_ID, userId: actor.userId },
      { $set: { displayName: actor.name, jobTitle: text, department: text, officeLocation: text, isGuest: false, ...Object.fromEntries(Object.entries(profile).map(([k, v]) => [`profile.${k}`, v])) } },
      { upsert: true },
    );
    count('display name');
    count('job title, department, office (directory)');
    stored.people.push({ id: actor.userId, payload });

    // Twenty of them join and write; the owner writes the rest (every member is told of every new
    // discussion and every follower of every reply: 260 writers would queue 67,000 notifications).
    const writer = i < WRITERS ? actor : owner;
    if (writer === actor) await communities.memberships.add(actor, lab.id, {});
    const discussion = createDiscussionSchema.safeParse({ kind: 'question', title: text, body: text, tags: [] });
    if (discussion.success) {
      const created = await communities.discussions.create(writer, lab.id, discussion.data);
      stored.discussions.push({ id: created.id, payload });
      count('discussion title');
      count('discussion body');
    }
    const reply = createReplySchema.safeParse({ body: text });
    if (reply.success) {
      await communities.replies.create(writer, threads[i % THREADS]!, reply.data);
      count('reply body');
    }
    const community = createCommunitySchema.safeParse({ name: text, description: text, visibility: 'public' });
    if (community.success) {
      stored.communities.push({ id: (await communities.communities.create(owner, community.data)).id, payload });
      count('community name');
      count('community description');
    } else {
      const described = createCommunitySchema.parse({ name: `Beschrijving ${payload.id}`, description: text, visibility: 'public' });
      stored.communities.push({ id: (await communities.communities.create(owner, described)).id, payload });
      count('community description');
    }
    const event = createEventSchema.safeParse({
      title: text,
      description: text,
      location: { name: text.slice(0, 200), address: { street: text.slice(0, 200), city: text.slice(0, 100) } },
      start: new Date(start + i * 60_000).toISOString(),
      end: new Date(start + i * 60_000 + 3_600_000).toISOString(),
      timeZone: 'Europe/Amsterdam',
      communityId: lab.id,
    });
    if (event.success) {
      stored.events.push({ id: (await events.events.create(owner, event.data)).id, payload });
      count('event title');
      count('event description');
      count('event place');
    }
  });

  // A payload with U+0000 through the real API: refused, not a 500.
  const nul = XSS_PAYLOADS.find((p) => p.text.includes('\u0000'))!;
  const refused = await fetch(`${origin}/api/v1/discussions/${threads[0]}/replies`, { method: 'POST', headers: { 'content-type': 'application/json', cookie: sessionCookie, origin }, body: JSON.stringify({ body: nul.text }) });
  assert.equal(refused.status, 400);
  assert.equal(((await refused.json()) as { code: string }).code, 'invalid_input');

  // And the viewer's own profile through the real HTTP API, as the profile page sends it.
  const askMeAbout = storable.map((p) => p.text)
    .join(' ')
    .slice(0, 1000);
  const res = await fetch(`${origin}/api/v1/me/profile`, {
    method: 'PATCH',
    headers: { 'content-type': 'application/json', cookie: sessionCookie, origin },
    body: JSON.stringify({ askMeAbout, function: storable.map((p) => p.text.replace(/[<>]/g, '')).join(' ').slice(0, 200) }),
  });
  assert.equal(res.status, 200, `PATCH /me/profile: ${res.status} ${await res.text()}`);
  count('profile through the HTTP API');
  return stored;
}

describe('reliability: XSS in a real browser', function () {
  this.timeout(240_000);
  useTestDatabase('xss');
  let server: Server;
  let origin: string;
  let config: Config;
  let application: Application;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let sessionCookie: string;
  let stored: Stored;
  const recorded: Recorded = { executions: [], dialogs: [], navigations: [], popups: [], offOrigin: [], csp: [] };
  const rendered: Array<{ route: string; links: number; richTexts: number }> = [];

  before(async function () {
    this.timeout(240_000);
    await ensureTabBuilt();
    const holder: { app?: Application['app'] } = {};
    server = createServer((req, res) => (holder.app ? holder.app(req, res) : res.writeHead(503).end()));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    origin = `http://127.0.0.1:${port}`;
    config = loadConfig({ NODE_ENV: 'test', AUTH_MODE: 'local', LOG_LEVEL: 'silent', HOST: '127.0.0.1', PORT: String(port), SESSION_SECRET: 'an-xss-suite-session-secret-of-32-characters' });
    application = await buildApplication(config, createLogger('silent'), { tabDirectory: TAB_DIST_DIR });
    holder.app = application.app;

    const signIn = await fetch(`${origin}/auth/local`, { method: 'POST', redirect: 'manual', headers: { origin, 'content-type': 'application/x-www-form-urlencoded' }, body: `person=${viewer.id}&returnTo=/tab/index.html` });
    assert.equal(signIn.status, 303);
    sessionCookie = (signIn.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
    assert.match(sessionCookie, /^meent_session=/);

    const began = Date.now();
    stored = await storeCorpus(application, config, origin, sessionCookie);
    console.log(`      stored ${XSS_PAYLOADS.length} payloads in ${Object.keys(stored.places).length} places in ${Date.now() - began} ms`);

    browser = await launchChromium();
    context = await newBrowserContext(browser, { locale: 'en-US' });
    const [name, ...value] = sessionCookie.split('=');
    await context.addCookies([{ name: name!, value: value.join('='), url: origin, httpOnly: true, sameSite: 'Lax' }]);
    await context.exposeBinding('__xssReport', ({ frame }, kind: string, detail: string, href: string) => {
      if (kind === 'execution') recorded.executions.push(`${detail} in ${href || frame.url()}`);
      else recorded.csp.push(detail);
    });
    await context.addInitScript({ content: SENTINEL });
    context.on('request', (r) => {
      const url = r.url();
      if (!url.startsWith(`${origin}/`) && !url.startsWith('https://res.cdn.office.net/') && !url.startsWith('data:')) recorded.offOrigin.push(url);
    });
    page = await context.newPage();
    context.on('page', (p) => recorded.popups.push(p.url()));
    page.on('dialog', (d) => {
      recorded.dialogs.push(`${d.type()}: ${d.message()}`);
      void d.dismiss();
    });
    page.on('framenavigated', (frame) => {
      const url = frame.url();
      const allowed = url.startsWith(`${origin}/tab/`) || url === 'about:blank' || url === 'about:srcdoc';
      if (!allowed) recorded.navigations.push(url);
    });
    page.on('console', (m) => {
      if (m.type() === 'error' && /Content Security Policy/i.test(m.text())) recorded.csp.push(m.text());
    });
  });

  after(async function () {
    this.timeout(60_000);
    await context?.close();
    await browser?.close();
    await application?.close();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    server?.closeAllConnections();
  });

  /** Opens a route (the first time with a page load, then as the tab does: a hash change), loads every page of its lists, inspects the DOM. */
  async function render(route: string, ready: string): Promise<void> {
    if (page.url().startsWith(`${origin}/tab/`)) {
      await page.evaluate((hash) => {
        window.location.hash = hash;
      }, route);
    } else {
      await page.goto(`${origin}/tab/index.html#${route}`);
    }
    await page.locator(ready).first().waitFor({ timeout: 15_000 });
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="loading-skeleton"]').length === 0, undefined, { timeout: 15_000 });
    for (let i = 0; i < 40; i++) {
      const more = page.getByTestId('load-more');
      if ((await more.count()) === 0) break;
      const before = await page.locator('[data-list-item]').count();
      await more.first().click();
      await page.waitForFunction((n) => document.querySelectorAll('[data-list-item]').length > n || document.querySelectorAll('[data-testid="load-more"]').length === 0, before, { timeout: 15_000 });
    }
    // Let anything that would run (a load or error event, an autofocus) have its turn.
    await page.waitForTimeout(50);
    const found = (await page.evaluate(INSPECT_DOM)) as { problems: string[]; links: number; richTexts: number };
    rendered.push({ route, links: found.links, richTexts: found.richTexts });
    assert.deepEqual(found.problems, [], `${route}: the DOM holds what the content put there`);
    assertNothingRan(route);
  }

  function assertNothingRan(where: string): void {
    assert.deepEqual(recorded.executions, [], `${where}: a payload ran`);
    assert.deepEqual(recorded.dialogs, [], `${where}: a dialog opened`);
    assert.deepEqual(recorded.navigations, [], `${where}: the tab navigated away`);
    assert.deepEqual(recorded.popups, [], `${where}: a window opened`);
    assert.deepEqual(recorded.offOrigin, [], `${where}: the page fetched from another origin`);
  }

  it(`stores ${XSS_PAYLOADS.length} payloads in every place that takes text`, () => {
    assert.ok(XSS_PAYLOADS.length >= 200);
    assert.equal(new Set(XSS_PAYLOADS.map((p) => p.text)).size, XSS_PAYLOADS.length, 'no payload twice');
    for (const p of XSS_PAYLOADS) assert.ok(p.text.includes(p.id) || /base64|&#|\\u005f|atob/.test(p.text), `${p.id} names itself when it runs`);
    console.log(`      places: ${JSON.stringify(stored.places)}`);
    for (const place of ['discussion title', 'discussion body', 'reply body', 'community description', 'event title', 'event description', 'display name']) {
      assert.ok((stored.places[place] ?? 0) >= 200, `${place}: ${stored.places[place]}`);
    }
  });

  it('the community pages: the list of communities, the lab with every discussion, its description and events', async () => {
    await render('/communities', '[data-testid="communities-list"]');
    await render(`/community/${stored.lab}`, '[data-testid="community-panel-discussions"] [data-list-item]');
    await render(`/community/${stored.lab}?tab=about`, '[data-testid="community-about"]');
    await render(`/community/${stored.lab}?tab=events`, '[data-testid="community-panel-events"] [data-list-item]');
    await render(`/community/${stored.lab}?tab=members`, '[data-testid="community-panel-members"] [data-list-item]');
  });

  it('the discussion page: every payload as a reply by a person named by a payload', async () => {
    let replies = 0;
    for (const thread of stored.threads) {
      await render(`/discussion/${thread}`, '[data-testid="reply-list"] [data-testid="reply"]');
      replies += await page.getByTestId('reply').count();
    }
    assert.equal(replies, stored.places['reply body'], 'every reply was rendered');
  });

  it('discussion, community and event pages on their own (a sample)', async () => {
    const sample = <T>(items: T[]) => items.filter((_, i) => i % SAMPLE === 0);
    for (const d of sample(stored.discussions)) await render(`/discussion/${d.id}`, 'h1');
    for (const c of sample(stored.communities)) await render(`/community/${c.id}?tab=about`, '[data-testid="community-about"]');
    for (const e of sample(stored.events)) await render(`/event/${e.id}`, '[data-testid="signup-panel"]');
  });

  it('people, profiles and the events list', async () => {
    await render('/people', '[data-testid="people-list"] [data-list-item]');
    for (const p of stored.people.filter((_, i) => i % SAMPLE === 0)) await render(`/people/${p.id}`, 'h1');
    await render('/profile', '[data-testid="profile-save"]');
    await render('/events', '[data-testid="events-list"] [data-list-item]');
    await render('/', 'h1');
  });

  it('search results', async () => {
    for (const q of ['onerror', 'javascript', 'script', 'svg', 'xss', 'data', 'img', 'constructor']) await render(`/search?q=${encodeURIComponent(q)}`, '[data-testid="search-results"], [data-testid="empty-state"]');
  });

  it('the bot shows the same stored values as text in its cards', async () => {
    const communities = application.modules.find((m): m is CommunitiesModule => 'services' in m && 'discussions' in (m as CommunitiesModule).services)!.services;
    const events = application.modules.find((m): m is EventsModule => 'services' in m && 'signups' in (m as EventsModule).services)!.services;
    const actor = actorForDemoPerson(viewer, config.adminRole);
    const links = tabLinks('https://meent.example');
    const cards: Array<[string, unknown]> = [];
    // Read once, as the bot reads them: its own ports over the services.
    const port = new ServiceDiscussionsPort(communities);
    const summaries: DiscussionSummary[] = [];
    for (const d of [...stored.threads.map((id) => ({ id })), ...stored.discussions]) summaries.push(await port.get(actor, d.id));
    const eventSummaries = [];
    for (const e of stored.events) eventSummaries.push(toSummary(await events.events.get(actor, e.id), 'XSS lab'));
    const search = new ServiceSearchPort(communities);
    const hits = await Promise.all(['onerror', 'javascript', 'xss'].map(async (q) => [q, await search.search(actor, q, 50)] as const));
    // What the services queued (replies to the thread, new discussions), and every kind with payloads in every field.
    const queued = await NotificationModel.find({}).limit(200).lean<NotificationRecord[]>();
    const made = NOTIFICATION_KINDS.flatMap((kind) =>
      XSS_PAYLOADS.filter((_, i) => i % 9 === 0).map((p) => ({
        ...queued[0]!,
        kind,
        data: { eventTitle: p.text, discussionTitle: p.text, communityName: p.text, actorName: p.text, excerpt: p.text, reason: p.text, startsAt: '2030-04-01T12:00:00Z', endsAt: '2030-04-01T14:00:00Z' },
      })),
    ) as NotificationRecord[];
    for (const language of ['nl', 'en'] as const) {
      const v = { t: textsFor(language), language, links };
      for (const s of summaries) cards.push([`discussion ${s.id}`, discussionView(v, s)]);
      cards.push(['discussion list', discussionListView(v, summaries)]);
      for (const e of eventSummaries) cards.push([`event ${e.id}`, eventView(v, e)]);
      cards.push(['event list', eventListView(v, 'events', 'none', eventSummaries)]);
      for (const [q, found] of hits) cards.push([`search ${q}`, searchView(v, q, found)]);
      const prefs = { ...new NotificationPreferences().defaults(), locale: language };
      const renderer = new NotificationCards(links);
      for (const n of [...queued, ...made]) cards.push([`notification ${n.kind}`, renderer.message(n, prefs).attachments?.[0]]);
      cards.push(['digest', renderer.digest({ cadence: 'daily', prefs, sections: [{ communityId: stored.lab, communityName: 'XSS lab', items: made }] }).attachments?.[0]]);
    }
    let texts = 0;
    for (const [name, card] of cards) {
      for (const text of markdownTexts(card)) {
        texts++;
        const own = ownMarkdownRemoved(text);
        assert.deepEqual(formattingIn(own), [], `${name}: ${text}`);
        const html = marked.parse(own, { async: false });
        assert.doesNotMatch(html.replace(/<\/?(p|br|a|table|thead|tbody|tr|th|td)\b[^>]*>/g, ''), /<[a-z!/]/i, `${name}: raw HTML would be rendered: ${text}`);
      }
    }
    console.log(`      ${cards.length} cards, ${texts} texts checked`);
    assert.ok(queued.length > 0, 'the services queued notifications to render');
    assert.ok(cards.length > 1000);
  });

  after(() => {
    const pages = new Set(rendered.map((r) => r.route.split('?')[0]!.replace(/[0-9a-f]{24}|xss-x\d+/g, ':id'))).size;
    console.log(
      `      rendered ${rendered.length} routes (${pages} kinds of page), ${rendered.reduce((n, r) => n + r.links, 0)} links checked; executions ${recorded.executions.length}, dialogs ${recorded.dialogs.length}, navigations ${recorded.navigations.length}, CSP reports ${recorded.csp.length}${recorded.csp.length ? `: ${[...new Set(recorded.csp)].slice(0, 10).join(' | ')}` : ''}`,
    );
  });
});
