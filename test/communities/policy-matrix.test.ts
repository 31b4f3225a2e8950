/**
 * The policy as a table: every operation of communities, discussions, replies and
 * moderation, for a guest, an organisation member outside the community, a member, a
 * manager and an organisation admin, in a public, a closed and a secret community, through
 * HTTP against the real database. Letters, one per subject in the order of `subjects`:
 * A allowed (2xx), F forbidden (403), N not found (404: the community stays invisible),
 * B bad request (400).
 *
 * Then files in posts (issue 21), with three more subjects: someone the community blocked, a
 * guest who is a member, and a guest member of a community that no longer admits guests.
 */
import assert from 'node:assert/strict';
import type { Actor } from '../../src/auth/actor.js';
import type { CommunityVisibility } from '../../src/communities/community.model.js';
import request from 'supertest';
import { readCache } from '../../src/db/read-cache.js';
import { buildAttachmentsWorld, FIXED_NOW, type AttachmentsWorld } from '../attachments/attachments-world.js';
import { useTestDatabase } from '../support/database.js';
import { actorHeader } from '../support/test-actor.js';
import { solidPng } from '../support/png.js';
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

/**
 * Files in posts: seeing them with the post, opening them (in local mode from Meent's own
 * /local-drive route, which asks the drive whether Meent's grants reach the person), reading
 * their thumbnails (GET /attachments/{id}/thumbnail), attaching one of one's own files to a new
 * discussion, a reply and a community event, and starting an upload into the community's
 * library. The posts and their files are the member's (a discussion) and the manager's (a reply,
 * an event). Letters as above; the first five subjects are the table's, then someone the
 * community blocked, a guest member, and a guest member of a like community that stopped
 * admitting guests (who acts on that community's posts).
 *
 * Two things the table shows on purpose. An organisation admin reads a closed or secret
 * community's posts to oversee them, and sees their files' cards, but holds no permission on the
 * files and gets no thumbnail (event-attachments.test.ts, the grant matrix). In a public
 * community the organisation link reaches every person of the organisation, someone the
 * community blocked too: Graph's links cannot leave one person out, so a blocked person may
 * still open a public community's file (if they have its address), though Meent shows them
 * neither the post nor its thumbnail.
 */
const fileSubjects = ['guest', 'non-member', 'member', 'manager', 'admin', 'blocked', 'guest member', 'shut-out guest'] as const;
type FileSubject = (typeof fileSubjects)[number];
type Kind = 'discussion' | 'reply' | 'event';

/** One community's posts with a file each. */
interface Place {
  communityId: string;
  discussionId: string;
  replyId: string;
  eventId: string;
  /** Per post: the attachment's id and the path its webUrl opens (local mode: Meent's own route). */
  files: Record<Kind, { id: string; openPath: string }>;
}

interface FileSetup {
  world: AttachmentsWorld;
  people: Record<FileSubject, Actor>;
  /** The community the subject acts on. */
  placeOf(subject: FileSubject): Place;
  /** A new file in the person's own OneDrive. */
  ownFile(actor: Actor): { driveId: string; itemId: string };
}

interface FileOperation {
  name: string;
  expected: Record<CommunityVisibility, string>;
  run(s: FileSetup, place: Place, actor: Actor): Promise<Letter | `?${number}` | '-'>;
}

const DAY = 24 * 60 * 60 * 1000;
const IMAGE = solidPng(8, 8);

/** A session ten days after the world's clock. */
function session(title: string, extra: Record<string, unknown> = {}) {
  const start = new Date(FIXED_NOW.getTime() + 10 * DAY);
  return { title, start: start.toISOString(), end: new Date(start.getTime() + 90 * 60_000).toISOString(), timeZone: 'Europe/Amsterdam', location: { name: 'Gemeentehuis' }, ...extra };
}

/** `-`: the post is shown without its files. */
async function seesFiles(request: Promise<{ status: number; body: { attachments?: unknown[] } }>) {
  const res = await request;
  if (res.status !== 200) return letterOf(res.status);
  return res.body.attachments?.length === 1 ? 'A' : '-';
}

const fileOperations: FileOperation[] = [
  { name: 'see the files of a discussion', expected: { public: 'AAAAAFAN', closed: 'FFAAAFAN', secret: 'NNAAANAN' }, run: (s, p, a) => seesFiles(as(s.world.app, a).get(`/discussions/${p.discussionId}`)) },
  { name: 'see the files of a reply', expected: { public: 'AAAAAFAN', closed: 'FFAAAFAN', secret: 'NNAAANAN' }, run: (s, p, a) => seesFiles(as(s.world.app, a).get(`/replies/${p.replyId}`)) },
  { name: 'see the files of an event', expected: { public: 'AAAAANAN', closed: 'NNAAANAN', secret: 'NNAAANAN' }, run: (s, p, a) => seesFiles(as(s.world.app, a).get(`/events/${p.eventId}`)) },
  ...(['discussion', 'reply', 'event'] as const).flatMap((kind): FileOperation[] => [
    {
      name: `open the file of a${kind === 'event' ? 'n' : ''} ${kind}`,
      expected: { public: 'AAAAAAAN', closed: 'NNAANNAN', secret: 'NNAANNAN' },
      run: async (s, p, a) => letterOf((await request(s.world.app).get(p.files[kind].openPath).set('X-Test-Actor', actorHeader(a))).status),
    },
    {
      name: `read the thumbnail of the file of a${kind === 'event' ? 'n' : ''} ${kind}`,
      expected: { public: 'AAAAANAN', closed: 'NNAANNAN', secret: 'NNAANNAN' },
      run: async (s, p, a) => letterOf((await as(s.world.app, a).get(`/attachments/${p.files[kind].id}/thumbnail`)).status),
    },
  ]),
  {
    name: 'attach a file to a new discussion',
    expected: { public: 'FFAAAFAN', closed: 'FFAAAFAN', secret: 'NNAAANAN' },
    run: async (s, p, a) => letterOf((await as(s.world.app, a).post(`/communities/${p.communityId}/discussions`, { title: 'Met bijlage', body: 'x', attachments: [s.ownFile(a)] })).status),
  },
  {
    name: 'attach a file to a reply',
    expected: { public: 'FFAAAFAN', closed: 'FFAAAFAN', secret: 'NNAAANAN' },
    run: async (s, p, a) => letterOf((await as(s.world.app, a).post(`/discussions/${p.discussionId}/replies`, { body: 'Met bijlage', attachments: [s.ownFile(a)] })).status),
  },
  {
    name: 'attach a file to a new community event',
    expected: { public: 'FFFAAFFN', closed: 'FFFAAFFN', secret: 'NNFAANFN' },
    run: async (s, p, a) => letterOf((await as(s.world.app, a).post(`/communities/${p.communityId}/events`, session('Met bijlage', { attachments: [s.ownFile(a)] }))).status),
  },
  {
    name: "start an upload into the community's library",
    expected: { public: 'FFAAAFAN', closed: 'FFAAAFAN', secret: 'NNAAANAN' },
    run: async (s, p, a) => letterOf((await as(s.world.app, a).post(`/communities/${p.communityId}/uploads`, { name: 'Verslag.pdf', size: 1000 })).status),
  },
];

describe('the attachments policy matrix (HTTP, real database, local drives)', function () {
  this.timeout(120_000);
  useTestDatabase('policy-files');

  for (const visibility of ['public', 'closed', 'secret'] as const) {
    describe(`in a ${visibility} community`, () => {
      let s: FileSetup;
      before(async () => {
        const world = buildAttachmentsWorld();
        const tag = `f${visibility.slice(0, 3)}`;
        const people = {} as Record<FileSubject, Actor>;
        for (const subject of fileSubjects) {
          const guest = subject === 'guest' || subject === 'guest member' || subject === 'shut-out guest';
          people[subject] = await person({ userId: `${tag}-${subject.replace(/ /g, '-')}`, isGuest: guest, isOrgAdmin: subject === 'admin' });
        }
        const { manager, member } = people;
        let n = 0;
        const ownFile = (owner: Actor) => world.ownFile(owner, `Bestand ${n++}.png`, IMAGE);
        /** A community admitting guests (while the posts are made) with the posts and their files. */
        const place = async (members: Actor[]): Promise<Place> => {
          const c = await community(world, manager, { visibility, guestsAllowed: true, members: [member, ...members] });
          const d = await as(world.app, member).post(`/communities/${c.id}/discussions`, { title: 'Kaart', body: 'x', attachments: [ownFile(member)] }).expect(201);
          const r = await as(world.app, manager).post(`/discussions/${d.body.id}/replies`, { body: 'Nog een kaart', attachments: [ownFile(manager)] }).expect(201);
          const e = await as(world.app, manager).post(`/communities/${c.id}/events`, session('Veldbezoek', { attachments: [ownFile(manager)] }));
          assert.equal(e.status, 201, JSON.stringify(e.body));
          const file = (view: { attachments: { id: string; webUrl: string }[] }) => ({ id: view.attachments[0]!.id, openPath: new URL(view.attachments[0]!.webUrl).pathname });
          return { communityId: c.id, discussionId: d.body.id, replyId: r.body.id, eventId: e.body.id, files: { discussion: file(d.body), reply: file(r.body), event: file(e.body) } };
        };
        const main = await place([people.blocked, people['guest member']]);
        await as(world.app, manager).patch(`/communities/${main.communityId}/members/${people.blocked.userId}`, { status: 'blocked' }).expect(200);
        const shut = await place([people['shut-out guest']]);
        await as(world.app, manager).patch(`/communities/${shut.communityId}`, { guestsAllowed: false }).expect(200);
        s = { world, people, placeOf: (subject) => (subject === 'shut-out guest' ? shut : main), ownFile };
      });
      after(() => s?.world.dispose());

      for (const op of fileOperations) {
        it(`${op.name}: ${op.expected[visibility]}`, async () => {
          const got: string[] = [];
          for (const subject of fileSubjects) got.push(await op.run(s, s.placeOf(subject), s.people[subject]));
          assert.equal(got.join(''), op.expected[visibility], `${op.name} (${fileSubjects.join(', ')})`);
        });
      }
    });
  }
});
