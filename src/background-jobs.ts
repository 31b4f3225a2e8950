/**
 * The background loop (notifications, reminders, calendar sync). Every instance may run it;
 * jobs coordinate through leases in the database. Capabilities register their jobs here; the
 * composition root hands in what comes from outside the core (the notification channel of a
 * surface, the process's Graph credential, the services the jobs share).
 */
import type { Logger } from 'pino';
import type { Config } from './config/config.js';
import { startMeetingFollowUps, type MeetingsServices } from './meetings/meetings.module.js';
import { startConsultationsWorker } from './consultations/consultations.module.js';
import { startEventsWorker } from './events/events.module.js';
import { communityLookup } from './communities/community-lookup.js';
import { startNotificationDelivery, type NotificationChannel } from './notifications/notifications.module.js';
import { notificationRetentionRule } from './notifications/notification-retention.js';
import { auditRetentionRule } from './audit/audit-retention.js';
import { sharedAuditLog } from './audit/audit.port.js';
import { GraphDirectoryGateway } from './graph/directory-gateway.js';
import { meentGraphClient } from './graph/graph-client.js';
import { UserDirectoryRepository } from './members/user-directory.repository.js';
import { DeparturesRepository } from './privacy/departures.repository.js';
import { startLeaversJob } from './privacy/leavers.js';
import type { PersonEraser } from './privacy/privacy.port.js';
import { PrivacySettingsRepository } from './privacy/privacy-settings.repository.js';
import { RetentionRegistry, startRetentionJob, type RetentionRule } from './privacy/retention.js';
import { createPrivacySettings, startPrivacyWorker, type PrivacyServices } from './privacy/privacy.module.js';
import { startAnalyticsRollups } from './analytics/analytics-rollup.js';
import type { AttachmentService } from './attachments/attachment.service.js';
import { startAttachmentsReconciliation } from './attachments/attachments-reconciliation.js';

export interface RunningWorker {
  stop(): Promise<void>;
}

export interface WorkerDependencies {
  config: Config;
  logger: Logger;
  /** App-only Microsoft Graph tokens from the process's one credential; absent: no Graph (local mode). */
  appToken?: (tenantId?: string) => Promise<string>;
  /** Where notifications go out (the bot's messenger and cards). */
  notifications: NotificationChannel;
  /** The meetings capability's services, whose follow-ups the worker finishes. */
  meetings: MeetingsServices;
  /** Erases people who left the organisation (the privacy capability's erasure); absent: leavers are not looked for. */
  eraser?: PersonEraser;
  /** Retention rules of capabilities besides the audit log and notifications (consultations, exports, analytics). */
  retentionRules?: RetentionRule[];
  /** Data exports whose runner stopped, and expired export files. */
  privacy?: PrivacyServices;
  /** Files in posts, whose permissions and availability the reconciliation re-checks; absent: no reconciliation. */
  attachments?: Pick<AttachmentService, 'reconcile'>;
}

export async function startWorker(deps: WorkerDependencies): Promise<RunningWorker> {
  const jobs: RunningWorker[] = [];
  const appToken = deps.appToken;
  // Events: the calendar outbox to Outlook (app-only Graph; the local calendar without it),
  // reminders, reconciliation, and marking past events completed.
  jobs.push(startEventsWorker({ config: deps.config, logger: deps.logger, ...(appToken ? { getAccessToken: () => appToken() } : {}) }));
  // Consultations: announcements when the opening time comes, reminders to those who have not answered, closing.
  jobs.push(startConsultationsWorker({ config: deps.config, logger: deps.logger }));
  // Notification delivery: the outbox to Teams (bot messages, activity feed), within Teams' rate limits.
  jobs.push(startNotificationDelivery({ config: deps.config, logger: deps.logger, channel: deps.notifications, communities: communityLookup }));
  // Retention: every kind of data goes after the organisation's period for it, in bounded batches.
  const audit = sharedAuditLog({ logger: deps.logger });
  const settings = createPrivacySettings({ config: deps.config, audit });
  const users = new UserDirectoryRepository();
  const tenants = async () => [...new Set([...(await users.tenants()), ...(await new PrivacySettingsRepository().tenants()), ...(await new DeparturesRepository().tenants())])];
  const retention = new RetentionRegistry().register(auditRetentionRule()).register(notificationRetentionRule);
  for (const rule of deps.retentionRules ?? []) retention.register(rule);
  jobs.push(startRetentionJob({ registry: retention, settings, tenants, logger: deps.logger }));
  // People who left the organisation (Graph's users delta): erased after the grace period.
  const eraser = deps.eraser ?? deps.privacy?.erasure;
  if (eraser && appToken) {
    jobs.push(
      startLeaversJob({
        directory: (tenantId) => new GraphDirectoryGateway({ graph: meentGraphClient({ baseUrl: deps.config.graphBaseUrl, getAccessToken: () => appToken(tenantId) }) }),
        knownPeople: (tenantId, ids) => users.knownUserIds(tenantId, ids),
        eraser,
        settings,
        audit,
        tenants,
        logger: deps.logger,
      }),
    );
  }
  // After linked Teams meetings: attendees into the community, attendance reports of online events.
  jobs.push(startMeetingFollowUps({ logger: deps.logger, services: deps.meetings }));
  // Data exports: taken over when their runner stopped; files removed 24 hours after they were ready.
  if (deps.privacy) jobs.push(startPrivacyWorker({ services: deps.privacy, logger: deps.logger }));
  // Analytics: raw events into daily counters; raw events past retention and past days' salts deleted.
  jobs.push(startAnalyticsRollups({ logger: deps.logger }));
  // Attachments: permissions Meent granted and the owner removed are granted again; vanished files marked unavailable.
  if (deps.attachments) jobs.push(startAttachmentsReconciliation({ logger: deps.logger, attachments: deps.attachments }));
  deps.logger.debug({ jobs: jobs.length }, 'worker started');
  return {
    async stop() {
      for (const job of jobs) await job.stop();
    },
  };
}
