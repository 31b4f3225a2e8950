/**
 * The meetings capability, wired: `createMeetingsModule` for the web process (routes, the
 * services the bot's meeting handler calls, and follow-ups started right after a meeting
 * ends), `startMeetingFollowUps` for the background loop that finishes them (attendance
 * reports arrive minutes after the end). Graph is reached with the app's own token; without
 * one (local mode) meetings cannot be looked up and nothing is read from Graph.
 */
import type { Logger } from 'pino';
import { sharedAuditLog, type AuditSink } from '../audit/audit.port.js';
import type { MembershipService } from '../communities/membership.service.js';
import type { DiscussionService } from '../discussions/discussion.service.js';
import type { EventService } from '../events/event.service.js';
import type { CapabilityModule } from '../http/app.js';
import type { Config } from '../config/config.js';
import type { DirectoryGateway } from '../graph/directory-gateway.js';
import { meentGraphClient } from '../graph/graph-client.js';
import { GraphOnlineMeetingsGateway, type OnlineMeetingsGateway } from '../graph/online-meetings-gateway.js';
import { ApiSpec } from '../http/api-spec.js';
import { startPeriodicJob } from '../worker/scheduler.js';
import { PeopleRepository } from '../members/people.repository.js';
import { AttendanceService } from './attendance.service.js';
import { MeetingDirectory } from './meeting-directory.js';
import { MeetingFollowUps } from './meeting-follow-up.js';
import { MeetingService } from './meeting.service.js';
import { meetingsRouter } from './meetings.routes.js';

export interface MeetingsDeps {
  config: Pick<Config, 'graphBaseUrl' | 'guestsAllowed'>;
  logger: Logger;
  spec?: ApiSpec;
  /** The communities capability's services (discussions and memberships). */
  communities: { discussions: DiscussionService; memberships: MembershipService };
  /** App-only Graph tokens for a tenant (the identity layer's `graphCredentials.appToken`); absent: no Graph. */
  getAccessToken?: (tenantId: string) => Promise<string>;
  /** Use this gateway instead of Graph (tests). */
  gatewayFor?: (tenantId: string) => OnlineMeetingsGateway | undefined;
  /** The events capability's service: the follow-up card's next open session (default: the same rule on the database). */
  events?: Pick<EventService, 'nextOpenEvent'>;
  /** The organisation's directory (guests who attended, found by e-mail). */
  directoryFor?: (tenantId: string) => DirectoryGateway | undefined;
  /** The audit log (the identity layer's); the shared collection by default. */
  audit?: AuditSink;
  now?: () => Date;
}

export interface MeetingsServices {
  meetings: MeetingService;
  followUps: MeetingFollowUps;
  attendance: AttendanceService;
  directory: MeetingDirectory;
}

export interface MeetingsModule extends CapabilityModule {
  services: MeetingsServices;
  /** Runs a meeting's follow-up now, in the background (right after its end); the worker retries what is left. */
  followUpSoon(tenantId: string, chatId: string): void;
  /** Resolves when the follow-ups started by `followUpSoon` have finished. */
  whenIdle(): Promise<void>;
}

/** Graph's online meetings with app tokens, or nothing without them. */
function gatewayFor(deps: MeetingsDeps): (tenantId: string) => OnlineMeetingsGateway | undefined {
  if (deps.gatewayFor) return deps.gatewayFor;
  const getAccessToken = deps.getAccessToken;
  if (!getAccessToken) return () => undefined;
  const gateways = new Map<string, OnlineMeetingsGateway>();
  return (tenantId) => {
    let gateway = gateways.get(tenantId);
    if (!gateway) {
      // Long pauses are waited out by the follow-up's own schedule, not inside a request.
      const graph = meentGraphClient({
        baseUrl: deps.config.graphBaseUrl,
        getAccessToken: () => getAccessToken(tenantId),
        onRetry: (e) => deps.logger.info({ graphRetry: e }, 'graph call retried'),
      });
      gateway = new GraphOnlineMeetingsGateway({ graph });
      gateways.set(tenantId, gateway);
    }
    return gateway;
  };
}

export function createMeetingsServices(deps: MeetingsDeps): MeetingsServices {
  const people = new PeopleRepository();
  const directory = new MeetingDirectory(gatewayFor(deps));
  const now = deps.now;
  const audit = deps.audit ?? sharedAuditLog(deps);
  const attendance = new AttendanceService({ people, audit, ...(now ? { now } : {}) });
  const meetings = new MeetingService({ directory, discussions: deps.communities.discussions, people, audit, ...(deps.events ? { events: deps.events } : {}), logger: deps.logger, ...(now ? { now } : {}) });
  const followUps = new MeetingFollowUps({
    directory,
    memberships: deps.communities.memberships,
    discussions: deps.communities.discussions,
    attendance,
    people,
    ...(deps.directoryFor ? { directoryFor: deps.directoryFor } : {}),
    guestsAllowed: deps.config.guestsAllowed,
    audit,
    logger: deps.logger,
    ...(now ? { now } : {}),
  });
  return { meetings, followUps, attendance, directory };
}

export function createMeetingsModule(deps: MeetingsDeps): MeetingsModule {
  const services = createMeetingsServices(deps);
  const running = new Set<Promise<void>>();
  return {
    apiRouters: [meetingsRouter(deps.spec ?? new ApiSpec(), services)],
    services,
    followUpSoon(tenantId, chatId) {
      const run: Promise<void> = services.followUps
        .run(tenantId, chatId)
        .then(() => undefined)
        .catch((err: unknown) => deps.logger.warn({ err, chatId }, 'meeting follow-up failed; the worker tries again'))
        .finally(() => running.delete(run));
      running.add(run);
    },
    async whenIdle() {
      while (running.size > 0) await Promise.all([...running]);
    },
    close() {
      return this.whenIdle();
    },
  };
}

export interface MeetingFollowUpWorkerOptions {
  logger: Logger;
  services: MeetingsServices;
  /** Between passes (default 60 s). */
  intervalMs?: number;
}

/** The worker's job: finishes follow-ups that are due (for src/background-jobs.ts; every instance may run it). */
export function startMeetingFollowUps(options: MeetingFollowUpWorkerOptions): { stop(): Promise<void> } {
  const { logger, services } = options;
  return startPeriodicJob({
    everyMs: options.intervalMs ?? 60_000,
    logger,
    failureMessage: 'meeting follow-up pass failed; continuing',
    run: async () => {
      const ran = await services.followUps.runDue();
      if (ran > 0) logger.info({ meetingFollowUps: ran }, 'meeting follow-ups ran');
    },
  });
}
