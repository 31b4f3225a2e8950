/**
 * One person's reaction of one kind to a discussion or reply. The unique index makes "one of
 * each kind per person" hold under any concurrency; the counts on the target follow it.
 */
import mongoose, { Schema, type InferSchemaType } from 'mongoose';
import { versionStamped } from '../db/read-cache.js';
import { stampedByPerson } from '../db/read-scopes.js';
import { REACTION_KINDS } from './discussion.model.js';

const reactionSchema = new Schema(
  {
    tenantId: { type: String, required: true, maxlength: 64 },
    communityId: { type: Schema.Types.ObjectId, required: true },
    discussionId: { type: Schema.Types.ObjectId, required: true },
    targetType: { type: String, enum: ['discussion', 'reply'], required: true },
    targetId: { type: Schema.Types.ObjectId, required: true },
    userId: { type: String, required: true, maxlength: 64 },
    kind: { type: String, enum: REACTION_KINDS, required: true },
  },
  { timestamps: { createdAt: true, updatedAt: false }, versionKey: false },
);
reactionSchema.index({ targetId: 1, userId: 1, kind: 1 }, { unique: true });
reactionSchema.index({ discussionId: 1, userId: 1 });
// A person's reactions across the tenant (their data export and erasure).
reactionSchema.index({ tenantId: 1, userId: 1 });

export type ReactionRecord = InferSchemaType<typeof reactionSchema> & { _id: mongoose.Types.ObjectId };

// Writes move the read caches' stamps (read-cache.ts).
versionStamped(reactionSchema, stampedByPerson('Reaction'));
export const ReactionModel = mongoose.model('Reaction', reactionSchema);
