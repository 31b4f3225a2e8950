/**
 * Issue 18, reliability suite: bot activities fuzzed the way the API is (api-fuzz.test.ts),
 * through POST /api/messages with valid Bot Framework tokens, the real communities services
 * on the store and the local connector. Messages with odd commands and text, card actions
 * (Universal Actions) with every verb and malformed data, message-extension invokes, and
 * activities of unknown or half-formed shapes, from members, guests, other tenants and
 * senders without an Entra id. Asserted: no 5xx and no invoke answered 500, nothing logged
 * as an error of ours, and no write to the store's content from any of them.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import mongoose from 'mongoose';
import type { Logger } from 'pino';
import type { Actor } from '../../src/auth/actor.js';
import { createLogger } from '../../src/logging/logger.js';
import type { BotConnector } from '../support/bot-connector.js';
import { startBotEndpointRig, type BotEndpointRig, type Poster } from '../support/bot-endpoint-rig.js';
import { useTestDatabase } from '../support/database.js';
import { TEST_HOME_TENANT } from '../support/identity-app.js';
import { buildWorld, community, person } from '../communities/communities-fixtures.js';
import { Random } from './random.js';
import { snapshotStore, storeDifferences } from './store-snapshot.js';

const SEED = Number(process.env.MEENT_BOT_FUZZ_SEED ?? 20261207);
const ACTIVITIES = 2_000;

/**
 * Collections an activity may still touch without writing content: who wrote to the bot
 * (references), who was seen, counters, and the person's notification settings, which a
 * settings.save without any field (a valid save) stores with the sender's language.
 */
const BOOKKEEPING = new Set(['conversation_references', 'users', 'rate_limit_counters', 'audit_entries', 'leases', 'notification_preferences']);

// Event verbs are left out: this rig wires the communities services only (events answer "unavailable").
const VERBS = ['discussion.refresh', 'discussion.reply', 'discussion.follow', 'discussion.ask', 'settings.save', 'notifications.mute', 'notifications.unmute', 'settings.open', '', 'x'.repeat(300), '__proto__', 'constructor'];
/** The invokes Meent implements; for any other, the Bot Framework protocol's answer is 501 Not Implemented (ActivityHandler's default), which Teams expects. */
const IMPLEMENTED_INVOKES = new Set(['adaptiveCard/action', 'composeExtension/query', 'composeExtension/queryLink', 'composeExtension/fetchTask', 'composeExtension/submitAction']);
// "events" and "my events" are left out like the event verbs.
const COMMANDS = ['help', 'discussions', 'ask', 'search', 'settings', 'hulp', 'zoek', '', ' ', '@Meent', '<at>Meent</at> discussions'];

describe('bot activities fuzzed through /api/messages (issue 18, reliability)', function () {
  this.timeout(240_000);
  useTestDatabase('botfuzz');
  let rig: BotEndpointRig;
  let connector: BotConnector;
  let post: Poster;
  let member: Actor;
  let discussionId: string;
  let communityId: string;
  const errors: string[] = [];

  before(async () => {
    rig = await startBotEndpointRig();
    connector = rig.connector;
    const world = buildWorld();
    member = await person({ userId: randomUUID(), name: 'Fenna Fuzz', tenantId: TEST_HOME_TENANT });
    const c = await community(world, member, { name: 'Kwelwater', visibility: 'closed' });
    communityId = c.id;
    discussionId = (await world.module.services.discussions.create(member, c.id, { title: 'Kwel bij de dijk', body: 'Wie meet dit?', kind: 'question' })).id;
    const logger = createLogger('silent') as Logger;
    // An error of ours is logged at `error`; a refusal is not.
    logger.error = ((obj: unknown, msg?: string) => void errors.push(`${msg ?? ''}: ${(obj as { err?: { message?: string } } | undefined)?.err?.message ?? ''}`)) as Logger['error'];
    post = rig.endpoint(rig.config(), { communities: world.module.services, logger });
    rig.personalChat({ userId: member.userId, name: member.name });
  });
  after(async () => {
    await rig.stop();
  });

  it(`answers ${ACTIVITIES} malformed activities without a 5xx, an error of ours or a write`, async () => {
    const random = new Random(SEED);
    console.log(`      bot fuzz seed ${SEED} (MEENT_BOT_FUZZ_SEED repeats it)`);
    const strings = [
      '',
      ' ',
      'x'.repeat(100_001),
      '\u202Eevil\u202C',
      '👩‍👩‍👧‍👦'.repeat(50),
      '\uD800',
      'a\u0000b',
      '<script>alert(1)</script>',
      '[x](javascript:alert(1))',
      '{"$gt":""}',
      'null',
      '../../etc/passwd',
    ];
    const wrongIds = ['', 'not-an-id', '0'.repeat(23), `${'g'.repeat(24)}`, '{"$ne":null}', 'x'.repeat(5_000)];
    const values = (): unknown =>
      random.weighted<() => unknown>([
        [() => random.pick(strings), 4],
        [() => random.pick(wrongIds), 3],
        [() => random.int(-5, 5), 1],
        [() => ({ $gt: '' }), 2],
        [() => ({ $where: 'sleep(1000)' }), 1],
        [() => [random.pick(strings)], 1],
        [() => null, 1],
        [() => true, 1],
        [() => nested(random.int(10, 800)), 1],
      ])();
    const data = (): Record<string, unknown> => {
      const fields = ['eventId', 'discussionId', 'communityId', 'reply', 'follow', 'title', 'body', 'target', 'targetId', 'language', 'digestHour', 'cadence', 'channel', '__proto__'];
      const out: Record<string, unknown> = {};
      for (const f of fields) if (random.chance(0.5)) out[f] = values();
      // Sometimes a real id beside malformed fields: the rest must still be refused.
      if (random.chance(0.2)) out.discussionId = random.chance(0.5) ? discussionId : values();
      if (random.chance(0.1)) out.communityId = random.chance(0.5) ? communityId : values();
      return out;
    };
    const sender = (): Record<string, unknown> =>
      random.weighted<() => Record<string, unknown>>([
        [() => ({ id: `29:${member.userId}`, aadObjectId: member.userId, name: member.name }), 5],
        [() => ({ id: '29:guest', aadObjectId: randomUUID(), name: 'Gast' }), 2],
        [() => ({ id: '29:no-entra' }), 1],
        [() => ({ id: '29:bad', aadObjectId: 'not-a-guid' }), 1],
        [() => ({}), 1],
      ])();
    const conversation = (): Record<string, unknown> =>
      random.weighted<() => Record<string, unknown>>([
        [() => ({ id: `a:${randomUUID()}`, conversationType: 'personal', tenantId: TEST_HOME_TENANT }), 5],
        [() => ({ id: `19:${randomUUID()}@thread.v2`, conversationType: 'groupChat', isGroup: true, tenantId: TEST_HOME_TENANT }), 2],
        [() => ({ id: `a:${randomUUID()}`, conversationType: 'personal', tenantId: randomUUID() }), 2],
        [() => ({ id: `a:${randomUUID()}`, tenantId: 'not-a-tenant' }), 1],
        [() => ({ id: '' }), 1],
      ])();
    const activity = (): Record<string, unknown> =>
      random.weighted<() => Record<string, unknown>>([
        [() => ({ type: 'message', text: `${random.pick(COMMANDS)} ${random.chance(0.5) ? String(random.pick(strings)) : ''}` }), 5],
        [() => ({ type: 'message', text: values(), value: data() }), 1],
        [() => ({ type: 'invoke', name: 'adaptiveCard/action', value: { action: { type: 'Action.Execute', verb: random.pick(VERBS), data: data() }, trigger: 'manual' } }), 6],
        [() => ({ type: 'invoke', name: 'adaptiveCard/action', value: random.pick([null, 'x', [], { action: values() }, { action: { verb: values(), data: values() } }]) }), 2],
        [() => ({ type: 'invoke', name: 'composeExtension/query', value: { commandId: random.pick(['searchMeent', 'x', '']), parameters: random.pick([[{ name: 'query', value: values() }], values(), []]) } }), 2],
        [() => ({ type: 'invoke', name: 'composeExtension/queryLink', value: { url: random.pick(['https://meent.example/tab/#/discussions/x', 'javascript:alert(1)', String(values())]) } }), 1],
        [() => ({ type: 'invoke', name: random.pick(['composeExtension/fetchTask', 'composeExtension/submitAction', 'task/fetch', 'signin/verifyState', 'x']), value: data() }), 2],
        [() => ({ type: random.pick(['conversationUpdate', 'installationUpdate', 'messageReaction', 'event', 'typing', 'nonsense']), action: values(), membersAdded: random.pick([values(), [{}]]), name: values(), value: values() }), 2],
      ])();

    const before = await snapshotStore();
    const statuses = new Map<number, number>();
    let invokesAnswered500 = 0;
    for (let i = 0; i < ACTIVITIES; i += 8) {
      const batch = await Promise.all(
        Array.from({ length: Math.min(8, ACTIVITIES - i) }, async () => {
          const overrides: Record<string, unknown> = { ...activity(), from: sender(), conversation: conversation() };
          const res = await post(overrides);
          return { overrides, res };
        }),
      );
      for (const { overrides, res } of batch) {
        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
        const unimplemented = overrides.type === 'invoke' && !IMPLEMENTED_INVOKES.has(String(overrides.name));
        if (unimplemented && res.status === 501) continue;
        assert.ok(res.status < 500, `${res.status} for ${JSON.stringify(overrides).slice(0, 400)}`);
        if ((res.body as { statusCode?: number } | undefined)?.statusCode === 500) invokesAnswered500++;
      }
    }
    const after = await snapshotStore();
    const writes = storeDifferences(before, after).filter((line) => !BOOKKEEPING.has(line.split(':')[0] ?? ''));
    console.log(`      bot fuzz: ${ACTIVITIES} activities; statuses ${JSON.stringify(Object.fromEntries([...statuses].sort()))}; invokes answered 500: ${invokesAnswered500}; errors logged: ${errors.length}; content writes: ${writes.length} ${JSON.stringify(writes)}; messages the bot sent: ${connector.activities.length}`);
    assert.equal(invokesAnswered500, 0);
    // Two lines that are not errors of ours: the HTTP log of the protocol's 501 for an invoke
    // Meent does not implement, and a reply into a conversation the connector does not know
    // (the fuzz makes up conversation ids; Teams only delivers activities of real ones).
    const ours = [...new Set(errors)].filter((e) => !e.startsWith('request errored: failed with status code 501') && e !== 'bot turn failed: Conversation not found.');
    assert.deepEqual(ours, []);
    assert.deepEqual(writes, []);
  });
});

function nested(depth: number): unknown {
  let value: unknown = 'deep';
  for (let i = 0; i < depth; i++) value = i % 2 === 0 ? [value] : { v: value };
  return value;
}

// Keep mongoose referenced: the snapshot reads its connection (useTestDatabase opens it).
void mongoose;
