/**
 * One send: the idempotency record that makes every notification (or digest) go out once.
 * `key` is unique (`n:<notification id>`, `d:<tenant>:<person>:<period>`, `c:<notification id>`
 * for a channel post), so at most one outcome is ever recorded per send.
 *
 * Notifications sent on their own are claimed by their lot (notification-lot.model.ts): the
 * lot's owner writes the record once the channel answered, directly as `sent`, `skipped` or
 * `failed`, before it counts the send as done. A worker that takes a lot over from an owner
 * that stopped reads the lot's records (`lot`) and does not send what they name again; only a
 * send that owner had in flight when it stopped can thus arrive twice.
 *
 * A digest is claimed by inserting its record as `claimed` (the worker that inserts it owns
 * the send; any other sees the duplicate key), which then moves to `sent` | `skipped` |
 * `failed`; a claim whose lease ran out unfinished is taken over (deleting exactly that record
 * by its `_id`, so a late owner can never remove a newer claim). (`sending` is kept in the enum
 * for records written by earlier versions; it is treated like `claimed`.)
 */
import mongoose, { Schema, type InferSchemaType } from 'mongoose';

export const DELIVERY_STATES = ['claimed', 'sending', 'sent', 'skipped', 'failed'] as const;
export type DeliveryState = (typeof DELIVERY_STATES)[number];

const deliverySchema = new Schema(
  {
    key: { type: String, required: true, maxlength: 300 },
    tenantId: { type: String, required: true, maxlength: 64 },
    recipientId: { type: String, required: true, maxlength: 64 },
    notificationIds: { type: [Schema.Types.ObjectId], default: [] },
    /** The lot the notification was claimed with (sends of single notifications). */
    lot: { type: Schema.Types.ObjectId },
    route: { type: String, enum: ['chat', 'activityFeed', 'channel', 'mail'] },
    state: { type: String, enum: DELIVERY_STATES, required: true },
    owner: { type: String, required: true, maxlength: 100 },
    leaseUntil: { type: Date, required: true },
    attempts: { type: Number, default: 0 },
    conversationId: { type: String, maxlength: 500 },
    activityId: { type: String, maxlength: 300 },
    lastError: { type: String, maxlength: 500 },
    sentAt: { type: Date },
  },
  { timestamps: true, versionKey: false, collection: 'notification_deliveries' },
);
deliverySchema.index({ key: 1 }, { unique: true });
deliverySchema.index({ lot: 1 });

export type DeliveryRecord = InferSchemaType<typeof deliverySchema> & { _id: mongoose.Types.ObjectId; state: DeliveryState };

export const DeliveryModel = mongoose.model('NotificationDelivery', deliverySchema);
