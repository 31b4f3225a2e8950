/**
 * The background loop (notifications, reminders, calendar sync). Every instance may run it;
 * jobs coordinate through leases in the database. Capabilities register their jobs here.
 */
import type { Logger } from 'pino';
import type { Config } from './config/config.js';
import { startNotificationDelivery } from '../bot/bot-module.js';
import { startMeetingFollowUps } from './meetings/meetings.module.js';

export interface RunningWorker {
  stop(): Promise<void>;
}

export interface WorkerDependencies {
  config: Config;
  logger: Logger;
}

export async function startWorker(deps: WorkerDependencies): Promise<RunningWorker> {
  const jobs: RunningWorker[] = [];
  // Notification delivery: the outbox to Teams (bot messages, activity feed), within Teams' rate limits.
  jobs.push(startNotificationDelivery({ config: deps.config, logger: deps.logger }));
  // After linked Teams meetings: attendees into the community, attendance reports of online events.
  jobs.push(startMeetingFollowUps({ config: deps.config, logger: deps.logger }));
  deps.logger.debug({ jobs: jobs.length }, 'worker started');
  return {
    async stop() {
      for (const job of jobs) await job.stop();
    },
  };
}
