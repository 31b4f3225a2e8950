import assert from 'node:assert/strict';
import type { Actor } from '../../src/auth/actor.js';
import { ForbiddenError, NotFoundError } from '../../src/errors/domain-errors.js';
import { admissionFor, meetingPolicy, type AdmissionFacts, type MeetingAction, type MeetingContext } from '../../src/meetings/meeting.policy.js';

const actor = (overrides: Partial<Actor> = {}): Actor => ({ userId: 'u1', tenantId: 't1', name: 'X', isGuest: false, mfa: true, isOrgAdmin: false, roles: [], ...overrides });

describe('meeting policy', () => {
  type Who = 'organiser' | 'participant' | 'manager (participant)' | 'linker (participant)' | 'admin (outside)' | 'outsider' | 'manager (outside)';
  const contexts: Record<Who, { actor: Actor; context: MeetingContext }> = {
    organiser: { actor: actor(), context: { isOrganizer: true, inMeeting: true, isLinker: false, communityRole: null } },
    participant: { actor: actor(), context: { isOrganizer: false, inMeeting: true, isLinker: false, communityRole: 'member' } },
    'manager (participant)': { actor: actor(), context: { isOrganizer: false, inMeeting: true, isLinker: false, communityRole: 'manager' } },
    'linker (participant)': { actor: actor(), context: { isOrganizer: false, inMeeting: true, isLinker: true, communityRole: 'member' } },
    'admin (outside)': { actor: actor({ isOrgAdmin: true }), context: { isOrganizer: false, inMeeting: false, isLinker: false, communityRole: null } },
    outsider: { actor: actor(), context: { isOrganizer: false, inMeeting: false, isLinker: false, communityRole: null } },
    'manager (outside)': { actor: actor(), context: { isOrganizer: false, inMeeting: false, isLinker: false, communityRole: 'manager' } },
  };
  // allowed / 'hidden' (404) / 'denied' (403)
  const matrix: Record<Who, Record<MeetingAction, true | 'denied' | 'hidden'>> = {
    organiser: { 'meeting.read': true, 'meeting.link': true, 'meeting.unlink': true, 'meeting.followUp': true },
    participant: { 'meeting.read': true, 'meeting.link': 'denied', 'meeting.unlink': 'denied', 'meeting.followUp': 'denied' },
    'manager (participant)': { 'meeting.read': true, 'meeting.link': true, 'meeting.unlink': true, 'meeting.followUp': true },
    'linker (participant)': { 'meeting.read': true, 'meeting.link': 'denied', 'meeting.unlink': true, 'meeting.followUp': true },
    'admin (outside)': { 'meeting.read': true, 'meeting.link': true, 'meeting.unlink': true, 'meeting.followUp': true },
    outsider: { 'meeting.read': 'hidden', 'meeting.link': 'hidden', 'meeting.unlink': 'hidden', 'meeting.followUp': 'hidden' },
    // A community's manager who is not in the meeting learns nothing about it.
    'manager (outside)': { 'meeting.read': 'hidden', 'meeting.link': true, 'meeting.unlink': true, 'meeting.followUp': true },
  };

  for (const [who, actions] of Object.entries(matrix) as [Who, Record<MeetingAction, true | 'denied' | 'hidden'>][]) {
    for (const [action, expected] of Object.entries(actions) as [MeetingAction, true | 'denied' | 'hidden'][]) {
      it(`${who}: ${action} is ${expected === true ? 'allowed' : expected}`, () => {
        const { actor: a, context } = contexts[who];
        if (expected === true) {
          assert.doesNotThrow(() => meetingPolicy.authorize(a, action, context));
        } else {
          assert.throws(() => meetingPolicy.authorize(a, action, context), expected === 'hidden' ? NotFoundError : ForbiddenError);
        }
      });
    }
  }
});

describe('admission after a meeting', () => {
  const base: AdmissionFacts = {
    hasAccount: true,
    externalAccount: false,
    isGuest: false,
    organisationAdmitsGuests: true,
    community: { visibility: 'public', guestsAllowed: false },
    membership: null,
    linkerMayInvite: false,
  };
  const cases: [string, Partial<AdmissionFacts>, ReturnType<typeof admissionFor>][] = [
    ['a colleague, public community, linked by a member: invited', {}, { admit: true, action: 'invite', outcome: 'invited' }],
    ['a colleague, closed community, linked by a manager: invited', { community: { visibility: 'closed', guestsAllowed: false }, linkerMayInvite: true }, { admit: true, action: 'invite', outcome: 'invited' }],
    ['a colleague, closed community, linked by a member: needs a manager', { community: { visibility: 'closed', guestsAllowed: false } }, { admit: false, reason: 'approval_required' }],
    ['a colleague, secret community, linked by a member: needs a manager', { community: { visibility: 'secret', guestsAllowed: true } }, { admit: false, reason: 'approval_required' }],
    ['a member already: follows', { membership: 'active', community: { visibility: 'secret', guestsAllowed: false } }, { admit: true, action: 'follow', outcome: 'member' }],
    ['invited already: follows', { membership: 'invited', community: { visibility: 'closed', guestsAllowed: false } }, { admit: true, action: 'follow', outcome: 'already_invited' }],
    ['a pending request, linked by a manager: approved', { membership: 'requested', community: { visibility: 'closed', guestsAllowed: false }, linkerMayInvite: true }, { admit: true, action: 'approve', outcome: 'approved' }],
    ['a pending request, linked by a member: keeps waiting, follows', { membership: 'requested', community: { visibility: 'closed', guestsAllowed: false } }, { admit: true, action: 'follow', outcome: 'requested' }],
    ['blocked: stays out, even linked by a manager', { membership: 'blocked', linkerMayInvite: true }, { admit: false, reason: 'blocked' }],
    ['a guest where the community admits none', { isGuest: true }, { admit: false, reason: 'guests_not_allowed' }],
    ['a guest member where the community stopped admitting guests', { isGuest: true, membership: 'active' }, { admit: false, reason: 'guests_not_allowed' }],
    ['a guest where the community admits guests', { isGuest: true, community: { visibility: 'public', guestsAllowed: true } }, { admit: true, action: 'invite', outcome: 'invited' }],
    ['a guest when the organisation admits no guests', { isGuest: true, organisationAdmitsGuests: false, community: { visibility: 'public', guestsAllowed: true } }, { admit: false, reason: 'guests_disabled' }],
    ['an account of another organisation', { externalAccount: true, linkerMayInvite: true }, { admit: false, reason: 'external_account' }],
    ['an anonymous participant', { hasAccount: false }, { admit: false, reason: 'unknown_person' }],
  ];
  for (const [name, facts, expected] of cases) {
    it(name, () => assert.deepEqual(admissionFor({ ...base, ...facts }), expected));
  }
});
