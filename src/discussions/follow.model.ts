/** A person following a discussion (authors and repliers follow automatically). One per person and discussion. */
import mongoose, { Schema, type InferSchemaType } from 'mongoose';
import { versionStamped } from '../db/read-cache.js';
import { stampedByPerson } from '../db/read-scopes.js';

const followSchema = new Schema(
  {
    tenantId: { type: String, required: true, maxlength: 64 },
    communityId: { type: Schema.Types.ObjectId, required: true },
    discussionId: { type: Schema.Types.ObjectId, required: true },
    userId: { type: String, required: true, maxlength: 64 },
    /** Whether the follower is a guest (for the community's guest rule at notification time). */
    isGuest: { type: Boolean, default: false },
  },
  { timestamps: { createdAt: true, updatedAt: false }, versionKey: false },
);
followSchema.index({ discussionId: 1, userId: 1 }, { unique: true });
followSchema.index({ tenantId: 1, userId: 1 });

export type FollowRecord = InferSchemaType<typeof followSchema> & { _id: mongoose.Types.ObjectId };

// Writes move the read caches' stamps (read-cache.ts).
versionStamped(followSchema, stampedByPerson('Follow'));
export const FollowModel = mongoose.model('Follow', followSchema);
