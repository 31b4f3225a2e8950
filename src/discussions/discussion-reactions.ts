/**
 * Reactions to a discussion or a reply: one of each kind per person, counted on the target.
 * A removed reply takes none; a hidden one only from moderators.
 */
import type { Types } from 'mongoose';
import type { Actor } from '../auth/actor.js';
import { ConflictError } from '../errors/domain-errors.js';
import { resolveDiscussionAccess, resolveReplyAccess } from './discussion-access.js';
import type { ReactionKind } from './discussion.model.js';
import { reactionCounts } from './discussion-summaries.js';
import { addReaction, myReactionsTo, reactionCountsOf, removeReaction, type ContentTarget } from './discussions.repository.js';

export type ReactionTarget = ContentTarget;

/** The target's counts and the actor's own reactions. */
export interface ReactionsView {
  reactions: Record<ReactionKind, number>;
  mine: ReactionKind[];
}

/** PUT a reaction: one of each kind per person (a repeat changes nothing). */
export async function react(actor: Actor, target: ReactionTarget, id: string, kind: ReactionKind): Promise<ReactionsView> {
  const { access, targetId } = await reactionTarget(actor, target, id);
  access.authorize('discussion.react');
  await addReaction({ tenantId: actor.tenantId, communityId: access.discussion.communityId, discussionId: access.discussion._id, targetType: target, targetId, userId: actor.userId, kind });
  return reactionsOf(actor, target, targetId);
}

export async function unreact(actor: Actor, target: ReactionTarget, id: string, kind: ReactionKind): Promise<ReactionsView> {
  const { access, targetId } = await reactionTarget(actor, target, id);
  access.authorize('discussion.read');
  await removeReaction(target, targetId, actor.userId, kind);
  return reactionsOf(actor, target, targetId);
}

async function reactionTarget(actor: Actor, target: ReactionTarget, id: string) {
  if (target === 'discussion') {
    const access = await resolveDiscussionAccess(actor, id);
    return { access, targetId: access.discussion._id };
  }
  const access = await resolveReplyAccess(actor, id);
  if (access.reply.removed) throw new ConflictError('This reply was removed.', 'reply_removed');
  if (access.reply.hidden && !access.canModerate) throw new ConflictError('This reply is hidden.', 'reply_hidden');
  return { access, targetId: access.reply._id };
}

async function reactionsOf(actor: Actor, target: ReactionTarget, targetId: Types.ObjectId): Promise<ReactionsView> {
  const [counts, mine] = await Promise.all([reactionCountsOf(target, targetId), myReactionsTo(targetId, actor.userId)]);
  return { reactions: reactionCounts(counts), mine };
}
