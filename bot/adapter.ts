/**
 * The Bot Framework endpoint (POST /api/messages): `botbuilder`'s `CloudAdapter` with
 * `ConfigurationBotFrameworkAuthentication` built from `BOT_*`. With a bot id, every activity
 * must carry a valid Bot Framework token (signed by a key the channel publishes, issued by
 * the channel, for our bot id); anything else is 401 problem+json before the bot sees it.
 * Without a bot id, in local mode only, activities are accepted unauthenticated, for
 * Microsoft 365 Agents Playground. In entra mode without a bot id every activity is refused.
 * https://learn.microsoft.com/en-us/azure/bot-service/rest-api/bot-framework-rest-connector-authentication
 */
import type { RequestHandler } from 'express';
import { CloudAdapter, ConfigurationBotFrameworkAuthentication, type Activity, type TurnContext } from 'botbuilder';
import type { Logger } from 'pino';
import type { Config } from '../src/config/config.js';
import { UnauthorizedError, ValidationError } from '../src/errors/domain-errors.js';
import { issuesToDetails } from '../src/http/api-spec.js';
import { activityShape } from './activity-shape.js';

/** The bot's own credentials for outgoing calls (tests: tokens from their local identity provider). */
export type CredentialsFactory = ConstructorParameters<typeof ConfigurationBotFrameworkAuthentication>[1];

/** Where to fetch the Bot Framework's signing keys; tests point these at their local stand-in. */
export interface BotAuthenticationEndpoints {
  /** Default `https://login.botframework.com/v1/.well-known/openidconfiguration`. */
  channelOpenIdMetadataUrl: string;
  /** Default `https://login.microsoftonline.com/common/v2.0/.well-known/openid-configuration`. */
  emulatorOpenIdMetadataUrl: string;
}

export interface BotEndpointOptions {
  config: Config;
  logger: Logger;
  /** The bot: runs once per authenticated activity. */
  logic: (context: TurnContext) => Promise<void>;
  endpoints?: BotAuthenticationEndpoints;
  /** The bot's own credentials for outgoing calls (tests: tokens from their local identity provider); default from BOT_*. */
  credentialsFactory?: CredentialsFactory;
}

type AuthenticateRequestResult = Awaited<ReturnType<ConfigurationBotFrameworkAuthentication['authenticateRequest']>>;

/**
 * `CloudAdapter` whose turn we start ourselves after authenticating: `process()` would answer
 * an invalid signature with 500 and echo the library's error text to the caller.
 */
export class MeentCloudAdapter extends CloudAdapter {
  runAuthenticated(auth: AuthenticateRequestResult, activity: Activity, logic: (context: TurnContext) => Promise<void>) {
    return this.processActivity(auth, activity, logic);
  }
}

export interface BotEndpoint {
  adapter: MeentCloudAdapter;
  authentication: ConfigurationBotFrameworkAuthentication;
  handler: RequestHandler;
}

/**
 * The public-cloud values botframework-connector's `AuthenticationConstants` uses. Overriding
 * any endpoint switches it to "parameterized" mode where all of them must be given.
 */
const PUBLIC_CLOUD = {
  ToChannelFromBotLoginUrl: 'https://login.microsoftonline.com/botframework.com',
  ToChannelFromBotOAuthScope: 'https://api.botframework.com',
  ToBotFromChannelTokenIssuer: 'https://api.botframework.com',
  OAuthUrl: 'https://api.botframework.com',
  CallerId: 'urn:botframework:azure',
} as const;

/**
 * The bot's one set of adapter settings (BOT_*): the endpoint authenticates incoming
 * activities with it, and the notification worker sends proactive messages with it.
 */
export function botFrameworkAuthentication(
  bot: Config['bot'],
  options: { endpoints?: BotAuthenticationEndpoints; credentialsFactory?: CredentialsFactory } = {},
): ConfigurationBotFrameworkAuthentication {
  return new ConfigurationBotFrameworkAuthentication(
    {
      MicrosoftAppId: bot.id ?? '',
      MicrosoftAppPassword: bot.password ?? '',
      MicrosoftAppType: bot.type,
      MicrosoftAppTenantId: bot.tenantId ?? '',
      ...(options.endpoints
        ? {
            ...PUBLIC_CLOUD,
            ToBotFromChannelOpenIdMetadataUrl: options.endpoints.channelOpenIdMetadataUrl,
            ToBotFromEmulatorOpenIdMetadataUrl: options.endpoints.emulatorOpenIdMetadataUrl,
            ValidateAuthority: true,
          }
        : {}),
    },
    options.credentialsFactory,
  );
}

export function createBotEndpoint(options: BotEndpointOptions): BotEndpoint {
  const { config, logger } = options;
  const bot = config.bot;
  const authentication = botFrameworkAuthentication(bot, {
    ...(options.endpoints ? { endpoints: options.endpoints } : {}),
    ...(options.credentialsFactory ? { credentialsFactory: options.credentialsFactory } : {}),
  });
  const adapter = new MeentCloudAdapter(authentication);
  adapter.onTurnError = async (context, error) => {
    // The user sees a plain apology; the detail goes to the log only.
    logger.error({ err: error, activityType: context.activity.type }, 'bot turn failed');
    await context.sendActivity('Er ging iets mis. Probeer het later opnieuw. / Something went wrong; please try again later.').catch((err: unknown) => {
      logger.warn({ err }, 'could not tell the user about a failed turn');
    });
  };
  const refuseAll = !bot.id && !config.localMode;
  if (refuseAll) logger.warn('BOT_ID is not set: the bot endpoint refuses every activity (only local mode accepts unauthenticated ones)');

  const handler: RequestHandler = async (req, res) => {
    const activity = req.body as Partial<Activity> | undefined;
    const shape = activityShape.safeParse(activity);
    if (!shape.success) {
      throw new ValidationError('The request is not a Bot Framework activity.', issuesToDetails('body', shape.error), 'invalid_activity');
    }
    if (refuseAll) throw new UnauthorizedError('The bot is not configured.', 'bot_unauthenticated');
    const authHeader = req.get('authorization') ?? '';
    let authResult: AuthenticateRequestResult;
    try {
      authResult = await authentication.authenticateRequest(activity as Activity, authHeader);
    } catch (err) {
      // Any failure here (no token, bad signature, wrong audience or issuer, unknown key) is
      // the caller's: 401, with the reason in our log only.
      logger.warn({ err: { name: (err as Error).name, message: (err as Error).message }, channelId: activity?.channelId }, 'bot activity rejected');
      throw Object.assign(new UnauthorizedError('The request does not carry a valid Bot Framework token.', 'bot_unauthenticated'), {
        wwwAuthenticate: 'Bearer realm="botframework", error="invalid_token"',
      });
    }
    const invokeResponse = await adapter.runAuthenticated(authResult, activity as Activity, options.logic);
    if (invokeResponse?.body !== undefined) {
      res.status(invokeResponse.status).json(invokeResponse.body);
    } else {
      res.status(invokeResponse?.status ?? 200).end();
    }
  };
  return { adapter, authentication, handler };
}
