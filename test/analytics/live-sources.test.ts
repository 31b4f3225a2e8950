import assert from 'node:assert/strict';
import { Types } from 'mongoose';
import { activityFromCapabilities, attendanceFromCapabilities } from '../../src/analytics/analytics-sources.js';
import { AnalyticsService } from '../../src/analytics/analytics.service.js';
import { CommunityModel } from '../../src/communities/community.model.js';
import { DiscussionModel } from '../../src/discussions/discussion.model.js';
import { ReplyModel } from '../../src/discussions/reply.model.js';
import { EventModel } from '../../src/events/event.model.js';
import { RegistrationModel } from '../../src/events/registration.model.js';
import { EventAttendanceModel } from '../../src/meetings/attendance.model.js';
import { useTestDatabase } from '../support/database.js';
import { testActor, TEST_TENANT } from '../support/test-actor.js';
import { testClock } from '../events/events-fixtures.js';
import { clearAnalytics, syncAnalyticsIndexes } from './analytics-fixtures.js';

const HOUR = 3_600_000;
const FROM = new Date('2030-03-01T00:00:00Z');
const TO = new Date('2030-04-01T00:00:00Z');
const at = (iso: string) => new Date(iso);

let seq = 0;
async function discussion(communityId: Types.ObjectId, authorId: string, createdAt: Date, kind: 'discussion' | 'question' = 'discussion', extra: Record<string, unknown> = {}): Promise<Types.ObjectId> {
  seq += 1;
  const [d] = await DiscussionModel.insertMany([{ tenantId: TEST_TENANT, communityId, authorId, kind, title: `D${seq}`, seq, bucket: 0, lastActivityAt: createdAt, createdAt, ...extra }]);
  return d!._id;
}

async function reply(communityId: Types.ObjectId, discussionId: Types.ObjectId, authorId: string, createdAt: Date, extra: Record<string, unknown> = {}): Promise<Types.ObjectId> {
  seq += 1;
  const [r] = await ReplyModel.insertMany([{ tenantId: TEST_TENANT, communityId, discussionId, authorId, seq, threadSeq: seq, bucket: 0, createdAt, ...extra }]);
  return r!._id;
}

async function event(communityId: Types.ObjectId, start: Date): Promise<Types.ObjectId> {
  const [e] = await EventModel.insertMany([{ tenantId: TEST_TENANT, communityId, title: 'E', start, end: new Date(start.getTime() + HOUR), uid: new Types.ObjectId().toHexString(), createdBy: 'x' }]);
  return e!._id;
}

async function register(eventId: Types.ObjectId, userIds: string[], createdAt: Date, status = 'registered'): Promise<Types.ObjectId[]> {
  const docs = await RegistrationModel.insertMany(userIds.map((userId) => ({ tenantId: TEST_TENANT, eventId, userId, status, seq: ++seq, queue: seq, statusChangedAt: createdAt, createdAt })));
  return docs.map((d) => d._id);
}

async function attended(eventId: Types.ObjectId, registrationIds: Types.ObjectId[]): Promise<void> {
  await EventAttendanceModel.insertMany(registrationIds.map((registrationId) => ({ tenantId: TEST_TENANT, eventId, key: String(registrationId), registrationId, reportId: 'report-1' })));
}

describe('analytics live sources: activity, questions and attendance', () => {
  useTestDatabase('analytics_sources');
  before(syncAnalyticsIndexes);
  let a: Types.ObjectId;
  let b: Types.ObjectId;
  beforeEach(async () => {
    await clearAnalytics();
    for (const model of [CommunityModel, DiscussionModel, ReplyModel, EventModel, RegistrationModel, EventAttendanceModel]) await (model as { deleteMany(f: object): Promise<unknown> }).deleteMany({});
    const [ca, cb] = await CommunityModel.insertMany([
      { tenantId: TEST_TENANT, name: 'A', createdBy: 'x' },
      { tenantId: TEST_TENANT, name: 'B', createdBy: 'x' },
    ]);
    a = ca!._id;
    b = cb!._id;
  });

  it('counts active members once across discussions, replies and sign-ups, within the period and the scope', async () => {
    const d = await discussion(a, 'p1', at('2030-03-02T10:00:00Z'));
    await reply(a, d, 'p1', at('2030-03-02T11:00:00Z'));
    await reply(a, d, 'p2', at('2030-03-03T11:00:00Z'));
    await reply(a, d, 'removed-author', at('2030-03-03T12:00:00Z'), { removed: true });
    await reply(a, d, 'before', at('2030-02-27T12:00:00Z'));
    await discussion(b, 'p3', at('2030-03-05T10:00:00Z'));
    const e = await event(a, at('2030-05-01T10:00:00Z'));
    await register(e, ['p2', 'p4', 'p5'], at('2030-03-10T10:00:00Z'));
    await register(e, ['later'], at('2030-04-02T10:00:00Z'));

    const all = await activityFromCapabilities(TEST_TENANT, null, FROM, TO);
    assert.equal(all.activeMembers, 5); // p1..p5
    const inA = await activityFromCapabilities(TEST_TENANT, [String(a)], FROM, TO);
    assert.equal(inA.activeMembers, 4); // p1, p2, p4, p5
  });

  it('counts questions answered (accepted, or a reply from someone else) and the median hours to the first answer', async () => {
    const asked = at('2030-03-10T09:00:00Z');
    const hours = [1, 2, 3, 10, 30];
    for (const [i, h] of hours.entries()) {
      const q = await discussion(a, `asker${i}`, asked, 'question');
      await reply(a, q, `asker${i}`, new Date(asked.getTime() + HOUR / 2)); // the asker's own does not answer
      await reply(a, q, `helper${i}`, new Date(asked.getTime() + h * HOUR));
      await reply(a, q, `late${i}`, new Date(asked.getTime() + 50 * HOUR));
    }
    await discussion(a, 'unanswered', asked, 'question');
    const onlyRemoved = await discussion(a, 'asker-x', asked, 'question');
    await reply(a, onlyRemoved, 'helper-x', new Date(asked.getTime() + HOUR), { removed: true });
    await discussion(a, 'not-a-question', asked);
    await discussion(a, 'hidden', asked, 'question', { hidden: true, acceptedReplyId: new Types.ObjectId() });

    const figures = await activityFromCapabilities(TEST_TENANT, [String(a)], FROM, TO);
    assert.equal(figures.questionsAnswered, 5);
    assert.equal(figures.medianHoursToFirstAnswer, 3);
    assert.equal(figures.questionsTimed, 5);
    assert.equal((await activityFromCapabilities(TEST_TENANT, [String(b)], FROM, TO)).medianHoursToFirstAnswer, null);
  });

  it('counts attendance of registered people at events held in the period that have an attendance report', async () => {
    const held = await event(a, at('2030-03-15T18:00:00Z'));
    const registered = await register(held, ['r1', 'r2', 'r3', 'r4', 'r5', 'r6', 'r7', 'r8'], at('2030-03-01T10:00:00Z'));
    await register(held, ['c1'], at('2030-03-01T10:00:00Z'), 'cancelled');
    await attended(held, registered.slice(0, 6));
    const noReport = await event(a, at('2030-03-20T18:00:00Z'));
    await register(noReport, ['n1', 'n2'], at('2030-03-01T10:00:00Z'));
    const outside = await event(a, at('2030-04-15T18:00:00Z'));
    const outsideRegs = await register(outside, ['o1'], at('2030-03-01T10:00:00Z'));
    await attended(outside, outsideRegs);

    assert.deepEqual(await attendanceFromCapabilities(TEST_TENANT, [String(a)], FROM, TO), { registered: 8, attended: 6 });
    assert.deepEqual(await attendanceFromCapabilities(TEST_TENANT, [String(b)], FROM, TO), { registered: 0, attended: 0 });
  });

  it('shows the figures in the summary, and "< 5" for fewer than 5 people', async () => {
    const clock = testClock(Date.parse('2030-04-10T12:00:00Z'));
    const service = new AnalyticsService({ now: clock.now, sources: { activity: activityFromCapabilities, attendance: attendanceFromCapabilities }, liveMembers: async () => new Map() });
    const held = await event(a, at('2030-03-15T18:00:00Z'));
    const regs = await register(held, ['r1', 'r2', 'r3', 'r4'], at('2030-03-01T10:00:00Z'));
    await attended(held, regs.slice(0, 3));
    const q = await discussion(a, 'asker', at('2030-03-10T09:00:00Z'), 'question');
    await reply(a, q, 'helper', at('2030-03-10T11:00:00Z'));
    const admin = testActor({ userId: 'admin', isOrgAdmin: true });
    const summary = await service.summary(admin, { from: '2030-03-01', to: '2030-03-31' });
    const f = (key: string) => summary.figures.find((x) => x.key === key)!;
    // Active: r1..r4, asker, helper = 6 people: shown. Attendance over 4 registrations, the time over one question: withheld.
    assert.deepEqual([f('activeMembers').value, f('activeMembers').available], [6, true]);
    assert.deepEqual([f('attendanceRate').value, f('attendanceRate').suppressed], [null, true]);
    assert.deepEqual([f('questionsAnswered').value, f('questionsAnswered').available], [1, true]);
    assert.deepEqual([f('hoursToFirstAnswer').value, f('hoursToFirstAnswer').suppressed], [null, true]);
    // In one community with 2 active people: withheld.
    const inB = await discussion(b, 'b1', at('2030-03-10T09:00:00Z'));
    await reply(b, inB, 'b2', at('2030-03-10T10:00:00Z'));
    const small = await service.summary(admin, { from: '2030-03-01', to: '2030-03-31', communityId: String(b) });
    assert.deepEqual(small.figures.filter((x) => x.key === 'activeMembers').map((x) => [x.value, x.suppressed]), [[null, true]]);
    // With 5 registrations, attendance is shown.
    const more = await register(held, ['r5'], at('2030-03-01T10:00:00Z'));
    await attended(held, more);
    const shown = await service.summary(admin, { from: '2030-03-01', to: '2030-03-31' });
    assert.equal(shown.figures.find((x) => x.key === 'attendanceRate')?.value, 80);
  });
});
