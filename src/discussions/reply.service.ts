/**
 * Replies: write (one level of nesting: a reply to a nested reply is attached to its
 * parent), read a thread page by page, edit (history kept, marked edited), delete (a
 * "removed" placeholder keeps the thread's shape). Writing a reply makes the writer follow
 * the discussion and tells its followers (and the people mentioned).
 */
import mongoose from 'mongoose';
import type { Actor } from '../auth/actor.js';
import { takeActivitySeq } from '../communities/communities.port.js';
import { excerptOf, markdown, markdownToText } from '../content/markdown.js';
import { MAX_PAGE_SIZE } from '../db/pagination.js';
import { ConflictError, ValidationError } from '../errors/domain-errors.js';
import { NOTIFICATION_FILES, type NotificationIntent } from '../notifications/notification-outbox.js';
import { replyConcealed, resolveDiscussionAccess, resolveReplyAccess, type DiscussionAccess } from './discussion-access.js';
import type { DiscussionRecord, ReactionKind } from './discussion.model.js';
import type { CreateReplyInput, ReplyView, UpdateReplyInput } from './discussion.schemas.js';
import type { DiscussionService, DiscussionServiceDeps } from './discussion.service.js';
import { bucketOf, decodeSeqCursor, encodeSeqCursor } from './feed-buckets.js';
import { mentionIntents, stillReaders, visibleMentions } from './mentions.js';
import type { ReplyRecord } from './reply.model.js';
import {
  createReply,
  deleteReactionsTo,
  deleteReplyActivity,
  findReplyIn,
  followsOfDiscussion,
  myReactionsTo,
  recordActivity,
  repliesTagged,
  updateDiscussion,
  updateReply,
  updateReplyActivityExcerpt,
} from './discussions.repository.js';
import { cachedReactionsIn, cachedRepliesInBucket } from './discussion-read-cache.js';
import { replyView, ThreadPage, withFiles, type MyReactions, type ThreadPageParts } from './reply-views.js';
import { clockOf, type Clock } from '../time/clock.js';

export interface ReplyServiceDeps extends DiscussionServiceDeps {
  discussions: DiscussionService;
}

const DEFAULT_THREAD_PAGE = 50;

export class ReplyService {
  private readonly now: Clock;

  constructor(private readonly deps: ReplyServiceDeps) {
    this.now = clockOf(deps);
  }

  async create(actor: Actor, discussionId: string, input: CreateReplyInput): Promise<ReplyView> {
    const access = await resolveDiscussionAccess(actor, discussionId);
    access.authorize('discussion.reply');
    const d = access.discussion;
    if (d.hidden) throw new ConflictError('This discussion is hidden.', 'discussion_hidden');
    let parent: ReplyRecord | null = null;
    if (input.parentId !== undefined) {
      parent = await findReplyIn(d._id, input.parentId);
      if (!parent) throw new ValidationError('That reply is not part of this discussion.', [{ path: 'body.parentId', message: 'not a reply of this discussion' }], 'parent_not_in_discussion');
      if (parent.parentId) {
        // One level of nesting: answer the top-level reply instead.
        parent = await findReplyIn(d._id, parent.parentId);
        if (!parent) throw new ValidationError('That reply is not part of this discussion.', [{ path: 'body.parentId', message: 'not a reply of this discussion' }], 'parent_not_in_discussion');
      }
    }
    const now = this.now();
    const [mentions, author] = await Promise.all([
      visibleMentions(actor, this.deps.people, access.community.community, input.mentions),
      this.deps.people.find(actor.tenantId, actor.userId),
    ]);
    const authorName = author?.displayName ?? actor.name;
    // The guard `status: open` makes "close" and "reply" exclusive: a reply never lands in a closed discussion.
    // Files are shared before the reply exists and taken back if it cannot be written (nothing posted half).
    const files = input.attachments?.length && this.deps.attachments ? await this.deps.attachments.prepare(actor, d.communityId, input.attachments) : null;
    const counters = await updateDiscussion(d._id, { status: 'open' }, { $inc: { 'counts.replies': 1, 'counts.replySeq': 1, 'counts.threadSeq': parent ? 0 : 1 }, $set: { lastActivityAt: now } });
    if (!counters) {
      await files?.rollback();
      throw new ConflictError('This discussion is closed: it takes no more replies.', 'discussion_closed');
    }
    const seq = counters.counts?.replySeq ?? 0;
    const threadSeq = parent ? parent.threadSeq : (counters.counts?.threadSeq ?? 0);
    const body = markdown(input.body);
    let reply: ReplyRecord;
    try {
      reply = await createReply({
          tenantId: actor.tenantId,
          communityId: d.communityId,
          discussionId: d._id,
          ...(parent ? { parentId: parent._id } : {}),
          authorId: actor.userId,
          authorName,
          seq,
          threadSeq,
          bucket: bucketOf(threadSeq),
          body,
          mentions,
        tags: d.tags ?? [],
      });
      await files?.commit({ type: 'reply', id: reply._id, discussionId: d._id });
    } catch (err) {
      await updateDiscussion(d._id, {}, { $inc: { 'counts.replies': -1 } });
      await files?.rollback();
      throw err;
    }
    const excerpt = excerptOf(input.body);
    const activitySeq = await takeActivitySeq(d.communityId, now);
    await Promise.all([
      activitySeq > 0
        ? recordActivity({
            tenantId: actor.tenantId,
            communityId: d.communityId,
            seq: activitySeq,
            bucket: bucketOf(activitySeq),
            kind: 'reply',
            discussionId: d._id,
            replyId: reply._id,
            authorId: actor.userId,
            authorName,
            title: d.title,
            excerpt,
            at: now,
          })
        : Promise.resolve(),
      this.deps.discussions.followQuietly(actor, d),
      this.deps.discussions.markRead(actor, { ...d, counts: { ...d.counts, replySeq: seq } } as DiscussionRecord),
      this.indexForSearch(reply, d),
    ]);
    const view = await this.viewWithFiles(actor, access, reply, new Set());
    await this.notifyReply(actor, access, reply, parent, mentions, view.attachments ?? []);
    return view;
  }

  /**
   * A page of the thread: top-level replies oldest first, each with its nested replies; the
   * caller renders it as objects or as JSON text (reply-views.ts).
   */
  async page(actor: Actor, discussionId: string, query: { cursor?: string; limit?: number }): Promise<ThreadPage> {
    return new ThreadPage(await this.threadPage(actor, discussionId, query));
  }

  private async threadPage(actor: Actor, discussionId: string, query: { cursor?: string; limit?: number }): Promise<ThreadPageParts> {
    const access = await resolveDiscussionAccess(actor, discussionId, { forRead: true });
    access.authorize('discussion.read');
    const d = access.discussion;
    const limit = Math.min(query.limit ?? DEFAULT_THREAD_PAGE, MAX_PAGE_SIZE);
    let after = 0;
    if (query.cursor) {
      const cursor = decodeSeqCursor(query.cursor);
      if (!cursor) throw new ValidationError('The cursor is not valid; start again without one.', [{ path: 'query.cursor', message: 'invalid cursor' }], 'invalid_cursor');
      after = cursor.seq;
    }
    const top = d.counts?.threadSeq ?? 0;
    const first = after + 1;
    const last = Math.min(top, after + limit);
    const empty: ThreadPageParts = { actor, access, threads: [], mine: new Map(), files: null };
    if (first > last) return empty;
    // Top-level replies are numbered 1, 2, ... without gaps, so the buckets of a page are known in advance.
    const buckets: number[] = [];
    for (let b = bucketOf(first); b <= bucketOf(last); b++) buckets.push(b);
    const [docs, mine] = await Promise.all([
      // A thread page shows no edit history (GET /replies/{id} does) and no tags (copied for "who knows about X").
      Promise.all(buckets.map((b) => cachedRepliesInBucket(d._id, b))).then((all) => all.flat()),
      cachedReactionsIn(d._id, actor.userId),
    ]);
    const myReactions = new Map<string, ReactionKind[]>();
    for (const r of mine) myReactions.set(String(r.targetId), [...(myReactions.get(String(r.targetId)) ?? []), r.kind as ReactionKind]);
    const inRange = docs.filter((r) => r.threadSeq >= first && r.threadSeq <= last);
    const children = new Map<string, ReplyRecord[]>();
    for (const r of inRange) if (r.parentId) children.set(String(r.parentId), [...(children.get(String(r.parentId)) ?? []), r]);
    const tops = inRange.filter((r) => !r.parentId).sort((a, b) => a.threadSeq - b.threadSeq);
    const threads = tops.map((reply) => ({ reply, nested: (children.get(String(reply._id)) ?? []).sort((a, b) => a.seq - b.seq) }));
    const shown = threads.flatMap(({ reply, nested }) => [reply, ...nested]).filter((x) => !replyConcealed(actor, x, access.canModerate));
    const files = this.deps.attachments ? await this.deps.attachments.viewsOf('reply', shown.map((x) => x._id)) : null;
    return { ...empty, threads, mine: myReactions, files, ...(last < top ? { nextCursor: encodeSeqCursor(last) } : {}) };
  }

  /** A single reply as `actor` sees it, with its files (one read); a removed or concealed reply shows none. */
  private async viewWithFiles(actor: Actor, access: DiscussionAccess, reply: ReplyRecord, mine: MyReactions): Promise<ReplyView> {
    const view = replyView(actor, access, reply, [], mine);
    const files = this.deps.attachments && view.body !== null ? await this.deps.attachments.viewsOf('reply', [reply._id]) : null;
    return withFiles(view, files);
  }

  async get(actor: Actor, replyId: string): Promise<ReplyView> {
    const access = await resolveReplyAccess(actor, replyId);
    const mine = await myReactionsTo(access.reply._id, actor.userId);
    // With its files: the tab shows an edited reply from this answer.
    const view = await this.viewWithFiles(actor, access, access.reply, new Map([[String(access.reply._id), mine]]));
    const visible = view.body !== null;
    return {
      ...view,
      history: visible ? (access.reply.history ?? []).map((h) => ({ body: h.body ?? null, editedAt: h.editedAt.toISOString(), editedBy: h.editedBy })) : [],
    };
  }

  async update(actor: Actor, replyId: string, input: UpdateReplyInput): Promise<ReplyView> {
    const access = await resolveReplyAccess(actor, replyId);
    const r = access.reply;
    access.authorize('reply.update', r.authorId);
    if (r.removed) throw new ConflictError('This reply was removed.', 'reply_removed');
    const now = this.now();
    const set: Record<string, unknown> = { body: markdown(input.body), editedAt: now };
    let newMentions: string[] = [];
    if (input.mentions !== undefined) {
      const mentions = await visibleMentions(actor, this.deps.people, access.community.community, input.mentions);
      newMentions = mentions.filter((m) => !(r.mentions ?? []).includes(m));
      set.mentions = mentions;
    }
    const updated = await updateReply(r._id, { removed: false }, { $set: set, $push: { history: { body: r.body?.source ?? '', editedAt: now, editedBy: actor.userId } } });
    if (!updated) throw new ConflictError('This reply was removed meanwhile.', 'reply_removed');
    if (input.attachments !== undefined && this.deps.attachments) await this.deps.attachments.replace(actor, r.communityId, { type: 'reply', id: r._id, discussionId: r.discussionId }, input.attachments);
    await updateReplyActivityExcerpt(r._id, excerptOf(input.body));
    await this.indexForSearch(updated, access.discussion);
    await this.notify(
      mentionIntents(actor, { type: 'reply', id: r._id }, newMentions, { title: access.discussion.title.slice(0, 200), discussionId: String(access.discussion._id) }),
    );
    return this.get(actor, replyId);
  }

  /** Leaves a "removed" placeholder (its author, managers, admins). */
  async delete(actor: Actor, replyId: string): Promise<void> {
    const access = await resolveReplyAccess(actor, replyId);
    const r = access.reply;
    access.authorize('reply.delete', r.authorId);
    if (r.removed) return;
    const removed = await updateReply(
      r._id,
      { removed: false },
      { $set: { removed: true, removedBy: actor.userId, removedAt: this.now(), body: { source: '', html: '' }, history: [], mentions: [], accepted: false } },
    );
    if (!removed) return;
    await updateDiscussion(r.discussionId, { 'counts.replies': mongoose.trusted({ $gt: 0 }) }, { $inc: { 'counts.replies': -1 } });
    if (access.discussion.acceptedReplyId && String(access.discussion.acceptedReplyId) === String(r._id)) {
      await updateDiscussion(r.discussionId, {}, { $set: { acceptedReplyId: null } });
    }
    await Promise.all([deleteReplyActivity(r._id), this.deps.search.remove('reply', String(r._id)), deleteReactionsTo(r._id)]);
    await this.deps.attachments?.postRemoved('reply', r._id);
    if (r.authorId !== actor.userId) {
      await this.deps.audit.record({
        tenantId: actor.tenantId,
        kind: 'reply.removed',
        actorId: actor.userId,
        subjectId: String(r._id),
        details: { discussionId: String(r.discussionId), authorId: r.authorId },
      });
    }
  }

  private async notifyReply(actor: Actor, access: DiscussionAccess, reply: ReplyRecord, parent: ReplyRecord | null, mentions: string[], files: readonly { name: string; size: number; webUrl: string | null; available: boolean }[]): Promise<void> {
    const d = access.discussion;
    const community = access.community.community;
    // The card's file list: the first few files' names, sizes and links, and how many there are; nothing without files.
    const fileData: NonNullable<NotificationIntent['data']> =
      files.length > 0 ? { files: files.slice(0, NOTIFICATION_FILES).map((f) => ({ name: f.name.slice(0, 200), size: f.size, url: f.available ? f.webUrl : null })), fileCount: files.length } : {};
    const data = { title: d.title.slice(0, 200), discussionId: String(d._id), communityName: community.name.slice(0, 120), ...fileData };
    const intents = mentionIntents(actor, { type: 'reply', id: reply._id }, mentions, data);
    const mentioned = new Set(mentions);
    const follows = await followsOfDiscussion(d._id);
    const recipients = new Set(follows.map((f) => f.userId));
    if (parent) recipients.add(parent.authorId);
    recipients.delete(actor.userId);
    for (const m of mentioned) recipients.delete(m);
    const guestOf = new Map(follows.map((f) => [f.userId, f.isGuest === true]));
    for (const userId of await stillReaders(community, recipients, (id) => guestOf.get(id) ?? false)) {
      intents.push({
        tenantId: actor.tenantId,
        recipientId: userId,
        kind: 'reply',
        subject: { type: 'reply', id: String(reply._id) },
        actorId: actor.userId,
        data,
        idempotencyKey: `reply:${String(reply._id)}:${userId}`,
      });
    }
    await this.notify(intents);
  }

  private async notify(intents: NotificationIntent[]): Promise<void> {
    if (intents.length > 0) await this.deps.notifications.enqueue(intents);
  }

  async indexForSearch(r: ReplyRecord, d: DiscussionRecord): Promise<void> {
    if (r.removed) return;
    await this.deps.search.index({
      tenantId: r.tenantId,
      type: 'reply',
      itemId: String(r._id),
      communityId: r.communityId,
      discussionId: r.discussionId,
      title: d.title,
      // The discussion's title names the reply in results; only the reply's own words make it match.
      weighTitle: false,
      keywords: (await this.deps.attachments?.namesOf('reply', r._id)) ?? [],
      body: [markdownToText(r.body?.source ?? '')],
      at: r.createdAt,
      hidden: r.hidden === true,
    });
  }
}

/** For "who knows about X": replies per author in discussions tagged with the tag, in these communities. */
/** How many of a tag's replies the experts ranking weighs: the newest, so a popular tag's cost stays fixed. */
export const MAX_TAGGED_REPLIES = 5000;

export async function repliesByTag(tenantId: string, tag: string, communityIds: Set<string>): Promise<ReplyRecord[]> {
  const rows = await repliesTagged(tenantId, tag, MAX_TAGGED_REPLIES);
  return rows.filter((r) => !r.removed && !r.hidden && communityIds.has(String(r.communityId)));
}

