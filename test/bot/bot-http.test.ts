import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import mongoose from 'mongoose';
import sinon from 'sinon';
import request from 'supertest';
import { createBotModule } from '../../bot/bot-module.js';
import { loadConfig } from '../../src/config/config.js';
import { createApp } from '../../src/http/app.js';
import { createLogger } from '../../src/logging/logger.js';
import { UserModel } from '../../src/members/user.model.js';
import { ConversationReferences, personalKey } from '../../src/notifications/conversation-references.js';
import { assertValidCard } from '../support/adaptive-cards.js';
import { botCredentialsFactory } from '../support/bot-auth.js';
import { startBotConnector, type BotConnector } from '../support/bot-connector.js';
import { FakeDiscussions, FakeEvents, FakeSearch } from '../support/bot-fakes.js';
import { useTestDatabase } from '../support/database.js';
import { entraEnvironment, TEST_HOME_TENANT } from '../support/identity-app.js';
import { startIdentityProvider, type IdentityProvider } from '../support/identity-provider.js';

const BOT_ID = '3f2b1a0c-9d8e-4f7a-b6c5-d4e3f2a1b0c9';
const BOT_PASSWORD = 'bot-password-0123456789';

describe('bot over HTTP: /api/messages -> Meent bot -> local Bot Framework connector', function () {
  this.timeout(30_000);
  useTestDatabase('bothttp');
  const sandbox = sinon.createSandbox();
  let idp: IdentityProvider;
  let connector: BotConnector;
  let events: FakeEvents;
  let app: ReturnType<typeof createApp>;
  const userId = randomUUID();
  let conversationId: string;

  before(async () => {
    idp = await startIdentityProvider();
    connector = await startBotConnector({ validToken: (token) => idp.issuedAccessTokens.has(token) });
  });
  after(async () => {
    await connector.stop();
    await idp.stop();
  });
  beforeEach(async () => {
    connector.reset();
    await Promise.all(['conversation_references', 'users'].map((c) => mongoose.connection.collection(c).deleteMany({})));
    sandbox.stub(console, 'error');
    conversationId = connector.addConversation({
      tenantId: TEST_HOME_TENANT,
      conversationType: 'personal',
      user: { id: `29:${userId}`, aadObjectId: userId },
      members: [{ id: `29:${userId}`, aadObjectId: userId, name: 'Sanne de Vries', tenantId: TEST_HOME_TENANT, userRole: 'user' }],
    }).id;
    events = new FakeEvents();
    const config = loadConfig(entraEnvironment(idp.baseUrl, 'https://graph.microsoft.com', { BOT_ID, BOT_PASSWORD, PUBLIC_URL: 'https://meent.example' }));
    const bot = createBotModule({
      config,
      logger: createLogger('silent'),
      ports: { events, discussions: new FakeDiscussions(), search: new FakeSearch([]) },
      endpoints: { channelOpenIdMetadataUrl: idp.botOpenIdMetadataUrl, emulatorOpenIdMetadataUrl: `${idp.baseUrl}/common/v2.0/.well-known/openid-configuration` },
      credentialsFactory: botCredentialsFactory(idp, { botId: BOT_ID, password: BOT_PASSWORD, tenantId: TEST_HOME_TENANT }),
    });
    app = createApp({ config, logger: createLogger('silent'), isReady: () => Promise.resolve(true), botHandler: bot.botHandler });
  });
  afterEach(() => sandbox.restore());

  function activity(overrides: Record<string, unknown> = {}) {
    return {
      type: 'message',
      id: randomUUID(),
      channelId: 'msteams',
      serviceUrl: connector.serviceUrl,
      timestamp: new Date().toISOString(),
      locale: 'en-US',
      from: { id: `29:${userId}`, aadObjectId: userId, name: 'Sanne de Vries' },
      recipient: { id: `28:${BOT_ID}`, name: 'Meent' },
      conversation: { id: conversationId, conversationType: 'personal', tenantId: TEST_HOME_TENANT },
      channelData: { tenant: { id: TEST_HOME_TENANT } },
      ...overrides,
    };
  }

  const post = async (body: object) => request(app).post('/api/messages').set('Authorization', `Bearer ${await idp.botToken({ audience: BOT_ID, serviceUrl: connector.serviceUrl })}`).send(body);

  it('answers a command by sending a card to the connector, with a token from the identity provider', async () => {
    events.add({ title: 'Kennissessie drones' });
    const res = await post(activity({ text: 'events' }));

    assert.equal(res.status, 200, res.text);
    const sent = connector.sentTo(conversationId);
    assert.equal(sent.length, 1);
    assert.equal(sent[0]?.operation, 'replyToActivity');
    const attachments = sent[0]?.activity.attachments as { content: unknown }[];
    assertValidCard(attachments[0]);
    assert.ok(JSON.stringify(attachments[0]).includes('Kennissessie drones'));
    assert.ok(idp.tokenRequests.some((t) => t.clientId === BOT_ID && t.scope === 'https://api.botframework.com/.default' && t.status === 200));
  });

  it('asks the Teams roster whether a sender Meent does not know yet is a member or a guest', async () => {
    const seen = sandbox.spy(events, 'mine');
    const res = await post(activity({ text: 'my events' }));
    assert.equal(res.status, 200, res.text);
    assert.ok(connector.requests.some((r) => r.operation === 'getMember' && r.status === 200));
    assert.equal(seen.firstCall.args[0].isGuest, false);
    assert.equal(seen.firstCall.args[0].userId, userId);
    assert.equal(connector.sentTo(conversationId).length, 1);
  });

  it('treats a sender as a guest when the roster says so, or cannot say', async () => {
    const member = connector.conversation(conversationId)?.members[0];
    if (member) member.userRole = 'guest';
    const seen = sandbox.spy(events, 'mine');
    await post(activity({ text: 'my events' }));
    connector.failNext({ status: 500, match: (r) => r.operation === 'getMember', times: 5 });
    await post(activity({ text: 'my events' }));
    assert.deepEqual(seen.getCalls().map((c) => c.args[0].isGuest), [true, true]);
  });

  it('treats a sender Teams calls a guest as a guest (and the directory record wins once it exists)', async () => {
    await UserModel.create({ tenantId: TEST_HOME_TENANT, userId, displayName: 'Sanne', isGuest: true });
    const seen = sandbox.spy(events, 'mine');
    await post(activity({ text: 'my events' }));
    assert.equal(seen.firstCall.args[0].isGuest, true);
    assert.ok(!connector.requests.some((r) => r.operation === 'getMember'), 'no roster call when Meent knows the person');
  });

  it('refuses people from a tenant that is not allowed, politely', async () => {
    const stranger = randomUUID();
    const res = await post(activity({ text: 'my events', conversation: { id: conversationId, conversationType: 'personal', tenantId: stranger }, channelData: { tenant: { id: stranger } } }));
    assert.equal(res.status, 200);
    const card = (connector.sentTo(conversationId)[0]?.activity.attachments as { content: unknown }[])[0];
    assert.ok(JSON.stringify(card).includes('You may not do that here.'));
  });

  it('stores the reference on install and sends the welcome card through the connector', async () => {
    const res = await post(activity({ type: 'installationUpdate', action: 'add', text: undefined }));
    assert.equal(res.status, 200, res.text);
    const stored = await new ConversationReferences().find(TEST_HOME_TENANT, personalKey(userId));
    assert.equal(stored?.reference.serviceUrl, connector.serviceUrl);
    assert.ok(JSON.stringify(connector.sentTo(conversationId)[0]?.activity).includes('Welcome to Meent'));
  });

  it('answers an Action.Execute invoke in the HTTP response with the refreshed card', async () => {
    const e = events.add({ title: 'Kennissessie drones', capacity: 3 });
    const res = await post(activity({ type: 'invoke', name: 'adaptiveCard/action', text: undefined, value: { action: { type: 'Action.Execute', verb: 'event.signUp', data: { eventId: e.id } }, trigger: 'manual' } }));
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.statusCode, 200);
    assert.equal(res.body.type, 'application/vnd.microsoft.card.adaptive');
    assertValidCard(res.body.value);
    assert.ok(JSON.stringify(res.body.value).includes('You are signed up.'));
    assert.equal(connector.activities.length, 0, 'an invoke is answered in the response, not by a message');
  });

  it('does not crash the turn when the connector throttles the reply; the person simply gets no message', async () => {
    connector.failNext({ status: 429, retryAfter: 0, times: 10 });
    const res = await post(activity({ text: 'help' }));
    // The turn error handler tries to apologise, which the connector also refuses; the endpoint still answers.
    assert.ok(res.status === 200 || res.status === 500);
    assert.equal(connector.activities.length, 0);
  });
});
