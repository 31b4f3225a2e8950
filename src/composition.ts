/**
 * The composition root: builds every capability from the configuration and hands their
 * routers to the HTTP app. Each capability contributes a module; nothing else in the code
 * base knows how the pieces are wired.
 */
import type { Express } from 'express';
import type { Logger } from 'pino';
import type { Config } from './config/config.js';
import { isDatabaseReachable } from './db/connection.js';
import { createApp, type CapabilityModule } from './http/app.js';
import { createIdentity, type Identity, type IdentityOptions } from './auth/identity.js';
import { createNotificationsModule } from './notifications/notifications.module.js';
import { createCommunitiesModule } from './communities/communities.module.js';
import { botNotificationChannel, createBotModule } from '../bot/bot-module.js';
import { createEventsModule } from './events/events.module.js';
import { ApiSpec } from './http/api-spec.js';
import { createMeetingsModule, createMeetingsServices } from './meetings/meetings.module.js';
import { appGraphCredentials } from './auth/app-graph-credentials.js';
import { createCommunitiesServices } from './communities/communities.module.js';
import { GraphActivityFeed } from './graph/activity-feed-gateway.js';
import { createGraphClient } from './graph/graph-client.js';
import type { GraphCredentials } from './auth/graph-credentials.js';
import { startWorker as startWorkerJobs, type RunningWorker } from './worker.js';

export interface Application {
  app: Express;
  /** The identity layer: capabilities use its people directory, audit log and Graph credentials. */
  identity: Identity;
  modules: CapabilityModule[];
  close(): Promise<void>;
}

export interface BuildOptions {
  tabDirectory?: string;
  /** Replace or add modules (tests hand in stand-ins for remote services here). */
  extraModules?: CapabilityModule[];
  /** Overrides for the identity layer (tests: a clock, a Graph stand-in, the rate-limit store). */
  identity?: Omit<IdentityOptions, 'config' | 'logger'>;
}

export async function buildApplication(config: Config, logger: Logger, options: BuildOptions = {}): Promise<Application> {
  const identity = createIdentity({ config, logger, ...options.identity });
  const graphCredentials = identity.graphCredentials;
  // Events: Outlook through Graph with the app's own token (entra), the local calendar otherwise.
  // One API description for every capability's routes (/api/v1/openapi.json).
  const spec = new ApiSpec();
  const events = createEventsModule({ config, logger, spec, ...(graphCredentials ? { getAccessToken: () => graphCredentials.appToken() } : {}) });
  // Communities, discussions, people, moderation, feed, search and /api/v1/openapi.json (the bot uses its services).
  const communities = createCommunitiesModule({
    logger,
    spec,
    audit: identity.audit,
    directoryFor: (actor) => identity.appDirectory(actor.tenantId),
    upcomingEvents: async (actor, limit) => (await events.services.events.list(actor, { limit })).items.map((e) => ({ ...e })),
  });
  // Teams meetings linked to discussions: the tab in meetings, the bot's meeting events, the follow-up.
  const meetings = createMeetingsModule({
    config,
    logger,
    spec,
    communities: communities.services,
    ...(graphCredentials ? { getAccessToken: (tenantId: string) => graphCredentials.appToken(tenantId) } : {}),
    directoryFor: (tenantId) => identity.appDirectory(tenantId),
  });
  const modules: CapabilityModule[] = [
    // Capabilities register here, identity first (it establishes req.actor).
    {
      networkPolicy: identity.networkPolicy,
      authenticate: identity.authenticate,
      apiRouters: identity.apiRouters,
      publicRouters: identity.publicRouters,
      close: () => identity.whenIdle(),
    },
    // Extra modules come before the capabilities' own: a test's stand-in bot handler wins.
    ...(options.extraModules ?? []),
    createNotificationsModule(),
    communities,
    events,
    meetings,
    // The bot at /api/messages.
    createBotModule({ config, logger, seen: (actor) => identity.users.signedIn(actor), events: events.services, communities: communities.services, meetings: { events: meetings.services.meetings, followUpSoon: meetings.followUpSoon } }),
  ];
  const pick = <K extends keyof CapabilityModule>(key: K) => modules.map((m) => m[key]).filter((v): v is NonNullable<CapabilityModule[K]> => v !== undefined);
  const app = createApp({
    config,
    logger,
    isReady: () => isDatabaseReachable(),
    networkPolicy: pick('networkPolicy').flat(),
    authenticate: pick('authenticate')[0],
    apiRouters: pick('apiRouters').flat(),
    publicRouters: pick('publicRouters').flat(),
    botHandler: pick('botHandler')[0],
    tabDirectory: options.tabDirectory,
  });
  return {
    app,
    identity,
    modules,
    async close() {
      for (const m of [...modules].reverse()) await m.close?.();
    },
  };
}

/**
 * The background loop as a process runs it (`--worker`, or beside the server): the core's
 * jobs, with the bot's messenger and cards as the notification channel, and one Graph
 * credential for every job.
 */
export async function startWorker(deps: { config: Config; logger: Logger }): Promise<RunningWorker> {
  const { config, logger } = deps;
  const graph = appGraphCredentials(config);
  const appToken = graph ? (tenantId?: string) => graph.appToken(tenantId) : undefined;
  const communities = createCommunitiesServices({ logger });
  const meetings = createMeetingsServices({ config, logger, communities, ...(appToken ? { getAccessToken: appToken } : {}) });
  const activityFeed = graph ? graphActivityFeed(config, graph) : undefined;
  return startWorkerJobs({
    config,
    logger,
    ...(appToken ? { appToken } : {}),
    notifications: { ...botNotificationChannel(config), ...(activityFeed ? { activityFeed } : {}) },
    meetings,
  });
}

/** Activity-feed notifications with the app's own Graph credential (AUTH_MODE=entra only). */
function graphActivityFeed(config: Config, credentials: GraphCredentials): GraphActivityFeed {
  // One attempt per call: the delivery's rate governor owns retries (and Retry-After).
  return new GraphActivityFeed((tenantId) => createGraphClient({ baseUrl: config.graphBaseUrl, getAccessToken: () => credentials.appToken(tenantId), retry: { maxAttempts: 1 } }));
}
