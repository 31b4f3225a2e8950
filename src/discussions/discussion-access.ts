/**
 * Loads a discussion (or reply) with the actor's access to its community. Unknown ids,
 * other tenants' discussions, discussions in communities the actor may not see, and hidden
 * discussions for people who may not moderate them (their authors excepted) all answer the
 * same 404, so none can be told apart.
 */
import type { Types } from 'mongoose';
import type { Actor } from '../auth/actor.js';
import { resolveCommunityAccess, toObjectId, type CommunityAccess } from '../communities/community-access.js';
import type { CommunityAction } from '../communities/community-policy.js';
import { NotFoundError } from '../errors/domain-errors.js';
import type { DiscussionRecord } from './discussion.model.js';
import { cachedDiscussionInTenant } from './discussion-read-cache.js';
import { findDiscussion, findDiscussionInTenant, findReplyInTenant } from './discussions.repository.js';
import type { ReplyRecord } from './reply.model.js';

export const discussionNotFound = () => new NotFoundError('There is no such discussion.', 'discussion_not_found');
export const replyNotFound = () => new NotFoundError('There is no such reply.', 'reply_not_found');

export interface DiscussionAccess {
  discussion: DiscussionRecord;
  community: CommunityAccess;
  /** May moderate (hide, delete others' content, pin): community managers and organisation admins. */
  canModerate: boolean;
  authorize(action: CommunityAction, ownerId?: string): void;
  can(action: CommunityAction, ownerId?: string): boolean;
}

/** `forRead`: for a page that only shows, from the read cache (discussion-read-cache.ts). */
export async function resolveDiscussionAccess(actor: Actor, discussionId: string | Types.ObjectId, options: { forRead?: boolean } = {}): Promise<DiscussionAccess> {
  const id = toObjectId(discussionId, discussionNotFound);
  const discussion = options.forRead ? await cachedDiscussionInTenant(actor.tenantId, id) : await findDiscussionInTenant(actor.tenantId, id);
  if (!discussion) throw discussionNotFound();
  return accessToDiscussion(actor, discussion, undefined, options);
}

export async function accessToDiscussion(actor: Actor, discussion: DiscussionRecord, community?: CommunityAccess, options: { forRead?: boolean } = {}): Promise<DiscussionAccess> {
  let access = community;
  if (!access) {
    try {
      access = await resolveCommunityAccess(actor, discussion.communityId, options);
    } catch (err) {
      if (err instanceof NotFoundError) throw discussionNotFound();
      throw err;
    }
  }
  const resolved = access;
  if (!resolved.canRead) {
    // The community is visible but its content is not (closed, or the actor is blocked): 403.
    resolved.authorize('discussion.read');
  }
  const canModerate = resolved.can('moderation.manage');
  if (discussion.hidden && !canModerate && discussion.authorId !== actor.userId) throw discussionNotFound();
  return {
    discussion,
    community: resolved,
    canModerate,
    authorize: (action, ownerId) => resolved.authorize(action, ownerId),
    can: (action, ownerId) => resolved.can(action, ownerId),
  };
}

export interface ReplyAccess extends DiscussionAccess {
  reply: ReplyRecord;
}

/** Whether a reply's content is kept from the actor: removed, or hidden from someone who is neither a moderator nor its author. */
export function replyConcealed(actor: Pick<Actor, 'userId'>, reply: Pick<ReplyRecord, 'removed' | 'hidden' | 'authorId'>, canModerate: boolean): boolean {
  return reply.removed === true || (reply.hidden === true && !canModerate && reply.authorId !== actor.userId);
}

export async function resolveReplyAccess(actor: Actor, replyId: string | Types.ObjectId): Promise<ReplyAccess> {
  const id = toObjectId(replyId, replyNotFound);
  const reply = await findReplyInTenant(actor.tenantId, id);
  if (!reply) throw replyNotFound();
  const discussion = await findDiscussion(reply.discussionId);
  if (!discussion) throw replyNotFound();
  try {
    const access = await accessToDiscussion(actor, discussion);
    return { ...access, reply };
  } catch (err) {
    if (err instanceof NotFoundError) throw replyNotFound();
    throw err;
  }
}
