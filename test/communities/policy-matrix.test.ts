/**
 * The policy as a table: every operation of communities, discussions, replies and
 * moderation, for a guest, an organisation member outside the community, a member, a
 * manager and an organisation admin, in a public, a closed and a secret community, through
 * HTTP against the real database. Letters, one per subject in the order of `subjects`:
 * A allowed (2xx), F forbidden (403), N not found (404: the community stays invisible),
 * B bad request (400).
 */
import assert from 'node:assert/strict';
import type { Actor } from '../../src/auth/actor.js';
import type { CommunityVisibility } from '../../src/communities/community.model.js';
import { readCache } from '../../src/db/read-cache.js';
import { useTestDatabase } from '../support/database.js';
import { as, buildWorld, community, person, type TestWorld } from './communities-fixtures.js';

type Letter = 'A' | 'F' | 'N' | 'B';
/** The operations that only read: re-run with the read cache warm. */
/** Of those, the pages served from the read cache (the others read the store: reading a discussion marks it read). */
const CACHED_READS = new Set(['list its discussions', 'read its replies']);
const WARM_READS = new Set(['read the community', 'list its discussions', 'list its members', 'read a discussion', 'read its replies', 'read a reply']);
const subjectNames = ['guest', 'non-member', 'member', 'manager', 'admin'] as const;

interface Setup {
  world: TestWorld;
  communityId: string;
  /** A discussion by the member. */
  discussionId: string;
  /** A question by the member, with a reply by the manager. */
  questionId: string;
  answerId: string;
  /** A reply by the member. */
  replyId: string;
  /** A discussion by another member (to report). */
  otherDiscussionId: string;
  people: Record<(typeof subjectNames)[number], Actor> & { author: Actor; other: Actor };
  fresh: {
    discussionByMember(): Promise<string>;
    replyByMember(): Promise<string>;
    community(): Promise<string>;
    invitee(): Promise<Actor>;
  };
}

interface Operation {
  name: string;
  expected: Record<CommunityVisibility, string>;
  run(s: Setup, actor: Actor): Promise<{ status: number }>;
}

const operations: Operation[] = [
  { name: 'read the community', expected: { public: 'AAAAA', closed: 'AAAAA', secret: 'NNAAA' }, run: (s, a) => as(s.world.app, a).get(`/communities/${s.communityId}`) },
  { name: 'list its discussions', expected: { public: 'AAAAA', closed: 'FFAAA', secret: 'NNAAA' }, run: (s, a) => as(s.world.app, a).get(`/communities/${s.communityId}/discussions`) },
  { name: 'list its members', expected: { public: 'AAAAA', closed: 'FFAAA', secret: 'NNAAA' }, run: (s, a) => as(s.world.app, a).get(`/communities/${s.communityId}/members`) },
  { name: 'list pending requests', expected: { public: 'FFFAA', closed: 'FFFAA', secret: 'NNFAA' }, run: (s, a) => as(s.world.app, a).get(`/communities/${s.communityId}/members?status=requested`) },
  { name: 'export members as CSV', expected: { public: 'FFFAA', closed: 'FFFAA', secret: 'NNFAA' }, run: (s, a) => as(s.world.app, a).get(`/communities/${s.communityId}/members/export`) },
  { name: 'change the community', expected: { public: 'FFFAA', closed: 'FFFAA', secret: 'NNFAA' }, run: (s, a) => as(s.world.app, a).patch(`/communities/${s.communityId}`, { description: 'Changed' }) },
  { name: 'invite someone', expected: { public: 'FFFAA', closed: 'FFFAA', secret: 'NNFAA' }, run: async (s, a) => as(s.world.app, a).post(`/communities/${s.communityId}/members`, { userId: (await s.fresh.invitee()).userId }) },
  { name: 'start a discussion', expected: { public: 'FFAAA', closed: 'FFAAA', secret: 'NNAAA' }, run: (s, a) => as(s.world.app, a).post(`/communities/${s.communityId}/discussions`, { title: 'New', body: 'Text' }) },
  { name: 'read a discussion', expected: { public: 'AAAAA', closed: 'FFAAA', secret: 'NNAAA' }, run: (s, a) => as(s.world.app, a).get(`/discussions/${s.discussionId}`) },
  { name: 'read its replies', expected: { public: 'AAAAA', closed: 'FFAAA', secret: 'NNAAA' }, run: (s, a) => as(s.world.app, a).get(`/discussions/${s.discussionId}/replies`) },
  { name: 'read a reply', expected: { public: 'AAAAA', closed: 'FFAAA', secret: 'NNAAA' }, run: (s, a) => as(s.world.app, a).get(`/replies/${s.replyId}`) },
  { name: 'reply', expected: { public: 'FFAAA', closed: 'FFAAA', secret: 'NNAAA' }, run: (s, a) => as(s.world.app, a).post(`/discussions/${s.discussionId}/replies`, { body: 'A reply' }) },
  { name: 'react to a discussion', expected: { public: 'FFAAA', closed: 'FFAAA', secret: 'NNAAA' }, run: (s, a) => as(s.world.app, a).put(`/discussions/${s.discussionId}/reactions/like`) },
  { name: 'react to a reply', expected: { public: 'FFAAA', closed: 'FFAAA', secret: 'NNAAA' }, run: (s, a) => as(s.world.app, a).put(`/replies/${s.replyId}/reactions/thanks`) },
  { name: 'follow a discussion', expected: { public: 'AAAAA', closed: 'FFAAA', secret: 'NNAAA' }, run: (s, a) => as(s.world.app, a).put(`/discussions/${s.discussionId}/follow`) },
  { name: "edit the member's discussion", expected: { public: 'FFAFF', closed: 'FFAFF', secret: 'NNAFF' }, run: (s, a) => as(s.world.app, a).patch(`/discussions/${s.discussionId}`, { title: 'Edited title' }) },
  { name: "close the member's discussion", expected: { public: 'FFAAA', closed: 'FFAAA', secret: 'NNAAA' }, run: async (s, a) => as(s.world.app, a).patch(`/discussions/${await s.fresh.discussionByMember()}`, { status: 'closed', conclusion: 'Done' }) },
  { name: 'pin a discussion', expected: { public: 'FFFAA', closed: 'FFFAA', secret: 'NNFAA' }, run: (s, a) => as(s.world.app, a).patch(`/discussions/${s.discussionId}`, { pinned: true }) },
  { name: "accept an answer to the member's question", expected: { public: 'FFAAA', closed: 'FFAAA', secret: 'NNAAA' }, run: (s, a) => as(s.world.app, a).put(`/discussions/${s.questionId}/answer`, { replyId: s.answerId }) },
  { name: "delete the member's discussion", expected: { public: 'FFAAA', closed: 'FFAAA', secret: 'NNAAA' }, run: async (s, a) => as(s.world.app, a).delete(`/discussions/${await s.fresh.discussionByMember()}`) },
  { name: "edit the member's reply", expected: { public: 'FFAFF', closed: 'FFAFF', secret: 'NNAFF' }, run: (s, a) => as(s.world.app, a).patch(`/replies/${s.replyId}`, { body: 'Edited reply' }) },
  { name: "delete the member's reply", expected: { public: 'FFAAA', closed: 'FFAAA', secret: 'NNAAA' }, run: async (s, a) => as(s.world.app, a).delete(`/replies/${await s.fresh.replyByMember()}`) },
  { name: 'report a discussion', expected: { public: 'AAAAA', closed: 'FFAAA', secret: 'NNAAA' }, run: (s, a) => as(s.world.app, a).post('/reports', { targetType: 'discussion', targetId: s.otherDiscussionId, reason: 'spam' }) },
  { name: 'hide a discussion', expected: { public: 'FFFAA', closed: 'FFFAA', secret: 'NNFAA' }, run: async (s, a) => as(s.world.app, a).put(`/discussions/${await s.fresh.discussionByMember()}/hidden`) },
  { name: 'unhide a discussion', expected: { public: 'FFFAA', closed: 'FFFAA', secret: 'NNFAA' }, run: (s, a) => as(s.world.app, a).delete(`/discussions/${s.discussionId}/hidden`) },
  { name: 'see the moderation queue of the community', expected: { public: 'FFFAA', closed: 'FFFAA', secret: 'NNFAA' }, run: (s, a) => as(s.world.app, a).get(`/reports?communityId=${s.communityId}`) },
  { name: 'delete the community', expected: { public: 'FFFAA', closed: 'FFFAA', secret: 'NNFAA' }, run: async (s, a) => as(s.world.app, a).delete(`/communities/${await s.fresh.community()}`) },
  // Last: it changes who is a member. Members and managers are already in (200); admins may join public and closed ones only.
  { name: 'join (or ask to join)', expected: { public: 'AAAAA', closed: 'AAAAA', secret: 'NNAAF' }, run: (s, a) => as(s.world.app, a).post(`/communities/${s.communityId}/members`, {}) },
];

function letterOf(status: number): Letter | `?${number}` {
  if (status >= 200 && status < 300) return 'A';
  if (status === 403) return 'F';
  if (status === 404) return 'N';
  if (status === 400) return 'B';
  return `?${status}`;
}

describe('the community policy matrix (HTTP, real database)', function () {
  this.timeout(120_000);
  useTestDatabase('policy');

  for (const visibility of ['public', 'closed', 'secret'] as const) {
    describe(`in a ${visibility} community`, () => {
      let s: Setup;
      before(async () => {
        const world = buildWorld();
        const tag = visibility.slice(0, 3);
        const manager = await person({ userId: `${tag}-manager` });
        const member = await person({ userId: `${tag}-member` });
        const other = await person({ userId: `${tag}-other` });
        const guest = await person({ userId: `${tag}-guest`, isGuest: true });
        const outsider = await person({ userId: `${tag}-outsider` });
        const admin = await person({ userId: `${tag}-admin`, isOrgAdmin: true });
        // The community admits guests, so the guest's row shows the guest rules, not a blanket refusal.
        const c = await community(world, manager, { visibility, guestsAllowed: true, members: [member, other] });
        const { discussions, replies } = world.module.services;
        const discussion = await discussions.create(member, c.id, { title: 'By the member', body: 'Body', kind: 'discussion' });
        const question = await discussions.create(member, c.id, { title: 'A question', body: 'Why?', kind: 'question' });
        const answer = await replies.create(manager, question.id, { body: 'Because.' });
        const reply = await replies.create(member, discussion.id, { body: 'My reply' });
        const otherDiscussion = await discussions.create(other, c.id, { title: 'By another member', body: 'Body', kind: 'discussion' });
        let n = 0;
        s = {
          world,
          communityId: c.id,
          discussionId: discussion.id,
          questionId: question.id,
          answerId: answer.id,
          replyId: reply.id,
          otherDiscussionId: otherDiscussion.id,
          people: { guest, 'non-member': outsider, member, manager, admin, author: member, other },
          fresh: {
            discussionByMember: async () => (await discussions.create(member, c.id, { title: `Fresh ${n++}`, body: 'Body', kind: 'discussion' })).id,
            replyByMember: async () => (await replies.create(member, discussion.id, { body: `Fresh reply ${n++}` })).id,
            community: async () => (await community(world, manager, { visibility, guestsAllowed: true, members: [member] })).id,
            invitee: () => person({ userId: `${tag}-invitee-${n++}` }),
          },
        };
      });

      // Last, the reads again with the read cache warm: everyone reads, the most privileged
      // first, so that the shared records are cached by people who may see them; then the
      // whole row again, which must not change (no leakage through the cache).
      for (const op of operations.filter((o) => WARM_READS.has(o.name))) {
        it(`${op.name}, read cache warm: ${op.expected[visibility]}`, async () => {
          const hitsBefore = readCache().stats().hits;
          for (const name of [...subjectNames].reverse()) await op.run(s, s.people[name]);
          const got: string[] = [];
          for (const name of subjectNames) got.push(letterOf((await op.run(s, s.people[name])).status));
          assert.equal(got.join(''), op.expected[visibility], `${op.name} with a warm cache (${subjectNames.join(', ')})`);
          if (CACHED_READS.has(op.name)) assert.ok(readCache().stats().hits > hitsBefore, 'the reads were answered from the cache');
        });
      }

      for (const op of operations) {
        it(`${op.name}: ${op.expected[visibility]}`, async () => {
          const got: string[] = [];
          for (const name of subjectNames) {
            const res = await op.run(s, s.people[name]);
            got.push(letterOf(res.status));
          }
          assert.equal(got.join(''), op.expected[visibility], `${op.name} (${subjectNames.join(', ')})`);
        });
      }
    });
  }
});
