/**
 * The bot, wired: `createBotModule` gives the composition root the `/api/messages` handler
 * (bot/adapter.ts authenticates, MeentBot answers), and `startNotificationDelivery` runs the
 * notification worker with the bot's messenger, its cards, and the Teams activity feed
 * through Graph (when the app has a Graph credential).
 */
import { CloudAdapter, ConfigurationBotFrameworkAuthentication } from 'botbuilder';
import type { Logger } from 'pino';
import { appGraphCredentials } from '../src/auth/app-graph-credentials.js';
import type { CommunitiesServices } from '../src/communities/communities.module.js';
import type { CapabilityModule } from '../src/http/app.js';
import type { Config } from '../src/config/config.js';
import type { EventService } from '../src/events/event.service.js';
import type { EventSignupService } from '../src/events/event-signup.service.js';
import { GraphActivityFeed } from '../src/graph/activity-feed-gateway.js';
import { createGraphClient } from '../src/graph/graph-client.js';
import { UserDirectoryRepository } from '../src/members/user-directory.repository.js';
import type { Actor } from '../src/auth/actor.js';
import { communityLookup } from '../src/notifications/community-lookup.js';
import { ConversationReferences } from '../src/notifications/conversation-references.js';
import type { ActivityFeed } from '../src/notifications/messenger.js';
import { NotificationDelivery, startNotificationWorker } from '../src/notifications/notification-delivery.js';
import { NotificationPreferences } from '../src/notifications/notification-preferences.js';
import { limitsFromConfig, RateGovernor } from '../src/notifications/rate-governor.js';
import { createBotEndpoint, type BotAuthenticationEndpoints, type MeentCloudAdapter } from './adapter.js';
import { BotActors, type ActorResolver } from './bot-actors.js';
import { BotMessenger } from './bot-messenger.js';
import { ServiceEventsPort, unavailableDiscussions, unavailableEvents, unavailableSearch } from './core-ports.js';
import { ServiceDiscussionsPort } from './discussions-port.js';
import { MeetingHandler, tabDeepLinks, type MeetingEventsPort } from './meeting-handler.js';
import { MeentBot } from './meent-bot.js';
import { NotificationCards } from './notification-cards.js';
import { tabLinks, type DiscussionsPort, type EventsPort, type SearchPort } from './ports.js';
import { ServiceSearchPort } from './search-port.js';

type CredentialsFactory = ConstructorParameters<typeof ConfigurationBotFrameworkAuthentication>[1];

export interface BotModuleDeps {
  config: Config;
  logger: Logger;
  /** The events capability's services (createEventsServices). */
  events?: { events: EventService; signups: EventSignupService };
  /** The communities capability's services (createCommunitiesServices): discussions and search. */
  communities?: Pick<CommunitiesServices, 'communities' | 'discussions' | 'replies' | 'search'>;
  /** Replace a port (tests). */
  ports?: { events?: EventsPort; discussions?: DiscussionsPort; search?: SearchPort };
  /** Tells the people directory someone was seen (the identity layer's `users.signedIn`). */
  seen?: (actor: Actor) => Promise<void>;
  actors?: ActorResolver;
  endpoints?: BotAuthenticationEndpoints;
  credentialsFactory?: CredentialsFactory;
  /** The meetings capability (src/meetings/): cards at a meeting's start and end, and its follow-up. */
  meetings?: { events: MeetingEventsPort; followUpSoon?: (tenantId: string, chatId: string) => void };
}

export interface BotModule extends CapabilityModule {
  bot: MeentBot;
  adapter: MeentCloudAdapter;
  messenger: BotMessenger;
}

export function createBotModule(deps: BotModuleDeps): BotModule {
  const { config, logger } = deps;
  const people = new UserDirectoryRepository();
  const events = deps.ports?.events ?? (deps.events ? new ServiceEventsPort({ ...deps.events, communities: communityLookup }) : undefined);
  const discussions = deps.ports?.discussions ?? (deps.communities ? new ServiceDiscussionsPort(deps.communities) : undefined);
  const search = deps.ports?.search ?? (deps.communities ? new ServiceSearchPort(deps.communities) : undefined);
  const bot = new MeentBot({
    actors: deps.actors ?? new BotActors({ config, findUser: (tenantId, userId) => people.find(tenantId, userId), ...(deps.seen ? { seen: deps.seen } : {}), logger }),
    events: events ?? unavailableEvents,
    discussions: discussions ?? unavailableDiscussions,
    search: search ?? unavailableSearch,
    preferences: new NotificationPreferences(),
    references: new ConversationReferences(),
    links: tabLinks(config.publicUrl),
    publicUrl: config.publicUrl,
    logger,
    ...(deps.meetings
      ? {
          meetings: new MeetingHandler({
            meetings: deps.meetings.events,
            ...(deps.meetings.followUpSoon ? { followUpSoon: deps.meetings.followUpSoon } : {}),
            links: tabDeepLinks({ teamsAppId: config.teamsAppId, publicUrl: config.publicUrl }),
            logger,
          }),
        }
      : {}),
  });
  const endpoint = createBotEndpoint({
    config,
    logger,
    logic: (context) => bot.run(context),
    ...(deps.endpoints ? { endpoints: deps.endpoints } : {}),
    ...(deps.credentialsFactory ? { credentialsFactory: deps.credentialsFactory } : {}),
  });
  return { botHandler: endpoint.handler, bot, adapter: endpoint.adapter, messenger: new BotMessenger(endpoint.adapter, config.bot.id ?? '') };
}

export interface NotificationDeliveryOptions {
  config: Config;
  logger: Logger;
  /** An adapter to send through (default: one built from BOT_*). */
  adapter?: CloudAdapter;
  credentialsFactory?: CredentialsFactory;
  /** Replace the activity feed (default: Graph with the app's credential, when AUTH_MODE=entra). */
  activityFeed?: ActivityFeed | null;
  intervalMs?: number;
}

/** Starts the notification worker (for src/worker.ts): every instance may run it. */
export function startNotificationDelivery(options: NotificationDeliveryOptions): { stop(): Promise<void> } {
  const { config, logger } = options;
  const adapter =
    options.adapter ??
    new CloudAdapter(
      new ConfigurationBotFrameworkAuthentication(
        { MicrosoftAppId: config.bot.id ?? '', MicrosoftAppPassword: config.bot.password ?? '', MicrosoftAppType: config.bot.type, MicrosoftAppTenantId: config.bot.tenantId ?? '' },
        options.credentialsFactory,
      ),
    );
  const activityFeed = options.activityFeed === undefined ? graphActivityFeed(config) : (options.activityFeed ?? undefined);
  const delivery = new NotificationDelivery({
    renderer: new NotificationCards(tabLinks(config.publicUrl)),
    messenger: new BotMessenger(adapter, config.bot.id ?? ''),
    ...(activityFeed ? { activityFeed } : {}),
    governor: new RateGovernor({ limits: limitsFromConfig(config.notifications) }),
    maxAttempts: config.notifications.maxAttempts,
    logger,
  });
  return startNotificationWorker(delivery, { logger, ...(options.intervalMs !== undefined ? { intervalMs: options.intervalMs } : {}) });
}

/** Activity-feed notifications with the app's own Graph credential (AUTH_MODE=entra only). */
function graphActivityFeed(config: Config): ActivityFeed | undefined {
  const credentials = appGraphCredentials(config);
  if (!credentials) return undefined;
  // One attempt per call: the delivery's rate governor owns retries (and Retry-After).
  return new GraphActivityFeed((tenantId) => createGraphClient({ baseUrl: config.graphBaseUrl, getAccessToken: () => credentials.appToken(tenantId), retry: { maxAttempts: 1 } }));
}
