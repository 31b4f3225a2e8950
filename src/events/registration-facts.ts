/** Small facts about registrations that the seat book reads off them, and a new arrival's draft. */
import { Types } from 'mongoose';
import type { RegistrationRecord, RegistrationStatus } from './registration.model.js';
import type { Person } from './seat-operations.js';

/** The person as a registration records them. */
export function personOf(r: RegistrationRecord): Person {
  return { userId: r.userId, displayName: r.displayName ?? '', email: r.email ?? null, organisation: r.organisation ?? null, isGuest: r.isGuest ?? false };
}

/** Registered organisation members with an address are the Outlook attendees. */
export function isOutlookAttendee(r: RegistrationRecord | null): boolean {
  return r !== null && r.status === 'registered' && !r.isGuest && typeof r.email === 'string' && r.email.length > 0;
}

/** How many of the sorted `values` are below `x`. */
export function lowerBound(values: readonly number[], x: number): number {
  let lo = 0;
  let hi = values.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((values[mid] ?? Infinity) < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** A date as milliseconds, 0 when absent (for sorting). */
export function time(date: Date | null | undefined): number {
  return date instanceof Date ? date.getTime() : 0;
}

/**
 * The registration of someone arriving (signing up, or being added) at arrival number `seq`:
 * their earlier registration of the event made new (a new revision), or a first one.
 */
export function arrival(
  existing: RegistrationRecord | null,
  person: Person,
  status: RegistrationStatus,
  seq: number,
  extra: { message?: string | null; addedBy?: string | null },
  at: { tenantId: string; eventId: Types.ObjectId; now: Date },
): RegistrationRecord {
  const base: RegistrationRecord = existing
    ? { ...existing }
    : ({
        _id: new Types.ObjectId(),
        tenantId: at.tenantId,
        eventId: at.eventId,
        userId: person.userId,
        revision: 0,
        decidedBy: null,
        promotedAt: null,
        registeredAt: null,
        seat: null,
        createdAt: at.now,
        updatedAt: at.now,
      } as unknown as RegistrationRecord);
  return {
    ...base,
    displayName: person.displayName,
    email: person.email,
    organisation: person.organisation,
    isGuest: person.isGuest,
    status,
    seq,
    queue: seq,
    seat: null,
    addedBy: extra.addedBy ?? null,
    decidedBy: null,
    promotedAt: null,
    registeredAt: null,
    statusChangedAt: at.now,
    revision: (base.revision ?? 0) + (existing ? 1 : 0),
    ...(extra.message !== undefined && extra.message !== null ? { message: extra.message } : {}),
  };
}
