import assert from 'node:assert/strict';
import request from 'supertest';
import { AnalyticsEventModel } from '../../src/analytics/analytics-event.model.js';
import { runAnalyticsPass } from '../../src/analytics/analytics-rollup.js';
import { AnalyticsPendingModel, DailyRollupModel } from '../../src/analytics/daily-rollup.model.js';
import { MembersNowModel } from '../../src/analytics/members-now.model.js';
import { AnalyticsPendingMonthModel, MonthlyRollupModel, MonthlyTopModel } from '../../src/analytics/monthly-rollup.model.js';
import { VisitorSaltModel } from '../../src/analytics/visitor-salt.model.js';
import { useTestDatabase } from '../support/database.js';
import { as, community, person, testClock } from '../events/events-fixtures.js';
import { analyticsApp, clearAnalytics, recorderAt, syncAnalyticsIndexes } from './analytics-fixtures.js';

describe('analytics API', () => {
  useTestDatabase('analytics_api');
  before(syncAnalyticsIndexes);
  beforeEach(clearAnalytics);
  const start = Date.parse('2030-05-06T08:00:00Z');

  it('records a batch of page views from the beacon', async () => {
    const clock = testClock(start);
    const recorder = recorderAt(clock);
    const member = await person('beacon-member', { name: 'Bea Baken' });
    const res = await request(analyticsApp(clock, recorder)).post('/api/v1/analytics/page-views').set(as(member)).send({ views: [{ route: 'home' }, { route: 'events', msAgo: 60_000 }] });
    assert.equal(res.status, 204);
    await recorder.flush();
    const stored = await AnalyticsEventModel.find({}).sort({ at: 1 }).lean();
    assert.deepEqual(stored.map((e) => [e.page, e.at.toISOString()]), [['events', '2030-05-06T07:59:00.000Z'], ['home', '2030-05-06T08:00:00.000Z']]);
  });

  it('refuses unknown routes, oversize batches, extra fields and views too old, and stores nothing', async () => {
    const clock = testClock(start);
    const recorder = recorderAt(clock);
    const member = await person('beacon-refused');
    const app = analyticsApp(clock, recorder);
    const bodies = [
      { views: [{ route: 'home' }, { route: 'admin-secrets' }] },
      { views: Array.from({ length: 51 }, () => ({ route: 'home' })) },
      { views: [] },
      { views: [{ route: 'search', query: 'wie is mijn buurman' }] },
      { views: [{ route: 'home', msAgo: 16 * 60_000 }] },
      { views: [{ route: 'discussion', id: 'not-an-id' }] },
    ];
    for (const body of bodies) {
      const res = await request(app).post('/api/v1/analytics/page-views').set(as(member)).send(body);
      assert.equal(res.status, 400, JSON.stringify(body).slice(0, 80));
      assert.equal(res.headers['content-type'], 'application/problem+json; charset=utf-8');
    }
    await recorder.flush();
    assert.equal(await AnalyticsEventModel.countDocuments({}), 0);
  });

  it('limits the beacon per person', async () => {
    const clock = testClock(start);
    const recorder = recorderAt(clock);
    const member = await person('beacon-busy');
    const app = analyticsApp(clock, recorder, { batches: 2, windowMs: 60_000 });
    const send = () => request(app).post('/api/v1/analytics/page-views').set(as(member)).send({ views: [{ route: 'home' }] });
    assert.equal((await send()).status, 204);
    assert.equal((await send()).status, 204);
    const refused = await send();
    assert.equal(refused.status, 429);
    clock.advance(60_000);
    assert.equal((await send()).status, 204);
  });

  it('shows a secret community\'s figures only to its managers and organisation admins', async () => {
    const clock = testClock(start);
    const app = analyticsApp(clock, recorderAt(clock));
    const admin = await person('an-admin', { isOrgAdmin: true });
    const manager = await person('secret-manager');
    const member = await person('secret-member');
    const otherManager = await person('open-manager');
    const outsider = await person('outsider');
    const secret = await community('Geheim overleg', 'secret', [{ userId: manager.userId, role: 'manager' }, { userId: member.userId, role: 'member' }]);
    const open = await community('Open gemeenschap', 'public', [{ userId: otherManager.userId, role: 'manager' }]);
    const summary = (who: typeof admin, communityId?: string) => request(app).get('/api/v1/analytics/summary').query(communityId ? { communityId } : {}).set(as(who));
    assert.equal((await summary(admin, secret)).status, 200);
    const managed = await summary(manager, secret);
    assert.equal(managed.status, 200);
    assert.equal(managed.body.scope.name, 'Geheim overleg');
    for (const who of [member, otherManager, outsider]) assert.equal((await summary(who, secret)).status, 404, who.userId);
    // An open community's figures are refused to its members, not hidden.
    assert.equal((await summary(member, open)).status, 403);
    // Without a community: admins the organisation, managers their own, others nobody.
    assert.equal((await summary(admin)).body.scope.communities, null);
    assert.equal((await summary(manager)).body.scope.communities, 1);
    assert.equal((await summary(outsider)).status, 403);
    assert.equal((await request(app).get('/api/v1/analytics/timeseries').query({ communityId: secret, metric: 'visits' }).set(as(outsider))).status, 404);
    assert.equal((await request(app).get('/api/v1/analytics/export.csv').query({ communityId: secret }).set(as(otherManager))).status, 404);
    assert.deepEqual((await request(app).get('/api/v1/analytics/access').set(as(manager))).body, { allowed: true });
    assert.deepEqual((await request(app).get('/api/v1/analytics/access').set(as(member))).body, { allowed: false });
  });

  it('answers summary, time series and CSV for a period, with the change against the previous one', async () => {
    const clock = testClock(start);
    const recorder = recorderAt(clock);
    const app = analyticsApp(clock, recorder);
    const admin = await person('series-admin', { isOrgAdmin: true });
    const people = await Promise.all(Array.from({ length: 6 }, (_, i) => person(`series-${i}`)));
    // 6 people on 2030-05-04, the same 6 twice (an hour apart) on 2030-05-06.
    clock.set(new Date('2030-05-04T10:00:00Z'));
    for (const p of people) recorder.pageViews(p, [{ route: 'home' }]);
    clock.set(new Date('2030-05-06T10:00:00Z'));
    for (const p of people) recorder.pageViews(p, [{ route: 'home' }]);
    clock.set(new Date('2030-05-06T11:00:00Z'));
    for (const p of people) recorder.pageViews(p, [{ route: 'home' }]);
    await recorder.flush();
    await runAnalyticsPass({ now: clock.now });
    const res = await request(app).get('/api/v1/analytics/summary').query({ from: '2030-05-06', to: '2030-05-07' }).set(as(admin));
    assert.equal(res.status, 200);
    assert.deepEqual(res.body.previous, { from: '2030-05-04', to: '2030-05-05' });
    const visits = res.body.figures.find((f: { key: string }) => f.key === 'visits');
    assert.deepEqual([visits.value, visits.previous, visits.change], [12, 6, 100]);
    const series = await request(app).get('/api/v1/analytics/timeseries').query({ from: '2030-05-04', to: '2030-05-10', metric: 'visits', interval: 'week' }).set(as(admin));
    assert.deepEqual(series.body.points, [
      { start: '2030-04-29', value: 6, suppressed: false },
      { start: '2030-05-06', value: 12, suppressed: false },
    ]);
    const csv = await request(app).get('/api/v1/analytics/export.csv').query({ from: '2030-05-04', to: '2030-05-06', lang: 'nl' }).set(as(admin));
    assert.equal(csv.status, 200);
    assert.match(csv.headers['content-type'] ?? '', /^text\/csv/);
    assert.match(csv.text, /"Periode vanaf";"Unieke bezoekers";"Bezoeken"/);
    assert.match(csv.text, /"2030-05-06";"6";"12"/);
    const bad = await request(app).get('/api/v1/analytics/summary').query({ from: '2030-05-08', to: '2030-05-01' }).set(as(admin));
    assert.equal(bad.status, 400);
  });

  it('keeps no user id, name or e-mail in any analytics document', async () => {
    const clock = testClock(start);
    const recorder = recorderAt(clock);
    const app = analyticsApp(clock, recorder);
    const people = await Promise.all(Array.from({ length: 6 }, (_, i) => person(`privacy-person-${i}`, { name: `Privé Persoon ${i}`, mail: `prive${i}@gemeente.example` })));
    const place = await community('Privacy', 'public', [{ userId: people[0]!.userId, role: 'manager' }]);
    for (const p of people) {
      await request(app).post('/api/v1/analytics/page-views').set(as(p)).send({ views: [{ route: 'person', id: '0123456789abcdef01234567' }, { route: 'community', id: place }] });
      recorder.action(p, 'search');
      recorder.download(p, { communityId: place });
    }
    await recorder.flush();
    await runAnalyticsPass({ now: clock.now });
    const pendingMonths = await AnalyticsPendingMonthModel.find({}).lean();
    // The month over: its monthly counters and tops, and the worker's count of the day's members.
    clock.set(new Date('2030-06-01T08:00:00Z'));
    await runAnalyticsPass({ now: clock.now });
    const months = [...(await MonthlyRollupModel.find({}).lean()), ...(await MonthlyTopModel.find({}).lean()), ...(await MembersNowModel.find({}).lean())];
    assert.ok(pendingMonths.length > 0 && months.length >= 5);
    const docs = [
      ...(await AnalyticsEventModel.find({}).lean()),
      ...(await DailyRollupModel.find({}).lean()),
      ...(await AnalyticsPendingModel.find({}).lean()),
      ...(await VisitorSaltModel.find({}).lean()),
      ...pendingMonths,
      ...months,
    ];
    assert.ok(docs.length > 12);
    const text = JSON.stringify(docs);
    for (const p of people) {
      assert.ok(!text.includes(p.userId), `user id ${p.userId} stored`);
      assert.ok(!text.includes(p.name), `name ${p.name} stored`);
      assert.ok(!text.includes(p.email ?? '@'), `e-mail stored`);
    }
    assert.ok(!/@/.test(text), 'something like an e-mail stored');
    // A person's page is counted, but whose page it was is not kept.
    assert.ok(!text.includes('0123456789abcdef01234567'));
  });
});
