/**
 * Per-tenant settings of the community capability that an organisation admin may change:
 * who may create communities, and after how many distinct reports content hides itself.
 * One document per tenant (unique index); absent means the defaults.
 */
import mongoose, { Schema, type InferSchemaType } from 'mongoose';

export const DEFAULT_AUTO_HIDE_THRESHOLD = 3;

const communitySettingsSchema = new Schema(
  {
    tenantId: { type: String, required: true, maxlength: 64 },
    /** `members`: every member of the organisation may create communities; `admins`: only organisation admins. */
    communityCreation: { type: String, enum: ['members', 'admins'], default: 'members' },
    /** Content is hidden automatically once this many different people reported it. */
    autoHideThreshold: { type: Number, default: DEFAULT_AUTO_HIDE_THRESHOLD, min: 1, max: 100 },
    updatedBy: { type: String, maxlength: 64 },
  },
  { timestamps: true, versionKey: false },
);
communitySettingsSchema.index({ tenantId: 1 }, { unique: true });

export type CommunitySettingsRecord = InferSchemaType<typeof communitySettingsSchema> & { _id: mongoose.Types.ObjectId };

export const CommunitySettingsModel = mongoose.model('CommunitySettings', communitySettingsSchema, 'community_settings');
