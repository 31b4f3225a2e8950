import assert from 'node:assert/strict';
import { selfSignUpOpen, signUpClosedReason } from '../../src/events/signup-window.js';

describe('the sign-up window (one rule for the allocator, the API view and the bot)', () => {
  const now = new Date('2026-03-10T12:00:00Z');
  const event = {
    status: 'scheduled' as const,
    start: new Date('2026-03-12T09:00:00Z'),
    signupDeadline: null as Date | null,
    signupMethod: 'open' as 'open' | 'request' | 'invite',
    capacity: 10 as number | null,
    waitlist: false,
  };
  const counts = { registered: 3, waitlisted: 0 };

  it('is open for a scheduled event with a free seat', () => {
    assert.equal(signUpClosedReason(event, now), null);
    assert.equal(selfSignUpOpen(event, counts, now), true);
  });

  it('closes once the event has started, though it has not ended (the bot used to offer it until the end)', () => {
    const running = { ...event, start: new Date('2026-03-10T11:00:00Z') };
    assert.equal(signUpClosedReason(running, now), 'event_started');
    assert.equal(selfSignUpOpen(running, counts, now), false);
  });

  it('closes after the deadline and for cancelled or completed events; organisers adding people ignore the deadline', () => {
    const late = { ...event, signupDeadline: new Date('2026-03-10T11:59:00Z') };
    assert.equal(signUpClosedReason(late, now), 'signup_closed');
    assert.equal(signUpClosedReason(late, now, { deadline: false }), null);
    assert.equal(signUpClosedReason({ ...event, status: 'cancelled' }, now), 'event_cancelled');
    assert.equal(signUpClosedReason({ ...event, status: 'completed' }, now), 'event_started');
  });

  it('offers no self sign-up for invite-only events, nor for a full one without a waitlist', () => {
    assert.equal(selfSignUpOpen({ ...event, signupMethod: 'invite' }, counts, now), false);
    assert.equal(selfSignUpOpen(event, { registered: 10, waitlisted: 0 }, now), false);
    assert.equal(selfSignUpOpen({ ...event, waitlist: true }, { registered: 10, waitlisted: 0 }, now), true);
    assert.equal(selfSignUpOpen({ ...event, capacity: null }, { registered: 500, waitlisted: 0 }, now), true);
    // People already waiting: a freed seat is theirs, so a newcomer only joins the waitlist.
    assert.equal(selfSignUpOpen(event, { registered: 9, waitlisted: 2 }, now), false);
  });
});
