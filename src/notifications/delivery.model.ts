/**
 * One send: the idempotency record that makes every notification (or digest) go out once.
 * `key` is unique (`n:<notification id>`, `d:<tenant>:<person>:<period>`, `c:<notification id>`
 * for a channel post): the worker that inserts it owns the send; any other worker sees the
 * duplicate key and leaves it alone. The record moves `claimed` -> `sent` | `skipped` |
 * `failed`. The owner starts a send only well inside its lease; a claim whose lease ran out
 * unfinished belongs to an instance that stopped, and another worker takes it over (deleting
 * exactly that record by its `_id`, so a late owner can never remove a newer claim) and sends
 * it. The one send such an instance had in flight when it stopped may thus arrive twice: the
 * only way a duplicate can happen. (`sending` is kept in the enum for records written by
 * earlier versions; it is treated like `claimed`.)
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
    route: { type: String, enum: ['chat', 'activityFeed', 'channel'] },
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

export type DeliveryRecord = InferSchemaType<typeof deliverySchema> & { _id: mongoose.Types.ObjectId; state: DeliveryState };

export const DeliveryModel = mongoose.model('NotificationDelivery', deliverySchema);
