import assert from 'node:assert/strict';
import { AnalyticsEventModel } from '../../src/analytics/analytics-event.model.js';
import { AnalyticsRecorder } from '../../src/analytics/analytics-recorder.js';
import { resolveCommunity } from '../../src/analytics/analytics.module.js';
import { purgeRawAnalytics, runAnalyticsPass } from '../../src/analytics/analytics-rollup.js';
import { AnalyticsPendingModel, DailyRollupModel } from '../../src/analytics/daily-rollup.model.js';
import { MonthlyRollupModel } from '../../src/analytics/monthly-rollup.model.js';
import { VisitorSaltModel } from '../../src/analytics/visitor-salt.model.js';
import { useTestDatabase } from '../support/database.js';
import { testActor, TEST_TENANT } from '../support/test-actor.js';
import { testClock } from '../events/events-fixtures.js';
import { clearAnalytics, recorderAt, syncAnalyticsIndexes } from './analytics-fixtures.js';

const DAY = 86_400_000;

describe('analytics rollups and retention', () => {
  useTestDatabase('analytics_retention');
  before(syncAnalyticsIndexes);
  beforeEach(clearAnalytics);

  it('rolls raw events up into daily counters, deletes them after 30 days and the salts after their day', async () => {
    const clock = testClock(Date.parse('2030-01-10T12:00:00Z'));
    const recorder = recorderAt(clock);
    const people = Array.from({ length: 5 }, (_, i) => testActor({ userId: `r${i}` }));
    for (const p of people) recorder.pageViews(p, [{ route: 'home' }]);
    await recorder.flush();
    assert.equal(await AnalyticsPendingModel.countDocuments({}), 1);
    assert.equal(await VisitorSaltModel.countDocuments({ day: '2030-01-10' }), 1);

    let pass = await runAnalyticsPass({ now: clock.now });
    assert.equal(pass.daysRolledUp, 1);
    assert.equal(await AnalyticsPendingModel.countDocuments({}), 0);
    const day = await DailyRollupModel.findOne({ tenantId: TEST_TENANT, communityId: null, day: '2030-01-10' }).lean();
    assert.deepEqual([day?.visitors, day?.visits, day?.pageViews], [5, 5, 5]);
    // Today's salt stays while the day lasts.
    assert.equal(await VisitorSaltModel.countDocuments({}), 1);

    // Later that day, more views: the day is rolled up again, with the same pseudonyms.
    clock.advance(3_600_000);
    recorder.pageViews(people[0]!, [{ route: 'events' }]);
    await recorder.flush();
    await runAnalyticsPass({ now: clock.now });
    const again = await DailyRollupModel.findOne({ tenantId: TEST_TENANT, communityId: null, day: '2030-01-10' }).lean();
    assert.deepEqual([again?.visitors, again?.visits, again?.pageViews, again?.eventPageVisits], [5, 6, 6, 1]);

    // The next day the salt goes; 29 days on the raw events are still there; after 30 they go, the counters stay.
    clock.advance(DAY);
    pass = await runAnalyticsPass({ now: clock.now });
    assert.equal(pass.saltsDeleted, 1);
    assert.equal(await VisitorSaltModel.countDocuments({}), 0);
    clock.set(new Date(Date.parse('2030-01-10T13:00:00Z') + 29 * DAY));
    assert.equal((await runAnalyticsPass({ now: clock.now })).eventsPurged, 0);
    assert.equal(await AnalyticsEventModel.countDocuments({}), 6);
    clock.set(new Date(Date.parse('2030-01-10T13:00:01Z') + 30 * DAY));
    assert.equal((await runAnalyticsPass({ now: clock.now })).eventsPurged, 6);
    assert.equal(await AnalyticsEventModel.countDocuments({}), 0);
    assert.equal(await DailyRollupModel.countDocuments({ day: '2030-01-10' }), 1);
    // January is over: its monthly counters were summed from the day's, and stay too.
    const january = await MonthlyRollupModel.findOne({ tenantId: TEST_TENANT, scope: 'organisation', month: '2030-01' }).lean();
    assert.deepEqual([january?.visitors, january?.visits, january?.pageViews], [5, 6, 6]);
  });

  it('purges for the retention registry in bounded batches, and never a day still waiting for its rollup', async () => {
    const clock = testClock(Date.parse('2030-02-01T09:00:00Z'));
    const recorder = recorderAt(clock);
    for (let i = 0; i < 7; i++) recorder.pageViews(testActor({ userId: `b${i}` }), [{ route: 'home' }]);
    await recorder.flush();
    const later = new Date(Date.parse('2030-02-01T09:00:00Z') + 40 * DAY);
    // Not rolled up yet: nothing goes.
    assert.equal(await purgeRawAnalytics(TEST_TENANT, later, 100), 0);
    await runAnalyticsPass({ now: clock.now });
    assert.equal(await purgeRawAnalytics('another-tenant', later, 100), 0);
    assert.equal(await purgeRawAnalytics(TEST_TENANT, later, 3), 3);
    assert.equal(await purgeRawAnalytics(TEST_TENANT, later, 3), 3);
    assert.equal(await purgeRawAnalytics(TEST_TENANT, later, 3), 1);
    assert.equal(await AnalyticsEventModel.countDocuments({}), 0);
  });

  it('drops what does not fit in the bounded buffer, and counts it', async () => {
    const clock = testClock(Date.parse('2030-02-01T09:00:00Z'));
    const warned: unknown[] = [];
    const recorder = new AnalyticsRecorder({ resolveCommunity, now: clock.now, autoFlush: false, maxBuffered: 3, logger: { warn: (o: unknown) => warned.push(o), error: () => undefined } });
    recorder.pageViews(testActor({ userId: 'x' }), [{ route: 'home' }, { route: 'home' }, { route: 'home' }, { route: 'home' }, { route: 'home' }]);
    assert.equal(recorder.dropped, 2);
    await recorder.close();
    assert.equal(await AnalyticsEventModel.countDocuments({}), 3);
    assert.deepEqual(warned, [{ dropped: 2 }]);
  });
});
