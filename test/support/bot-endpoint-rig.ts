/**
 * The bot over HTTP, as Teams reaches it: the local identity provider (the channel's signing
 * keys and the bot's own credentials) and the local Bot Framework connector, shared by a test
 * file; per test, a Meent bot endpoint built from a configuration, and activities posted to
 * POST /api/messages with a valid Bot Framework token for it.
 */
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { createBotModule, type BotModuleDeps } from '../../bot/bot-module.js';
import { loadConfig, type Config } from '../../src/config/config.js';
import { createApp } from '../../src/http/app.js';
import { createLogger } from '../../src/logging/logger.js';
import { botCredentialsFactory } from './bot-auth.js';
import { startBotConnector, type BotConnector } from './bot-connector.js';
import { entraEnvironment, TEST_HOME_TENANT } from './identity-app.js';
import { startIdentityProvider, type IdentityProvider } from './identity-provider.js';

export const RIG_BOT_ID = '3f2b1a0c-9d8e-4f7a-b6c5-d4e3f2a1b0c9';
const BOT_PASSWORD = 'bot-password-0123456789';

export interface BotEndpointRig {
  idp: IdentityProvider;
  connector: BotConnector;
  /** Meent's configuration (entra mode, the rig's bot) with `env` on top. */
  config(env?: Record<string, string>): Config;
  /** Registers the person's 1:1 chat with the bot in the connector (as installing Meent personally does); answers its id. */
  personalChat(person: ChatPerson): string;
  /** The sender and conversation of a message the person writes in that chat. */
  inChat(person: ChatPerson, conversationId: string): { from: Record<string, string>; conversation: Record<string, unknown> };
  /** The bot endpoint of a Meent built from `config`, and a function that posts activities to it. */
  endpoint(config: Config, deps?: Omit<BotModuleDeps, 'config' | 'logger' | 'endpoints' | 'credentialsFactory'> & { logger?: BotModuleDeps['logger'] }): Poster;
  stop(): Promise<void>;
}

export interface ChatPerson {
  userId: string;
  name: string;
  /** What the Teams roster says (default `user`, a member of the organisation). */
  userRole?: 'user' | 'guest';
}

/** Posts an activity (a message from `from` in `conversation` unless overridden) with a valid token. */
export type Poster = (overrides: Record<string, unknown>) => Promise<request.Response>;

export async function startBotEndpointRig(): Promise<BotEndpointRig> {
  const idp = await startIdentityProvider();
  const connector = await startBotConnector({ validToken: (token) => idp.issuedAccessTokens.has(token) });
  return {
    idp,
    connector,
    personalChat: (person) =>
      connector.addConversation({
        tenantId: TEST_HOME_TENANT,
        conversationType: 'personal',
        user: { id: `29:${person.userId}`, aadObjectId: person.userId },
        members: [{ id: `29:${person.userId}`, aadObjectId: person.userId, name: person.name, tenantId: TEST_HOME_TENANT, userRole: person.userRole ?? 'user' }],
      }).id,
    inChat: (person, conversationId) => ({
      from: { id: `29:${person.userId}`, aadObjectId: person.userId, name: person.name },
      conversation: { id: conversationId, conversationType: 'personal', tenantId: TEST_HOME_TENANT },
    }),
    config: (env = {}) => loadConfig(entraEnvironment(idp.baseUrl, 'https://graph.microsoft.com', { BOT_ID: RIG_BOT_ID, BOT_PASSWORD, PUBLIC_URL: 'https://meent.example', ...env })),
    endpoint(config, deps = {}) {
      const logger = deps.logger ?? createLogger('silent');
      const bot = createBotModule({
        ...deps,
        config,
        logger,
        endpoints: { channelOpenIdMetadataUrl: idp.botOpenIdMetadataUrl, emulatorOpenIdMetadataUrl: `${idp.baseUrl}/common/v2.0/.well-known/openid-configuration` },
        credentialsFactory: botCredentialsFactory(idp, { botId: RIG_BOT_ID, password: BOT_PASSWORD, tenantId: TEST_HOME_TENANT }),
      });
      const app = createApp({ config, logger, isReady: () => Promise.resolve(true), botHandler: bot.botHandler });
      return async (overrides) =>
        request(app)
          .post('/api/messages')
          .set('Authorization', `Bearer ${await idp.botToken({ audience: RIG_BOT_ID, serviceUrl: connector.serviceUrl })}`)
          .send({
            type: 'message',
            id: randomUUID(),
            channelId: 'msteams',
            serviceUrl: connector.serviceUrl,
            timestamp: new Date().toISOString(),
            locale: 'en-US',
            recipient: { id: `28:${RIG_BOT_ID}`, name: 'Meent' },
            channelData: { tenant: { id: TEST_HOME_TENANT } },
            ...overrides,
          });
    },
    async stop() {
      await connector.stop();
      await idp.stop();
    },
  };
}
