/**
 * The bot's DiscussionsPort over the communities capability's services. Access is the
 * services' own: lists start from the communities the actor is an active member of (so a
 * secret community never shows to outsiders), and every discussion is loaded through the
 * same access check as the API (unknown, hidden or concealed ones are "not found").
 *
 * A card shows a discussion without marking it read: it shows only the excerpt and the last
 * few replies, and opening it in the tab is what reading means there.
 */
import type { Actor } from '../src/auth/actor.js';
import type { CommunityService } from '../src/communities/community.service.js';
import type { CommunityView } from '../src/communities/community.schemas.js';
import { markdownToText } from '../src/content/markdown.js';
import { MAX_PAGE_SIZE } from '../src/db/pagination.js';
import { NotFoundError } from '../src/errors/domain-errors.js';
import { resolveDiscussionAccess } from '../src/discussions/discussion-access.js';
import { createDiscussionSchema, createReplySchema, type DiscussionSummaryView } from '../src/discussions/discussion.schemas.js';
import type { DiscussionService } from '../src/discussions/discussion.service.js';
import { encodeSeqCursor } from '../src/discussions/feed-buckets.js';
import type { ReplyService } from '../src/discussions/reply.service.js';
import { parseOrThrow } from '../src/http/api-spec.js';
import type { DiscussionSummary, DiscussionsPort } from './ports.js';

export interface ServiceDiscussionsPortDeps {
  communities: Pick<CommunityService, 'list'>;
  discussions: Pick<DiscussionService, 'listForCommunity' | 'create' | 'follow' | 'unfollow' | 'view'>;
  replies: Pick<ReplyService, 'create' | 'page'>;
}

/** The latest list reads at most this many of the actor's communities (the most recently active). */
const MAX_SOURCE_COMMUNITIES = 20;
/** Communities are read a page at a time; nobody belongs to more than this many pages of them. */
const MAX_COMMUNITY_PAGES = 10;
/** A card shows the last three replies; the last threads are read to find them. */
const LATEST_REPLIES = 3;
const REPLY_TEXT_LENGTH = 200;
/** The ask card's community picker; more choices make the card unwieldy (and large). */
const MAX_ASKABLE = 100;

export class ServiceDiscussionsPort implements DiscussionsPort {
  constructor(private readonly deps: ServiceDiscussionsPortDeps) {}

  /** The newest discussions (by when they were started) in the communities the actor belongs to. */
  async latest(actor: Actor, limit: number): Promise<DiscussionSummary[]> {
    const mine = (await this.myCommunities(actor)).filter((c) => c.membership?.status === 'active' && c.permissions.canRead);
    mine.sort((a, b) => (b.lastActivityAt ?? b.createdAt).localeCompare(a.lastActivityAt ?? a.createdAt));
    const lists = await Promise.all(
      mine.slice(0, MAX_SOURCE_COMMUNITIES).map((c) =>
        // One page per community holds its newest `limit`, so together they hold the newest `limit` overall.
        this.deps.discussions.listForCommunity(actor, c.id, { limit }).then(
          (page) => page.items,
          (err: unknown) => ignoreGone(err, [] as DiscussionSummaryView[]),
        ),
      ),
    );
    const newest = lists
      .flat()
      .filter((d) => !d.hidden)
      .sort((a, b) => b.createdAt.localeCompare(a.createdAt) || (a.id < b.id ? 1 : -1))
      .slice(0, limit);
    const summaries = await Promise.all(newest.map((d) => this.get(actor, d.id).catch((err: unknown) => ignoreGone(err, null))));
    return summaries.filter((s): s is DiscussionSummary => s !== null);
  }

  async get(actor: Actor, discussionId: string): Promise<DiscussionSummary> {
    const access = await resolveDiscussionAccess(actor, discussionId);
    const threads = access.discussion.counts?.threadSeq ?? 0;
    const [view, replies] = await Promise.all([
      this.deps.discussions.view(actor, access, { markRead: false }),
      threads === 0
        ? Promise.resolve({ items: [] })
        : this.deps.replies.page(actor, discussionId, { limit: LATEST_REPLIES, ...(threads > LATEST_REPLIES ? { cursor: encodeSeqCursor(threads - LATEST_REPLIES) } : {}) }).then((page) => page.view()),
    ]);
    // The last threads with their nested replies, in the order they were written.
    const shown = replies.items
      .flatMap((r) => [r, ...r.replies])
      .filter((r) => r.body !== null)
      .sort((a, b) => a.createdAt.localeCompare(b.createdAt))
      .slice(-LATEST_REPLIES);
    const latestReplies = shown.map((r) => ({ author: r.author.displayName, ...(r.author.erased ? { authorErased: true as const } : {}), text: oneLine(markdownToText(r.body?.source ?? ''), REPLY_TEXT_LENGTH) }));
    const files = [...(view.attachments ?? []), ...shown.flatMap((r) => r.attachments ?? [])].map((a) => ({ name: a.name, size: a.size, url: a.available ? a.webUrl : null }));
    return {
      id: view.id,
      title: view.title,
      excerpt: view.excerpt,
      communityId: view.communityId,
      communityName: access.community.community.name,
      authorName: view.author.displayName,
      // The API's displayName of an erased author is in the organisation's language; the card names them in its own.
      ...(view.author.erased ? { authorErased: true as const } : {}),
      replyCount: view.replyCount,
      lastActivityAt: new Date(view.lastActivityAt),
      latestReplies,
      following: view.following,
      canReply: view.permissions.canReply,
      files,
    };
  }

  /** Posts a question (or a discussion); without details, the title itself is its text. */
  async ask(actor: Actor, input: { communityId: string; title: string; body: string; kind?: 'question' | 'discussion' }): Promise<DiscussionSummary> {
    const title = input.title.trim();
    const parsed = parseOrThrow(createDiscussionSchema, { kind: input.kind ?? 'question', title, body: input.body.trim() === '' ? title : input.body }, 'body');
    const created = await this.deps.discussions.create(actor, input.communityId, parsed);
    return this.get(actor, created.id);
  }

  async reply(actor: Actor, discussionId: string, text: string): Promise<DiscussionSummary> {
    await this.deps.replies.create(actor, discussionId, parseOrThrow(createReplySchema, { body: text }, 'body'));
    return this.get(actor, discussionId);
  }

  async follow(actor: Actor, discussionId: string, follow: boolean): Promise<DiscussionSummary> {
    if (follow) await this.deps.discussions.follow(actor, discussionId);
    else await this.deps.discussions.unfollow(actor, discussionId);
    return this.get(actor, discussionId);
  }

  /** Where the policy lets the actor start a discussion (a guest only where guests are admitted). */
  async askableCommunities(actor: Actor): Promise<{ id: string; name: string }[]> {
    return (await this.myCommunities(actor))
      .filter((c) => c.permissions.canPost)
      .map((c) => ({ id: c.id, name: c.name }))
      .sort((a, b) => a.name.localeCompare(b.name, 'nl', { sensitivity: 'base' }))
      .slice(0, MAX_ASKABLE);
  }

  private async myCommunities(actor: Actor): Promise<CommunityView[]> {
    const all: CommunityView[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < MAX_COMMUNITY_PAGES; page++) {
      const result = await this.deps.communities.list(actor, { mine: true, limit: MAX_PAGE_SIZE, ...(cursor ? { cursor } : {}) });
      all.push(...result.items);
      cursor = result.nextCursor;
      if (!cursor) break;
    }
    return all;
  }
}

/** Something deleted (or closed to the actor) between listing and reading is left out. */
function ignoreGone<T>(err: unknown, value: T): T {
  if (err instanceof NotFoundError) return value;
  throw err;
}

function oneLine(text: string, max: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}
