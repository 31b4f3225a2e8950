/**
 * Someone Microsoft 365 no longer knows (deleted from the tenant, a guest removed): noticed by
 * the leavers job, erased once the organisation's grace period has passed, forgotten when the
 * person comes back. The document goes when the person is erased: it holds their object id.
 */
import mongoose, { Schema, type InferSchemaType } from 'mongoose';

export const DEPARTURE_REASONS = ['deleted', 'changed', 'notFound'] as const;
export type DepartureReason = (typeof DEPARTURE_REASONS)[number];

const departureSchema = new Schema(
  {
    tenantId: { type: String, required: true, maxlength: 64 },
    userId: { type: String, required: true, maxlength: 64 },
    /** When Meent first noticed that the directory no longer has the person. */
    leftAt: { type: Date, required: true },
    /**
     * What Graph said: `changed` (soft-deleted, restorable for 30 days), `deleted` (permanently
     * deleted), or `notFound` (404 on lookup). https://learn.microsoft.com/en-us/graph/api/user-delta
     */
    reason: { type: String, enum: DEPARTURE_REASONS, required: true },
    /** Failed erasure attempts (the eraser resumes; after a failure the next pass tries again). */
    attempts: { type: Number, default: 0 },
    lastError: { type: String, maxlength: 200 },
  },
  { timestamps: true, versionKey: false },
);
departureSchema.index({ tenantId: 1, userId: 1 }, { unique: true });
departureSchema.index({ tenantId: 1, leftAt: 1 });

export type DepartureRecord = InferSchemaType<typeof departureSchema> & { _id: mongoose.Types.ObjectId };

export const DepartureModel = mongoose.model('Departure', departureSchema, 'departures');
