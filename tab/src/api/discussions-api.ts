/**
 * Discussions and replies (`/api/v1/discussions`, `/communities/{id}/discussions`,
 * `/replies`), reactions, following, accepting an answer, and reports. The readers below
 * turn the API's answers into the shapes the pages use, so one place knows the wire format.
 */
import type { ApiClient } from './api-client.js';
import { readAttachments, type Attachment, type AttachmentRef } from './attachments-api.js';
import type { Page, PageOptions } from './page.js';

export const REACTION_KINDS = ['like', 'thanks', 'insightful', 'agree', 'celebrate'] as const;
export type ReactionKind = (typeof REACTION_KINDS)[number];
export type ReactionCounts = Record<ReactionKind, number>;
export type DiscussionKind = 'discussion' | 'question';

export interface PersonRef {
  id: string;
  name: string;
  isGuest: boolean;
  /** The author was erased: shown as "Former member" (components/author-name.ts). */
  erased?: boolean;
}

export interface Markdown {
  source: string;
  html: string;
}

export interface Discussion {
  id: string;
  communityId: string;
  communityName: string | undefined;
  kind: DiscussionKind;
  title: string;
  body: Markdown;
  tags: string[];
  author: PersonRef;
  status: 'open' | 'closed';
  pinned: boolean;
  acceptedReplyId: string | null;
  /** A question with an accepted answer. */
  answered: boolean;
  /** A plain-text opening of the body (lists). */
  excerpt: string;
  replyCount: number;
  reactions: ReactionCounts;
  myReactions: ReactionKind[];
  following: boolean;
  createdAt: string;
  lastActivityAt: string;
  editedAt: string | null;
  /** The conclusion it was closed with, when it has one. */
  conclusion: Markdown | null;
  closedAt: string | null;
  /** The files attached, in order. */
  attachments: Attachment[];
  permissions: { canReply: boolean; canEdit: boolean; canAccept: boolean; canModerate: boolean; canClose: boolean; canPin: boolean; canDelete: boolean };
}

export interface Reply {
  id: string;
  discussionId: string;
  parentId: string | null;
  author: PersonRef;
  body: Markdown;
  removed: boolean;
  hidden: boolean;
  reactions: ReactionCounts;
  myReactions: ReactionKind[];
  createdAt: string;
  editedAt: string | null;
  /** Nested replies (one level), oldest first. */
  children: Reply[];
  /** Mine to change (the author), or a manager's to remove. */
  permissions: { canEdit: boolean; canDelete: boolean };
  /** Earlier versions, oldest first: only when read one at a time (`getReply`). */
  history: ReplyVersion[];
  /** The files attached, in order (none on a removed or hidden reply). */
  attachments: Attachment[];
}

/** The text a reply had before an edit, and when it was replaced. */
export interface ReplyVersion {
  body: string;
  editedAt: string;
}

/** My reactions and the counts after a change, as the server has them. */
export interface ReactionState {
  reactions: ReactionCounts;
  mine: ReactionKind[];
}

export interface NewDiscussion {
  title: string;
  body: string;
  kind: DiscussionKind;
  tags?: string[];
  /** Ids of the people @mentioned in the body. */
  mentions?: string[];
  /** The files, in order; on an edit, all of them (leave out to keep them as they are). */
  attachments?: AttachmentRef[];
}

export interface NewReply {
  body: string;
  parentId?: string;
  /** Ids of the people @mentioned in the body. */
  mentions?: string[];
  attachments?: AttachmentRef[];
}

export const REPORT_REASONS = ['spam', 'abuse', 'other'] as const;
export type ReportReason = (typeof REPORT_REASONS)[number];

export interface NewReport {
  targetType: 'discussion' | 'reply';
  targetId: string;
  reason: ReportReason;
  /** Required with `other`: what is wrong. */
  text?: string;
}

export interface Report {
  id: string;
  communityId: string | null;
  targetType: string;
  targetId: string;
  reason: string;
  text: string;
  /** Open reports of the same content. */
  reportCount: number;
  targetHidden: boolean;
  createdAt: string;
  status: string;
}

type Raw = Record<string, unknown>;

function record(value: unknown): Raw {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Raw) : {};
}
function text(value: unknown, fallback = ''): string {
  return typeof value === 'string' ? value : fallback;
}
function optionalText(value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? value : null;
}
function count(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) ? value : 0;
}
function isReactionKind(value: unknown): value is ReactionKind {
  return typeof value === 'string' && (REACTION_KINDS as readonly string[]).includes(value);
}

function readMarkdown(value: unknown): Markdown {
  if (typeof value === 'string') return { source: value, html: '' };
  const m = record(value);
  return { source: text(m.source), html: text(m.html) };
}

function readPerson(raw: Raw, key: 'author'): PersonRef {
  const nested = record(raw[key]);
  const id = text(nested.id, text(nested.userId, text(raw[`${key}Id`])));
  const name = text(nested.name, text(nested.displayName, text(raw[`${key}Name`], id)));
  return { id, name, isGuest: nested.isGuest === true, ...(nested.erased === true ? { erased: true } : {}) };
}

function readReactions(raw: Raw): ReactionCounts {
  const counts = record(record(raw.counts).reactions);
  const flat = record(raw.reactions);
  const source = Object.keys(counts).length > 0 ? counts : flat;
  return Object.fromEntries(REACTION_KINDS.map((k) => [k, count(source[k])])) as ReactionCounts;
}

function readMine(raw: Raw): ReactionKind[] {
  const viewer = record(raw.viewer);
  const list = raw.myReactions ?? viewer.reactions ?? raw.reacted;
  return Array.isArray(list) ? list.filter(isReactionKind) : [];
}

export function readDiscussion(value: unknown): Discussion {
  const raw = record(value);
  const viewer = record(raw.viewer);
  const permissions = record(raw.permissions);
  const community = record(raw.community);
  return {
    id: text(raw.id),
    communityId: text(raw.communityId, text(community.id)),
    communityName: typeof raw.communityName === 'string' ? raw.communityName : typeof community.name === 'string' ? community.name : undefined,
    kind: raw.kind === 'question' ? 'question' : 'discussion',
    title: text(raw.title),
    body: readMarkdown(raw.body),
    tags: Array.isArray(raw.tags) ? raw.tags.filter((t): t is string => typeof t === 'string') : [],
    author: readPerson(raw, 'author'),
    status: raw.status === 'closed' ? 'closed' : 'open',
    pinned: raw.pinned === true,
    acceptedReplyId: optionalText(raw.acceptedReplyId),
    answered: raw.answered === true || optionalText(raw.acceptedReplyId) !== null,
    excerpt: text(raw.excerpt),
    replyCount: count(record(raw.counts).replies ?? raw.replyCount),
    reactions: readReactions(raw),
    myReactions: readMine(raw),
    following: (raw.following ?? viewer.following) === true,
    createdAt: text(raw.createdAt),
    lastActivityAt: text(raw.lastActivityAt, text(raw.createdAt)),
    editedAt: optionalText(raw.editedAt),
    conclusion: raw.conclusion && typeof raw.conclusion === 'object' ? readMarkdown(raw.conclusion) : null,
    closedAt: optionalText(raw.closedAt),
    attachments: readAttachments(raw.attachments),
    permissions: {
      canReply: (permissions.canReply ?? permissions.canPost ?? true) === true,
      canEdit: permissions.canEdit === true,
      canAccept: permissions.canAccept === true || permissions.canAcceptAnswer === true,
      canModerate: permissions.canModerate === true,
      canClose: permissions.canClose === true,
      canPin: permissions.canPin === true,
      canDelete: permissions.canDelete === true,
    },
  };
}

export function readReply(value: unknown): Reply {
  const raw = record(value);
  const children = raw.replies ?? raw.children;
  const permissions = record(raw.permissions);
  return {
    id: text(raw.id),
    discussionId: text(raw.discussionId),
    parentId: optionalText(raw.parentId),
    author: readPerson(raw, 'author'),
    body: readMarkdown(raw.body),
    removed: raw.removed === true,
    hidden: raw.hidden === true,
    reactions: readReactions(raw),
    myReactions: readMine(raw),
    createdAt: text(raw.createdAt),
    editedAt: optionalText(raw.editedAt),
    children: Array.isArray(children) ? children.map(readReply) : [],
    permissions: { canEdit: permissions.canEdit === true, canDelete: permissions.canDelete === true },
    history: Array.isArray(raw.history) ? raw.history.map(record).map((h) => ({ body: text(h.body), editedAt: text(h.editedAt) })) : [],
    attachments: readAttachments(raw.attachments),
  };
}

/** The answer to a reaction change, when the server sends the new state. */
export function readReactionState(value: unknown): ReactionState | undefined {
  const raw = record(value);
  if (Object.keys(record(raw.reactions)).length === 0 || !Array.isArray(raw.mine)) return undefined;
  return { reactions: readReactions(raw), mine: raw.mine.filter(isReactionKind) };
}

function readPage<T>(value: unknown, read: (v: unknown) => T): Page<T> {
  const raw = record(value);
  const items = Array.isArray(raw.items) ? raw.items.map(read) : [];
  return typeof raw.nextCursor === 'string' ? { items, nextCursor: raw.nextCursor } : { items };
}

function readReport(value: unknown): Report {
  const raw = record(value);
  return {
    id: text(raw.id),
    communityId: optionalText(raw.communityId),
    targetType: text(raw.targetType),
    targetId: text(raw.targetId),
    reason: text(raw.reason),
    text: text(raw.text),
    reportCount: count(raw.reportCount),
    targetHidden: raw.targetHidden === true,
    createdAt: text(raw.createdAt),
    status: text(raw.status, 'open'),
  };
}

const discussionPath = (id: string) => `/discussions/${encodeURIComponent(id)}`;

export async function listCommunityDiscussions(api: ApiClient, communityId: string, options: PageOptions = {}): Promise<Page<Discussion>> {
  const answer = await api.get<unknown>(`/communities/${encodeURIComponent(communityId)}/discussions`, { query: { cursor: options.cursor, limit: options.limit }, signal: options.signal });
  return readPage(answer, readDiscussion);
}

export async function createDiscussion(api: ApiClient, communityId: string, input: NewDiscussion): Promise<Discussion> {
  return readDiscussion(await api.post<unknown>(`/communities/${encodeURIComponent(communityId)}/discussions`, input));
}

export async function updateDiscussion(api: ApiClient, id: string, changes: Partial<Omit<NewDiscussion, 'kind'>>): Promise<Discussion> {
  return readDiscussion(await api.patch<unknown>(discussionPath(id), changes));
}

export async function getDiscussion(api: ApiClient, id: string, signal?: AbortSignal): Promise<Discussion> {
  return readDiscussion(await api.get<unknown>(discussionPath(id), { signal }));
}

export async function listReplies(api: ApiClient, discussionId: string, options: PageOptions = {}): Promise<Page<Reply>> {
  const answer = await api.get<unknown>(`${discussionPath(discussionId)}/replies`, { query: { cursor: options.cursor, limit: options.limit }, signal: options.signal });
  return readPage(answer, readReply);
}

export async function postReply(api: ApiClient, discussionId: string, input: NewReply): Promise<Reply> {
  return readReply(await api.post<unknown>(`${discussionPath(discussionId)}/replies`, input));
}

/** Closes a discussion with a conclusion (Markdown; may be empty), or reopens it (author, managers). */
export async function setClosed(api: ApiClient, id: string, change: { closed: true; conclusion: string } | { closed: false }): Promise<Discussion> {
  const body = change.closed ? { status: 'closed', conclusion: change.conclusion } : { status: 'open' };
  return readDiscussion(await api.patch<unknown>(discussionPath(id), body));
}

/** Pins a discussion to the top of its community, or unpins it (managers). */
export async function setPinned(api: ApiClient, id: string, pinned: boolean): Promise<Discussion> {
  return readDiscussion(await api.patch<unknown>(discussionPath(id), { pinned }));
}

/** A reply with its edit history. */
export async function getReply(api: ApiClient, id: string, signal?: AbortSignal): Promise<Reply> {
  return readReply(await api.get<unknown>(`/replies/${encodeURIComponent(id)}`, { signal }));
}

/** Changes my reply's text (the earlier version is kept in its history). */
export async function editReply(api: ApiClient, id: string, input: { body: string; mentions?: string[]; attachments?: AttachmentRef[] }): Promise<Reply> {
  return readReply(await api.patch<unknown>(`/replies/${encodeURIComponent(id)}`, input));
}

/** Removes a reply, leaving a placeholder (its author, managers). */
export function deleteReply(api: ApiClient, id: string): Promise<unknown> {
  return api.delete<unknown>(`/replies/${encodeURIComponent(id)}`);
}

/** Adds (`on`) or takes back my reaction of one kind (PUT and DELETE are idempotent); the server's new counts when it sends them. */
export async function setReaction(api: ApiClient, target: { type: 'discussion' | 'reply'; id: string }, kind: ReactionKind, on: boolean): Promise<ReactionState | undefined> {
  const base = target.type === 'discussion' ? discussionPath(target.id) : `/replies/${encodeURIComponent(target.id)}`;
  const url = `${base}/reactions/${kind}`;
  return readReactionState(on ? await api.put<unknown>(url) : await api.delete<unknown>(url));
}

export function setFollowing(api: ApiClient, discussionId: string, on: boolean): Promise<unknown> {
  const url = `${discussionPath(discussionId)}/follow`;
  return on ? api.put<unknown>(url) : api.delete<unknown>(url);
}

/** Accepts a reply as the answer to a question. */
export async function acceptAnswer(api: ApiClient, discussionId: string, replyId: string): Promise<Discussion | undefined> {
  const answer = await api.put<unknown>(`${discussionPath(discussionId)}/answer`, { replyId });
  return answer && typeof answer === 'object' && 'title' in answer ? readDiscussion(answer) : undefined;
}

export function createReport(api: ApiClient, input: NewReport): Promise<unknown> {
  return api.post<unknown>('/reports', input);
}

/** Resolve (acted on) or dismiss (nothing wrong) a report (managers). */
export function decideReport(api: ApiClient, id: string, status: 'resolved' | 'dismissed'): Promise<unknown> {
  return api.patch<unknown>(`/reports/${encodeURIComponent(id)}`, { status });
}

/** Hide or show a discussion or reply (managers). */
export function setHidden(api: ApiClient, target: { type: 'discussion' | 'reply'; id: string }, hidden: boolean): Promise<unknown> {
  const url = `${target.type === 'discussion' ? discussionPath(target.id) : `/replies/${encodeURIComponent(target.id)}`}/hidden`;
  return hidden ? api.put<unknown>(url) : api.delete<unknown>(url);
}

export async function listReports(api: ApiClient, options: PageOptions & { communityId?: string } = {}): Promise<Page<Report>> {
  const answer = await api.get<unknown>('/reports', { query: { communityId: options.communityId, cursor: options.cursor, limit: options.limit }, signal: options.signal });
  return readPage(answer, readReport);
}
