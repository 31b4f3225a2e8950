/**
 * The background loop (notifications, reminders, calendar sync). Every instance may run it;
 * jobs coordinate through leases in the database. Capabilities register their jobs here.
 */
import type { Logger } from 'pino';
import type { Config } from './config/config.js';
import { startNotificationDelivery } from '../bot/bot-module.js';
import { startMeetingFollowUps } from './meetings/meetings.module.js';
import { startEventsWorker } from './events/events.module.js';
import { appGraphCredentials } from './auth/app-graph-credentials.js';
import { startNotificationRetention } from './notifications/notification-retention.js';

export interface RunningWorker {
  stop(): Promise<void>;
}

export interface WorkerDependencies {
  config: Config;
  logger: Logger;
}

export async function startWorker(deps: WorkerDependencies): Promise<RunningWorker> {
  const jobs: RunningWorker[] = [];
  // Events: the calendar outbox to Outlook (app-only Graph; the local calendar without it),
  // reminders, reconciliation, and marking past events completed.
  const graph = appGraphCredentials(deps.config);
  jobs.push(startEventsWorker({ config: deps.config, logger: deps.logger, ...(graph ? { getAccessToken: () => graph.appToken() } : {}) }));
  // Notification delivery: the outbox to Teams (bot messages, activity feed), within Teams' rate limits.
  jobs.push(startNotificationDelivery({ config: deps.config, logger: deps.logger }));
  // Old sent notifications go, so the outbox does not grow for ever.
  jobs.push(startNotificationRetention({ retentionDays: deps.config.notifications.retentionDays, logger: deps.logger }));
  // After linked Teams meetings: attendees into the community, attendance reports of online events.
  jobs.push(startMeetingFollowUps({ config: deps.config, logger: deps.logger }));
  deps.logger.debug({ jobs: jobs.length }, 'worker started');
  return {
    async stop() {
      for (const job of jobs) await job.stop();
    },
  };
}
