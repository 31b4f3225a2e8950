/**
 * A person known to Meent: created on first sight (sign-in, invitation, seed), enriched from
 * Graph's profile, plus the fields a member edits. Keyed by (tenantId, userId) where userId is
 * the Entra object id (`oid`) or a demo person's id in local mode.
 */
import mongoose, { Schema, type InferSchemaType } from 'mongoose';
import { toJsonPlugin } from '../db/to-json-plugin.js';
import { versionStamped } from '../db/read-cache.js';
import { stampedByTenant } from '../db/read-scopes.js';
import { stampScope } from '../db/version-stamps.js';

const userSchema = new Schema(
  {
    tenantId: { type: String, required: true },
    /** Entra object id (`oid`); in local mode a demo id. */
    userId: { type: String, required: true },
    /** The tenant the person's account lives in (differs from tenantId for B2B guests). */
    homeTenantId: { type: String },
    displayName: { type: String, required: true, maxlength: 256 },
    userPrincipalName: { type: String, maxlength: 256 },
    mail: { type: String, maxlength: 320 },
    jobTitle: { type: String, maxlength: 256 },
    department: { type: String, maxlength: 256 },
    officeLocation: { type: String, maxlength: 256 },
    isGuest: { type: Boolean, default: false },
    /** Held the organisation admin app role at the last sign-in (a change is audited). */
    isOrgAdmin: { type: Boolean, default: false },
    /** Meent profile fields, edited by the member. */
    profile: {
      organisation: { type: String, maxlength: 200 },
      function: { type: String, maxlength: 200 },
      expertise: { type: [String], default: [] },
      interests: { type: [String], default: [] },
      askMeAbout: { type: String, maxlength: 1000 },
      languages: { type: [String], default: [] },
    },
    /** Preferred UI language (`nl` or `en`), when known. */
    locale: { type: String, maxlength: 10 },
    /** When Graph was last asked for this profile (lazy refresh). */
    graphSyncedAt: { type: Date },
    lastSeenAt: { type: Date },
    /** When the person first signed in (a record may exist before: seeded, or invited by e-mail). */
    firstSignInAt: { type: Date },
  },
  {
    timestamps: true,
  },
);
userSchema.plugin(toJsonPlugin, { id: { from: 'userId' } });
userSchema.index({ tenantId: 1, userId: 1 }, { unique: true });
userSchema.index({ tenantId: 1, mail: 1 });
userSchema.index({ tenantId: 1, 'profile.expertise': 1 });

export type UserRecord = InferSchemaType<typeof userSchema> & { _id: mongoose.Types.ObjectId };

// The directory and search read a tenant's people through the read cache (people.service.ts).
versionStamped(userSchema, stampedByTenant('User', stampScope.tenantPeople));
export const UserModel = mongoose.model('User', userSchema);
