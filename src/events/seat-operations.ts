/** The operations the seat allocator applies to an event's seat book, and what they answer. */
import type { NotificationIntent } from '../notifications/notification-outbox.js';
import type { EventRecord } from './event.model.js';
import type { RegistrationRecord } from './registration.model.js';

/** Who signs up, as the registration records them. */
export interface Person {
  userId: string;
  displayName: string;
  email: string | null;
  organisation: string | null;
  isGuest: boolean;
}

/** What an edit changes, decided against the current event inside the lock. */
export interface EventEditPlan {
  /** Fields to set on the event. */
  set: Record<string, unknown>;
}

export type SeatOperation =
  | { kind: 'signUp'; person: Person; message?: string }
  | { kind: 'cancel'; userId: string }
  | { kind: 'approve'; userId: string; by: string }
  | { kind: 'decline'; userId: string; by: string }
  | { kind: 'add'; person: Person; by: string }
  | { kind: 'remove'; userId: string; by: string }
  /** Throws a DomainError to refuse; runs against the event as it is inside the lock. */
  | { kind: 'edit'; prepare: (event: EventRecord, now: Date) => EventEditPlan };

export interface RegistrationOutcome {
  registration: RegistrationRecord;
  /** A new sign-up (or a new one after cancelling), rather than the existing registration. */
  created: boolean;
  /** 1-based place in the waitlist, when waitlisted. */
  position?: number;
}

export interface EditOutcome {
  event: EventRecord;
  /** People moved from registered to the waitlist by a lowered capacity. */
  demoted: string[];
  /** People moved from the waitlist to registered. */
  promoted: string[];
}

/** What a committed batch changed, for the notification and calendar outboxes. */
export interface BatchCommitted {
  event: EventRecord;
  /** The set of registered organisation members (the Outlook attendees) may have changed. */
  attendeesChanged: boolean;
  /** An edit ran (the event's details may have changed). */
  edited: boolean;
  notifications: NotificationIntent[];
}

export type Outcome = RegistrationOutcome | EditOutcome;

/** Each operation's result in a batch, in order. */
export type BatchResult = { ok: true; value: Outcome } | { ok: false; error: unknown };
