/**
 * The meetings capability against real parts: FerretDB, the communities and events services,
 * and the local Graph over HTTPS for the meeting lookups and attendance reports.
 */
import assert from 'node:assert/strict';
import mongoose from 'mongoose';
import type { Actor } from '../../src/auth/actor.js';
import { createCommunitiesServices, type CommunitiesServices } from '../../src/composition.js';
import { MembershipModel } from '../../src/communities/membership.model.js';
import { FollowModel } from '../../src/discussions/follow.model.js';
import { AuditEntryModel } from '../../src/audit/audit-entry.model.js';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../../src/errors/domain-errors.js';
import { EventModel } from '../../src/events/event.model.js';
import { createEventsServices, type EventsServices } from '../../src/events/events.module.js';
import { createLogger } from '../../src/logging/logger.js';
import { UserModel } from '../../src/members/user.model.js';
import { MeetingLinkModel, type MeetingLinkRecord } from '../../src/meetings/meeting-link.model.js';
import { createMeetingsModule, type MeetingsModule } from '../../src/meetings/meetings.module.js';
import { NotificationModel } from '../../src/notifications/notification.model.js';
import { useTestDatabase } from '../support/database.js';
import { startGraphServer, type GraphServer } from '../support/graph-server.js';

const TENANT = '3a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d';
const PARTNER = '6d5c4b3a-2f1e-4d0c-9b8a-7f6e5d4c3b2a';

interface Person {
  oid: string;
  name: string;
  mail: string;
  guest?: boolean;
}
const ANOUK: Person = { oid: 'a1b2c3d4-0000-4000-8000-000000000001', name: 'Anouk de Vries', mail: 'anouk@waterschap.example' };
const BRAM: Person = { oid: 'a1b2c3d4-0000-4000-8000-000000000002', name: 'Bram Jansen', mail: 'bram@waterschap.example' };
const CHANTAL: Person = { oid: 'a1b2c3d4-0000-4000-8000-000000000003', name: 'Chantal Bakker', mail: 'chantal@waterschap.example' };
const DIRK: Person = { oid: 'a1b2c3d4-0000-4000-8000-000000000004', name: 'Dirk Visser', mail: 'dirk@waterschap.example' };
const GITA: Person = { oid: 'a1b2c3d4-0000-4000-8000-000000000091', name: 'Gita Ramdin', mail: 'gita@adviesbureau.example', guest: true };

function actorOf(p: Person): Actor {
  return { userId: p.oid, tenantId: TENANT, name: p.name, email: p.mail, isGuest: p.guest === true, mfa: true, isOrgAdmin: false, roles: [] };
}

describe('meetings: linking, meeting events, follow-up and attendance', function () {
  this.timeout(30_000);
  useTestDatabase('meetings');
  let graph: GraphServer;
  let communities: CommunitiesServices;
  let events: EventsServices;
  let module: MeetingsModule;
  let now: Date;
  const logger = createLogger('silent');

  before(async () => {
    graph = await startGraphServer();
  });
  after(async () => {
    await graph.stop();
  });

  beforeEach(async () => {
    graph.reset();
    await Promise.all(
      ['users', 'communities', 'memberships', 'discussions', 'follows', 'meeting_links', 'events', 'event_registrations', 'event_attendance', 'notifications', 'audit_entries'].map((c) =>
        mongoose.connection.collection(c).deleteMany({}),
      ),
    );
    now = new Date();
    communities = createCommunitiesServices({ logger });
    events = createEventsServices({ config: { publicUrl: 'https://meent.example', graphBaseUrl: 'https://graph.invalid', localMode: true }, logger });
    module = createMeetingsModule({
      config: { graphBaseUrl: graph.baseUrl, guestsAllowed: true },
      logger,
      communities,
      getAccessToken: async () => 'app-token',
      now: () => now,
    });
    for (const p of [ANOUK, BRAM, CHANTAL, DIRK, GITA]) {
      await UserModel.create({ tenantId: TENANT, userId: p.oid, displayName: p.name, mail: p.mail, isGuest: p.guest === true, isOrgAdmin: false });
      graph.addUser({ id: p.oid, displayName: p.name, mail: p.mail, userPrincipalName: p.mail, userType: p.guest ? 'Guest' : 'Member' });
    }
  });

  /** A community Chantal manages, with Bram as member. */
  async function community(visibility: 'public' | 'closed' | 'secret', guestsAllowed = false): Promise<string> {
    const created = await communities.communities.create(actorOf(CHANTAL), { name: `Drainage ${visibility}`, visibility, guestsAllowed });
    await communities.memberships.add(actorOf(CHANTAL), created.id, { userId: BRAM.oid });
    await communities.memberships.add(actorOf(BRAM), created.id, {});
    return created.id;
  }

  /** A Teams meeting Anouk organises, with Bram, Chantal, Dirk and Gita in its chat. */
  function meeting(subject = 'Overleg drainage Achterhoek') {
    const person = (p: Person) => ({ userId: p.oid, displayName: p.name, tenantId: TENANT, email: p.mail });
    return graph.addOnlineMeeting({
      organizerId: ANOUK.oid,
      tenantId: TENANT,
      subject,
      start: new Date(now.getTime() - 60 * 60_000),
      end: now,
      attendees: [person(BRAM), person(CHANTAL), person(DIRK), person(GITA)],
    });
  }

  const meetings = () => module.services.meetings;

  /** The audit entries of a kind, as stored; no person's e-mail address in any of them. */
  async function audited(kind: string): Promise<{ actorId?: string | null; subjectId?: string | null; details?: unknown }[]> {
    const entries = await AuditEntryModel.find({ kind }).sort({ createdAt: 1 }).lean();
    const text = JSON.stringify(entries);
    for (const p of [ANOUK, BRAM, CHANTAL, DIRK, GITA]) assert.ok(!text.includes(p.mail), `${kind} holds ${p.mail}`);
    return entries;
  }

  describe('who may link', () => {
    it('lets nobody outside the meeting see it', async () => {
      const m = meeting();
      const outsider = { ...actorOf(DIRK), userId: 'a1b2c3d4-0000-4000-8000-0000000000ff' };
      await assert.rejects(meetings().current(outsider, m.chatId), NotFoundError);
    });

    it('refuses a participant who is neither the organiser nor a manager of the community', async () => {
      const cid = await community('public');
      const m = meeting();
      const view = await meetings().current(actorOf(BRAM), m.chatId);
      assert.equal(view.permissions.canLink, false);
      assert.equal(view.isOrganizer, false);

      await assert.rejects(meetings().link(actorOf(BRAM), { chatId: m.chatId, communityId: cid, discussion: { title: 'Vervolg', body: 'Notities' } }), ForbiddenError);
      assert.equal(await MeetingLinkModel.countDocuments(), 0);
    });

    it('lets the organiser link a new discussion (subject and times from Graph)', async () => {
      const cid = await community('public');
      await communities.memberships.add(actorOf(ANOUK), cid, {});
      const m = meeting();

      const before = await meetings().current(actorOf(ANOUK), m.chatId);
      assert.equal(before.isOrganizer, true);
      assert.equal(before.subject, 'Overleg drainage Achterhoek');
      assert.equal(before.link, null);

      const { view, created } = await meetings().link(actorOf(ANOUK), { chatId: m.chatId, communityId: cid, discussion: { title: 'Overleg drainage Achterhoek – 10 maart', body: 'Afspraken en vragen' } });

      assert.equal(created, true);
      assert.equal(view.link?.communityId, cid);
      assert.equal(view.link?.discussionTitle, 'Overleg drainage Achterhoek – 10 maart');
      assert.equal(view.permissions.canUnlink, true);
      const stored = await MeetingLinkModel.findOne({ chatId: m.chatId }).lean<MeetingLinkRecord>();
      assert.equal(stored?.organizerId, ANOUK.oid);
      assert.equal(stored?.onlineMeetingId, m.id);
      assert.equal(stored?.joinUrl, m.joinUrl);
      const [entry, ...more] = await audited('meeting.linked');
      assert.equal(more.length, 0);
      assert.equal(entry?.actorId, ANOUK.oid);
      assert.equal(entry?.subjectId, m.chatId);
      assert.deepEqual(entry?.details, { source: 'manual', communityId: cid, discussionId: view.link?.discussionId, eventId: null, replaced: false });
    });

    it('audits an unlink; while the follow-up runs, refuses it (409) and keeps the link', async () => {
      const cid = await community('public');
      const m = meeting();
      const { view } = await meetings().link(actorOf(CHANTAL), { chatId: m.chatId, communityId: cid, discussion: { title: 'Vervolg', body: 'Notities' } });
      await MeetingLinkModel.updateOne({ chatId: m.chatId }, { $set: { 'followUp.status': 'running' } });
      await assert.rejects(meetings().unlink(actorOf(CHANTAL), m.chatId), (e: unknown) => e instanceof ConflictError && e.code === 'meeting_follow_up_running');
      assert.equal(await MeetingLinkModel.countDocuments({ chatId: m.chatId }), 1);
      assert.equal((await audited('meeting.unlinked')).length, 0);

      await MeetingLinkModel.updateOne({ chatId: m.chatId }, { $set: { 'followUp.status': 'done' } });
      await meetings().unlink(actorOf(CHANTAL), m.chatId);
      assert.equal(await MeetingLinkModel.countDocuments({ chatId: m.chatId }), 0);
      const [entry, ...more] = await audited('meeting.unlinked');
      assert.equal(more.length, 0);
      assert.deepEqual([entry?.actorId, entry?.subjectId, entry?.details], [CHANTAL.oid, m.chatId, { communityId: cid, discussionId: view.link?.discussionId }]);
    });

    it('lets a manager of the community link an existing discussion, and not one of another community', async () => {
      const cid = await community('closed');
      const other = await communities.communities.create(actorOf(CHANTAL), { name: 'Andere community', visibility: 'public', guestsAllowed: false });
      const d = await communities.discussions.create(actorOf(CHANTAL), cid, { title: 'Peilbeheer', body: 'Eerdere discussie', kind: 'discussion' });
      const elsewhere = await communities.discussions.create(actorOf(CHANTAL), other.id, { title: 'Elders', body: 'x', kind: 'discussion' });
      const m = meeting();

      await assert.rejects(meetings().link(actorOf(CHANTAL), { chatId: m.chatId, communityId: cid, discussionId: elsewhere.id }), ValidationError);
      const { view } = await meetings().link(actorOf(CHANTAL), { chatId: m.chatId, communityId: cid, discussionId: d.id });
      assert.equal(view.link?.discussionId, d.id);
      assert.equal(view.link?.linkedBy, CHANTAL.oid);
    });

    it('answers 503 in local mode, where meetings cannot be looked up', async () => {
      const local = createMeetingsModule({ config: { graphBaseUrl: graph.baseUrl, guestsAllowed: true }, logger, communities });
      await assert.rejects(local.services.meetings.current(actorOf(ANOUK), '19:meeting_x@thread.v2'), (e: unknown) => e instanceof Error && 'code' in e && e.code === 'meeting_lookup_unavailable');
    });
  });

  describe('after the meeting', () => {
    async function linkedMeeting(visibility: 'public' | 'closed', linker: Person = ANOUK) {
      const cid = await community(visibility);
      if (linker === ANOUK) {
        await MembershipModel.create({ tenantId: TENANT, communityId: new mongoose.Types.ObjectId(cid), userId: ANOUK.oid, role: 'member', status: 'active', joinedAt: now });
      }
      const m = meeting();
      const { view } = await meetings().link(actorOf(linker), { chatId: m.chatId, communityId: cid, discussion: { title: 'Vervolg overleg', body: 'Notities' } });
      const at = (minute: number) => new Date(now.getTime() - (60 - minute) * 60_000);
      graph.addAttendanceReport(m.id, {
        start: at(0),
        end: now,
        records: [
          { id: ANOUK.oid, displayName: ANOUK.name, email: ANOUK.mail, tenantId: TENANT, role: 'Organizer', intervals: [{ join: at(0), leave: at(60) }] },
          { id: BRAM.oid, displayName: BRAM.name, email: BRAM.mail, tenantId: TENANT, intervals: [{ join: at(1), leave: at(59) }] },
          { id: DIRK.oid, displayName: DIRK.name, email: DIRK.mail, tenantId: TENANT, intervals: [{ join: at(3), leave: at(40) }] },
          { id: GITA.oid, displayName: GITA.name, email: GITA.mail, tenantId: TENANT, intervals: [{ join: at(5), leave: at(50) }] },
          { id: 'f0e1d2c3-0000-4000-8000-0000000000aa', displayName: 'Piet van Extern', email: 'piet@elders.example', tenantId: PARTNER, intervals: [{ join: at(5), leave: at(30) }] },
          { id: '8:teamsvisitor:0a1b2c', displayName: 'Inbeller', intervals: [{ join: at(7), leave: at(9) }] },
        ],
      });
      return { cid, m, discussionId: view.link!.discussionId };
    }

    const end = (chatId: string, at = now.toISOString()) => meetings().meetingEnded({ tenantId: TENANT, chatId, teamsMeetingId: 'MCMxOTptZWV0aW5n', title: 'Overleg drainage Achterhoek', joinUrl: null, at });
    const followers = async (discussionId: string) => (await FollowModel.find({ discussionId: new mongoose.Types.ObjectId(discussionId) }).lean()).map((f) => f.userId).sort();

    it('public community: everyone with an account here is invited and follows; the rest is listed with the reason', async () => {
      const { cid, m, discussionId } = await linkedMeeting('public');

      const claim = await end(m.chatId);
      assert.ok(claim, 'the end card is claimed');
      await claim.confirm('activity-1');
      assert.equal(await module.services.followUps.run(TENANT, m.chatId), true);

      assert.deepEqual(await followers(discussionId), [ANOUK.oid, BRAM.oid, DIRK.oid].sort());
      const dirk = await MembershipModel.findOne({ communityId: new mongoose.Types.ObjectId(cid), userId: DIRK.oid }).lean();
      assert.equal(dirk?.status, 'invited');
      assert.equal(dirk?.invitedBy, ANOUK.oid);
      assert.equal(await NotificationModel.countDocuments({ kind: 'membershipInvited', recipientId: DIRK.oid }), 1);

      const followUp = await meetings().followUp(actorOf(ANOUK), m.chatId);
      assert.equal(followUp.status, 'done');
      assert.equal(followUp.attendeeSource, 'attendanceReport');
      assert.deepEqual(
        followUp.notAdmitted.map((p) => [p.displayName, p.reason]).sort(),
        [
          ['Gita Ramdin', 'guests_not_allowed'],
          ['Inbeller', 'unknown_person'],
          ['Piet van Extern', 'external_account'],
        ],
      );
      assert.deepEqual(followUp.people.find((p) => p.userId === BRAM.oid)?.outcome, 'member');
      assert.deepEqual(followUp.people.find((p) => p.userId === DIRK.oid)?.outcome, 'invited');
      // Each invitation the follow-up made is audited in the linker's name; Bram was a member already.
      const admitted = await audited('meeting.follow_up_admitted');
      assert.deepEqual(
        admitted.map((e) => [e.actorId, e.subjectId, e.details]),
        [[ANOUK.oid, DIRK.oid, { communityId: cid, chatId: m.chatId, outcome: 'invited' }]],
      );
    });

    it('closed community linked by the organiser (a member): only members follow, the others need a manager', async () => {
      const { m, discussionId } = await linkedMeeting('closed');
      await end(m.chatId);
      await module.services.followUps.run(TENANT, m.chatId);

      assert.deepEqual(await followers(discussionId), [ANOUK.oid, BRAM.oid].sort());
      const followUp = await meetings().followUp(actorOf(ANOUK), m.chatId);
      assert.deepEqual(followUp.notAdmitted.find((p) => p.userId === DIRK.oid)?.reason, 'approval_required');
      assert.equal(await MembershipModel.countDocuments({ userId: DIRK.oid }), 0, 'nobody was invited behind the managers\' back');
    });

    it('closed community linked by its manager: colleagues are invited', async () => {
      const { cid, m, discussionId } = await linkedMeeting('closed', CHANTAL);
      await end(m.chatId);
      await module.services.followUps.run(TENANT, m.chatId);
      assert.ok((await followers(discussionId)).includes(DIRK.oid));
      assert.equal((await MembershipModel.findOne({ communityId: new mongoose.Types.ObjectId(cid), userId: DIRK.oid }).lean())?.status, 'invited');
    });

    it('shows the not-admitted list only to the organiser, whoever linked and managers', async () => {
      const { m } = await linkedMeeting('public');
      await end(m.chatId);
      await module.services.followUps.run(TENANT, m.chatId);
      await assert.rejects(meetings().followUp(actorOf(DIRK), m.chatId), ForbiddenError);
      assert.equal((await meetings().current(actorOf(DIRK), m.chatId)).followUp, null);
      assert.equal((await meetings().followUp(actorOf(CHANTAL), m.chatId)).status, 'done');
      assert.ok((await meetings().current(actorOf(ANOUK), m.chatId)).followUp?.notAdmitted.length);
    });

    it('waits for the attendance report with growing pauses, then admits', async () => {
      const cid = await community('public');
      await communities.memberships.add(actorOf(ANOUK), cid, {});
      const m = meeting();
      const { view } = await meetings().link(actorOf(ANOUK), { chatId: m.chatId, communityId: cid, discussion: { title: 'Vervolg', body: 'Notities' } });
      await end(m.chatId);

      await module.services.followUps.run(TENANT, m.chatId);
      let stored = await MeetingLinkModel.findOne({ chatId: m.chatId }).lean<MeetingLinkRecord>();
      assert.equal(stored?.followUp.status, 'pending');
      assert.equal(stored?.followUp.admitted, false);
      assert.equal(stored?.followUp.dueAt?.getTime(), now.getTime() + 2 * 60_000);
      assert.equal(await module.services.followUps.run(TENANT, m.chatId), false, 'not due yet');

      graph.addAttendanceReport(m.id, { start: new Date(now.getTime() - 3_600_000), end: now, records: [{ id: DIRK.oid, displayName: DIRK.name, tenantId: TENANT, intervals: [{ join: new Date(now.getTime() - 3_000_000), leave: now }] }] });
      now = new Date(now.getTime() + 3 * 60_000);
      assert.equal(await module.services.followUps.runDue(), 1);
      stored = await MeetingLinkModel.findOne({ chatId: m.chatId }).lean<MeetingLinkRecord>();
      assert.equal(stored?.followUp.status, 'done');
      assert.deepEqual(await followers(view.link!.discussionId), [ANOUK.oid, DIRK.oid].sort());
    });

    it('one end card per meeting end: a second delivery gets none, a failed post can be tried again', async () => {
      const { m } = await linkedMeeting('public');
      const first = await end(m.chatId, '2026-03-10T10:00:00.1234567Z');
      assert.ok(first);
      assert.equal(await end(m.chatId, '2026-03-10T10:00:00.1234567Z'), null, 'the same end again');
      await first.release();
      const again = await end(m.chatId, '2026-03-10T10:00:00.1234567Z');
      assert.ok(again, 'after a failed post the redelivery posts');
      await again.confirm('a-2');
      assert.equal(await end(m.chatId, '2026-03-10T10:00:00.1234567Z'), null);
      assert.equal(await end(m.chatId, '2026-03-10T10:00:03Z'), null, 'a near-duplicate with another time');
    });
  });

  describe('meetings of Meent events', () => {
    async function onlineEvent(cid: string) {
      const start = new Date(Date.now() + 60 * 60_000);
      const e = await events.events.create(actorOf(CHANTAL), { title: 'Kennissessie bodemvocht', description: 'Over sensoren', start, end: new Date(start.getTime() + 3_600_000), online: true }, cid);
      const m = graph.addOnlineMeeting({ organizerId: CHANTAL.oid, tenantId: TENANT, subject: 'Kennissessie bodemvocht', start, end: new Date(start.getTime() + 3_600_000) });
      // The calendar outbox stores the Teams meeting Outlook made for the event.
      await EventModel.updateOne({ _id: new mongoose.Types.ObjectId(e.id) }, { $set: { 'calendar.joinUrl': m.joinUrl, 'calendar.mailbox': CHANTAL.oid } });
      return { eventId: e.id, m, start };
    }

    it('links the meeting automatically at its start, to a follow-up discussion it makes once', async () => {
      const cid = await community('public');
      const { eventId, m } = await onlineEvent(cid);
      const input = { tenantId: TENANT, chatId: m.chatId, teamsMeetingId: 'MCMx', joinUrl: m.joinUrl, title: 'Kennissessie bodemvocht', at: new Date().toISOString() };

      const [a, b] = await Promise.all([meetings().meetingStarted(input), meetings().meetingStarted(input)]);

      assert.equal([a, b].filter(Boolean).length, 1, 'one start card for two deliveries');
      const link = await MeetingLinkModel.findOne({ chatId: m.chatId }).lean<MeetingLinkRecord>();
      assert.equal(link?.source, 'event');
      assert.equal(String(link?.eventId), eventId);
      const event = await EventModel.findById(eventId).lean();
      assert.equal(String(event?.followUpDiscussionId), String(link?.discussionId));
      assert.equal(await mongoose.connection.collection('discussions').countDocuments({ title: 'Kennissessie bodemvocht' }), 1);
      assert.equal((a ?? b)?.card.discussion.title, 'Kennissessie bodemvocht');
      const linked = await audited('meeting.linked');
      assert.equal(linked.length, 1, 'one entry for two deliveries');
      assert.deepEqual([linked[0]?.actorId, linked[0]?.subjectId, linked[0]?.details], [CHANTAL.oid, m.chatId, { source: 'event', communityId: cid, discussionId: String(link?.discussionId), eventId, replaced: false }]);
    });

    it('records attendance from the report next to the registrations, completes the event, and lets registrants follow', async () => {
      const cid = await community('public');
      const { eventId, m, start } = await onlineEvent(cid);
      await events.signups.signUp(actorOf(BRAM), eventId);
      await events.signups.signUp(actorOf(DIRK), eventId);
      await meetings().meetingStarted({ tenantId: TENANT, chatId: m.chatId, joinUrl: m.joinUrl, at: start.toISOString() });
      const at = (minute: number) => new Date(start.getTime() + minute * 60_000);
      graph.addAttendanceReport(m.id, {
        start,
        end: at(60),
        records: [
          { id: CHANTAL.oid, displayName: CHANTAL.name, email: CHANTAL.mail, tenantId: TENANT, role: 'Organizer', intervals: [{ join: at(0), leave: at(60) }] },
          { id: BRAM.oid, displayName: BRAM.name, email: BRAM.mail, tenantId: TENANT, intervals: [{ join: at(2), leave: at(30) }, { join: at(31), leave: at(60) }] },
        ],
      });
      now = at(61);

      await meetings().meetingEnded({ tenantId: TENANT, chatId: m.chatId, joinUrl: m.joinUrl, at: now.toISOString() });
      await module.services.followUps.run(TENANT, m.chatId);

      const event = await EventModel.findById(eventId).lean();
      assert.equal(event?.status, 'completed');
      const attendance = await module.services.attendance.list(actorOf(CHANTAL), eventId);
      const row = (id: string) => attendance.items.find((r) => r.userId === id);
      assert.equal(row(BRAM.oid)?.attended, true);
      assert.equal(row(BRAM.oid)?.attendedSeconds, 57 * 60);
      assert.equal(row(BRAM.oid)?.registrationStatus, 'registered');
      assert.equal(row(DIRK.oid)?.attended, false);
      assert.equal(row(CHANTAL.oid)?.registrationStatus, null, 'the organiser came without a registration');
      assert.deepEqual(attendance.summary, { registered: 2, attended: 2, attendedRegistered: 1, withoutRegistration: 1 });
      const csv = await module.services.attendance.exportCsv(actorOf(CHANTAL), eventId);
      assert.match(csv.csv, /"Bram Jansen";"bram@waterschap.example";"";"registered";"yes";"57"/);
      assert.equal(csv.filename, 'attendance-kennissessie-bodemvocht.csv');
      const exported = await audited('event.attendance_exported');
      assert.deepEqual(exported.map((e) => [e.actorId, e.subjectId, e.details]), [[CHANTAL.oid, eventId, { count: 3 }]]);
      await assert.rejects(module.services.attendance.list(actorOf(BRAM), eventId), ForbiddenError);

      const link = await MeetingLinkModel.findOne({ chatId: m.chatId }).lean<MeetingLinkRecord>();
      assert.equal(link?.followUp.attendeeSource, 'registrations');
      assert.equal(link?.followUp.attendanceRecorded, true);
      assert.deepEqual(await followers(String(link?.discussionId)), [BRAM.oid, CHANTAL.oid, DIRK.oid].sort());
    });

    async function followers(discussionId: string) {
      return (await FollowModel.find({ discussionId: new mongoose.Types.ObjectId(discussionId) }).lean()).map((f) => f.userId).sort();
    }

    /** A secret community of Anouk's (Chantal and Bram are not in it) with one discussion. */
    async function secretDiscussion() {
      const secret = await communities.communities.create(actorOf(ANOUK), { name: 'Bestuursdossiers', visibility: 'secret', guestsAllowed: false });
      return communities.discussions.create(actorOf(ANOUK), secret.id, { title: 'Geheime reorganisatie', body: 'Vertrouwelijk', kind: 'discussion' });
    }

    it('never links an event\'s follow-up that is another community\'s discussion (stored before it was checked): it makes its own and replaces it', async () => {
      const cid = await community('public');
      const secret = await secretDiscussion();
      const { eventId, m } = await onlineEvent(cid);
      await EventModel.updateOne({ _id: new mongoose.Types.ObjectId(eventId) }, { $set: { followUpDiscussionId: new mongoose.Types.ObjectId(secret.id) } });

      const claim = await meetings().meetingStarted({ tenantId: TENANT, chatId: m.chatId, joinUrl: m.joinUrl, at: new Date().toISOString() });

      assert.equal(claim?.card.discussion.title, 'Kennissessie bodemvocht');
      const link = await MeetingLinkModel.findOne({ chatId: m.chatId }).lean<MeetingLinkRecord>();
      assert.notEqual(String(link?.discussionId), secret.id);
      assert.equal(String(link?.communityId), cid);
      const event = await EventModel.findById(eventId).lean();
      assert.equal(String(event?.followUpDiscussionId), String(link?.discussionId), 'the event\'s follow-up is replaced');
      const view = await meetings().current(actorOf(CHANTAL), m.chatId);
      assert.equal(view.link?.discussionTitle, 'Kennissessie bodemvocht');
      assert.deepEqual(await followers(secret.id), [ANOUK.oid], 'only its author follows the secret discussion');
    });

    it('shows a link to another community\'s (or a hidden) discussion as no link, posts no card for it and makes nobody follow it', async () => {
      const cid = await community('public');
      await communities.memberships.add(actorOf(ANOUK), cid, {});
      const secret = await secretDiscussion();
      const m = meeting();
      await meetings().link(actorOf(ANOUK), { chatId: m.chatId, communityId: cid, discussion: { title: 'Vervolg', body: 'Notities' } });
      // As a link made from an unchecked event follow-up was stored.
      await MeetingLinkModel.updateOne({ chatId: m.chatId }, { $set: { discussionId: new mongoose.Types.ObjectId(secret.id), discussionTitle: secret.title } });

      const view = await meetings().current(actorOf(BRAM), m.chatId);
      assert.equal(view.link, null);
      assert.doesNotMatch(JSON.stringify(view), /Geheime reorganisatie/);
      const input = { tenantId: TENANT, chatId: m.chatId, joinUrl: null, at: now.toISOString() };
      assert.equal(await meetings().meetingStarted(input), null, 'no start card');
      assert.equal(await meetings().meetingEnded(input), null, 'no end card');
      assert.equal(await module.services.followUps.run(TENANT, m.chatId), false, 'no follow-up scheduled');
      assert.deepEqual(await followers(secret.id), [ANOUK.oid]);

      // A discussion of the community itself, hidden by its managers since: not shown either.
      const own = await communities.discussions.create(actorOf(CHANTAL), cid, { title: 'Verborgen', body: 'x', kind: 'discussion' });
      await MeetingLinkModel.updateOne({ chatId: m.chatId }, { $set: { discussionId: new mongoose.Types.ObjectId(own.id) } });
      assert.equal((await meetings().current(actorOf(BRAM), m.chatId)).link?.discussionTitle, 'Verborgen');
      await communities.moderation.hide(actorOf(CHANTAL), 'discussion', own.id);
      assert.equal((await meetings().current(actorOf(BRAM), m.chatId)).link, null);
    });

    it('gives an organisation-wide event no follow-up discussion when its meeting is linked to a community', async () => {
      const cid = await community('public');
      const admin = { ...actorOf(CHANTAL), isOrgAdmin: true };
      const start = new Date(Date.now() + 60 * 60_000);
      const e = await events.events.create(admin, { title: 'Organisatiebrede sessie', start, end: new Date(start.getTime() + 3_600_000), online: true });
      const m = meeting();
      await meetings().link(admin, { chatId: m.chatId, communityId: cid, discussion: { title: 'Vervolg', body: 'Notities' }, eventId: e.id });
      const event = await EventModel.findById(e.id).lean();
      assert.equal(event?.followUpDiscussionId, null);
    });
  });
});
