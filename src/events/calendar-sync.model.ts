/**
 * The durable calendar outbox: one document per event that says "Outlook has to catch up
 * with this event". Requests for the same event coalesce into it (`demand` counts them);
 * the worker brings the Outlook event in line with the stored event and its registrations
 * (whatever happened in between), then clears `pending` only if no new request arrived
 * meanwhile. Written only through `atomicUpdate` (requests and the worker race on it).
 */
import mongoose, { Schema, type InferSchemaType } from 'mongoose';

const calendarSyncSchema = new Schema(
  {
    tenantId: { type: String, required: true, maxlength: 64 },
    eventId: { type: Schema.Types.ObjectId, required: true },
    /** The organiser mailbox whose calendar holds the event. */
    mailbox: { type: String, required: true, maxlength: 64 },
    /** Raised by every request; the worker finishes a pass only if it is unchanged. */
    demand: { type: Number, default: 0 },
    pending: { type: Boolean, default: true },
    /** Not before this time (backoff, Retry-After). */
    dueAt: { type: Date, required: true },
    /** The attendee list has to be written. */
    attendees: { type: Boolean, default: false },
    /** Read the Outlook event and repair any difference (reconciliation). */
    verify: { type: Boolean, default: false },
    attempts: { type: Number, default: 0 },
    lastError: { type: String, default: null, maxlength: 200 },
    lastSyncedAt: { type: Date, default: null },
  },
  { timestamps: true },
);
calendarSyncSchema.index({ eventId: 1 }, { unique: true });
calendarSyncSchema.index({ pending: 1, dueAt: 1 });

export type CalendarSyncRecord = InferSchemaType<typeof calendarSyncSchema> & { _id: mongoose.Types.ObjectId };

export const CalendarSyncModel = mongoose.model('EventCalendarSync', calendarSyncSchema, 'event_calendar_sync');
