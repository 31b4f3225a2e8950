/** The events policy as a matrix: every kind of person x every operation, per kind of event. */
import assert from 'node:assert/strict';
import { Types } from 'mongoose';
import type { Actor } from '../../src/auth/actor.js';
import { accessFromContext, eventContext } from '../../src/events/event-access.js';
import type { EventRecord } from '../../src/events/event.model.js';
import { canCreateCommunityEvent, canCreateOrganisationEvent, eventPolicy, type EventAction } from '../../src/events/events.policy.js';
import { NotFoundError, ForbiddenError } from '../../src/errors/domain-errors.js';
import { testActor } from '../support/test-actor.js';

/** `organiser`: listed, and an active member of the community; `former`: listed, but removed or blocked since. */
type Who = 'guest' | 'outsider' | 'member' | 'manager' | 'organiser' | 'former' | 'admin';
const ACTIONS: EventAction[] = ['event.read', 'event.signUp', 'attendees.read', 'event.update', 'event.cancel', 'attendees.manage', 'attendees.export'];

function actor(who: Who): Actor {
  return testActor({ userId: who, isGuest: who === 'guest', isOrgAdmin: who === 'admin' });
}

function event(overrides: Partial<EventRecord> = {}): EventRecord {
  return { communityId: new Types.ObjectId(), organizers: ['organiser', 'former'], guestsAllowed: false, hideAttendees: false, ...overrides } as EventRecord;
}

/** The community facts each person brings, for a community event: can they read it, and their role. */
function community(who: Who, readable: Who[]): { canRead: boolean; communityRole: 'manager' | 'member' | null } {
  return { canRead: readable.includes(who), communityRole: who === 'manager' ? 'manager' : who === 'member' || who === 'organiser' ? 'member' : null };
}

/** Y = allowed, F = forbidden (403), N = not found (404). Columns follow ACTIONS. */
function check(label: string, e: EventRecord, readable: Who[] | null, expected: Record<Who, string>): void {
  for (const [who, row] of Object.entries(expected) as [Who, string][]) {
    const a = actor(who);
    const access = accessFromContext(a, e, eventContext(a, e, readable ? community(who, readable) : null), null);
    ACTIONS.forEach((action, i) => {
      const want = row[i];
      let got = 'Y';
      try {
        access.authorize(action);
      } catch (error) {
        got = error instanceof NotFoundError ? 'N' : error instanceof ForbiddenError ? 'F' : '?';
      }
      assert.equal(got, want, `${label}: ${who} ${action}`);
      assert.equal(eventPolicy.can(a, action, access.context), want === 'Y');
    });
  }
}

describe('events policy', () => {
  //                      read signUp attRead update cancel manage export
  it('community event in a community everyone in the organisation may read (public)', () => {
    check('public', event(), ['outsider', 'member', 'manager', 'organiser', 'former', 'admin'], {
      guest: 'NNNNNNN',
      outsider: 'YYYFFFF',
      member: 'YYYFFFF',
      manager: 'YYYYYYY',
      organiser: 'YYYYYYY',
      former: 'YYYFFFF',
      admin: 'YYYYYYY',
    });
  });

  it('community event in a closed or secret community: members only', () => {
    check('closed', event(), ['member', 'manager', 'organiser', 'admin'], {
      guest: 'NNNNNNN',
      outsider: 'NNNNNNN',
      member: 'YYYFFFF',
      manager: 'YYYYYYY',
      organiser: 'YYYYYYY',
      former: 'NNNNNNN',
      admin: 'YYYYYYY',
    });
  });

  it('community event a guest can read: seen, but signing up only when the event admits guests', () => {
    check('guest reads, event closed to guests', event(), ['guest', 'member', 'manager', 'organiser'], { guest: 'YFYFFFF', member: 'YYYFFFF', outsider: 'NNNNNNN', manager: 'YYYYYYY', organiser: 'YYYYYYY', former: 'NNNNNNN', admin: 'YYYYYYY' });
    check('guest reads, event admits guests', event({ guestsAllowed: true }), ['guest', 'member', 'manager', 'organiser'], { guest: 'YYYFFFF', member: 'YYYFFFF', outsider: 'NNNNNNN', manager: 'YYYYYYY', organiser: 'YYYYYYY', former: 'NNNNNNN', admin: 'YYYYYYY' });
  });

  it('organisation-wide event: the organisation\'s people, guests only when admitted', () => {
    check('organisation', event({ communityId: null }), null, {
      guest: 'NNNNNNN',
      outsider: 'YYYFFFF',
      member: 'YYYFFFF',
      manager: 'YYYFFFF',
      organiser: 'YYYYYYY',
      former: 'YYYYYYY',
      admin: 'YYYYYYY',
    });
    check('organisation, guests admitted', event({ communityId: null, guestsAllowed: true }), null, { guest: 'YYYFFFF', outsider: 'YYYFFFF', member: 'YYYFFFF', manager: 'YYYFFFF', organiser: 'YYYYYYY', former: 'YYYYYYY', admin: 'YYYYYYY' });
  });

  it('organisation-wide event with a guest among its organisers: they run it only while the event admits guests', () => {
    check('guest organiser, guests admitted', event({ communityId: null, guestsAllowed: true, organizers: ['guest'] }), null, { guest: 'YYYYYYY', outsider: 'YYYFFFF', member: 'YYYFFFF', manager: 'YYYFFFF', organiser: 'YYYFFFF', former: 'YYYFFFF', admin: 'YYYYYYY' });
    check('guest organiser, guests no longer admitted', event({ communityId: null, guestsAllowed: false, organizers: ['guest'] }), null, { guest: 'NNNNNNN', outsider: 'YYYFFFF', member: 'YYYFFFF', manager: 'YYYFFFF', organiser: 'YYYFFFF', former: 'YYYFFFF', admin: 'YYYYYYY' });
  });

  it('a guest organiser of a community event runs it only while the community admits guests', () => {
    // `communityRole` is what resolveCommunityAccess derives: a guest's membership counts only while the community admits guests.
    const e = event({ organizers: ['guest'] });
    const g = actor('guest');
    const admitted = accessFromContext(g, e, eventContext(g, e, { canRead: true, communityRole: 'member' }), null);
    const shutOut = accessFromContext(g, e, eventContext(g, e, { canRead: false, communityRole: null }), null);
    assert.equal(admitted.can('attendees.export'), true);
    assert.equal(shutOut.can('attendees.export'), false);
    assert.throws(() => shutOut.authorize('attendees.export'), NotFoundError);
  });

  it('hidden attendee list: only those who run the event see it', () => {
    check('hidden', event({ hideAttendees: true }), ['outsider', 'member', 'manager', 'organiser', 'former', 'admin'], {
      guest: 'NNNNNNN',
      outsider: 'YYFFFFF',
      member: 'YYFFFFF',
      manager: 'YYYYYYY',
      organiser: 'YYYYYYY',
      former: 'YYFFFFF',
      admin: 'YYYYYYY',
    });
  });

  it('creating: community managers and admins in a community, admins only for the organisation', () => {
    for (const who of ['guest', 'outsider', 'member', 'manager', 'admin'] as Who[]) {
      const role = who === 'manager' ? 'manager' : who === 'member' ? 'member' : null;
      assert.equal(canCreateCommunityEvent(actor(who), { communityRole: role }), who === 'manager' || who === 'admin', `community ${who}`);
      assert.equal(canCreateOrganisationEvent(actor(who), {}), who === 'admin', `organisation ${who}`);
    }
  });
});
