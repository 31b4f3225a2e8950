/**
 * Delivery records (delivery.model.ts) and the notification statuses that follow them: the
 * batched writer of a lot's records, the record of a finished send, and the few updates that
 * mark notifications (one per lot and outcome; see notification-delivery.ts on why).
 */
import mongoose from 'mongoose';
import { isDuplicateKeyError } from '../db/mongo-errors.js';
import type { FinalState, LotRun, Outcome, SendJob } from './delivery-job.js';
import { DeliveryModel } from './delivery.model.js';
import { NotificationModel, type NotificationRecord } from './notification.model.js';

/** The delivery record of a finished send of a lot's notification. */
export function lotRecordDoc(job: SendJob, state: FinalState, outcome: Outcome, claim: { owner: string; lot: mongoose.Types.ObjectId; leaseUntil: Date; at: Date }): Record<string, unknown> {
  return {
    key: job.key,
    tenantId: job.tenantId,
    recipientId: job.recipientId,
    notificationIds: job.notifications.map((n) => n._id),
    lot: claim.lot,
    route: outcome.via ?? job.route,
    state,
    owner: claim.owner,
    leaseUntil: claim.leaseUntil,
    attempts: outcome.tries ?? outcome.attempts ?? 0,
    ...(state === 'sent' ? { sentAt: claim.at } : {}),
    ...(outcome.activityId ? { activityId: outcome.activityId } : {}),
    ...(outcome.conversationId ? { conversationId: outcome.conversationId } : {}),
    ...(outcome.error ? { lastError: outcome.error } : {}),
    createdAt: claim.at,
    updatedAt: claim.at,
  };
}

/**
 * Writes delivery records in batches: what is waiting goes in one insert while the previous
 * insert runs (each insert is a transaction, and a commit on PostgreSQL waits for the disk).
 * Answers, per record, whether it was inserted or a record with its key existed.
 */
export class RecordWriter {
  private waiting: { doc: Record<string, unknown>; done: (result: 'inserted' | 'duplicate') => void; fail: (err: unknown) => void }[] = [];
  private writing = false;

  async write(doc: Record<string, unknown>): Promise<'inserted' | 'duplicate'> {
    const model = new DeliveryModel(doc);
    await model.validate();
    return new Promise((done, fail) => {
      this.waiting.push({ doc: model.toObject(), done, fail });
      if (!this.writing) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.writing = true;
    try {
      while (this.waiting.length > 0) {
        const batch = this.waiting.splice(0, 200);
        try {
          await DeliveryModel.collection.insertMany(
            batch.map((b) => b.doc),
            { ordered: false },
          );
          for (const b of batch) b.done('inserted');
        } catch (err) {
          const writeErrors = (err as { writeErrors?: { index?: number; code?: number }[] }).writeErrors;
          if (!Array.isArray(writeErrors)) {
            for (const b of batch) b.fail(err);
            continue;
          }
          const failed = new Map(writeErrors.map((e) => [e.index ?? -1, e]));
          batch.forEach((b, i) => {
            const e = failed.get(i);
            if (e === undefined) b.done('inserted');
            else if (isDuplicateKeyError(e)) b.done('duplicate');
            else b.fail(err);
          });
        }
      }
    } finally {
      this.writing = false;
    }
  }
}

/** Notes a status change of a lot's notifications, written with the others of the same change. */
export function mark(run: LotRun, notifications: Pick<NotificationRecord, '_id'>[], set: Record<string, unknown>): void {
  const key = JSON.stringify(set);
  const group = run.marks.get(key) ?? { set, ids: [] };
  group.ids.push(...notifications.map((n) => n._id));
  run.marks.set(key, group);
  run.marked += notifications.length;
}

/** One update for pending notifications of a lot (`lot` and `status` narrow the scan on FerretDB; see notification-delivery.ts). */
export async function markInLot(lot: mongoose.Types.ObjectId, ids: mongoose.Types.ObjectId[], set: Record<string, unknown>): Promise<void> {
  if (ids.length === 0) return;
  await NotificationModel.updateMany({ lot, status: 'pending', _id: mongoose.trusted({ $in: ids }) }, { $set: set });
}

/** One update for a digest's held notifications (narrowed by tenant, person and status). */
export async function markHeld(job: SendJob, notifications: Pick<NotificationRecord, '_id'>[], set: Record<string, unknown>): Promise<void> {
  if (notifications.length === 0) return;
  await NotificationModel.updateMany({ tenantId: job.tenantId, recipientId: job.recipientId, status: 'held', _id: mongoose.trusted({ $in: notifications.map((n) => n._id) }) }, { $set: set });
}

/** A send's outcome as notification fields (without `sentAt`: see `writeMarks`). */
export function statusSet(state: FinalState, outcome: Outcome): Record<string, unknown> {
  const set: Record<string, unknown> = { status: state };
  if (state === 'skipped') set.skipReason = outcome.reason ?? 'skipped';
  if (outcome.error) set.lastError = outcome.error;
  if (outcome.attempts !== undefined) set.attempts = outcome.attempts;
  return set;
}

export function onlyDuplicates(err: unknown): boolean {
  if (isDuplicateKeyError(err)) return true;
  const writeErrors = (err as { writeErrors?: unknown[] }).writeErrors;
  return Array.isArray(writeErrors) && writeErrors.length > 0 && writeErrors.every((e) => isDuplicateKeyError(e) || isDuplicateKeyError((e as { err?: unknown }).err));
}
