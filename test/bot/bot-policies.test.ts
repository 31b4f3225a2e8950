import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import mongoose from 'mongoose';
import sinon from 'sinon';
import { createBotModule } from '../../bot/bot-module.js';
import { textsFor } from '../../bot/texts.js';
import { writeRateLimits } from '../../src/http/request-rate-limits.js';
import { createLogger } from '../../src/logging/logger.js';
import { UserModel } from '../../src/members/user.model.js';
import type { BotConnector } from '../support/bot-connector.js';
import { startBotEndpointRig, type BotEndpointRig } from '../support/bot-endpoint-rig.js';
import { FakeDiscussions, FakeEvents, FakeSearch } from '../support/bot-fakes.js';
import { useTestDatabase } from '../support/database.js';
import { TEST_HOME_TENANT } from '../support/identity-app.js';

const en = textsFor('en');
const nl = textsFor('nl');

/**
 * The organisation's policies hold on the bot as on the tab (issue 18, finding 2), over
 * POST /api/messages with real Bot Framework tokens and the local connector: REQUIRE_MFA and
 * IP_ALLOWLIST, which a bot activity cannot show, refuse what the bot would do for the people
 * they cover unless TEAMS_CONDITIONAL_ACCESS says Teams already requires them.
 */
const FIXED_NOW = Date.parse('2026-01-05T10:00:10Z');

describe('the organisation\'s policies on the bot, over HTTP', function () {
  this.timeout(30_000);
  useTestDatabase('botpolicy');
  const sandbox = sinon.createSandbox();
  let rig: BotEndpointRig;
  let connector: BotConnector;
  let events: FakeEvents;
  let discussions: FakeDiscussions;
  let conversationId: string;
  const userId = randomUUID();
  const sanne = { userId, name: 'Sanne de Vries' };

  before(async () => {
    rig = await startBotEndpointRig();
    connector = rig.connector;
    conversationId = rig.personalChat(sanne);
  });
  after(async () => {
    await rig.stop();
  });
  beforeEach(async () => {
    connector.reset();
    await Promise.all(['conversation_references', 'users', 'rate_limit_counters'].map((c) => mongoose.connection.collection(c).deleteMany({})));
    await UserModel.create({ tenantId: TEST_HOME_TENANT, userId, displayName: 'Sanne de Vries', isGuest: false });
    sandbox.stub(console, 'error');
    events = new FakeEvents();
    discussions = new FakeDiscussions();
  });
  afterEach(() => sandbox.restore());

  const ports = () => ({ events, discussions, search: new FakeSearch([]) });

  /** The bot endpoint of a Meent configured with `env`; what it is sent comes from Sanne in her personal chat. */
  function meent(env: Record<string, string>) {
    const config = rig.config(env);
    // The write budget counts per window of a clock: a fixed one, so a test never straddles two windows.
    const writes = writeRateLimits({ windowMs: config.rateLimits.windowMs, perUser: config.rateLimits.userWrites, perIp: 0, logger: createLogger('silent'), now: () => FIXED_NOW }).perPerson;
    const post = rig.endpoint(config, { ports: ports(), writes });
    return (overrides: Record<string, unknown>) => post({ ...rig.inChat(sanne, conversationId), ...overrides });
  }

  const signUp = (eventId: string) => ({ type: 'invoke', name: 'adaptiveCard/action', value: { action: { type: 'Action.Execute', verb: 'event.signUp', data: { eventId } }, trigger: 'manual' } });
  const lastReply = () => JSON.stringify(connector.sentTo(conversationId).at(-1)?.activity ?? {});

  describe('REQUIRE_MFA and IP_ALLOWLIST', () => {
    it('REQUIRE_MFA=all: the bot reads nothing and signs nobody up, says why, and still helps', async () => {
      const post = meent({ REQUIRE_MFA: 'all' });
      events.add({ title: 'Kennissessie drones', registered: [userId] });
      const e = events.add({ title: 'Webinar nitraat' });

      assert.equal((await post({ text: 'my events' })).status, 200);
      assert.ok(lastReply().includes(en.mfaUnverifiable), lastReply());
      assert.ok(!lastReply().includes('Kennissessie drones'));

      const refused = await post(signUp(e.id));
      assert.equal(refused.status, 400, 'the invoke answers with the status of its body');
      assert.deepEqual([refused.body.statusCode, refused.body.type, refused.body.value.code], [400, 'application/vnd.microsoft.error', 'mfa_unverifiable']);
      assert.equal(refused.body.value.message, en.mfaUnverifiable);
      assert.deepEqual(events.events.get(e.id)?.registered, [], 'nothing changed');

      await post({ text: 'mijn bijeenkomsten', locale: 'nl-NL' });
      assert.ok(lastReply().includes(nl.mfaUnverifiable));

      await post({ text: 'help' });
      assert.ok(lastReply().includes(en.helpTitle));
    });

    it('REQUIRE_MFA=members refuses members and serves guests (whom the tab serves without MFA too); admins covers nobody in the bot', async () => {
      const members = meent({ REQUIRE_MFA: 'members' });
      await members({ text: 'my events' });
      assert.ok(lastReply().includes(en.mfaUnverifiable));

      await UserModel.updateOne({ tenantId: TEST_HOME_TENANT, userId }, { $set: { isGuest: true } });
      await members({ text: 'my events' });
      assert.ok(lastReply().includes(en.noMyEvents), lastReply());

      await UserModel.updateOne({ tenantId: TEST_HOME_TENANT, userId }, { $set: { isGuest: false } });
      await meent({ REQUIRE_MFA: 'admins' })({ text: 'my events' });
      assert.ok(lastReply().includes(en.noMyEvents));
    });

    it('IP_ALLOWLIST set: the endpoint stays reachable (Microsoft calls it), the bot refuses what it would do', async () => {
      const post = meent({ IP_ALLOWLIST: '10.0.0.0/8' });
      const res = await post({ text: 'my events' });
      assert.equal(res.status, 200, 'the allow-list is not applied to Microsoft\'s address');
      assert.ok(lastReply().includes(en.networkUnverifiable), lastReply());

      const search = await post({ type: 'invoke', name: 'composeExtension/query', value: { commandId: 'searchMeent', parameters: [{ name: 'query', value: 'nitraat' }] } });
      assert.deepEqual(search.body.composeExtension, { type: 'message', text: en.networkUnverifiable });
    });

    it('says at start-up when the bot will refuse people, and how to change that', () => {
      const warnings = (env: Record<string, string>) => {
        const logger = createLogger('silent');
        const warn = sandbox.spy(logger, 'warn');
        createBotModule({ config: rig.config(env), logger, ports: ports() });
        return warn.getCalls().map((c) => String(c.args[1] ?? c.args[0]));
      };
      assert.ok(warnings({ REQUIRE_MFA: 'members' }).some((w) => w.includes('TEAMS_CONDITIONAL_ACCESS=true')));
      assert.ok(warnings({ IP_ALLOWLIST: '10.0.0.0/8' }).some((w) => w.includes('TEAMS_CONDITIONAL_ACCESS=true')));
      assert.deepEqual(warnings({ REQUIRE_MFA: 'admins' }), []);
      assert.deepEqual(warnings({ REQUIRE_MFA: 'all', TEAMS_CONDITIONAL_ACCESS: 'true' }), []);
    });

    it('TEAMS_CONDITIONAL_ACCESS=true: Teams vouches for both, and the bot acts', async () => {
      const post = meent({ REQUIRE_MFA: 'all', IP_ALLOWLIST: '10.0.0.0/8', TEAMS_CONDITIONAL_ACCESS: 'true' });
      const e = events.add({ title: 'Webinar nitraat' });
      const res = await post(signUp(e.id));
      assert.equal(res.body.statusCode, 200);
      assert.deepEqual(events.events.get(e.id)?.registered, [userId]);
    });
  });

  describe('write rate limits (RATE_LIMIT_USER_WRITES)', () => {
    it('card actions that change something count per person; over the limit the action is refused, says why and changes nothing', async () => {
      const post = meent({ RATE_LIMIT_USER_WRITES: '3' });
      const e = events.add({ title: 'Webinar nitraat' });
      const cancel = { type: 'invoke', name: 'adaptiveCard/action', value: { action: { type: 'Action.Execute', verb: 'event.cancel', data: { eventId: e.id } }, trigger: 'manual' } };
      assert.equal((await post(signUp(e.id))).body.statusCode, 200);
      assert.equal((await post(cancel)).body.statusCode, 200);
      assert.equal((await post(signUp(e.id))).body.statusCode, 200);
      for (let i = 0; i < 2; i++) {
        const refused = await post(cancel);
        assert.deepEqual([refused.status, refused.body.type, refused.body.value.code, refused.body.value.message], [400, 'application/vnd.microsoft.error', 'rate_limited', en.rateLimited]);
      }
      assert.deepEqual(events.events.get(e.id)?.registered, [userId], 'the refused cancellations changed nothing');

      // Reads are not writes: a refresh and a command still answer.
      const refresh = await post({ type: 'invoke', name: 'adaptiveCard/action', value: { action: { type: 'Action.Execute', verb: 'event.refresh', data: { eventId: e.id } }, trigger: 'automatic' } });
      assert.equal(refresh.body.statusCode, 200);
      await post({ text: 'my events' });
      assert.ok(lastReply().includes('Webinar nitraat'));
    });

    it('counts each person on their own, and starting a discussion from a message counts too', async () => {
      const post = meent({ RATE_LIMIT_USER_WRITES: '1' });
      const e = events.add({ title: 'Webinar nitraat' });
      assert.equal((await post(signUp(e.id))).body.statusCode, 200);
      const start = { type: 'invoke', name: 'composeExtension/submitAction', value: { commandId: 'startDiscussion', data: { communityId: 'aaaaaaaaaaaaaaaaaaaaaaaa', title: 'Wie meet er nitraat?', body: '' } } };
      const refused = await post(start);
      assert.equal(refused.status, 200);
      assert.ok(JSON.stringify(refused.body).includes(en.rateLimited), JSON.stringify(refused.body));
      assert.equal(discussions.discussions.size, 0, 'no discussion started');

      const other = randomUUID();
      await UserModel.create({ tenantId: TEST_HOME_TENANT, userId: other, displayName: 'Ann Jansen', isGuest: false });
      const theirs = await post({ ...signUp(e.id), from: { id: `29:${other}`, aadObjectId: other, name: 'Ann Jansen' } });
      assert.equal(theirs.body.statusCode, 200);
      assert.deepEqual(events.events.get(e.id)?.registered, [userId, other]);
    });
  });
});
