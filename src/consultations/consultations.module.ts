/**
 * The consultations capability, wired: `createConsultationsModule` for the web process
 * (routes and services, usable without HTTP by the bot and the seed), and
 * `startConsultationsWorker` for the background pass (announcements, reminders, closing),
 * which every instance may run: passes are coordinated through a lease.
 */
import type { Logger } from 'pino';
import type { Actor } from '../auth/actor.js';
import { sharedAuditLog, type AuditSink } from '../audit/audit.port.js';
import type { Config } from '../config/config.js';
import { withLease } from '../db/lease.js';
import { ApiSpec } from '../http/api-spec.js';
import type { CapabilityModule } from '../http/app.js';
import { PeopleRepository } from '../members/people.repository.js';
import { notificationOutbox, type NotificationOutbox } from '../notifications/notification-outbox.js';
import { searchIndex, type SearchIndex } from '../search-index/search-index.js';
import { startPeriodicJob } from '../worker/scheduler.js';
import { ConsultationReminders } from './consultation-reminders.js';
import { ConsultationService } from './consultation.service.js';
import { deleteConsultationsOfCommunity } from './consultation.repository.js';
import { consultationsPort, type ConsultationsPort } from './consultations.port.js';
import { consultationsRouter } from './consultations.routes.js';

/** A deleted community's consultations, answers and tallies go with it (its search entries go with the community's). */
export { deleteConsultationsOfCommunity };

export interface ConsultationsDeps {
  spec?: ApiSpec;
  config?: Partial<Pick<Config, 'consultations'>>;
  logger: Logger;
  notifications?: NotificationOutbox;
  search?: SearchIndex;
  /** The audit log (the identity layer's); the shared collection by default. */
  audit?: AuditSink;
  now?: () => Date;
  /** The bot's poster of quick polls into the meeting chat they were launched from. */
  quickPollOpened?: (actor: Actor, consultationId: string) => void;
}

export interface ConsultationsServices {
  consultations: ConsultationService;
  /** What the bot uses (consultations.port.ts). */
  port: ConsultationsPort;
  reminders: ConsultationReminders;
}

export interface ConsultationsModule extends CapabilityModule {
  services: ConsultationsServices;
}

export function createConsultationsServices(deps: ConsultationsDeps): ConsultationsServices {
  const notifications = deps.notifications ?? notificationOutbox;
  const consultations = new ConsultationService({
    notifications,
    search: deps.search ?? searchIndex,
    people: new PeopleRepository(),
    audit: deps.audit ?? sharedAuditLog(deps),
    ...(deps.config?.consultations ? { minGroupSize: deps.config.consultations.minGroupSize } : {}),
    ...(deps.now ? { now: deps.now } : {}),
    ...(deps.quickPollOpened ? { quickPollOpened: deps.quickPollOpened } : {}),
  });
  const reminders = new ConsultationReminders({ notifications, consultations, logger: deps.logger, ...(deps.now ? { now: deps.now } : {}) });
  return { consultations, port: consultationsPort(consultations), reminders };
}

export function createConsultationsModule(deps: ConsultationsDeps): ConsultationsModule {
  const services = createConsultationsServices(deps);
  return { apiRouters: [consultationsRouter(deps.spec ?? new ApiSpec(), services)], services };
}

export interface ConsultationsWorker {
  stop(): Promise<void>;
}

/** The background pass every `everyMs` (default 60 s), one instance at a time. */
export function startConsultationsWorker(options: ConsultationsDeps & { everyMs?: number }): ConsultationsWorker {
  const services = createConsultationsServices(options);
  const log = options.logger;
  const job = startPeriodicJob({
    everyMs: options.everyMs ?? 60_000,
    logger: log,
    failureMessage: 'consultations pass failed; continuing',
    run: async () => {
      await withLease('consultations:pass', 5 * 60_000, async () => {
        const report = await services.reminders.run();
        if (report.announced + report.reminded + report.closed > 0) log.info({ consultations: report }, 'consultations pass');
      });
    },
  });
  return { stop: () => job.stop() };
}
