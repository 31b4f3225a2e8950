/**
 * Whether an event takes sign-ups at a moment: one rule for the seat allocator (which refuses
 * with the reason), the API view (`canSignUp`) and the bot's card, so that no surface offers a
 * button the allocator would refuse.
 */
import type { EventRecord } from './event.model.js';

export type SignUpClosed = 'event_cancelled' | 'event_started' | 'signup_closed';

/** Started or over: nobody signs up, cancels or is added any more. */
export function hasStarted(event: Pick<EventRecord, 'status' | 'start'>, now: Date): boolean {
  return event.status === 'completed' || now.getTime() >= event.start.getTime();
}

/** Why nobody can sign up now, or null while sign-up is open (`deadline: false` for organisers adding people). */
export function signUpClosedReason(event: Pick<EventRecord, 'status' | 'start' | 'signupDeadline'>, now: Date, options: { deadline: boolean } = { deadline: true }): SignUpClosed | null {
  if (event.status === 'cancelled') return 'event_cancelled';
  if (hasStarted(event, now)) return 'event_started';
  if (options.deadline && event.signupDeadline && now.getTime() > event.signupDeadline.getTime()) return 'signup_closed';
  return null;
}

/** Whether someone may sign themselves up now (given that the policy lets them): open, not invite-only, a seat or a waitlist. */
export function selfSignUpOpen(event: Pick<EventRecord, 'status' | 'start' | 'signupDeadline' | 'signupMethod' | 'capacity' | 'waitlist'>, counts: { registered: number; waitlisted: number }, now: Date): boolean {
  if (signUpClosedReason(event, now) !== null || event.signupMethod === 'invite') return false;
  // As the allocator places people: a free seat nobody is waiting for, else the waitlist.
  const seatFree = (event.capacity === null || event.capacity === undefined || counts.registered < event.capacity) && counts.waitlisted === 0;
  return seatFree || event.waitlist;
}
