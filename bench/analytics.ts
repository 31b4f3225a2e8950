/**
 * Analytics bench: two generated years of a 10,000-member organisation (40 communities, every
 * person a member of one or two, a day's counters for the organisation and for each
 * community: 730 + 29,200 documents), rolled up into months by the worker's own passes, and
 * the time the figures take to answer: the summary of a year against the year before (as an
 * organisation admin, for one community and as the manager of three; the admin's also read
 * from the days alone, the path before monthly rollups), 28 days, a year per week and per
 * month as a series, and the year as CSV. The bar: the summary in under 200 ms.
 * Results in bench/results/analytics.json.
 *
 *   npx tsx bench/analytics.ts          (ANALYTICS_RUNS=20 timed runs of each, after 3 warm-ups)
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { Types } from 'mongoose';
import { addDays, dayOf, startOfDay } from '../src/analytics/analytics-day.js';
import { runAnalyticsPass } from '../src/analytics/analytics-rollup.js';
import { countMembers, LiveMemberCounts } from '../src/analytics/analytics-sources.js';
import { markMonthChanged } from '../src/analytics/analytics.repository.js';
import { AnalyticsService } from '../src/analytics/analytics.service.js';
import { AnalyticsPendingModel, DailyRollupModel } from '../src/analytics/daily-rollup.model.js';
import { MembersNowModel } from '../src/analytics/members-now.model.js';
import { AnalyticsPendingMonthModel, MonthlyRollupModel, MonthlyTopModel } from '../src/analytics/monthly-rollup.model.js';
import type { Actor } from '../src/auth/actor.js';
import { CommunityModel } from '../src/communities/community.model.js';
import { MembershipModel } from '../src/communities/membership.model.js';
import { machineDescription, seededRandom, storeDescription, withBenchStore } from './bench-support.js';

const TENANT = 'bench-tenant';
const MEMBERS = Number(process.env.ANALYTICS_MEMBERS ?? 10_000);
const COMMUNITIES = Number(process.env.ANALYTICS_COMMUNITIES ?? 40);
const LAST_DAY = '2030-12-31';
const FIRST_DAY = addDays(LAST_DAY, -364);
const RUNS = Number(process.env.ANALYTICS_RUNS ?? 20);
const here = dirname(fileURLToPath(import.meta.url));
const started = performance.now();
const progress = (what: string) => process.stdout.write(`${((performance.now() - started) / 1000).toFixed(1)} s  ${what}\n`);

const loadAtStart = loadavg();
const result = await withBenchStore('analytics', async () => {
  progress('store ready');
  for (const model of [DailyRollupModel, AnalyticsPendingModel, MonthlyRollupModel, MonthlyTopModel, AnalyticsPendingMonthModel, MembersNowModel, CommunityModel, MembershipModel]) await (model as { syncIndexes(): Promise<unknown> }).syncIndexes();
  const { random } = seededRandom(16);
  const communities = Array.from({ length: COMMUNITIES }, () => new Types.ObjectId());
  await CommunityModel.insertMany(communities.map((_id, i) => ({ _id, tenantId: TENANT, name: `Gemeenschap ${i + 1}`, visibility: i % 10 === 0 ? 'secret' : 'public', createdBy: 'bench' })));
  const memberships: Record<string, unknown>[] = [];
  for (let p = 0; p < MEMBERS; p++) {
    const joinedAt = new Date(Date.parse(`${FIRST_DAY}T00:00:00Z`) - 200 * 86_400_000 + random() * 560 * 86_400_000);
    const first = Math.floor(random() * COMMUNITIES);
    const picked = random() < 0.5 ? [first] : [first, (first + 1 + Math.floor(random() * (COMMUNITIES - 1))) % COMMUNITIES];
    for (const c of picked) memberships.push({ tenantId: TENANT, communityId: communities[c], userId: `member-${p}`, role: 'member', status: 'active', isGuest: p % 12 === 0, joinedAt });
  }
  const startWrite = performance.now();
  // The manager of the bench: three communities.
  for (const c of communities.slice(0, 3)) memberships.push({ tenantId: TENANT, communityId: c, userId: 'bench-manager', role: 'manager', status: 'active', isGuest: false, joinedAt: new Date(`${FIRST_DAY}T00:00:00Z`) });
  progress(`writing ${memberships.length} memberships`);
  for (let i = 0; i < memberships.length; i += 2_000) await MembershipModel.insertMany(memberships.slice(i, i + 2_000), { ordered: false });
  // The member snapshots the rollup job would have written each night (no one leaves in the bench).
  const joinsPerDay = new Map<string, Map<string, { joined: number; guests: number }>>();
  const firstJoin = new Map<string, { day: string; guest: boolean }>();
  for (const m of memberships) {
    const day = dayOf(m.joinedAt as Date);
    const scopes = joinsPerDay.get(day) ?? new Map<string, { joined: number; guests: number }>();
    joinsPerDay.set(day, scopes);
    const c = scopes.get(String(m.communityId)) ?? { joined: 0, guests: 0 };
    c.joined += 1;
    if (m.isGuest) c.guests += 1;
    scopes.set(String(m.communityId), c);
    const person = firstJoin.get(m.userId as string);
    if (!person || day < person.day) firstJoin.set(m.userId as string, { day, guest: m.isGuest === true });
  }
  for (const p of firstJoin.values()) {
    const scopes = joinsPerDay.get(p.day)!;
    const c = scopes.get('organisation') ?? { joined: 0, guests: 0 };
    c.joined += 1;
    if (p.guest) c.guests += 1;
    scopes.set('organisation', c);
  }
  const running = new Map<string, { members: number; guests: number }>();
  for (const day of [...joinsPerDay.keys()].sort()) {
    if (day >= addDays(FIRST_DAY, -365)) break;
    for (const [scope, c] of joinsPerDay.get(day)!) {
      const r = running.get(scope) ?? { members: 0, guests: 0 };
      running.set(scope, { members: r.members + c.joined, guests: r.guests + c.guests });
    }
  }
  const snapshotOf = (scope: string, day: string) => {
    const joined = joinsPerDay.get(day)?.get(scope) ?? { joined: 0, guests: 0 };
    const r = running.get(scope) ?? { members: 0, guests: 0 };
    const next = { members: r.members + joined.joined, guests: r.guests + joined.guests };
    running.set(scope, next);
    return { members: next.members, newMembers: joined.joined, guestMembers: next.guests };
  };
  const rollups: Record<string, unknown>[] = [];
  for (let d = addDays(FIRST_DAY, -365); d <= LAST_DAY; d = addDays(d, 1)) {
    const weekday = new Date(`${d}T00:00:00Z`).getUTCDay();
    const busy = weekday === 0 || weekday === 6 ? 0.25 : 1;
    const org = { visitors: 0, guestVisitors: 0, visits: 0, pageViews: 0, uniquePageViews: 0, downloads: 0, actions: 0, eventPageVisits: 0, replies: 0, reactions: 0, discussionsStarted: 0, signUps: 0, signUpsFromCards: 0, consultationAnswers: 0, searches: 0 };
    for (const communityId of communities) {
      const visitors = Math.round((40 + random() * 60) * busy);
      const c = {
        visitors,
        guestVisitors: Math.round(visitors * 0.08),
        visits: Math.round(visitors * 1.3),
        pageViews: Math.round(visitors * 4.1),
        uniquePageViews: Math.round(visitors * 3.2),
        downloads: Math.round(visitors * 0.1),
        actions: Math.round(visitors * 0.6),
        eventPageVisits: Math.round(visitors * 0.3),
        replies: Math.round(visitors * 0.2),
        reactions: Math.round(visitors * 0.3),
        discussionsStarted: Math.round(visitors * 0.03),
        signUps: Math.round(visitors * 0.05),
        signUpsFromCards: Math.round(visitors * 0.02),
        consultationAnswers: 0,
        searches: Math.round(visitors * 0.1),
      };
      for (const k of Object.keys(org) as (keyof typeof org)[]) org[k] += c[k];
      const top = Array.from({ length: 10 }, (_, i) => ({ route: i % 2 ? 'event' : 'discussion', objectId: new Types.ObjectId().toHexString(), views: 10 - i }));
      rollups.push({ tenantId: TENANT, communityId: String(communityId), scope: String(communityId), month: d.slice(0, 7), day: d, ...c, ...snapshotOf(String(communityId), d), top });
    }
    rollups.push({ tenantId: TENANT, communityId: null, scope: 'organisation', month: d.slice(0, 7), day: d, ...org, ...snapshotOf('organisation', d), top: [] });
  }
  progress(`writing ${rollups.length} daily counters`);
  for (let i = 0; i < rollups.length; i += 2_000) {
    await DailyRollupModel.insertMany(rollups.slice(i, i + 2_000), { ordered: false });
    progress(`  ${Math.min(i + 2_000, rollups.length)}`);
  }
  const writeSeconds = (performance.now() - startWrite) / 1000;

  // The worker's passes, as after the days were written one by one: every month that is over
  // rolled up into monthly counters, and the current day's members counted.
  const now = () => new Date(`${LAST_DAY}T12:00:00Z`);
  const months = [...new Set(rollups.map((r) => (r.day as string).slice(0, 7)))];
  for (const month of months) await markMonthChanged(TENANT, month);
  const startRollup = performance.now();
  let passes = 0;
  for (let more = true; more; passes++) {
    const pass = await runAnalyticsPass({ now });
    progress(`  worker pass: ${pass.monthsRolledUp} months, ${pass.membersCounted} member counts`);
    more = pass.more;
  }
  const rollupSeconds = (performance.now() - startRollup) / 1000;

  const admin: Actor = { userId: 'bench-admin', tenantId: TENANT, name: 'Admin', isGuest: false, mfa: true, isOrgAdmin: true, roles: ['Meent.Admin'] };
  const manager: Actor = { userId: 'bench-manager', tenantId: TENANT, name: 'Manager', isGuest: false, mfa: true, isOrgAdmin: false, roles: [] };
  // Members come from the snapshots; the current day (the year's last) from the worker's count.
  const withMembers = new AnalyticsService({ now });
  // The path before monthly rollups: whole months read from their days.
  const viaDays = new AnalyticsService({ now, readFrom: 'days' });
  // Counters only: the live count of the current day left out, to show what it costs.
  const countersOnly = new AnalyticsService({ now, liveMembers: async () => new Map() });
  const todayWindow = { from: startOfDay(LAST_DAY), to: startOfDay(addDays(LAST_DAY, 1)) };
  const year = { from: FIRST_DAY, to: LAST_DAY };
  const cases: Record<string, () => Promise<unknown>> = {
    summaryYearAdmin: () => withMembers.summary(admin, year),
    summaryYearAdminCountersOnly: () => countersOnly.summary(admin, year),
    summaryYearAdminEndingYesterday: () => withMembers.summary(admin, { from: addDays(FIRST_DAY, -1), to: addDays(LAST_DAY, -1) }),
    summaryYearAdminViaDays: () => viaDays.summary(admin, year),
    // Without the worker's count (it is not running): the current day's members counted for the question.
    summaryYearAdminLiveCountCold: () => new AnalyticsService({ now, liveMembers: (tenantId, day) => new LiveMemberCounts({ now }).of(tenantId, day) }).summary(admin, year),
    liveMemberCountOneTenant: () => countMembers(TENANT, todayWindow),
    summaryYearManager: () => withMembers.summary(manager, year),
    summaryYearOneCommunity: () => withMembers.summary(admin, { ...year, communityId: String(communities[1]) }),
    summary28DaysAdmin: () => withMembers.summary(admin, { from: addDays(LAST_DAY, -27), to: LAST_DAY }),
    timeseriesYearPerWeek: () => countersOnly.timeseries(admin, { ...year, metric: 'visits', interval: 'week' }),
    timeseriesYearPerMonth: () => countersOnly.timeseries(admin, { ...year, metric: 'visits', interval: 'month' }),
    exportYearPerDay: () => countersOnly.exportCsv(admin, { ...year, interval: 'day', lang: 'nl' }),
  };
  const timings: Record<string, Record<string, number>> = {};
  // The two that count memberships take seconds each on a busy machine: fewer runs of them.
  const fewer = new Set(['summaryYearAdminLiveCountCold', 'liveMemberCountOneTenant']);
  for (const [name, run] of Object.entries(cases)) {
    const runs = fewer.has(name) ? Math.min(RUNS, 5) : RUNS;
    for (let i = 0; i < (fewer.has(name) ? 1 : 3); i++) await run();
    const ms: number[] = [];
    for (let i = 0; i < runs; i++) {
      const t = performance.now();
      await run();
      ms.push(performance.now() - t);
    }
    ms.sort((a, b) => a - b);
    const at = (q: number) => Math.round((ms[Math.min(ms.length - 1, Math.floor(q * ms.length))] ?? 0) * 10) / 10;
    timings[name] = { p50: at(0.5), p95: at(0.95), max: at(1) };
    process.stdout.write(`${name.padEnd(30)} p50 ${timings[name]!.p50} ms  p95 ${timings[name]!.p95} ms\n`);
  }
  const sample = (await withMembers.summary(admin, year)).figures.filter((f) => ['members', 'uniqueVisitors', 'visits', 'actionsPerVisit'].includes(f.key)).map((f) => ({ key: f.key, value: f.value, change: f.change }));
  return {
    data: {
      members: MEMBERS,
      memberships: memberships.length,
      communities: COMMUNITIES,
      dailyRollups: rollups.length,
      monthlyRollups: await MonthlyRollupModel.countDocuments({ tenantId: TENANT }),
      days: `${addDays(FIRST_DAY, -365)}..${LAST_DAY}`,
      writeSeconds: Math.round(writeSeconds * 10) / 10,
      workerPasses: passes,
      workerRollupSeconds: Math.round(rollupSeconds * 10) / 10,
    },
    runsPerCase: RUNS,
    runsOfTheCountingCases: Math.min(RUNS, 5),
    latencyMs: timings,
    summaryUnder200Ms: ['summaryYearAdmin', 'summaryYearOneCommunity', 'summaryYearManager'].every((k) => (timings[k]?.p50 ?? Infinity) < 200),
    sample,
    store: storeDescription(),
  };
});

const out = { benchmark: 'analytics', date: new Date().toISOString(), ...result, machine: machineDescription(loadAtStart, 'shared 2-core development machine; other engineers run tests at the same time') };
mkdirSync(join(here, 'results'), { recursive: true });
writeFileSync(join(here, 'results', 'analytics.json'), `${JSON.stringify(out, null, 2)}\n`);
process.stdout.write(`written bench/results/analytics.json\n`);
