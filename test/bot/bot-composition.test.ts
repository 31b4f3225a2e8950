import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import type { Actor } from '../../src/auth/actor.js';
import { createCommunitiesServices } from '../../src/composition.js';
import { buildApplication, type Application } from '../../src/composition.js';
import { loadConfig } from '../../src/config/config.js';
import { DEMO_PEOPLE, DEMO_TENANT_ID } from '../../src/local/demo-people.js';
import { createLogger } from '../../src/logging/logger.js';
import { RateLimitCounterModel } from '../../src/http/rate-limit-counter.model.js';
import { assertValidCard } from '../support/adaptive-cards.js';
import { useTestDatabase } from '../support/database.js';

/**
 * The composition root gives the bot the communities capability: in local mode (activities
 * unauthenticated, the sender a demo person) a card action and a message-extension search
 * over POST /api/messages answer from the real discussions and search.
 */
describe('the bot in the composition root: discussions and search are wired', function () {
  this.timeout(60_000);
  useTestDatabase('botcomp');
  const logger = createLogger('silent');
  let application: Application;
  const demo = DEMO_PEOPLE[0];
  assert.ok(demo);
  const actor: Actor = { userId: demo.id, tenantId: DEMO_TENANT_ID, name: demo.displayName, isGuest: demo.isGuest, mfa: false, isOrgAdmin: false, roles: [] };

  before(async () => {
    application = await buildApplication(loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', AUTH_MODE: 'local' }), logger);
  });
  after(async () => {
    await application.close();
  });

  const invoke = (name: string, value: unknown) => invokeOn(application, name, value);
  const invokeOn = (target: Application, name: string, value: unknown) =>
    request(target.app)
      .post('/api/messages')
      .send({
        type: 'invoke',
        id: randomUUID(),
        name,
        value,
        channelId: 'msteams',
        serviceUrl: 'https://smba.trafficmanager.net/emea/',
        locale: 'en-US',
        from: { id: `29:${demo.id}`, aadObjectId: demo.id, name: demo.displayName },
        recipient: { id: '28:meent', name: 'Meent' },
        conversation: { id: 'a:personal', conversationType: 'personal', tenantId: DEMO_TENANT_ID },
      });

  it('answers a discussion card action and a search from the real services', async () => {
    const services = createCommunitiesServices({ logger });
    const community = await services.communities.create(actor, { name: 'Waterkwaliteit', visibility: 'public', guestsAllowed: false });
    const discussion = await services.discussions.create(actor, community.id, { title: 'Zwemwater en blauwalg', body: 'Hoe waarschuwen jullie?', kind: 'question' });

    const refreshed = await invoke('adaptiveCard/action', { action: { type: 'Action.Execute', verb: 'discussion.refresh', data: { discussionId: discussion.id } }, trigger: 'automatic' });
    assert.equal(refreshed.status, 200, refreshed.text);
    assert.equal(refreshed.body.type, 'application/vnd.microsoft.card.adaptive');
    assertValidCard(refreshed.body.value);
    assert.ok(JSON.stringify(refreshed.body.value).includes('Zwemwater en blauwalg'));

    const found = await invoke('composeExtension/query', { commandId: 'searchMeent', parameters: [{ name: 'query', value: 'blauwalg' }] });
    assert.equal(found.status, 200, found.text);
    const attachments = found.body.composeExtension.attachments as { content: unknown; preview: { content: { title: string } } }[];
    assert.deepEqual(attachments.map((a) => a.preview.content.title), ['Zwemwater en blauwalg']);
    for (const a of attachments) assertValidCard(a);
  });

  it('gives the bot the identity layer\'s write limit: card actions and API writes share one budget per person', async () => {
    // A fixed clock: the budget counts per window of the clock, and a real one could start a new window mid-test (it did, on a loaded CI run).
    const at = new Date('2026-01-05T10:00:10Z');
    const limited = await buildApplication(loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', AUTH_MODE: 'local', RATE_LIMIT_USER_WRITES: '2' }), logger, { identity: { now: () => at } });
    try {
      await RateLimitCounterModel.deleteMany({});
      const services = createCommunitiesServices({ logger });
      const community = await services.communities.create(actor, { name: 'Droogte', visibility: 'public', guestsAllowed: false });
      const discussion = await services.discussions.create(actor, community.id, { title: 'Beregening', body: 'Wie weet het?', kind: 'question' });
      const follow = () => invokeOn(limited, 'adaptiveCard/action', { action: { type: 'Action.Execute', verb: 'discussion.follow', data: { discussionId: discussion.id, follow: true } }, trigger: 'manual' });

      // The same person in the tab (signed in through the demo sign-in).
      const tab = request.agent(limited.app);
      const origin = loadConfig({}).publicUrl;
      const followInTab = () => tab.put(`/api/v1/discussions/${discussion.id}/follow`).set('Origin', origin);
      assert.equal((await tab.post('/auth/local').set('Origin', origin).type('form').send({ person: demo.id })).status, 303);
      assert.equal((await followInTab()).status, 200);

      assert.equal((await follow()).body.statusCode, 200);
      const refused = await follow();
      assert.deepEqual([refused.body.statusCode, refused.body.value.code], [400, 'rate_limited']);
      assert.equal((await followInTab()).status, 429);
    } finally {
      await limited.close();
    }
  });
});
