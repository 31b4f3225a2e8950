/**
 * A reply as a reader sees it: the part every reader shares, built once per cached version of
 * the reply, and what is the reader's own (concealment, their reactions, their permissions).
 * A thread page is rendered either as objects (the bot, single replies) or straight to JSON
 * text (the HTTP thread page): both from the same parts, which a test holds equal.
 */
import type { Actor } from '../auth/actor.js';
import type { Page } from '../db/pagination.js';
import { derivedOnce } from '../db/read-cache.js';
import { authorView } from '../personal-data/former-member.js';
import type { AttachmentView } from '../attachments/attachments.port.js';
import { replyConcealed, type DiscussionAccess } from './discussion-access.js';
import type { ReactionKind } from './discussion.model.js';
import type { ReplyBaseView, ReplyView } from './discussion.schemas.js';
import { reactionCounts } from './discussion-summaries.js';
import type { ReplyRecord } from './reply.model.js';

/** What every reader sees of a reply (before concealment, their reactions and their permissions). */
export type SharedReplyView = Omit<ReplyBaseView, 'myReactions' | 'permissions'>;
type Permissions = ReplyBaseView['permissions'];

export function sharedView(x: ReplyRecord): SharedReplyView {
  return {
    id: String(x._id),
    discussionId: String(x.discussionId),
    parentId: x.parentId ? String(x.parentId) : null,
    author: authorView(x.authorId, x.authorName),
    body: { source: x.body?.source ?? '', html: x.body?.html ?? '' },
    removed: x.removed === true,
    hidden: x.hidden === true,
    accepted: x.accepted === true,
    mentions: x.mentions ?? [],
    reactions: reactionCounts(x.counts?.reactions),
    editedAt: x.editedAt ? x.editedAt.toISOString() : null,
    createdAt: x.createdAt.toISOString(),
  };
}

/**
 * The shared view of a reply from the read cache, built once per cached version (the cache's
 * records are frozen, so a new version is a new object), not per request: a 50-reply page
 * spent a sixth of its CPU re-deriving ids, dates and counts that no reader changes.
 */
export const sharedViewOf = derivedOnce(sharedView);

/**
 * The shared view as JSON text, in two pieces: everything but the content (an object left
 * open), and the content ("body" and "mentions"), which a concealed reply replaces.
 */
const sharedTextOf = derivedOnce((x: ReplyRecord): { open: string; content: string } => {
  const { body, mentions, ...rest } = sharedViewOf(x);
  return { open: JSON.stringify(rest).slice(0, -1), content: `"body":${JSON.stringify(body)},"mentions":${JSON.stringify(mentions)}` };
});
const CONCEALED_CONTENT = '"body":null,"mentions":[]';

/**
 * What the actor may do with a (not removed) reply by `authorId`, decided once per author and
 * request: the policy depends on the actor, the community and the owner, not on the reply, and
 * a 50-reply page asked it a hundred times for a handful of authors.
 */
const permissionsByAccess = new WeakMap<DiscussionAccess, Map<string, { view: Permissions; text: string }>>();
function permissionsOf(access: DiscussionAccess, x: ReplyRecord): { view: Permissions; text: string } {
  // A removed reply: nothing to edit or delete, whoever wrote it.
  const key = x.removed ? '' : x.authorId;
  let byAuthor = permissionsByAccess.get(access);
  if (!byAuthor) {
    byAuthor = new Map();
    permissionsByAccess.set(access, byAuthor);
  }
  let found = byAuthor.get(key);
  if (!found) {
    const view: Permissions = Object.freeze(
      x.removed
        ? { canEdit: false, canDelete: false, canModerate: access.canModerate }
        : { canEdit: access.can('reply.update', x.authorId), canDelete: access.can('reply.delete', x.authorId), canModerate: access.canModerate },
    );
    found = { view, text: JSON.stringify(view) };
    byAuthor.set(key, found);
  }
  return found;
}

/** The reader's own reactions, by reply id (a Set: none to show, as for a reply just written). */
export type MyReactions = Map<string, ReactionKind[]> | Set<string>;

/**
 * A reply as `actor` sees it. `shared` gives the part that is the same for every reader; a
 * thread page passes `sharedViewOf`, built once per cached version of the reply.
 */
export function replyView(actor: Actor, access: DiscussionAccess, r: ReplyRecord, nested: readonly ReplyRecord[], mine: MyReactions, shared: (x: ReplyRecord) => SharedReplyView = sharedView): ReplyView {
  const base = (x: ReplyRecord): ReplyBaseView => {
    const concealed = replyConcealed(actor, x, access.canModerate);
    const view = shared(x);
    return {
      ...view,
      body: concealed ? null : view.body,
      mentions: concealed ? [] : view.mentions,
      myReactions: mine instanceof Map ? (mine.get(view.id) ?? []) : [],
      permissions: permissionsOf(access, x).view,
    };
  };
  return { ...base(r), replies: nested.map(base) };
}

/** A reply and its nested replies with their files (a removed or concealed reply shows none): `files` null when files are off. */
export function withFiles(view: ReplyView, files: Map<string, AttachmentView[]> | null): ReplyView {
  const one = <T extends ReplyBaseView>(v: T): T => (files && v.body !== null ? { ...v, attachments: files.get(v.id) ?? [] } : v);
  return { ...one(view), replies: view.replies.map(one) };
}

/** One thread page's replies and what is the reader's own, read once for the page. */
export interface ThreadPageParts {
  actor: Actor;
  access: DiscussionAccess;
  /** Top-level replies in order, each with its nested replies in order. */
  threads: readonly { reply: ReplyRecord; nested: readonly ReplyRecord[] }[];
  mine: Map<string, ReactionKind[]>;
  /** The replies' files, or null when files are off. */
  files: Map<string, AttachmentView[]> | null;
  nextCursor?: string;
}

/** A thread page, read once, rendered as objects (the bot) or as JSON text (the HTTP API). */
export class ThreadPage {
  constructor(private readonly parts: ThreadPageParts) {}

  view(): Page<ReplyView> {
    return threadPageView(this.parts);
  }

  json(): string {
    return threadPageText(this.parts);
  }
}

/** The page as objects. */
function threadPageView(page: ThreadPageParts): { items: ReplyView[]; nextCursor?: string } {
  const items = page.threads.map(({ reply, nested }) => withFiles(replyView(page.actor, page.access, reply, nested, page.mine, sharedViewOf), page.files));
  return { items, ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}) };
}

/**
 * The page as JSON text: the same value as `JSON.stringify(threadPageView(page))` (up to the
 * order of keys), without building an object per reply and serialising it again per request.
 * A 50-reply page spent a quarter of its CPU on those objects and their serialisation.
 */
function threadPageText(page: ThreadPageParts): string {
  const { actor, access, mine, files } = page;
  const one = (x: ReplyRecord): string => {
    const concealed = replyConcealed(actor, x, access.canModerate);
    const text = sharedTextOf(x);
    const id = String(x._id);
    const reactions = mine.get(id);
    const attachments = files && !concealed ? `,"attachments":${JSON.stringify(files.get(id) ?? [])}` : '';
    return `${text.open},${concealed ? CONCEALED_CONTENT : text.content},"myReactions":${reactions ? JSON.stringify(reactions) : '[]'},"permissions":${permissionsOf(access, x).text}${attachments}`;
  };
  const items = page.threads.map(({ reply, nested }) => `${one(reply)},"replies":[${nested.map((n) => `${one(n)}}`).join(',')}]}`);
  return `{"items":[${items.join(',')}]${page.nextCursor ? `,"nextCursor":${JSON.stringify(page.nextCursor)}` : ''}}`;
}
