/**
 * A discussion (or question) in a community. Body and conclusion are Markdown stored with
 * their sanitized HTML. Counters (`counts.replies`, `counts.reactions.<kind>`) change only
 * through `atomicUpdate` after the reply or reaction document they count was written, so
 * concurrent writers never lose an increment. `seq`/`bucket` page the community's list
 * (src/discussions/feed-buckets.ts); search keys live in src/search/.
 */
import mongoose, { Schema, type InferSchemaType } from 'mongoose';
import { versionStamped } from '../db/read-cache.js';
import { stampedDiscussion } from '../db/read-scopes.js';
import { toJsonPlugin } from '../db/to-json-plugin.js';

export const DISCUSSION_KINDS = ['discussion', 'question'] as const;
export type DiscussionKind = (typeof DISCUSSION_KINDS)[number];
/** Like, plus a small fixed set; one of each kind per person and item. */
export const REACTION_KINDS = ['like', 'thanks', 'insightful', 'agree', 'celebrate'] as const;
export type ReactionKind = (typeof REACTION_KINDS)[number];

const markdownField = {
  source: { type: String, default: '', maxlength: 20_000 },
  html: { type: String, default: '' },
};

export const reactionCountsDefinition = Object.fromEntries(REACTION_KINDS.map((k) => [k, { type: Number, default: 0, min: 0 }])) as Record<
  ReactionKind,
  { type: NumberConstructor; default: number; min: number }
>;

/** Why something is hidden: a manager hid it, or enough people reported it. */
export const HIDDEN_REASONS = ['moderator', 'reports'] as const;

const editSchema = new Schema(
  {
    title: { type: String, maxlength: 200 },
    body: { type: String, maxlength: 20_000 },
    editedAt: { type: Date, required: true },
    editedBy: { type: String, required: true, maxlength: 64 },
  },
  { _id: false },
);

const discussionSchema = new Schema(
  {
    tenantId: { type: String, required: true, maxlength: 64 },
    communityId: { type: Schema.Types.ObjectId, required: true },
    authorId: { type: String, required: true, maxlength: 64 },
    /** The author's name when they wrote it (lists need no lookup per item). */
    authorName: { type: String, default: '', maxlength: 256 },
    kind: { type: String, enum: DISCUSSION_KINDS, required: true, default: 'discussion' },
    title: { type: String, required: true, trim: true, minlength: 1, maxlength: 200 },
    body: markdownField,
    /** Plain-text start of the body, for lists and feeds. */
    excerpt: { type: String, default: '', maxlength: 300 },
    tags: { type: [String], default: [] },
    /** People mentioned who could see the discussion when it was written. */
    mentions: { type: [String], default: [] },
    status: { type: String, enum: ['open', 'closed'], default: 'open' },
    conclusion: markdownField,
    closedBy: { type: String, maxlength: 64 },
    closedAt: { type: Date },
    pinned: { type: Boolean, default: false },
    pinnedAt: { type: Date },
    /** The reply accepted as the answer (questions). */
    acceptedReplyId: { type: Schema.Types.ObjectId },
    hidden: { type: Boolean, default: false },
    hiddenReason: { type: String, enum: HIDDEN_REASONS },
    hiddenAt: { type: Date },
    hiddenBy: { type: String, maxlength: 64 },
    /** Position in the community's list (1, 2, ...) and its page bucket (src/discussions/feed-buckets.ts). */
    seq: { type: Number, required: true, min: 1 },
    bucket: { type: Number, required: true, min: 0 },
    counts: {
      /** Replies that are not removed. */
      replies: { type: Number, default: 0, min: 0 },
      /** Sequence numbers handed out to replies (all of them, for unread markers). */
      replySeq: { type: Number, default: 0, min: 0 },
      /** Sequence numbers handed out to top-level replies (for the thread's pages). */
      threadSeq: { type: Number, default: 0, min: 0 },
      reactions: reactionCountsDefinition,
    },
    lastActivityAt: { type: Date, required: true },
    /** Previous versions, oldest first. */
    history: { type: [editSchema], default: [] },
    editedAt: { type: Date },
  },
  {
    timestamps: true,
    minimize: false,
  },
);
discussionSchema.plugin(toJsonPlugin);
discussionSchema.index({ communityId: 1, bucket: 1 });
discussionSchema.index({ communityId: 1, seq: 1 }, { unique: true });
discussionSchema.index({ communityId: 1, pinned: 1 });
discussionSchema.index({ communityId: 1, createdAt: -1, _id: -1 });
discussionSchema.index({ communityId: 1, lastActivityAt: -1, _id: -1 });
discussionSchema.index({ tenantId: 1, createdAt: -1, _id: -1 });
discussionSchema.index({ tenantId: 1, tags: 1 });
discussionSchema.index({ tenantId: 1, authorId: 1 });

export type DiscussionRecord = InferSchemaType<typeof discussionSchema> & {
  _id: mongoose.Types.ObjectId;
  kind: DiscussionKind;
  status: 'open' | 'closed';
  createdAt: Date;
  updatedAt: Date;
};

// Writes move the read caches' stamps (read-cache.ts).
versionStamped(discussionSchema, stampedDiscussion('Discussion'));
export const DiscussionModel = mongoose.model('Discussion', discussionSchema);
