/**
 * The consultations store: the only module that reads or writes the consultation models.
 * Writes to a consultation document go through `atomicUpdate` (guarded, serialised on
 * FerretDB); a tally shard's `$inc` runs under that shard's lock on FerretDB, where
 * concurrent updates of one document are not atomic (src/db/store-capabilities.ts).
 */
import { randomBytes, randomInt } from 'node:crypto';
import mongoose, { Types, type QueryFilter } from 'mongoose';
import { atomicUpdate } from '../db/atomic-update.js';
import { documentLocks } from '../db/document-lock.js';
import { isDuplicateKeyError, upsertRetryingRace } from '../db/mongo-errors.js';
import { storeCapabilities } from '../db/store-capabilities.js';
import { ConsultationModel, type ConsultationRecord } from './consultation.model.js';
import {
  ConsultationAnswerModel,
  ConsultationResponderModel,
  ConsultationTallyModel,
  type AnswerRecord,
  type ResponderRecord,
  type StoredAnswer,
  type TallyRecord,
} from './consultation-response.model.js';

export type { AnswerRecord, ConsultationRecord, ResponderRecord, TallyRecord };
export type ConsultationUpdate = NonNullable<Parameters<typeof ConsultationModel.updateOne>[1]>;

/**
 * Tally documents per consultation: concurrent answers spread over them. On FerretDB every
 * `$inc` holds its shard's lock (a lease taken and released: three round trips), so answers
 * that pick one shard wait for each other; 16 shards and picking one that no request of this
 * process is writing keep 50 clients from queueing (bench/consultations.ts). Results read 16
 * small documents.
 */
export const TALLY_SHARDS = 16;

/** The shards this process is writing now (per consultation), to pick another. */
const shardsInUse = new Map<string, Map<number, number>>();

function pickShard(consultationId: string): number {
  const inUse = shardsInUse.get(consultationId);
  if (!inUse || inUse.size === 0) return randomInt(TALLY_SHARDS);
  const idle = Array.from({ length: TALLY_SHARDS }, (_, i) => i).filter((i) => !inUse.has(i));
  return idle.length > 0 ? idle[randomInt(idle.length)]! : randomInt(TALLY_SHARDS);
}

async function usingShard<T>(consultationId: string, shard: number, work: () => Promise<T>): Promise<T> {
  let inUse = shardsInUse.get(consultationId);
  if (!inUse) shardsInUse.set(consultationId, (inUse = new Map()));
  inUse.set(shard, (inUse.get(shard) ?? 0) + 1);
  try {
    return await work();
  } finally {
    const left = (inUse.get(shard) ?? 1) - 1;
    if (left > 0) inUse.set(shard, left);
    else inUse.delete(shard);
    if (inUse.size === 0) shardsInUse.delete(consultationId);
  }
}

/** A random id (128 bits, base64url): says nothing about time or order. */
export function randomId(): string {
  return randomBytes(16).toString('base64url');
}

export async function createConsultation(fields: Record<string, unknown>): Promise<ConsultationRecord> {
  const created = await ConsultationModel.create(fields);
  return created.toObject() as ConsultationRecord;
}

export async function findConsultation(id: Types.ObjectId | string): Promise<ConsultationRecord | null> {
  return ConsultationModel.findOne({ _id: id }).lean<ConsultationRecord>().exec();
}

export async function findConsultationInTenant(tenantId: string, id: Types.ObjectId): Promise<ConsultationRecord | null> {
  return ConsultationModel.findOne({ _id: id, tenantId }).lean<ConsultationRecord>().exec();
}

/** A guarded update of one consultation (null when the guard no longer holds). */
export async function updateConsultation(id: Types.ObjectId, guard: Record<string, unknown>, update: ConsultationUpdate): Promise<ConsultationRecord | null> {
  return (await atomicUpdate(ConsultationModel, { _id: id, ...guard }, update)) as ConsultationRecord | null;
}

/** A page of consultations matching the service's filter (built from trusted operators), newest first. */
export async function findConsultations(filter: QueryFilter<ConsultationRecord>, limit: number): Promise<ConsultationRecord[]> {
  return ConsultationModel.find(filter).sort({ createdAt: -1, _id: -1 }).limit(limit).lean<ConsultationRecord[]>().exec();
}

export async function findConsultationTitled(tenantId: string, communityId: Types.ObjectId, title: string): Promise<ConsultationRecord | null> {
  return ConsultationModel.findOne({ tenantId, communityId, title }).lean<ConsultationRecord>().exec();
}

/** Open consultations, for the worker (announcements, reminders, closing). */
export async function openConsultations(limit = 500): Promise<ConsultationRecord[]> {
  return ConsultationModel.find({ status: 'open' }).sort({ _id: 1 }).limit(limit).lean<ConsultationRecord[]>().exec();
}

export async function consultationsCreatedBy(tenantId: string, userId: string): Promise<ConsultationRecord[]> {
  return ConsultationModel.find({ tenantId, createdBy: userId }).lean<ConsultationRecord[]>().exec();
}

export async function consultationsConcludedBy(tenantId: string, userId: string): Promise<ConsultationRecord[]> {
  return ConsultationModel.find({ tenantId, 'conclusion.authorId': userId }).lean<ConsultationRecord[]>().exec();
}

/**
 * Consultations (not drafts) that were open at some moment of [from, to): opened before `to`
 * (`opensAt`, or when created where it opened at once) and not closed before `from`. At most
 * `limit`, the newest first; `communityIds` null is every community of the tenant.
 */
export async function consultationsOpenDuring(tenantId: string, communityIds: readonly Types.ObjectId[] | null, from: Date, to: Date, limit: number): Promise<ConsultationRecord[]> {
  return ConsultationModel.find({
    tenantId,
    status: mongoose.trusted({ $in: ['open', 'closed'] }),
    ...(communityIds ? { communityId: mongoose.trusted({ $in: communityIds }) } : {}),
    $and: [
      { $or: [{ opensAt: mongoose.trusted({ $lt: to }) }, { opensAt: null, createdAt: mongoose.trusted({ $lt: to }) }] },
      { $or: [{ closedAt: mongoose.trusted({ $gte: from }) }, { closedAt: null, closesAt: null }, { closedAt: null, closesAt: mongoose.trusted({ $gte: from }) }] },
    ],
  })
    .sort({ createdAt: -1, _id: -1 })
    .limit(limit)
    .lean<ConsultationRecord[]>()
    .exec();
}

export async function consultationsClosedBefore(tenantId: string, before: Date, limit: number): Promise<ConsultationRecord[]> {
  return ConsultationModel.find({ tenantId, status: 'closed', rawResponsesPurged: false, closedAt: mongoose.trusted({ $lt: before }) })
    .sort({ closedAt: 1, _id: 1 })
    .limit(limit)
    .lean<ConsultationRecord[]>()
    .exec();
}

export async function deleteConsultationsOfCommunity(communityId: Types.ObjectId): Promise<void> {
  const ids = (await ConsultationModel.find({ communityId }).select({ _id: 1 }).lean<{ _id: Types.ObjectId }[]>()).map((c) => c._id);
  if (ids.length === 0) return;
  const inIds = { consultationId: mongoose.trusted({ $in: ids }) };
  await Promise.all([ConsultationResponderModel.deleteMany(inIds), ConsultationAnswerModel.deleteMany(inIds), ConsultationTallyModel.deleteMany(inIds)]);
  await ConsultationModel.deleteMany({ communityId });
}

// ---- who has responded ----

export function responderId(consultationId: Types.ObjectId | string, userId: string): string {
  return `${String(consultationId)}:${userId}`;
}

/** Records that the person responded; false when they already had (the unique `_id`). */
export async function insertResponder(record: ResponderRecord): Promise<boolean> {
  try {
    await ConsultationResponderModel.collection.insertOne(record as never);
    return true;
  } catch (err) {
    if ((err as { code?: unknown }).code === 11000) return false;
    throw err;
  }
}

export async function findResponder(consultationId: Types.ObjectId, userId: string): Promise<ResponderRecord | null> {
  return ConsultationResponderModel.findOne({ _id: responderId(consultationId, userId) }).lean<ResponderRecord>().exec();
}

export async function deleteResponder(consultationId: Types.ObjectId, userId: string): Promise<boolean> {
  return (await ConsultationResponderModel.deleteOne({ _id: responderId(consultationId, userId) })).deletedCount === 1;
}

/** Which of these people responded. */
export async function respondedAmong(consultationId: Types.ObjectId, userIds: readonly string[]): Promise<Set<string>> {
  if (userIds.length === 0) return new Set();
  const rows = await ConsultationResponderModel.find({ _id: mongoose.trusted({ $in: userIds.map((u) => responderId(consultationId, u)) }) })
    .select({ userId: 1 })
    .lean<{ userId: string }[]>();
  return new Set(rows.map((r) => r.userId));
}

export async function respondersOf(consultationId: Types.ObjectId): Promise<ResponderRecord[]> {
  return ConsultationResponderModel.find({ consultationId }).lean<ResponderRecord[]>().exec();
}

export async function responderRecordsOfPerson(tenantId: string, userId: string): Promise<ResponderRecord[]> {
  return ConsultationResponderModel.find({ tenantId, userId }).lean<ResponderRecord[]>().exec();
}

/** The ids of the consultations (among these) the person responded to. */
export async function respondedConsultations(userId: string, consultationIds: readonly Types.ObjectId[]): Promise<Set<string>> {
  if (consultationIds.length === 0) return new Set();
  const rows = await ConsultationResponderModel.find({ _id: mongoose.trusted({ $in: consultationIds.map((c) => responderId(c, userId)) }) })
    .select({ consultationId: 1 })
    .lean<{ consultationId: Types.ObjectId }[]>();
  return new Set(rows.map((r) => String(r.consultationId)));
}

// ---- answers ----

/** The named answer's id: one per person by construction. */
export function namedAnswerId(consultationId: Types.ObjectId | string, userId: string): string {
  return `n:${String(consultationId)}:${userId}`;
}

export function newAnswerOrder(): string {
  // 12 random bytes as hex: a sort key without meaning; ties are broken by the (random) _id.
  return randomBytes(12).toString('hex');
}

export async function insertAnswer(record: AnswerRecord): Promise<void> {
  await ConsultationAnswerModel.collection.insertOne(record as never);
}

export async function findAnswer(id: string): Promise<AnswerRecord | null> {
  return ConsultationAnswerModel.findOne({ _id: id }).lean<AnswerRecord>().exec();
}

export async function findAnswerByKey(consultationId: Types.ObjectId, keyHash: string): Promise<AnswerRecord | null> {
  return ConsultationAnswerModel.findOne({ consultationId, keyHash }).lean<AnswerRecord>().exec();
}

export async function deleteAnswer(id: string): Promise<boolean> {
  return (await ConsultationAnswerModel.deleteOne({ _id: id })).deletedCount === 1;
}

/**
 * Replaces an answer's content if it is still at revision `rev` (the revision the caller read,
 * whose content it subtracts from the tallies); false when another replacement came first.
 */
export async function replaceAnswer(id: string, rev: number, answers: StoredAnswer[], textQuestions: string[]): Promise<boolean> {
  const after = await atomicUpdate(ConsultationAnswerModel as unknown as mongoose.Model<AnswerRecord>, { _id: id, rev }, { $set: { answers, textQuestions }, $inc: { rev: 1 } }, { lockKey: `ConsultationAnswer:${id}` });
  return after !== null;
}

/** A page of text answers to a question, in the answers' random order. */
export async function textAnswersPage(consultationId: Types.ObjectId, questionId: string, after: { order: string; id: string } | null, limit: number): Promise<AnswerRecord[]> {
  const filter: Record<string, unknown> = { consultationId, textQuestions: questionId };
  if (after) filter.$or = [{ order: mongoose.trusted({ $gt: after.order }) }, { order: after.order, _id: mongoose.trusted({ $gt: after.id }) }];
  return ConsultationAnswerModel.find(filter).sort({ order: 1, _id: 1 }).limit(limit).lean<AnswerRecord[]>().exec();
}

/** Every answer of the consultation in the random order (exports), in batches. */
export async function* answersInOrder(consultationId: Types.ObjectId, batch = 1000): AsyncGenerator<AnswerRecord> {
  let after: { order: string; id: string } | null = null;
  for (;;) {
    const filter: Record<string, unknown> = { consultationId };
    if (after) filter.$or = [{ order: mongoose.trusted({ $gt: after.order }) }, { order: after.order, _id: mongoose.trusted({ $gt: after.id }) }];
    const rows = await ConsultationAnswerModel.find(filter).sort({ order: 1, _id: 1 }).limit(batch).lean<AnswerRecord[]>().exec();
    for (const r of rows) yield r;
    if (rows.length < batch) return;
    const last = rows[rows.length - 1]!;
    after = { order: last.order, id: last._id };
  }
}

export async function namedAnswersOfPerson(tenantId: string, userId: string): Promise<AnswerRecord[]> {
  return ConsultationAnswerModel.find({ tenantId, userId }).lean<AnswerRecord[]>().exec();
}

export async function deleteAnswersOf(consultationId: Types.ObjectId): Promise<number> {
  return (await ConsultationAnswerModel.deleteMany({ consultationId })).deletedCount;
}

// ---- tallies ----

/**
 * Adds `inc` to one tally shard of the consultation (one this process is not writing, when
 * there is one); false when the shard is sealed (the consultation closed, `sealTallies`) and
 * nothing was added. The tally write is an answer's commit point: an answer whose tally is
 * refused is undone by its caller. Erasure (`evenSealed`) still subtracts from sealed tallies.
 */
export async function addToTally(
  tenantId: string,
  consultationId: Types.ObjectId,
  inc: Record<string, number>,
  options: { shard?: number; evenSealed?: boolean } = {},
): Promise<boolean> {
  if (Object.keys(inc).length === 0) return true;
  const shard = options.shard ?? pickShard(String(consultationId));
  const id = `${String(consultationId)}:${shard}`;
  const filter = options.evenSealed ? { _id: id } : { _id: id, sealed: mongoose.trusted({ $ne: true }) };
  const run = () => upsertRetryingRace(() => ConsultationTallyModel.collection.updateOne(filter as never, { $inc: inc, $setOnInsert: { tenantId, consultationId } }, { upsert: true }));
  try {
    await usingShard(String(consultationId), shard, async () => {
      if (!storeCapabilities().needsWriteSerialisation) await run();
      else await documentLocks.withLock(`ConsultationTally:${id}`, run);
    });
    return true;
  } catch (err) {
    // A sealed shard does not match the filter, and the upsert's insert meets its `_id`.
    if (isDuplicateKeyError(err)) return false;
    throw err;
  }
}

/**
 * Seals every tally shard of the consultation: each shard under its own lock, so an `$inc`
 * in flight on it finishes first and none lands after. When this returns, the tallies (and
 * so results and respondents) are final.
 */
export async function sealTallies(tenantId: string, consultationId: Types.ObjectId): Promise<void> {
  await Promise.all(
    Array.from({ length: TALLY_SHARDS }, async (_, shard) => {
      const id = `${String(consultationId)}:${shard}`;
      const run = () => upsertRetryingRace(() => ConsultationTallyModel.collection.updateOne({ _id: id as never }, { $set: { sealed: true }, $setOnInsert: { tenantId, consultationId } }, { upsert: true }));
      if (!storeCapabilities().needsWriteSerialisation) await run();
      else await documentLocks.withLock(`ConsultationTally:${id}`, run);
    }),
  );
}

export async function talliesOf(consultationId: Types.ObjectId): Promise<TallyRecord[]> {
  return ConsultationTallyModel.find({ consultationId }).lean<TallyRecord[]>().exec();
}

/** Tallies of many consultations at once (lists show their respondents). */
export async function talliesOfMany(consultationIds: readonly Types.ObjectId[]): Promise<TallyRecord[]> {
  if (consultationIds.length === 0) return [];
  return ConsultationTallyModel.find({ consultationId: mongoose.trusted({ $in: [...consultationIds] }) })
    .select({ consultationId: 1, 'g.members.n': 1, 'g.guests.n': 1 })
    .lean<TallyRecord[]>()
    .exec();
}
