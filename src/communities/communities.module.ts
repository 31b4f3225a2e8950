/**
 * The communities capability wired: communities and members, discussions and replies,
 * moderation, the people directory and profiles, the home feed and search, with their
 * routes and the OpenAPI document of them at /api/v1/openapi.json. Services are usable
 * without HTTP (the seed, the bot).
 */
import type { Router } from 'express';
import type { Logger } from 'pino';
import { AuditRepository } from '../audit/audit.repository.js';
import { AuditLog } from '../audit/audit-log.service.js';
import type { Actor } from '../auth/actor.js';
import type { CapabilityModule } from '../http/app.js';
import { DiscussionService, removeCommunityDiscussions } from '../discussions/discussion.service.js';
import { discussionsRouter } from '../discussions/discussions.routes.js';
import { ReplyService } from '../discussions/reply.service.js';
import { FeedService, type UpcomingEvents } from '../feed/feed.service.js';
import { feedRouter } from '../feed/feed.routes.js';
import type { DirectoryGateway } from '../graph/directory-gateway.js';
import { ApiSpec } from '../http/api-spec.js';
import { PeopleRepository } from '../members/people.repository.js';
import { peopleRouter } from '../members/people.routes.js';
import { PeopleService } from '../members/people.service.js';
import { ModerationService } from '../moderation/moderation.service.js';
import { moderationRouter } from '../moderation/moderation.routes.js';
import { ReportModel } from '../moderation/report.model.js';
import { notificationOutbox, type NotificationOutbox } from '../notifications/notification-outbox.js';
import { searchIndex, type SearchIndex } from '../search/search-index.js';
import { SearchService } from '../search/search.service.js';
import { searchRouter } from '../search/search.routes.js';
import { communitiesRouter } from './communities.routes.js';
import { CommunityService, type AuditSink } from './community.service.js';
import { MembershipService } from './membership.service.js';

export interface CommunitiesDeps {
  logger: Logger;
  /** The audit log (the identity layer's); a new one on the same collection by default. */
  audit?: AuditSink;
  /** The organisation's directory for an actor (invitations by e-mail); absent in local mode. */
  directoryFor?: (actor: Actor) => DirectoryGateway | undefined;
  notifications?: NotificationOutbox;
  search?: SearchIndex;
  /** The events capability's upcoming events, for the home feed. */
  upcomingEvents?: UpcomingEvents;
  /** Where operations are recorded for the OpenAPI document (one per app). */
  spec?: ApiSpec;
  now?: () => Date;
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
  const audit = deps.audit ?? new AuditLog({ repository: new AuditRepository(), logger: deps.logger, ...(deps.now ? { now: deps.now } : {}) });
  const notifications = deps.notifications ?? notificationOutbox;
  const search = deps.search ?? searchIndex;
  const peopleRepository = new PeopleRepository();
  const now = deps.now;
  const common = { audit, notifications, search, people: peopleRepository, ...(now ? { now } : {}) };
  const communities = new CommunityService({ audit, search, ...(now ? { now } : {}) });
  const memberships = new MembershipService({ ...common, ...(deps.directoryFor ? { directoryFor: deps.directoryFor } : {}) });
  const discussions = new DiscussionService(common);
  const replies = new ReplyService({ ...common, discussions });
  const moderation = new ModerationService({ ...common, communities });
  const people = new PeopleService({ people: peopleRepository });
  const feed = new FeedService(deps.upcomingEvents ? { upcomingEvents: deps.upcomingEvents } : {});
  const searchService = new SearchService({ people, ...(now ? { now } : {}) });
  communities.onDelete((communityId) => removeCommunityDiscussions(communityId, search));
  communities.onDelete(async (communityId) => {
    await ReportModel.deleteMany({ communityId });
  });
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
