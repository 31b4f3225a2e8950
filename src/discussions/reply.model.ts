/**
 * A reply in a discussion, with one level of nesting: `parentId` is a top-level reply of
 * the same discussion or absent (a reply to a nested reply is attached to its parent). A
 * deleted reply stays as a "removed" placeholder (its body cleared) so the thread keeps its
 * shape. Edits keep the previous versions in `history`.
 */
import mongoose, { Schema, type InferSchemaType } from 'mongoose';
import { versionStamped } from '../db/read-cache.js';
import { stampedReply } from '../db/read-scopes.js';
import { HIDDEN_REASONS, reactionCountsDefinition } from './discussion.model.js';
import { toJsonPlugin } from '../db/to-json-plugin.js';

const editSchema = new Schema(
  {
    body: { type: String, maxlength: 20_000 },
    editedAt: { type: Date, required: true },
    editedBy: { type: String, required: true, maxlength: 64 },
  },
  { _id: false },
);

const replySchema = new Schema(
  {
    tenantId: { type: String, required: true, maxlength: 64 },
    communityId: { type: Schema.Types.ObjectId, required: true },
    discussionId: { type: Schema.Types.ObjectId, required: true },
    /** The top-level reply this one answers, if any. */
    parentId: { type: Schema.Types.ObjectId },
    authorId: { type: String, required: true, maxlength: 64 },
    authorName: { type: String, default: '', maxlength: 256 },
    /** Order in the discussion (all replies); unread markers compare with it. */
    seq: { type: Number, required: true, min: 1 },
    /** The top-level reply's position in the thread (its own for top-level replies, the parent's for nested ones). */
    threadSeq: { type: Number, required: true, min: 1 },
    /** The thread page bucket (src/discussions/feed-buckets.ts), from threadSeq. */
    bucket: { type: Number, required: true, min: 0 },
    /** Accepted as the answer to the question. */
    accepted: { type: Boolean, default: false },
    body: {
      source: { type: String, default: '', maxlength: 20_000 },
      html: { type: String, default: '' },
    },
    mentions: { type: [String], default: [] },
    removed: { type: Boolean, default: false },
    removedBy: { type: String, maxlength: 64 },
    removedAt: { type: Date },
    hidden: { type: Boolean, default: false },
    hiddenReason: { type: String, enum: HIDDEN_REASONS },
    hiddenAt: { type: Date },
    hiddenBy: { type: String, maxlength: 64 },
    counts: { reactions: reactionCountsDefinition },
    history: { type: [editSchema], default: [] },
    editedAt: { type: Date },
    /** Discussion tags copied at write time, so "who knows about X" can count replies per tag. */
    tags: { type: [String], default: [] },
  },
  {
    timestamps: true,
    minimize: false,
  },
);
replySchema.plugin(toJsonPlugin);
replySchema.index({ discussionId: 1, bucket: 1 });
replySchema.index({ discussionId: 1, seq: 1 }, { unique: true });
replySchema.index({ discussionId: 1, createdAt: 1, _id: 1 });
replySchema.index({ tenantId: 1, createdAt: -1, _id: -1 });
replySchema.index({ tenantId: 1, tags: 1, authorId: 1 });
// A person's replies (their data export and erasure: 10,000 of them page by this index).
replySchema.index({ tenantId: 1, authorId: 1, _id: 1 });

export type ReplyRecord = InferSchemaType<typeof replySchema> & {
  _id: mongoose.Types.ObjectId;
  createdAt: Date;
  updatedAt: Date;
};

// Writes move the read caches' stamps (read-cache.ts).
versionStamped(replySchema, stampedReply('Reply'));
export const ReplyModel = mongoose.model('Reply', replySchema);
