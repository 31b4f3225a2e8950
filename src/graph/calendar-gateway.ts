/**
 * Events in Outlook calendars. `CalendarGateway` is the port the domain owns;
 * `GraphCalendarGateway` keeps Meent's events in the organiser's Outlook calendar through
 * Microsoft Graph (`/users/{organiser}/events`), creating the Teams meeting for online
 * events. Domain -> Graph is `translateEvent`, Graph -> domain is `fromGraphEvent`; nothing
 * else here knows Graph's event shape.
 */
import type { Attendee, Event, Location } from '@microsoft/microsoft-graph-types';
import { ValidationError, type DomainError } from '../errors/domain-errors.js';
import { runBatch, type BatchRequest } from './graph-batch.js';
import { segment, type GraphClient } from './graph-client.js';
import { errorForGraphStatus, GraphUnavailableError, isGraphNotFound, withGraphErrors } from './graph-errors.js';
import { parseRetryAfter, ReplaySafe } from './graph-retry.js';

export interface PostalAddress {
  street?: string;
  postalCode?: string;
  city?: string;
  state?: string;
  countryOrRegion?: string;
}

export interface CalendarLocation {
  displayName: string;
  address?: PostalAddress;
}

export interface CalendarAttendee {
  email: string;
  name?: string;
  /** Default `required`. */
  type?: 'required' | 'optional';
}

export interface CalendarEventInput {
  subject: string;
  /** Already sanitised HTML (the event description rendered from safe Markdown). */
  bodyHtml: string;
  start: Date;
  end: Date;
  /** IANA time zone of the event, e.g. `Europe/Amsterdam`. */
  timeZone: string;
  location?: CalendarLocation;
  /** Create a Teams meeting for the event. */
  isOnline: boolean;
  /** Each attendee sees only themselves in the invitation. */
  hideAttendees?: boolean;
  attendees?: CalendarAttendee[];
  /**
   * Replaying `createEvent` with the same key yields the first event, not a second one
   * (Graph's `transactionId`). Use a stable id from our side, e.g. the outbox step id.
   */
  idempotencyKey?: string;
}

/** Fields to change; `start`/`end` need `timeZone` alongside. */
export type CalendarEventPatch = Partial<Pick<CalendarEventInput, 'subject' | 'bodyHtml' | 'start' | 'end' | 'timeZone' | 'location' | 'isOnline' | 'hideAttendees'>>;

export interface CalendarEventRef {
  /** Graph's immutable event id. */
  id: string;
  /** Identifies the event across calendars (the iCalendar UID). */
  iCalUId: string;
  /** The Teams join URL of an online event. */
  joinUrl?: string;
}

export interface CalendarEvent extends CalendarEventRef {
  subject: string;
  bodyHtml: string;
  start: Date;
  end: Date;
  location?: CalendarLocation;
  isOnline: boolean;
  isCancelled: boolean;
  hideAttendees: boolean;
  attendees: CalendarAttendee[];
}

export interface AttendeeListChange {
  eventId: string;
  attendees: CalendarAttendee[];
}

export interface AttendeeListResult {
  eventId: string;
  /** Null when the list was set; otherwise why not (e.g. NotFoundError, GraphUnavailableError with retryAfterMs). */
  error: DomainError | null;
}

export interface CalendarGateway {
  createEvent(organizerUserId: string, event: CalendarEventInput): Promise<CalendarEventRef>;
  updateEvent(organizerUserId: string, eventId: string, patch: CalendarEventPatch): Promise<CalendarEventRef>;
  /** Cancel and notify attendees. Cancelling an event that is already gone succeeds. */
  cancelEvent(organizerUserId: string, eventId: string, comment: string): Promise<void>;
  /** Make `attendees` the event's whole attendee list (duplicates by address removed). */
  setAttendees(organizerUserId: string, eventId: string, attendees: CalendarAttendee[]): Promise<void>;
  /**
   * `setAttendees` for many events of one organiser in few round trips; one result per
   * change, in order. A failure of one event does not stop the others.
   */
  setAttendeesMany(organizerUserId: string, changes: AttendeeListChange[]): Promise<AttendeeListResult[]>;
  /** The event; NotFoundError when the organiser's calendar does not hold it. */
  getEvent(organizerUserId: string, eventId: string): Promise<CalendarEvent>;
}

/**
 * Event responses in UTC, so that `fromGraphEvent` reads instants without a zone database
 * (https://learn.microsoft.com/en-us/graph/api/resources/event: start and end are returned in
 * the zone asked for with `Prefer: outlook.timezone`), and immutable ids, because we store the
 * id and Outlook's default ids change when an item moves folder
 * (https://learn.microsoft.com/en-us/graph/outlook-immutable-id).
 */
const eventPreferences = 'outlook.timezone="UTC", IdType="ImmutableId"';

const eventFields = ['id', 'iCalUId', 'subject', 'body', 'start', 'end', 'location', 'isOnlineMeeting', 'onlineMeeting', 'isCancelled', 'hideAttendees', 'attendees'];

export class GraphCalendarGateway implements CalendarGateway {
  private readonly graph: GraphClient;

  constructor(deps: { graph: GraphClient }) {
    this.graph = deps.graph;
  }

  async createEvent(organizerUserId: string, event: CalendarEventInput): Promise<CalendarEventRef> {
    const body = translateEvent(event, { isNew: true });
    const created = (await withGraphErrors(() =>
      this.graph
        .api(`/users/${segment(organizerUserId)}/events`)
        .header('Prefer', eventPreferences)
        .middlewareOptions(event.idempotencyKey ? [new ReplaySafe()] : [])
        .post(body),
    )) as Event;
    return toRef(created);
  }

  async updateEvent(organizerUserId: string, eventId: string, patch: CalendarEventPatch): Promise<CalendarEventRef> {
    let joinUrl: string | undefined;
    if (patch.bodyHtml !== undefined) {
      // Graph writes the Teams join details into the body of an online event; a new body
      // would drop them, so we put the join link back ourselves (cal.com ran into the same).
      const current = (await withGraphErrors(() =>
        this.graph.api(this.eventPath(organizerUserId, eventId)).header('Prefer', eventPreferences).select(['isOnlineMeeting', 'onlineMeeting']).get(),
      )) as Event;
      joinUrl = current.isOnlineMeeting ? (current.onlineMeeting?.joinUrl ?? undefined) : undefined;
    }
    const body = translateEvent(patch, { joinUrl });
    const updated = (await withGraphErrors(() =>
      this.graph.api(this.eventPath(organizerUserId, eventId)).header('Prefer', eventPreferences).patch(body),
    )) as Event;
    return toRef(updated);
  }

  async cancelEvent(organizerUserId: string, eventId: string, comment: string): Promise<void> {
    try {
      await withGraphErrors(() =>
        this.graph
          .api(`${this.eventPath(organizerUserId, eventId)}/cancel`)
          .header('Prefer', eventPreferences)
          // Sending it twice is harmless: the second finds nothing and is treated as done below.
          .middlewareOptions([new ReplaySafe()])
          .post({ Comment: comment }),
      );
    } catch (error) {
      // Cancel moves the event to Deleted Items (https://learn.microsoft.com/en-us/graph/api/event-cancel),
      // so "not found" means an earlier cancel (or the organiser) already removed it.
      if (isGraphNotFound(error)) return;
      throw error;
    }
  }

  async setAttendees(organizerUserId: string, eventId: string, attendees: CalendarAttendee[]): Promise<void> {
    const body = translateEvent({ attendees });
    await withGraphErrors(() => this.graph.api(this.eventPath(organizerUserId, eventId)).header('Prefer', eventPreferences).patch(body));
  }

  async setAttendeesMany(organizerUserId: string, changes: AttendeeListChange[]): Promise<AttendeeListResult[]> {
    const requests: BatchRequest[] = changes.map((change, i) => ({
      id: String(i + 1),
      method: 'PATCH',
      url: this.eventPath(organizerUserId, change.eventId),
      headers: { Prefer: eventPreferences },
      body: translateEvent({ attendees: change.attendees }),
    }));
    const responses = await runBatch(this.graph, requests);
    const now = Date.now();
    return responses.map((response, i) => {
      const eventId = changes[i]?.eventId ?? '';
      if (response.status >= 200 && response.status < 300) return { eventId, error: null };
      const retryAfter = Object.entries(response.headers).find(([name]) => name.toLowerCase() === 'retry-after')?.[1];
      return { eventId, error: errorForGraphStatus(response.status, parseRetryAfter(retryAfter, now)) };
    });
  }

  async getEvent(organizerUserId: string, eventId: string): Promise<CalendarEvent> {
    const event = (await withGraphErrors(() =>
      this.graph.api(this.eventPath(organizerUserId, eventId)).header('Prefer', eventPreferences).select(eventFields).get(),
    )) as Event;
    return fromGraphEvent(event);
  }

  private eventPath(organizerUserId: string, eventId: string): string {
    return `/users/${segment(organizerUserId)}/events/${segment(eventId)}`;
  }
}

/** What `translateEvent` accepts: a whole new event or a patch of one. */
export type TranslatableEvent = CalendarEventPatch & Partial<Pick<CalendarEventInput, 'attendees' | 'idempotencyKey'>>;

/**
 * Domain event (or patch) -> Graph event; only the fields given are set, so a patch stays a
 * patch. `joinUrl` is the Teams link of an existing online event whose body is being replaced;
 * `isNew` marks the body of a create.
 *
 * Times go out as UTC. Graph takes Windows zone names and only a listed subset of IANA names
 * (https://learn.microsoft.com/en-us/graph/api/resources/datetimetimezone); `Europe/Amsterdam`,
 * our default, is not among them, while `UTC` always is and names the same instant. The IANA
 * zone is still validated here and stays in Meent (the .ics carries it).
 */
export function translateEvent(event: TranslatableEvent, context: { joinUrl?: string; isNew?: boolean } = {}): Event {
  const out: Event = {};
  if (event.start !== undefined || event.end !== undefined || event.timeZone !== undefined) {
    if (event.timeZone === undefined || !isIanaZone(event.timeZone)) {
      throw new ValidationError('The event needs a valid time zone.', [{ path: 'timeZone', message: 'must be an IANA time zone such as Europe/Amsterdam' }]);
    }
  }
  if (event.start !== undefined && event.end !== undefined && !(event.end.getTime() > event.start.getTime())) {
    throw new ValidationError('The event must end after it starts.', [{ path: 'end', message: 'must be after start' }]);
  }
  if (event.subject !== undefined) out.subject = event.subject;
  if (event.bodyHtml !== undefined) out.body = { contentType: 'html', content: event.bodyHtml + joinParagraph(context.joinUrl) };
  if (event.start !== undefined) out.start = { dateTime: utcDateTime(event.start, 'start'), timeZone: 'UTC' };
  if (event.end !== undefined) out.end = { dateTime: utcDateTime(event.end, 'end'), timeZone: 'UTC' };
  if (event.location !== undefined) out.location = toGraphLocation(event.location);
  if (event.isOnline !== undefined) {
    // Once an event is online, Graph ignores isOnlineMeeting: false (the meeting stays).
    out.isOnlineMeeting = event.isOnline;
    if (event.isOnline) out.onlineMeetingProvider = 'teamsForBusiness';
  }
  if (event.hideAttendees !== undefined) out.hideAttendees = event.hideAttendees;
  if (event.attendees !== undefined) out.attendees = toGraphAttendees(event.attendees);
  if (event.idempotencyKey !== undefined) out.transactionId = event.idempotencyKey;
  // Sign-ups and times are managed in Meent; a time proposed from Outlook would go nowhere.
  if (context.isNew) out.allowNewTimeProposals = false;
  return out;
}

/** Graph event -> domain event; the one place that reads Graph's event shape. */
export function fromGraphEvent(event: Event): CalendarEvent {
  const ref = toRef(event);
  return {
    ...ref,
    subject: event.subject ?? '',
    bodyHtml: event.body?.content ?? '',
    start: fromUtcDateTime(event.start?.dateTime, event.start?.timeZone),
    end: fromUtcDateTime(event.end?.dateTime, event.end?.timeZone),
    location: fromGraphLocation(event.location),
    isOnline: event.isOnlineMeeting === true,
    isCancelled: event.isCancelled === true,
    hideAttendees: event.hideAttendees === true,
    attendees: (event.attendees ?? []).flatMap(fromGraphAttendee),
  };
}

function toRef(event: Event): CalendarEventRef {
  if (typeof event.id !== 'string' || event.id === '' || typeof event.iCalUId !== 'string') throw malformed();
  const joinUrl = event.onlineMeeting?.joinUrl;
  return { id: event.id, iCalUId: event.iCalUId, ...(joinUrl ? { joinUrl } : {}) };
}

function toGraphAttendees(attendees: readonly CalendarAttendee[]): Attendee[] {
  const seen = new Set<string>();
  const out: Attendee[] = [];
  for (const attendee of attendees) {
    const address = attendee.email.trim();
    if (!/^[^@\s]+@[^@\s]+$/.test(address)) {
      throw new ValidationError('An attendee has no valid e-mail address.', [{ path: 'attendees', message: 'must be e-mail addresses' }]);
    }
    const key = address.toLowerCase();
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ type: attendee.type ?? 'required', emailAddress: { address, ...(attendee.name ? { name: attendee.name } : {}) } });
  }
  return out;
}

function fromGraphAttendee(attendee: Attendee): CalendarAttendee[] {
  const email = attendee.emailAddress?.address;
  // Rooms and equipment ('resource') are not people who signed up.
  if (!email || attendee.type === 'resource') return [];
  const name = attendee.emailAddress?.name;
  return [{ email, type: attendee.type === 'optional' ? 'optional' : 'required', ...(name ? { name } : {}) }];
}

function toGraphLocation(location: CalendarLocation): Location {
  const out: Location = { displayName: location.displayName };
  if (location.address) {
    const { street, postalCode, city, state, countryOrRegion } = location.address;
    out.address = { street, postalCode, city, state, countryOrRegion };
  }
  return out;
}

function fromGraphLocation(location: Location | null | undefined): CalendarLocation | undefined {
  if (!location?.displayName) return undefined;
  const a = location.address;
  const address: PostalAddress = {};
  if (a?.street) address.street = a.street;
  if (a?.postalCode) address.postalCode = a.postalCode;
  if (a?.city) address.city = a.city;
  if (a?.state) address.state = a.state;
  if (a?.countryOrRegion) address.countryOrRegion = a.countryOrRegion;
  return Object.keys(address).length > 0 ? { displayName: location.displayName, address } : { displayName: location.displayName };
}

function joinParagraph(joinUrl: string | undefined): string {
  if (!joinUrl) return '';
  return `<p><a href="${escapeHtml(joinUrl)}">Join the Microsoft Teams meeting</a></p>`;
}

function escapeHtml(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function isIanaZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return zone.includes('/') || zone === 'UTC';
  } catch {
    return false;
  }
}

/** `2025-03-01T09:30:00.000` (Graph's dateTime has no offset; the zone travels beside it). */
function utcDateTime(date: Date, field: 'start' | 'end'): string {
  if (Number.isNaN(date.getTime())) throw new ValidationError('The event has an invalid date.', [{ path: field, message: 'must be a valid date' }]);
  return date.toISOString().slice(0, -1);
}

function fromUtcDateTime(dateTime: string | undefined, timeZone: string | null | undefined): Date {
  if (!dateTime || timeZone !== 'UTC') throw malformed();
  // Graph writes seven fractional digits; Date.parse wants at most three.
  const match = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(\.\d+)?$/.exec(dateTime);
  if (!match) throw malformed();
  const fraction = (match[2] ?? '.000').slice(0, 4).padEnd(4, '0');
  const date = new Date(`${match[1]}${fraction}Z`);
  if (Number.isNaN(date.getTime())) throw malformed();
  return date;
}

function malformed(): GraphUnavailableError {
  return new GraphUnavailableError(undefined, 'graph_unavailable', 'Microsoft 365 answered with something Meent does not understand.');
}
