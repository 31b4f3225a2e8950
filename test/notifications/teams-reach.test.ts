/**
 * Reaching people who never installed the app (issue 14): the delivery installs Meent for them
 * through the local Graph (POST /users/{id}/teamwork/installedApps), waits for the bot's
 * installation update, and sends in the new chat; a person the app permission policy keeps the
 * app from is recorded unreachable by Teams and e-mailed from the mailbox (POST /users/{mailbox}/sendMail),
 * or skipped with the reason without a mailbox. Real connector, real Graph stand-in, real FerretDB.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import mongoose from 'mongoose';
import { CloudAdapter } from 'botbuilder';
import { BotMessenger } from '../../bot/bot-messenger.js';
import { NotificationCards } from '../../bot/notification-cards.js';
import { tabLinks } from '../../bot/ports.js';
import { communityLookup } from '../../src/communities/community-lookup.js';
import { meentGraphClient } from '../../src/graph/graph-client.js';
import { createLogger } from '../../src/logging/logger.js';
import { GraphAppInstaller } from '../../src/notifications/app-installation-gateway.js';
import { AppInstallationModel } from '../../src/notifications/app-installation.model.js';
import { ConversationReferences } from '../../src/notifications/conversation-references.js';
import { DeliveryModel } from '../../src/notifications/delivery.model.js';
import { GraphMailSender } from '../../src/notifications/mail-gateway.js';
import { NotificationDelivery } from '../../src/notifications/notification-delivery.js';
import { enqueueNotifications, type NotificationIntent } from '../../src/notifications/notification-outbox.js';
import { LotModel } from '../../src/notifications/notification-lot.model.js';
import { NotificationModel, type NotificationRecord } from '../../src/notifications/notification.model.js';
import { NotificationPreferences } from '../../src/notifications/notification-preferences.js';
import { RateGovernor } from '../../src/notifications/rate-governor.js';
import { ReachSettingsModel } from '../../src/notifications/reach-settings.model.js';
import { TeamsReach } from '../../src/notifications/teams-reach.js';
import { botAuthentication } from '../support/bot-auth.js';
import { startBotConnector, type BotConnector } from '../support/bot-connector.js';
import { useTestDatabase } from '../support/database.js';
import { startGraphServer, type GraphServer } from '../support/graph-server.js';
import { startIdentityProvider, type IdentityProvider } from '../support/identity-provider.js';

const TENANT = '6a2d8b63-1e2c-4d4f-8b88-3a7e5c9d0f21';
const BOT = { botId: '8e4d3c2b-1a0f-4e9d-a8b7-6f5e4d3c2b1a', password: 'bot-secret-0123456789', tenantId: TENANT };
const CATALOG_APP = 'f7a1c2d3-0b4e-4c5f-9a6b-7c8d9e0f1a2b';
const MAILBOX = 'meent-berichten@waterschap.example';
const GRAPH_TOKEN = 'graph-app-token-for-reach-tests-0123456789';
const links = tabLinks('https://meent.example');

describe('reaching people who never installed the app (install through Graph, e-mail when refused)', function () {
  this.timeout(120_000);
  useTestDatabase('reach');
  let idp: IdentityProvider;
  let connector: BotConnector;
  let graph: GraphServer;
  let messenger: BotMessenger;
  let references: ConversationReferences;
  const preferences = new NotificationPreferences();
  /** Simulated time for the rate governor and the Graph stand-in's request stamps. */
  let sim = 0;
  const simSleep = (ms: number) => {
    sim += ms;
    return Promise.resolve();
  };
  const mails = new Map<string, string>();
  const logLines: string[] = [];
  /** When the governor let each installation go, by its clock. */
  const installGrants: number[] = [];

  before(async () => {
    idp = await startIdentityProvider();
    connector = await startBotConnector({ validToken: (token) => idp.issuedAccessTokens.has(token) });
    graph = await startGraphServer({ validToken: GRAPH_TOKEN, now: () => sim });
    messenger = new BotMessenger(new CloudAdapter(botAuthentication(idp, BOT)), BOT.botId);
  });
  after(async () => {
    await connector.stop();
    await graph.stop();
    await idp.stop();
  });
  beforeEach(async () => {
    connector.reset();
    graph.reset();
    graph.reach.addCatalogApp(CATALOG_APP);
    graph.addUser({ mail: MAILBOX, userPrincipalName: MAILBOX, displayName: 'Meent' });
    references = new ConversationReferences();
    mails.clear();
    logLines.length = 0;
    installGrants.length = 0;
    sim = 1_000_000;
    await Promise.all([
      NotificationModel.deleteMany({}),
      DeliveryModel.deleteMany({}),
      LotModel.deleteMany({}),
      AppInstallationModel.deleteMany({}),
      ReachSettingsModel.deleteMany({}),
      mongoose.connection.collection('conversation_references').deleteMany({}),
    ]);
  });

  const graphFor = () => meentGraphClient({ baseUrl: graph.baseUrl, getAccessToken: async () => GRAPH_TOKEN, singleAttempt: true });

  function reach(options: { mailbox?: boolean; autoInstall?: boolean } = {}): TeamsReach {
    return new TeamsReach({
      installer: new GraphAppInstaller(graphFor, CATALOG_APP),
      ...(options.mailbox === false ? {} : { mail: new GraphMailSender(graphFor, MAILBOX) }),
      addresses: async (_tenantId, userId) => ({ mail: mails.get(userId) ?? null }),
      autoInstall: options.autoInstall ?? true,
    });
  }

  function delivery(teamsReach: TeamsReach): NotificationDelivery {
    const stream = new Writable({
      write(chunk: Buffer, _enc, done) {
        logLines.push(chunk.toString());
        done();
      },
    });
    return new NotificationDelivery({
      renderer: new NotificationCards(links),
      messenger,
      references,
      preferences,
      governor: new RateGovernor({ now: () => sim, sleep: simSleep, onGrant: (lanes, at) => void (lanes.some((l) => l.kind === 'appInstall') && installGrants.push(at)) }),
      logger: createLogger('debug', stream),
      random: () => 0.5,
      baseBackoffMs: 20,
      maxBackoffMs: 100,
      installWaitMs: 3_000,
      communities: communityLookup,
      reach: teamsReach,
    });
  }

  /** Plays Teams and the bot: after an install, the bot's installationUpdate stores the person's chat. */
  function answerInstallsLikeTeams(): void {
    graph.reach.onInstalled = (userId) => {
      connector.appInstalled(userId);
      const conversation = connector.addConversation({ tenantId: TENANT, conversationType: 'personal', user: { id: `29:${userId}`, aadObjectId: userId } });
      void references.save({ tenantId: TENANT, scope: 'personal', userId, reference: { channelId: 'msteams', serviceUrl: connector.serviceUrl, conversation: { id: conversation.id, conversationType: 'personal', tenantId: TENANT }, bot: { id: `28:${BOT.botId}`, name: 'Meent' }, user: { id: `29:${userId}`, aadObjectId: userId } } }, { installed: true });
    };
  }

  async function installedPerson(): Promise<string> {
    const userId = graph.addUser({ displayName: 'Installed' }).id;
    graph.reach.markInstalled(userId);
    const conversation = connector.addConversation({ tenantId: TENANT, conversationType: 'personal', user: { id: `29:${userId}`, aadObjectId: userId } });
    await references.save({ tenantId: TENANT, scope: 'personal', userId, reference: { channelId: 'msteams', serviceUrl: connector.serviceUrl, conversation: { id: conversation.id, conversationType: 'personal', tenantId: TENANT }, bot: { id: `28:${BOT.botId}`, name: 'Meent' }, user: { id: `29:${userId}`, aadObjectId: userId } } }, { installed: true });
    return userId;
  }

  /** A person in the tenant who never installed the app: Teams refuses the bot a chat with them. */
  function newcomer(options: { refused?: boolean; mail?: string } = {}): string {
    const userId = graph.addUser({ displayName: 'Newcomer', ...(options.mail ? { mail: options.mail } : {}) }).id;
    connector.withoutApp(userId);
    if (options.refused) graph.reach.refuseInstallFor(userId);
    if (options.mail) mails.set(userId, options.mail);
    return userId;
  }

  function intent(recipientId: string): NotificationIntent {
    return {
      tenantId: TENANT,
      recipientId,
      kind: 'reply',
      subject: { type: 'discussion', id: new mongoose.Types.ObjectId().toHexString() },
      actorId: randomUUID(),
      data: { discussionTitle: 'Peilbesluit Oostpolder', actorName: 'Pieter Bakker', excerpt: 'Zie de kaart.', communityId: new mongoose.Types.ObjectId().toHexString(), communityName: 'Waterbeheer' },
      idempotencyKey: `reach:${recipientId}`,
    };
  }

  async function runUntilSettled(d: NotificationDelivery): Promise<void> {
    for (let i = 0; i < 10 && (await NotificationModel.countDocuments({ status: 'pending' })) > 0; i++) await d.runOnce();
  }

  const installRequests = () => graph.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/teamwork/installedApps'));

  it('a notification to 100 people of whom 40 never installed the app: 100 delivered or e-mailed, 0 duplicates, installations within 30 a second, idempotent', async () => {
    answerInstallsLikeTeams();
    const installed: string[] = [];
    for (let i = 0; i < 60; i++) installed.push(await installedPerson());
    const installable = Array.from({ length: 36 }, () => newcomer());
    const refused = Array.from({ length: 4 }, (_, i) => newcomer({ refused: true, mail: `panel.lid${i}@boerderij.example` }));
    const everyone = [...installed, ...installable, ...refused];
    await enqueueNotifications(everyone.map(intent));

    const d = delivery(reach());
    await runUntilSettled(d);

    // Teams: 96 chats got exactly one message each.
    const messagesPerChat = new Map<string, number>();
    for (const a of connector.activities) if (a.operation !== 'getMember' && a.operation !== 'updateActivity') messagesPerChat.set(a.conversationId, (messagesPerChat.get(a.conversationId) ?? 0) + 1);
    assert.equal(messagesPerChat.size, 96);
    assert.ok([...messagesPerChat.values()].every((n) => n === 1), 'no chat got a message twice');
    // E-mail: the 4 the policy refuses, each once, from the mailbox, with the link into the tab.
    assert.deepEqual(graph.reach.mails.map((m) => m.to[0]).sort(), refused.map((id) => mails.get(id)).sort());
    assert.ok(graph.reach.mails.every((m) => m.mailbox === MAILBOX && m.content.includes('https://') && m.subject !== ''));
    // Every notification settled as sent; the e-mailed ones recorded as such.
    assert.equal(await NotificationModel.countDocuments({ status: 'sent' }), 100);
    assert.equal(await DeliveryModel.countDocuments({ route: 'mail', state: 'sent' }), 4);
    // Installed once per newcomer; the refusals recorded with Graph's reason.
    assert.deepEqual([...graph.reach.installs].sort(), [...installable].sort());
    assert.equal(installRequests().length, 40, 'one install request per newcomer, none for people who had the app');
    const records = await TeamsReach.recordsOf(TENANT, [...installable, ...refused]);
    assert.equal(records.filter((r) => r.state === 'installed').length, 36);
    assert.deepEqual(records.filter((r) => r.state === 'refused').map((r) => r.reason), ['403 Forbidden', '403 Forbidden', '403 Forbidden', '403 Forbidden']);
    // Within Graph's 30 POST installedApps a second per app per tenant, where Meent decides it:
    // the governor's grants. (The stand-in's stamps are not the measure: the simulated clock
    // jumps by every concurrent sleeper's wait, the installation wait among them, between a
    // grant and the request's arrival.)
    assert.equal(installGrants.length, 40);
    const stamps = [...installGrants].sort((a, b) => a - b);
    for (let i = 30; i < stamps.length; i++) assert.ok((stamps[i] ?? 0) - (stamps[i - 30] ?? 0) >= 1_000, `31 installs within a second at ${i}`);

    // Idempotent: the same intents again, and another pass, change nothing.
    const before = { activities: connector.activities.length, mails: graph.reach.mails.length, requests: installRequests().length };
    await enqueueNotifications(everyone.map(intent));
    await runUntilSettled(d);
    await d.runOnce();
    assert.deepEqual({ activities: connector.activities.length, mails: graph.reach.mails.length, requests: installRequests().length }, before);

    // No e-mail address or token in the log.
    const log = logLines.join('');
    for (const id of refused) assert.ok(!log.includes(mails.get(id) ?? '@'), 'an e-mail address in the log');
    assert.ok(!log.includes(MAILBOX) && !log.includes(GRAPH_TOKEN) && !log.includes(BOT.password));
  });

  it('without a mailbox, a person the policy refuses is recorded unreachable by Teams, with the reason, and gets nothing', async () => {
    await installedPerson();
    const person = newcomer({ refused: true, mail: 'boer@example.org' });
    await enqueueNotifications([intent(person)]);

    await runUntilSettled(delivery(reach({ mailbox: false })));

    const stored = await NotificationModel.findOne({ recipientId: person }).lean<NotificationRecord>();
    assert.equal(stored?.status, 'skipped');
    assert.equal(stored?.skipReason, 'unreachable_by_teams');
    assert.match(stored?.lastError ?? '', /403 Forbidden; no mailbox configured/);
    assert.equal(graph.reach.mails.length, 0);
  });

  it('a 409 (installed meanwhile) counts as installed; a 429 on the install is waited out (Retry-After) and installs once', async () => {
    answerInstallsLikeTeams();
    await installedPerson();
    const a = newcomer();
    const b = newcomer();
    // a added the app a moment ago: Graph says 409, and Teams lets the bot in (its installation update is
    // lost here, so Meent opens the chat itself once it has waited for it).
    graph.reach.markInstalled(a);
    graph.failNext({
      status: 500,
      times: 1,
      match: (r) => {
        if (r.method === 'POST' && r.path === `/v1.0/users/${a}/teamwork/installedApps`) connector.appInstalled(a);
        return false;
      },
    });
    graph.failNext({ status: 429, retryAfter: 1, match: (r) => r.method === 'POST' && r.path === `/v1.0/users/${b}/teamwork/installedApps` });
    await enqueueNotifications([intent(a), intent(b)]);

    await runUntilSettled(delivery(reach()));

    assert.equal(await NotificationModel.countDocuments({ status: 'sent' }), 2);
    assert.deepEqual(graph.reach.installs, [b]);
    assert.equal(installRequests().filter((r) => r.path.includes(b)).map((r) => r.status).join(','), '429,201');
    assert.equal((await AppInstallationModel.findOne({ userId: a }).lean())?.reason, '409 already installed');
  });

  it('installs nothing when the tenant\'s admins turned it off (or the deployment did)', async () => {
    await installedPerson();
    const person = newcomer();
    const teamsReach = reach();
    await teamsReach.setAutoInstall(TENANT, false);
    await enqueueNotifications([intent(person)]);

    await runUntilSettled(delivery(teamsReach));

    assert.equal(installRequests().length, 0);
    assert.equal((await NotificationModel.findOne({ recipientId: person }).lean<NotificationRecord>())?.skipReason, 'not_installed');
    assert.deepEqual(await reach({ autoInstall: false }).settings('another-tenant'), { autoInstall: false, available: true, mailbox: true });
  });
});
