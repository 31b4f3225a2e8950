import assert from 'node:assert/strict';
import { ForbiddenError } from '../../src/errors/domain-errors.js';
import { createGraphClient } from '../../src/graph/graph-client.js';
import { GraphUnavailableError } from '../../src/graph/graph-errors.js';
import type { RetryEvent } from '../../src/graph/graph-retry.js';
import { GraphOnlineMeetingsGateway } from '../../src/graph/online-meetings-gateway.js';
import { startGraphServer, type GraphServer } from '../support/graph-server.js';

const TENANT = '7c1d2e3f-4a5b-4c6d-8e9f-0a1b2c3d4e5f';
const PARTNER_TENANT = '9e8d7c6b-5a49-4382-a1b0-c9d8e7f6a5b4';

describe('GraphOnlineMeetingsGateway (local Graph over HTTPS)', () => {
  let server: GraphServer;
  let meetings: GraphOnlineMeetingsGateway;
  const retries: RetryEvent[] = [];

  before(async () => {
    server = await startGraphServer({ pageSize: 2 });
    const graph = createGraphClient({
      baseUrl: server.baseUrl,
      getAccessToken: async () => 'app-token',
      retry: { baseDelayMs: 5, maxDelayMs: 20, maxAttempts: 3, maxRetryAfterMs: 5_000 },
      onRetry: (e) => retries.push(e),
    });
    meetings = new GraphOnlineMeetingsGateway({ graph });
  });
  after(async () => {
    await server.stop();
  });
  beforeEach(() => {
    server.reset();
    retries.length = 0;
  });

  function organiserWithMeeting() {
    const anouk = server.addUser({ displayName: 'Anouk de Vries', mail: 'anouk@waterschap.example', userPrincipalName: 'anouk@waterschap.example' });
    const bram = { userId: 'b1b2c3d4-0000-4000-8000-000000000002', displayName: 'Bram Jansen', tenantId: TENANT, email: 'bram@waterschap.example' };
    const meeting = server.addOnlineMeeting({
      organizerId: anouk.id,
      tenantId: TENANT,
      subject: 'Kennissessie drainage',
      start: new Date('2026-03-10T09:00:00Z'),
      end: new Date('2026-03-10T10:00:00Z'),
      attendees: [bram],
    });
    return { anouk, bram, meeting };
  }

  describe('the meeting of a chat', () => {
    it('reads the organiser and join URL from the chat (onlineMeetingInfo), with $select', async () => {
      const { anouk, meeting } = organiserWithMeeting();

      const chat = await meetings.meetingChat(meeting.chatId);

      assert.deepEqual(chat, { chatId: meeting.chatId, topic: 'Kennissessie drainage', joinUrl: meeting.joinUrl, organizerId: anouk.id, calendarEventId: null });
      const request = server.requests[0];
      assert.equal(request?.path, `/v1.0/chats/${encodeURIComponent(meeting.chatId)}`);
      assert.equal(request?.query.get('$select'), 'id,topic,chatType,onlineMeetingInfo');
    });

    it('answers null for a chat Graph does not know', async () => {
      assert.equal(await meetings.meetingChat('19:meeting_unknown@thread.v2'), null);
      assert.equal(server.requests[0]?.status, 404);
    });

    it('lists the chat members (people, lower-cased ids)', async () => {
      const { anouk, bram, meeting } = organiserWithMeeting();
      const members = await meetings.chatMembers(meeting.chatId);
      assert.deepEqual(members.map((m) => m.userId).sort(), [anouk.id, bram.userId].sort());
      assert.equal(members.find((m) => m.userId === bram.userId)?.email, 'bram@waterschap.example');
    });
  });

  describe('the online meeting by join URL', () => {
    it('finds it with $filter=JoinWebUrl eq (the URL, percent-encoded in it, arrives intact)', async () => {
      const { anouk, bram, meeting } = organiserWithMeeting();
      assert.match(meeting.joinUrl, /%3A|%40/i, 'a realistic join URL holds percent-escapes');

      const found = await meetings.findMeetingByJoinUrl(anouk.id, meeting.joinUrl);

      assert.equal(found?.id, meeting.id);
      assert.equal(found?.subject, 'Kennissessie drainage');
      assert.equal(found?.start?.toISOString(), '2026-03-10T09:00:00.000Z');
      assert.equal(found?.organizer?.userId, anouk.id);
      assert.deepEqual(found?.attendees.map((a) => a.userId), [bram.userId]);
      assert.equal(server.requests[0]?.query.get('$filter'), `JoinWebUrl eq '${meeting.joinUrl}'`);
    });

    it('answers null when the organiser has no meeting with that URL', async () => {
      const { anouk } = organiserWithMeeting();
      assert.equal(await meetings.findMeetingByJoinUrl(anouk.id, "https://teams.microsoft.com/l/meetup-join/other'quote"), null);
    });

    it('turns 403 (no application access policy for the organiser) into ForbiddenError', async () => {
      const { anouk, meeting } = organiserWithMeeting();
      server.failNext({ status: 403 });
      await assert.rejects(meetings.findMeetingByJoinUrl(anouk.id, meeting.joinUrl), (error: unknown) => error instanceof ForbiddenError && error.code === 'graph_forbidden');
    });
  });

  describe('attendance reports', () => {
    function withReport() {
      const setup = organiserWithMeeting();
      const at = (minute: number) => new Date(Date.UTC(2026, 2, 10, 9, minute));
      const reportId = server.addAttendanceReport(setup.meeting.id, {
        start: at(0),
        end: at(58),
        records: [
          { id: setup.anouk.id, displayName: 'Anouk de Vries', email: 'anouk@waterschap.example', tenantId: TENANT, role: 'Organizer', intervals: [{ join: at(0), leave: at(58) }] },
          { id: setup.bram.userId, displayName: 'Bram Jansen', email: 'bram@waterschap.example', tenantId: TENANT, intervals: [{ join: at(2), leave: at(20) }, { join: at(25), leave: at(55) }] },
          { id: 'c1b2c3d4-0000-4000-8000-000000000077', displayName: 'Gita Ramdin', email: 'gita@adviesbureau.example', tenantId: PARTNER_TENANT, intervals: [{ join: at(5), leave: at(50) }] },
          { id: '8:teamsvisitor:3b1f2c', displayName: 'Bezoeker (niet geverifieerd)', intervals: [{ join: at(10), leave: at(12) }] },
        ],
      });
      return { ...setup, reportId };
    }

    it('lists the reports and reads every record across pages (@odata.nextLink)', async () => {
      const { anouk, meeting, reportId, bram } = withReport();

      const reports = await meetings.attendanceReports(anouk.id, meeting.id);
      assert.deepEqual(reports.map((r) => [r.id, r.totalParticipantCount, r.meetingEnd?.toISOString()]), [[reportId, 4, '2026-03-10T09:58:00.000Z']]);

      const records = await meetings.attendanceRecords(anouk.id, meeting.id, reportId);

      assert.equal(records.length, 4);
      assert.equal(server.count((r) => r.path.endsWith('/attendanceRecords')), 2, 'two pages of two');
      const b = records.find((r) => r.userId === bram.userId);
      assert.equal(b?.attendedSeconds, 48 * 60);
      assert.equal(b?.firstJoin?.toISOString(), '2026-03-10T09:02:00.000Z');
      assert.equal(b?.lastLeave?.toISOString(), '2026-03-10T09:55:00.000Z');
      assert.equal(records.find((r) => r.displayName === 'Gita Ramdin')?.tenantId, PARTNER_TENANT);
      const visitor = records.find((r) => r.displayName?.startsWith('Bezoeker'));
      assert.equal(visitor?.userId, null, 'an anonymous visitor has no Entra account');
      assert.equal(records.find((r) => r.role === 'Organizer')?.userId, anouk.id);
    });

    it('waits out a 429 with Retry-After and then reads the report', async () => {
      const { anouk, meeting, reportId } = withReport();
      server.failNext({ status: 429, retryAfter: 1, match: (r) => r.path.endsWith('/attendanceReports') });

      const reports = await meetings.attendanceReports(anouk.id, meeting.id);

      assert.deepEqual(reports.map((r) => r.id), [reportId]);
      assert.equal(retries.length, 1);
      assert.equal(retries[0]?.status, 429);
      assert.equal(retries[0]?.fromRetryAfter, true);
      assert.equal(retries[0]?.delayMs, 1000);
      assert.deepEqual(server.requests.filter((r) => r.path.endsWith('/attendanceReports')).map((r) => r.status), [429, 200]);
    });

    it('does not hold the call for a long Retry-After: GraphUnavailableError carries it for the follow-up schedule', async () => {
      const { anouk, meeting } = withReport();
      server.failNext({ status: 429, retryAfter: 120, match: (r) => r.path.endsWith('/attendanceReports') });

      await assert.rejects(meetings.attendanceReports(anouk.id, meeting.id), (error: unknown) => error instanceof GraphUnavailableError && error.retryAfterMs === 120_000);
      assert.equal(retries.length, 0);
    });

    it('answers no reports before the first session has ended', async () => {
      const { anouk, meeting } = organiserWithMeeting();
      assert.deepEqual(await meetings.attendanceReports(anouk.id, meeting.id), []);
    });
  });
});
