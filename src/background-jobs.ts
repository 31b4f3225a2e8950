/**
 * The background loop (notifications, reminders, calendar sync). Every instance may run it;
 * jobs coordinate through leases in the database. Capabilities register their jobs here; the
 * composition root hands in what comes from outside the core (the notification channel of a
 * surface, the process's Graph credential, the services the jobs share).
 */
import type { Logger } from 'pino';
import type { Config } from './config/config.js';
import { startMeetingFollowUps, type MeetingsServices } from './meetings/meetings.module.js';
import { startEventsWorker } from './events/events.module.js';
import { communityLookup } from './communities/community-lookup.js';
import { startNotificationDelivery, type NotificationChannel } from './notifications/notifications.module.js';
import { startNotificationRetention } from './notifications/notification-retention.js';
import { startAnalyticsRollups } from './analytics/analytics-rollup.js';

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
}

export async function startWorker(deps: WorkerDependencies): Promise<RunningWorker> {
  const jobs: RunningWorker[] = [];
  const appToken = deps.appToken;
  // Events: the calendar outbox to Outlook (app-only Graph; the local calendar without it),
  // reminders, reconciliation, and marking past events completed.
  jobs.push(startEventsWorker({ config: deps.config, logger: deps.logger, ...(appToken ? { getAccessToken: () => appToken() } : {}) }));
  // Notification delivery: the outbox to Teams (bot messages, activity feed), within Teams' rate limits.
  jobs.push(startNotificationDelivery({ config: deps.config, logger: deps.logger, channel: deps.notifications, communities: communityLookup }));
  // Old sent notifications go, so the outbox does not grow for ever.
  jobs.push(startNotificationRetention({ retentionDays: deps.config.notifications.retentionDays, logger: deps.logger }));
  // After linked Teams meetings: attendees into the community, attendance reports of online events.
  jobs.push(startMeetingFollowUps({ logger: deps.logger, services: deps.meetings }));
  // Analytics: raw events into daily counters; raw events past retention and past days' salts deleted.
  jobs.push(startAnalyticsRollups({ logger: deps.logger }));
  deps.logger.debug({ jobs: jobs.length }, 'worker started');
  return {
    async stop() {
      for (const job of jobs) await job.stop();
    },
  };
}
