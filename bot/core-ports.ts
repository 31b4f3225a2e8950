/**
 * The bot's events port (bot/ports.ts) over the events capability's services, and stand-ins
 * that answer "not available" for a bot built without a capability's services (the bot then
 * shows a friendly card), so the rest of the bot works without them. Discussions and search
 * are in bot/discussions-port.ts and bot/search-port.ts.
 */
import type { Actor } from '../src/auth/actor.js';
import { UnavailableError } from '../src/errors/domain-errors.js';
import type { EventService, EventView } from '../src/events/event.service.js';
import type { EventSignupService } from '../src/events/event-signup.service.js';
import type { CommunityLookup } from '../src/notifications/delivery-job.js';
import type { DiscussionsPort, EventsPort, EventSummary, SearchPort } from './ports.js';

export class ServiceEventsPort implements EventsPort {
  constructor(
    private readonly deps: { events: Pick<EventService, 'list' | 'get'>; signups: Pick<EventSignupService, 'signUp' | 'cancelMine'>; communities: Pick<CommunityLookup, 'names'> },
  ) {}

  async upcoming(actor: Actor, limit: number): Promise<EventSummary[]> {
    const page = await this.deps.events.list(actor, { limit });
    // "Events I may join": scheduled ones I have not signed up for yet come first.
    return this.summaries(actor, page.items.filter((e) => e.status === 'scheduled'));
  }

  async mine(actor: Actor, limit: number): Promise<EventSummary[]> {
    const page = await this.deps.events.list(actor, { mine: true, limit });
    return this.summaries(actor, page.items.filter((e) => e.myRegistration !== null));
  }

  async get(actor: Actor, eventId: string): Promise<EventSummary> {
    const [summary] = await this.summaries(actor, [await this.deps.events.get(actor, eventId)]);
    if (!summary) throw new UnavailableError();
    return summary;
  }

  async signUp(actor: Actor, eventId: string): Promise<EventSummary> {
    await this.deps.signups.signUp(actor, eventId);
    return this.get(actor, eventId);
  }

  async cancel(actor: Actor, eventId: string): Promise<EventSummary> {
    await this.deps.signups.cancelMine(actor, eventId);
    return this.get(actor, eventId);
  }

  private async summaries(actor: Actor, views: EventView[]): Promise<EventSummary[]> {
    const names = await this.deps.communities.names(actor.tenantId, views.map((v) => v.communityId).filter((id): id is string => id !== null));
    return views.map((v) => toSummary(v, v.communityId ? (names.get(v.communityId) ?? null) : null));
  }
}

export function toSummary(v: EventView, communityName: string | null): EventSummary {
  const mine = v.myRegistration && ['registered', 'waitlisted', 'requested'].includes(v.myRegistration.status) ? v.myRegistration : null;
  return {
    id: v.id,
    title: v.title,
    communityName,
    start: new Date(v.start),
    end: new Date(v.end),
    timeZone: v.timeZone,
    location: v.location?.name ?? null,
    online: v.online,
    status: v.status,
    capacity: v.capacity,
    registered: v.counts.registered,
    waitlisted: v.counts.waitlisted,
    mine: mine ? { status: mine.status as 'registered' | 'waitlisted' | 'requested', ...(mine.position !== undefined ? { position: mine.position } : {}) } : null,
    // The events service decides (policy and sign-up window); the card only shows it.
    canSignUp: v.canSignUp,
  };
}

/** When the events capability is not given to the bot. */
export const unavailableEvents: EventsPort = {
  upcoming: async () => eventsNotWired(),
  mine: async () => eventsNotWired(),
  get: async () => eventsNotWired(),
  signUp: async () => eventsNotWired(),
  cancel: async () => eventsNotWired(),
};

function eventsNotWired(): never {
  throw new UnavailableError('Events are not available in the bot.', 'bot_events_unavailable');
}

function discussionsNotWired(): never {
  throw new UnavailableError('Discussions are not available in the bot.', 'bot_discussions_unavailable');
}

/** When the communities capability is not given to the bot. */
export const unavailableDiscussions: DiscussionsPort = {
  latest: async () => discussionsNotWired(),
  get: async () => discussionsNotWired(),
  ask: async () => discussionsNotWired(),
  reply: async () => discussionsNotWired(),
  follow: async () => discussionsNotWired(),
  askableCommunities: async () => discussionsNotWired(),
};

export const unavailableSearch: SearchPort = {
  search: async () => {
    throw new UnavailableError('Search is not available in the bot.', 'bot_search_unavailable');
  },
};
