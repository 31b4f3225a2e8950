/**
 * The moderation capability's store: reports. Only this file touches the report model;
 * a report's status changes under its lock key, so two moderators resolving one report at
 * once on FerretDB leave one outcome.
 */
import mongoose, { type Model, type Types } from 'mongoose';
import { atomicUpdate } from '../db/atomic-update.js';
import { isDuplicateKeyError } from '../db/mongo-errors.js';
import { findPage, type Page } from '../db/pagination.js';
import { ReportModel, type ReportRecord } from './report.model.js';

export type { ReportRecord };

type NewReport = Pick<ReportRecord, 'tenantId' | 'targetType' | 'targetId' | 'reporterId' | 'reason'> & Partial<Pick<ReportRecord, 'communityId' | 'targetAuthorId' | 'text'>>;

const reportKey = (id: Types.ObjectId) => `reports:${String(id)}`;

/** Files the report; a person reports a target once, so a repeat answers the existing report (`created: false`). */
export async function fileReport(doc: NewReport): Promise<{ report: ReportRecord; created: boolean }> {
  try {
    return { report: (await ReportModel.create(doc)).toObject() as ReportRecord, created: true };
  } catch (err) {
    if (!isDuplicateKeyError(err)) throw err;
    const existing = await ReportModel.findOne({ targetType: doc.targetType, targetId: doc.targetId, reporterId: doc.reporterId }).lean<ReportRecord>();
    if (!existing) throw err;
    return { report: existing, created: false };
  }
}

export function findReportInTenant(tenantId: string, id: Types.ObjectId): Promise<ReportRecord | null> {
  return ReportModel.findOne({ _id: id, tenantId }).lean<ReportRecord>().exec();
}

/** One page of the tenant's reports in this status, of these communities (all when absent). */
export function reportPage(tenantId: string, status: ReportRecord['status'], communities: Types.ObjectId[] | undefined, page: { cursor?: string; limit?: number }): Promise<Page<ReportRecord>> {
  return findPage(ReportModel as unknown as Model<ReportRecord>, {
    filter: { tenantId, status, ...(communities ? { communityId: communities.length === 1 ? communities[0] : mongoose.trusted({ $in: communities }) } : {}) },
    ...page,
  });
}

/** Closes the report (resolved or dismissed) by this moderator; the report after. */
export async function closeReport(id: Types.ObjectId, status: 'resolved' | 'dismissed', by: string, at: Date): Promise<ReportRecord | null> {
  return (await atomicUpdate(ReportModel, { _id: id }, { $set: { status, resolvedBy: by, resolvedAt: at } }, { lockKey: reportKey(id) })) as ReportRecord | null;
}

/** Dismisses every open report of the target (it was unhidden: the count starts again). */
export async function dismissOpenReports(targetType: ReportRecord['targetType'], targetId: string, by: string, at: Date): Promise<void> {
  await ReportModel.updateMany({ targetType, targetId, status: 'open' }, { $set: { status: 'dismissed', resolvedBy: by, resolvedAt: at } });
}

/** How many open reports the target has. */
export function openReportCount(targetType: ReportRecord['targetType'], targetId: string): Promise<number> {
  return ReportModel.countDocuments({ targetType, targetId, status: 'open' }).exec();
}

/** Removes the reports of a deleted community. */
export async function deleteReportsOfCommunity(communityId: Types.ObjectId): Promise<void> {
  await ReportModel.deleteMany({ communityId });
}
