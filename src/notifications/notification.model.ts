/**
 * A notification intent in the outbox: someone (`recipientId`) should hear that something
 * happened (`kind`) to something (`subject`), caused by `actorId`. Capabilities only write
 * intents (notification-outbox.ts); delivering them (Teams activity feed, bot message,
 * e-mail) is the notification worker's job, which moves `status` on. `idempotencyKey` is
 * unique: the same intent written twice is stored once.
 */
import mongoose, { Schema, type InferSchemaType } from 'mongoose';
import { toJsonPlugin } from '../db/to-json-plugin.js';
import { sendKeyOf } from './delivery-keys.js';

export const NOTIFICATION_KINDS = [
  'reply',
  'mention',
  'newDiscussion',
  'answerAccepted',
  'discussionClosed',
  'discussionReopened',
  'membershipRequested',
  'membershipApproved',
  'membershipDeclined',
  'membershipInvited',
  'roleChanged',
  'contentReported',
  'contentHidden',
  'eventPromoted',
  'eventChanged',
  'eventCancelled',
  'eventRegistrationRequested',
  'eventRegistrationApproved',
  'eventRegistrationDeclined',
  'reminder',
  /** A new event of a community, posted in the channel the community is pinned to (recipient `community:<id>`). */
  'eventAnnounced',
  /** A consultation opened for answers (to each person in its audience who wants it). */
  'consultationOpened',
  /** A consultation closes soon and the person has not answered. */
  'consultationReminder',
  /** A closed consultation's conclusion, to each respondent who wants it. */
  'consultationConclusion',
  /** A consultation opened, posted in the community's channel (recipient `community:<id>`). */
  'consultationAnnounced',
  /** A consultation's conclusion, posted in the community's channel (recipient `community:<id>`). */
  'consultationConcluded',
] as const;
export type NotificationKind = (typeof NOTIFICATION_KINDS)[number];

export const NOTIFICATION_SUBJECT_TYPES = ['community', 'discussion', 'reply', 'event', 'registration', 'membership', 'report', 'user', 'consultation'] as const;
export type NotificationSubjectType = (typeof NOTIFICATION_SUBJECT_TYPES)[number];

/**
 * `pending` (to be routed), `held` (waiting for the person's digest), `sent`, `skipped`
 * (preference off, muted, bot blocked or uninstalled: `skipReason`), `failed` (the
 * dead-letter list: gave up after `attempts`). `sending` is not written by the delivery
 * worker (a notification is claimed with its lot, a digest with its delivery record) and is
 * kept for compatibility.
 */
export const NOTIFICATION_STATUSES = ['pending', 'held', 'sending', 'sent', 'failed', 'skipped'] as const;
export type NotificationStatus = (typeof NOTIFICATION_STATUSES)[number];

const notificationSchema = new Schema(
  {
    tenantId: { type: String, required: true, maxlength: 64 },
    recipientId: { type: String, required: true, maxlength: 64 },
    kind: { type: String, enum: NOTIFICATION_KINDS, required: true },
    subject: {
      type: { type: String, enum: NOTIFICATION_SUBJECT_TYPES, required: true },
      id: { type: String, required: true, maxlength: 64 },
    },
    /** Who caused it, when a person did. */
    actorId: { type: String, maxlength: 64 },
    /** What the message needs (titles, names, deep-link ids); small, plain values only. */
    data: { type: Schema.Types.Mixed, default: {} },
    /** Unique: enqueueing the same intent again is a no-op. */
    idempotencyKey: { type: String, required: true, maxlength: 300 },
    status: { type: String, enum: NOTIFICATION_STATUSES, required: true, default: 'pending' },
    attempts: { type: Number, default: 0, min: 0 },
    /** Not before this time (reminders, retries). */
    notBefore: { type: Date },
    sentAt: { type: Date },
    lastError: { type: String, maxlength: 500 },
    /** Why it was not delivered (status `skipped`): off, muted, blocked, gone, not_installed. */
    skipReason: { type: String, maxlength: 40 },
    /** For status `held`: the digest it goes out with (src/notifications/digest-schedule.ts). */
    digest: {
      type: new Schema({ cadence: { type: String, enum: ['daily', 'weekly'], required: true }, period: { type: String, required: true, maxlength: 40 }, dueAt: { type: Date, required: true } }, { _id: false }),
      default: undefined,
    },
    /**
     * The delivery record (idempotency key) it went out with, when that is a digest's
     * (`d:...`). Sent on its own it went with `n:<id>` (`c:<id>` for a channel post), which is
     * not written here: the worker marks a lot's notifications with one update for all of them
     * (see `deliveryKeyOf`).
     */
    deliveryKey: { type: String, maxlength: 300 },
    /** The lot it was enqueued in (notification-lot.model.ts): the unit delivery claims. */
    lot: { type: Schema.Types.ObjectId },
  },
  {
    timestamps: true,
    minimize: false,
  },
);
notificationSchema.plugin(toJsonPlugin);
notificationSchema.index({ idempotencyKey: 1 }, { unique: true });
notificationSchema.index({ status: 1, createdAt: 1 });
notificationSchema.index({ status: 1, 'digest.dueAt': 1 });
notificationSchema.index({ tenantId: 1, recipientId: 1, createdAt: -1, _id: -1 });
notificationSchema.index({ lot: 1, status: 1 });

export type NotificationRecord = InferSchemaType<typeof notificationSchema> & {
  _id: mongoose.Types.ObjectId;
  kind: NotificationKind;
  subject: { type: NotificationSubjectType; id: string };
  status: NotificationStatus;
  createdAt: Date;
  updatedAt: Date;
};

export const NotificationModel = mongoose.model('Notification', notificationSchema, 'notifications');

/** The key of the delivery record a notification went out with (see `deliveryKey`). */
export function deliveryKeyOf(notification: Pick<NotificationRecord, '_id' | 'kind' | 'deliveryKey'>): string {
  if (notification.deliveryKey) return notification.deliveryKey;
  return sendKeyOf(notification);
}
