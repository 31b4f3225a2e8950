/**
 * Reliability: Microsoft Graph and the Bot Framework connector down, then throttling, for
 * minutes of simulated time, with work pending on both (issue 18).
 *
 * Pending work: notifications to people's personal chats (the bot, through the local
 * connector), notifications to people who chose the Teams activity feed (Graph
 * sendActivityNotification), and calendar changes for Outlook (events to create, update and
 * cancel, attendee lists) through the calendar outbox. Then, by a simulated clock:
 *
 *   [0, 2 min)   both stand-ins answer 503 (the connector without Retry-After, Graph with 20 s)
 *   [2, 4 min)   both answer 429 with Retry-After (connector 30 s, Graph 45 s)
 *   from 4 min   both answer normally again
 *
 * while people keep changing things (more notifications, sign-ups, an event moved, one
 * cancelled). The suite then asserts, with the numbers in one console.log line:
 * - nothing lost: every notification delivered exactly once (none dead-lettered), Outlook equal
 *   to Meent (one Outlook event per event, subjects, cancellations, attendees);
 * - nothing duplicated: sends counted at the stand-ins per notification;
 * - Retry-After honoured: after a 429 or 503 with Retry-After reaches the caller, nothing goes
 *   to the same lane (the conversation, the tenant's activity feed, the organiser's mailbox)
 *   before it has passed;
 * - the backlog drained within the configured limits after recovery (7 per second per
 *   conversation, 50 per second per tenant, 5 activity-feed notifications per second, at most 4
 *   Graph requests in flight per mailbox).
 *
 * Time: the delivery worker, its rate governor, the calendar outbox and both stand-ins read one
 * simulated clock (`SimClock`); a sleep moves it forward instead of waiting, so minutes pass in
 * seconds. HTTP, the store and botbuilder are real.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import mongoose from 'mongoose';
import { CloudAdapter } from 'botbuilder';
import { BotMessenger } from '../../bot/bot-messenger.js';
import { NotificationCards } from '../../bot/notification-cards.js';
import { tabLinks } from '../../bot/ports.js';
import type { Actor } from '../../src/auth/actor.js';
import { communityLookup } from '../../src/communities/community-lookup.js';
import { CalendarSyncModel } from '../../src/events/calendar-sync.model.js';
import { EventModel } from '../../src/events/event.model.js';
import type { EventsServices } from '../../src/events/events.module.js';
import { RegistrationModel } from '../../src/events/registration.model.js';
import type { AttendeeListChange, CalendarAttendee, CalendarEventInput, CalendarEventPatch, CalendarGateway } from '../../src/graph/calendar-gateway.js';
import { GraphCalendarGateway } from '../../src/graph/calendar-gateway.js';
import { createGraphClient, GRAPH_RETRY, meentGraphClient } from '../../src/graph/graph-client.js';
import { createLogger } from '../../src/logging/logger.js';
import { GraphActivityFeed } from '../../src/notifications/activity-feed-gateway.js';
import { ConversationReferences } from '../../src/notifications/conversation-references.js';
import { DeliveryModel } from '../../src/notifications/delivery.model.js';
import type { ActivityFeed, ActivityFeedNotification, ConversationRef, Messenger, OutgoingMessage } from '../../src/notifications/messenger.js';
import { emptyStats, type DeliveryStats } from '../../src/notifications/delivery-job.js';
import { NotificationDelivery } from '../../src/notifications/notification-delivery.js';
import { enqueueNotifications, type NotificationIntent } from '../../src/notifications/notification-outbox.js';
import { LotModel } from '../../src/notifications/notification-lot.model.js';
import { NotificationModel } from '../../src/notifications/notification.model.js';
import { NotificationPreferences } from '../../src/notifications/notification-preferences.js';
import { limitsFromConfig, RateGovernor } from '../../src/notifications/rate-governor.js';
import { botAuthentication } from '../support/bot-auth.js';
import { startBotConnector, type BotConnector } from '../support/bot-connector.js';
import { useTestDatabase } from '../support/database.js';
import { startGraphServer, type GraphServer } from '../support/graph-server.js';
import { startIdentityProvider, type IdentityProvider } from '../support/identity-provider.js';
import { eventInput, person, services, syncEventIndexes, TEST_TENANT, type TestClock } from '../events/events-fixtures.js';

const TENANT = TEST_TENANT;
const BOT = { botId: '7d3c2b1a-0f9e-4d8c-b7a6-5f4e3d2c1b0a', password: 'bot-secret-0123456789', tenantId: TENANT };
const MAILBOX = 'organiser';
const SECOND = 1_000;
const MINUTE = 60 * SECOND;
/** The configured limits (the defaults of NOTIFY_*_RATE_PER_SECOND) and Outlook's per mailbox. */
const LIMITS = { conversationPerSecond: 7, tenantPerSecond: 50, activityFeedPerSecond: 5, mailboxConcurrency: 4 };
const OUTAGE = { downMs: 2 * MINUTE, throttledMs: 2 * MINUTE, botRetryAfterS: 30, graph503RetryAfterS: 20, graph429RetryAfterS: 45 };

/**
 * A clock that moves only when told, or when something sleeps: sleepers wake in order of their
 * wake time, the clock jumping to each (one every real millisecond, so that HTTP and the store
 * make progress between them, and take simulated time as a real service would).
 */
class SimClock implements TestClock {
  private t: number;
  private sleepers: { wake: number; resolve: () => void }[] = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(start: number) {
    this.t = start;
  }

  readonly now = (): Date => new Date(this.t);
  readonly ms = (): number => this.t;

  advance(ms: number): void {
    this.t += ms;
    this.wakeDue();
  }

  set(date: Date): void {
    this.t = Math.max(this.t, date.getTime());
    this.wakeDue();
  }

  readonly sleep = (ms: number): Promise<void> =>
    new Promise<void>((resolve) => {
      this.sleepers.push({ wake: this.t + Math.max(0, ms), resolve });
      this.schedule();
    });

  private schedule(): void {
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      this.sleepers.sort((a, b) => a.wake - b.wake);
      const next = this.sleepers[0];
      if (next) this.t = Math.max(this.t, next.wake);
      this.wakeDue();
      if (this.sleepers.length > 0) this.schedule();
    }, 1);
  }

  private wakeDue(): void {
    const due = this.sleepers.filter((s) => s.wake <= this.t);
    this.sleepers = this.sleepers.filter((s) => s.wake > this.t);
    for (const s of due) s.resolve();
  }
}

/** What callers (the delivery worker, the calendar outbox) did, as they did it, by the simulated clock. */
class CallLog {
  /** Calls started, per lane: simulated start times. */
  readonly starts = new Map<string, number[]>();
  /** Per lane, until when Retry-After said to wait (as the caller was told). */
  private readonly waitUntil = new Map<string, number>();
  readonly violations: string[] = [];
  private readonly toldAt = new Map<string, number>();
  readonly inFlight = new Map<string, number>();
  readonly maxInFlight = new Map<string, number>();
  attempted = 0;
  succeeded = 0;
  lastSuccessAt = 0;

  constructor(private readonly clock: SimClock) {}

  /**
   * `lanes[0]` is the lane a Retry-After applies to (the conversation, the tenant's activity
   * feed, the mailbox: what the answer was about); the others are counted for the rate limits.
   */
  async call<T>(lanes: string[], work: () => Promise<T>, weight = 1): Promise<T> {
    const at = this.clock.ms();
    this.attempted++;
    const retryLane = lanes[0] ?? '';
    const until = this.waitUntil.get(retryLane);
    if (until !== undefined && at < until) this.violations.push(`${retryLane}: a call ${Math.round((until - at) / 10) / 100} s before Retry-After had passed (told at ${this.toldAt.get(retryLane) ?? 0})`);
    for (const lane of lanes) {
      this.starts.set(lane, [...(this.starts.get(lane) ?? []), at]);
      this.inFlight.set(lane, (this.inFlight.get(lane) ?? 0) + weight);
      this.maxInFlight.set(lane, Math.max(this.maxInFlight.get(lane) ?? 0, this.inFlight.get(lane) ?? 0));
    }
    try {
      const result = await work();
      this.succeeded++;
      this.lastSuccessAt = Math.max(this.lastSuccessAt, this.clock.ms());
      return result;
    } catch (error) {
      const retryAfterMs = (error as { retryAfterMs?: unknown }).retryAfterMs;
      if (typeof retryAfterMs === 'number' && retryAfterMs > 0) {
        this.waitUntil.set(retryLane, Math.max(this.waitUntil.get(retryLane) ?? 0, this.clock.ms() + retryAfterMs));
        this.toldAt.set(retryLane, this.clock.ms() - at);
      }
      throw error;
    } finally {
      for (const lane of lanes) this.inFlight.set(lane, (this.inFlight.get(lane) ?? 1) - weight);
    }
  }

  /** The most calls of a lane that started inside any window of `windowMs` (from `from` on). */
  maxInWindow(lane: string, windowMs: number, from = 0): number {
    const times = (this.starts.get(lane) ?? []).filter((t) => t >= from).sort((a, b) => a - b);
    let most = 0;
    for (let i = 0, j = 0; i < times.length; i++) {
      while ((times[i] ?? 0) - (times[j] ?? 0) >= windowMs) j++;
      most = Math.max(most, i - j + 1);
    }
    return most;
  }

  lanes(prefix: string): string[] {
    return [...this.starts.keys()].filter((k) => k.startsWith(prefix));
  }
}

/** The bot, as delivery calls it, logged per conversation and for the tenant. */
function loggedMessenger(inner: Messenger, log: CallLog): Messenger {
  return {
    sendToConversation: (ref: ConversationRef, message: OutgoingMessage) => log.call([`conversation:${ref.conversation.id}`, `tenant:${TENANT}`], () => inner.sendToConversation(ref, message)),
    createPersonalConversation: (via, who) => inner.createPersonalConversation(via, who),
  };
}

function loggedFeed(inner: ActivityFeed, log: CallLog): ActivityFeed {
  return { notify: (tenantId: string, userId: string, n: ActivityFeedNotification) => log.call([`feed:${tenantId}`, `tenant:${tenantId}`], () => inner.notify(tenantId, userId, n)) };
}

/** The calendar gateway, logged per mailbox (a `$batch` counts one request per event in it, as Outlook does). */
class LoggedGateway implements CalendarGateway {
  constructor(
    private readonly inner: CalendarGateway,
    private readonly log: CallLog,
  ) {}
  private run<T>(mailbox: string, work: () => Promise<T>, weight = 1): Promise<T> {
    return this.log.call([`mailbox:${mailbox}`], work, weight);
  }
  createEvent(mailbox: string, event: CalendarEventInput) {
    return this.run(mailbox, () => this.inner.createEvent(mailbox, event));
  }
  updateEvent(mailbox: string, id: string, patch: CalendarEventPatch) {
    return this.run(mailbox, () => this.inner.updateEvent(mailbox, id, patch));
  }
  cancelEvent(mailbox: string, id: string, comment: string) {
    return this.run(mailbox, () => this.inner.cancelEvent(mailbox, id, comment));
  }
  setAttendees(mailbox: string, id: string, attendees: CalendarAttendee[]) {
    return this.run(mailbox, () => this.inner.setAttendees(mailbox, id, attendees));
  }
  setAttendeesMany(mailbox: string, changes: AttendeeListChange[]) {
    return this.run(mailbox, () => this.inner.setAttendeesMany(mailbox, changes), changes.length);
  }
  getEvent(mailbox: string, id: string) {
    return this.run(mailbox, () => this.inner.getEvent(mailbox, id));
  }
}

describe('reliability: Graph and the Bot connector down or throttling for minutes', function () {
  this.timeout(240_000);
  useTestDatabase('rel_graph_bot');

  let idp: IdentityProvider;
  let connector: BotConnector;
  let graph: GraphServer;
  let clock: SimClock;

  before(async () => {
    await syncEventIndexes();
    clock = new SimClock(Date.parse('2025-03-04T09:00:00Z'));
    idp = await startIdentityProvider();
    connector = await startBotConnector({ validToken: (token) => idp.issuedAccessTokens.has(token), now: clock.ms });
    graph = await startGraphServer({ validToken: 'app-token', now: clock.ms });
  });
  after(async () => {
    await connector?.stop();
    await graph?.stop();
    await idp?.stop();
  });

  it('loses nothing, duplicates nothing, honours Retry-After, and drains the backlog within the limits', async () => {
    const references = new ConversationReferences();
    const preferences = new NotificationPreferences();
    const deliveryLog = new CallLog(clock);
    const calendarLog = new CallLog(clock);

    // ---- people, chats, the activity feed ----
    const chatPeople: { userId: string; conversationId: string }[] = [];
    for (let i = 0; i < 40; i++) {
      const userId = randomUUID();
      const conversation = connector.addConversation({ tenantId: TENANT, conversationType: 'personal', user: { id: `29:${userId}`, aadObjectId: userId, name: `P${i}` } });
      await references.save(
        { tenantId: TENANT, scope: 'personal', userId, reference: { channelId: 'msteams', serviceUrl: connector.serviceUrl, conversation: { id: conversation.id, conversationType: 'personal', tenantId: TENANT }, bot: { id: `28:${BOT.botId}`, name: 'Meent' }, user: { id: `29:${userId}`, aadObjectId: userId } } },
        { installed: true },
      );
      chatPeople.push({ userId, conversationId: conversation.id });
    }
    const feedPeople: string[] = [];
    for (let i = 0; i < 15; i++) {
      const userId = randomUUID();
      graph.addUser({ id: userId, displayName: `F${i}` });
      await preferences.update(actorFor(userId), { channel: 'activityFeed' });
      feedPeople.push(userId);
    }
    const expectedChat = new Map<string, string>(); // marker -> conversation
    const expectedFeed = new Map<string, string>(); // event id in the topic URL -> user
    let serial = 0;
    const chatIntent = (p: { userId: string; conversationId: string }): NotificationIntent => {
      const marker = `k${++serial}x`;
      expectedChat.set(marker, p.conversationId);
      return { tenantId: TENANT, recipientId: p.userId, kind: 'reply', subject: { type: 'discussion', id: new mongoose.Types.ObjectId().toHexString() }, actorId: randomUUID(), data: { discussionTitle: `Onderwerp ${marker}`, actorName: 'Pieter Bakker', excerpt: 'Wij meten elke maand.' }, idempotencyKey: `rel:${marker}` };
    };
    const feedIntent = (userId: string): NotificationIntent => {
      const eventId = new mongoose.Types.ObjectId().toHexString();
      expectedFeed.set(eventId, userId);
      return { tenantId: TENANT, recipientId: userId, kind: 'eventPromoted', subject: { type: 'event', id: eventId }, data: { eventTitle: `Kennissessie ${eventId}` }, idempotencyKey: `rel:feed:${eventId}` };
    };

    // ---- the calendar: two events already in Outlook, the rest of the changes pending ----
    const calendarGraph = createGraphClient({ baseUrl: graph.baseUrl, getAccessToken: async () => 'app-token', retry: { ...GRAPH_RETRY, baseDelayMs: 5, maxDelayMs: 20 } });
    graph.addUser({ id: MAILBOX, displayName: 'Olga Organisator', mail: 'olga@waterschap.example' });
    const s: EventsServices = services(clock, { calendarGateway: new LoggedGateway(new GraphCalendarGateway({ graph: calendarGraph }), calendarLog), notifications: { enqueue: async () => 0 } });
    const admin = await person(MAILBOX, { isOrgAdmin: true, name: 'Olga Organisator', mail: 'olga@waterschap.example' });
    const members = await Promise.all(Array.from({ length: 30 }, (_, i) => person(`rel-m${i}`, { name: `Lid ${i}`, mail: `rel-lid${i}@waterschap.example` })));
    const kept = await s.events.create(admin, eventInput(clock, { title: 'Dijkschouw', capacity: 50 }, 10));
    const toCancel = await s.events.create(admin, eventInput(clock, { title: 'Veldexcursie', capacity: 50 }, 11));
    for (const m of members.slice(0, 5)) await s.signups.signUp(m, kept.id);
    await s.allocator.idle();
    await s.outbox.drainUntilIdle();
    assert.equal(graph.eventsOf(MAILBOX).length, 2);

    // ---- the outage starts: pending work for both, faults by the simulated clock ----
    const t0 = clock.ms();
    const recoveredAt = t0 + OUTAGE.downMs + OUTAGE.throttledMs;
    const down = () => clock.ms() < t0 + OUTAGE.downMs;
    const throttled = () => clock.ms() >= t0 + OUTAGE.downMs && clock.ms() < recoveredAt;
    const forever = Number.MAX_SAFE_INTEGER;
    connector.failNext({ status: 503, times: forever, match: () => down() });
    connector.failNext({ status: 429, retryAfter: OUTAGE.botRetryAfterS, times: forever, match: () => throttled() });
    graph.failNext({ status: 503, retryAfter: OUTAGE.graph503RetryAfterS, times: forever, match: () => down() });
    graph.failNext({ status: 429, retryAfter: OUTAGE.graph429RetryAfterS, times: forever, match: () => throttled() });

    await enqueueNotifications([...chatPeople.flatMap((p) => [chatIntent(p), chatIntent(p)]), ...feedPeople.map(feedIntent)]);
    const created = await s.events.create(admin, eventInput(clock, { title: 'Waterkwaliteit', capacity: 50, online: true, location: null }, 12));
    for (const m of members.slice(5, 15)) await s.signups.signUp(m, kept.id);
    for (const m of members.slice(15, 25)) await s.signups.signUp(m, created.id);
    await s.allocator.idle();

    const adapter = new CloudAdapter(botAuthentication(idp, BOT));
    const feed = new GraphActivityFeed(() => meentGraphClient({ baseUrl: graph.baseUrl, getAccessToken: async () => 'app-token', singleAttempt: true }));
    let seed = 7;
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const delivery = new NotificationDelivery({
      renderer: new NotificationCards(tabLinks('https://meent.example')),
      messenger: loggedMessenger(new BotMessenger(adapter, BOT.botId), deliveryLog),
      activityFeed: loggedFeed(feed, deliveryLog),
      references,
      preferences,
      governor: new RateGovernor({ limits: limitsFromConfig(LIMITS), now: clock.ms, sleep: clock.sleep }),
      communities: communityLookup,
      logger: createLogger('silent'),
      now: clock.now,
      sleep: clock.sleep,
      random,
    });

    // ---- the worker runs a pass every 5 simulated seconds; people go on changing things ----
    const totals: DeliveryStats = emptyStats();
    let changedDuringOutage = false;
    let drainedAt: number | undefined;
    const deadline = t0 + 60 * MINUTE;
    while (clock.ms() < deadline) {
      const stats = await delivery.runOnce();
      for (const key of Object.keys(totals) as (keyof DeliveryStats)[]) totals[key] += stats[key];
      await s.outbox.drain();
      if (!changedDuringOutage && clock.ms() >= t0 + 90 * SECOND) {
        changedDuringOutage = true;
        await enqueueNotifications([...chatPeople.slice(0, 20).map(chatIntent), ...feedPeople.slice(0, 5).map(feedIntent)]);
        const start = new Date(new Date(kept.start).getTime() + 2 * 3_600_000);
        await s.events.update(admin, kept.id, { title: 'Dijkschouw (verplaatst)', start, end: new Date(start.getTime() + 90 * MINUTE) });
        await s.events.cancel(admin, toCancel.id, 'Te weinig aanmeldingen');
        await s.signups.cancelMine(members[0] as Actor, kept.id);
        for (const m of members.slice(25, 30)) await s.signups.signUp(m, created.id);
        await s.allocator.idle();
      }
      if (clock.ms() >= recoveredAt && changedDuringOutage && (await outstanding()) === 0) {
        drainedAt = Math.max(deliveryLog.lastSuccessAt, calendarLog.lastSuccessAt);
        break;
      }
      clock.advance(5 * SECOND);
    }

    // ---- nothing lost, nothing duplicated ----
    const chatCounts = new Map<string, number>();
    for (const a of connector.activities) {
      const marker = /Onderwerp (k\d+x)/.exec(JSON.stringify(a.activity))?.[1];
      assert.ok(marker, 'every activity is one of ours');
      assert.equal(expectedChat.get(marker), a.conversationId, 'in the right chat');
      chatCounts.set(marker, (chatCounts.get(marker) ?? 0) + 1);
    }
    const feedCounts = new Map<string, number>();
    for (const n of graph.activityNotifications) {
      const eventId = /event\/([0-9a-f]{24})/.exec(n.topic.webUrl ?? '')?.[1] ?? '';
      assert.equal(expectedFeed.get(eventId), n.userId, 'to the right person');
      feedCounts.set(eventId, (feedCounts.get(eventId) ?? 0) + 1);
    }
    const expected = expectedChat.size + expectedFeed.size;
    const delivered = chatCounts.size + feedCounts.size;
    const duplicated = [...chatCounts.values(), ...feedCounts.values()].reduce((sum, c) => sum + c - 1, 0);
    const lost = [...expectedChat.keys()].filter((k) => !chatCounts.has(k)).length + [...expectedFeed.keys()].filter((k) => !feedCounts.has(k)).length;
    const statuses = await NotificationModel.aggregate<{ _id: string; n: number }>([{ $group: { _id: '$status', n: { $sum: 1 } } }]);

    const outlook = graph.eventsOf(MAILBOX);
    const byId = new Map(outlook.map((e) => [String(e.id), e]));
    const calendarChecks: [string, boolean][] = [];
    for (const e of await EventModel.find({}).lean()) {
      const copy = byId.get(e.calendar?.eventId ?? '');
      if (e.status === 'cancelled') {
        // Cancelling takes the event out of the organiser's calendar (and sends the cancellation).
        calendarChecks.push([`${e.title}: cancelled in Outlook, once`, graph.cancellations.filter((c) => c.eventId === e.calendar?.eventId).length === 1 && copy === undefined]);
        continue;
      }
      calendarChecks.push([`${e.title}: in Outlook`, copy !== undefined]);
      calendarChecks.push([`${e.title}: subject`, copy?.subject === e.title]);
      calendarChecks.push([`${e.title}: start`, (copy?.start as { dateTime?: string } | undefined)?.dateTime === `${e.start.toISOString().slice(0, 19)}.0000000`]);
      const registered = (await RegistrationModel.find({ eventId: e._id, status: 'registered', isGuest: false }).lean()).map((r) => r.email ?? '').sort();
      const attendees = ((copy?.attendees ?? []) as { emailAddress: { address: string } }[]).map((a) => a.emailAddress.address).sort();
      calendarChecks.push([`${e.title}: attendees`, JSON.stringify(registered) === JSON.stringify(attendees)]);
    }
    const calendarFailed = calendarChecks.filter(([, ok]) => !ok).map(([what]) => what);

    // ---- within the limits after recovery ----
    const overLimits: string[] = [];
    for (const lane of deliveryLog.lanes('conversation:')) {
      const most = deliveryLog.maxInWindow(lane, SECOND, recoveredAt);
      if (most > LIMITS.conversationPerSecond) overLimits.push(`${lane}: ${most} in a second`);
    }
    const tenantMost = deliveryLog.maxInWindow(`tenant:${TENANT}`, SECOND, recoveredAt);
    const feedMost = deliveryLog.maxInWindow(`feed:${TENANT}`, SECOND, recoveredAt);
    if (tenantMost > LIMITS.tenantPerSecond) overLimits.push(`tenant: ${tenantMost} in a second`);
    if (feedMost > LIMITS.activityFeedPerSecond) overLimits.push(`activity feed: ${feedMost} in a second`);
    const mailboxMost = calendarLog.maxInFlight.get(`mailbox:${MAILBOX}`) ?? 0;
    if (mailboxMost > LIMITS.mailboxConcurrency) overLimits.push(`mailbox: ${mailboxMost} in flight`);

    const faults = {
      bot503: connector.requests.filter((r) => r.status === 503).length,
      bot429: connector.requests.filter((r) => r.status === 429).length,
      graph503: graph.requests.filter((r) => r.status === 503).length,
      graph429: graph.requests.filter((r) => r.status === 429).length,
    };
    const faultsInjected = faults.bot503 + faults.bot429 + faults.graph503 + faults.graph429;
    const retryAfterViolations = [...deliveryLog.violations, ...calendarLog.violations];
    const summary = {
      faultsInjected,
      ...faults,
      sendsAttempted: deliveryLog.attempted,
      notificationsExpected: expected,
      delivered,
      duplicated,
      lost,
      deadLettered: statuses.find((x) => x._id === 'failed')?.n ?? 0,
      calendarRequestsAttempted: calendarLog.attempted,
      calendarChecks: `${calendarChecks.length - calendarFailed.length}/${calendarChecks.length}`,
      retryAfterViolations: retryAfterViolations.length,
      outageSimulatedSeconds: (recoveredAt - t0) / SECOND,
      drainSimulatedSeconds: drainedAt === undefined ? null : Math.max(0, Math.round((drainedAt - recoveredAt) / 100) / 10),
      peakPerSecondAfterRecovery: { tenant: tenantMost, activityFeed: feedMost, conversation: Math.max(0, ...deliveryLog.lanes('conversation:').map((l) => deliveryLog.maxInWindow(l, SECOND, recoveredAt))) },
      mailboxPeakInFlight: mailboxMost,
      deliveryStats: totals,
    };
    console.log(`[reliability] graph-and-bot-down ${JSON.stringify(summary)}`);

    assert.ok(faults.bot503 > 0 && faults.bot429 > 0 && faults.graph503 > 0 && faults.graph429 > 0, 'every kind of fault happened');
    assert.ok(drainedAt !== undefined, 'the backlog drained within an hour of simulated time');
    assert.deepEqual(retryAfterViolations, [], 'no call before Retry-After');
    assert.equal(lost, 0, 'no notification lost');
    assert.equal(duplicated, 0, 'no notification duplicated');
    assert.equal(summary.deadLettered, 0, 'none dead-lettered');
    assert.deepEqual(calendarFailed, [], 'Outlook equal to Meent');
    assert.equal(outlook.length, 2, 'one Outlook event per event not cancelled');
    assert.deepEqual(overLimits, [], 'the backlog drained within the limits');
    assert.equal(await CalendarSyncModel.countDocuments({ pending: true }), 0);
    assert.equal(await LotModel.countDocuments({}), 0);
    assert.equal(await DeliveryModel.countDocuments({ state: 'sent' }), expected);
  });
});

const actorFor = (userId: string): Actor => ({ userId, tenantId: TENANT, name: 'x', isGuest: false, mfa: true, isOrgAdmin: false, roles: [] });

/** Notifications not yet settled and calendar jobs not yet synced. */
async function outstanding(): Promise<number> {
  const [pending, calendar] = await Promise.all([NotificationModel.countDocuments({ status: mongoose.trusted({ $in: ['pending', 'held'] }) }), CalendarSyncModel.countDocuments({ pending: true })]);
  return pending + calendar;
}
