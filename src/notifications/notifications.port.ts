/**
 * What other capabilities may change of notifications beyond enqueueing them (that is the
 * outbox, notification-outbox.ts): events withdraw reminders that no longer fit an event.
 */
import { pendingReminders, skipPending } from './notifications.repository.js';

/**
 * Withdraws the tenant's reminders about this event that are still waiting in the outbox and
 * that `keep` does not keep (it gets the `startsAt` the reminder was written for). Each moves
 * from `pending` to `skipped` under a guard, so one the delivery worker already took is left
 * alone. Answers how many were withdrawn.
 */
export async function withdrawReminders(tenantId: string, eventId: string, keep: (startsAt: unknown) => boolean, reason: string): Promise<number> {
  let withdrawn = 0;
  for (const n of await pendingReminders(tenantId, eventId)) {
    if (keep((n.data as { startsAt?: unknown } | undefined)?.startsAt)) continue;
    if (await skipPending(n._id, reason)) withdrawn++;
  }
  return withdrawn;
}
