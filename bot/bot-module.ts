/**
 * The bot, wired: `createBotModule` gives the composition root the `/api/messages` handler
 * (bot/adapter.ts authenticates, MeentBot answers), and `botNotificationChannel` gives the
 * notification worker the bot's messenger and cards (the composition root hands them in).
 */
import { CloudAdapter } from 'botbuilder';
import type { Logger } from 'pino';
import type { CapabilityModule } from '../src/http/app.js';
import { writeRateLimits, type PersonWriteLimit } from '../src/http/request-rate-limits.js';
import type { Config } from '../src/config/config.js';
import type { EventService } from '../src/events/event.service.js';
import type { EventSignupService } from '../src/events/event-signup.service.js';
import { UserDirectoryRepository } from '../src/members/user-directory.repository.js';
import type { Actor } from '../src/auth/actor.js';
import { communityLookup } from '../src/communities/community-lookup.js';
import { ConversationReferences } from '../src/notifications/conversation-references.js';
import type { Messenger, NotificationRenderer } from '../src/notifications/messenger.js';
import { NotificationPreferences } from '../src/notifications/notification-preferences.js';
import type { SearchService } from '../src/search/search.service.js';
import { botFrameworkAuthentication, createBotEndpoint, type BotAuthenticationEndpoints, type CredentialsFactory, type MeentCloudAdapter } from './adapter.js';
import { BotActors, type ActorResolver } from './bot-actors.js';
import { BotMessenger } from './bot-messenger.js';
import { ServiceEventsPort, unavailableDiscussions, unavailableEvents, unavailableSearch } from './core-ports.js';
import { ServiceDiscussionsPort, type ServiceDiscussionsPortDeps } from './discussions-port.js';
import { MeetingHandler, tabDeepLinks, type MeetingEventsPort } from './meeting-handler.js';
import { MeentBot } from './meent-bot.js';
import { NotificationCards } from './notification-cards.js';
import { tabLinks, type DiscussionsPort, type EventsPort, type SearchPort } from './ports.js';
import { ServiceSearchPort } from './search-port.js';
import { unavailableConsultations, type BotConsultationsPort } from './consultations-port.js';
import { ConsultationPosts } from './consultation-posts.js';
import { findMeetingLink } from '../src/meetings/meetings.repository.js';
import { tenantAllowlist } from '../src/auth/tenant-allowlist.js';
import type { ActivityRecorder } from '../src/analytics/analytics-recorder.js';

export interface BotModuleDeps {
  config: Config;
  logger: Logger;
  /** The events capability's services (createEventsServices). */
  events?: { events: EventService; signups: EventSignupService };
  /** The communities capability's services (createCommunitiesServices): discussions and search. */
  communities?: ServiceDiscussionsPortDeps & { search: SearchService };
  /** The consultations capability's port (src/consultations/consultations.port.ts): cards answered in place, the `consultations` command. */
  consultations?: BotConsultationsPort;
  /** Replace a port (tests). */
  ports?: { events?: EventsPort; discussions?: DiscussionsPort; search?: SearchPort };
  /** The per-person write limit the API's writes count against (the identity layer's); default: one on the same counters. */
  writes?: PersonWriteLimit;
  /** Tells the people directory someone was seen (the identity layer's `users.signedIn`). */
  seen?: (actor: Actor) => Promise<void>;
  actors?: ActorResolver;
  /** Replaces the messenger the bot answers privately through (tests that drive the bot without a connector). */
  messenger?: Messenger;
  endpoints?: BotAuthenticationEndpoints;
  credentialsFactory?: CredentialsFactory;
  /** The meetings capability (src/meetings/): cards at a meeting's start and end, and its follow-up. */
  meetings?: { events: MeetingEventsPort; followUpSoon?: (tenantId: string, chatId: string) => void };
  /** Records card actions (sign-ups, replies) as engagement (src/analytics/). */
  analytics?: ActivityRecorder;
}

export interface BotModule extends CapabilityModule {
  bot: MeentBot;
  adapter: MeentCloudAdapter;
  messenger: BotMessenger;
  /** Posts a quick poll launched from a meeting into that meeting's chat (the consultations capability calls it once the poll is open). */
  consultationPosts: ConsultationPosts;
}

export function createBotModule(deps: BotModuleDeps): BotModule {
  const { config, logger } = deps;
  if (!config.localMode && !config.teamsConditionalAccess && (config.ipAllowlist.length > 0 || config.requireMfa === 'members' || config.requireMfa === 'all')) {
    logger.warn(
      { requireMfa: config.requireMfa, ipAllowlist: config.ipAllowlist.length > 0 },
      'REQUIRE_MFA and IP_ALLOWLIST cannot be checked on bot activities: the bot answers only help to the people they cover. Set TEAMS_CONDITIONAL_ACCESS=true if Conditional Access applies them to Microsoft Teams.',
    );
  }
  const people = new UserDirectoryRepository();
  const servedEvents = deps.ports?.events ?? (deps.events ? new ServiceEventsPort({ ...deps.events, communities: communityLookup }) : undefined);
  const servedDiscussions = deps.ports?.discussions ?? (deps.communities ? new ServiceDiscussionsPort(deps.communities) : undefined);
  const events = servedEvents && deps.analytics ? recordingCardSignUps(servedEvents, deps.analytics) : servedEvents;
  const discussions = servedDiscussions && deps.analytics ? recordingCardReplies(servedDiscussions, deps.analytics) : servedDiscussions;
  const search = deps.ports?.search ?? (deps.communities ? new ServiceSearchPort(deps.communities) : undefined);
  // The endpoint runs the bot, and the bot answers through the endpoint's adapter (1:1 answers to commands in shared chats).
  const endpoint = createBotEndpoint({
    config,
    logger,
    logic: (context) => bot.run(context),
    ...(deps.endpoints ? { endpoints: deps.endpoints } : {}),
    ...(deps.credentialsFactory ? { credentialsFactory: deps.credentialsFactory } : {}),
  });
  const messenger = new BotMessenger(endpoint.adapter, config.bot.id ?? '');
  const references = new ConversationReferences();
  const links = tabLinks(config.publicUrl);
  const bot = new MeentBot({
    actors: deps.actors ?? new BotActors({ config, findUser: (tenantId, userId) => people.find(tenantId, userId), ...(deps.seen ? { seen: deps.seen } : {}), logger }),
    events: events ?? unavailableEvents,
    discussions: discussions ?? unavailableDiscussions,
    search: search ?? unavailableSearch,
    ...(deps.consultations ? { consultations: deps.consultations } : {}),
    preferences: new NotificationPreferences(),
    references,
    tenantAllowed: tenantAllowlist(config),
    messenger: deps.messenger ?? messenger,
    writes: deps.writes ?? writeRateLimits({ windowMs: config.rateLimits.windowMs, perUser: config.rateLimits.userWrites, perIp: 0, logger }).perPerson,
    links,
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
  const consultationPosts = new ConsultationPosts({
    consultations: deps.consultations ?? unavailableConsultations,
    references,
    messenger: deps.messenger ?? messenger,
    links,
    chatCommunity: async (tenantId, chatId) => {
      const link = await findMeetingLink(tenantId, chatId);
      return link ? String(link.communityId) : null;
    },
    logger,
  });
  return { botHandler: endpoint.handler, bot, adapter: endpoint.adapter, messenger, consultationPosts };
}

/**
 * What the notification worker delivers through (for the composition root to hand to
 * src/background-jobs.ts): the bot's messenger, with the adapter settings of bot/adapter.ts, and its cards.
 */
export function botNotificationChannel(config: Config, options: { credentialsFactory?: CredentialsFactory } = {}): { messenger: Messenger; renderer: NotificationRenderer } {
  const adapter = new CloudAdapter(botFrameworkAuthentication(config.bot, options));
  return { messenger: new BotMessenger(adapter, config.bot.id ?? ''), renderer: new NotificationCards(tabLinks(config.publicUrl)) };
}

/** The events port, with every sign-up from a card recorded as an action (a sign-up from a card is engagement). */
function recordingCardSignUps(port: EventsPort, recorder: ActivityRecorder): EventsPort {
  return {
    upcoming: (actor, limit) => port.upcoming(actor, limit),
    mine: (actor, limit) => port.mine(actor, limit),
    get: (actor, eventId) => port.get(actor, eventId),
    cancel: (actor, eventId) => port.cancel(actor, eventId),
    async signUp(actor, eventId) {
      const summary = await port.signUp(actor, eventId);
      recorder.action(actor, 'signUp', { eventId }, 'card');
      return summary;
    },
  };
}

/** The discussions port, with replies and questions from cards recorded as actions. */
function recordingCardReplies(port: DiscussionsPort, recorder: ActivityRecorder): DiscussionsPort {
  return {
    latest: (actor, limit) => port.latest(actor, limit),
    get: (actor, id) => port.get(actor, id),
    follow: (actor, id, follow) => port.follow(actor, id, follow),
    askableCommunities: (actor) => port.askableCommunities(actor),
    async ask(actor, input) {
      const summary = await port.ask(actor, input);
      recorder.action(actor, 'discussionStarted', { communityId: input.communityId }, 'card');
      return summary;
    },
    async reply(actor, discussionId, text) {
      const summary = await port.reply(actor, discussionId, text);
      recorder.action(actor, 'reply', { discussionId }, 'card');
      return summary;
    },
  };
}
