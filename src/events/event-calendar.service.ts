/**
 * Calendars outside Outlook: the .ics invitation of one event for one person (guests and
 * people outside the tenant add it to any calendar; in local mode it is the calendar), and
 * each person's private, revocable calendar-feed URL.
 *
 * SEQUENCE is the event's sequence plus the person's own revision, so it rises with every
 * change of the event and with every change of the person's seat (a cancellation is a
 * CANCEL with a higher SEQUENCE than the REQUEST it withdraws; RFC 5546 section 2.1.4).
 */
import { createHash } from 'node:crypto';
import type { AuditSink } from '../audit/audit.port.js';
import { actorOfPerson, type Actor } from '../auth/actor.js';
import { fileSlug } from '../content/file-name.js';
import { markdownToText } from '../content/markdown.js';
import { isUrlSecret, newUrlSecret } from '../logging/url-secrets.js';
import { NotFoundError } from '../errors/domain-errors.js';
import type { UserDirectoryRepository } from '../members/user-directory.repository.js';
import { deleteFeedOf, findFeedByTokenHash, findFeedOf, issueFeed, markFeedUsed } from './calendar-feed.repository.js';
import { readableEvents, resolveEventAccess } from './event-access.js';
import { eventWebUrl } from './event-links.js';
import type { EventRecord } from './event.model.js';
import { eventsEndingAfter } from './event.repository.js';
import { writeCalendar, type IcsEvent, type IcsPerson, type ItipMethod } from './icalendar.js';
import type { RegistrationRecord } from './registration.model.js';
import { findRegistration, registeredOfUser } from './registration.repository.js';
import { clockOf, type Clock } from '../time/clock.js';

export interface EventCalendarDeps {
  people: Pick<UserDirectoryRepository, 'find'>;
  audit: AuditSink;
  publicUrl: string;
  /** GUESTS_ALLOWED: whether guests may use Meent at all (their feeds too). */
  guestsAllowed: boolean;
  now?: () => Date;
}

export interface IcsFile {
  method: ItipMethod;
  filename: string;
  content: string;
}

/** The feed shows events from this long ago onwards. */
const FEED_HISTORY_MS = 90 * 24 * 3_600_000;
const FEED_MAX_EVENTS = 500;

export class EventCalendarService {
  private readonly now: Clock;

  constructor(private readonly deps: EventCalendarDeps) {
    this.now = clockOf(deps);
  }

  /**
   * The event as an .ics for the actor: REQUEST when they hold a seat, CANCEL when the
   * event was cancelled or they lost or gave up their seat, PUBLISH otherwise (a copy for
   * their calendar, not an invitation).
   */
  async invitation(actor: Actor, eventId: string): Promise<IcsFile> {
    const access = await resolveEventAccess(actor, eventId);
    const event = access.event;
    const mine = await findRegistration(event._id, actor.userId);
    const hadSeat = mine?.registeredAt !== null && mine?.registeredAt !== undefined;
    const method: ItipMethod =
      event.status === 'cancelled' || (hadSeat && mine?.status !== 'registered' && mine?.status !== 'waitlisted')
        ? 'CANCEL'
        : mine?.status === 'registered'
          ? 'REQUEST'
          : 'PUBLISH';
    const email = mine?.email ?? actor.email ?? actor.userPrincipalName ?? (await this.deps.people.find(actor.tenantId, actor.userId))?.mail ?? undefined;
    const icsEvent = this.toIcs(event, mine, {
      organizer: await this.organizerOf(event),
      ...(method !== 'PUBLISH' && email
        ? { attendee: { email, name: mine?.displayName || actor.name, partstat: method === 'REQUEST' ? 'ACCEPTED' : 'DECLINED' } }
        : {}),
      showJoinUrl: mine?.status === 'registered' || access.can('event.update'),
    });
    const content = writeCalendar({ method, events: [icsEvent], stamp: this.now() });
    return { method, filename: `${fileSlug(event.title, 'event')}.ics`, content };
  }

  /** Creates (or replaces) the actor's feed URL. The token is shown only now. */
  async createFeed(actor: Actor): Promise<{ url: string; createdAt: string }> {
    // Made by the URL-secret module, so that the logs recognise and redact it.
    const token = newUrlSecret();
    const now = this.now();
    const replaced = (await findFeedOf(actor.tenantId, actor.userId)) !== null;
    await issueFeed(actor.tenantId, actor.userId, hash(token), now);
    // A standing link to the person's calendar of events: who made it, and when (never the token).
    await this.deps.audit.record({ tenantId: actor.tenantId, kind: 'calendar_feed.created', actorId: actor.userId, subjectId: actor.userId, details: { replaced } });
    return { url: this.feedUrl(token), createdAt: now.toISOString() };
  }

  async feedStatus(actor: Actor): Promise<{ active: boolean; createdAt: string | null; lastUsedAt: string | null }> {
    const feed = await findFeedOf(actor.tenantId, actor.userId);
    return { active: feed !== null, createdAt: feed?.issuedAt?.toISOString() ?? null, lastUsedAt: feed?.lastUsedAt?.toISOString() ?? null };
  }

  /** Revokes the actor's feed URL (the calendar app stops getting updates). */
  async revokeFeed(actor: Actor): Promise<void> {
    if (await deleteFeedOf(actor.tenantId, actor.userId)) {
      await this.deps.audit.record({ tenantId: actor.tenantId, kind: 'calendar_feed.revoked', actorId: actor.userId, subjectId: actor.userId });
    }
  }

  /**
   * The feed behind a token; 404 for unknown or revoked tokens. Access is decided on every
   * poll, as the owner's requests are: the URL outlives whatever access its owner had when
   * making it (they leave a community, are blocked, guests are turned off), and nobody
   * revokes it then. An owner Meent no longer knows, or a guest while guests may not use
   * Meent, gets the 404 of a revoked feed; otherwise the feed lists the events the owner may
   * still read, as the stored person (`actorOfPerson`: no app roles, no MFA assumed).
   */
  async feed(token: string): Promise<string> {
    if (!isUrlSecret(token)) throw feedNotFound();
    const feed = await findFeedByTokenHash(hash(token));
    if (!feed) throw feedNotFound();
    const owner = await this.deps.people.find(feed.tenantId, feed.userId);
    if (!owner || (owner.isGuest === true && !this.deps.guestsAllowed)) throw feedNotFound();
    const actor = actorOfPerson(owner);
    const now = this.now();
    const registrations = await registeredOfUser(feed.tenantId, feed.userId);
    const byEvent = new Map(registrations.map((r) => [String(r.eventId), r]));
    const events = await readableEvents(
      actor,
      await eventsEndingAfter(
        feed.tenantId,
        registrations.map((r) => r.eventId),
        new Date(now.getTime() - FEED_HISTORY_MS),
        FEED_MAX_EVENTS,
      ),
    );
    // Recorded at most hourly: enough to show "last used", without a write per poll.
    if (!feed.lastUsedAt || now.getTime() - feed.lastUsedAt.getTime() > 3_600_000) {
      await markFeedUsed(feed, now);
    }
    return writeCalendar({
      name: 'Meent',
      events: events.map((e) => this.toIcs(e, byEvent.get(String(e._id)) ?? null, { showJoinUrl: true })),
      stamp: now,
    });
  }

  feedUrl(token: string): string {
    return `${this.deps.publicUrl.replace(/\/+$/, '')}/calendar/feeds/${token}.ics`;
  }

  private toIcs(event: EventRecord, mine: RegistrationRecord | null, options: { organizer?: IcsPerson; attendee?: IcsPerson & { partstat: 'ACCEPTED' | 'DECLINED' }; showJoinUrl: boolean }): IcsEvent {
    const location = event.location?.name
      ? [event.location.name, event.location.address?.street, [event.location.address?.postalCode, event.location.address?.city].filter(Boolean).join(' '), event.location.address?.countryOrRegion]
          .filter((part): part is string => typeof part === 'string' && part.trim().length > 0)
          .join(', ')
      : undefined;
    const joinUrl = options.showJoinUrl ? (event.calendar?.joinUrl ?? undefined) : undefined;
    return {
      uid: event.uid,
      sequence: event.sequence + (mine?.revision ?? 0),
      start: event.start,
      end: event.end,
      timeZone: event.timeZone,
      summary: event.title,
      description: markdownToText(event.description?.source ?? ''),
      ...(location ? { location } : {}),
      url: eventWebUrl(this.deps.publicUrl, event._id),
      ...(joinUrl ? { joinUrl } : {}),
      status: event.status === 'cancelled' ? 'CANCELLED' : 'CONFIRMED',
      ...(options.organizer ? { organizer: options.organizer } : {}),
      ...(options.attendee ? { attendees: [options.attendee] } : {}),
      created: event.createdAt,
      lastModified: event.updatedAt,
    };
  }

  /** The organiser as the invitation names them; an address of Meent's own host when they have none. */
  private async organizerOf(event: EventRecord): Promise<IcsPerson> {
    const id = event.calendar?.mailbox ?? event.organizers[0] ?? event.createdBy;
    const user = await this.deps.people.find(event.tenantId, id);
    const email = user?.mail ?? user?.userPrincipalName;
    if (email) return { email, name: user?.displayName ?? undefined };
    return { email: `noreply@${new URL(this.deps.publicUrl).hostname}`, name: 'Meent' };
  }
}

function hash(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

function feedNotFound(): NotFoundError {
  return new NotFoundError('There is no such calendar feed.', 'feed_not_found');
}
