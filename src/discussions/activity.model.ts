/**
 * The activity of a community in order: a new discussion or a new reply. The home feed
 * merges the activity of the actor's communities (feed.service.ts); entries carry what a
 * feed item shows, so a page needs no further reads. Numbered per community (`seq` from the
 * community's `activitySeq`) and bucketed like the other long lists (feed-buckets.ts).
 */
import mongoose, { Schema, type InferSchemaType } from 'mongoose';
import { versionStamped } from '../db/read-cache.js';
import { stampedByCommunity } from '../db/read-scopes.js';

const activitySchema = new Schema(
  {
    tenantId: { type: String, required: true, maxlength: 64 },
    communityId: { type: Schema.Types.ObjectId, required: true },
    seq: { type: Number, required: true, min: 1 },
    bucket: { type: Number, required: true, min: 0 },
    kind: { type: String, enum: ['discussion', 'reply'], required: true },
    discussionId: { type: Schema.Types.ObjectId, required: true },
    replyId: { type: Schema.Types.ObjectId },
    authorId: { type: String, required: true, maxlength: 64 },
    authorName: { type: String, default: '', maxlength: 256 },
    title: { type: String, default: '', maxlength: 200 },
    excerpt: { type: String, default: '', maxlength: 300 },
    at: { type: Date, required: true },
    hidden: { type: Boolean, default: false },
  },
  { versionKey: false },
);
activitySchema.index({ communityId: 1, seq: 1 }, { unique: true });
activitySchema.index({ communityId: 1, bucket: 1 });
activitySchema.index({ discussionId: 1 });

export type ActivityRecord = InferSchemaType<typeof activitySchema> & { _id: mongoose.Types.ObjectId; kind: 'discussion' | 'reply' };

// Writes move the read caches' stamps (read-cache.ts).
versionStamped(activitySchema, stampedByCommunity('Activity'));
export const ActivityModel = mongoose.model('Activity', activitySchema, 'activities');
