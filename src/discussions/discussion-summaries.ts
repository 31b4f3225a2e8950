/** How a discussion shows in its community's list, and reaction counts as the API shows them. */
import { authorView } from '../personal-data/former-member.js';
import type { Actor } from '../auth/actor.js';
import { REACTION_KINDS, type DiscussionRecord, type ReactionKind } from './discussion.model.js';
import type { DiscussionSummaryView } from './discussion.schemas.js';
import type { ReadMarkerRecord } from './read-marker.model.js';

/** Every kind, zero when absent, never negative. */
export function reactionCounts(counts: Partial<Record<ReactionKind, number>> | undefined | null): Record<ReactionKind, number> {
  return Object.fromEntries(REACTION_KINDS.map((k) => [k, Math.max(0, counts?.[k] ?? 0)])) as Record<ReactionKind, number>;
}

export function summaryOf(actor: Actor, d: DiscussionRecord, marker: ReadMarkerRecord | undefined): DiscussionSummaryView {
  const replySeq = d.counts?.replySeq ?? 0;
  return {
    id: String(d._id),
    communityId: String(d.communityId),
    author: authorView(d.authorId, d.authorName),
    kind: d.kind,
    title: d.title,
    excerpt: d.excerpt ?? '',
    tags: d.tags ?? [],
    status: d.status,
    pinned: d.pinned === true,
    hidden: d.hidden === true,
    answered: d.acceptedReplyId !== null && d.acceptedReplyId !== undefined,
    replyCount: d.counts?.replies ?? 0,
    reactions: reactionCounts(d.counts?.reactions),
    isNew: !marker && d.authorId !== actor.userId,
    unreadCount: Math.max(0, replySeq - (marker?.lastReadSeq ?? 0)),
    createdAt: d.createdAt.toISOString(),
    lastActivityAt: d.lastActivityAt.toISOString(),
  };
}
