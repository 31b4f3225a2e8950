/**
 * Old notifications go: the outbox and its delivery records otherwise only grow, and on
 * FerretDB every lot read scans the collection. Sent and skipped notifications, and delivery
 * records, older than the retention are deleted; dead letters (`failed`) stay until an admin
 * has dealt with them. Nothing pending, held or being sent is touched, whatever its age.
 */
import type { Logger } from 'pino';
import { idleJob, startPeriodicJob, type PeriodicJob } from '../worker/scheduler.js';
import { pruneSettled } from './notifications.repository.js';

export interface PruneResult {
  notifications: number;
  deliveries: number;
}

export function pruneNotifications(olderThan: Date): Promise<PruneResult> {
  return pruneSettled(olderThan);
}

/** Prunes every `everyMs` (default 6 hours), one instance at a time; `retentionDays` 0 keeps everything. */
export function startNotificationRetention(options: { retentionDays: number; logger: Pick<Logger, 'info' | 'error'>; everyMs?: number }): PeriodicJob {
  if (options.retentionDays <= 0) return idleJob();
  return startPeriodicJob({
    everyMs: options.everyMs ?? 6 * 3_600_000,
    lease: { key: 'notifications:retention', ms: 30 * 60_000 },
    logger: options.logger,
    failureMessage: 'notification retention pass failed; continuing',
    run: async () => {
      const olderThan = new Date(Date.now() - options.retentionDays * 86_400_000);
      const pruned = await pruneNotifications(olderThan);
      if (pruned.notifications + pruned.deliveries > 0) options.logger.info({ pruned, olderThan }, 'old notifications removed');
    },
  });
}
