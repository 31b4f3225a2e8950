import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import type { Actor } from '../../src/auth/actor.js';
import { buildApplication, type Application } from '../../src/composition.js';
import { loadConfig } from '../../src/config/config.js';
import { createEventsServices } from '../../src/events/events.module.js';
import { RegistrationModel } from '../../src/events/registration.model.js';
import { listen, type RunningServer } from '../../src/http/server.js';
import { DEMO_PEOPLE, DEMO_TENANT_ID } from '../../src/local/demo-people.js';
import { createLogger } from '../../src/logging/logger.js';
import { textsFor } from '../../bot/texts.js';
import { assertValidCard } from '../support/adaptive-cards.js';
import { startAgentsPlayground, type AgentsPlayground } from '../support/agents-playground.js';
import { launchChromium } from '../support/browser.js';
import { useTestDatabase } from '../support/database.js';

/**
 * End to end through Microsoft 365 Agents Playground: Meent in local mode (the bot accepts
 * the playground's unauthenticated activities and takes its user for the first demo person)
 * on a free port, the playground's CLI pointed at its /api/messages, and the playground's own
 * chat page in headless Chromium doing what a person does there: open the chat (which installs
 * the app), type `events`, press the card's "Sign up". The assertions are on what the
 * playground received from the bot: the activities its page is streamed over its WebSocket,
 * the invoke response its page gets for the card action, and the card the page then shows.
 */

interface StreamedMessage {
  action: string;
  actionConversationId?: string;
  message?: { messageId: string; from?: { id: string }; text?: string; attachments?: { contentType: string; content: Card }[] };
}

interface Card {
  type: string;
  version: string;
  body: CardElement[];
  actions?: { type: string; title?: string; verb?: string; data?: Record<string, unknown> }[];
  refresh?: { action: { verb: string; data?: Record<string, unknown> }; userIds?: string[] };
}

interface CardElement {
  type: string;
  text?: string;
  facts?: { title: string; value: string }[];
}

const t = textsFor('en');
const demo = DEMO_PEOPLE[0];
const admin = DEMO_PEOPLE.find((p) => p.isOrgAdmin);
const EVENT_TITLE = 'Kennissessie klimaatadaptatie: hittestress in de wijk';
const CAPACITY = 12;

function texts(card: Card): string[] {
  return card.body.map((e) => e.text).filter((s): s is string => typeof s === 'string');
}

function fact(card: Card, title: string): string | undefined {
  return card.body.flatMap((e) => e.facts ?? []).find((f) => f.title === title)?.value;
}

describe('Microsoft 365 Agents Playground against the bot in local mode (end to end)', function () {
  this.timeout(60_000);
  useTestDatabase('playground');
  const logger = createLogger('silent');
  let application: Application;
  let meent: RunningServer;
  let playground: AgentsPlayground | undefined;
  let browser: Browser | undefined;
  let page: Page;
  let eventId: string;
  const streamed: StreamedMessage[] = [];

  before(async () => {
    assert.ok(demo && admin, 'the demo organisation has a person and an organisation admin');
    const config = loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', AUTH_MODE: 'local' });
    application = await buildApplication(config, logger);
    meent = await listen(application.app, { port: 0, host: '127.0.0.1', shutdownTimeoutMs: 2_000, logger });

    // One upcoming organisation-wide session with seats, planned through the events service.
    const adminActor: Actor = { userId: admin.id, tenantId: DEMO_TENANT_ID, name: admin.displayName, isGuest: false, mfa: false, isOrgAdmin: true, roles: [] };
    const events = createEventsServices({ config: { publicUrl: config.publicUrl, graphBaseUrl: config.graphBaseUrl, localMode: true }, logger });
    const start = new Date(Date.now() + 10 * 24 * 3_600_000);
    const created = await events.events.create(adminActor, {
      title: EVENT_TITLE,
      description: 'Wat kan de gemeente doen tegen hitte in versteende wijken?',
      start,
      end: new Date(start.getTime() + 90 * 60_000),
      timeZone: 'Europe/Amsterdam',
      location: { name: 'Stadhuis, raadszaal' },
      online: false,
      capacity: CAPACITY,
    });
    eventId = created.id;
    assert.equal(created.status, 'scheduled');

    playground = await startAgentsPlayground({ appEndpoint: `http://127.0.0.1:${meent.port}/api/messages` });
    browser = await launchChromium();
    page = await browser.newPage();
    // Offline and hermetic: the page asks a CDN for fonts; only the playground itself is reachable.
    const playgroundOrigin = playground.origin;
    await page.route('**/*', (route) => (route.request().url().startsWith(playgroundOrigin) ? route.continue() : route.abort()));
    page.on('websocket', (ws) => {
      if (!ws.url().endsWith('/_ws_conversation/v1/conversations/stream')) return;
      ws.on('framereceived', (frame) => {
        try {
          streamed.push(JSON.parse(String(frame.payload)) as StreamedMessage);
        } catch {
          // Not JSON: not a conversation update.
        }
      });
    });
  });

  after(async function () {
    this.timeout(30_000);
    await browser?.close();
    await playground?.stop();
    await meent?.close();
    await application?.close();
  });

  /** Cards the bot sent into the playground's chat, as its page received them (from the `from`th frame on). */
  function botCards(from = 0): { messageId: string; card: Card }[] {
    return streamed
      .slice(from)
      .filter((s) => s.action === 'createMessage' && s.message)
      .flatMap((s) => (s.message?.attachments ?? []).filter((a) => a.contentType === 'application/vnd.microsoft.card.adaptive').map((a) => ({ messageId: s.message?.messageId ?? '', card: a.content })));
  }

  async function waitFor<T>(what: string, find: () => T | undefined, timeoutMs = 15_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = find();
      if (found !== undefined) return found;
      if (Date.now() > deadline) {
        throw new Error(`${what} did not arrive within ${timeoutMs} ms. Streamed: ${JSON.stringify(streamed).slice(0, 2_000)}\nPlayground output:\n${playground?.output() ?? ''}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  it('opening the chat installs the app, and the bot greets with the welcome card', async () => {
    assert.ok(playground);
    await page.goto(`${playground.origin}/`);
    const welcome = await waitFor('the welcome card', () => botCards().find((c) => texts(c.card).includes(t.welcomeTitle)));
    assertValidCard(welcome.card, 'the welcome card');
    assert.ok(texts(welcome.card).includes(t.welcomeIntro));
    const commands = welcome.card.body.flatMap((e) => e.facts ?? []).map((f) => f.title);
    for (const command of ['help', 'events', 'my events', 'settings']) assert.ok(commands.includes(command), `the welcome card lists "${command}"`);
    // The page shows it too.
    await page.getByText(t.welcomeTitle).first().waitFor({ timeout: 10_000 });
    // The playground sends installationUpdate and conversationUpdate at once, as Teams does: one welcome.
    await new Promise((r) => setTimeout(r, 1000));
    assert.equal(botCards().filter((c) => texts(c.card).includes(t.welcomeTitle)).length, 1);
  });

  it('`events` lists the upcoming session with its seats and a Sign up button', async () => {
    const before = streamed.length;
    const box = page.getByRole('textbox');
    await box.click();
    await page.keyboard.type('events');
    await page.keyboard.press('Enter');

    const listed = await waitFor('the event card', () => botCards(before).find((c) => texts(c.card).includes(EVENT_TITLE)));
    assert.equal(botCards(before).filter((c) => c.messageId === listed.messageId).length, 1, 'one event listed: the seeded one');
    const card = listed.card;
    assertValidCard(card, 'the event card');
    assert.equal(fact(card, t.seats), t.seatsLeft(CAPACITY));
    assert.equal(fact(card, t.where), 'Stadhuis, raadszaal');
    const signUp = card.actions?.find((a) => a.type === 'Action.Execute' && a.verb === 'event.signUp');
    assert.ok(signUp, 'the card has a sign-up action');
    assert.deepEqual(signUp.data, { eventId });
    assert.equal(signUp.title, t.signUp);
    // Universal Actions: the card refreshes itself for the person who sees it.
    assert.equal(card.refresh?.action.verb, 'event.refresh');
    assert.ok(!texts(card).includes(t.statusRegistered));
    await page.getByText(EVENT_TITLE).waitFor({ timeout: 10_000 });
  });

  it('"Sign up" on the card answers with the card updated for that person: signed up, one seat fewer', async () => {
    const invoked = page.waitForResponse((r) => r.url().endsWith('/_conversation/v1/invoke') && r.request().method() === 'POST');
    await page.getByRole('button', { name: t.signUp, exact: true }).click();
    const response = await invoked;

    // What the playground sent the bot: an Action.Execute of the card's sign-up action.
    const request = response.request().postDataJSON() as { name: string; value: { action: { type: string; verb: string; data: unknown } } };
    assert.equal(request.name, 'adaptiveCard/action');
    assert.equal(request.value.action.type, 'Action.Execute');
    assert.equal(request.value.action.verb, 'event.signUp');
    assert.deepEqual(request.value.action.data, { eventId });

    // What it received back: the refreshed card.
    assert.equal(response.status(), 200);
    const body = (await response.json()) as { type: string; value: Card };
    assert.equal(body.type, 'application/vnd.microsoft.card.adaptive');
    const card = body.value;
    assertValidCard(card, 'the updated event card');
    assert.ok(texts(card).includes(EVENT_TITLE));
    assert.ok(texts(card).includes(t.statusRegistered), `status shown: ${JSON.stringify(texts(card))}`);
    assert.equal(fact(card, t.seats), t.seatsLeft(CAPACITY - 1));
    assert.deepEqual(card.actions?.filter((a) => a.type === 'Action.Execute').map((a) => a.verb), ['event.cancel'], 'Sign up gave way to Cancel');

    // The page replaced the card with it.
    await page.getByText(t.statusRegistered).waitFor({ timeout: 10_000 });
    await page.getByText(t.seatsLeft(CAPACITY - 1)).waitFor({ timeout: 10_000 });
    assert.equal(await page.getByRole('button', { name: t.signUp, exact: true }).count(), 0);

    // And the store agrees: the playground's user is the first demo person, now registered.
    const registration = await RegistrationModel.findOne({ userId: demo?.id }).lean<{ status: string; eventId: unknown }>();
    assert.equal(registration?.status, 'registered');
    assert.equal(String(registration?.eventId), eventId);
  });
});
