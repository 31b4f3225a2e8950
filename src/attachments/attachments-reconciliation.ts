/**
 * The worker's attachments reconciliation: a pass every `everyMs` (default 5 min) under a lease
 * re-checks the items checked longest ago (the file's owner may change its permissions, or
 * delete it, without Meent knowing).
 */
import type { Logger } from 'pino';
import { startPeriodicJob, type PeriodicJob } from '../worker/scheduler.js';
import type { AttachmentService } from './attachment.service.js';

const ITEMS_PER_PASS = 50;

export function startAttachmentsReconciliation(options: { logger: Pick<Logger, 'error'>; attachments: Pick<AttachmentService, 'reconcile'>; everyMs?: number }): PeriodicJob {
  return startPeriodicJob({
    everyMs: options.everyMs ?? 5 * 60_000,
    lease: { key: 'attachments:reconcile', ms: 10 * 60_000 },
    logger: options.logger,
    failureMessage: 'attachments reconciliation pass failed; continuing',
    // Never "more is waiting": every item is checked again each round, so passes stay spaced out.
    run: async () => {
      await options.attachments.reconcile(ITEMS_PER_PASS);
    },
  });
}
