/**
 * What other capabilities may read and change of discussions, without the discussions
 * models: the feed (follows and community activity), moderation (hiding content), meetings
 * (the discussion a meeting is linked to) and the local demo seed.
 */
import type { Types } from 'mongoose';
import type { ActivityRecord } from './activity.model.js';
import type { DiscussionRecord } from './discussion.model.js';
import {
  activityInBucket,
  findDiscussion,
  findDiscussionInTenant,
  findDiscussionTitled,
  findReplyWithBody,
  followsOf,
  isContentHidden,
  setContentHidden,
  type ContentTarget,
} from './discussions.repository.js';
import type { FollowRecord } from './follow.model.js';
import type { ReplyRecord } from './reply.model.js';

export type { ActivityRecord, ContentTarget, DiscussionRecord, FollowRecord, ReplyRecord };

/** The discussion with this id (any tenant: callers hold an id they stored themselves). */
export const discussionById: (discussionId: Types.ObjectId | string) => Promise<DiscussionRecord | null> = findDiscussion;

/** The tenant's discussion with this id. */
export const discussionOfTenant: (tenantId: string, discussionId: Types.ObjectId | string) => Promise<DiscussionRecord | null> = findDiscussionInTenant;

/** The discussion's title, or null when there is no such discussion. */
export async function discussionTitle(discussionId: Types.ObjectId | string): Promise<string | null> {
  return (await findDiscussion(discussionId))?.title ?? null;
}

/** The community's discussion with this title, and a discussion's reply with this body (the demo seed). */
export const discussionTitled: (communityId: Types.ObjectId | string, title: string) => Promise<DiscussionRecord | null> = findDiscussionTitled;
export const replyWithBody: (discussionId: Types.ObjectId, source: string) => Promise<ReplyRecord | null> = findReplyWithBody;

/** The person's follows across the tenant. */
export const followsOfPerson: (tenantId: string, userId: string) => Promise<FollowRecord[]> = followsOf;

/** The community's activity entries in one bucket (see feed-buckets.ts). */
export const activityOfCommunity: (communityId: Types.ObjectId, bucket: number) => Promise<ActivityRecord[]> = activityInBucket;

/** Hides or shows a discussion or reply with these fields (and its activity entries); false when it already was so. */
export const hideContent: (type: ContentTarget, targetId: Types.ObjectId, hidden: boolean, set: Record<string, unknown>) => Promise<boolean> = setContentHidden;

/** Whether the discussion or reply is hidden. */
export const contentHidden: (type: ContentTarget, targetId: Types.ObjectId | string) => Promise<boolean> = isContentHidden;
