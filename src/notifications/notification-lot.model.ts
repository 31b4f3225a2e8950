/**
 * A lot: the notifications one enqueue wrote together (up to a few hundred; notification-outbox.ts),
 * the unit a delivery worker claims. The lot document is the one lease for all of them: a worker
 * takes it with `atomicUpdate` (`open`, or `claimed` with its lease run out, becomes `claimed` by
 * the worker until `leaseUntil`), sends the lot's pending notifications, and then deletes the lot
 * (nothing left) or opens it again for what is due later (`dueAt`: a retry after a long
 * Retry-After, a reminder).
 *
 * Why a lot rather than a claim per notification: on FerretDB every filtered write scans its
 * collection and rewrites matched documents one transaction each, so claiming ten thousand
 * notifications one by one costs ten thousand scans of the outbox; a lot costs one small write,
 * and its notifications are read with one query (`lot` equality is pushed down to PostgreSQL).
 *
 * The collection holds only lots with work left (done lots are deleted), so listing the due
 * ones stays cheap. `claims` counts how often the lot was taken: a lot taken before may have
 * sends its earlier owner did not mark on the notifications, which the delivery records tell.
 */
import mongoose, { Schema, type InferSchemaType } from 'mongoose';

export const LOT_STATES = ['open', 'claimed'] as const;
export type LotState = (typeof LOT_STATES)[number];

const lotSchema = new Schema(
  {
    state: { type: String, enum: LOT_STATES, required: true, default: 'open' },
    /** Not claimable before this (the earliest `notBefore` of its pending notifications). */
    dueAt: { type: Date, required: true },
    /** The claim's owner (a worker's token for one pass). */
    owner: { type: String, maxlength: 200 },
    leaseUntil: { type: Date },
    claims: { type: Number, default: 0 },
  },
  { timestamps: true, versionKey: false, collection: 'notification_lots' },
);
lotSchema.index({ dueAt: 1 });

export type LotRecord = InferSchemaType<typeof lotSchema> & { _id: mongoose.Types.ObjectId; state: LotState };

export const LotModel = mongoose.model('NotificationLot', lotSchema);
