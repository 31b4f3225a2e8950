/**
 * A person's relation to a community: an active member (role `member` or `manager`), a
 * pending request to join, a pending invitation, or blocked by a manager. One document per
 * (community, person), enforced by a unique index, so concurrent joins cannot create two.
 */
import mongoose, { Schema, type InferSchemaType } from 'mongoose';
import { versionStamped } from '../db/read-cache.js';
import { stampedMembership } from '../db/read-scopes.js';
import { toJsonPlugin } from '../db/to-json-plugin.js';

export const MEMBERSHIP_ROLES = ['manager', 'member'] as const;
export type MembershipRole = (typeof MEMBERSHIP_ROLES)[number];
export const MEMBERSHIP_STATUSES = ['active', 'requested', 'invited', 'blocked'] as const;
export type MembershipStatus = (typeof MEMBERSHIP_STATUSES)[number];

const membershipSchema = new Schema(
  {
    tenantId: { type: String, required: true, maxlength: 64 },
    communityId: { type: Schema.Types.ObjectId, required: true },
    /** Entra object id (`oid`) of the person. */
    userId: { type: String, required: true, maxlength: 64 },
    role: { type: String, enum: MEMBERSHIP_ROLES, required: true, default: 'member' },
    status: { type: String, enum: MEMBERSHIP_STATUSES, required: true },
    /** The message with a request to join, or with an invitation. */
    message: { type: String, maxlength: 1000 },
    invitedBy: { type: String, maxlength: 64 },
    /** Whether the person is a guest (copied at join time, for the guest rules and CSV export). */
    isGuest: { type: Boolean, default: false },
    /** When the membership became active. */
    joinedAt: { type: Date },
    /** Who blocked, when blocked. */
    blockedBy: { type: String, maxlength: 64 },
  },
  {
    timestamps: true,
  },
);
membershipSchema.plugin(toJsonPlugin);
membershipSchema.index({ communityId: 1, userId: 1 }, { unique: true });
membershipSchema.index({ tenantId: 1, userId: 1, status: 1 });
membershipSchema.index({ communityId: 1, status: 1, createdAt: -1, _id: -1 });

export type MembershipRecord = InferSchemaType<typeof membershipSchema> & {
  _id: mongoose.Types.ObjectId;
  role: MembershipRole;
  status: MembershipStatus;
  createdAt: Date;
  updatedAt: Date;
};

// Writes move the read caches' stamps (read-cache.ts).
versionStamped(membershipSchema, stampedMembership('Membership'));
export const MembershipModel = mongoose.model('Membership', membershipSchema);
