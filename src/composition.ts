/**
 * The composition root: builds every capability from the configuration and hands their
 * routers to the HTTP app (buildApplication), the worker's jobs their channel and services
 * (startWorker), and the seed its services. The identity layer and the capabilities that live
 * inside communities are wired here too; nothing else in the code base knows how the pieces
 * are wired, and no capability imports this file.
 */
import { randomBytes } from 'node:crypto';
import type { Express, Router } from 'express';
import type { Types } from 'mongoose';
import type { Logger } from 'pino';
import { botNotificationChannel, createBotModule } from '../bot/bot-module.js';
import { createAnalyticsModule, purgeRawAnalytics } from './analytics/analytics.module.js';
import { BEACON_PATH } from './analytics/analytics.routes.js';
import { AuditLog } from './audit/audit-log.service.js';
import { sharedAuditLog, type AuditSink } from './audit/audit.port.js';
import { AuditRepository } from './audit/audit.repository.js';
import { auditRouter } from './audit/audit.routes.js';
import type { Actor } from './auth/actor.js';
import { appGraphCredentials } from './auth/app-graph-credentials.js';
import { BOT_ENDPOINT, createAuthentication, required, type Authentication, type AuthenticationOptions } from './auth/authentication.js';
import type { GraphCredentials } from './auth/graph-credentials.js';
import { communitiesRouter } from './communities/communities.routes.js';
import { CommunityService } from './communities/community.service.js';
import { MembershipService } from './communities/membership.service.js';
import type { Config } from './config/config.js';
import { isDatabaseReachable } from './db/connection.js';
import { DiscussionService, removeCommunityDiscussions } from './discussions/discussion.service.js';
import { discussionsRouter } from './discussions/discussions.routes.js';
import { ReplyService } from './discussions/reply.service.js';
import { createConsultationsModule, createConsultationsServices, deleteConsultationsOfCommunity } from './consultations/consultations.module.js';
import { consultationResponseFigures } from './consultations/consultations.port.js';
import { consultationsPersonalData, consultationsRetentionRule } from './consultations/consultations-personal-data.js';
import { createEventsModule, createEventsServices } from './events/events.module.js';
import { feedRouter } from './feed/feed.routes.js';
import { FeedService, type UpcomingEvents } from './feed/feed.service.js';
import { GraphActivityFeed } from './notifications/activity-feed-gateway.js';
import { GraphAppInstaller } from './notifications/app-installation-gateway.js';
import { GraphMailSender } from './notifications/mail-gateway.js';
import { TeamsReach } from './notifications/teams-reach.js';
import { GraphGuestInvitationsGateway } from './graph/guest-invitations-gateway.js';
import { InvitationService } from './invitations/invitation.service.js';
import { invitationsPersonalData } from './invitations/invitations-personal-data.js';
import { invitationsRouter } from './invitations/invitations.routes.js';
import { invitationRetentionRule } from './invitations/invitation-retention.js';
import { GraphDirectoryGateway, type DirectoryGateway } from './graph/directory-gateway.js';
import { meentGraphClient } from './graph/graph-client.js';
import { GraphTeamsGateway, type TeamsGateway } from './graph/teams-gateway.js';
import { ApiSpec } from './http/api-spec.js';
import { writeRateLimits, type PersonWriteLimit } from './http/request-rate-limits.js';
import { createApp, type CapabilityModule } from './http/app.js';
import { DEMO_TENANT_ID } from './local/demo-people.js';
import { writeDemoOrganisation, type SeedResult } from './local/demo-seed.js';
import { actorForDemoPerson, assertSameOrigin, sessionPerson, withSignedCookies } from './local/local-session.js';
import { localSignInRouter } from './local/local-sign-in.routes.js';
import { createMeetingsModule, createMeetingsServices } from './meetings/meetings.module.js';
import { meRouter } from './members/me.routes.js';
import { PeopleRepository } from './members/people.repository.js';
import { peopleRouter } from './people/people.routes.js';
import { PeopleService } from './people/people.service.js';
import { UserDirectoryRepository } from './members/user-directory.repository.js';
import { UserDirectoryService } from './members/user-directory.service.js';
import { moderationRouter } from './moderation/moderation.routes.js';
import { ModerationService } from './moderation/moderation.service.js';
import { deleteReportsOfCommunity } from './moderation/moderation.repository.js';
import type { PersonEraser } from './privacy/privacy.port.js';
import type { RetentionRule } from './personal-data/retention.port.js';
import { notificationOutbox, type NotificationOutbox } from './notifications/notification-outbox.js';
import { createNotificationsModule } from './notifications/notifications.module.js';
import { searchIndex, type SearchIndex } from './search-index/search-index.js';
import { searchRouter } from './search/search.routes.js';
import { SearchService } from './search/search.service.js';
import { startWorker as startWorkerJobs, type RunningWorker } from './background-jobs.js';
import { auditPersonalData } from './audit/audit-personal-data.js';
import { communitiesPersonalData } from './communities/communities-personal-data.js';
import { discussionsPersonalData } from './discussions/discussions-personal-data.js';
import { eventsPersonalData } from './events/events-personal-data.js';
import type { SeatAllocator } from './events/seat-allocator.js';
import type { EventSignupService } from './events/event-signup.service.js';
import { meetingsPersonalData } from './meetings/meetings-personal-data.js';
import { membersPersonalData } from './members/members-personal-data.js';
import { moderationPersonalData } from './moderation/moderation-personal-data.js';
import { notificationsPersonalData } from './notifications/notifications-personal-data.js';
import { exportsPersonalData } from './privacy/export.service.js';
import { departuresPersonalData } from './privacy/departures-personal-data.js';
import type { PersonalDataContributor } from './personal-data/personal-data.js';
import { createPrivacyModule, createPrivacyPagesModule, createPrivacyServices, createPrivacySettings, type PrivacyServices } from './privacy/privacy.module.js';
import { clockOf } from './time/clock.js';
import { createAttachments } from './attachments/attachments.module.js';
import { isBoundedUploadFragment } from './attachments/upload-fragment-writes.js';
import type { AttachmentService } from './attachments/attachment.service.js';
import { attachmentsPersonalData } from './attachments/attachments-personal-data.js';

export interface Application {
  app: Express;
  /** The identity layer: capabilities use its people directory, audit log and Graph credentials. */
  identity: Identity;
  modules: CapabilityModule[];
  /** Export my data and erase me (the leavers job and tests use the services). */
  privacy: PrivacyServices;
  close(): Promise<void>;
}

export interface BuildOptions {
  tabDirectory?: string;
  /** Replace or add modules (tests hand in stand-ins for remote services here). */
  extraModules?: CapabilityModule[];
  /** Overrides for the identity layer (tests: a clock, a Graph stand-in, the rate-limit store). */
  identity?: Omit<IdentityOptions, 'config' | 'logger'>;
  /** The privacy capability's clock (tests move it past an export link's 24 hours). */
  privacy?: { now?: () => Date };
}

export async function buildApplication(config: Config, logger: Logger, options: BuildOptions = {}): Promise<Application> {
  // One API description for every capability's routes (/api/v1/openapi.json).
  const spec = new ApiSpec();
  // A guest's first sign-in accepts the invitations waiting for them (the invitations capability, built below).
  const signIns: { hook?: (actor: Actor) => Promise<void> } = {};
  const identity = createIdentity({ config, logger, spec, afterSignIn: (actor) => signIns.hook?.(actor) ?? Promise.resolve(), ...options.identity });
  const graphCredentials = identity.graphCredentials;
  // Files in discussions, replies and events (issue 21): OneDrive/SharePoint through Graph, or the local drive store.
  const attachments = createAttachments({ config, logger, spec, graphCredentials, authenticate: identity.authenticate, ...(options.identity?.now ? { now: options.identity.now } : {}) });
  // Events: Outlook through Graph with the app's own token (entra), the local calendar otherwise.
  const events = createEventsModule({ config, logger, spec, audit: identity.audit, directoryFor: (actor) => identity.appDirectory(actor.tenantId), attachments: attachments.service, ...(graphCredentials ? { getAccessToken: () => graphCredentials.appToken() } : {}) });
  // Communities, discussions, people, moderation, feed, search and /api/v1/openapi.json (the bot uses its services).
  const communities = createCommunitiesModule({
    logger,
    spec,
    attachments: attachments.service,
    audit: identity.audit,
    directoryFor: (actor) => identity.appDirectory(actor.tenantId),
    ...(graphCredentials ? { teamsFor: (actor: Actor) => new GraphTeamsGateway({ graph: meentGraphClient({ baseUrl: config.graphBaseUrl, getAccessToken: () => graphCredentials.appToken(actor.tenantId) }) }) } : {}),
    upcomingEvents: async (actor, limit) => (await events.services.events.list(actor, { limit })).items.map((e) => ({ ...e })),
  });
  // Invitations by e-mail (issue 14), to communities and events: people of the tenant as members, others as B2B guests through Graph.
  const invitations = createInvitations({
    config,
    spec,
    audit: identity.audit,
    memberships: communities.services.memberships,
    signups: events.services.signups,
    graphCredentials,
    // A guest's first sign-in: the files of organisation-wide events that admit guests are theirs to open at once.
    guestAdmitted: (actor) => attachments.service.guestAdmitted(actor.tenantId),
  });
  signIns.hook = (actor) => invitations.service.signedIn(actor);
  // Teams meetings linked to discussions: the tab in meetings, the bot's meeting events, the follow-up.
  const meetings = createMeetingsModule({
    config,
    logger,
    spec,
    audit: identity.audit,
    communities: communities.services,
    events: events.services.events,
    ...(graphCredentials ? { getAccessToken: (tenantId: string) => graphCredentials.appToken(tenantId) } : {}),
    directoryFor: (tenantId) => identity.appDirectory(tenantId),
  });
  // Analytics: the tab's beacon, the figures, and the actions of the routes below (recorded write-behind).
  // The consultation response rate comes from the consultations capability's port.
  const analytics = createAnalyticsModule({ logger, spec, sources: { consultationFigures: consultationResponseFigures }, ...(options.identity?.now ? { now: options.identity.now } : {}) });
  // Consultations of a community's panel (issue 13); the bot takes `consultations.services.port`.
  // A quick poll launched from a meeting is posted into its chat by the bot, which is built below.
  const polls: { post?: (actor: Actor, consultationId: string) => void } = {};
  const consultations = createConsultationsModule({ config, logger, spec, audit: identity.audit, quickPollOpened: (actor, id) => polls.post?.(actor, id) });
  const bot = createBotModule({
    config,
    logger,
    seen: (actor) => identity.users.signedIn(actor),
    writes: identity.writeLimit,
    events: events.services,
    communities: communities.services,
    meetings: { events: meetings.services.meetings, followUpSoon: meetings.followUpSoon },
    consultations: consultations.services.port,
    analytics: analytics.recorder,
  });
  polls.post = (actor, id) => void bot.consultationPosts.quickPollCreated(actor, id);
  // /privacy and /terms (public), and the admins' privacy settings (retention, grace period, keep texts).
  const privacyPages = createPrivacyPagesModule({ config, spec, audit: identity.audit, ...(options.identity?.now ? { now: options.identity.now } : {}) });
  // Export my data and erase me, over every capability's personal data.
  const privacy = createPrivacyModule({
    config,
    logger,
    spec,
    audit: identity.audit,
    contributors: personalDataContributors({ allocator: events.services.allocator, forgetUser: (tenantId, userId) => identity.users.forget(tenantId, userId), attachments: attachments.service }),
    keepTextFor: async (tenantId) => (await privacyPages.settings.effective(tenantId)).erasureKeepText,
    ...(options.privacy?.now ? { now: options.privacy.now } : {}),
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
    // Before the capabilities: its middleware watches their answers.
    analytics,
    createNotificationsModule({ spec, reach: { reach: teamsReach(config, graphCredentials), audit: identity.audit } }),
    privacyPages,
    communities,
    { apiRouters: attachments.apiRouters, publicRouters: attachments.publicRouters },
    events,
    meetings,
    consultations,
    privacy,
    invitations.module,
    // The bot at /api/messages.
    bot,
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
    privacy: privacy.services,
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
export async function startWorker(deps: {
  config: Config;
  logger: Logger;
  graphCredentials?: GraphCredentials | undefined;
  /** The privacy erasure (people who left the organisation are erased through it). */
  eraser?: PersonEraser;
  /** Retention rules of capabilities besides the audit log and notifications. */
  retentionRules?: RetentionRule[];
}): Promise<RunningWorker> {
  const { config, logger } = deps;
  const graph = 'graphCredentials' in deps ? deps.graphCredentials : appGraphCredentials(config);
  const appToken = graph ? (tenantId?: string) => graph.appToken(tenantId) : undefined;
  const communities = createCommunitiesServices({ logger });
  const meetings = createMeetingsServices({ config, logger, communities, ...(appToken ? { getAccessToken: appToken } : {}) });
  const activityFeed = graph ? graphActivityFeed(config, graph) : undefined;
  const reach = teamsReach(config, graph);
  const events = createEventsServices({ config, logger });
  const audit = sharedAuditLog({ logger });
  const settings = createPrivacySettings({ config, audit });
  // Erasure takes back the drive permissions Meent granted to the person (issue 21). Through Graph
  // only: the local drive store keeps its index in one process's memory (the server's).
  const attachments = graph ? createAttachments({ config, logger, spec: new ApiSpec(), graphCredentials: graph }) : undefined;
  const privacy = createPrivacyServices({
    config,
    logger,
    audit,
    contributors: personalDataContributors({ allocator: events.allocator, ...(attachments ? { attachments: attachments.service } : {}) }),
    keepTextFor: async (tenantId) => (await settings.effective(tenantId)).erasureKeepText,
  });
  return startWorkerJobs({
    privacy,
    config,
    logger,
    ...(appToken ? { appToken } : {}),
    notifications: { ...botNotificationChannel(config), ...(activityFeed ? { activityFeed } : {}), reach },
    meetings,
    ...(deps.eraser ? { eraser: deps.eraser } : {}),
    ...(attachments ? { attachments: attachments.service } : {}),
    retentionRules: [consultationsRetentionRule, { kind: 'analytics', purge: purgeRawAnalytics }, invitationRetentionRule, ...(deps.retentionRules ?? [])],
  });
}

/**
 * Every capability's personal data, in the order erasure runs them: communities first (the
 * last-manager check), the audit log last (every other step may write an entry about the
 * person). A new capability with personal data adds one line here.
 */
export function personalDataContributors(deps: { allocator: Pick<SeatAllocator, 'apply' | 'idle'>; forgetUser?: (tenantId: string, userId: string) => void; attachments?: Pick<AttachmentService, 'revokeGrantsOf'> }): PersonalDataContributor[] {
  return [
    communitiesPersonalData(),
    eventsPersonalData({ allocator: deps.allocator }),
    meetingsPersonalData(),
    discussionsPersonalData({ search: searchIndex }),
    moderationPersonalData(),
    consultationsPersonalData(),
    notificationsPersonalData(),
    membersPersonalData(deps.forgetUser ? { forget: deps.forgetUser } : {}),
    exportsPersonalData(),
    departuresPersonalData(),
    invitationsPersonalData(),
    attachmentsPersonalData(deps.attachments ? { revokeGrantsOf: deps.attachments.revokeGrantsOf.bind(deps.attachments) } : {}),
    auditPersonalData(),
  ];
}

/** Activity-feed notifications with the app's own Graph credential (AUTH_MODE=entra only). */
function graphActivityFeed(config: Config, credentials: GraphCredentials): GraphActivityFeed {
  // One attempt per call: the delivery's rate governor owns retries (and Retry-After).
  return new GraphActivityFeed((tenantId) => meentGraphClient({ baseUrl: config.graphBaseUrl, getAccessToken: () => credentials.appToken(tenantId), singleAttempt: true }));
}

/**
 * Reaching people who never installed the app (issue 14): installing it through Graph with the
 * catalogue app id, and e-mail from NOTIFY_MAILBOX for those Teams refuses. Without Graph
 * (local mode) or a catalogue id, nothing is installed; without a mailbox, nothing is e-mailed.
 */
function teamsReach(config: Config, credentials: GraphCredentials | undefined): TeamsReach {
  const people = new PeopleRepository();
  // One attempt per call: the delivery's rate governor owns pacing and retries.
  const graphFor = (tenantId: string) => meentGraphClient({ baseUrl: config.graphBaseUrl, getAccessToken: () => (credentials as GraphCredentials).appToken(tenantId), singleAttempt: true });
  const catalogAppId = config.notifications.catalogAppId;
  const mailbox = config.notifications.mailbox;
  return new TeamsReach({
    ...(credentials && catalogAppId ? { installer: new GraphAppInstaller(graphFor, catalogAppId) } : {}),
    ...(credentials && mailbox ? { mail: new GraphMailSender(graphFor, mailbox) } : {}),
    addresses: async (tenantId, userId) => {
      const person = await people.find(tenantId, userId);
      return person ? { mail: person.mail ?? null } : null;
    },
    autoInstall: config.notifications.autoInstall,
  });
}

/** The invitations capability: its service (sign-in hook) and routes, over Graph with the app's credential. */
function createInvitations(deps: {
  config: Config;
  spec: ApiSpec;
  audit: AuditSink;
  memberships: MembershipService;
  signups: EventSignupService;
  graphCredentials: GraphCredentials | undefined;
  guestAdmitted?: (actor: Actor) => Promise<void>;
}): { service: InvitationService; module: CapabilityModule } {
  const { config, graphCredentials } = deps;
  // One gateway per tenant, so that its pacing (Graph's invitation limit is per tenant) spans every request.
  const gateways = new Map<string, GraphGuestInvitationsGateway>();
  const gatewayOf = (credentials: GraphCredentials, tenantId: string) => {
    let gateway = gateways.get(tenantId);
    if (!gateway) {
      gateway = new GraphGuestInvitationsGateway({ graph: meentGraphClient({ baseUrl: config.graphBaseUrl, getAccessToken: () => credentials.appToken(tenantId) }) });
      gateways.set(tenantId, gateway);
    }
    return gateway;
  };
  const service = new InvitationService({
    memberships: deps.memberships,
    signups: deps.signups,
    audit: deps.audit,
    // Application permission User.Invite.All (and User.Read.All for the lookups); absent in local mode.
    gatewayFor: (actor) => (graphCredentials ? gatewayOf(graphCredentials, actor.tenantId) : undefined),
    guestsAllowed: config.guestsAllowed,
    publicUrl: config.publicUrl,
    ...(deps.guestAdmitted ? { guestAdmitted: deps.guestAdmitted } : {}),
  });
  return { service, module: { apiRouters: [invitationsRouter(deps.spec, { invitations: service })] } };
}

/* The identity layer: authentication (src/auth/authentication.ts) with the audit log, the people
 * directory, Graph credentials and, in local mode, the demo sign-in; and their routes
 * (GET /me, GET /me/photo, GET /audit, the local sign-in page). */

export interface IdentityOptions {
  config: Config;
  logger: Logger;
  now?: () => Date;
  /** Replaces the Graph directory used for profiles and photos (default: built from config). */
  directoryFor?: (actor: Actor) => DirectoryGateway | undefined;
  /** Where the write rate limits count (default `mongo`, shared by all instances). */
  rateLimitStore?: 'mongo' | 'memory';
  /** The process's one Graph credential (default: built from config; undefined in local mode). */
  graphCredentials?: GraphCredentials | undefined;
  /** The API description the routes are declared on (one for the whole API). */
  spec?: ApiSpec;
  /** Runs after the people directory has recorded an authenticated person (invitations waiting for a guest). */
  afterSignIn?: (actor: Actor) => Promise<void>;
}

export interface Identity extends Authentication {
  /** GET /me, GET /me/photo, GET /audit. */
  apiRouters: Router[];
  audit: AuditLog;
  users: UserDirectoryService;
  /** The per-person write limit for writes that are not HTTP writes of the person (the bot's card actions). */
  writeLimit: PersonWriteLimit;
  /** Graph tokens (on-behalf-of and app-only); undefined in local mode. */
  graphCredentials: GraphCredentials | undefined;
  /** The directory as the app itself, for background work; undefined in local mode. */
  appDirectory(tenantId?: string): DirectoryGateway | undefined;
  /** Resolves when background work (Graph refreshes, late audit writes) has finished. */
  whenIdle(): Promise<void>;
}

export function createIdentity(options: IdentityOptions): Identity {
  const { config, logger } = options;
  const now = clockOf(options);
  const pending = new Set<Promise<unknown>>();
  const track = (work: Promise<unknown>) => {
    pending.add(work);
    void work.finally(() => pending.delete(work));
  };

  const audit = new AuditLog({ repository: new AuditRepository(), logger, now });
  const graphCredentials = 'graphCredentials' in options ? options.graphCredentials : appGraphCredentials(config);
  const graphDirectory = (getAccessToken: () => Promise<string>) => new GraphDirectoryGateway({ graph: meentGraphClient({ baseUrl: config.graphBaseUrl, getAccessToken }) });
  const appDirectory = (tenantId?: string) => (graphCredentials ? graphDirectory(() => graphCredentials.appToken(tenantId)) : undefined);
  const directoryFor =
    options.directoryFor ??
    ((actor: Actor) => {
      const delegated = actor.delegated;
      // On the person's behalf where we can (least privilege), as the app otherwise.
      if (delegated) return graphDirectory(() => delegated.graphToken());
      return appDirectory(actor.tenantId);
    });
  const users = new UserDirectoryService({ repository: new UserDirectoryRepository(), audit, directoryFor, logger, adminRole: config.adminRole, now });

  const homeTenantId = config.authMode === 'entra' ? required(config.entra.tenantId, 'ENTRA_TENANT_ID') : DEMO_TENANT_ID;
  const publicRouters: Router[] = [];
  let localSession: AuthenticationOptions['localSession'];
  if (config.authMode !== 'entra') {
    // Without SESSION_SECRET, a secret made per process: sessions then end when Meent restarts.
    const secret = config.sessionSecret ?? randomBytes(32).toString('hex');
    if (!config.sessionSecret) logger.info('SESSION_SECRET is not set: local sessions use a per-process secret and end on restart');
    localSession = {
      strategy: async (req) => {
        assertSameOrigin(req, config.publicUrl);
        return actorForDemoPerson(sessionPerson(req, now()), config.adminRole);
      },
      withSignedCookies: (verify) => withSignedCookies(secret, verify),
    };
    publicRouters.push(localSignInRouter({ secret, publicUrl: config.publicUrl, adminRole: config.adminRole, onSignIn: (actor) => users.signedIn(actor), now }));
  }
  const writeLimits = writeRateLimits({
    windowMs: config.rateLimits.windowMs,
    perUser: config.rateLimits.userWrites,
    perIp: config.rateLimits.ipWrites,
    readsPerUser: config.rateLimits.userReads,
    readsPerIp: config.rateLimits.ipReads,
    store: options.rateLimitStore ?? 'mongo',
    // The beacon has its own limit: page views must not use up the budget for a person's changes.
    exemptPaths: [BOT_ENDPOINT, BEACON_PATH],
    // An upload's fragments are bounded by its session, not by the budget for posts; starting it counts.
    boundedElsewhere: isBoundedUploadFragment,
    logger,
    now: () => now().getTime(),
  });
  const authentication = createAuthentication({
    config,
    logger,
    now,
    homeTenantId,
    audit,
    onAuthenticated: async (actor) => {
      await users.signedIn(actor);
      await options.afterSignIn?.(actor);
    },
    ...(graphCredentials ? { graphCredentials } : {}),
    ...(localSession ? { localSession } : {}),
    writeLimits,
    track,
  });

  const spec = options.spec ?? new ApiSpec();
  return {
    networkPolicy: authentication.networkPolicy,
    authenticate: authentication.authenticate,
    apiRouters: [meRouter(spec, { users }), auditRouter(spec, { audit })],
    publicRouters: [...authentication.publicRouters, ...publicRouters],
    audit,
    users,
    writeLimit: writeLimits.perPerson,
    graphCredentials,
    appDirectory,
    async whenIdle() {
      await users.whenIdle();
      await Promise.allSettled([...pending]);
    },
  };
}

/** Fills an empty database with the demo organisation (local mode, `--seed`), through the same services the API uses. */
export async function seedDemoOrganisation(deps: { logger: Logger; config: Config; now?: () => Date }): Promise<SeedResult> {
  const now = clockOf(deps);
  const communities = createCommunitiesServices({ logger: deps.logger, now });
  const events = createEventsServices({ config: deps.config, logger: deps.logger, now });
  const { consultations } = createConsultationsServices({ config: deps.config, logger: deps.logger, now });
  return writeDemoOrganisation({ config: deps.config, now, communities, events, consultations });
}

/* The communities capability and the capabilities that live inside communities: communities
 * and members, discussions and replies, moderation, the people directory and profiles, the
 * home feed and search, with their routes and the OpenAPI document of the API. Services are
 * usable without HTTP (the seed, the bot, the worker). */

export interface CommunitiesDeps {
  logger: Logger;
  /** The audit log (the identity layer's); a new one on the same collection by default. */
  audit?: AuditSink;
  /** The organisation's directory for an actor (invitations by e-mail); absent in local mode. */
  directoryFor?: (actor: Actor) => DirectoryGateway | undefined;
  /** Teams and channels, to check who may pin a community to one; absent in local mode (then only admins may pin). */
  teamsFor?: (actor: Actor) => TeamsGateway | undefined;
  notifications?: NotificationOutbox;
  search?: SearchIndex;
  /** The events capability's upcoming events, for the home feed. */
  upcomingEvents?: UpcomingEvents;
  /** Where operations are recorded for the OpenAPI document (one per app). */
  spec?: ApiSpec;
  now?: () => Date;
  /** Files in posts; their permissions follow memberships, settings and moderation. */
  attachments?: AttachmentService;
}

export interface CommunitiesServices {
  communities: CommunityService;
  memberships: MembershipService;
  discussions: DiscussionService;
  replies: ReplyService;
  moderation: ModerationService;
  people: PeopleService;
  feed: FeedService;
  search: SearchService;
}

export interface CommunitiesModule extends CapabilityModule {
  apiRouters: Router[];
  publicRouters: Router[];
  services: CommunitiesServices;
  spec: ApiSpec;
}

export function createCommunitiesServices(deps: Omit<CommunitiesDeps, 'spec'>): CommunitiesServices {
  const audit = deps.audit ?? sharedAuditLog(deps);
  const notifications = deps.notifications ?? notificationOutbox;
  const search = deps.search ?? searchIndex;
  const peopleRepository = new PeopleRepository();
  const now = deps.now;
  const files = deps.attachments;
  const accessChanged = files ? { accessChanged: (id: Types.ObjectId) => files.communityChanged(id) } : {};
  const common = { audit, notifications, search, people: peopleRepository, ...(now ? { now } : {}), ...(files ? { attachments: files } : {}) };
  const communities = new CommunityService({ audit, search, ...(now ? { now } : {}), ...(deps.teamsFor ? { teamsFor: deps.teamsFor } : {}), ...accessChanged });
  const memberships = new MembershipService({ ...common, ...(deps.directoryFor ? { directoryFor: deps.directoryFor } : {}), ...accessChanged });
  const discussions = new DiscussionService(common);
  const replies = new ReplyService({ ...common, discussions });
  const moderation = new ModerationService({ ...common, communities, ...(files ? { contentChanged: (type: 'discussion' | 'reply', id: Types.ObjectId) => files.postChanged(type, id) } : {}) });
  const people = new PeopleService({ people: peopleRepository, ...(deps.directoryFor ? { directoryFor: deps.directoryFor } : {}) });
  const feed = new FeedService(deps.upcomingEvents ? { upcomingEvents: deps.upcomingEvents } : {});
  const searchService = new SearchService({ people, ...(now ? { now } : {}) });
  communities.onDelete((communityId) => removeCommunityDiscussions(communityId, search));
  communities.onDelete(deleteReportsOfCommunity);
  communities.onDelete(deleteConsultationsOfCommunity);
  if (files) communities.onDelete((communityId) => files.communityRemoved(communityId));
  return { communities, memberships, discussions, replies, moderation, people, feed, search: searchService };
}

export function createCommunitiesModule(deps: CommunitiesDeps): CommunitiesModule {
  const spec = deps.spec ?? new ApiSpec();
  const services = createCommunitiesServices(deps);
  const apiRouters = [
    communitiesRouter(spec, services),
    discussionsRouter(spec, services),
    moderationRouter(spec, services),
    peopleRouter(spec, services),
    feedRouter(spec, services),
    searchRouter(spec, services),
  ];
  const openApi = spec.router({
    title: 'Meent API',
    version: '1',
    description: 'Communities, discussions, people and search. Errors are application/problem+json with a stable `code`.',
  });
  return { apiRouters, publicRouters: [openApi], services, spec };
}
