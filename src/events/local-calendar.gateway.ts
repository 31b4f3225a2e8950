/**
 * The local calendar: a `CalendarGateway` that keeps organisers' calendars in the database,
 * for local mode, where Microsoft 365 is not configured. The calendar outbox runs the same
 * flows against it as against Graph (create, update, attendees, cancel, reconcile); people
 * get their invitations as .ics files. No Teams meeting is created (there is no Teams), so
 * online events carry no join URL.
 */
import { atomicUpdate } from '../db/atomic-update.js';
import { randomBytes } from 'node:crypto';
import mongoose, { Schema, type InferSchemaType, type Model } from 'mongoose';
import { NotFoundError, ValidationError } from '../errors/domain-errors.js';
import type {
  AttendeeListChange,
  AttendeeListResult,
  CalendarAttendee,
  CalendarEvent,
  CalendarEventInput,
  CalendarEventPatch,
  CalendarEventRef,
  CalendarGateway,
} from '../graph/calendar-gateway.js';
import { isIanaTimeZone } from '../time/time-zone.js';

const localCalendarEventSchema = new Schema(
  {
    mailbox: { type: String, required: true },
    eventId: { type: String, required: true },
    iCalUId: { type: String, required: true },
    transactionId: { type: String, default: null },
    subject: { type: String, default: '' },
    bodyHtml: { type: String, default: '' },
    start: { type: Date, required: true },
    end: { type: Date, required: true },
    timeZone: { type: String, required: true },
    location: { type: Schema.Types.Mixed, default: null },
    isOnline: { type: Boolean, default: false },
    hideAttendees: { type: Boolean, default: false },
    attendees: { type: [{ email: String, name: String, type: { type: String } }], default: [] },
    isCancelled: { type: Boolean, default: false },
  },
  { timestamps: true, versionKey: false },
);
localCalendarEventSchema.index({ mailbox: 1, eventId: 1 }, { unique: true });
localCalendarEventSchema.index({ mailbox: 1, transactionId: 1 });

type LocalCalendarEvent = InferSchemaType<typeof localCalendarEventSchema>;

export const LocalCalendarEventModel = mongoose.model('LocalCalendarEvent', localCalendarEventSchema, 'local_calendar_events');

/** Writes to one mailbox come from one worker at a time (the outbox holds a lease per mailbox). */
export class LocalCalendarGateway implements CalendarGateway {
  async createEvent(mailbox: string, event: CalendarEventInput): Promise<CalendarEventRef> {
    validate(event);
    if (event.idempotencyKey) {
      const existing = await LocalCalendarEventModel.findOne({ mailbox, transactionId: event.idempotencyKey }).lean<LocalCalendarEvent>();
      if (existing) return { id: existing.eventId, iCalUId: existing.iCalUId };
    }
    const created = await LocalCalendarEventModel.create({
      mailbox,
      eventId: `local-${randomBytes(12).toString('hex')}`,
      iCalUId: `local-${randomBytes(16).toString('hex')}`,
      transactionId: event.idempotencyKey ?? null,
      subject: event.subject,
      bodyHtml: event.bodyHtml,
      start: event.start,
      end: event.end,
      timeZone: event.timeZone,
      location: event.location ?? null,
      isOnline: event.isOnline,
      hideAttendees: event.hideAttendees ?? false,
      attendees: dedupe(event.attendees ?? []),
    });
    return { id: created.eventId, iCalUId: created.iCalUId };
  }

  async updateEvent(mailbox: string, eventId: string, patch: CalendarEventPatch): Promise<CalendarEventRef> {
    validate(patch);
    const set: Record<string, unknown> = {};
    for (const key of ['subject', 'bodyHtml', 'start', 'end', 'timeZone', 'location', 'isOnline', 'hideAttendees'] as const) {
      if (patch[key] !== undefined) set[key] = patch[key];
    }
    const updated = (await atomicUpdate(LocalCalendarEventModel as unknown as Model<LocalCalendarEvent>, { mailbox, eventId }, { $set: set }, { lockKey: `local_calendar_events:${mailbox}:${eventId}` })) as LocalCalendarEvent | null;
    if (!updated) throw notFound();
    return { id: updated.eventId, iCalUId: updated.iCalUId };
  }

  async cancelEvent(mailbox: string, eventId: string): Promise<void> {
    await LocalCalendarEventModel.updateOne({ mailbox, eventId }, { $set: { isCancelled: true } });
  }

  async setAttendees(mailbox: string, eventId: string, attendees: CalendarAttendee[]): Promise<void> {
    const result = await LocalCalendarEventModel.updateOne({ mailbox, eventId }, { $set: { attendees: dedupe(attendees) } });
    if (result.matchedCount === 0) throw notFound();
  }

  async setAttendeesMany(mailbox: string, changes: AttendeeListChange[]): Promise<AttendeeListResult[]> {
    const results: AttendeeListResult[] = [];
    for (const change of changes) {
      try {
        await this.setAttendees(mailbox, change.eventId, change.attendees);
        results.push({ eventId: change.eventId, error: null });
      } catch (error) {
        if (!(error instanceof NotFoundError)) throw error;
        results.push({ eventId: change.eventId, error });
      }
    }
    return results;
  }

  async getEvent(mailbox: string, eventId: string): Promise<CalendarEvent> {
    const event = await LocalCalendarEventModel.findOne({ mailbox, eventId }).lean<LocalCalendarEvent>();
    if (!event) throw notFound();
    return {
      id: event.eventId,
      iCalUId: event.iCalUId,
      subject: event.subject ?? '',
      bodyHtml: event.bodyHtml ?? '',
      start: event.start,
      end: event.end,
      ...(event.location ? { location: event.location as CalendarEvent['location'] } : {}),
      isOnline: event.isOnline ?? false,
      isCancelled: event.isCancelled ?? false,
      hideAttendees: event.hideAttendees ?? false,
      attendees: (event.attendees ?? []).map((a) => ({ email: a.email ?? '', ...(a.name ? { name: a.name } : {}), type: a.type === 'optional' ? 'optional' : 'required' })),
    };
  }
}

function validate(event: Partial<CalendarEventInput>): void {
  if (event.timeZone !== undefined && !isIanaTimeZone(event.timeZone)) throw new ValidationError('The event needs a valid time zone.', [{ path: 'timeZone', message: 'must be an IANA time zone' }]);
  if (event.start && event.end && !(event.end.getTime() > event.start.getTime())) throw new ValidationError('The event must end after it starts.', [{ path: 'end', message: 'must be after start' }]);
}

function dedupe(attendees: readonly CalendarAttendee[]): CalendarAttendee[] {
  const seen = new Set<string>();
  return attendees.filter((a) => {
    const key = a.email.trim().toLowerCase();
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function notFound(): NotFoundError {
  return new NotFoundError('The item was not found in the calendar.', 'graph_not_found');
}
