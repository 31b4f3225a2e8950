import assert from 'node:assert/strict';
import mongoose, { type Types } from 'mongoose';
import { runAnalyticsPass } from '../../src/analytics/analytics-rollup.js';
import { AnalyticsService } from '../../src/analytics/analytics.service.js';
import { DailyRollupModel } from '../../src/analytics/daily-rollup.model.js';
import { CommunityModel } from '../../src/communities/community.model.js';
import { MembershipModel } from '../../src/communities/membership.model.js';
import { useTestDatabase } from '../support/database.js';
import { testActor, TEST_TENANT } from '../support/test-actor.js';
import { testClock } from '../events/events-fixtures.js';
import { clearAnalytics, syncAnalyticsIndexes } from './analytics-fixtures.js';

const admin = testActor({ userId: 'snapshot-admin', isOrgAdmin: true });

async function join(communityId: Types.ObjectId, people: string[], at: string): Promise<void> {
  await MembershipModel.insertMany(people.map((userId) => ({ tenantId: TEST_TENANT, communityId, userId, role: 'member', status: 'active', isGuest: userId.startsWith('guest'), joinedAt: new Date(at) })));
}

async function leave(communityId: Types.ObjectId, people: string[]): Promise<void> {
  await MembershipModel.deleteMany({ communityId, userId: mongoose.trusted({ $in: people }) });
}

const group = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}${i}`);

describe('analytics member snapshots', () => {
  useTestDatabase('analytics_members');
  before(syncAnalyticsIndexes);
  beforeEach(async () => {
    await clearAnalytics();
    await CommunityModel.deleteMany({});
    await MembershipModel.deleteMany({});
  });

  it('writes each day\'s members once, and the figures read them across days with joins and leaves (today live, cached a minute)', async () => {
    const [a, b] = await CommunityModel.insertMany([
      { tenantId: TEST_TENANT, name: 'A', createdBy: 'x' },
      { tenantId: TEST_TENANT, name: 'B', createdBy: 'x' },
    ]);
    // Before the first day: A has 10, B 10 (5 of them also in A): 15 people.
    await join(a!._id, group('a', 10), '2030-01-01T10:00:00Z');
    await join(b!._id, [...group('a', 5), ...group('guest-b', 5)], '2030-01-01T10:00:00Z');
    // Day 1 (6 January): 5 join A, 5 join B.
    await join(a!._id, group('d1a', 5), '2030-01-06T10:00:00Z');
    await join(b!._id, group('d1b', 5), '2030-01-06T12:00:00Z');
    // Someone who joins after midnight is not in the day's snapshot.
    await join(a!._id, ['early-bird'], '2030-01-06T23:10:00Z');

    const clock = testClock(Date.parse('2030-01-06T23:30:00Z')); // 00:30 on 7 January in Amsterdam
    let pass = await runAnalyticsPass({ now: clock.now });
    assert.equal(pass.memberSnapshots, 1);
    assert.equal((await runAnalyticsPass({ now: clock.now })).memberSnapshots, 0, 'once a day');
    const day1 = await DailyRollupModel.find({ day: '2030-01-06' }).lean();
    const of = (id: unknown) => day1.find((r) => String(r.communityId) === String(id));
    assert.deepEqual([of(null)?.members, of(null)?.newMembers, of(null)?.guestMembers], [25, 10, 5]);
    assert.deepEqual([of(a!._id)?.members, of(a!._id)?.newMembers], [15, 5]);
    assert.deepEqual([of(b!._id)?.members, of(b!._id)?.newMembers, of(b!._id)?.guestMembers], [15, 5, 5]);
    await leave(a!._id, ['early-bird']);

    // Day 2: 5 leave A (only in A), 6 join A and B.
    await leave(a!._id, group('a', 10).slice(5));
    await join(a!._id, group('d2-', 6), '2030-01-07T09:00:00Z');
    await join(b!._id, group('d2-', 6), '2030-01-07T09:00:00Z');
    clock.set(new Date('2030-01-08T00:30:00Z'));
    pass = await runAnalyticsPass({ now: clock.now });
    assert.equal(pass.memberSnapshots, 1);

    // Day 3 (today): a0..a4 leave A but stay in B; 5 join A.
    await leave(a!._id, group('a', 5));
    await join(a!._id, group('d3-', 5), '2030-01-08T11:00:00Z');
    clock.set(new Date('2030-01-08T12:00:00Z'));
    const service = new AnalyticsService({ now: clock.now });
    const figures = async (from: string, to: string, communityId?: string) => {
      const s = await service.summary(admin, { from, to, ...(communityId ? { communityId } : {}) });
      const f = (key: string) => s.figures.find((x) => x.key === key)!;
      return { members: f('members').value, growth: f('memberGrowth').value, previousMembers: f('members').previous, change: f('members').change };
    };
    assert.deepEqual(await figures('2030-01-06', '2030-01-06'), { members: 25, growth: 10, previousMembers: null, change: null });
    assert.deepEqual(await figures('2030-01-07', '2030-01-07'), { members: 26, growth: 6, previousMembers: 25, change: 4 });
    assert.deepEqual(await figures('2030-01-06', '2030-01-07'), { members: 26, growth: 16, previousMembers: null, change: null });
    assert.deepEqual(await figures('2030-01-06', '2030-01-08'), { members: 31, growth: 21, previousMembers: null, change: null });
    assert.deepEqual(await figures('2030-01-07', '2030-01-07', String(a!._id)), { members: 16, growth: 6, previousMembers: 15, change: 6.7 });
    assert.deepEqual(await figures('2030-01-06', '2030-01-08', String(a!._id)), { members: 16, growth: 16, previousMembers: null, change: null });

    // Today's count is reused for a minute: a join shows after that, not before.
    await join(a!._id, group('d3late-', 5), '2030-01-08T12:00:10Z');
    clock.advance(30_000);
    assert.equal((await figures('2030-01-08', '2030-01-08')).members, 31);
    clock.advance(31_000);
    assert.deepEqual(await figures('2030-01-08', '2030-01-08'), { members: 36, growth: 10, previousMembers: 26, change: 38.5 });
    // The past days' snapshots stay what they were.
    assert.equal((await figures('2030-01-07', '2030-01-07')).members, 26);

    // A manager of both communities: their members summed (someone in both counts twice there).
    await MembershipModel.insertMany([a!, b!].map((c) => ({ tenantId: TEST_TENANT, communityId: c._id, userId: 'boss', role: 'manager', status: 'active', joinedAt: new Date('2029-12-01T00:00:00Z') })));
    const manager = await new AnalyticsService({ now: clock.now }).summary(testActor({ userId: 'boss' }), { from: '2030-01-07', to: '2030-01-08' });
    assert.equal(manager.figures.find((f) => f.key === 'members')?.value, 22 + 22);
  });

  it('reads the current day\'s members from the worker\'s count while it is at most ten minutes old, and counts live otherwise', async () => {
    const [a] = await CommunityModel.insertMany([{ tenantId: TEST_TENANT, name: 'A', createdBy: 'x' }]);
    await join(a!._id, group('m', 6), '2030-02-01T08:00:00Z');
    const clock = testClock(Date.parse('2030-02-03T09:00:00Z'));
    assert.equal((await runAnalyticsPass({ now: clock.now })).membersCounted, 1);
    clock.advance(60_000);
    assert.equal((await runAnalyticsPass({ now: clock.now })).membersCounted, 0, 'not again within five minutes');
    // Six join; the stored count does not know them yet, a live count would.
    await join(a!._id, group('n', 6), '2030-02-03T09:01:30Z');
    const service = new AnalyticsService({ now: clock.now });
    const members = async () => {
      const s = await service.summary(admin, { from: '2030-02-03', to: '2030-02-03' });
      return [s.figures.find((f) => f.key === 'members')?.value, s.figures.find((f) => f.key === 'memberGrowth')?.value];
    };
    assert.deepEqual(await members(), [6, null], 'growth 0: fewer than 5, withheld');
    // Five minutes on, the worker counts again.
    clock.advance(5 * 60_000);
    assert.equal((await runAnalyticsPass({ now: clock.now })).membersCounted, 1);
    assert.deepEqual(await members(), [12, 6]);
    // The worker stops: ten minutes after its last count the figures count for themselves.
    await join(a!._id, group('o', 3), '2030-02-03T09:08:00Z');
    clock.advance(9 * 60_000);
    assert.deepEqual(await members(), [12, 6]);
    clock.advance(60_000);
    assert.deepEqual(await members(), [15, 9]);
  });
});
