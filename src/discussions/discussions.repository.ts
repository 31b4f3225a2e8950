/**
 * The discussions store: the only module that reads or writes the discussions capability's
 * models (discussions, replies, reactions, follows, read markers, community activity).
 * A discussion or reply that may be written concurrently (counters, status, acceptance,
 * hiding) is changed only through `updateDiscussion` / `updateReply`, one guarded
 * `atomicUpdate` under the document's lock key, so the FerretDB workaround is not left to
 * each caller. Reactions and follows are single documents under a unique index (inserted
 * or deleted whole); read markers only ever rise (`$max`). Activity entries
 * and the tags copied onto replies are denormalised copies, rewritten in bulk.
 */
import { findByIds } from '../db/find-by-ids.js';
import mongoose, { type Types } from 'mongoose';
import { atomicUpdate } from '../db/atomic-update.js';
import { isDuplicateKeyError, upsertRetryingRace } from '../db/mongo-errors.js';
import { ActivityModel, type ActivityRecord } from './activity.model.js';
import { DiscussionModel, type DiscussionRecord, type ReactionKind } from './discussion.model.js';
import { FollowModel, type FollowRecord } from './follow.model.js';
import { ReactionModel, type ReactionRecord } from './reaction.model.js';
import { ReadMarkerModel, type ReadMarkerRecord } from './read-marker.model.js';
import { ReplyModel, type ReplyRecord } from './reply.model.js';

/** Where a reaction or a report points. */
export type ContentTarget = 'discussion' | 'reply';

/** An update of a discussion or reply document (operators such as `$set`, `$inc`, `$push`). */
export type DiscussionUpdate = NonNullable<Parameters<typeof DiscussionModel.updateOne>[1]>;
export type ReplyUpdate = NonNullable<Parameters<typeof ReplyModel.updateOne>[1]>;

/**
 * What a list leaves out of each discussion: the body (Markdown and HTML), the conclusion,
 * the edit history and the mentions, which only the discussion's own page shows and which
 * make up most of its bytes. FerretDB still reads whole documents, but sends and the driver
 * decodes only the rest.
 */
const SUMMARY_PROJECTION = { body: 0, conclusion: 0, history: 0, mentions: 0 } as const;

// ---- discussions ----

export async function createDiscussion(fields: Record<string, unknown>): Promise<DiscussionRecord> {
  return (await DiscussionModel.create(fields)).toObject() as DiscussionRecord;
}

export async function findDiscussion(discussionId: Types.ObjectId | string): Promise<DiscussionRecord | null> {
  return DiscussionModel.findOne({ _id: discussionId }).lean<DiscussionRecord>();
}

export async function findDiscussionInTenant(tenantId: string, discussionId: Types.ObjectId | string): Promise<DiscussionRecord | null> {
  return DiscussionModel.findOne({ _id: discussionId, tenantId }).lean<DiscussionRecord>();
}

/** The tenant's discussions with these ids that are not hidden: id, community and title only. */
export async function findShownDiscussions(tenantId: string, ids: Types.ObjectId[]): Promise<Pick<DiscussionRecord, '_id' | 'communityId' | 'title'>[]> {
  const found = await findByIds<Pick<DiscussionRecord, '_id' | 'communityId' | 'title' | 'hidden'>>(DiscussionModel, ids, { tenantId }, { _id: 1, communityId: 1, title: 1, hidden: 1 });
  return found.filter((d) => d.hidden !== true).map((d) => ({ _id: d._id, communityId: d.communityId, title: d.title }));
}

/** The conclusions of those of these discussions that are closed with one (the home feed shows them with the discussion). */
export async function findConclusions(tenantId: string, ids: Types.ObjectId[]): Promise<Pick<DiscussionRecord, '_id' | 'conclusion'>[]> {
  return findByIds<Pick<DiscussionRecord, '_id' | 'conclusion'>>(DiscussionModel, ids, { tenantId, status: 'closed' }, { _id: 1, conclusion: 1 });
}

/** The community's discussion with this title (the demo seed finds what it made before). */
export async function findDiscussionTitled(communityId: Types.ObjectId | string, title: string): Promise<DiscussionRecord | null> {
  return DiscussionModel.findOne({ communityId, title }).lean<DiscussionRecord>();
}

/** The list's view of one discussion of the community. */
export async function discussionSummary(communityId: Types.ObjectId, discussionId: Types.ObjectId): Promise<DiscussionRecord | null> {
  return DiscussionModel.findOne({ _id: discussionId, communityId }).select(SUMMARY_PROJECTION).lean<DiscussionRecord>();
}

/** The list's view of the discussions in one bucket of the community (see feed-buckets.ts). */
export async function discussionSummariesInBucket(communityId: Types.ObjectId, bucket: number): Promise<DiscussionRecord[]> {
  return DiscussionModel.find({ communityId, bucket }).select(SUMMARY_PROJECTION).lean<DiscussionRecord[]>();
}

/**
 * Updates the discussion when it still matches `guard`, atomically on every store; answers
 * the discussion after the update, or null when it is gone or the guard failed.
 */
export async function updateDiscussion(discussionId: Types.ObjectId, guard: Record<string, unknown>, update: DiscussionUpdate): Promise<DiscussionRecord | null> {
  return (await atomicUpdate(DiscussionModel, { ...guard, _id: discussionId }, update)) as DiscussionRecord | null;
}

/** Deletes the discussion document; answers whether it was there. */
export async function deleteDiscussion(discussionId: Types.ObjectId): Promise<boolean> {
  return (await DiscussionModel.deleteOne({ _id: discussionId })).deletedCount > 0;
}

/** Copies the discussion's tags onto its replies ("who knows about X" counts replies by them). */
export async function copyTagsToReplies(discussionId: Types.ObjectId, tags: string[]): Promise<void> {
  await ReplyModel.updateMany({ discussionId }, { $set: { tags } });
}

// ---- replies ----

export async function createReply(fields: Record<string, unknown>): Promise<ReplyRecord> {
  return (await ReplyModel.create(fields)).toObject() as ReplyRecord;
}

export async function findReply(replyId: Types.ObjectId | string): Promise<ReplyRecord | null> {
  return ReplyModel.findOne({ _id: replyId }).lean<ReplyRecord>();
}

export async function findReplyInTenant(tenantId: string, replyId: Types.ObjectId | string): Promise<ReplyRecord | null> {
  return ReplyModel.findOne({ _id: replyId, tenantId }).lean<ReplyRecord>();
}

export async function findReplyIn(discussionId: Types.ObjectId, replyId: Types.ObjectId | string): Promise<ReplyRecord | null> {
  return ReplyModel.findOne({ _id: replyId, discussionId }).lean<ReplyRecord>();
}

/** The reply of the discussion with this body source (the demo seed finds what it made before). */
export async function findReplyWithBody(discussionId: Types.ObjectId, source: string): Promise<ReplyRecord | null> {
  return ReplyModel.findOne({ discussionId, 'body.source': source }).lean<ReplyRecord>();
}

/** The thread's replies in one bucket, without history and tags. */
export async function repliesInBucket(discussionId: Types.ObjectId, bucket: number): Promise<ReplyRecord[]> {
  return ReplyModel.find({ discussionId, bucket }).select({ history: 0, tags: 0 }).lean<ReplyRecord[]>();
}

/** The tenant's replies carrying the tag (only what expertise counting needs). */
/** The newest `limit` replies with this tag (who answered what, for the experts ranking). */
export async function repliesTagged(tenantId: string, tag: string, limit: number): Promise<ReplyRecord[]> {
  return ReplyModel.find({ tenantId, tags: tag }).select({ authorId: 1, communityId: 1, accepted: 1, removed: 1, hidden: 1 }).sort({ _id: -1 }).limit(limit).lean<ReplyRecord[]>();
}

/** Updates the reply when it still matches `guard`, atomically on every store; null when the guard failed. */
export async function updateReply(replyId: Types.ObjectId, guard: Record<string, unknown>, update: ReplyUpdate): Promise<ReplyRecord | null> {
  return (await atomicUpdate(ReplyModel, { ...guard, _id: replyId }, update)) as ReplyRecord | null;
}

// ---- discussions and replies alike ----

/** Hides or shows a discussion or reply (and its activity entries); false when it already was so. */
export async function setContentHidden(type: ContentTarget, targetId: Types.ObjectId, hidden: boolean, set: Record<string, unknown>): Promise<boolean> {
  const changed =
    type === 'discussion' ? await updateDiscussion(targetId, { hidden: !hidden }, { $set: set }) : await updateReply(targetId, { hidden: !hidden }, { $set: set });
  if (!changed) return false;
  await ActivityModel.updateMany(type === 'discussion' ? { discussionId: targetId } : { replyId: targetId }, { $set: { hidden } });
  return true;
}

export async function isContentHidden(type: ContentTarget, targetId: Types.ObjectId | string): Promise<boolean> {
  const model = (type === 'discussion' ? DiscussionModel : ReplyModel) as unknown as typeof DiscussionModel;
  const doc = await model.findOne({ _id: targetId }).select({ hidden: 1 }).lean<{ hidden?: boolean }>();
  return doc?.hidden === true;
}

/** The target's reaction counts. */
export async function reactionCountsOf(type: ContentTarget, targetId: Types.ObjectId): Promise<Partial<Record<ReactionKind, number>> | undefined> {
  const model = (type === 'discussion' ? DiscussionModel : ReplyModel) as unknown as typeof DiscussionModel;
  const doc = await model.findOne({ _id: targetId }).select({ counts: 1 }).lean<{ counts?: { reactions?: Partial<Record<ReactionKind, number>> } }>();
  return doc?.counts?.reactions;
}

// ---- reactions ----

/** Adds the person's reaction and counts it; false when they had already reacted so. */
export async function addReaction(fields: {
  tenantId: string;
  communityId: Types.ObjectId;
  discussionId: Types.ObjectId;
  targetType: ContentTarget;
  targetId: Types.ObjectId;
  userId: string;
  kind: ReactionKind;
}): Promise<boolean> {
  try {
    await ReactionModel.create(fields);
  } catch (err) {
    if (isDuplicateKeyError(err)) return false;
    throw err;
  }
  await countReaction(fields.targetType, fields.targetId, fields.kind, 1);
  return true;
}

/** Removes the person's reaction and uncounts it; false when there was none. */
export async function removeReaction(type: ContentTarget, targetId: Types.ObjectId, userId: string, kind: ReactionKind): Promise<boolean> {
  const removed = await ReactionModel.deleteOne({ targetId, userId, kind });
  if (removed.deletedCount !== 1) return false;
  await countReaction(type, targetId, kind, -1);
  return true;
}

async function countReaction(type: ContentTarget, targetId: Types.ObjectId, kind: ReactionKind, by: 1 | -1): Promise<void> {
  const field = `counts.reactions.${kind}`;
  const guard = by < 0 ? { [field]: mongoose.trusted({ $gt: 0 }) } : {};
  if (type === 'discussion') await updateDiscussion(targetId, guard, { $inc: { [field]: by } });
  else await updateReply(targetId, guard, { $inc: { [field]: by } });
}

/** The kinds the person gave the target. */
export async function myReactionsTo(targetId: Types.ObjectId, userId: string): Promise<ReactionKind[]> {
  const rows = await ReactionModel.find({ targetId, userId }).lean<ReactionRecord[]>();
  return rows.map((r) => r.kind as ReactionKind);
}

/** The person's reactions in the discussion (to it and its replies). */
export async function myReactionsIn(discussionId: Types.ObjectId, userId: string): Promise<ReactionRecord[]> {
  return ReactionModel.find({ discussionId, userId }).lean<ReactionRecord[]>();
}

export async function deleteReactionsTo(targetId: Types.ObjectId): Promise<void> {
  await ReactionModel.deleteMany({ targetId });
}

// ---- follows ----

/** Makes the person follow the discussion (a repeat changes nothing). */
export async function addFollow(fields: { tenantId: string; communityId: Types.ObjectId; discussionId: Types.ObjectId; userId: string; isGuest: boolean }): Promise<void> {
  try {
    await FollowModel.create(fields);
  } catch (err) {
    if (!isDuplicateKeyError(err)) throw err;
  }
}

export async function removeFollow(discussionId: Types.ObjectId, userId: string): Promise<void> {
  await FollowModel.deleteOne({ discussionId, userId });
}

export async function isFollowing(discussionId: Types.ObjectId, userId: string): Promise<boolean> {
  return (await FollowModel.exists({ discussionId, userId })) !== null;
}

export async function followsOfDiscussion(discussionId: Types.ObjectId): Promise<FollowRecord[]> {
  return FollowModel.find({ discussionId }).lean<FollowRecord[]>();
}


/** The person's follows across the tenant (the feed's "following"). */
export async function followsOf(tenantId: string, userId: string): Promise<FollowRecord[]> {
  return FollowModel.find({ tenantId, userId }).lean<FollowRecord[]>();
}

// ---- read markers ----

export async function findReadMarker(discussionId: Types.ObjectId, userId: string): Promise<ReadMarkerRecord | null> {
  return ReadMarkerModel.findOne({ discussionId, userId }).lean<ReadMarkerRecord>();
}

export async function readMarkersIn(communityId: Types.ObjectId, userId: string): Promise<ReadMarkerRecord[]> {
  return ReadMarkerModel.find({ communityId, userId }).lean<ReadMarkerRecord[]>();
}

/** Raises the person's read marker of the discussion to `seq` (never lowers it). */
export async function raiseReadMarker(d: Pick<DiscussionRecord, '_id' | 'communityId'>, tenantId: string, userId: string, seq: number, at: Date): Promise<void> {
  // `$max` and a time commute, so concurrent raises need no lock; only the first insert can collide.
  const write = () =>
    ReadMarkerModel.updateOne(
      { discussionId: d._id, userId },
      { $max: { lastReadSeq: seq }, $set: { readAt: at }, $setOnInsert: { tenantId, communityId: d.communityId } },
      { upsert: true },
    );
  // Two first reads in two processes: the second insert loses the unique index, then updates.
  await upsertRetryingRace(write);
}

// ---- community activity ----

export async function recordActivity(fields: Omit<ActivityRecord, '_id' | 'hidden'> & { hidden?: boolean }): Promise<void> {
  await ActivityModel.create(fields);
}

export async function activityInBucket(communityId: Types.ObjectId, bucket: number): Promise<ActivityRecord[]> {
  return ActivityModel.find({ communityId, bucket }).lean<ActivityRecord[]>();
}

/** Rewrites the copies of a discussion's title (and its excerpt, on its own entry) in the activity. */
export async function updateDiscussionActivity(discussionId: Types.ObjectId, title: string, excerpt: string | null, options: { titleChanged: boolean; contentChanged: boolean }): Promise<void> {
  if (options.contentChanged) await ActivityModel.updateMany({ discussionId, kind: 'discussion' }, { $set: { title, excerpt: excerpt ?? '' } });
  if (options.titleChanged) await ActivityModel.updateMany({ discussionId, kind: 'reply' }, { $set: { title } });
}

export async function updateReplyActivityExcerpt(replyId: Types.ObjectId, excerpt: string): Promise<void> {
  await ActivityModel.updateMany({ replyId }, { $set: { excerpt } });
}

export async function deleteReplyActivity(replyId: Types.ObjectId): Promise<void> {
  await ActivityModel.deleteMany({ replyId });
}

// ---- removal ----

/** Removes what hangs off a discussion (replies, reactions, follows, markers, activity). */
export async function deleteDiscussionContent(discussionId: Types.ObjectId): Promise<void> {
  await Promise.all([
    ReplyModel.deleteMany({ discussionId }),
    ReactionModel.deleteMany({ discussionId }),
    FollowModel.deleteMany({ discussionId }),
    ReadMarkerModel.deleteMany({ discussionId }),
    ActivityModel.deleteMany({ discussionId }),
  ]);
}

/** Removes every discussion of a community and everything in them. */
export async function deleteCommunityContent(communityId: Types.ObjectId): Promise<void> {
  await Promise.all([
    DiscussionModel.deleteMany({ communityId }),
    ReplyModel.deleteMany({ communityId }),
    ReactionModel.deleteMany({ communityId }),
    FollowModel.deleteMany({ communityId }),
    ReadMarkerModel.deleteMany({ communityId }),
    ActivityModel.deleteMany({ communityId }),
  ]);
}

// ---- analytics ----

/** A question asked in a period, with when it was first answered by someone else (or null). */
export interface AskedQuestion {
  askedAt: Date;
  /** The first reply by someone other than the asker that is not removed. */
  firstAnswerAt: Date | null;
  /** An answer was accepted. */
  accepted: boolean;
}

/**
 * The analytics' activity in discussions between the instants (`to` exclusive) in the
 * communities (null: the whole tenant): the distinct people who started a discussion or
 * replied, and the questions asked, each with its first answer. Hidden and removed content
 * does not count. Only ids are read (no bodies).
 */
export async function discussionActivityBetween(tenantId: string, communityIds: readonly Types.ObjectId[] | null, from: Date, to: Date): Promise<{ authors: string[]; questions: AskedQuestion[] }> {
  const inScope = communityIds === null ? {} : { communityId: mongoose.trusted({ $in: communityIds }) };
  const period = { createdAt: mongoose.trusted({ $gte: from, $lt: to }) };
  const [started, replied] = await Promise.all([
    DiscussionModel.find({ tenantId, ...inScope, ...period, hidden: false }, { authorId: 1, kind: 1, createdAt: 1, acceptedReplyId: 1 }).lean<Pick<DiscussionRecord, '_id' | 'authorId' | 'kind' | 'createdAt' | 'acceptedReplyId'>[]>(),
    ReplyModel.find({ tenantId, ...inScope, ...period, removed: false, hidden: false }, { _id: 0, authorId: 1 }).lean<Pick<ReplyRecord, 'authorId'>[]>(),
  ]);
  const asked = started.filter((d) => d.kind === 'question');
  const replies = asked.length === 0 ? [] : await ReplyModel.find({ discussionId: mongoose.trusted({ $in: asked.map((q) => q._id) }), removed: false, hidden: false }, { _id: 0, discussionId: 1, authorId: 1, createdAt: 1 }).lean<Pick<ReplyRecord, 'discussionId' | 'authorId' | 'createdAt'>[]>();
  const firstAnswer = new Map<string, Date>();
  const askers = new Map(asked.map((q) => [String(q._id), q.authorId]));
  for (const r of replies) {
    const id = String(r.discussionId);
    if (r.authorId === askers.get(id)) continue;
    const seen = firstAnswer.get(id);
    if (!seen || r.createdAt < seen) firstAnswer.set(id, r.createdAt);
  }
  return {
    authors: [...new Set([...started.map((d) => d.authorId), ...replied.map((r) => r.authorId)])],
    questions: asked.map((q) => ({ askedAt: q.createdAt, firstAnswerAt: firstAnswer.get(String(q._id)) ?? null, accepted: q.acceptedReplyId !== null && q.acceptedReplyId !== undefined })),
  };
}
