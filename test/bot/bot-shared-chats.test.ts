import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import mongoose from 'mongoose';
import sinon from 'sinon';
import { textsFor } from '../../bot/texts.js';
import type { Actor } from '../../src/auth/actor.js';
import { ConversationReferences, personalKey } from '../../src/notifications/conversation-references.js';
import { assertValidCard } from '../support/adaptive-cards.js';
import type { BotConnector } from '../support/bot-connector.js';
import { startBotEndpointRig, type BotEndpointRig, type Poster } from '../support/bot-endpoint-rig.js';
import { useTestDatabase } from '../support/database.js';
import { TEST_HOME_TENANT } from '../support/identity-app.js';
import { buildWorld, community, person } from '../communities/communities-fixtures.js';

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
  let rig: BotEndpointRig;
  let connector: BotConnector;
  let post: Poster;
  let ann: Actor;
  let group: string;
  let channel: string;
  let personal: string;

  before(async () => {
    rig = await startBotEndpointRig();
    connector = rig.connector;
    const world = buildWorld();
    ann = await person({ userId: randomUUID(), name: 'Ann Jansen', tenantId: TEST_HOME_TENANT });
    const droogte = await community(world, ann, { name: 'Droogte', visibility: 'closed' });
    await world.module.services.discussions.create(ann, droogte.id, { title: SECRET_TITLE, body: 'Alleen voor de werkgroep.', kind: 'discussion' });
    post = rig.endpoint(rig.config(), { communities: world.module.services });
    const annMember = { id: `29:${ann.userId}`, aadObjectId: ann.userId, name: ann.name, tenantId: TEST_HOME_TENANT, userRole: 'user' as const };
    const guest = { id: '29:guest', aadObjectId: randomUUID(), name: 'Gijs Gast', tenantId: TEST_HOME_TENANT, userRole: 'guest' as const };
    group = connector.addConversation({ tenantId: TEST_HOME_TENANT, conversationType: 'groupChat', members: [annMember, guest] }).id;
    // A message in a channel names its thread: the bot's reply goes there.
    channel = connector.addConversation({ id: `19:${randomUUID()}@thread.tacv2;messageid=1700000000000`, tenantId: TEST_HOME_TENANT, conversationType: 'channel', members: [annMember, guest] }).id;
    // Ann has Meent installed personally: Teams answers "create conversation" with this chat.
    personal = rig.personalChat({ userId: ann.userId, name: ann.name });
  });
  after(async () => {
    await rig.stop();
  });
  beforeEach(async () => {
    connector.reset();
    await mongoose.connection.collection('conversation_references').deleteMany({});
    sandbox.stub(console, 'error');
  });
  afterEach(() => sandbox.restore());

  /** Ann says `text` in a conversation. */
  const say = (conversation: Record<string, unknown>, text: string, channelData?: Record<string, unknown>) =>
    post({ text, from: { id: `29:${ann.userId}`, aadObjectId: ann.userId, name: ann.name }, conversation: { tenantId: TEST_HOME_TENANT, ...conversation }, ...(channelData ? { channelData } : {}) });
  const inGroup = (text: string) => say({ id: group, conversationType: 'groupChat', isGroup: true }, `<at>Meent</at> ${text}`);

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
    const res = await say({ id: channel, conversationType: 'channel', isGroup: true }, '<at>Meent</at> search Beregeningsverbod', {
      tenant: { id: TEST_HOME_TENANT },
      team: { id: '19:team@thread.tacv2' },
      channel: { id: channel.split(';')[0] },
    });
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
