/**
 * What Meent did to reach a person who had no chat with its bot: installed the app for them
 * through Graph (`installed`), or was refused (`refused`, with Graph's reason: the person is
 * unreachable by Teams and gets messages by e-mail where a mailbox is configured), or found
 * them gone (`gone`). One record per person and tenant (unique), so a fan-out to many people
 * installs once per person, and a refusal is not asked again until `retryAfter`.
 * Holds an Entra object id: personal data (export, erasure: notifications-personal-data.ts).
 */
import mongoose, { Schema, type InferSchemaType } from 'mongoose';

export const INSTALLATION_STATES = ['installed', 'refused', 'gone'] as const;
export type InstallationState = (typeof INSTALLATION_STATES)[number];

const installationSchema = new Schema(
  {
    tenantId: { type: String, required: true, maxlength: 64 },
    userId: { type: String, required: true, maxlength: 64 },
    state: { type: String, enum: INSTALLATION_STATES, required: true },
    /** Graph's status and error code, e.g. `403 AppInstallationBlockedByPolicy`. */
    reason: { type: String, maxlength: 200 },
    /** A refusal is believed until then; after it Meent asks Graph again (the policy may have changed). */
    retryAfter: { type: Date },
    attempts: { type: Number, default: 0 },
  },
  { timestamps: true, collection: 'teams_app_installations' },
);
installationSchema.index({ tenantId: 1, userId: 1 }, { unique: true });

export type InstallationRecord = InferSchemaType<typeof installationSchema> & { _id: mongoose.Types.ObjectId; state: InstallationState };

export const AppInstallationModel = mongoose.model('TeamsAppInstallation', installationSchema);
