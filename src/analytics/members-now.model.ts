/**
 * Each tenant's members of the current day so far, per scope, counted by the analytics worker
 * every few minutes (members-now.ts), so that no question for the figures counts memberships.
 * One document per tenant, replaced on each count. Counts only.
 */
import mongoose, { Schema, type InferSchemaType } from 'mongoose';

const membersNowSchema = new Schema(
  {
    tenantId: { type: String, required: true },
    /** The day counted (`YYYY-MM-DD`) and when. */
    day: { type: String, required: true },
    at: { type: Date, required: true },
    scopes: { type: [{ _id: false, communityId: { type: String, default: null }, members: Number, newMembers: Number, guests: Number }], default: [] },
  },
  { versionKey: false, collection: 'analytics_members_now' },
);
membersNowSchema.index({ tenantId: 1 }, { unique: true });

export type MembersNowRecord = InferSchemaType<typeof membersNowSchema>;
export const MembersNowModel = mongoose.model('AnalyticsMembersNow', membersNowSchema);
