/** Reads and writes of attachments, Meent's sharing grants and uploads in progress (the only file that imports their models). */
import mongoose, { type Types } from 'mongoose';
import { atomicUpdate } from '../db/atomic-update.js';
import { AttachmentGrantModel, type GrantKind, type GrantRecord } from './attachment-grant.model.js';
import { AttachmentModel, type AttachmentRecord, type AttachmentTarget } from './attachment.model.js';
import { AttachmentUploadModel, type UploadRecord } from './attachment-upload.model.js';

export type { AttachmentRecord, GrantRecord, UploadRecord };

export interface ItemKey {
  driveId: string;
  itemId: string;
}

// ---- attachments ----

export async function insertAttachments(docs: Record<string, unknown>[]): Promise<AttachmentRecord[]> {
  if (docs.length === 0) return [];
  const inserted = await AttachmentModel.insertMany(docs);
  return AttachmentModel.find({ _id: mongoose.trusted({ $in: inserted.map((d) => d._id) }) }).sort({ position: 1 }).lean<AttachmentRecord[]>();
}

export async function attachmentsOf(targetType: AttachmentTarget, targetIds: Types.ObjectId[]): Promise<AttachmentRecord[]> {
  if (targetIds.length === 0) return [];
  return AttachmentModel.find({ targetType, targetId: mongoose.trusted({ $in: targetIds }) }).sort({ targetId: 1, position: 1 }).lean<AttachmentRecord[]>();
}

export async function attachmentById(tenantId: string, id: Types.ObjectId): Promise<AttachmentRecord | null> {
  return AttachmentModel.findOne({ _id: id, tenantId }).lean<AttachmentRecord>();
}

export async function attachmentsOfItem(item: ItemKey): Promise<AttachmentRecord[]> {
  return AttachmentModel.find({ driveId: item.driveId, itemId: item.itemId }).lean<AttachmentRecord[]>();
}

/** The distinct items attached in a community (or under a post). */
export async function itemsWhere(filter: { communityId?: Types.ObjectId; targetType?: AttachmentTarget; targetId?: Types.ObjectId; discussionId?: Types.ObjectId }): Promise<ItemKey[]> {
  const docs = await AttachmentModel.find(filter).select({ driveId: 1, itemId: 1 }).lean<{ driveId: string; itemId: string }[]>();
  return uniqueItems(docs);
}

/** The distinct items attached to organisation-wide events of a tenant (events outside any community). */
export async function itemsOfOrganisationEvents(tenantId: string): Promise<ItemKey[]> {
  const docs = await AttachmentModel.find({ tenantId, communityId: null, targetType: 'event' }).select({ driveId: 1, itemId: 1 }).lean<{ driveId: string; itemId: string }[]>();
  return uniqueItems(docs);
}

export async function deleteAttachmentsWhere(filter: { targetType?: AttachmentTarget; targetId?: Types.ObjectId; discussionId?: Types.ObjectId; communityId?: Types.ObjectId; _id?: Types.ObjectId }): Promise<ItemKey[]> {
  const docs = await AttachmentModel.find(filter).select({ driveId: 1, itemId: 1 }).lean<{ driveId: string; itemId: string }[]>();
  if (docs.length > 0) await AttachmentModel.deleteMany(filter);
  return uniqueItems(docs);
}

export async function deleteAttachmentIds(ids: Types.ObjectId[]): Promise<void> {
  if (ids.length > 0) await AttachmentModel.deleteMany({ _id: mongoose.trusted({ $in: ids }) });
}

export async function markItem(item: ItemKey, set: Record<string, unknown>): Promise<void> {
  await AttachmentModel.updateMany({ driveId: item.driveId, itemId: item.itemId }, { $set: set });
}

/** Items checked longest ago first (the reconciliation's batch). */
export async function itemsDueForCheck(limit: number): Promise<ItemKey[]> {
  const docs = await AttachmentModel.find({}).sort({ checkedAt: 1, _id: 1 }).limit(limit * 4).select({ driveId: 1, itemId: 1 }).lean<{ driveId: string; itemId: string }[]>();
  return uniqueItems(docs).slice(0, limit);
}

export async function attachmentsByAuthor(tenantId: string, authorId: string, afterId: Types.ObjectId | null, limit: number): Promise<AttachmentRecord[]> {
  return AttachmentModel.find({ tenantId, authorId, ...(afterId ? { _id: mongoose.trusted({ $gt: afterId }) } : {}) })
    .sort({ _id: 1 })
    .limit(limit)
    .lean<AttachmentRecord[]>();
}

export async function countAttachmentsByAuthor(tenantId: string, authorId: string): Promise<number> {
  return AttachmentModel.countDocuments({ tenantId, authorId });
}

export async function scrubAuthor(tenantId: string, authorId: string, replacement: { authorId: string; authorName: string }): Promise<void> {
  await AttachmentModel.updateMany({ tenantId, authorId }, { $set: replacement });
}

// ---- grants ----

export async function grantsOfItem(item: ItemKey): Promise<GrantRecord[]> {
  return AttachmentGrantModel.find({ driveId: item.driveId, itemId: item.itemId }).lean<GrantRecord[]>();
}

export async function recordGrant(fields: { tenantId: string; communityId: Types.ObjectId | null; driveId: string; itemId: string; kind: GrantKind; userId: string; permissionId: string }): Promise<void> {
  await AttachmentGrantModel.updateOne(
    { driveId: fields.driveId, itemId: fields.itemId, kind: fields.kind, userId: fields.userId },
    { $set: { permissionId: fields.permissionId, communityId: fields.communityId }, $setOnInsert: { tenantId: fields.tenantId } },
    { upsert: true },
  );
}

export async function deleteGrant(id: Types.ObjectId): Promise<void> {
  await AttachmentGrantModel.deleteOne({ _id: id });
}

export async function grantsOfPerson(tenantId: string, userId: string): Promise<GrantRecord[]> {
  return AttachmentGrantModel.find({ tenantId, userId }).lean<GrantRecord[]>();
}

export async function deleteGrantsOfPerson(tenantId: string, userId: string): Promise<void> {
  await AttachmentGrantModel.deleteMany({ tenantId, userId });
}

// ---- uploads ----

export async function createUpload(fields: Record<string, unknown>): Promise<UploadRecord> {
  return (await AttachmentUploadModel.create(fields)).toObject() as UploadRecord;
}

export async function uploadOf(tenantId: string, userId: string, id: Types.ObjectId): Promise<UploadRecord | null> {
  return AttachmentUploadModel.findOne({ _id: id, tenantId, userId }).lean<UploadRecord>();
}

/** Takes one fragment from the allowance of the person's upload in progress; false when there is none to take. */
export async function takeUploadFragment(tenantId: string, userId: string, id: Types.ObjectId, now: Date): Promise<boolean> {
  const taken = await AttachmentUploadModel.updateOne(
    { _id: id, tenantId, userId, status: 'uploading', expiresAt: mongoose.trusted({ $gt: now }), fragmentsLeft: mongoose.trusted({ $gt: 0 }) },
    { $inc: { fragmentsLeft: -1 } },
  );
  return taken.modifiedCount === 1;
}

/** Moves the upload on from `from` (a guard: two requests for the same fragment cannot both move it). */
export async function advanceUpload(id: Types.ObjectId, from: number, set: Record<string, unknown>): Promise<UploadRecord | null> {
  return (await atomicUpdate(AttachmentUploadModel as unknown as mongoose.Model<UploadRecord>, { _id: id, nextOffset: from, status: 'uploading' }, { $set: set })) as UploadRecord | null;
}

export async function completedUploadOf(tenantId: string, userId: string, item: ItemKey): Promise<UploadRecord | null> {
  return AttachmentUploadModel.findOne({ tenantId, userId, driveId: item.driveId, itemId: item.itemId, status: 'complete' }).lean<UploadRecord>();
}

/** Whether Meent holds the item already: attached to a post, or made by another upload. */
export async function itemClaimed(item: ItemKey, exceptUpload: Types.ObjectId): Promise<boolean> {
  if (await AttachmentModel.exists({ driveId: item.driveId, itemId: item.itemId })) return true;
  return (await AttachmentUploadModel.exists({ driveId: item.driveId, itemId: item.itemId, _id: mongoose.trusted({ $ne: exceptUpload }) })) !== null;
}

export async function deleteUpload(id: Types.ObjectId): Promise<void> {
  await AttachmentUploadModel.deleteOne({ _id: id });
}

export async function uploadsOfPerson(tenantId: string, userId: string): Promise<UploadRecord[]> {
  return AttachmentUploadModel.find({ tenantId, userId }).lean<UploadRecord[]>();
}

export async function deleteUploadsOfPerson(tenantId: string, userId: string): Promise<void> {
  await AttachmentUploadModel.deleteMany({ tenantId, userId });
}

export async function deleteExpiredUploads(now: Date, limit: number): Promise<number> {
  const ids = (await AttachmentUploadModel.find({ expiresAt: mongoose.trusted({ $lt: now }) }).limit(limit).select({ _id: 1 }).lean<{ _id: Types.ObjectId }[]>()).map((d) => d._id);
  if (ids.length > 0) await AttachmentUploadModel.deleteMany({ _id: mongoose.trusted({ $in: ids }) });
  return ids.length;
}

function uniqueItems(docs: { driveId: string; itemId: string }[]): ItemKey[] {
  const seen = new Map<string, ItemKey>();
  for (const d of docs) seen.set(`${d.driveId}\u0000${d.itemId}`, { driveId: d.driveId, itemId: d.itemId });
  return [...seen.values()];
}
