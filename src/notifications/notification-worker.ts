/**
 * The notification worker: delivery passes and the instance's heartbeat, each a job on the
 * one scheduler (src/worker/scheduler.ts).
 */
import type { Logger } from 'pino';
import { startPeriodicJob } from '../worker/scheduler.js';
import type { NotificationDelivery } from './notification-delivery.js';

export interface NotificationWorker {
  stop(): Promise<void>;
  /** Resolves after the next complete pass (tests). */
  drained(): Promise<void>;
}

/**
 * Runs passes until stopped: back to back while there is work, every `intervalMs` otherwise.
 * The heartbeat (which sets this instance's share of the rate budgets) is a job of its own,
 * so the share follows the instances delivering during a long pass too.
 */
export function startNotificationWorker(delivery: NotificationDelivery, options: { intervalMs?: number; logger: Pick<Logger, 'error' | 'info'> }): NotificationWorker {
  const intervalMs = options.intervalMs ?? 2_000;
  // Long enough that a slow store (a heartbeat late by seconds) never makes the others think this instance left.
  const ttlMs = Math.max(intervalMs * 5, 10_000);
  const heartbeat = startPeriodicJob({ everyMs: intervalMs, run: async () => void (await delivery.heartbeat(ttlMs)), logger: options.logger, failureMessage: 'notification worker heartbeat failed' });
  const passes = startPeriodicJob({
    everyMs: intervalMs,
    // Registered before the first send, so that the share counts this instance from the start.
    startAfter: heartbeat.drained(),
    run: async () => {
      const stats = await delivery.runOnce();
      return stats.lots > 0 || stats.digests > 0;
    },
    logger: options.logger,
    failureMessage: 'notification pass failed',
  });
  return {
    async stop() {
      await Promise.all([heartbeat.stop(), passes.stop()]);
      await delivery.signOff().catch(() => undefined);
    },
    drained: () => passes.drained(),
  };
}
