/**
 * Discussions and questions in a community: start, read (which marks them read), list (the
 * community feed, pinned first), edit (history kept), close with a conclusion and reopen,
 * pin, delete, accept an answer, follow, react. Every operation goes through the community
 * policy; every change someone should hear about becomes a notification intent.
 */
import type { Types } from 'mongoose';
import type { Actor } from '../auth/actor.js';
import { resolveCommunityAccess, type CommunityAccess } from '../communities/community-access.js';
import { activeMembersOf, countNewDiscussion, countRemovedDiscussion, setDiscussionPinned, type MembershipRecord } from '../communities/communities.port.js';
import type { AuditSink } from '../communities/community.service.js';
import { excerptOf, markdown, markdownToText } from '../content/markdown.js';
import { normalizeTag, normalizeTags } from '../content/tags.js';
import { MAX_PAGE_SIZE, type Page } from '../db/pagination.js';
import { ConflictError, ValidationError } from '../errors/domain-errors.js';
import type { PeopleRepository } from '../members/people.repository.js';
import type { NotificationIntent, NotificationOutbox } from '../notifications/notification-outbox.js';
import type { SearchIndex } from '../search-index/search-index.js';
import { accessToDiscussion, resolveDiscussionAccess, type DiscussionAccess } from './discussion-access.js';
import { react, unreact, type ReactionsView, type ReactionTarget } from './discussion-reactions.js';
import { summaryOf } from './discussion-summaries.js';
import type { DiscussionRecord, ReactionKind } from './discussion.model.js';
import type { CreateDiscussionInput, DiscussionSummaryView, DiscussionView, ListDiscussionsQuery, UpdateDiscussionInput } from './discussion.schemas.js';
import { bucketOf, decodeSeqCursor, encodeSeqCursor, firstSeqOf } from './feed-buckets.js';
import {
  addFollow,
  copyTagsToReplies,
  createDiscussion,
  deleteCommunityContent,
  deleteDiscussion,
  deleteDiscussionContent,
  findReadMarker,
  findReplyIn,
  followsOfDiscussion,
  isFollowing,
  myReactionsTo,
  raiseReadMarker,
  recordActivity,
  removeFollow,
  updateDiscussion,
  updateDiscussionActivity,
  updateReply,
} from './discussions.repository.js';
import { cachedMarkersIn, cachedSummariesInBucket, cachedSummary } from './discussion-read-cache.js';
import { mentionIntents, stillReaders, visibleMentions } from './mentions.js';
import type { ReadMarkerRecord } from './read-marker.model.js';
import { clockOf, type Clock } from '../time/clock.js';
import { commitOrUndo, type PostAttachments, type PreparedAttachments } from '../attachments/attachments.port.js';

export interface DiscussionServiceDeps {
  people: PeopleRepository;
  notifications: NotificationOutbox;
  audit: AuditSink;
  search: SearchIndex;
  now?: () => Date;
  /** Files in posts (issue 21); absent: posts take no attachments. */
  attachments?: PostAttachments;
}

/** At most this many buckets are read for one page of a filtered list; the cursor carries on from there. */
const MAX_BUCKET_READS = 40;

export class DiscussionService {
  private readonly now: Clock;

  constructor(private readonly deps: DiscussionServiceDeps) {
    this.now = clockOf(deps);
  }

  async create(actor: Actor, communityId: string, input: CreateDiscussionInput): Promise<DiscussionView> {
    const community = await resolveCommunityAccess(actor, communityId);
    community.authorize('discussion.create');
    const now = this.now();
    const [mentions, author] = await Promise.all([
      visibleMentions(actor, this.deps.people, community.community, input.mentions),
      this.deps.people.find(actor.tenantId, actor.userId),
    ]);
    const authorName = author?.displayName ?? actor.name;
    // Files are shared with the readers before the post exists, and taken back if writing it fails.
    const files = await this.prepareAttachments(actor, community.community._id, input.attachments);
    const counters = await countNewDiscussion(community.community._id, now).catch(async (err: unknown) => {
      await files?.rollback();
      throw err;
    });
    if (!counters) {
      await files?.rollback();
      throw new ConflictError('The community was deleted meanwhile.', 'community_gone');
    }
    const seq = counters.discussionSeq;
    const activitySeq = counters.activitySeq;
    const body = markdown(input.body);
    const excerpt = excerptOf(input.body);
    let created: DiscussionRecord;
    try {
      created = await createDiscussion({
          tenantId: actor.tenantId,
          communityId: community.community._id,
          authorId: actor.userId,
          authorName,
          kind: input.kind,
          title: input.title,
          body,
          excerpt,
          tags: normalizeTags(input.tags ?? []),
          mentions,
          seq,
          bucket: bucketOf(seq),
        lastActivityAt: now,
      });
    } catch (err) {
      await countRemovedDiscussion(community.community._id);
      await files?.rollback();
      throw err;
    }
    await commitOrUndo(files, { type: 'discussion', id: created._id }, async () => {
      await deleteDiscussion(created._id);
      await countRemovedDiscussion(community.community._id);
    });
    await Promise.all([
      recordActivity({
        tenantId: actor.tenantId,
        communityId: community.community._id,
        seq: activitySeq,
        bucket: bucketOf(activitySeq),
        kind: 'discussion',
        discussionId: created._id,
        authorId: actor.userId,
        authorName,
        title: input.title,
        excerpt,
        at: now,
      }),
      this.followQuietly(actor, created),
      this.markRead(actor, created),
      this.indexForSearch(created),
    ]);
    await this.notifyNewDiscussion(actor, community, created, mentions);
    return this.view(actor, await accessToDiscussion(actor, created, community), { markRead: false });
  }

  /** The discussion; reading it marks its replies read for the actor. */
  async get(actor: Actor, discussionId: string): Promise<DiscussionView> {
    const access = await resolveDiscussionAccess(actor, discussionId);
    return this.view(actor, access, { markRead: true });
  }

  /** The community's discussions, newest first, pinned ones at the top of the first page. */
  async listForCommunity(actor: Actor, communityId: string, query: ListDiscussionsQuery): Promise<Page<DiscussionSummaryView>> {
    const community = await resolveCommunityAccess(actor, communityId, { forRead: true });
    community.authorize('discussion.read');
    const limit = Math.min(query.limit ?? 20, MAX_PAGE_SIZE);
    const id = community.community._id;
    const canModerate = community.can('moderation.manage');
    let below: number;
    if (query.cursor) {
      const cursor = decodeSeqCursor(query.cursor);
      if (!cursor) throw new ValidationError('The cursor is not valid; start again without one.', [{ path: 'query.cursor', message: 'invalid cursor' }], 'invalid_cursor');
      below = cursor.seq;
    } else {
      below = (community.community.counts?.discussionSeq ?? 0) + 1;
    }
    const tag = query.tag !== undefined ? normalizeTag(query.tag) : undefined;
    const wanted = (d: DiscussionRecord) =>
      (!d.hidden || canModerate || d.authorId === actor.userId) && (query.kind === undefined || d.kind === query.kind) && (tag === undefined || d.tags.includes(tag));

    const pinnedIds = query.cursor ? [] : (community.community.pinnedDiscussionIds ?? []);
    const pinned = (await Promise.all(pinnedIds.map((pid) => cachedSummary(id, pid))))
      .filter((d): d is DiscussionRecord => d !== null && d.pinned === true)
      .filter(wanted)
      .sort((a, b) => (b.pinnedAt?.getTime() ?? 0) - (a.pinnedAt?.getTime() ?? 0));
    const items: DiscussionRecord[] = [];
    let bucket = bucketOf(below - 1);
    let reads = 0;
    let exhausted = false;
    // One bucket at a time: a page of 20 usually fits in the newest bucket of 50.
    while (items.length <= limit) {
      if (bucket < 0 || below <= 1) {
        exhausted = true;
        break;
      }
      if (reads >= MAX_BUCKET_READS) break;
      reads++;
      // The cached bucket is shared and frozen: sort a copy.
      const docs = [...(await cachedSummariesInBucket(id, bucket))].sort((a, b) => b.seq - a.seq);
      for (const d of docs) if (d.seq < below && !d.pinned && wanted(d)) items.push(d);
      bucket--;
    }
    const shown = items.slice(0, limit);
    const last = shown[shown.length - 1];
    let nextCursor: string | undefined;
    if (items.length > limit && last) nextCursor = encodeSeqCursor(last.seq);
    else if (!exhausted) nextCursor = encodeSeqCursor(firstSeqOf(bucket + 1));
    const markers = await this.markersIn(actor, id);
    return {
      items: [...pinned, ...shown].map((d) => summaryOf(actor, d, markers.get(String(d._id)))),
      ...(nextCursor !== undefined ? { nextCursor } : {}),
    };
  }

  async update(actor: Actor, discussionId: string, input: UpdateDiscussionInput): Promise<DiscussionView> {
    const access = await resolveDiscussionAccess(actor, discussionId);
    const d = access.discussion;
    const now = this.now();
    const set: Record<string, unknown> = {};
    const push: Record<string, unknown> = {};
    const contentChange = input.title !== undefined || input.body !== undefined || input.tags !== undefined || input.mentions !== undefined || input.attachments !== undefined;
    let newMentions: string[] = [];
    if (contentChange) {
      access.authorize('discussion.update', d.authorId);
      if (input.title !== undefined) set.title = input.title;
      if (input.body !== undefined) {
        set.body = markdown(input.body);
        set.excerpt = excerptOf(input.body);
      }
      if (input.tags !== undefined) set.tags = normalizeTags(input.tags);
      if (input.mentions !== undefined) {
        const mentions = await visibleMentions(actor, this.deps.people, access.community.community, input.mentions);
        newMentions = mentions.filter((m) => !d.mentions.includes(m));
        set.mentions = mentions;
      }
      if (input.title !== undefined || input.body !== undefined) {
        set.editedAt = now;
        push.history = { title: d.title, body: d.body?.source ?? '', editedAt: now, editedBy: actor.userId };
      }
    }
    let closing: 'closed' | 'open' | undefined;
    if (input.status !== undefined || input.conclusion !== undefined) {
      access.authorize('discussion.close', d.authorId);
      if (input.status === 'closed' || (input.status === undefined && d.status === 'closed')) {
        if (d.status !== 'closed') closing = 'closed';
        set.status = 'closed';
        if (input.conclusion !== undefined) set.conclusion = markdown(input.conclusion);
        if (d.status !== 'closed') {
          set.closedAt = now;
          set.closedBy = actor.userId;
        }
      } else if (input.status === 'open') {
        if (input.conclusion !== undefined) throw new ValidationError('A conclusion belongs to a closed discussion.', [{ path: 'body.conclusion', message: 'only when closing' }]);
        if (d.status === 'closed') closing = 'open';
        set.status = 'open';
      } else {
        throw new ValidationError('A conclusion belongs to a closed discussion.', [{ path: 'body.conclusion', message: 'only when closing' }]);
      }
    }
    if (input.pinned !== undefined) {
      access.authorize('discussion.pin');
      set.pinned = input.pinned;
      set.pinnedAt = input.pinned ? now : null;
    }
    if (input.attachments !== undefined && this.deps.attachments) await this.deps.attachments.replace(actor, d.communityId, { type: 'discussion', id: d._id }, input.attachments);
    const updated = await updateDiscussion(d._id, {}, { $set: set, ...(Object.keys(push).length ? { $push: push } : {}) });
    if (!updated) throw new ConflictError('The discussion was deleted meanwhile.', 'discussion_gone');
    if (input.pinned !== undefined && input.pinned !== (d.pinned === true)) {
      await setDiscussionPinned(d.communityId, d._id, input.pinned);
    }
    await updateDiscussionActivity(d._id, updated.title, updated.excerpt ?? null, { titleChanged: input.title !== undefined, contentChanged: input.title !== undefined || input.body !== undefined });
    // "Who knows about X" counts replies by their discussion's tags.
    if (input.tags !== undefined) await copyTagsToReplies(d._id, updated.tags);
    if (contentChange) await this.indexForSearch(updated);
    if (input.title !== undefined && input.title !== d.title) await this.deps.search.retitleReplies(d._id, updated.title);
    const intents = mentionIntents(actor, { type: 'discussion', id: d._id }, newMentions, { title: updated.title.slice(0, 200) });
    if (closing) {
      const kind = closing === 'closed' ? 'discussionClosed' : 'discussionReopened';
      // Followers who can no longer read the discussion hear nothing of it (as with replies).
      const follows = await followsOfDiscussion(d._id);
      const guestOf = new Map(follows.map((f) => [f.userId, f.isGuest === true]));
      const followers = follows.map((f) => f.userId).filter((id) => id !== actor.userId);
      for (const f of await stillReaders(access.community.community, followers, (id) => guestOf.get(id) ?? false)) {
        intents.push({
          tenantId: actor.tenantId,
          recipientId: f,
          kind,
          subject: { type: 'discussion', id: String(d._id) },
          actorId: actor.userId,
          data: { title: updated.title.slice(0, 200) },
          idempotencyKey: `${kind}:${String(d._id)}:${now.getTime()}:${f}`,
        });
      }
    }
    await this.notify(intents);
    return this.view(actor, { ...access, discussion: updated }, { markRead: false });
  }

  /** Deletes the discussion and everything in it (its author, managers, admins). */
  async delete(actor: Actor, discussionId: string): Promise<void> {
    const access = await resolveDiscussionAccess(actor, discussionId);
    const d = access.discussion;
    access.authorize('discussion.delete', d.authorId);
    if (!(await deleteDiscussion(d._id))) return;
    await countRemovedDiscussion(d.communityId, d.pinned ? d._id : undefined);
    await removeDiscussionContent(d._id, this.deps.search);
    await this.deps.search.remove('discussion', String(d._id));
    await this.deps.attachments?.postRemoved('discussion', d._id);
    if (d.authorId !== actor.userId) {
      await this.deps.audit.record({
        tenantId: actor.tenantId,
        kind: 'discussion.deleted',
        actorId: actor.userId,
        subjectId: String(d._id),
        details: { communityId: String(d.communityId), authorId: d.authorId, title: d.title.slice(0, 120) },
      });
    }
  }

  /** Accepts a reply as the answer to a question (the asker, managers, admins). */
  async acceptAnswer(actor: Actor, discussionId: string, replyId: string): Promise<DiscussionView> {
    const access = await resolveDiscussionAccess(actor, discussionId);
    const d = access.discussion;
    access.authorize('discussion.acceptAnswer', d.authorId);
    if (d.kind !== 'question') throw new ConflictError('Only a question has an answer.', 'not_a_question');
    const reply = await findReplyIn(d._id, replyId);
    if (!reply || reply.removed) throw new ValidationError('That reply is not part of this question.', [{ path: 'body.replyId', message: 'not a reply of this question' }], 'reply_not_in_discussion');
    if (reply.hidden) throw new ConflictError('A hidden reply cannot be the answer.', 'reply_hidden');
    const previous = d.acceptedReplyId;
    const updated = await updateDiscussion(d._id, {}, { $set: { acceptedReplyId: reply._id } });
    if (!updated) throw new ConflictError('The discussion was deleted meanwhile.', 'discussion_gone');
    if (previous && String(previous) !== String(reply._id)) await updateReply(previous, {}, { $set: { accepted: false } });
    await updateReply(reply._id, {}, { $set: { accepted: true } });
    await this.notify([
      {
        tenantId: actor.tenantId,
        recipientId: reply.authorId,
        kind: 'answerAccepted',
        subject: { type: 'reply', id: String(reply._id) },
        actorId: actor.userId,
        data: { title: d.title.slice(0, 200), discussionId: String(d._id) },
        idempotencyKey: `answerAccepted:${String(d._id)}:${String(reply._id)}`,
      },
    ]);
    return this.view(actor, { ...access, discussion: updated }, { markRead: false });
  }

  async clearAnswer(actor: Actor, discussionId: string): Promise<DiscussionView> {
    const access = await resolveDiscussionAccess(actor, discussionId);
    const d = access.discussion;
    access.authorize('discussion.acceptAnswer', d.authorId);
    const updated = await updateDiscussion(d._id, {}, { $set: { acceptedReplyId: null } });
    if (d.acceptedReplyId) await updateReply(d.acceptedReplyId, {}, { $set: { accepted: false } });
    return this.view(actor, { ...access, discussion: updated ?? d }, { markRead: false });
  }

  async follow(actor: Actor, discussionId: string): Promise<{ following: boolean }> {
    const access = await resolveDiscussionAccess(actor, discussionId);
    access.authorize('discussion.follow');
    await this.followQuietly(actor, access.discussion);
    return { following: true };
  }

  async unfollow(actor: Actor, discussionId: string): Promise<{ following: boolean }> {
    const access = await resolveDiscussionAccess(actor, discussionId);
    access.authorize('discussion.read');
    await removeFollow(access.discussion._id, actor.userId);
    return { following: false };
  }

  /** PUT a reaction: one of each kind per person (a repeat changes nothing). */
  async react(actor: Actor, target: ReactionTarget, id: string, kind: ReactionKind): Promise<ReactionsView> {
    return react(actor, target, id, kind);
  }

  async unreact(actor: Actor, target: ReactionTarget, id: string, kind: ReactionKind): Promise<ReactionsView> {
    return unreact(actor, target, id, kind);
  }

  // ---- views ----

  async view(actor: Actor, access: DiscussionAccess, options: { markRead: boolean }): Promise<DiscussionView> {
    const d = access.discussion;
    const [marker, following, mine, files] = await Promise.all([
      findReadMarker(d._id, actor.userId),
      isFollowing(d._id, actor.userId),
      myReactionsTo(d._id, actor.userId),
      this.deps.attachments?.viewsOf('discussion', [d._id]),
    ]);
    if (options.markRead) await this.markRead(actor, d);
    const summary = summaryOf(actor, d, marker ?? undefined);
    const isOpen = d.status === 'open';
    return {
      ...summary,
      body: { source: d.body?.source ?? '', html: d.body?.html ?? '' },
      mentions: d.mentions ?? [],
      conclusion: d.status === 'closed' && d.conclusion?.source ? { source: d.conclusion.source, html: d.conclusion.html ?? '' } : null,
      closedAt: d.closedAt ? d.closedAt.toISOString() : null,
      closedBy: d.closedBy ?? null,
      acceptedReplyId: d.acceptedReplyId ? String(d.acceptedReplyId) : null,
      hiddenReason: d.hidden ? (d.hiddenReason ?? null) : null,
      myReactions: mine,
      following,
      editedAt: d.editedAt ? d.editedAt.toISOString() : null,
      history: (d.history ?? []).map((h) => ({ title: h.title ?? null, body: h.body ?? null, editedAt: h.editedAt.toISOString(), editedBy: h.editedBy })),
      permissions: {
        canEdit: access.can('discussion.update', d.authorId),
        canDelete: access.can('discussion.delete', d.authorId),
        canReply: isOpen && !d.hidden && access.can('discussion.reply'),
        canReact: access.can('discussion.react'),
        canClose: access.can('discussion.close', d.authorId),
        canPin: access.can('discussion.pin'),
        canAcceptAnswer: d.kind === 'question' && access.can('discussion.acceptAnswer', d.authorId),
        canModerate: access.canModerate,
      },
      attachments: files?.get(String(d._id)) ?? [],
    };
  }

  private async prepareAttachments(actor: Actor, communityId: Types.ObjectId, refs: CreateDiscussionInput['attachments']): Promise<PreparedAttachments | null> {
    if (!refs || refs.length === 0) return null;
    if (!this.deps.attachments) throw new ValidationError('Attachments are not available here.', [{ path: 'body.attachments', message: 'not supported' }], 'attachments_unavailable');
    return this.deps.attachments.prepare(actor, communityId, refs);
  }

  private async markersIn(actor: Actor, communityId: Types.ObjectId): Promise<Map<string, ReadMarkerRecord>> {
    const markers = await cachedMarkersIn(communityId, actor.userId);
    return new Map(markers.map((m) => [String(m.discussionId), m]));
  }

  /** Raises the actor's read marker to the discussion's latest reply (never lowers it). */
  async markRead(actor: Actor, d: DiscussionRecord): Promise<void> {
    await raiseReadMarker(d, actor.tenantId, actor.userId, d.counts?.replySeq ?? 0, this.now());
  }

  // ---- helpers ----

  async followQuietly(actor: Actor, d: { _id: Types.ObjectId; communityId: Types.ObjectId }): Promise<void> {
    await addFollow({ tenantId: actor.tenantId, communityId: d.communityId, discussionId: d._id, userId: actor.userId, isGuest: actor.isGuest });
  }


  private async notifyNewDiscussion(actor: Actor, community: CommunityAccess, d: DiscussionRecord, mentions: string[]): Promise<void> {
    const members = await activeMembersOf(community.community._id);
    const admitted = (m: MembershipRecord) => !m.isGuest || community.community.guestsAllowed === true;
    const mentioned = new Set(mentions);
    const data = { title: d.title.slice(0, 200), communityName: community.community.name.slice(0, 120), kind: d.kind };
    const intents = mentionIntents(actor, { type: 'discussion', id: d._id }, mentions, data);
    for (const m of members) {
      if (mentioned.has(m.userId) || !admitted(m)) continue;
      intents.push({
        tenantId: actor.tenantId,
        recipientId: m.userId,
        kind: 'newDiscussion',
        subject: { type: 'discussion', id: String(d._id) },
        actorId: actor.userId,
        data,
        idempotencyKey: `newDiscussion:${String(d._id)}:${m.userId}`,
      });
    }
    await this.notify(intents);
  }

  private async notify(intents: NotificationIntent[]): Promise<void> {
    if (intents.length > 0) await this.deps.notifications.enqueue(intents);
  }

  async indexForSearch(d: DiscussionRecord): Promise<void> {
    await this.deps.search.index({
      tenantId: d.tenantId,
      type: 'discussion',
      itemId: String(d._id),
      communityId: d.communityId,
      discussionId: d._id,
      title: d.title,
      // Attached files' names find the post too.
      keywords: [...d.tags, ...((await this.deps.attachments?.namesOf('discussion', d._id)) ?? [])],
      body: [markdownToText(d.body?.source ?? '')],
      snippet: d.excerpt ?? '',
      at: d.createdAt,
      hidden: d.hidden === true,
    });
  }
}

/** Removes what hangs off a discussion (replies, reactions, follows, markers, activity, search entries). */
export async function removeDiscussionContent(discussionId: Types.ObjectId, search: SearchIndex): Promise<void> {
  await Promise.all([deleteDiscussionContent(discussionId), search.removeWhere({ discussionId })]);
}

/** Removes every discussion of a deleted community (registered with the community service). */
export async function removeCommunityDiscussions(communityId: Types.ObjectId, search: SearchIndex): Promise<void> {
  await Promise.all([deleteCommunityContent(communityId), search.removeWhere({ communityId })]);
}
