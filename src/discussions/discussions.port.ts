/**
 * What other capabilities may read and change of discussions, without the discussions
 * models: the feed (follows and community activity), moderation (hiding content), meetings
 * (the discussion a meeting is linked to) and the local demo seed.
 */
import type { Types } from 'mongoose';
import type { Actor } from '../auth/actor.js';
import { DomainError } from '../errors/domain-errors.js';
import type { ActivityRecord } from './activity.model.js';
import { replyConcealed, resolveDiscussionAccess, resolveReplyAccess } from './discussion-access.js';
import type { DiscussionRecord } from './discussion.model.js';
import {
  discussionActivityBetween,
  findDiscussion,
  findDiscussionInTenant,
  findConclusions,
  findDiscussionTitled,
  findReply,
  findReplyWithBody,
  findShownDiscussions,
  isContentHidden,
  setContentHidden,
  type ContentTarget,
} from './discussions.repository.js';
import { cachedActivityInBucket, cachedFollowsOf } from './discussion-read-cache.js';
import type { FollowRecord } from './follow.model.js';
import type { ReplyRecord } from './reply.model.js';
import { excerptOf } from '../content/markdown.js';
import { readCache } from '../db/read-cache.js';
import { stampScope } from '../db/version-stamps.js';

export { discussionActivityBetween };
export type { AskedQuestion } from './discussions.repository.js';
export type { ActivityRecord, ContentTarget, DiscussionRecord, FollowRecord, ReplyRecord };

/** The discussion with this id (any tenant: callers hold an id they stored themselves). */
export const discussionById: (discussionId: Types.ObjectId | string) => Promise<DiscussionRecord | null> = findDiscussion;

/** The tenant's discussion with this id. */
export const discussionOfTenant: (tenantId: string, discussionId: Types.ObjectId | string) => Promise<DiscussionRecord | null> = findDiscussionInTenant;

/**
 * The conclusion (as a plain-text excerpt) of each of these discussions that was closed with
 * one, by id. Read when shown rather than copied into the activity, so a changed or erased
 * conclusion never lingers in a feed.
 */
export async function conclusionsOf(tenantId: string, discussionIds: readonly Types.ObjectId[]): Promise<Map<string, string>> {
  const unique = [...new Map(discussionIds.map((id) => [String(id), id])).values()];
  if (unique.length === 0) return new Map();
  // Through the read cache (the home feed asks on every page): any write of one of them renews it.
  const ids = unique.map(String).sort();
  const pairs = await readCache().get(`conclusions:${tenantId}:${ids.join(',')}`, [...ids.map((id) => stampScope.discussion(id)), stampScope.wholeModel('Discussion')], async () => {
    const found = await findConclusions(tenantId, unique);
    return found.flatMap((d): [string, string][] => {
      const source = d.conclusion?.source ?? '';
      return source.trim() !== '' ? [[String(d._id), excerptOf(source)]] : [];
    });
  });
  return new Map(pairs);
}

/** A discussion another capability points people at (an event's follow-up, a meeting's linked discussion). */
export interface DiscussionRef {
  communityId: Types.ObjectId;
  discussionId: Types.ObjectId;
}

/** The little of a discussion that a reference to it shows: its title. */
export type ShownDiscussion = Pick<DiscussionRecord, '_id' | 'communityId' | 'title'>;

/**
 * For each reference, in order, the discussion when it may be shown as such, else null: it
 * must exist in the tenant, belong to the community the reference names (never another
 * community's, whose people the reader may not be among) and not be hidden by moderation.
 */
export async function shownDiscussions(tenantId: string, refs: readonly DiscussionRef[]): Promise<(ShownDiscussion | null)[]> {
  const found = await findShownDiscussions(tenantId, [...new Map(refs.map((r) => [String(r.discussionId), r.discussionId])).values()]);
  const byId = new Map(found.map((d) => [String(d._id), d]));
  return refs.map((ref) => {
    const d = byId.get(String(ref.discussionId));
    return d && d.communityId.equals(ref.communityId) ? d : null;
  });
}

/** One reference's discussion when it may be shown as such (see `shownDiscussions`), else null. */
export async function shownDiscussion(tenantId: string, ref: DiscussionRef): Promise<ShownDiscussion | null> {
  const [shown] = await shownDiscussions(tenantId, [ref]);
  return shown ?? null;
}

/** The discussion when the actor may read it (as GET /discussions/{id} would let them) and it is not hidden; null otherwise. */
export async function readableDiscussion(actor: Actor, discussionId: string | Types.ObjectId): Promise<DiscussionRecord | null> {
  return orWhenRefused(async () => {
    const { discussion } = await resolveDiscussionAccess(actor, discussionId);
    return discussion.hidden ? null : discussion;
  }, null);
}

/**
 * Whether the actor sees the discussion as GET /discussions/{id} shows it to them, files
 * included (a hidden one: its moderators and its author).
 */
export async function seesDiscussion(actor: Actor, discussionId: Types.ObjectId): Promise<boolean> {
  return orWhenRefused(async () => {
    await resolveDiscussionAccess(actor, discussionId);
    return true;
  }, false);
}

/**
 * Whether the actor sees the reply's content, files included, as a thread shows it to them: not
 * removed, and a hidden one only to moderators and its author (reply.service.ts `concealed`).
 */
export async function seesReply(actor: Actor, replyId: Types.ObjectId): Promise<boolean> {
  return orWhenRefused(async () => {
    const { reply, canModerate } = await resolveReplyAccess(actor, replyId);
    return !replyConcealed(actor, reply, canModerate);
  }, false);
}

/** Unknown, another tenant's, unreadable: all the same "no" (`refused`) to the caller. */
async function orWhenRefused<T>(decide: () => Promise<T>, refused: T): Promise<T> {
  try {
    return await decide();
  } catch (err) {
    if (err instanceof DomainError && (err.kind === 'not_found' || err.kind === 'forbidden')) return refused;
    throw err;
  }
}

/** The discussion's title, or null when there is no such discussion. */
export async function discussionTitle(discussionId: Types.ObjectId | string): Promise<string | null> {
  return (await findDiscussion(discussionId))?.title ?? null;
}

/** The community's discussion with this title, and a discussion's reply with this body (the demo seed). */
export const discussionTitled: (communityId: Types.ObjectId | string, title: string) => Promise<DiscussionRecord | null> = findDiscussionTitled;
export const replyWithBody: (discussionId: Types.ObjectId, source: string) => Promise<ReplyRecord | null> = findReplyWithBody;

/** The person's follows across the tenant. */
export const followsOfPerson: (tenantId: string, userId: string) => Promise<readonly FollowRecord[]> = cachedFollowsOf;

/** The community's activity entries in one bucket (see feed-buckets.ts). */
export const activityOfCommunity: (communityId: Types.ObjectId, bucket: number) => Promise<readonly ActivityRecord[]> = cachedActivityInBucket;

/** Hides or shows a discussion or reply with these fields (and its activity entries); false when it already was so. */
export const hideContent: (type: ContentTarget, targetId: Types.ObjectId, hidden: boolean, set: Record<string, unknown>) => Promise<boolean> = setContentHidden;

/** Whether the discussion or reply is hidden. */
export const contentHidden: (type: ContentTarget, targetId: Types.ObjectId | string) => Promise<boolean> = isContentHidden;

/** A reply by id (attachments: whether it is hidden or removed, and its discussion). */
export const replyById: (replyId: Types.ObjectId | string) => Promise<ReplyRecord | null> = findReply;
