import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { TurnContext } from 'botbuilder';
import { BotActors } from '../../bot/bot-actors.js';
import { loadConfig } from '../../src/config/config.js';
import { ForbiddenError, UnauthorizedError } from '../../src/errors/domain-errors.js';
import { DEMO_PEOPLE, DEMO_TENANT_ID } from '../../src/local/demo-people.js';
import { createLogger } from '../../src/logging/logger.js';
import { entraEnvironment, TEST_HOME_TENANT, TEST_PARTNER_TENANT } from '../support/identity-app.js';

function context(from: Record<string, unknown>, tenantId?: string): TurnContext {
  return { activity: { from, conversation: { id: 'a:1', ...(tenantId ? { tenantId } : {}) }, channelData: {} } } as unknown as TurnContext;
}

describe('bot actors (who acts in a bot turn)', () => {
  const logger = createLogger('silent');

  describe('local mode (Agents Playground)', () => {
    const actors = new BotActors({ config: loadConfig({ NODE_ENV: 'test', AUTH_MODE: 'local' }), findUser: async () => null, logger });

    it('acts as the demo person with that id, in the demo tenant', async () => {
      const guest = DEMO_PEOPLE.find((p) => p.isGuest);
      assert.ok(guest);
      const actor = await actors.resolve(context({ id: 'user-id-0', aadObjectId: guest.id }, 'playground-tenant'));
      assert.equal(actor.userId, guest.id);
      assert.equal(actor.tenantId, DEMO_TENANT_ID);
      assert.equal(actor.isGuest, true);
    });

    it('acts as the first demo person for anyone else', async () => {
      const actor = await actors.resolve(context({ id: 'user-id-0', aadObjectId: '00000000-0000-0000-0000-0000000000020' }));
      assert.equal(actor.userId, DEMO_PEOPLE[0]?.id);
      assert.equal(actor.isOrgAdmin, false);
    });
  });

  describe('entra mode', () => {
    const env = entraEnvironment('https://login.example', 'https://graph.microsoft.com');
    const userId = randomUUID();

    it('needs an Entra user and tenant in the activity', async () => {
      const actors = new BotActors({ config: loadConfig(env), findUser: async () => null, memberRole: async () => 'user', logger });
      await assert.rejects(actors.resolve(context({ id: '29:x' }, TEST_HOME_TENANT)), UnauthorizedError);
      await assert.rejects(actors.resolve(context({ id: '29:x', aadObjectId: userId })), UnauthorizedError);
    });

    it('admits the home tenant and allowed partner tenants only', async () => {
      const actors = new BotActors({ config: loadConfig(env), findUser: async () => null, memberRole: async () => 'user', logger });
      assert.equal((await actors.resolve(context({ id: '29:x', aadObjectId: userId }, TEST_HOME_TENANT))).tenantId, TEST_HOME_TENANT);
      assert.equal((await actors.resolve(context({ id: '29:x', aadObjectId: userId }, TEST_PARTNER_TENANT))).tenantId, TEST_PARTNER_TENANT);
      await assert.rejects(actors.resolve(context({ id: '29:x', aadObjectId: userId }, randomUUID())), (err) => err instanceof ForbiddenError && err.code === 'tenant_not_allowed');
    });

    it('refuses guests when the organisation does not admit them', async () => {
      const actors = new BotActors({ config: loadConfig({ ...env, GUESTS_ALLOWED: 'false' }), findUser: async () => ({ isGuest: true, displayName: 'G' }), logger });
      await assert.rejects(actors.resolve(context({ id: '29:x', aadObjectId: userId }, TEST_HOME_TENANT)), (err) => err instanceof ForbiddenError && err.code === 'guests_not_allowed');
    });

    describe('the sign-in policy: REQUIRE_MFA and IP_ALLOWLIST cannot be checked on a bot activity', () => {
      const mfaLevels = ['none', 'admins', 'members', 'all'] as const;
      for (const requireMfa of mfaLevels) {
        for (const isGuest of [false, true]) {
          for (const ipAllowlist of ['', '10.0.0.0/8,2001:db8::/32']) {
            for (const vouched of [false, true]) {
              // Nobody is an admin in the bot, so `admins` covers nobody; `members` covers everyone but guests.
              const mfaCovers = requireMfa === 'all' || (requireMfa === 'members' && !isGuest);
              const expected = vouched ? 'acts' : mfaCovers ? 'mfa_unverifiable' : ipAllowlist !== '' ? 'network_unverifiable' : 'acts';
              it(`REQUIRE_MFA=${requireMfa}, ${isGuest ? 'a guest' : 'a member'}, IP_ALLOWLIST ${ipAllowlist ? 'set' : 'empty'}, TEAMS_CONDITIONAL_ACCESS=${vouched}: ${expected === 'acts' ? 'acts' : `refused (${expected})`}`, async () => {
                const config = loadConfig({ ...env, REQUIRE_MFA: requireMfa, IP_ALLOWLIST: ipAllowlist, TEAMS_CONDITIONAL_ACCESS: String(vouched) });
                const seen: string[] = [];
                const actors = new BotActors({ config, findUser: async () => null, memberRole: async () => (isGuest ? 'guest' : 'user'), seen: async (a) => void seen.push(a.userId), logger });
                const resolving = actors.resolve(context({ id: '29:x', aadObjectId: userId }, TEST_HOME_TENANT));
                if (expected === 'acts') {
                  const actor = await resolving;
                  assert.equal(actor.isGuest, isGuest);
                  assert.equal(actor.mfa, false, 'the bot never claims a multi-factor sign-in it did not see');
                  assert.deepEqual(seen, [userId]);
                } else {
                  await assert.rejects(resolving, (err) => err instanceof ForbiddenError && err.code === expected);
                  assert.deepEqual(seen, [], 'a refused person is not recorded as seen');
                }
              });
            }
          }
        }
      }
    });

    it('never makes an organisation admin in the bot, and tells the directory about new people', async () => {
      const seen: string[] = [];
      const actors = new BotActors({ config: loadConfig(env), findUser: async () => null, memberRole: async () => 'user', seen: async (a) => void seen.push(a.userId), logger });
      const actor = await actors.resolve(context({ id: '29:x', aadObjectId: userId.toUpperCase(), name: 'Sanne' }, TEST_HOME_TENANT.toUpperCase()));
      assert.equal(actor.isOrgAdmin, false);
      assert.equal(actor.userId, userId);
      assert.deepEqual(seen, [userId]);
    });
  });
});
