/**
 * A sharing permission Meent granted on an attached drive item, kept so that Meent can take it
 * back when the person loses access to the post, and so the reconciliation job can tell
 * Meent's permissions from the owner's. One per item and person (or the item's organisation link).
 */
import mongoose, { Schema, type InferSchemaType } from 'mongoose';

export const GRANT_KINDS = ['invite', 'organizationLink'] as const;
export type GrantKind = (typeof GRANT_KINDS)[number];

const grantSchema = new Schema(
  {
    tenantId: { type: String, required: true, maxlength: 64 },
    communityId: { type: Schema.Types.ObjectId, default: null },
    driveId: { type: String, required: true, maxlength: 300 },
    itemId: { type: String, required: true, maxlength: 300 },
    kind: { type: String, enum: GRANT_KINDS, required: true },
    /** The person invited (kind `invite`); '' for the organisation link. */
    userId: { type: String, default: '', maxlength: 64 },
    /** Graph's permission id, to delete it. */
    permissionId: { type: String, required: true, maxlength: 300 },
  },
  { timestamps: true, versionKey: false },
);
grantSchema.index({ driveId: 1, itemId: 1, kind: 1, userId: 1 }, { unique: true });
grantSchema.index({ tenantId: 1, userId: 1 });
grantSchema.index({ communityId: 1 });

export type GrantRecord = InferSchemaType<typeof grantSchema> & { _id: mongoose.Types.ObjectId; kind: GrantKind };

export const AttachmentGrantModel = mongoose.model('AttachmentGrant', grantSchema);
