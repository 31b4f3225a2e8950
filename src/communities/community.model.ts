/**
 * A community: a group of people around a theme (a policy area, a chain of partners, a
 * citizen panel), optionally pinned to a Teams team/channel. Visibility decides who sees it:
 * `public` (the whole organisation; guests when `guestsAllowed`), `closed` (visible, joining
 * needs a manager's approval) and `secret` (invisible to non-members, invite only).
 * The counters in `counts` change only through `atomicUpdate` (see src/db/atomic-update.ts).
 */
import mongoose, { Schema, type InferSchemaType } from 'mongoose';
import { versionStamped } from '../db/read-cache.js';
import { stampedCommunity } from '../db/read-scopes.js';
import { toJsonPlugin } from '../db/to-json-plugin.js';

export const COMMUNITY_VISIBILITIES = ['public', 'closed', 'secret'] as const;
export type CommunityVisibility = (typeof COMMUNITY_VISIBILITIES)[number];

const communitySchema = new Schema(
  {
    tenantId: { type: String, required: true, maxlength: 64 },
    name: { type: String, required: true, trim: true, minlength: 1, maxlength: 120 },
    /** A readable name for links (not an id: ids are the ObjectId). */
    slug: { type: String, maxlength: 80 },
    /** Markdown source and its sanitized HTML (src/content/markdown.ts). */
    description: {
      source: { type: String, default: '', maxlength: 20_000 },
      html: { type: String, default: '' },
    },
    imageUrl: { type: String, maxlength: 2048 },
    tags: { type: [String], default: [] },
    visibility: { type: String, enum: COMMUNITY_VISIBILITIES, required: true, default: 'public' },
    guestsAllowed: { type: Boolean, default: false },
    /** The Teams team and channel the community is pinned to, when it is. */
    teamId: { type: String, maxlength: 200 },
    channelId: { type: String, maxlength: 200 },
    /** The user id of the creator. */
    createdBy: { type: String, required: true, maxlength: 64 },
    counts: {
      /** Active members, managers included. */
      memberCount: { type: Number, default: 0, min: 0 },
      /** Active managers; guarded so that it never drops below one (the last manager stays). */
      managerCount: { type: Number, default: 0, min: 0 },
      discussionCount: { type: Number, default: 0, min: 0 },
      /** Sequence numbers handed out to discussions and feed activity (see src/discussions/feed-buckets.ts). */
      discussionSeq: { type: Number, default: 0, min: 0 },
      activitySeq: { type: Number, default: 0, min: 0 },
    },
    lastActivityAt: { type: Date },
    /** The discussions pinned to the top of the community's list (kept by the discussion service). */
    pinnedDiscussionIds: { type: [Schema.Types.ObjectId], default: [] },
  },
  {
    timestamps: true,
  },
);
communitySchema.plugin(toJsonPlugin);
communitySchema.index({ tenantId: 1, createdAt: -1, _id: -1 });
communitySchema.index({ tenantId: 1, slug: 1 });
communitySchema.index({ tenantId: 1, teamId: 1, channelId: 1 });

export type CommunityRecord = InferSchemaType<typeof communitySchema> & {
  _id: mongoose.Types.ObjectId;
  visibility: CommunityVisibility;
  createdAt: Date;
  updatedAt: Date;
};

// Writes move the read caches' stamps (read-cache.ts).
versionStamped(communitySchema, stampedCommunity('Community'));
export const CommunityModel = mongoose.model('Community', communitySchema);
