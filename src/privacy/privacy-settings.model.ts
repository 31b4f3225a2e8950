/**
 * Per-tenant privacy settings an organisation admin chooses: how many days each kind of data
 * is kept (the kinds come from `RETENTION_KINDS`), how long someone who left the organisation
 * is kept before erasure, and whether an erased person's texts stay. One document per tenant
 * (unique index); absent fields mean the defaults.
 */
import mongoose, { Schema, type InferSchemaType } from 'mongoose';
import { RETENTION_KIND_NAMES } from '../personal-data/retention-kinds.js';

const retentionDaysSchema = Object.fromEntries(RETENTION_KIND_NAMES.map((kind) => [kind, { type: Number, min: 0, max: 3650 }]));

const privacySettingsSchema = new Schema(
  {
    tenantId: { type: String, required: true, maxlength: 64 },
    retentionDays: retentionDaysSchema,
    leaverGraceDays: { type: Number, min: 0, max: 365 },
    erasureKeepText: { type: Boolean },
    updatedBy: { type: String, maxlength: 64 },
  },
  { timestamps: true, versionKey: false },
);
privacySettingsSchema.index({ tenantId: 1 }, { unique: true });

export type PrivacySettingsRecord = InferSchemaType<typeof privacySettingsSchema> & { _id: mongoose.Types.ObjectId; retentionDays?: Record<string, number | null | undefined> };

export const PrivacySettingsModel = mongoose.model('PrivacySettings', privacySettingsSchema, 'privacy_settings');
