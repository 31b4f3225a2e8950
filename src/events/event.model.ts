/**
 * An event: a knowledge session of a community, or of the whole organisation (created by
 * organisation admins, `communityId` null). Times are instants; `timeZone` is the IANA zone
 * it is planned in (for display and the .ics). `counts` is kept by the seat allocator with
 * every change, and recomputed from the registrations whenever a batch was interrupted. Every write to an event document goes through the event's lock (the seat
 * allocator's batches, `atomicUpdate` elsewhere): FerretDB does not apply concurrent
 * updates of one document atomically (see src/db/store-capabilities.ts).
 */
import mongoose, { Schema, type Types } from 'mongoose';
import { toJsonPlugin } from '../db/to-json-plugin.js';
import { versionStamped } from '../db/read-cache.js';
import { stampedByTenant } from '../db/read-scopes.js';
import { stampScope } from '../db/version-stamps.js';
import { DEFAULT_TIME_ZONE } from '../time/time-zone.js';

export const EVENT_STATUSES = ['scheduled', 'cancelled', 'completed'] as const;
export type EventStatus = (typeof EVENT_STATUSES)[number];
export const SIGNUP_METHODS = ['open', 'request', 'invite'] as const;
export type SignupMethod = (typeof SIGNUP_METHODS)[number];
/** Minutes before the start: 24 hours and 1 hour. */
export const DEFAULT_REMINDER_MINUTES = [1440, 60] as const;

const addressSchema = new Schema(
  {
    street: { type: String, maxlength: 200 },
    postalCode: { type: String, maxlength: 20 },
    city: { type: String, maxlength: 100 },
    countryOrRegion: { type: String, maxlength: 100 },
  },
  { _id: false },
);

const eventSchema = new Schema(
  {
    tenantId: { type: String, required: true, maxlength: 64 },
    /** The community the event belongs to; null for an organisation-wide event. */
    communityId: { type: Schema.Types.ObjectId, default: null },
    title: { type: String, required: true, trim: true, minlength: 1, maxlength: 200 },
    /** Markdown source and its sanitized HTML (src/content/markdown.ts). */
    description: {
      source: { type: String, default: '', maxlength: 20_000 },
      html: { type: String, default: '' },
    },
    start: { type: Date, required: true },
    end: { type: Date, required: true },
    timeZone: { type: String, required: true, default: DEFAULT_TIME_ZONE, maxlength: 64 },
    location: {
      type: new Schema({ name: { type: String, maxlength: 200 }, address: { type: addressSchema, default: undefined } }, { _id: false }),
      default: null,
    },
    /** A Teams meeting is created for it. */
    online: { type: Boolean, default: false },
    /** Seats; null means unlimited. */
    capacity: { type: Number, default: null, min: 0 },
    waitlist: { type: Boolean, default: true },
    signupMethod: { type: String, enum: SIGNUP_METHODS, default: 'open' },
    signupDeadline: { type: Date, default: null },
    guestsAllowed: { type: Boolean, default: false },
    /** User ids; the first is the calendar organiser when the event is created. */
    organizers: { type: [String], default: [] },
    status: { type: String, enum: EVENT_STATUSES, default: 'scheduled' },
    /** Only organisers see who signed up. */
    hideAttendees: { type: Boolean, default: false },
    followUpDiscussionId: { type: Schema.Types.ObjectId, default: null },
    reminderMinutes: { type: [Number], default: () => [...DEFAULT_REMINDER_MINUTES] },
    /** iCalendar UID: stable for the life of the event. */
    uid: { type: String, required: true, maxlength: 200 },
    /** iCalendar SEQUENCE: raised by every change attendees must see (time, place, title, cancellation). */
    sequence: { type: Number, default: 0, min: 0 },
    counts: {
      registered: { type: Number, default: 0, min: 0 },
      waitlisted: { type: Number, default: 0, min: 0 },
      requested: { type: Number, default: 0, min: 0 },
    },
    /**
     * The seat allocator's bookkeeping: the last arrival number given out, and whether a
     * batch is being written (set before its first write, cleared with its last). A batch
     * that finds `dirty` set recounts everything from the registrations.
     */
    allocation: {
      lastSeq: { type: Number, default: 0 },
      dirty: { type: Boolean, default: false },
      /** Free seat numbers (src/events/seat-pool.ts); absent when the claims must be read. */
      seats: { type: new Schema({ next: { type: Number, required: true }, free: { type: [Number], default: [] } }, { _id: false }), default: undefined },
    },
    /** The Outlook side, kept by the calendar outbox. */
    calendar: {
      /** The mailbox (user id) whose calendar holds the event. */
      mailbox: { type: String, default: null, maxlength: 64 },
      eventId: { type: String, default: null, maxlength: 512 },
      iCalUId: { type: String, default: null, maxlength: 512 },
      joinUrl: { type: String, default: null, maxlength: 2048 },
      /** Raised when the Outlook event has to be made anew (the organiser deleted it); part of its idempotency key. */
      generation: { type: Number, default: 0, min: 0 },
      /** The `sequence` whose details Outlook has. */
      syncedSequence: { type: Number, default: -1 },
      cancelled: { type: Boolean, default: false },
    },
    /** Reminders written for the current start time (offsets in minutes). */
    reminders: {
      startsAt: { type: Date, default: null },
      sent: { type: [Number], default: [] },
    },
    cancelledAt: { type: Date, default: null },
    cancelReason: { type: String, maxlength: 1000 },
    createdBy: { type: String, required: true, maxlength: 64 },
  },
  {
    timestamps: true,
    minimize: false,
  },
);
eventSchema.plugin(toJsonPlugin);
eventSchema.index({ uid: 1 }, { unique: true });
eventSchema.index({ tenantId: 1, start: 1, _id: 1 });
eventSchema.index({ tenantId: 1, communityId: 1, start: 1 });
eventSchema.index({ tenantId: 1, organizers: 1, start: 1 });
eventSchema.index({ status: 1, start: 1 });

export interface EventAddress {
  street?: string | null;
  postalCode?: string | null;
  city?: string | null;
  countryOrRegion?: string | null;
}

/** An event as stored (lean). */
export interface EventRecord {
  _id: Types.ObjectId;
  tenantId: string;
  communityId: Types.ObjectId | null;
  title: string;
  description: { source: string; html: string };
  start: Date;
  end: Date;
  timeZone: string;
  location: { name?: string | null; address?: EventAddress | null } | null;
  online: boolean;
  capacity: number | null;
  waitlist: boolean;
  signupMethod: SignupMethod;
  signupDeadline: Date | null;
  guestsAllowed: boolean;
  organizers: string[];
  status: EventStatus;
  hideAttendees: boolean;
  followUpDiscussionId: Types.ObjectId | null;
  reminderMinutes: number[];
  uid: string;
  sequence: number;
  counts: { registered: number; waitlisted: number; requested: number };
  allocation?: { lastSeq: number; dirty: boolean; seats?: { next: number; free: number[] } };
  calendar: {
    mailbox: string | null;
    eventId: string | null;
    iCalUId: string | null;
    joinUrl: string | null;
    generation: number;
    syncedSequence: number;
    cancelled: boolean;
  };
  reminders: { startsAt: Date | null; sent: number[] };
  cancelledAt: Date | null;
  cancelReason?: string | null;
  createdBy: string;
  createdAt: Date;
  updatedAt: Date;
}

// Search reads a tenant's latest events through the read cache (src/search/event-search-source.ts);
// it never reads the sign-up counts and bookkeeping that every batch of sign-ups writes.
versionStamped(eventSchema, stampedByTenant('Event', stampScope.tenantEvents, ['counts', 'allocation']));
export const EventModel = mongoose.model('Event', eventSchema, 'events');

/** The lock key of an event document, the same one `atomicUpdate(EventModel, { _id })` uses. */
export function eventLockKey(eventId: Types.ObjectId | string): string {
  return `${EventModel.collection.collectionName}:${String(eventId)}`;
}
