/**
 * A file attached to a discussion, a reply or an event. The file stays in OneDrive or
 * SharePoint; Meent keeps only what a file card shows (name, size, type, ids, web address,
 * thumbnail address, last modified) and whether the item can still be reached.
 */
import mongoose, { Schema, type InferSchemaType } from 'mongoose';
import { versionStamped } from '../db/read-cache.js';
import { stampedByTenant } from '../db/read-scopes.js';
import { stampScope } from '../db/version-stamps.js';

export const ATTACHMENT_TARGETS = ['discussion', 'reply', 'event'] as const;
export type AttachmentTarget = (typeof ATTACHMENT_TARGETS)[number];
/** Where the file came from: the author's own OneDrive or a library they reach, or an upload through Meent. */
export const ATTACHMENT_SOURCES = ['drive', 'upload'] as const;

const attachmentSchema = new Schema(
  {
    tenantId: { type: String, required: true, maxlength: 64 },
    /** The community whose readers may open it (null: an organisation-wide event). */
    communityId: { type: Schema.Types.ObjectId, default: null },
    targetType: { type: String, enum: ATTACHMENT_TARGETS, required: true },
    targetId: { type: Schema.Types.ObjectId, required: true },
    /** The discussion a reply belongs to (search, removal with the discussion). */
    discussionId: { type: Schema.Types.ObjectId, default: null },
    position: { type: Number, required: true, min: 0, max: 9 },
    authorId: { type: String, required: true, maxlength: 64 },
    authorName: { type: String, default: '', maxlength: 256 },
    source: { type: String, enum: ATTACHMENT_SOURCES, required: true },
    driveId: { type: String, required: true, maxlength: 300 },
    itemId: { type: String, required: true, maxlength: 300 },
    name: { type: String, required: true, maxlength: 400 },
    size: { type: Number, required: true, min: 0 },
    mimeType: { type: String, default: null, maxlength: 200 },
    webUrl: { type: String, required: true, maxlength: 2000 },
    thumbnailUrl: { type: String, default: null, maxlength: 2000 },
    lastModifiedAt: { type: Date, default: null },
    /** False once the item vanished or Meent lost access to it ("no longer available"). */
    available: { type: Boolean, default: true },
    checkedAt: { type: Date, default: null },
  },
  { timestamps: true, versionKey: false },
);
attachmentSchema.index({ targetType: 1, targetId: 1, position: 1 }, { unique: true });
attachmentSchema.index({ tenantId: 1, communityId: 1 });
attachmentSchema.index({ tenantId: 1, authorId: 1 });
attachmentSchema.index({ discussionId: 1 });
attachmentSchema.index({ checkedAt: 1 });

export type AttachmentRecord = InferSchemaType<typeof attachmentSchema> & {
  _id: mongoose.Types.ObjectId;
  targetType: AttachmentTarget;
  source: (typeof ATTACHMENT_SOURCES)[number];
  createdAt: Date;
  updatedAt: Date;
};

// Search finds events by their files' names through the read cache (src/search/event-search-source.ts).
versionStamped(attachmentSchema, stampedByTenant('Attachment', stampScope.tenantAttachments));
export const AttachmentModel = mongoose.model('Attachment', attachmentSchema);
