/**
 * The discussions capability's records as the read pages read them, through the read cache
 * (src/db/read-cache.ts): buckets of a community's discussions and activity, a discussion,
 * buckets of its replies, and a person's read markers, follows and reactions. Records only:
 * the policy and the per-person view run over them on every request. Write paths read the
 * store directly (discussions.repository.ts).
 */
import type { Types } from 'mongoose';
import { readCache } from '../db/read-cache.js';
import { stampScope } from '../db/version-stamps.js';
import type { ActivityRecord } from './activity.model.js';
import type { DiscussionRecord } from './discussion.model.js';
import {
  activityInBucket,
  discussionSummariesInBucket,
  discussionSummary,
  findDiscussionInTenant,
  followsOf,
  myReactionsIn,
  readMarkersIn,
  repliesInBucket,
} from './discussions.repository.js';
import type { FollowRecord } from './follow.model.js';
import type { ReactionRecord } from './reaction.model.js';
import type { ReadMarkerRecord } from './read-marker.model.js';
import type { ReplyRecord } from './reply.model.js';

const whole = stampScope.wholeModel;

export function cachedSummariesInBucket(communityId: Types.ObjectId, bucket: number): Promise<readonly DiscussionRecord[]> {
  return readCache().get(`dbucket:${String(communityId)}:${bucket}`, [stampScope.community(communityId), whole('Discussion')], () => discussionSummariesInBucket(communityId, bucket));
}

export function cachedSummary(communityId: Types.ObjectId, discussionId: Types.ObjectId): Promise<DiscussionRecord | null> {
  return readCache().get(`dsummary:${String(communityId)}:${String(discussionId)}`, [stampScope.community(communityId), whole('Discussion')], () => discussionSummary(communityId, discussionId));
}

export function cachedDiscussionInTenant(tenantId: string, discussionId: Types.ObjectId): Promise<DiscussionRecord | null> {
  return readCache().get(`discussion:${tenantId}:${String(discussionId)}`, [stampScope.discussion(discussionId), whole('Discussion')], () => findDiscussionInTenant(tenantId, discussionId));
}

export function cachedRepliesInBucket(discussionId: Types.ObjectId, bucket: number): Promise<readonly ReplyRecord[]> {
  return readCache().get(`rbucket:${String(discussionId)}:${bucket}`, [stampScope.discussion(discussionId), whole('Reply')], () => repliesInBucket(discussionId, bucket));
}

export function cachedActivityInBucket(communityId: Types.ObjectId, bucket: number): Promise<readonly ActivityRecord[]> {
  return readCache().get(`abucket:${String(communityId)}:${bucket}`, [stampScope.community(communityId), whole('Activity')], () => activityInBucket(communityId, bucket));
}

export function cachedMarkersIn(communityId: Types.ObjectId, userId: string): Promise<readonly ReadMarkerRecord[]> {
  return readCache().get(`markers:${String(communityId)}:${userId}`, [stampScope.person(userId), whole('ReadMarker')], () => readMarkersIn(communityId, userId));
}

export function cachedFollowsOf(tenantId: string, userId: string): Promise<readonly FollowRecord[]> {
  return readCache().get(`follows:${tenantId}:${userId}`, [stampScope.person(userId), whole('Follow')], () => followsOf(tenantId, userId));
}

export function cachedReactionsIn(discussionId: Types.ObjectId, userId: string): Promise<readonly ReactionRecord[]> {
  return readCache().get(`reactions:${String(discussionId)}:${userId}`, [stampScope.person(userId), whole('Reaction')], () => myReactionsIn(discussionId, userId));
}
