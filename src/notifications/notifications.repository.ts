/**
 * The notifications capability's store for everything outside the delivery engine: the
 * outbox's writes (a lot, then its notifications), the dead-letter list and its retry,
 * withdrawing a waiting notification, and pruning. The delivery engine's own reads and
 * writes of lots and delivery records live with it (lot-claims.ts, delivery-records.ts,
 * digest-delivery.ts). Writes that race a worker go through `atomicUpdate` here, under the
 * notification's own lock key.
 */
import mongoose, { type Types } from 'mongoose';
import { atomicUpdate } from '../db/atomic-update.js';
import { deleteOldestBatch } from '../db/bounded-delete.js';
import { findPage, type Page } from '../db/pagination.js';
import { DeliveryModel } from './delivery.model.js';
import { LotModel } from './notification-lot.model.js';
import { NotificationModel, type NotificationRecord } from './notification.model.js';

export type { NotificationRecord };

/** The notifications model as the paging and atomic helpers take it. */
const notifications = NotificationModel as unknown as mongoose.Model<NotificationRecord>;

const notificationKey = (id: Types.ObjectId) => `notifications:${String(id)}`;

/** An open lot, due at `dueAt`; written before the notifications that name it (see notification-outbox.ts). */
export async function openLot(dueAt: Date): Promise<Types.ObjectId> {
  const lot = new mongoose.Types.ObjectId();
  await LotModel.create({ _id: lot, state: 'open', dueAt });
  return lot;
}

/** Inserts the notifications unordered (a duplicate does not stop the rest); throws what the driver throws. */
export async function insertNotifications(docs: Record<string, unknown>[]): Promise<number> {
  return (await NotificationModel.insertMany(docs, { ordered: false })).length;
}

/** One page of the tenant's dead letters, the most recently failed first. */
export async function failedPage(tenantId: string, page: { cursor?: string; limit?: number }): Promise<Page<NotificationRecord>> {
  return findPage(notifications, { filter: { tenantId, status: 'failed' }, sortField: 'updatedAt', ...page });
}

export function findFailed(tenantId: string, id: string): Promise<NotificationRecord | null> {
  return NotificationModel.findOne({ _id: id, tenantId, status: 'failed' }).lean<NotificationRecord>().exec();
}

/** Forgets the failed delivery records with these keys, so the worker can claim the sends anew. */
export async function forgetFailedDeliveries(keys: string[]): Promise<void> {
  for (const key of keys) await DeliveryModel.deleteOne({ key, state: 'failed' });
}

/** A dead letter back in the outbox with a fresh count, in this lot; null when it is no longer failed (another admin was first). */
export async function requeueFailed(id: Types.ObjectId, lot: Types.ObjectId): Promise<NotificationRecord | null> {
  return atomicUpdate(
    notifications,
    { _id: id, status: 'failed' },
    { $set: { status: 'pending', attempts: 0, notBefore: null, lot }, $unset: { lastError: 1, deliveryKey: 1, digest: 1 } },
    { lockKey: notificationKey(id) },
  );
}

/** The tenant's reminders about this event still waiting in the outbox. */
export function pendingReminders(tenantId: string, eventId: string): Promise<Pick<NotificationRecord, '_id' | 'data'>[]> {
  return NotificationModel.find({ tenantId, kind: 'reminder', 'subject.type': 'event', 'subject.id': eventId, status: 'pending' })
    .select({ _id: 1, data: 1 })
    .lean<Pick<NotificationRecord, '_id' | 'data'>[]>()
    .exec();
}

/** Moves a waiting notification to `skipped`; false when the delivery worker already took it. */
export async function skipPending(id: Types.ObjectId, reason: string): Promise<boolean> {
  return (await atomicUpdate(notifications, { _id: id, status: 'pending' }, { $set: { status: 'skipped', lastError: reason } }, { lockKey: notificationKey(id) })) !== null;
}

/** Deletes sent and skipped notifications, and finished delivery records, older than `olderThan`. */
/**
 * At most `limit` of a tenant's settled notifications (sent, skipped) created before `before`,
 * then, within what is left of `limit`, delivery records of finished sends (sent, skipped,
 * failed) last touched before it; oldest first. Dead letters (`failed` notifications) and
 * anything pending, held or being sent stay, whatever their age.
 */
export async function purgeSettled(tenantId: string, before: Date, limit: number): Promise<number> {
  const notificationsGone = await deleteOldestBatch(NotificationModel, { tenantId, status: mongoose.trusted({ $in: ['sent', 'skipped'] }), createdAt: mongoose.trusted({ $lt: before }) }, 'createdAt', limit);
  // Records of finished sends only: a claimed or sending record is a send in flight.
  const deliveriesGone = await deleteOldestBatch(DeliveryModel, { tenantId, state: mongoose.trusted({ $in: ['sent', 'skipped', 'failed'] }), updatedAt: mongoose.trusted({ $lt: before }) }, 'updatedAt', limit - notificationsGone);
  return notificationsGone + deliveriesGone;
}
