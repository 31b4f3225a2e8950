/**
 * Hit counters of the write rate limits, one per client key and fixed window, shared by all
 * instances through the database. Expired windows are deleted by the store itself (FerretDB
 * 1.24 has no TTL indexes).
 */
import mongoose, { Schema, type InferSchemaType } from 'mongoose';

const rateLimitCounterSchema = new Schema(
  {
    /** The limiter's prefix and the client (a hashed user or an address). */
    key: { type: String, required: true, maxlength: 200 },
    windowStart: { type: Date, required: true },
    hits: { type: Number, required: true, default: 0 },
    expiresAt: { type: Date, required: true },
  },
);
rateLimitCounterSchema.index({ key: 1, windowStart: 1 }, { unique: true });
rateLimitCounterSchema.index({ expiresAt: 1 });

export type RateLimitCounterRecord = InferSchemaType<typeof rateLimitCounterSchema>;

export const RateLimitCounterModel = mongoose.model('RateLimitCounter', rateLimitCounterSchema, 'rate_limit_counters');
