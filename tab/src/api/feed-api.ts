/** `GET /api/v1/feed`: what is new in the communities and discussions I follow. */
import type { ApiClient } from './api-client.js';
import type { Page, PageOptions } from './page.js';

export interface FeedItem {
  id: string;
  /** What happened: a new discussion, a reply, an event, ... */
  kind: string;
  title: string;
  /** Where it leads in the tab, e.g. `/discussion/<id>`. */
  route: string | undefined;
  communityName: string | undefined;
  actorName: string | undefined;
  excerpt: string;
  at: string;
  /** A discussion closed since: its conclusion (plain text). */
  conclusion: string | undefined;
}

type Raw = Record<string, unknown>;
const record = (v: unknown): Raw => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Raw) : {});
const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
const ID = /^[A-Za-z0-9_-]{1,64}$/;

export function readFeedItem(value: unknown): FeedItem {
  const raw = record(value);
  const subject = record(raw.subject);
  const discussion = record(raw.discussion);
  const community = record(raw.community);
  const actor = record(raw.actor ?? raw.author);
  const type = str(subject.type) ?? (str(raw.discussionId) || str(discussion.id) ? 'discussion' : str(raw.eventId) ? 'event' : undefined);
  const targetId = str(subject.id) ?? str(raw.discussionId) ?? str(discussion.id) ?? str(raw.eventId);
  const route = type && targetId && ID.test(targetId) && ['discussion', 'event', 'community'].includes(type) ? `/${type}/${targetId}` : undefined;
  return {
    id: str(raw.id) ?? `${type ?? 'item'}-${targetId ?? ''}-${str(raw.at) ?? ''}`,
    kind: str(raw.kind) ?? str(raw.type) ?? 'discussion',
    title: str(raw.title) ?? str(discussion.title) ?? '',
    route,
    communityName: str(raw.communityName) ?? str(community.name),
    actorName: str(raw.actorName) ?? str(actor.name) ?? str(actor.displayName),
    excerpt: str(raw.excerpt) ?? str(raw.snippet) ?? '',
    at: str(raw.at) ?? str(raw.lastActivityAt) ?? str(raw.createdAt) ?? '',
    conclusion: str(raw.conclusion),
  };
}

export async function getFeed(api: ApiClient, options: PageOptions = {}): Promise<Page<FeedItem>> {
  const answer = record(await api.get<unknown>('/feed', { query: { cursor: options.cursor, limit: options.limit }, signal: options.signal }));
  const items = Array.isArray(answer.items) ? answer.items.map(readFeedItem) : [];
  return typeof answer.nextCursor === 'string' ? { items, nextCursor: answer.nextCursor } : { items };
}
