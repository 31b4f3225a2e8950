import assert from 'node:assert/strict';
import type { Actor } from '../../src/auth/actor.js';
import {
  allOf,
  anyOf,
  communityManager,
  communityMember,
  definePolicy,
  guest,
  guestsAdmitted,
  not,
  orgAdmin,
  organisationMember,
  owner,
  visibility,
  type AccessContext,
  type CommunityRole,
  type Visibility,
} from '../../src/auth/authorize.js';
import { auditPolicy } from '../../src/audit/audit-log.service.js';
import { ForbiddenError, NotFoundError } from '../../src/errors/domain-errors.js';

const tenantId = '00000000-0000-4000-8000-00000000a001';

function actor(userId: string, options: { guest?: boolean; admin?: boolean } = {}): Actor {
  return { userId, tenantId, name: userId, isGuest: options.guest ?? false, mfa: true, isOrgAdmin: options.admin ?? false, roles: options.admin ? ['Meent.Admin'] : [] };
}

/** Who, and their role in the community at hand. */
const subjects: { label: string; actor: Actor; role: CommunityRole | null }[] = [
  { label: 'guest, not a member', actor: actor('guest-outsider', { guest: true }), role: null },
  { label: 'guest, member', actor: actor('guest-member', { guest: true }), role: 'member' },
  { label: 'organisation member, not in the community', actor: actor('colleague'), role: null },
  { label: 'member', actor: actor('member'), role: 'member' },
  { label: 'manager', actor: actor('manager'), role: 'manager' },
  { label: 'organisation admin, not in the community', actor: actor('admin', { admin: true }), role: null },
];

/** A community policy as a capability would write it, to prove the helper can express one. */
type Action = 'community.read' | 'community.join' | 'discussion.create' | 'discussion.delete' | 'community.manage';
const communityPolicy = definePolicy<Action>({
  'community.read': {
    allow: anyOf(orgAdmin, communityMember, allOf(visibility('public', 'closed'), organisationMember), allOf(visibility('public'), guest, guestsAdmitted)),
    conceal: visibility('secret'),
  },
  'community.join': {
    allow: allOf(not(communityMember), visibility('public'), anyOf(organisationMember, allOf(guest, guestsAdmitted))),
    conceal: allOf(visibility('secret'), not(communityMember), not(orgAdmin)),
  },
  'discussion.create': { allow: communityMember, conceal: allOf(visibility('secret'), not(orgAdmin)) },
  'discussion.delete': { allow: anyOf(owner, communityManager, orgAdmin), message: 'Only the author or a manager may delete this.' },
  'community.manage': { allow: anyOf(communityManager, orgAdmin) },
});

/**
 * Expected outcome per action and visibility, one letter per subject in the order above:
 * A allowed, F forbidden (403), N not found (404: the community stays invisible).
 */
const matrix: Record<Action, Record<Visibility, string>> = {
  'community.read': { public: 'AAAAAA', closed: 'FAAAAA', secret: 'NANAAA' },
  'community.join': { public: 'AFAFFA', closed: 'FFFFFF', secret: 'NFNFFF' },
  'discussion.create': { public: 'FAFAAF', closed: 'FAFAAF', secret: 'NANAAF' },
  'discussion.delete': { public: 'FFFFAA', closed: 'FFFFAA', secret: 'FFFFAA' },
  'community.manage': { public: 'FFFFAA', closed: 'FFFFAA', secret: 'FFFFAA' },
};

function outcome(run: () => void): 'A' | 'F' | 'N' {
  try {
    run();
    return 'A';
  } catch (error) {
    if (error instanceof NotFoundError) return 'N';
    if (error instanceof ForbiddenError) return 'F';
    throw error;
  }
}

describe('authorize: the one authorization helper', () => {
  describe('a community policy, table-driven (subject x visibility x action; guests admitted)', () => {
    for (const [action, byVisibility] of Object.entries(matrix) as [Action, Record<Visibility, string>][]) {
      for (const [vis, expected] of Object.entries(byVisibility) as [Visibility, string][]) {
        subjects.forEach((subject, i) => {
          const want = expected[i];
          it(`${action} / ${vis} / ${subject.label} -> ${want === 'A' ? 'allowed' : want === 'N' ? '404' : '403'}`, () => {
            const context: AccessContext = { communityRole: subject.role, visibility: vis, guestsAdmitted: true, ownerId: 'someone-else' };
            assert.equal(outcome(() => communityPolicy.authorize(subject.actor, action, context)), want);
            assert.equal(communityPolicy.can(subject.actor, action, context), want === 'A');
          });
        });
      }
    }
  });

  describe('facts of the resource', () => {
    const outsider = actor('guest-outsider', { guest: true });
    it('a guest may not read or join a public community that does not admit guests', () => {
      const context: AccessContext = { communityRole: null, visibility: 'public', guestsAdmitted: false };
      assert.equal(outcome(() => communityPolicy.authorize(outsider, 'community.read', context)), 'F');
      assert.equal(outcome(() => communityPolicy.authorize(outsider, 'community.join', context)), 'F');
    });

    it('the author may delete their own discussion; another member may not, and is told why', () => {
      const author = actor('author');
      const context: AccessContext = { communityRole: 'member', visibility: 'public', ownerId: 'author' };
      assert.equal(outcome(() => communityPolicy.authorize(author, 'discussion.delete', context)), 'A');
      assert.throws(() => communityPolicy.authorize(actor('other'), 'discussion.delete', context), (e: unknown) => e instanceof ForbiddenError && e.message === 'Only the author or a manager may delete this.' && e.code === 'forbidden');
    });
  });

  describe('the audit log policy', () => {
    const table: [string, Actor, boolean][] = [
      ['organisation admin', actor('admin', { admin: true }), true],
      ['member', actor('member'), false],
      ['guest', actor('guest', { guest: true }), false],
      ['guest holding the admin role', actor('guest-admin', { guest: true, admin: true }), true],
    ];
    for (const [label, who, allowed] of table) {
      it(`audit.read by ${label} -> ${allowed ? 'allowed' : '403'}`, () => {
        assert.equal(auditPolicy.can(who, 'audit.read', { communityRole: 'manager' }), allowed);
        assert.equal(outcome(() => auditPolicy.authorize(who, 'audit.read', {})), allowed ? 'A' : 'F');
      });
    }
  });

  describe('fails closed', () => {
    const admin = actor('admin', { admin: true });
    it('denies an action the policy does not name, even to an admin', () => {
      assert.equal(outcome(() => communityPolicy.authorize(admin, 'community.destroy' as Action, {})), 'F');
      assert.equal(communityPolicy.can(admin, 'community.destroy' as Action, {}), false);
    });

    it('does not treat inherited object keys as actions', () => {
      for (const name of ['toString', '__proto__', 'constructor', 'hasOwnProperty']) {
        assert.equal(outcome(() => communityPolicy.authorize(admin, name as Action, {})), 'F', name);
      }
    });

    it('allOf() of nothing allows nobody; a missing visibility matches no visibility rule', () => {
      const policy = definePolicy<'x' | 'y'>({ x: { allow: allOf() }, y: { allow: visibility('public') } });
      assert.equal(policy.can(admin, 'x', {}), false);
      assert.equal(policy.can(admin, 'y', {}), false);
    });

    it('a rule table cannot be changed after it is defined', () => {
      assert.throws(() => {
        (communityPolicy.rules as Record<string, unknown>)['community.manage'] = { allow: () => true };
      }, TypeError);
    });
  });
});
