/**
 * iCalendar (RFC 5545) documents for invitations (`METHOD:REQUEST` / `CANCEL`, RFC 5546)
 * and for the personal calendar feed. Times are written in the event's own zone with a
 * VTIMEZONE built from the runtime's zone database, so calendar clients show the right
 * local time across DST changes. Lines are CRLF-terminated and folded at 75 octets.
 * https://www.rfc-editor.org/rfc/rfc5545 , https://www.rfc-editor.org/rfc/rfc5546
 */
import { transitionsInYear, utcOffsetMinutes, wallClock, type OffsetTransition } from '../time/time-zone.js';

export type ItipMethod = 'REQUEST' | 'CANCEL' | 'PUBLISH';

export interface IcsPerson {
  email: string;
  name?: string;
}

export interface IcsEvent {
  /** Stable across every version of the event (RFC 5545 section 3.8.4.7). */
  uid: string;
  /** Increases with every change the recipient must see (section 3.8.7.4). */
  sequence: number;
  start: Date;
  end: Date;
  /** IANA zone the event is planned in. */
  timeZone: string;
  summary: string;
  /** Plain text. */
  description?: string;
  location?: string;
  /** Link back to the event in Meent. */
  url?: string;
  /** The Teams join URL of an online event. */
  joinUrl?: string;
  status: 'CONFIRMED' | 'CANCELLED';
  organizer?: IcsPerson;
  attendees?: (IcsPerson & { partstat?: 'NEEDS-ACTION' | 'ACCEPTED' | 'DECLINED'; rsvp?: boolean })[];
  created?: Date;
  lastModified?: Date;
}

export interface IcsDocument {
  /** Absent for a subscribed feed. */
  method?: ItipMethod;
  /** The calendar's name in the client (feeds). */
  name?: string;
  events: IcsEvent[];
  /** DTSTAMP of every event; default now. */
  stamp?: Date;
}

const PRODID = '-//Meent//Meent Events//EN';
const DAY_MS = 24 * 3_600_000;

/** The document as text (CRLF line ends, folded). */
export function writeCalendar(doc: IcsDocument): string {
  const stamp = doc.stamp ?? new Date();
  const lines: string[] = ['BEGIN:VCALENDAR', 'VERSION:2.0', `PRODID:${PRODID}`, 'CALSCALE:GREGORIAN'];
  if (doc.method) lines.push(`METHOD:${doc.method}`);
  if (doc.name) {
    lines.push(`NAME:${escapeText(doc.name)}`);
    lines.push(`X-WR-CALNAME:${escapeText(doc.name)}`);
  }
  // Each zone is described for the whole calendar years its events fall in.
  const zones = new Map<string, { from: number; to: number }>();
  for (const event of doc.events) {
    if (event.timeZone === 'UTC') continue;
    const span = zones.get(event.timeZone) ?? { from: Infinity, to: -Infinity };
    span.from = Math.min(span.from, event.start.getUTCFullYear());
    span.to = Math.max(span.to, event.end.getUTCFullYear());
    zones.set(event.timeZone, span);
  }
  for (const [zone, years] of zones) lines.push(...timeZoneLines(zone, years.from, years.to));
  for (const event of doc.events) lines.push(...eventLines(event, stamp));
  lines.push('END:VCALENDAR');
  return lines.map(fold).join('\r\n') + '\r\n';
}

function eventLines(event: IcsEvent, stamp: Date): string[] {
  const lines = ['BEGIN:VEVENT', `UID:${escapeText(event.uid)}`, `DTSTAMP:${utcStamp(stamp)}`, `SEQUENCE:${Math.max(0, Math.floor(event.sequence))}`];
  lines.push(dateLine('DTSTART', event.start, event.timeZone));
  lines.push(dateLine('DTEND', event.end, event.timeZone));
  lines.push(`SUMMARY:${escapeText(event.summary)}`);
  const description = [event.description, event.joinUrl ? `Join the Microsoft Teams meeting: ${event.joinUrl}` : undefined, event.url ? `In Meent: ${event.url}` : undefined]
    .filter((part): part is string => typeof part === 'string' && part.length > 0)
    .join('\n\n');
  if (description) lines.push(`DESCRIPTION:${escapeText(description)}`);
  const location = event.location ?? (event.joinUrl ? 'Microsoft Teams meeting' : undefined);
  if (location) lines.push(`LOCATION:${escapeText(location)}`);
  if (event.url) lines.push(`URL;VALUE=URI:${uri(event.url)}`);
  if (event.joinUrl) {
    // RFC 7986 section 5.11; Outlook reads its own X- property for the join button.
    lines.push(`CONFERENCE;VALUE=URI;FEATURE=VIDEO;LABEL=Microsoft Teams:${uri(event.joinUrl)}`);
    lines.push(`X-MICROSOFT-SKYPETEAMSMEETINGURL:${uri(event.joinUrl)}`);
  }
  lines.push(`STATUS:${event.status}`);
  lines.push('TRANSP:OPAQUE');
  if (event.organizer) lines.push(`ORGANIZER${nameParam(event.organizer.name)}:mailto:${mailbox(event.organizer.email)}`);
  for (const attendee of event.attendees ?? []) {
    const params = `;ROLE=REQ-PARTICIPANT;PARTSTAT=${attendee.partstat ?? 'NEEDS-ACTION'}${attendee.rsvp ? ';RSVP=TRUE' : ''}${nameParam(attendee.name)}`;
    lines.push(`ATTENDEE${params}:mailto:${mailbox(attendee.email)}`);
  }
  if (event.created) lines.push(`CREATED:${utcStamp(event.created)}`);
  if (event.lastModified) lines.push(`LAST-MODIFIED:${utcStamp(event.lastModified)}`);
  lines.push('END:VEVENT');
  return lines;
}

/**
 * A VTIMEZONE for the years `fromYear`..`toYear` (and the day before, for events starting
 * on 1 January): the offset in force at the start, then each transition as its own onset
 * (section 3.6.5 allows one DTSTART per observance, without RRULE).
 */
function timeZoneLines(zone: string, fromYear: number, toYear: number): string[] {
  const fromMs = Date.UTC(fromYear, 0, 1) - DAY_MS;
  const initial = utcOffsetMinutes(fromMs, zone);
  const transitions: OffsetTransition[] = [];
  for (let year = fromYear; year <= toYear; year++) transitions.push(...transitionsInYear(zone, year));
  const standard = Math.min(initial, ...transitions.map((t) => t.toMinutes));
  const lines = ['BEGIN:VTIMEZONE', `TZID:${escapeText(zone)}`];
  const observance = (atMs: number, from: number, to: number) => {
    const kind = to > standard ? 'DAYLIGHT' : 'STANDARD';
    // The onset is given in the local time in force before it (section 3.6.5, DTSTART).
    const local = new Date(atMs + from * 60_000);
    lines.push(`BEGIN:${kind}`, `DTSTART:${floatingStamp(local)}`, `TZOFFSETFROM:${offset(from)}`, `TZOFFSETTO:${offset(to)}`, `END:${kind}`);
  };
  observance(Math.floor(fromMs / 60_000) * 60_000, initial, initial);
  for (const t of transitions) observance(t.atMs, t.fromMinutes, t.toMinutes);
  lines.push('END:VTIMEZONE');
  return lines;
}

function dateLine(name: string, date: Date, zone: string): string {
  // A local time that occurs twice (the hour repeated when DST ends) means its first
  // occurrence (RFC 5545 section 3.3.5); the second can only be written in UTC.
  if (zone === 'UTC' || isSecondOccurrence(date.getTime(), zone)) return `${name}:${utcStamp(date)}`;
  const w = wallClock(date.getTime(), zone);
  return `${name};TZID=${paramValue(zone)}:${pad(w.year, 4)}${pad(w.month)}${pad(w.day)}T${pad(w.hour)}${pad(w.minute)}${pad(w.second)}`;
}

function isSecondOccurrence(instantMs: number, zone: string): boolean {
  const w = wallClock(instantMs, zone);
  const local = Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second);
  for (const probe of [instantMs - 3 * 3_600_000, instantMs + 3 * 3_600_000]) {
    const earlier = local - utcOffsetMinutes(probe, zone) * 60_000;
    if (earlier < Math.floor(instantMs / 1000) * 1000) {
      const e = wallClock(earlier, zone);
      if (e.year === w.year && e.month === w.month && e.day === w.day && e.hour === w.hour && e.minute === w.minute && e.second === w.second) return true;
    }
  }
  return false;
}

function utcStamp(date: Date): string {
  return `${floatingStamp(date)}Z`;
}

/** The UTC fields of `date` without a zone marker. */
function floatingStamp(date: Date): string {
  return `${pad(date.getUTCFullYear(), 4)}${pad(date.getUTCMonth() + 1)}${pad(date.getUTCDate())}T${pad(date.getUTCHours())}${pad(date.getUTCMinutes())}${pad(date.getUTCSeconds())}`;
}

function offset(minutes: number): string {
  const sign = minutes < 0 ? '-' : '+';
  const abs = Math.abs(minutes);
  return `${sign}${pad(Math.floor(abs / 60))}${pad(abs % 60)}`;
}

function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0');
}

/** TEXT value escaping (section 3.3.11). */
export function escapeText(value: string): string {
  return value
    .replace(/\r\n?/g, '\n')
    .replace(/\\/g, '\\\\')
    .replace(/;/g, '\\;')
    .replace(/,/g, '\\,')
    .replace(/\n/g, '\\n')
    // Other control characters are not allowed in a content line (section 3.1).
    .replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, ''); // eslint-disable-line no-control-regex
}

/** A parameter value: quoted when it holds `:`, `;` or `,`; DQUOTE and controls are not allowed (section 3.1). */
function paramValue(value: string): string {
  const clean = value.replace(/["\u0000-\u001f\u007f]/g, ''); // eslint-disable-line no-control-regex
  return /[:;,]/.test(clean) ? `"${clean}"` : clean;
}

function nameParam(name: string | undefined): string {
  return name ? `;CN=${paramValue(name)}` : '';
}

/** A URI value: no whitespace or control characters can end up in the line. */
function uri(value: string): string {
  return value.replace(/[\s\u0000-\u001f\u007f]/g, (c) => encodeURIComponent(c)); // eslint-disable-line no-control-regex
}

function mailbox(email: string): string {
  return email.replace(/[\s\u0000-\u001f\u007f<>"]/g, ''); // eslint-disable-line no-control-regex
}

/** Folds a content line to at most 75 octets per line, never inside a UTF-8 character (section 3.1). */
export function fold(line: string): string {
  const bytes = Buffer.byteLength(line, 'utf8');
  if (bytes <= 75) return line;
  const parts: string[] = [];
  let current = '';
  let currentBytes = 0;
  let limit = 75;
  for (const ch of line) {
    const size = Buffer.byteLength(ch, 'utf8');
    if (currentBytes + size > limit) {
      parts.push(current);
      current = '';
      currentBytes = 0;
      // Continuation lines start with a space, which counts towards their 75 octets.
      limit = 74;
    }
    current += ch;
    currentBytes += size;
  }
  parts.push(current);
  return parts.join('\r\n ');
}
