import assert from 'node:assert/strict';
import { Types } from 'mongoose';
import { addDays } from '../../src/analytics/analytics-day.js';
import { runAnalyticsPass } from '../../src/analytics/analytics-rollup.js';
import { saveDay, saveMemberSnapshot, type RollupRow } from '../../src/analytics/analytics.repository.js';
import { AnalyticsService, type Summary } from '../../src/analytics/analytics.service.js';
import type { MemberCountsByScope } from '../../src/analytics/analytics-sources.js';
import { DailyRollupModel } from '../../src/analytics/daily-rollup.model.js';
import { writeGeneratedActivity } from '../../src/analytics/generated-activity.js';
import { AnalyticsPendingMonthModel, MonthlyRollupModel, MonthlyTopModel } from '../../src/analytics/monthly-rollup.model.js';
import { rollUpMonth } from '../../src/analytics/monthly-rollups.repository.js';
import { rowsOfPeriod } from '../../src/analytics/period-rollups.js';
import { emptyCounters } from '../../src/analytics/visits.js';
import { CommunityModel } from '../../src/communities/community.model.js';
import { MembershipModel } from '../../src/communities/membership.model.js';
import type { Actor } from '../../src/auth/actor.js';
import { useTestDatabase } from '../support/database.js';
import { testActor, TEST_TENANT } from '../support/test-actor.js';
import { testClock } from '../events/events-fixtures.js';
import { clearAnalytics, syncAnalyticsIndexes } from './analytics-fixtures.js';

const TODAY = '2031-01-10';
const FIRST = '2029-12-01';
const ids = (n: number) => Array.from({ length: n }, () => new Types.ObjectId().toHexString());

/** Runs worker passes until nothing more waits. */
async function drain(now: () => Date): Promise<number> {
  let months = 0;
  for (;;) {
    const pass = await runAnalyticsPass({ now });
    months += pass.monthsRolledUp;
    if (!pass.more) return months;
  }
}

/** The summed views per object in the rows' tops. */
function topViews(rows: readonly RollupRow[]): Record<string, number> {
  const views: Record<string, number> = {};
  for (const row of rows) for (const t of row.top ?? []) views[`${t.route}:${t.objectId}`] = (views[`${t.route}:${t.objectId}`] ?? 0) + (t.views ?? 0);
  return views;
}

describe('analytics monthly rollups', function () {
  this.timeout(300_000);
  useTestDatabase('analytics_monthly');
  const clock = testClock(Date.parse(`${TODAY}T11:00:00Z`));
  let a = '';
  let b = '';
  let c = '';
  const admin = testActor({ userId: 'monthly-admin', isOrgAdmin: true });
  const manager = testActor({ userId: 'monthly-manager' });
  // The current day's members (live in production): the same for both paths.
  const live = async (): Promise<MemberCountsByScope> =>
    new Map([
      [null, { members: 140, newMembers: 2, guests: 9 }],
      [a, { members: 80, newMembers: 1, guests: 4 }],
      [b, { members: 70, newMembers: 1, guests: 5 }],
      [c, { members: 4, newMembers: 0, guests: 0 }],
    ]);
  const viaMonths = new AnalyticsService({ now: clock.now, liveMembers: live });
  const viaDays = new AnalyticsService({ now: clock.now, liveMembers: live, readFrom: 'days' });

  before(async () => {
    await syncAnalyticsIndexes();
    await clearAnalytics();
    await CommunityModel.deleteMany({});
    await MembershipModel.deleteMany({});
    const made = await CommunityModel.insertMany(['Busy A', 'Busy B', 'Quiet C'].map((name) => ({ tenantId: TEST_TENANT, name, createdBy: 'x' })));
    [a, b, c] = made.map((m) => String(m._id)) as [string, string, string];
    await MembershipModel.insertMany([a, c].map((communityId) => ({ tenantId: TEST_TENANT, communityId, userId: manager.userId, role: 'manager', status: 'active', joinedAt: new Date('2029-01-01T00:00:00Z') })));
    const place = (communityId: string) => ({ communityId, discussionIds: ids(4), eventIds: ids(3) });
    const [pa, pb, pc] = [place(a), place(b), place(c)];
    // C is picked for one visit in 40: most of its months count fewer than 5 visitors.
    const places = [...Array.from({ length: 20 }, () => pa), ...Array.from({ length: 19 }, () => pb), pc];
    await writeGeneratedActivity({ tenantId: TEST_TENANT, places, until: new Date(`${TODAY}T12:00:00Z`), days: 1 + Math.round((Date.parse(TODAY) - Date.parse(FIRST)) / 86_400_000), peakVisitors: 10 });
    // Member snapshots of every day before today but a few (the figures then use the last one before).
    let i = 0;
    for (let day = FIRST; day < TODAY; day = addDays(day, 1), i++) {
      if (i % 37 === 5) continue;
      await saveMemberSnapshot(
        TEST_TENANT,
        day,
        new Map([
          [null, { members: 100 + Math.floor(i / 10), newMembers: i % 3, guests: 6 }],
          [a, { members: 60 + Math.floor(i / 20), newMembers: i % 2, guests: 3 }],
          [b, { members: 50 + Math.floor(i / 25), newMembers: i % 5 === 0 ? 1 : 0, guests: 4 }],
          [c, { members: 2 + Math.floor(i / 90), newMembers: i % 90 === 0 ? 1 : 0, guests: 0 }],
        ]),
      );
    }
    // Every month before the current one is rolled up by the worker; the current one waits.
    const months = await drain(clock.now);
    assert.equal(months, 13, 'December 2029 to December 2030');
    assert.deepEqual((await AnalyticsPendingMonthModel.find({}).lean()).map((p) => p.month), ['2031-01']);
  });

  const cases = (): { name: string; actor: Actor; from: string; to: string; communityId?: string }[] => {
    const periods: [string, string][] = [
      ['2030-01-01', '2030-12-31'],
      [addDays(TODAY, -364), TODAY],
      ['2030-03-15', '2030-06-20'],
      ['2030-12-01', TODAY],
    ];
    for (let m = 1; m <= 12; m++) {
      const month = `2030-${String(m).padStart(2, '0')}`;
      periods.push([`${month}-01`, addDays(m === 12 ? '2031-01-01' : `2030-${String(m + 1).padStart(2, '0')}-01`, -1)]);
    }
    return periods.flatMap(([from, to]) => [
      { name: `admin ${from}..${to}`, actor: admin, from, to },
      { name: `community A ${from}..${to}`, actor: admin, from, to, communityId: a },
      { name: `community C ${from}..${to}`, actor: admin, from, to, communityId: c },
      { name: `manager of A and C ${from}..${to}`, actor: manager, from, to },
    ]);
  };

  it('gives every figure of a summary the same from the monthly rollups as from the days, "< 5" included', async () => {
    let suppressed = 0;
    let compared = 0;
    for (const q of cases()) {
      const query = { from: q.from, to: q.to, ...(q.communityId ? { communityId: q.communityId } : {}) };
      const [months, days] = await Promise.all([viaMonths.summary(q.actor, query), viaDays.summary(q.actor, query)]);
      assert.deepEqual(months, days, q.name);
      suppressed += months.figures.filter((f) => f.suppressed).length;
      compared += months.figures.length;
    }
    assert.ok(suppressed > 0, 'some compared figures are withheld as "< 5"');
    assert.ok(compared > 1000);
    // The series and the export per month read the months too.
    const series = { from: '2030-01-01', to: '2030-12-31', metric: 'uniqueVisitors' as const, interval: 'month' as const };
    assert.deepEqual(await viaMonths.timeseries(admin, { ...series, communityId: c }), await viaDays.timeseries(admin, { ...series, communityId: c }));
    const csv = { from: '2030-01-01', to: '2030-12-31', interval: 'month' as const, lang: 'nl' as const };
    assert.deepEqual(await viaMonths.exportCsv(manager, csv), await viaDays.exportCsv(manager, csv));
  });

  it('reads a year as twelve monthly rows per scope, with the same counters and tops as its 365 days', async () => {
    for (const scope of [null, [a], [a, c]]) {
      const reading = { withTop: true, today: TODAY };
      const months = await rowsOfPeriod(TEST_TENANT, scope, '2030-01-01', '2030-12-31', { ...reading, months: true });
      const days = await rowsOfPeriod(TEST_TENANT, scope, '2030-01-01', '2030-12-31', { ...reading, months: false });
      assert.equal(months.length, 12 * (scope?.length ?? 1));
      // A quiet community has no row on a day without visits or member snapshot.
      assert.ok(days.length > 350 * (scope?.length ?? 1));
      const sum = (rows: RollupRow[]) => rows.reduce((t, r) => ({ visitors: t.visitors + (r.visitors ?? 0), pageViews: t.pageViews + (r.pageViews ?? 0), newMembers: t.newMembers + (r.newMembers ?? 0) }), { visitors: 0, pageViews: 0, newMembers: 0 });
      assert.deepEqual(sum(months), sum(days));
      assert.deepEqual(topViews(months), topViews(days));
      assert.ok(Object.keys(topViews(months)).length > 0);
    }
    // C's quiet months: fewer than 5 visitors in some (so the comparison above covered "< 5").
    const quiet = await MonthlyRollupModel.find({ tenantId: TEST_TENANT, scope: c }).lean();
    assert.ok(quiet.some((m) => m.visitors < 5));
  });

  it('rolls a month up again when one of its days changes, reads its days meanwhile, and writes the same when run twice', async () => {
    const before = await MonthlyRollupModel.findOne({ tenantId: TEST_TENANT, scope: 'organisation', month: '2030-05' }).lean();
    assert.ok(before);
    const query = { from: '2030-05-01', to: '2030-05-31' };
    // A late change to 10 May: 1,000 more page views for the organisation.
    const day = await DailyRollupModel.findOne({ tenantId: TEST_TENANT, communityId: null, day: '2030-05-10' }).lean();
    const counters = { ...emptyCounters(), ...Object.fromEntries(Object.keys(emptyCounters()).map((k) => [k, (day as unknown as Record<string, number>)[k] ?? 0])) };
    await saveDay(TEST_TENANT, '2030-05-10', new Map([[null, { counters: { ...counters, pageViews: counters.pageViews + 1000 }, top: [] }]]));
    const pageViews = (s: Summary) => s.figures.find((f) => f.key === 'pageViews')?.value;
    // Before the worker comes by, the month is read from its days: the change shows at once.
    assert.equal(pageViews(await viaMonths.summary(admin, query)), before.pageViews + 1000);
    assert.deepEqual(await viaMonths.summary(admin, query), await viaDays.summary(admin, query));
    assert.equal(await drain(clock.now), 1);
    const after = await MonthlyRollupModel.findOne({ tenantId: TEST_TENANT, scope: 'organisation', month: '2030-05' }).lean();
    assert.equal(after?.pageViews, before.pageViews + 1000);
    assert.deepEqual(await viaMonths.summary(admin, query), await viaDays.summary(admin, query));

    // Idempotent: rolling the month up again, or another pass, changes nothing.
    const snapshot = async () => ({
      months: await MonthlyRollupModel.find({ tenantId: TEST_TENANT, month: '2030-05' }, { _id: 0 }).sort({ scope: 1 }).lean(),
      tops: await MonthlyTopModel.find({ tenantId: TEST_TENANT, month: '2030-05' }, { _id: 0 }).sort({ scope: 1 }).lean(),
    });
    const once = await snapshot();
    assert.equal(once.months.length, 4, 'the organisation and each of the three communities');
    await rollUpMonth(TEST_TENANT, '2030-05', [a, b, c]);
    assert.equal(await drain(clock.now), 0);
    assert.deepEqual(await snapshot(), once);
  });

  it('leaves the current month to its days until it is over, then rolls it up once', async () => {
    const january = () => MonthlyRollupModel.countDocuments({ tenantId: TEST_TENANT, month: '2031-01' });
    assert.equal(await january(), 0);
    const later = testClock(Date.parse('2031-01-31T20:00:00Z'));
    await drain(later.now);
    assert.equal(await january(), 0, 'not while January lasts (in Amsterdam)');
    // 1 February, 00:30 in Amsterdam: January is over.
    later.set(new Date('2031-01-31T23:30:00Z'));
    assert.equal(await drain(later.now), 1);
    assert.equal(await january(), 4);
    const query = { from: '2031-01-01', to: '2031-01-31' };
    const at = { now: later.now, liveMembers: live };
    assert.deepEqual(await new AnalyticsService(at).summary(admin, query), await new AnalyticsService({ ...at, readFrom: 'days' }).summary(admin, query));
  });
});
