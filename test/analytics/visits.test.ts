import assert from 'node:assert/strict';
import { Types } from 'mongoose';
import type { Actor } from '../../src/auth/actor.js';
import { runAnalyticsPass } from '../../src/analytics/analytics-rollup.js';
import { AnalyticsService } from '../../src/analytics/analytics.service.js';
import { useTestDatabase } from '../support/database.js';
import { testActor } from '../support/test-actor.js';
import { community, testClock } from '../events/events-fixtures.js';
import { clearAnalytics, recorderAt, syncAnalyticsIndexes } from './analytics-fixtures.js';

const MIN = 60_000;

/**
 * Twelve people over three days, by hand: every visit, unique page view and action below is
 * counted in the comments, and the figures must come out exactly so.
 */
describe('analytics: visits by Matomo\'s definitions', () => {
  useTestDatabase('analytics_visits');
  before(syncAnalyticsIndexes);
  beforeEach(clearAnalytics);

  it('counts the scripted visits of 12 people over three days exactly', async () => {
    // 2030-03-04 09:00 in Amsterdam (CET, UTC+1).
    const clock = testClock(Date.parse('2030-03-04T08:00:00Z'));
    const recorder = recorderAt(clock);
    const admin = testActor({ userId: 'admin', isOrgAdmin: true });
    const communityId = await community('Bodem', 'public', [{ userId: 'p1', role: 'manager' }]);
    const eventId = new Types.ObjectId().toHexString();
    const people: Actor[] = Array.from({ length: 12 }, (_, i) => testActor({ userId: `p${i + 1}`, isGuest: i >= 9 }));
    const at = async (minutes: number, act: () => void) => {
      clock.set(new Date(Date.parse('2030-03-04T08:00:00Z') + minutes * MIN));
      act();
    };
    const view = (p: Actor, route: 'home' | 'community' | 'events', id?: string) => () => recorder.pageViews(p, [{ route, objectId: id }]);

    // Day 1. p1..p6: home, then the community page at +10 and again at +20 (the same page twice: 1 unique), 3 views, 2 unique, one visit each.
    for (const p of people.slice(0, 6)) {
      await at(0, view(p, 'home'));
      await at(10, view(p, 'community', communityId));
      await at(20, view(p, 'community', communityId));
    }
    // p7: home at +0, home again at +29 (gap 29 min: same visit), then +65 (gap 36 min: a new visit). 2 visits, 3 views, 2 unique.
    await at(0, view(people[6]!, 'home'));
    await at(29, view(people[6]!, 'home'));
    await at(65, view(people[6]!, 'home'));
    // p8: the events page, then signs up from the tab 5 minutes later: 1 visit, 1 view, 1 unique, 1 action.
    await at(0, view(people[7]!, 'events'));
    await at(5, () => recorder.action(people[7]!, 'signUp', { eventId }, 'tab'));
    // Day 2 (+24 h). p9 signs up from a card only: a visit of one action (0 views).
    await at(24 * 60, () => recorder.action(people[8]!, 'signUp', { eventId }, 'card'));
    // p10..p12 (guests): home, then a download 10 min later: 1 visit, 1 view, 1 download each.
    for (const p of people.slice(9)) {
      await at(24 * 60, view(p, 'home'));
      await at(24 * 60 + 10, () => recorder.download(p, {}));
    }
    // Day 3 (+48 h). p1 again: home, and after 45 minutes home again: 2 visits, 2 views, 2 unique.
    await at(48 * 60, view(people[0]!, 'home'));
    await at(48 * 60 + 45, view(people[0]!, 'home'));
    await recorder.flush();
    clock.set(new Date('2030-03-07T10:00:00Z'));
    await runAnalyticsPass({ now: clock.now });

    const service = new AnalyticsService({ now: clock.now });
    const summary = await service.summary(admin, { from: '2030-03-04', to: '2030-03-06' });
    const fig = (key: string) => summary.figures.find((f) => f.key === key)!;
    // Visits: 6 + 2 + 1 (day 1) + 1 + 3 (day 2) + 2 (day 3) = 15.
    assert.equal(fig('visits').value, 15);
    // Unique visitors per day, summed (hashes cannot be joined across days): 8 + 4 + 1 = 13.
    assert.equal(fig('uniqueVisitors').value, 13);
    // Page views: 18 + 3 + 1 + 3 + 2 = 27; unique: 12 + 2 + 1 + 3 + 2 = 20.
    assert.equal(fig('pageViews').value, 27);
    assert.equal(fig('uniquePageViews').value, 20);
    // Actions per visit: (27 views + 3 downloads + 2 sign-ups) / 15 = 2.133 → 2.1.
    assert.equal(fig('actionsPerVisit').value, 2.1);
    assert.equal(fig('downloads').value, 3);
    assert.equal(fig('signUps').value, 2);
    assert.equal(fig('signUpsFromCards').value, 1);
    assert.equal(fig('eventPageVisits').value, 1);
    // Guests: 3 of 13 visitors: fewer than 5 people, so withheld.
    assert.equal(fig('guestShare').suppressed, true);
    assert.equal(fig('guestShare').value, null);

    // The community: the 6 visits of p1..p6 on day 1 (6 people, 12 views, 6 unique).
    const mine = await service.summary(admin, { from: '2030-03-04', to: '2030-03-06', communityId });
    const cfig = (key: string) => mine.figures.find((f) => f.key === key)!;
    assert.deepEqual([cfig('visits').value, cfig('uniqueVisitors').value, cfig('pageViews').value, cfig('uniquePageViews').value], [6, 6, 12, 6]);
  });

  it('shows a figure of fewer than 5 people as withheld, also per day', async () => {
    const clock = testClock(Date.parse('2030-03-04T08:00:00Z'));
    const recorder = recorderAt(clock);
    for (const id of ['a', 'b', 'c']) recorder.pageViews(testActor({ userId: id }), [{ route: 'home' }]);
    await recorder.flush();
    await runAnalyticsPass({ now: clock.now });
    const service = new AnalyticsService({ now: clock.now });
    const admin = testActor({ userId: 'admin', isOrgAdmin: true });
    const summary = await service.summary(admin, { from: '2030-03-04', to: '2030-03-04' });
    const visitors = summary.figures.find((f) => f.key === 'uniqueVisitors')!;
    assert.deepEqual([visitors.value, visitors.suppressed], [null, true]);
    assert.equal(summary.figures.find((f) => f.key === 'visits')!.value, 3);
    const series = await service.timeseries(admin, { from: '2030-03-03', to: '2030-03-04', metric: 'uniqueVisitors', interval: 'day' });
    assert.deepEqual(series.points, [
      { start: '2030-03-03', value: null, suppressed: true },
      { start: '2030-03-04', value: null, suppressed: true },
    ]);
    const csv = (await service.exportCsv(admin, { from: '2030-03-04', to: '2030-03-04', interval: 'day', lang: 'en' })).csv;
    assert.match(csv, /"2030-03-04";"< 5";"3"/);
  });
});
