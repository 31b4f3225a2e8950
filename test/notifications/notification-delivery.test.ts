import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import mongoose from 'mongoose';
import { CloudAdapter } from 'botbuilder';
import sinon from 'sinon';
import { BotMessenger } from '../../bot/bot-messenger.js';
import { NotificationCards } from '../../bot/notification-cards.js';
import { tabLinks } from '../../bot/ports.js';
import { CommunityModel } from '../../src/communities/community.model.js';
import { createGraphClient } from '../../src/graph/graph-client.js';
import { communityLookup } from '../../src/communities/community-lookup.js';
import { GraphActivityFeed } from '../../src/notifications/activity-feed-gateway.js';
import { createLogger } from '../../src/logging/logger.js';
import { ConversationReferences, channelKey, personalKey } from '../../src/notifications/conversation-references.js';
import { DeliveryModel } from '../../src/notifications/delivery.model.js';
import type { Messenger } from '../../src/notifications/messenger.js';
import { NotificationDelivery, type NotificationDeliveryDeps } from '../../src/notifications/notification-delivery.js';
import { enqueueNotifications, type NotificationIntent } from '../../src/notifications/notification-outbox.js';
import { LotModel } from '../../src/notifications/notification-lot.model.js';
import { deliveryKeyOf, NotificationModel, type NotificationRecord } from '../../src/notifications/notification.model.js';
import { NotificationPreferences } from '../../src/notifications/notification-preferences.js';
import { RateGovernor } from '../../src/notifications/rate-governor.js';
import type { Actor } from '../../src/auth/actor.js';
import { botAuthentication } from '../support/bot-auth.js';
import { startBotConnector, type BotConnector } from '../support/bot-connector.js';
import { useTestDatabase } from '../support/database.js';
import { startGraphServer, type GraphServer } from '../support/graph-server.js';
import { startIdentityProvider, type IdentityProvider } from '../support/identity-provider.js';

const TENANT = '5e1c7a52-0d1b-4c3e-9a77-2f6d4b8c9e10';
const BOT = { botId: '7d3c2b1a-0f9e-4d8c-b7a6-5f4e3d2c1b0a', password: 'bot-secret-0123456789', tenantId: TENANT };
const links = tabLinks('https://meent.example');

describe('notification delivery (outbox -> Teams, through the local connector)', function () {
  this.timeout(60_000);
  useTestDatabase('notify');
  const sandbox = sinon.createSandbox();
  let idp: IdentityProvider;
  let connector: BotConnector;
  let graph: GraphServer;
  let adapter: CloudAdapter;
  let messenger: BotMessenger;
  const references = new ConversationReferences();
  const preferences = new NotificationPreferences();
  let clock: Date;

  before(async () => {
    idp = await startIdentityProvider();
    connector = await startBotConnector({ validToken: (token) => idp.issuedAccessTokens.has(token) });
    graph = await startGraphServer();
    adapter = new CloudAdapter(botAuthentication(idp, BOT));
    messenger = new BotMessenger(adapter, BOT.botId);
  });
  after(async () => {
    await connector.stop();
    await graph.stop();
    await idp.stop();
  });
  beforeEach(async () => {
    connector.reset();
    graph.reset();
    clock = new Date('2025-03-04T10:00:00Z');
    await Promise.all([NotificationModel.deleteMany({}), DeliveryModel.deleteMany({}), LotModel.deleteMany({}), mongoose.connection.collection('conversation_references').deleteMany({}), mongoose.connection.collection('notification_preferences').deleteMany({}), mongoose.connection.collection('notification_mutes').deleteMany({})]);
  });
  afterEach(() => sandbox.restore());

  function delivery(overrides: Partial<NotificationDeliveryDeps> = {}): NotificationDelivery {
    return new NotificationDelivery({
      renderer: new NotificationCards(links),
      messenger,
      references,
      preferences,
      governor: new RateGovernor(),
      logger: createLogger('silent'),
      now: () => clock,
      random: () => 0.5,
      baseBackoffMs: 20,
      maxBackoffMs: 100,
      communities: communityLookup,
      ...overrides,
    });
  }

  /** A person with the app installed: their personal chat exists in the connector and in our store. */
  async function installedPerson(name = 'Sanne'): Promise<{ userId: string; conversationId: string }> {
    const userId = randomUUID();
    const conversation = connector.addConversation({ tenantId: TENANT, conversationType: 'personal', user: { id: `29:${userId}`, aadObjectId: userId, name } });
    await references.save(
      {
        tenantId: TENANT,
        scope: 'personal',
        userId,
        reference: { channelId: 'msteams', serviceUrl: connector.serviceUrl, conversation: { id: conversation.id, conversationType: 'personal', tenantId: TENANT }, bot: { id: `28:${BOT.botId}`, name: 'Meent' }, user: { id: `29:${userId}`, aadObjectId: userId } },
      },
      { installed: true },
    );
    return { userId, conversationId: conversation.id };
  }

  function intent(recipientId: string, overrides: Partial<NotificationIntent> = {}): NotificationIntent {
    const id = new mongoose.Types.ObjectId().toHexString();
    return {
      tenantId: TENANT,
      recipientId,
      kind: 'reply',
      subject: { type: 'discussion', id },
      actorId: randomUUID(),
      data: { discussionTitle: 'Nitraat in het grondwater', actorName: 'Pieter Bakker', excerpt: 'Wij meten elke maand.', communityId: new mongoose.Types.ObjectId().toHexString(), communityName: 'Waterkwaliteit' },
      idempotencyKey: `test:${randomUUID()}`,
      ...overrides,
    };
  }

  const actorFor = (userId: string): Actor => ({ userId, tenantId: TENANT, name: 'x', isGuest: false, mfa: true, isOrgAdmin: false, roles: [] });
  const statusOf = async (key: string) => (await NotificationModel.findOne({ idempotencyKey: key }).lean<NotificationRecord>())?.status;

  it('sends an immediate notification once, as a card in the personal chat, and marks it sent', async () => {
    const person = await installedPerson();
    const n = intent(person.userId);
    await enqueueNotifications([n]);

    const stats = await delivery().runOnce();
    const again = await delivery().runOnce();

    assert.equal(stats.sent, 1);
    assert.equal(again.sent, 0);
    const sent = connector.sentTo(person.conversationId);
    assert.equal(sent.length, 1);
    const attachment = (sent[0]?.activity.attachments as { contentType: string; content: { body: { text?: string }[] } }[])[0];
    assert.equal(attachment?.contentType, 'application/vnd.microsoft.card.adaptive');
    assert.ok(attachment?.content.body.some((b) => b.text === 'Pieter Bakker reageerde op "Nitraat in het grondwater"'));
    const stored = await NotificationModel.findOne({ idempotencyKey: n.idempotencyKey }).lean<NotificationRecord>();
    assert.ok(stored);
    assert.equal(stored.status, 'sent');
    assert.equal(deliveryKeyOf(stored), `n:${String(stored._id)}`);
    const record = await DeliveryModel.findOne({ key: deliveryKeyOf(stored) }).lean();
    assert.equal(record?.state, 'sent');
    assert.equal(record?.activityId, sent[0]?.activityId);
    assert.equal(await LotModel.countDocuments({}), 0, 'a finished lot is deleted');
  });

  it('respects preferences: a kind turned off is skipped, a muted community is skipped, news about your own seat still comes', async () => {
    const person = await installedPerson();
    await preferences.update(actorFor(person.userId), { kinds: { mention: 'off' } });
    const muted = new mongoose.Types.ObjectId().toHexString();
    await preferences.mute(actorFor(person.userId), 'community', muted, 'Waterkwaliteit');
    const off = intent(person.userId, { kind: 'mention' });
    const mutedReply = intent(person.userId, { data: { discussionTitle: 'x', communityId: muted } });
    const promoted = intent(person.userId, { kind: 'eventPromoted', subject: { type: 'event', id: new mongoose.Types.ObjectId().toHexString() }, data: { eventTitle: 'Kennissessie drones', communityId: muted } });
    await enqueueNotifications([off, mutedReply, promoted]);

    const stats = await delivery().runOnce();

    assert.equal(stats.skipped, 2);
    assert.equal(stats.sent, 1);
    assert.equal(await statusOf(off.idempotencyKey), 'skipped');
    assert.equal((await NotificationModel.findOne({ idempotencyKey: mutedReply.idempotencyKey }).lean<NotificationRecord>())?.skipReason, 'muted');
    assert.equal(await statusOf(promoted.idempotencyKey), 'sent');
    assert.equal(connector.sentTo(person.conversationId).length, 1);
  });

  it('holds digest kinds and sends one digest per person and period, grouped per community', async () => {
    const person = await installedPerson();
    const [a, b] = [new mongoose.Types.ObjectId().toHexString(), new mongoose.Types.ObjectId().toHexString()];
    const items = [
      intent(person.userId, { kind: 'newDiscussion', data: { discussionTitle: 'Eerste', communityId: a, communityName: 'Waterkwaliteit' } }),
      intent(person.userId, { kind: 'newDiscussion', data: { discussionTitle: 'Tweede', communityId: a, communityName: 'Waterkwaliteit' } }),
      intent(person.userId, { kind: 'newDiscussion', data: { discussionTitle: 'Derde', communityId: b, communityName: 'Droogte' } }),
    ];
    await enqueueNotifications(items);

    const first = await delivery().runOnce();
    assert.equal(first.held, 3);
    assert.equal(connector.activities.length, 0);
    const held = await NotificationModel.findOne({ idempotencyKey: items[0]?.idempotencyKey }).lean<NotificationRecord>();
    // Written 10:00 UTC (11:00 in Amsterdam) on 4 March: the next 08:00 Amsterdam is 5 March 07:00 UTC.
    assert.equal(held?.digest?.period, 'daily:2025-03-05');
    assert.equal(held?.digest?.dueAt.toISOString(), '2025-03-05T07:00:00.000Z');

    clock = new Date('2025-03-05T07:00:01Z');
    const due = await delivery().runOnce();
    await delivery().runOnce();

    assert.equal(due.digests, 1);
    const sent = connector.sentTo(person.conversationId);
    assert.equal(sent.length, 1, 'one message for the person and period');
    const card = (sent[0]?.activity.attachments as { content: { body: { type: string; items?: { text?: string }[] }[] } }[])[0]?.content;
    const sections = card?.body.filter((x) => x.type === 'Container').map((c) => c.items?.[0]?.text);
    assert.deepEqual(sections, ['Droogte', 'Waterkwaliteit']);
    for (const item of items) assert.equal(await statusOf(item.idempotencyKey), 'sent');
  });

  it('waits out a 429 (Retry-After) and sends once; the connector saw exactly two requests', async () => {
    const person = await installedPerson();
    connector.failNext({ status: 429, retryAfter: 0.2, match: (r) => r.conversationId === person.conversationId });
    const n = intent(person.userId);
    await enqueueNotifications([n]);

    const stats = await delivery().runOnce();

    assert.equal(stats.sent, 1);
    assert.equal(stats.retries, 1);
    assert.equal(connector.requests.filter((r) => r.conversationId === person.conversationId).length, 2);
    assert.deepEqual(connector.requests.map((r) => r.status), [429, 201]);
    assert.ok((connector.requests[1]?.at ?? 0) - (connector.requests[0]?.at ?? 0) >= 200, 'the retry came after Retry-After');
    assert.equal(connector.sentTo(person.conversationId).length, 1);
  });

  it('records a person who blocked the bot (403) and skips them from then on', async () => {
    const person = await installedPerson();
    connector.block(person.conversationId);
    await enqueueNotifications([intent(person.userId)]);
    const stats = await delivery().runOnce();
    assert.equal(stats.skipped, 1);
    const reference = await references.find(TENANT, personalKey(person.userId));
    assert.equal(reference?.state, 'blocked');

    connector.reset();
    const later = intent(person.userId);
    await enqueueNotifications([later]);
    await delivery().runOnce();
    assert.equal(connector.requests.length, 0, 'no request to a blocked conversation');
    assert.equal((await NotificationModel.findOne({ idempotencyKey: later.idempotencyKey }).lean<NotificationRecord>())?.skipReason, 'blocked');
  });

  it('records a conversation that is gone (404) and skips the notification', async () => {
    const person = await installedPerson();
    connector.remove(person.conversationId);
    const n = intent(person.userId);
    await enqueueNotifications([n]);
    await delivery().runOnce();
    assert.equal((await references.find(TENANT, personalKey(person.userId)))?.state, 'gone');
    const stored = await NotificationModel.findOne({ idempotencyKey: n.idempotencyKey }).lean<NotificationRecord>();
    assert.equal(stored?.status, 'skipped');
    assert.equal(stored?.skipReason, 'gone');
  });

  it('dead-letters after a bounded number of attempts when the connector keeps failing', async () => {
    const person = await installedPerson();
    connector.failNext({ status: 503, times: 10 });
    const n = intent(person.userId);
    await enqueueNotifications([n]);

    const stats = await delivery({ maxAttempts: 3, giveUpAfterMs: 0 }).runOnce();

    assert.equal(stats.failed, 1);
    assert.equal(connector.requests.length, 3);
    const stored = await NotificationModel.findOne({ idempotencyKey: n.idempotencyKey }).lean<NotificationRecord>();
    assert.equal(stored?.status, 'failed');
    assert.equal(stored?.attempts, 3);
    assert.match(stored?.lastError ?? '', /transient 503/);
  });

  it('keeps retrying through an outage longer than its quick attempts, and dead-letters only after giveUpAfterMs', async () => {
    // Regression (issue 18): five quick attempts used to dead-letter every notification of a
    // connector that was down for a minute. The clock moves with each wait, as a real one would.
    const person = await installedPerson();
    connector.failNext({ status: 503, times: 12 });
    const n = intent(person.userId);
    await enqueueNotifications([n]);
    const moving = (ms: number) => {
      clock = new Date(clock.getTime() + ms);
      return Promise.resolve();
    };
    const run = () => delivery({ maxAttempts: 3, baseBackoffMs: 1_000, maxBackoffMs: 4_000, outageBackoffMs: 60_000, maxInlineWaitMs: 10_000, giveUpAfterMs: 3_600_000, sleep: moving }).runOnce();

    let passes = 0;
    while ((await statusOf(n.idempotencyKey)) === 'pending' && passes++ < 50) {
      await run();
      clock = new Date(clock.getTime() + 60_000);
    }

    assert.equal(await statusOf(n.idempotencyKey), 'sent', 'delivered once the connector came back');
    assert.equal(connector.requests.length, 13);
    assert.equal(connector.sentTo(person.conversationId).length, 1);

    // Down for longer than giveUpAfterMs: then it is dead-lettered.
    connector.reset();
    connector.failNext({ status: 503, times: 1_000 });
    const late = intent(person.userId);
    await enqueueNotifications([late]);
    passes = 0;
    while ((await statusOf(late.idempotencyKey)) === 'pending' && passes++ < 200) {
      await delivery({ maxAttempts: 3, baseBackoffMs: 1_000, maxBackoffMs: 4_000, outageBackoffMs: 60_000, maxInlineWaitMs: 10_000, giveUpAfterMs: 600_000, sleep: moving }).runOnce();
      clock = new Date(clock.getTime() + 60_000);
    }
    assert.equal(await statusOf(late.idempotencyKey), 'failed');
  });

  it('pauses the lane for the Retry-After of a 503 too, so that no other send goes there before it', async () => {
    const person = await installedPerson();
    connector.failNext({ status: 503, retryAfter: 0.3, match: (r) => r.conversationId === person.conversationId });
    await enqueueNotifications([intent(person.userId), intent(person.userId)]);

    const stats = await delivery({ concurrency: 2 }).runOnce();

    assert.equal(stats.sent, 2);
    const [refused, ...later] = connector.requests;
    assert.equal(refused?.status, 503);
    for (const r of later) assert.ok(r.at - (refused?.at ?? 0) >= 300, `a send ${r.at - (refused?.at ?? 0)} ms after a 503 with Retry-After: 0.3`);
  });

  it('releases a send for a later pass when Retry-After is longer than it will wait inline', async () => {
    const person = await installedPerson();
    connector.failNext({ status: 429, retryAfter: 120 });
    const n = intent(person.userId);
    await enqueueNotifications([n]);

    const stats = await delivery({ maxInlineWaitMs: 1_000 }).runOnce();
    assert.equal(stats.released, 1);
    const stored = await NotificationModel.findOne({ idempotencyKey: n.idempotencyKey }).lean<NotificationRecord>();
    assert.equal(stored?.status, 'pending');
    assert.ok((stored?.notBefore?.getTime() ?? 0) >= clock.getTime() + 120_000);

    assert.equal((await delivery().runOnce()).sent, 0, 'not before Retry-After');
    clock = new Date(clock.getTime() + 200_000);
    assert.equal((await delivery().runOnce()).sent, 1);
    assert.equal(connector.sentTo(person.conversationId).length, 1);
  });

  it('resumes a fan-out after an instance stopped half-way, without duplicates or losses', async () => {
    const people = await Promise.all(Array.from({ length: 12 }, (_, i) => installedPerson(`P${i}`)));
    await enqueueNotifications(
      people.map((p) => intent(p.userId)),
      { lotSize: 4 },
    );

    // Instance A claims a lot at a time (three lots of four; with a concurrency of one it takes
    // the next when fewer than two sends are queued), delivers five, then freezes in its sixth
    // send (a crash), holding its second lot: one send of it recorded but not yet marked, three not made.
    let calls = 0;
    const freezing: Messenger = {
      sendToConversation: (ref, message) => (++calls > 5 ? new Promise(() => undefined) : messenger.sendToConversation(ref, message)),
      createPersonalConversation: (via, person) => messenger.createPersonalConversation(via, person),
    };
    const a = delivery({ messenger: freezing, concurrency: 1, lookahead: 2, owner: 'instance-a' });
    void a.runOnce();
    await waitUntil(() => connector.activities.length === 5 && calls === 6);

    // Instance B while A's claims still hold: it sends what A never claimed, and leaves A's claims alone.
    const early = await delivery({ owner: 'instance-b' }).runOnce();
    assert.equal(early.sent, 4);
    assert.equal(early.inDoubt, 0);

    // After the lease: B takes over A's second lot, leaves the send A recorded alone, and sends the
    // three A did not finish (the one it froze in included).
    clock = new Date(clock.getTime() + 10 * 60_000);
    const late = await delivery({ owner: 'instance-b' }).runOnce();
    assert.equal(late.sent, 3);
    assert.equal(late.inDoubt, 3, 'the claims A did not finish are taken over');
    for (const p of people) assert.equal(connector.sentTo(p.conversationId).length, 1, 'exactly one message per person');
    assert.equal(await NotificationModel.countDocuments({ status: 'sent' }), 12);
  });

  it('two instances delivering at the same time send each notification once', async () => {
    const people = await Promise.all(Array.from({ length: 30 }, (_, i) => installedPerson(`P${i}`)));
    await enqueueNotifications(people.map((p) => intent(p.userId)));

    const [x, y] = await Promise.all([delivery({ owner: 'x' }).runOnce(), delivery({ owner: 'y' }).runOnce()]);

    assert.equal(x.sent + y.sent, 30);
    for (const p of people) assert.equal(connector.sentTo(p.conversationId).length, 1);
  });

  it('two instances taking lots from one outbox send each notification once, and leave no lot behind', async () => {
    const people = await Promise.all(Array.from({ length: 40 }, (_, i) => installedPerson(`P${i}`)));
    await enqueueNotifications(
      people.map((p) => intent(p.userId)),
      { lotSize: 5 },
    );
    assert.equal(await LotModel.countDocuments({}), 8);

    const [x, y] = await Promise.all([delivery({ owner: 'x', concurrency: 3, random: Math.random }).runOnce(), delivery({ owner: 'y', concurrency: 3, random: Math.random }).runOnce()]);

    assert.equal(x.sent + y.sent, 40);
    assert.equal(x.lots + y.lots, 8, 'every lot was taken once');
    for (const p of people) assert.equal(connector.sentTo(p.conversationId).length, 1, 'exactly one message per person');
    assert.equal(await NotificationModel.countDocuments({ status: 'sent' }), 40);
    assert.equal(await DeliveryModel.countDocuments({ state: 'sent' }), 40);
    assert.equal(await LotModel.countDocuments({}), 0);
  });

  it('renews the lease of a lot that takes long, and stops sending a lot whose lease went to another instance', async () => {
    const people = await Promise.all(Array.from({ length: 3 }, (_, i) => installedPerson(`P${i}`)));
    await enqueueNotifications(people.map((p) => intent(p.userId)));
    // Each send takes 10 seconds of the clock; the lease is 20 seconds and a send needs 15 of it left.
    const slow: Messenger = {
      sendToConversation: async (ref, message) => {
        clock = new Date(clock.getTime() + 10_000);
        return messenger.sendToConversation(ref, message);
      },
      createPersonalConversation: (via, person) => messenger.createPersonalConversation(via, person),
    };
    const renewed = await delivery({ messenger: slow, leaseMs: 20_000, concurrency: 1 }).runOnce();
    assert.equal(renewed.sent, 3, 'all three went out under a renewed lease');
    assert.equal(await LotModel.countDocuments({}), 0);

    const others = await Promise.all(Array.from({ length: 3 }, (_, i) => installedPerson(`Q${i}`)));
    await enqueueNotifications(others.map((p) => intent(p.userId)));
    const cutOff: Messenger = {
      sendToConversation: async (ref, message) => {
        // Meanwhile the lease ran out and another instance took the lot.
        clock = new Date(clock.getTime() + 10_000);
        await LotModel.updateMany({}, { $set: { owner: 'another-instance' } });
        return messenger.sendToConversation(ref, message);
      },
      createPersonalConversation: (via, person) => messenger.createPersonalConversation(via, person),
    };
    const stopped = await delivery({ messenger: cutOff, leaseMs: 20_000, concurrency: 1 }).runOnce();
    assert.equal(stopped.sent, 1, 'no send after the lease was lost');
    assert.equal(await NotificationModel.countDocuments({ status: 'pending' }), 2);
    assert.equal((await LotModel.findOne({}).lean())?.owner, 'another-instance', 'the lot is left to its new owner');
  });

  it('reads the personal chats of a large lot at once, and sees chats blocked or opened since', async () => {
    const people = await Promise.all(Array.from({ length: 3 }, (_, i) => installedPerson(`P${i}`)));
    const bulk = () => delivery({ bulkReferencesFrom: 2 });
    const round = async (list: { userId: string }[]) => {
      await enqueueNotifications(list.map((p) => intent(p.userId)));
      return bulk().runOnce();
    };
    assert.equal((await round(people)).sent, 3);

    const [first, second, third] = people as [(typeof people)[number], (typeof people)[number], (typeof people)[number]];
    connector.block(third.conversationId);
    const blocked = await round(people);
    assert.equal(blocked.sent, 2);
    assert.equal((await references.find(TENANT, personalKey(third.userId)))?.state, 'blocked');

    connector.reset();
    const newcomer = await installedPerson('Nieuw');
    const later = await round([first, second, third, newcomer]);
    assert.equal(later.sent, 3, 'the newcomer (not in the copy read before) is found');
    assert.equal(later.skipped, 1);
    assert.equal(connector.sentTo(third.conversationId).length, 0, 'no request to the chat that was blocked since the copy was read');
    assert.equal(connector.sentTo(newcomer.conversationId).length, 1);
  });

  it('delivers notifications written without a lot (by an older version) too', async () => {
    const person = await installedPerson();
    await NotificationModel.create({ ...intent(person.userId), status: 'pending' });

    const stats = await delivery().runOnce();

    assert.equal(stats.sent, 1);
    assert.equal(connector.sentTo(person.conversationId).length, 1);
  });

  it('opens a personal chat (POST /v3/conversations) when the person has none yet, and keeps its reference', async () => {
    // The app is installed in a team: that reference's service URL and bot account open the 1:1 chat.
    const team = connector.addConversation({ tenantId: TENANT, conversationType: 'channel', id: '19:general@thread.tacv2' });
    await references.save({ tenantId: TENANT, scope: 'channel', teamId: '19:team@thread.tacv2', channelId: team.id, reference: { channelId: 'msteams', serviceUrl: connector.serviceUrl, conversation: { id: team.id, conversationType: 'channel', tenantId: TENANT }, bot: { id: `28:${BOT.botId}`, name: 'Meent' } } }, { installed: true });
    const userId = randomUUID();
    await enqueueNotifications([intent(userId)]);

    const stats = await delivery().runOnce();

    assert.equal(stats.sent, 1);
    assert.equal(connector.requests[0]?.operation, 'createConversation');
    const stored = await references.find(TENANT, personalKey(userId));
    assert.ok(stored);
    assert.equal(connector.sentTo(stored.reference.conversation.id).length, 1);
    assert.equal(connector.conversation(stored.reference.conversation.id)?.user?.aadObjectId, userId);
  });

  it('uses the Teams activity feed (Graph sendActivityNotification) for people who chose it', async () => {
    const person = await installedPerson();
    graph.addUser({ id: person.userId, displayName: 'Sanne' });
    await preferences.update(actorFor(person.userId), { channel: 'activityFeed' });
    await enqueueNotifications([intent(person.userId, { kind: 'eventPromoted', subject: { type: 'event', id: new mongoose.Types.ObjectId().toHexString() }, data: { eventTitle: 'Kennissessie drones' } })]);
    const feed = new GraphActivityFeed(() => createGraphClient({ baseUrl: graph.baseUrl, getAccessToken: async () => 'app-token', retry: { maxAttempts: 1 } }));

    const stats = await delivery({ activityFeed: feed }).runOnce();

    assert.equal(stats.sent, 1);
    assert.equal(connector.activities.length, 0);
    assert.equal(graph.activityNotifications.length, 1);
    const sent = graph.activityNotifications[0];
    assert.equal(sent?.activityType, 'eventPromoted');
    assert.deepEqual(sent?.templateParameters, [{ name: 'eventTitle', value: 'Kennissessie drones' }]);
    assert.equal(sent?.topic.source, 'text');
    assert.match(sent?.topic.webUrl ?? '', /^https:\/\/meent\.example\/tab\/#\/event\//);
  });

  it('posts a new event of a community pinned to a channel as a card with a sign-up button', async () => {
    const community = await CommunityModel.create({ tenantId: TENANT, name: 'Droogte', description: { source: '', html: '' }, visibility: 'public', guestsAllowed: false, createdBy: randomUUID(), teamId: '19:team@thread.tacv2', channelId: '19:droogte@thread.tacv2' });
    const channel = connector.addConversation({ tenantId: TENANT, conversationType: 'channel', id: '19:droogte@thread.tacv2' });
    await references.save({ tenantId: TENANT, scope: 'channel', teamId: '19:team@thread.tacv2', channelId: channel.id, reference: { channelId: 'msteams', serviceUrl: connector.serviceUrl, conversation: { id: channel.id, conversationType: 'channel', tenantId: TENANT }, bot: { id: `28:${BOT.botId}` } } }, { installed: true });
    const eventId = new mongoose.Types.ObjectId().toHexString();
    await enqueueNotifications([
      {
        tenantId: TENANT,
        recipientId: `community:${String(community._id)}`,
        kind: 'eventAnnounced',
        subject: { type: 'event', id: eventId },
        data: { eventTitle: 'Kennissessie droogte', startsAt: '2025-04-01T12:00:00Z', endsAt: '2025-04-01T14:00:00Z', timeZone: 'Europe/Amsterdam', capacity: 30, communityName: 'Droogte' },
        idempotencyKey: `announce:${eventId}`,
      },
    ]);

    const stats = await delivery().runOnce();

    assert.equal(stats.sent, 1);
    assert.equal(channelKey('19:team@thread.tacv2', channel.id), `channel:19:team@thread.tacv2:${channel.id}`);
    const post = connector.sentTo(channel.id)[0];
    const card = (post?.activity.attachments as { content: { actions: { verb?: string; data?: { eventId?: string } }[] } }[])[0]?.content;
    assert.ok(card?.actions.some((a) => a.verb === 'event.signUp' && a.data?.eventId === eventId));
  });
});

async function waitUntil(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not reached');
    await new Promise((r) => setTimeout(r, 10));
  }
}
