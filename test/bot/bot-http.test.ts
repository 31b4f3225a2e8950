import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import mongoose from 'mongoose';
import sinon from 'sinon';
import { UserModel } from '../../src/members/user.model.js';
import { ConversationReferences, personalKey } from '../../src/notifications/conversation-references.js';
import { assertValidCard } from '../support/adaptive-cards.js';
import type { BotConnector } from '../support/bot-connector.js';
import { RIG_BOT_ID, startBotEndpointRig, type BotEndpointRig, type Poster } from '../support/bot-endpoint-rig.js';
import { FakeDiscussions, FakeEvents, FakeSearch } from '../support/bot-fakes.js';
import { useTestDatabase } from '../support/database.js';
import { TEST_HOME_TENANT } from '../support/identity-app.js';
import type { IdentityProvider } from '../support/identity-provider.js';

describe('bot over HTTP: /api/messages -> Meent bot -> local Bot Framework connector', function () {
  this.timeout(30_000);
  useTestDatabase('bothttp');
  const sandbox = sinon.createSandbox();
  let rig: BotEndpointRig;
  let idp: IdentityProvider;
  let connector: BotConnector;
  let events: FakeEvents;
  let post: Poster;
  const userId = randomUUID();
  const sanne = { userId, name: 'Sanne de Vries' };
  let conversationId: string;

  before(async () => {
    rig = await startBotEndpointRig();
    ({ idp, connector } = rig);
  });
  after(async () => {
    await rig.stop();
  });
  beforeEach(async () => {
    connector.reset();
    await Promise.all(['conversation_references', 'users'].map((c) => mongoose.connection.collection(c).deleteMany({})));
    sandbox.stub(console, 'error');
    conversationId = rig.personalChat(sanne);
    events = new FakeEvents();
    post = rig.endpoint(rig.config(), { ports: { events, discussions: new FakeDiscussions(), search: new FakeSearch([]) } });
  });
  afterEach(() => sandbox.restore());

  const activity = (overrides: Record<string, unknown> = {}) => ({ ...rig.inChat(sanne, conversationId), ...overrides });

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
    assert.ok(idp.tokenRequests.some((t) => t.clientId === RIG_BOT_ID && t.scope === 'https://api.botframework.com/.default' && t.status === 200));
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
