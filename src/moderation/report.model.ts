/**
 * A report of a discussion, reply or person, by one person, with a reason. One report per
 * person and target (unique index), so "N distinct reports" is a count of documents.
 */
import mongoose, { Schema, type InferSchemaType } from 'mongoose';
import { toJsonPlugin } from '../db/to-json-plugin.js';

export const REPORT_TARGETS = ['discussion', 'reply', 'person'] as const;
export type ReportTarget = (typeof REPORT_TARGETS)[number];
export const REPORT_REASONS = ['spam', 'abuse', 'other'] as const;
export const REPORT_STATUSES = ['open', 'resolved', 'dismissed'] as const;
export type ReportStatus = (typeof REPORT_STATUSES)[number];

const reportSchema = new Schema(
  {
    tenantId: { type: String, required: true, maxlength: 64 },
    /** The community whose managers handle it; absent for a person reported outside any community (admins handle those). */
    communityId: { type: Schema.Types.ObjectId },
    targetType: { type: String, enum: REPORT_TARGETS, required: true },
    /** An ObjectId in hex, or a user id for people. */
    targetId: { type: String, required: true, maxlength: 64 },
    /** Whose content it is (or the person reported). */
    targetAuthorId: { type: String, maxlength: 64 },
    reporterId: { type: String, required: true, maxlength: 64 },
    reason: { type: String, enum: REPORT_REASONS, required: true },
    text: { type: String, maxlength: 1000 },
    status: { type: String, enum: REPORT_STATUSES, default: 'open' },
    resolvedBy: { type: String, maxlength: 64 },
    resolvedAt: { type: Date },
  },
  {
    timestamps: true,
  },
);
reportSchema.plugin(toJsonPlugin);
reportSchema.index({ targetType: 1, targetId: 1, reporterId: 1 }, { unique: true });
reportSchema.index({ tenantId: 1, status: 1, createdAt: -1, _id: -1 });
reportSchema.index({ communityId: 1, status: 1 });

export type ReportRecord = InferSchemaType<typeof reportSchema> & {
  _id: mongoose.Types.ObjectId;
  targetType: ReportTarget;
  status: ReportStatus;
  createdAt: Date;
  updatedAt: Date;
};

export const ReportModel = mongoose.model('Report', reportSchema);
