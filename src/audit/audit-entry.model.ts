/**
 * One entry of the audit log: who did what to whom, when, and from where. Denied requests
 * are aggregated (one entry per tenant, reason, address and five minutes, with a `count`),
 * so that a flood of forged tokens cannot flood the log. Never holds a token or a body.
 */
import mongoose, { Schema, type InferSchemaType } from 'mongoose';
import { toJsonPlugin } from '../db/to-json-plugin.js';

const auditEntrySchema = new Schema(
  {
    tenantId: { type: String, required: true, maxlength: 64 },
    /** e.g. `user.first_sign_in`, `access.denied`, `role.changed`, `community.role_changed`. */
    kind: { type: String, required: true, maxlength: 64 },
    /** Who acted (a verified user id), when known. */
    actorId: { type: String, maxlength: 64 },
    /** Whom or what the entry is about. */
    subjectId: { type: String, maxlength: 128 },
    reason: { type: String, maxlength: 64 },
    ip: { type: String, maxlength: 64 },
    method: { type: String, maxlength: 10 },
    path: { type: String, maxlength: 200 },
    details: { type: Schema.Types.Mixed },
    /** How many occurrences this entry stands for (aggregated denials). */
    count: { type: Number, default: 1, min: 1 },
    lastAt: { type: Date },
    /** Unique per entry; the same for the occurrences of one aggregated denial. */
    aggregationKey: { type: String, required: true, maxlength: 128 },
  },
  {
    timestamps: true,
    minimize: true,
  },
);
auditEntrySchema.plugin(toJsonPlugin, { hide: ['aggregationKey'] });
auditEntrySchema.index({ aggregationKey: 1 }, { unique: true });
auditEntrySchema.index({ tenantId: 1, createdAt: -1, _id: -1 });
auditEntrySchema.index({ tenantId: 1, kind: 1, createdAt: -1 });

export type AuditEntryRecord = InferSchemaType<typeof auditEntrySchema> & { _id: mongoose.Types.ObjectId; createdAt: Date; updatedAt: Date };

export const AuditEntryModel = mongoose.model('AuditEntry', auditEntrySchema, 'audit_entries');
