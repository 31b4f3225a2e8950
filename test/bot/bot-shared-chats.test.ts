import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import mongoose from 'mongoose';
import sinon from 'sinon';
import request from 'supertest';
import { createBotModule } from '../../bot/bot-module.js';
import { textsFor } from '../../bot/texts.js';
import type { Actor } from '../../src/auth/actor.js';
import { loadConfig } from '../../src/config/config.js';
import { createApp } from '../../src/http/app.js';
import { createLogger } from '../../src/logging/logger.js';
import { ConversationReferences, personalKey } from '../../src/notifications/conversation-references.js';
import { assertValidCard } from '../support/adaptive-cards.js';
import { botCredentialsFactory } from '../support/bot-auth.js';
import { startBotConnector, type BotConnector } from '../support/bot-connector.js';
import { useTestDatabase } from '../support/database.js';
import { entraEnvironment, TEST_HOME_TENANT } from '../support/identity-app.js';
import { startIdentityProvider, type IdentityProvider } from '../support/identity-provider.js';
import { buildWorld, community, person, type TestWorld } from '../communities/communities-fixtures.js';

const BOT_ID = '3f2b1a0c-9d8e-4f7a-b6c5-d4e3f2a1b0c9';
const BOT_PASSWORD = 'bot-password-0123456789';
const SECRET_TITLE = 'Beregeningsverbod: wie handhaaft bij de boeren?';
const t = textsFor('en');

/**
 * Issue 18, finding 1, as it was reproduced: a manager of a closed community says
 * "@Meent discussions" in a group chat with a guest in it. Over POST /api/messages with real
 * Bot Framework tokens, the real communities services on the store, and the local connector:
 * the group chat receives a short note only, the discussion reaches the manager's 1:1 chat.
 */
describe('bot commands in shared chats over HTTP: private answers go 1:1', function () {
  this.timeout(30_000);
  useTestDatabase('botshared');
  const sandbox = sinon.createSandbox();
  let idp: IdentityProvider;
  let connector: BotConnector;
  let world: TestWorld;
  let app: ReturnType<typeof createApp>;
  let ann: Actor;
  let group: string;
  let channel: string;
  let personal: string;

  before(async () => {
    idp = await startIdentityProvider();
    connector = await startBotConnector({ validToken: (token) => idp.issuedAccessTokens.has(token) });
    world = buildWorld();
    ann = await person({ userId: randomUUID(), name: 'Ann Jansen', tenantId: TEST_HOME_TENANT });
    const droogte = await community(world, ann, { name: 'Droogte', visibility: 'closed' });
    await world.module.services.discussions.create(ann, droogte.id, { title: SECRET_TITLE, body: 'Alleen voor de werkgroep.', kind: 'discussion' });
    const config = loadConfig(entraEnvironment(idp.baseUrl, 'https://graph.microsoft.com', { BOT_ID, BOT_PASSWORD, PUBLIC_URL: 'https://meent.example' }));
    const bot = createBotModule({
      config,
      logger: createLogger('silent'),
      communities: world.module.services,
      endpoints: { channelOpenIdMetadataUrl: idp.botOpenIdMetadataUrl, emulatorOpenIdMetadataUrl: `${idp.baseUrl}/common/v2.0/.well-known/openid-configuration` },
      credentialsFactory: botCredentialsFactory(idp, { botId: BOT_ID, password: BOT_PASSWORD, tenantId: TEST_HOME_TENANT }),
    });
    app = createApp({ config, logger: createLogger('silent'), isReady: () => Promise.resolve(true), botHandler: bot.botHandler });
    const annMember = { id: `29:${ann.userId}`, aadObjectId: ann.userId, name: ann.name, tenantId: TEST_HOME_TENANT, userRole: 'user' as const };
    const guest = { id: '29:guest', aadObjectId: randomUUID(), name: 'Gijs Gast', tenantId: TEST_HOME_TENANT, userRole: 'guest' as const };
    group = connector.addConversation({ tenantId: TEST_HOME_TENANT, conversationType: 'groupChat', members: [annMember, guest] }).id;
    // A message in a channel names its thread: the bot's reply goes there.
    channel = connector.addConversation({ id: `19:${randomUUID()}@thread.tacv2;messageid=1700000000000`, tenantId: TEST_HOME_TENANT, conversationType: 'channel', members: [annMember, guest] }).id;
    // Ann has Meent installed personally: Teams answers "create conversation" with this chat.
    personal = connector.addConversation({ tenantId: TEST_HOME_TENANT, conversationType: 'personal', user: { id: annMember.id, aadObjectId: ann.userId }, members: [annMember] }).id;
  });
  after(async () => {
    await connector.stop();
    await idp.stop();
  });
  beforeEach(async () => {
    connector.reset();
    await mongoose.connection.collection('conversation_references').deleteMany({});
    sandbox.stub(console, 'error');
  });
  afterEach(() => sandbox.restore());

  function activity(conversation: Record<string, unknown>, text: string, channelData: Record<string, unknown> = { tenant: { id: TEST_HOME_TENANT } }) {
    return {
      type: 'message',
      id: randomUUID(),
      channelId: 'msteams',
      serviceUrl: connector.serviceUrl,
      timestamp: new Date().toISOString(),
      locale: 'en-US',
      text,
      from: { id: `29:${ann.userId}`, aadObjectId: ann.userId, name: ann.name },
      recipient: { id: `28:${BOT_ID}`, name: 'Meent' },
      conversation: { tenantId: TEST_HOME_TENANT, ...conversation },
      channelData,
    };
  }

  const post = async (body: object) => request(app).post('/api/messages').set('Authorization', `Bearer ${await idp.botToken({ audience: BOT_ID, serviceUrl: connector.serviceUrl })}`).send(body);
  const inGroup = (text: string) => post(activity({ id: group, conversationType: 'groupChat', isGroup: true }, `<at>Meent</at> ${text}`));

  it('"discussions" in a group chat: the closed community\'s discussion reaches only the manager\'s 1:1 chat', async () => {
    const res = await inGroup('discussions');

    assert.equal(res.status, 200, res.text);
    const inGroupChat = connector.sentTo(group);
    assert.deepEqual(inGroupChat.map((a) => [a.activity.text, a.activity.attachments ?? []]), [[t.sentPrivately, []]]);
    assert.ok(!JSON.stringify(inGroupChat).includes('Beregeningsverbod'), 'nothing of the closed community in the group');

    const inPersonalChat = connector.sentTo(personal);
    assert.equal(inPersonalChat.length, 1);
    const attachments = inPersonalChat[0]?.activity.attachments as { content: unknown }[];
    assertValidCard(attachments[0]);
    assert.ok(JSON.stringify(attachments).includes('Beregeningsverbod'));
    // Teams was asked for Ann's 1:1 chat through the group chat's service URL and handed back the existing one, which Meent now keeps.
    assert.ok(connector.requests.some((r) => r.operation === 'createConversation' && r.status === 201));
    assert.equal((await new ConversationReferences().find(TEST_HOME_TENANT, personalKey(ann.userId)))?.reference.conversation.id, personal);
  });

  it('in a channel the same: a note in the thread, the answer 1:1', async () => {
    const res = await post(
      activity({ id: channel, conversationType: 'channel', isGroup: true }, '<at>Meent</at> search Beregeningsverbod', {
        tenant: { id: TEST_HOME_TENANT },
        team: { id: '19:team@thread.tacv2' },
        channel: { id: channel.split(';')[0] },
      }),
    );
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(connector.sentTo(channel).map((a) => a.activity.text), [t.sentPrivately]);
    assert.ok(JSON.stringify(connector.sentTo(personal)).includes('Beregeningsverbod'), JSON.stringify(connector.sentTo(personal)));
  });

  it('when Teams will not open a 1:1 chat (app not installed for the person), the group is asked to use one and sees nothing private', async () => {
    connector.failNext({ status: 403, code: 'Forbidden', match: (r) => r.operation === 'createConversation' });
    const res = await inGroup('discussions');
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(connector.sentTo(group).map((a) => [a.activity.text, a.activity.attachments ?? []]), [[t.askPrivately, []]]);
    assert.equal(connector.sentTo(personal).length, 0);
    assert.ok(!JSON.stringify(connector.activities).includes('Beregeningsverbod'));
  });

  it('help stays in the group chat: it is the same for everyone', async () => {
    await inGroup('help');
    assert.ok(JSON.stringify(connector.sentTo(group)).includes('What can I do for you?'));
    assert.equal(connector.sentTo(personal).length, 0);
  });
});
