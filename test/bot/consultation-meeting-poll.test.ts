import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import mongoose from 'mongoose';
import request from 'supertest';
import sinon from 'sinon';
import { createBotModule, type BotModule } from '../../bot/bot-module.js';
import type { PollPostOutcome } from '../../bot/consultation-posts.js';
import { consultationTextsFor } from '../../bot/consultation-texts.js';
import type { Actor } from '../../src/auth/actor.js';
import { createConsultationsServices, type ConsultationsServices } from '../../src/consultations/consultations.module.js';
import { createApp } from '../../src/http/app.js';
import { createLogger } from '../../src/logging/logger.js';
import { MeetingLinkModel } from '../../src/meetings/meeting-link.model.js';
import { assertValidCard, cardInputs } from '../support/adaptive-cards.js';
import { botCredentialsFactory } from '../support/bot-auth.js';
import type { BotConnector } from '../support/bot-connector.js';
import { RIG_BOT_ID, startBotEndpointRig, type BotEndpointRig } from '../support/bot-endpoint-rig.js';
import { useTestDatabase } from '../support/database.js';
import { TEST_HOME_TENANT } from '../support/identity-app.js';
import { buildWorld, community, person, type CommunityFixture } from '../communities/communities-fixtures.js';

const NOW = new Date('2026-03-02T10:00:00Z');
const nl = consultationTextsFor('nl');

/**
 * A quick poll launched from a meeting (its origin names the meeting chat) is posted by the bot
 * into that chat, proactively through the local connector, and answered there in the card:
 * the consultations service's hook, the bot's poster, real references and the real meeting link.
 */
describe('a quick poll launched from a meeting, posted in its chat', function () {
  this.timeout(60_000);
  useTestDatabase('botpoll');
  const sandbox = sinon.createSandbox();
  let rig: BotEndpointRig;
  let connector: BotConnector;
  let services: ConsultationsServices;
  let bot: BotModule;
  let app: ReturnType<typeof createApp>;
  let ann: Actor;
  let sanne: Actor;
  let panel: CommunityFixture;
  let other: CommunityFixture;
  let posted: Promise<PollPostOutcome> | undefined;

  before(async () => {
    rig = await startBotEndpointRig();
    connector = rig.connector;
    const world = buildWorld({ now: () => NOW });
    ann = await person({ userId: randomUUID(), name: 'Ann Jansen', tenantId: TEST_HOME_TENANT });
    sanne = await person({ userId: randomUUID(), name: 'Sanne de Vries', tenantId: TEST_HOME_TENANT });
    panel = await community(world, ann, { name: 'Burgerpanel', members: [sanne] });
    other = await community(world, ann, { name: 'Ander panel' });
    const logger = createLogger('silent');
    const config = rig.config();
    // As in src/composition.ts: the service's hook reaches the bot, which is built after it.
    services = createConsultationsServices({ logger, now: () => NOW, quickPollOpened: (actor, id) => (posted = bot.consultationPosts.quickPollCreated(actor, id)) });
    bot = createBotModule({
      config,
      logger,
      communities: world.module.services,
      consultations: services.port,
      endpoints: { channelOpenIdMetadataUrl: rig.idp.botOpenIdMetadataUrl, emulatorOpenIdMetadataUrl: `${rig.idp.baseUrl}/common/v2.0/.well-known/openid-configuration` },
      credentialsFactory: botCredentialsFactory(rig.idp, { botId: RIG_BOT_ID, password: 'bot-password-0123456789', tenantId: TEST_HOME_TENANT }),
    });
    app = createApp({ config, logger, isReady: () => Promise.resolve(true), botHandler: bot.botHandler });
  });
  after(async () => {
    await rig.stop();
  });
  beforeEach(async () => {
    connector.reset();
    posted = undefined;
    await Promise.all(['conversation_references', 'meeting_links'].map((c) => mongoose.connection.collection(c).deleteMany({})));
    sandbox.stub(console, 'error');
  });
  afterEach(() => sandbox.restore());

  const person29 = (a: Actor) => ({ id: `29:${a.userId}`, aadObjectId: a.userId, name: a.name });

  async function send(activity: Record<string, unknown>): Promise<request.Response> {
    return request(app)
      .post('/api/messages')
      .set('Authorization', `Bearer ${await rig.idp.botToken({ audience: RIG_BOT_ID, serviceUrl: connector.serviceUrl })}`)
      .send({ id: randomUUID(), channelId: 'msteams', serviceUrl: connector.serviceUrl, timestamp: NOW.toISOString(), locale: 'nl-NL', recipient: { id: `28:${RIG_BOT_ID}`, name: 'Meent' }, channelData: { tenant: { id: TEST_HOME_TENANT } }, ...activity });
  }

  /** A meeting chat with Ann and Sanne in which Meent is installed (Teams tells the bot, which keeps the reference). */
  async function meetingChat(linkedTo?: CommunityFixture): Promise<string> {
    const chatId = connector.addConversation({ id: `19:meeting_${randomUUID()}@thread.v2`, tenantId: TEST_HOME_TENANT, conversationType: 'groupChat', members: [{ ...person29(ann), tenantId: TEST_HOME_TENANT, userRole: 'user' }, { ...person29(sanne), tenantId: TEST_HOME_TENANT, userRole: 'user' }] }).id;
    const installed = await send({ type: 'installationUpdate', action: 'add', from: person29(ann), conversation: { id: chatId, conversationType: 'groupChat', isGroup: true, tenantId: TEST_HOME_TENANT } });
    assert.equal(installed.status, 200, installed.text);
    if (linkedTo) {
      await MeetingLinkModel.create({ tenantId: TEST_HOME_TENANT, chatId, communityId: linkedTo.id, discussionId: new mongoose.Types.ObjectId(), source: 'manual', linkedBy: ann.userId });
    }
    connector.reset();
    return chatId;
  }

  const launch = (chatId: string, communityId = panel.id) =>
    services.port.createQuickPoll(ann, { communityId, question: 'Zullen we over twee weken verder praten?', options: ['Ja', 'Nee', 'Weet niet'], anonymous: false, origin: { conversationId: chatId, meetingId: 'MCMx' } });

  it('is posted in the meeting chat as a card everyone may see, refreshing for each reader, and answered there', async () => {
    const chatId = await meetingChat(panel);
    const poll = await launch(chatId);
    assert.equal(await posted, 'posted');
    const sent = connector.sentTo(chatId);
    assert.equal(sent.length, 1);
    const card = (sent[0]?.activity.attachments as { content: Record<string, unknown> }[])[0];
    assertValidCard(card, 'poll in the meeting chat');
    const content = card?.content as { refresh: { action: { verb: string; data: Record<string, unknown> }; userIds?: string[] } };
    assert.equal(content.refresh.action.verb, 'consultation.refresh');
    assert.equal('userIds' in content.refresh, false, 'every client in a chat of at most 60 refreshes it');
    assert.deepEqual(cardInputs(card).map((i) => i.id), [`q_${poll.questions[0]?.id}`]);
    assert.ok(JSON.stringify(card).includes(nl.headingPoll));
    assert.ok(!JSON.stringify(card).includes(nl.answered), 'nobody\'s own state in the shared card');

    // Sanne answers in the meeting chat.
    const res = await send({ type: 'invoke', name: 'adaptiveCard/action', from: person29(sanne), conversation: { id: chatId, conversationType: 'groupChat', isGroup: true, tenantId: TEST_HOME_TENANT }, value: { action: { type: 'Action.Execute', verb: 'consultation.respond', data: { consultationId: poll.id, view: 'poll', [`q_${poll.questions[0]?.id}`]: 'o1' } }, trigger: 'manual' } });
    assert.equal(res.body.statusCode, 200, JSON.stringify(res.body));
    assert.ok(JSON.stringify(res.body.value).includes(nl.answered));
    assert.deepEqual(res.body.value.refresh.userIds, [`29:${sanne.userId}`], 'her own card keeps refreshing for her only');
    assert.equal((await services.consultations.myResponse(sanne, poll.id)).status, 'submitted');
  });

  it('is not posted into a chat linked to another community, nor where Meent is not installed, nor without a meeting origin', async () => {
    // A chat linked to another community is no origin of this community's poll: the service
    // refuses the poll itself (invalid_origin), so nothing is stored and the bot posts nothing.
    const elsewhere = await meetingChat(other);
    posted = undefined;
    await assert.rejects(launch(elsewhere), (e: unknown) => (e as { code?: string }).code === 'invalid_origin');
    assert.equal(posted, undefined);
    assert.equal(connector.sentTo(elsewhere).length, 0);

    const notInstalled = `19:meeting_${randomUUID()}@thread.v2`;
    await MeetingLinkModel.create({ tenantId: TEST_HOME_TENANT, chatId: notInstalled, communityId: panel.id, discussionId: new mongoose.Types.ObjectId(), source: 'manual', linkedBy: ann.userId });
    await launch(notInstalled);
    assert.equal(await posted, 'notInstalled');

    posted = undefined;
    await services.port.createQuickPoll(ann, { communityId: panel.id, question: 'Zonder vergadering?', options: ['Ja', 'Nee'], anonymous: false });
    assert.equal(posted, undefined, 'a poll from the community page posts nothing');
    assert.equal(connector.activities.length, 0);
  });
});
