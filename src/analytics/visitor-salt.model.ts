/**
 * The day's random salt of a tenant's visitor hashes. One per (tenant, day), made by whoever
 * records first that day (a unique index settles a race), and deleted once the day is over,
 * which is what makes yesterday's hashes impossible to recompute or join to today's.
 */
import mongoose, { Schema, type InferSchemaType } from 'mongoose';

const visitorSaltSchema = new Schema(
  {
    tenantId: { type: String, required: true },
    day: { type: String, required: true },
    salt: { type: String, required: true },
  },
  { versionKey: false, collection: 'analytics_salts' },
);
visitorSaltSchema.index({ tenantId: 1, day: 1 }, { unique: true });

export type VisitorSaltRecord = InferSchemaType<typeof visitorSaltSchema>;
export const VisitorSaltModel = mongoose.model('VisitorSalt', visitorSaltSchema);
