/**
 * The events capability, wired: `createEventsModule` for the web process (routes and
 * services, usable without HTTP by the seed and the bot), `startEventsWorker` for the
 * background loop (calendar outbox, reminders, completing past events), which every
 * instance may run: mailboxes and passes are coordinated through leases in the database.
 *
 * The calendar is Microsoft Graph when an app-only token source is given (AUTH_MODE=entra),
 * and the local calendar otherwise (local mode: invitations as .ics only).
 */
import type { Logger } from 'pino';
import type { PostAttachments } from '../attachments/attachments.port.js';
import { sharedAuditLog, type AuditSink } from '../audit/audit.port.js';
import type { CapabilityModule } from '../http/app.js';
import type { Actor } from '../auth/actor.js';
import type { Config } from '../config/config.js';
import { withLease } from '../db/lease.js';
import { GraphCalendarGateway, type CalendarGateway } from '../graph/calendar-gateway.js';
import type { DirectoryGateway } from '../graph/directory-gateway.js';
import { ApiSpec } from '../http/api-spec.js';
import { meentGraphClient } from '../graph/graph-client.js';
import { UserDirectoryRepository } from '../members/user-directory.repository.js';
import { startPeriodicJob } from '../worker/scheduler.js';
import { notificationOutbox, type NotificationOutbox } from '../notifications/notification-outbox.js';
import { CalendarOutbox } from './calendar-outbox.js';
import { withoutFormerOrganizers } from './event-access.js';
import { EventCalendarService } from './event-calendar.service.js';
import { EventReminders } from './event-reminders.js';
import { EventService } from './event.service.js';
import { EventSignupService } from './event-signup.service.js';
import { calendarFeedRouter, eventsRouter } from './events.routes.js';
import { LocalCalendarGateway } from './local-calendar.gateway.js';
import { SeatAllocator } from './seat-allocator.js';
import { clockOf } from '../time/clock.js';

export interface EventsDeps {
  /** The API description the routes are declared on (shared with the other capabilities for /api/v1/openapi.json). */
  spec?: ApiSpec;
  /** `guestsAllowed` (GUESTS_ALLOWED) defaults to its configuration default, true. */
  config: Pick<Config, 'publicUrl' | 'graphBaseUrl' | 'localMode'> & Partial<Pick<Config, 'guestsAllowed'>>;
  logger: Logger;
  /** App-only Microsoft Graph tokens (the identity work's `graphCredentials.appToken()`); absent: the local calendar. */
  getAccessToken?: () => Promise<string>;
  /** Use this calendar instead (tests). */
  calendarGateway?: CalendarGateway;
  notifications?: NotificationOutbox;
  /** The audit log (the identity layer's); the shared collection by default. */
  audit?: AuditSink;
  /** The organisation's directory for an actor: organisers add people who never used Meent; absent in local mode. */
  directoryFor?: (actor: Actor) => DirectoryGateway | undefined;
  /** Files in events (issue 21); absent: events take no attachments. */
  attachments?: PostAttachments;
  now?: () => Date;
}

export interface EventsServices {
  events: EventService;
  signups: EventSignupService;
  calendars: EventCalendarService;
  allocator: SeatAllocator;
  outbox: CalendarOutbox;
  reminders: EventReminders;
}

export interface EventsModule extends CapabilityModule {
  services: EventsServices;
}

/** The calendar the deps call for: Graph with an app token, the local calendar without. */
export function calendarGatewayFor(deps: EventsDeps): CalendarGateway {
  if (deps.calendarGateway) return deps.calendarGateway;
  if (deps.getAccessToken && !deps.config.localMode) {
    // Long Retry-After values are waited out by the outbox (a durable dueAt), not inside a call.
    const graph = meentGraphClient({
      baseUrl: deps.config.graphBaseUrl,
      getAccessToken: deps.getAccessToken,
      onRetry: (e) => deps.logger.info({ graphRetry: e }, 'graph call retried'),
    });
    return new GraphCalendarGateway({ graph });
  }
  return new LocalCalendarGateway();
}

/** Builds the services; no background work starts here. */
export function createEventsServices(deps: EventsDeps): EventsServices {
  const now = clockOf(deps);
  const notifications = deps.notifications ?? notificationOutbox;
  const people = new UserDirectoryRepository();
  const audit = deps.audit ?? sharedAuditLog(deps);
  const outbox = new CalendarOutbox({ gateway: calendarGatewayFor(deps), people, publicUrl: deps.config.publicUrl, logger: deps.logger, now });
  const reminders = new EventReminders({ notifications, now, logger: deps.logger });
  const allocator = new SeatAllocator({
    now,
    logger: deps.logger,
    onCommitted: async (committed) => {
      const told = async () => {
        // The seat book tells every listed organiser; only those who still run the event hear it.
        const intents = (await Promise.all(committed.map((c) => withoutFormerOrganizers(c.event, c.notifications, people)))).flat();
        if (intents.length > 0) await notifications.enqueue(intents);
      };
      // Both outboxes are asked even if one fails; the first failure is then reported.
      const outcomes = await Promise.allSettled([told(), outbox.requestSyncs(committed.filter((c) => c.attendeesChanged).map((c) => c.event), { attendees: true })]);
      const failed = outcomes.find((o): o is PromiseRejectedResult => o.status === 'rejected');
      if (failed) throw failed.reason;
    },
  });
  return {
    events: new EventService({ allocator, notifications, calendar: outbox, people, reminders, audit, publicUrl: deps.config.publicUrl, now, ...(deps.attachments ? { attachments: deps.attachments } : {}) }),
    signups: new EventSignupService({ allocator, people, audit, ...(deps.directoryFor ? { directoryFor: deps.directoryFor } : {}) }),
    calendars: new EventCalendarService({ people, audit, publicUrl: deps.config.publicUrl, guestsAllowed: deps.config.guestsAllowed ?? true, now }),
    allocator,
    outbox,
    reminders,
  };
}

/** The module composition.ts mounts. */
export function createEventsModule(deps: EventsDeps): EventsModule {
  const services = createEventsServices(deps);
  return {
    apiRouters: [eventsRouter(deps.spec ?? new ApiSpec(), services)],
    publicRouters: [calendarFeedRouter(services)],
    services,
    // Sign-ups accepted before shutdown are written before the process goes.
    close: () => services.allocator.idle(),
  };
}

export interface EventsWorkerOptions extends EventsDeps {
  /** Pause between calendar outbox passes (default 5 s). */
  intervalMs?: number;
  /** Between reminder passes (default 60 s). */
  remindersEveryMs?: number;
  /** Between reconciliations with Outlook (default 15 min). */
  reconcileEveryMs?: number;
}

export interface EventsWorker {
  services: EventsServices;
  /** Finishes the pass in progress, then stops. */
  stop(): Promise<void>;
}

/** Starts the background loop: calendar outbox, reminders, reconciliation, completing past events. */
export function startEventsWorker(options: EventsWorkerOptions): EventsWorker {
  const services = createEventsServices(options);
  const log = options.logger;
  const remindersEveryMs = options.remindersEveryMs ?? 60_000;
  const reconcileEveryMs = options.reconcileEveryMs ?? 15 * 60_000;
  let lastReminders = 0;
  let lastReconcile = Date.now();

  const pass = async () => {
    const report = await services.outbox.drain();
    if (report.synced + report.retrying > 0) log.info({ calendar: report }, 'calendar outbox pass');
    const now = Date.now();
    if (now - lastReminders >= remindersEveryMs) {
      lastReminders = now;
      // One instance per pass; idempotency keys make an overlap harmless anyway.
      await withLease('events:reminders', 5 * 60_000, async () => {
        const sent = await services.reminders.run();
        if (sent.intents > 0) log.info({ reminders: sent }, 'event reminders written');
        await services.reminders.completePast();
      });
    }
    if (now - lastReconcile >= reconcileEveryMs) {
      lastReconcile = now;
      await withLease('events:calendar-reconcile', 5 * 60_000, () => services.outbox.reconcile());
    }
  };

  const job = startPeriodicJob({ everyMs: options.intervalMs ?? 5_000, run: pass, logger: log, failureMessage: 'events worker pass failed; continuing' });

  return {
    services,
    async stop() {
      await job.stop();
      await services.allocator.idle();
    },
  };
}
