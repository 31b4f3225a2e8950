/**
 * In-memory implementations of the bot's ports (bot/ports.ts) for bot tests: small, but they
 * keep real rules (seats, a waitlist in order, who may see what), so a card that says "seat
 * left" or "position 2" says it because the state says so.
 */
import { randomUUID } from 'node:crypto';
import type { TurnContext } from 'botbuilder';
import type { Actor } from '../../src/auth/actor.js';
import { ConflictError, NotFoundError } from '../../src/errors/domain-errors.js';
import type { ActorResolver } from '../../bot/bot-actors.js';
import type { DiscussionSummary, DiscussionsPort, EventsPort, EventSummary, SearchHit, SearchPort } from '../../bot/ports.js';
import { writeRateLimits, type PersonWriteLimit } from '../../src/http/request-rate-limits.js';
import { createLogger } from '../../src/logging/logger.js';
import { DeliveryError, type ConversationRef, type DeliveryFailure, type Messenger, type OutgoingMessage } from '../../src/notifications/messenger.js';

interface FakeEvent {
  id: string;
  title: string;
  communityName: string | null;
  start: Date;
  end: Date;
  capacity: number | null;
  status: 'scheduled' | 'cancelled' | 'completed';
  registered: string[];
  waitlist: string[];
}

export class FakeEvents implements EventsPort {
  readonly events = new Map<string, FakeEvent>();

  add(input: Partial<FakeEvent> & { title: string }): FakeEvent {
    const start = input.start ?? new Date(Date.now() + 7 * 24 * 3600_000);
    const event: FakeEvent = {
      id: input.id ?? randomUUID().replace(/-/g, '').slice(0, 24),
      title: input.title,
      communityName: input.communityName ?? 'Waterkwaliteit',
      start,
      end: input.end ?? new Date(start.getTime() + 2 * 3600_000),
      capacity: input.capacity === undefined ? 10 : input.capacity,
      status: input.status ?? 'scheduled',
      registered: input.registered ?? [],
      waitlist: input.waitlist ?? [],
    };
    this.events.set(event.id, event);
    return event;
  }

  async upcoming(actor: Actor, limit: number): Promise<EventSummary[]> {
    return [...this.events.values()].filter((e) => e.status === 'scheduled').slice(0, limit).map((e) => this.summary(e, actor));
  }

  async mine(actor: Actor, limit: number): Promise<EventSummary[]> {
    return [...this.events.values()].filter((e) => e.registered.includes(actor.userId) || e.waitlist.includes(actor.userId)).slice(0, limit).map((e) => this.summary(e, actor));
  }

  async get(actor: Actor, eventId: string): Promise<EventSummary> {
    return this.summary(this.find(eventId), actor);
  }

  async signUp(actor: Actor, eventId: string): Promise<EventSummary> {
    const e = this.find(eventId);
    if (e.status !== 'scheduled') throw new ConflictError('The event is not open for sign-ups.', 'event_closed');
    if (!e.registered.includes(actor.userId) && !e.waitlist.includes(actor.userId)) {
      if (e.capacity === null || e.registered.length < e.capacity) e.registered.push(actor.userId);
      else e.waitlist.push(actor.userId);
    }
    return this.summary(e, actor);
  }

  async cancel(actor: Actor, eventId: string): Promise<EventSummary> {
    const e = this.find(eventId);
    const wasRegistered = e.registered.includes(actor.userId);
    e.registered = e.registered.filter((u) => u !== actor.userId);
    e.waitlist = e.waitlist.filter((u) => u !== actor.userId);
    const next = e.waitlist[0];
    if (wasRegistered && next) {
      e.waitlist.shift();
      e.registered.push(next);
    }
    return this.summary(e, actor);
  }

  private find(id: string): FakeEvent {
    const e = this.events.get(id);
    if (!e) throw new NotFoundError('There is no such event.', 'event_not_found');
    return e;
  }

  private summary(e: FakeEvent, actor: Actor): EventSummary {
    const position = e.waitlist.indexOf(actor.userId);
    return {
      id: e.id,
      title: e.title,
      communityName: e.communityName,
      start: e.start,
      end: e.end,
      timeZone: 'Europe/Amsterdam',
      location: 'Doetinchem, zaal 2',
      online: true,
      status: e.status,
      capacity: e.capacity,
      registered: e.registered.length,
      waitlisted: e.waitlist.length,
      mine: e.registered.includes(actor.userId) ? { status: 'registered' } : position >= 0 ? { status: 'waitlisted', position: position + 1 } : null,
      canSignUp: e.status === 'scheduled',
    };
  }
}

interface FakeDiscussion {
  id: string;
  communityId: string;
  title: string;
  body: string;
  authorName: string;
  replies: { author: string; text: string }[];
  followers: Set<string>;
}

export class FakeDiscussions implements DiscussionsPort {
  readonly discussions = new Map<string, FakeDiscussion>();
  readonly communities = [
    { id: 'aaaaaaaaaaaaaaaaaaaaaaaa', name: 'Waterkwaliteit' },
    { id: 'bbbbbbbbbbbbbbbbbbbbbbbb', name: 'Droogte' },
  ];

  add(input: Partial<FakeDiscussion> & { title: string }): FakeDiscussion {
    const d: FakeDiscussion = {
      id: input.id ?? randomUUID().replace(/-/g, '').slice(0, 24),
      communityId: input.communityId ?? 'aaaaaaaaaaaaaaaaaaaaaaaa',
      title: input.title,
      body: input.body ?? '',
      authorName: input.authorName ?? 'Pieter Bakker',
      replies: input.replies ?? [],
      followers: input.followers ?? new Set(),
    };
    this.discussions.set(d.id, d);
    return d;
  }

  async latest(actor: Actor, limit: number): Promise<DiscussionSummary[]> {
    return [...this.discussions.values()].reverse().slice(0, limit).map((d) => this.summary(d, actor));
  }

  async get(actor: Actor, id: string): Promise<DiscussionSummary> {
    return this.summary(this.find(id), actor);
  }

  async ask(actor: Actor, input: { communityId: string; title: string; body: string; kind?: 'question' | 'discussion' }): Promise<DiscussionSummary> {
    if (!this.communities.some((c) => c.id === input.communityId)) throw new NotFoundError('There is no such community.', 'community_not_found');
    return this.summary(this.add({ title: input.title, body: input.body, communityId: input.communityId, authorName: actor.name, followers: new Set([actor.userId]) }), actor);
  }

  async reply(actor: Actor, id: string, text: string): Promise<DiscussionSummary> {
    const d = this.find(id);
    d.replies.push({ author: actor.name, text });
    return this.summary(d, actor);
  }

  async follow(actor: Actor, id: string, follow: boolean): Promise<DiscussionSummary> {
    const d = this.find(id);
    if (follow) d.followers.add(actor.userId);
    else d.followers.delete(actor.userId);
    return this.summary(d, actor);
  }

  async askableCommunities(): Promise<{ id: string; name: string }[]> {
    return this.communities;
  }

  private find(id: string): FakeDiscussion {
    const d = this.discussions.get(id);
    if (!d) throw new NotFoundError('There is no such discussion.', 'discussion_not_found');
    return d;
  }

  private summary(d: FakeDiscussion, actor: Actor): DiscussionSummary {
    return {
      id: d.id,
      title: d.title,
      excerpt: d.body.slice(0, 200),
      communityId: d.communityId,
      communityName: this.communities.find((c) => c.id === d.communityId)?.name ?? '',
      authorName: d.authorName,
      replyCount: d.replies.length,
      lastActivityAt: new Date(),
      latestReplies: d.replies.slice(-3),
      following: d.followers.has(actor.userId),
      canReply: true,
    };
  }
}

export class FakeSearch implements SearchPort {
  readonly queries: string[] = [];
  constructor(private readonly hits: SearchHit[]) {}

  async search(_actor: Actor, query: string, limit: number): Promise<SearchHit[]> {
    this.queries.push(query);
    const words = query.toLowerCase().split(/\s+/).filter(Boolean);
    return this.hits.filter((h) => words.every((w) => `${h.title} ${h.subtitle}`.toLowerCase().includes(w))).slice(0, limit);
  }
}

/** The sender of the activity as an actor (member of the tenant named in the activity). */
export const activityActors: ActorResolver = {
  async resolve(context: TurnContext): Promise<Actor> {
    const a = context.activity;
    return { userId: a.from.aadObjectId ?? a.from.id, tenantId: a.conversation.tenantId ?? 'tenant', name: a.from.name ?? 'Someone', isGuest: false, mfa: false, isOrgAdmin: false, roles: [] };
  },
};

/**
 * The Messenger port as the bot's proactive sends see it: every 1:1 chat opened and message
 * sent is recorded; `refuse` makes Teams refuse the next ones with that failure (403 blocked,
 * 404 gone, 429 throttled...), as the real connector would.
 */
export class FakeMessenger implements Messenger {
  readonly sent: { ref: ConversationRef; message: OutgoingMessage }[] = [];
  readonly opened: { via: ConversationRef; person: { userId: string; tenantId: string } }[] = [];
  refuse: { open?: DeliveryFailure; send?: DeliveryFailure } = {};

  async sendToConversation(ref: ConversationRef, message: OutgoingMessage): Promise<{ activityId?: string }> {
    if (this.refuse.send) throw deliveryError(this.refuse.send);
    this.sent.push({ ref, message });
    return { activityId: String(this.sent.length) };
  }

  async createPersonalConversation(via: ConversationRef, person: { userId: string; tenantId: string }): Promise<ConversationRef> {
    if (this.refuse.open) throw deliveryError(this.refuse.open);
    this.opened.push({ via, person });
    return { channelId: via.channelId, serviceUrl: via.serviceUrl, conversation: { id: `a:personal-${person.userId}`, conversationType: 'personal', isGroup: false, tenantId: person.tenantId }, bot: via.bot, user: { id: person.userId, aadObjectId: person.userId } };
  }
}

function deliveryError(failure: DeliveryFailure): DeliveryError {
  const status = { blocked: 403, gone: 404, throttled: 429, transient: 503, permanent: 400 }[failure];
  return new DeliveryError(failure, `refused (${status})`, status);
}

/** The API's per-person write limit, counted in this process: the default budget, or `perUser` writes a minute. */
export function writeLimit(perUser = 60): PersonWriteLimit {
  return writeRateLimits({ windowMs: 60_000, perUser, perIp: 0, store: 'memory', logger: createLogger('silent') }).perPerson;
}
