/**
 * What the bot needs from the core, as small interfaces the bot owns. Production
 * implementations call the capability services (bot/core-ports.ts); tests hand in fakes.
 * Every call takes the acting person; the services decide what they may see and do.
 */
import type { Actor } from '../src/auth/actor.js';

export interface EventSummary {
  id: string;
  title: string;
  communityName: string | null;
  start: Date;
  end: Date;
  timeZone: string;
  location: string | null;
  online: boolean;
  status: 'scheduled' | 'cancelled' | 'completed';
  /** null: unlimited. */
  capacity: number | null;
  registered: number;
  waitlisted: number;
  /** The actor's own registration. */
  mine: { status: 'registered' | 'waitlisted' | 'requested'; position?: number } | null;
  /** Whether the actor may sign up now (open, before the deadline, allowed). */
  canSignUp: boolean;
}

export interface EventsPort {
  upcoming(actor: Actor, limit: number): Promise<EventSummary[]>;
  mine(actor: Actor, limit: number): Promise<EventSummary[]>;
  get(actor: Actor, eventId: string): Promise<EventSummary>;
  signUp(actor: Actor, eventId: string): Promise<EventSummary>;
  cancel(actor: Actor, eventId: string): Promise<EventSummary>;
}

export interface DiscussionSummary {
  id: string;
  title: string;
  excerpt: string;
  communityId: string;
  communityName: string;
  authorName: string;
  /** The author was erased: the card says "Former member" in its own language, not `authorName`. */
  authorErased?: true;
  replyCount: number;
  lastActivityAt: Date;
  latestReplies: { author: string; authorErased?: true; text: string }[];
  following: boolean;
  canReply: boolean;
  /** The discussion's files, then those of the replies shown, in order (issue 21). */
  files?: FileSummary[];
}

/** A file in a post: `url` opens it, null when it is no longer available (vanished, access revoked). */
export interface FileSummary {
  name: string;
  size: number;
  url: string | null;
}

export interface DiscussionsPort {
  latest(actor: Actor, limit: number): Promise<DiscussionSummary[]>;
  get(actor: Actor, discussionId: string): Promise<DiscussionSummary>;
  /** Starts a question (the `ask` command) or, from a chat message, a discussion. */
  ask(actor: Actor, input: { communityId: string; title: string; body: string; kind?: 'question' | 'discussion' }): Promise<DiscussionSummary>;
  reply(actor: Actor, discussionId: string, text: string): Promise<DiscussionSummary>;
  follow(actor: Actor, discussionId: string, follow: boolean): Promise<DiscussionSummary>;
  /** Communities where the actor may start a discussion. */
  askableCommunities(actor: Actor): Promise<{ id: string; name: string }[]>;
}

export interface SearchHit {
  kind: 'discussion' | 'event' | 'community' | 'person';
  id: string;
  title: string;
  subtitle: string;
}

export interface SearchPort {
  search(actor: Actor, query: string, limit: number): Promise<SearchHit[]>;
}

/** Links into the tab for an item (its page) and the app itself. */
export interface Links {
  app(): string;
  event(id: string): string;
  discussion(id: string): string;
  community(id: string): string;
  person(id: string): string;
  consultation(id: string): string;
  /** My profile: also where to export my data or delete my account (issue 15). */
  profile(): string;
}

export function tabLinks(publicUrl: string): Links {
  const base = `${publicUrl.replace(/\/+$/, '')}/tab/`;
  const at = (path: string) => `${base}#/${path}`;
  return {
    app: () => base,
    event: (id) => at(`event/${encodeURIComponent(id)}`),
    discussion: (id) => at(`discussion/${encodeURIComponent(id)}`),
    community: (id) => at(`community/${encodeURIComponent(id)}`),
    person: (id) => at(`people/${encodeURIComponent(id)}`),
    consultation: (id) => at(`consultations/${encodeURIComponent(id)}`),
    profile: () => at('profile'),
  };
}
