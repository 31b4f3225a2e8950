/**
 * A tenant's choice about reaching people who never installed Meent: whether Meent may
 * install the app for them (`autoInstall`). One document per tenant; absent means the
 * deployment's default (`NOTIFY_AUTO_INSTALL`). Holds no personal data: who changed it is in
 * the audit log.
 */
import mongoose, { Schema, type InferSchemaType } from 'mongoose';

const reachSettingsSchema = new Schema(
  {
    tenantId: { type: String, required: true, maxlength: 64 },
    autoInstall: { type: Boolean, required: true },
  },
  { timestamps: true, collection: 'notification_reach_settings' },
);
reachSettingsSchema.index({ tenantId: 1 }, { unique: true });

export type ReachSettingsRecord = InferSchemaType<typeof reachSettingsSchema>;

export const ReachSettingsModel = mongoose.model('NotificationReachSettings', reachSettingsSchema);
