import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { Activity, TurnContext } from 'botbuilder';
import sinon from 'sinon';
import request from 'supertest';
import { createBotEndpoint } from '../../bot/adapter.js';
import { loadConfig } from '../../src/config/config.js';
import { createApp } from '../../src/http/app.js';
import { createLogger } from '../../src/logging/logger.js';
import { entraEnvironment } from '../support/identity-app.js';
import { BOT_FRAMEWORK_ISSUER, createSigningKey, startIdentityProvider, type BotTokenOptions, type IdentityProvider } from '../support/identity-provider.js';

describe('bot endpoint authentication (CloudAdapter, ConfigurationBotFrameworkAuthentication)', () => {
  const botId = '3f2b1a0c-9d8e-4f7a-b6c5-d4e3f2a1b0c9';
  const serviceUrl = 'https://smba.trafficmanager.net/emea/';
  let idp: IdentityProvider;
  const sandbox = sinon.createSandbox();
  let received: Partial<Activity>[];

  before(async () => {
    idp = await startIdentityProvider();
  });
  after(async () => {
    await idp.stop();
  });
  beforeEach(() => {
    received = [];
    // botframework-connector writes rejected tokens' details to console.error; keep the output readable.
    sandbox.stub(console, 'error');
  });
  afterEach(() => sandbox.restore());

  function appFor(env: Record<string, string>) {
    const config = loadConfig(env);
    const logger = createLogger('silent');
    const bot = createBotEndpoint({
      config,
      logger,
      logic: async (context: TurnContext) => {
        received.push(context.activity);
      },
      endpoints: {
        channelOpenIdMetadataUrl: idp.botOpenIdMetadataUrl,
        emulatorOpenIdMetadataUrl: `${idp.baseUrl}/common/v2.0/.well-known/openid-configuration`,
      },
    });
    return createApp({ config, logger, isReady: () => Promise.resolve(true), botHandler: bot.handler });
  }

  const activity = () => ({
    type: 'message',
    id: randomUUID(),
    channelId: 'msteams',
    serviceUrl,
    timestamp: new Date().toISOString(),
    from: { id: '29:1a2b3c', aadObjectId: randomUUID(), name: 'Sanne de Vries' },
    recipient: { id: `28:${botId}`, name: 'Meent' },
    conversation: { id: 'a:1xyz', conversationType: 'personal', tenantId: randomUUID() },
    text: 'hallo',
  });

  describe('with a bot id configured', () => {
    let app: ReturnType<typeof appFor>;
    before(() => {
      app = appFor({ ...entraEnvironment(idp.baseUrl, 'https://graph.microsoft.com'), BOT_ID: botId, BOT_PASSWORD: 'bot-password-0123456789' });
    });

    const send = (authorization: string | undefined, body: object = activity()) => {
      const req = request(app).post('/api/messages').send(body);
      return authorization === undefined ? req : req.set('Authorization', authorization);
    };
    const botToken = (options: Partial<BotTokenOptions> = {}) => idp.botToken({ audience: botId, serviceUrl, ...options });

    it('accepts an activity with a valid channel token and runs the bot', async () => {
      const res = await send(`Bearer ${await botToken()}`);
      assert.equal(res.status, 200, res.text);
      assert.equal(received.length, 1);
      assert.equal(received[0]?.text, 'hallo');
    });

    const forged: { name: string; authorization: () => Promise<string | undefined> }[] = [
      { name: 'no token', authorization: async () => undefined },
      { name: 'wrong audience (another bot)', authorization: async () => `Bearer ${await botToken({ audience: randomUUID() })}` },
      { name: 'signed by a key the channel does not publish', authorization: async () => `Bearer ${await botToken({ key: await createSigningKey() })}` },
      { name: 'wrong issuer', authorization: async () => `Bearer ${await botToken({ issuer: 'https://evil.example' })}` },
      { name: 'expired', authorization: async () => `Bearer ${await botToken({ expiresIn: -3600 })}` },
      { name: 'for another service URL than the activity names', authorization: async () => `Bearer ${await botToken({ serviceUrl: 'https://attacker.example/' })}` },
      {
        name: 'tampered (audience changed after signing)',
        authorization: async () => {
          const [header, payload, signature] = (await botToken({ audience: randomUUID() })).split('.');
          const claims = JSON.parse(Buffer.from(payload ?? '', 'base64url').toString('utf8')) as Record<string, unknown>;
          return `Bearer ${header}.${Buffer.from(JSON.stringify({ ...claims, aud: botId })).toString('base64url')}.${signature}`;
        },
      },
      {
        name: 'an Entra user token (a real key of the identity provider, but not a channel key)',
        authorization: async () => `Bearer ${await idp.sign({ iss: BOT_FRAMEWORK_ISSUER, aud: botId, serviceurl: serviceUrl, exp: Math.floor(Date.now() / 1000) + 600 })}`,
      },
    ];

    for (const c of forged) {
      it(`rejects a forged activity: ${c.name} -> 401, bot not run`, async () => {
        const res = await send(await c.authorization());
        assert.equal(res.status, 401, res.text);
        assert.match(res.headers['content-type'] ?? '', /^application\/problem\+json/);
        assert.equal(res.body.code, 'bot_unauthenticated');
        assert.match(res.headers['www-authenticate'] ?? '', /^Bearer /);
        assert.equal(received.length, 0);
      });
    }

    it('rejects a body that is not an activity with 400', async () => {
      const res = await send(`Bearer ${await botToken()}`, { hello: 'world' });
      assert.equal(res.status, 400);
      assert.equal(res.body.code, 'invalid_activity');
      assert.equal(received.length, 0);
    });
  });

  describe('without a bot id', () => {
    it('accepts an unauthenticated activity in local mode (Agents Playground)', async () => {
      const app = appFor({ NODE_ENV: 'test', LOG_LEVEL: 'silent', AUTH_MODE: 'local' });
      const res = await request(app).post('/api/messages').send(activity());
      assert.equal(res.status, 200, res.text);
      assert.equal(received.length, 1);
    });

    it('refuses every activity in entra mode', async () => {
      const app = appFor(entraEnvironment(idp.baseUrl, 'https://graph.microsoft.com'));
      const res = await request(app).post('/api/messages').set('Authorization', `Bearer ${await idp.botToken({ audience: botId, serviceUrl })}`).send(activity());
      assert.equal(res.status, 401);
      assert.equal(received.length, 0);
    });
  });
});
