/**
 * A person's registration for an event, and the seats it holds.
 *
 * The invariants hold by construction, not only by the allocator's lock:
 * - one registration per person and event: unique (eventId, userId); signing up again
 *   reuses the document;
 * - never more registered than seats: a registered registration holds a seat, a
 *   `SeatClaim` with a unique (eventId, seat) where 1 <= seat <= capacity. The claim is
 *   written before the registration becomes `registered` and removed after it stops being
 *   so, so at every instant registered <= claims <= capacity;
 * - arrival order: `seq` is unique per event and assigned in the order sign-ups are decided;
 *   `queue` orders the waitlist (arrivals take their `seq`; people moved back to the
 *   waitlist by a lowered capacity take places before the head).
 */
import mongoose, { Schema, type InferSchemaType, type Types } from 'mongoose';
import { toJsonPlugin } from '../db/to-json-plugin.js';

import { REGISTRATION_STATUSES, type RegistrationStatus } from './registration-view.js';

export { REGISTRATION_STATUSES, type RegistrationStatus };
/** Statuses that count as "signed up" (shown in "mine", counted in the event). */
export const ACTIVE_STATUSES: readonly RegistrationStatus[] = ['registered', 'waitlisted', 'requested'];

const registrationSchema = new Schema(
  {
    tenantId: { type: String, required: true, maxlength: 64 },
    eventId: { type: Schema.Types.ObjectId, required: true },
    userId: { type: String, required: true, maxlength: 64 },
    /** Copied at sign-up: the attendee list, the CSV and the Outlook invitation need them. */
    displayName: { type: String, default: '', maxlength: 256 },
    email: { type: String, default: null, maxlength: 320 },
    organisation: { type: String, default: null, maxlength: 200 },
    isGuest: { type: Boolean, default: false },
    status: { type: String, enum: REGISTRATION_STATUSES, required: true },
    /** Arrival order of the latest sign-up; unique per event. */
    seq: { type: Number, required: true },
    /** Place in the waitlist order (lower is earlier); kept after promotion. */
    queue: { type: Number, required: true },
    /** The seat held while registered. */
    seat: { type: Number, default: null },
    /** Raised whenever the person's own invitation changes (iCalendar SEQUENCE = event sequence + this). */
    revision: { type: Number, default: 0 },
    /** With a request to join an on-request event. */
    message: { type: String, maxlength: 1000 },
    /** Who added the person, when an organiser did. */
    addedBy: { type: String, default: null, maxlength: 64 },
    /** Who decided (approved, declined, removed), when an organiser did. */
    decidedBy: { type: String, default: null, maxlength: 64 },
    registeredAt: { type: Date, default: null },
    promotedAt: { type: Date, default: null },
    statusChangedAt: { type: Date, required: true },
  },
  {
    timestamps: true,
  },
);
registrationSchema.plugin(toJsonPlugin);
registrationSchema.index({ eventId: 1, userId: 1 }, { unique: true });
registrationSchema.index({ eventId: 1, seq: 1 }, { unique: true });
registrationSchema.index({ eventId: 1, status: 1, queue: 1 });
registrationSchema.index({ tenantId: 1, userId: 1, status: 1 });

/** A registration as stored (lean). */
export interface RegistrationRecord {
  _id: Types.ObjectId;
  tenantId: string;
  eventId: Types.ObjectId;
  userId: string;
  displayName: string;
  email: string | null;
  organisation: string | null;
  isGuest: boolean;
  status: RegistrationStatus;
  seq: number;
  queue: number;
  seat: number | null;
  revision: number;
  message?: string | null;
  addedBy: string | null;
  decidedBy: string | null;
  registeredAt: Date | null;
  promotedAt: Date | null;
  statusChangedAt: Date;
  createdAt: Date;
  updatedAt: Date;
}

export const RegistrationModel = mongoose.model('EventRegistration', registrationSchema, 'event_registrations');

const seatClaimSchema = new Schema(
  {
    tenantId: { type: String, required: true, maxlength: 64 },
    eventId: { type: Schema.Types.ObjectId, required: true },
    /** 1..capacity. */
    seat: { type: Number, required: true, min: 1 },
    registrationId: { type: Schema.Types.ObjectId, required: true },
  },
  { versionKey: false, timestamps: { createdAt: true, updatedAt: false } },
);
seatClaimSchema.index({ eventId: 1, seat: 1 }, { unique: true });
seatClaimSchema.index({ registrationId: 1 });

export type SeatClaimRecord = InferSchemaType<typeof seatClaimSchema> & { _id: mongoose.Types.ObjectId };

export const SeatClaimModel = mongoose.model('EventSeatClaim', seatClaimSchema, 'event_seat_claims');
