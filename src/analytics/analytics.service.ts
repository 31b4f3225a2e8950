/**
 * The figures: a period's headline numbers against the previous period of equal length, a
 * figure over time (per day, week or month), the tops, and all of it as CSV. Read from the
 * daily counters (never the raw events), plus the sources other capabilities answer
 * (analytics-sources.ts). Any figure that counts fewer than 5 people, and any share or
 * average taken over fewer than 5 people, is withheld and shown as "< 5".
 */
import type { Actor } from '../auth/actor.js';
import { csvFile, type CsvFile } from '../content/csv.js';
import { discussionTitle } from '../discussions/discussions.port.js';
import { eventTitle } from '../events/events.port.js';
import { ValidationError } from '../errors/domain-errors.js';
import { clockOf, type Clock } from '../time/clock.js';
import { addDays, dayOf, daysBetween, monthOf, startOfDay, weekOf } from './analytics-day.js';
import { scopeFor, type AnalyticsScope } from './analytics-access.js';
import { type AnalyticsSources, type MemberCountsByScope, type Period } from './analytics-sources.js';
import { rollupsBetween, type RollupRow } from './analytics.repository.js';
import { MembersNow } from './members-now.js';
import { rowsOfPeriod, rowsOfPeriods } from './period-rollups.js';
import { COUNTER_NAMES, type CounterName } from './daily-rollup.model.js';
import { FIGURE_KEYS, SERIES_METRICS, type Figure, type FigureKey, type Interval, type Series, type SeriesMetric, type Summary, type TopItem, type Unit } from './analytics-view.js';
import { emptyCounters, type DayCounters } from './visits.js';

export { FIGURE_KEYS, SERIES_METRICS };
export type { Figure, FigureKey, Interval, Series, SeriesMetric, Summary, Unit };

/** Fewer people than this are not shown (a small group's figures could point at a person). */
export const SMALL_GROUP = 5;
/** The longest period one question covers (a year and a bit, for a year against the last). */
export const MAX_PERIOD_DAYS = 400;

export interface SummaryQuery {
  from?: string | undefined;
  to?: string | undefined;
  communityId?: string | undefined;
}

const UNITS: Record<FigureKey, Unit> = {
  members: 'people',
  memberGrowth: 'people',
  activeMembers: 'people',
  uniqueVisitors: 'people',
  visits: 'count',
  pageViews: 'count',
  uniquePageViews: 'count',
  actionsPerVisit: 'ratio',
  eventPageVisits: 'count',
  signUps: 'count',
  signUpsFromCards: 'count',
  discussionsStarted: 'count',
  replies: 'count',
  reactions: 'count',
  downloads: 'count',
  searches: 'count',
  consultationAnswers: 'count',
  guestShare: 'percent',
  attendanceRate: 'percent',
  questionsAnswered: 'count',
  hoursToFirstAnswer: 'hours',
  consultationResponseRate: 'percent',
};

interface RawFigure {
  value: number | null;
  available: boolean;
  /** For shares and averages: how many people they are taken over. */
  people?: number;
}

export interface AnalyticsServiceDeps {
  sources?: AnalyticsSources;
  now?: Clock;
  /** The current day's member counts (default: the worker's count of at most ten minutes ago, else counted live and cached a minute; members-now.ts). */
  liveMembers?: (tenantId: string, day: Period) => Promise<MemberCountsByScope>;
  /**
   * Where whole months that are over are read from: their monthly rollups (default), or their
   * days (the reference; the figures are the same, see period-rollups.ts).
   */
  readFrom?: 'months' | 'days';
}

export class AnalyticsService {
  private readonly now: Clock;
  private readonly sources: AnalyticsSources;
  private readonly liveMembers: (tenantId: string, day: Period) => Promise<MemberCountsByScope>;
  private readonly months: boolean;

  constructor(deps: AnalyticsServiceDeps = {}) {
    this.now = clockOf(deps);
    this.months = deps.readFrom !== 'days';
    this.sources = deps.sources ?? {};
    const live = new MembersNow({ now: this.now });
    this.liveMembers = deps.liveMembers ?? ((tenantId, day) => live.of(tenantId, day));
  }

  async summary(actor: Actor, query: SummaryQuery): Promise<Summary> {
    const scope = await scopeFor(actor, query.communityId);
    const { from, to } = this.period(query);
    const length = daysBetween(from, to);
    const prevFrom = addDays(from, -length);
    const prevTo = addDays(from, -1);
    // Both periods' rows in one reading (they share months and days), then each period's figures.
    const read = this.months
      ? rowsOfPeriods(actor.tenantId, scope.communityIds, [{ from, to, withTop: true }, { from: prevFrom, to: prevTo, withTop: false }], { today: dayOf(this.now()), months: true })
      : Promise.all([rollupsBetween(actor.tenantId, scope.communityIds, from, to, true), rollupsBetween(actor.tenantId, scope.communityIds, prevFrom, prevTo, false)]);
    const rows = read.then(([now, before]) => ({ now: now!, before: before! }));
    const [current, previous] = await Promise.all([this.raw(actor.tenantId, scope, from, to, rows.then((r) => r.now)), this.raw(actor.tenantId, scope, prevFrom, prevTo, rows.then((r) => r.before))]);
    const figures = FIGURE_KEYS.map((key): Figure => {
      const now = shown(key, current.figures[key]);
      const before = shown(key, previous.figures[key]);
      const change = now.value !== null && before.value !== null && before.value !== 0 ? Math.round(((now.value - before.value) / before.value) * 1000) / 10 : null;
      return { key, unit: UNITS[key], value: now.value, available: current.figures[key].available, suppressed: now.suppressed, previous: before.value, change };
    });
    return {
      from,
      to,
      previous: { from: prevFrom, to: prevTo },
      scope: { communityId: query.communityId ?? null, name: scope.name, communities: scope.communityIds?.length ?? null },
      figures,
      top: await topOf(current.rows),
    };
  }

  async timeseries(actor: Actor, query: SummaryQuery & { metric: SeriesMetric; interval: Interval }): Promise<Series> {
    const scope = await scopeFor(actor, query.communityId);
    const { from, to } = this.period(query);
    const rows = await this.rows(actor.tenantId, scope.communityIds, from, to, false, query.interval);
    const points = bucketsOf(rows, from, to, query.interval).map(({ start, counters }) => {
      const f = shown(query.metric, countedFigures(counters)[query.metric]);
      return { start, value: f.value, suppressed: f.suppressed };
    });
    return { metric: query.metric, interval: query.interval, unit: UNITS[query.metric], from, to, points };
  }

  /** Every series figure per bucket, one row each: what the dashboard's tables show, for a spreadsheet. */
  async exportCsv(actor: Actor, query: SummaryQuery & { interval: Interval; lang: 'nl' | 'en' }): Promise<CsvFile> {
    const scope = await scopeFor(actor, query.communityId);
    const { from, to } = this.period(query);
    const rows = await this.rows(actor.tenantId, scope.communityIds, from, to, false, query.interval);
    const labels = CSV_LABELS[query.lang];
    const headers = [labels.period, ...SERIES_METRICS.map((m) => labels[m])];
    const lines = bucketsOf(rows, from, to, query.interval).map(({ start, counters }) => {
      const figures = countedFigures(counters);
      return [start, ...SERIES_METRICS.map((m) => display(shown(m, figures[m]), query.lang))];
    });
    return csvFile('analytics', `${scope.name ?? labels.organisation} ${from} ${to}`, headers, lines);
  }

  private period(query: SummaryQuery): { from: string; to: string } {
    const to = query.to ?? dayOf(this.now());
    const from = query.from ?? addDays(to, -27);
    if (from > to) throw new ValidationError('The period is not valid.', [{ path: 'query.from', message: 'must not be after `to`' }]);
    if (daysBetween(from, to) > MAX_PERIOD_DAYS) throw new ValidationError('The period is too long.', [{ path: 'query.from', message: `at most ${MAX_PERIOD_DAYS} days` }]);
    return { from, to };
  }

  /** The period's rows; months as monthly rows only where nothing finer than a month is asked (a day or week bucket needs its days). */
  private rows(tenantId: string, communityIds: readonly string[] | null, from: string, to: string, withTop: boolean, interval: Interval): Promise<RollupRow[]> {
    const months = this.months && interval === 'month';
    return months ? rowsOfPeriod(tenantId, communityIds, from, to, { withTop, today: dayOf(this.now()), months }) : rollupsBetween(tenantId, communityIds, from, to, withTop);
  }

  private async raw(tenantId: string, scope: AnalyticsScope, from: string, to: string, periodRows: Promise<RollupRow[]>): Promise<{ figures: Record<FigureKey, RawFigure>; rows: RollupRow[] }> {
    const period = { from: startOfDay(from), to: startOfDay(addDays(to, 1)) };
    const ids = scope.communityIds;
    const today = dayOf(this.now());
    const [rows, live, consultations, attendance, activity] = await Promise.all([
      periodRows,
      from <= today && today <= to ? this.liveMembers(tenantId, { from: startOfDay(today), to: startOfDay(addDays(today, 1)) }) : undefined,
      this.sources.consultationFigures?.(tenantId, ids, period.from, period.to),
      this.sources.attendance?.(tenantId, ids, period.from, period.to),
      this.sources.activity?.(tenantId, ids, period.from, period.to),
    ]);
    const counters = sum(rows);
    const members = memberFigures(rows, ids, today, live);
    const missing: RawFigure = { value: null, available: false };
    return {
      rows,
      figures: {
        ...countedFigures(counters),
        signUpsFromCards: { value: counters.signUpsFromCards, available: true },
        members: members ? { value: members.members, available: true } : missing,
        memberGrowth: members ? { value: members.newMembers, available: true } : missing,
        activeMembers: activity ? { value: activity.activeMembers, available: true } : missing,
        attendanceRate: attendance ? { value: percent(attendance.attended, attendance.registered), available: true, people: attendance.registered } : missing,
        questionsAnswered: activity ? { value: activity.questionsAnswered, available: true } : missing,
        hoursToFirstAnswer: activity ? { value: activity.medianHoursToFirstAnswer, available: true, people: activity.questionsTimed } : missing,
        // No consultation open in the period: no rate was measured ("—"), not a rate of 0 over nobody.
        consultationResponseRate: consultations && consultations.invited > 0 ? { value: percent(consultations.responded, consultations.invited), available: true, people: consultations.responded } : missing,
      },
    };
  }
}

/**
 * Members at the end of the period and new members within it, from the daily snapshots (the
 * current day's from the live count). A scope's members are its last snapshot in the period;
 * a scope of several communities (a manager's) sums its communities' members, so someone in
 * two of them counts twice there; the organisation's snapshot counts each person once.
 * New members are the sum of each day's joiners (someone who joined and left within the
 * period still joined in it). Undefined when no day of the period has a snapshot.
 */
function memberFigures(rows: readonly RollupRow[], ids: readonly string[] | null, today: string, live: MemberCountsByScope | undefined): { members: number; newMembers: number } | undefined {
  const scopes = ids ?? [null];
  let members = 0;
  let newMembers = 0;
  let seen = false;
  for (const scope of scopes) {
    let last: { day: string; members: number } | null = null;
    for (const row of rows) {
      if ((row.communityId ?? null) !== scope || typeof row.members !== 'number' || row.day >= today) continue;
      newMembers += row.newMembers ?? 0;
      if (!last || row.day > last.day) last = { day: row.day, members: row.members };
    }
    const now = live?.get(scope);
    if (now) {
      members += now.members;
      newMembers += now.newMembers;
      seen = true;
    } else if (last) {
      members += last.members;
      seen = true;
    }
  }
  return seen ? { members, newMembers } : undefined;
}

/**
 * The figures that come from the counters alone. "Unique visitors" of a period longer than a
 * day is the sum of its days' unique visitors: pseudonyms change every day and cannot be joined
 * across days (by design), so someone who comes on three days counts three times. Matomo does
 * not sum daily uniques for a year or a range either; it leaves the figure out unless it may
 * count distinct visitors over the whole period from its logs, and warns that such a sum counts
 * a person once per day (https://matomo.org/faq/how-to/faq_113/). The monthly rollups hold the
 * same sum, so a year reads the same figure from months as from days.
 */
function countedFigures(c: DayCounters): Record<SeriesMetric, RawFigure> {
  const f = (value: number): RawFigure => ({ value, available: true });
  return {
    uniqueVisitors: f(c.visitors),
    visits: f(c.visits),
    pageViews: f(c.pageViews),
    uniquePageViews: f(c.uniquePageViews),
    actionsPerVisit: { value: c.visits === 0 ? 0 : Math.round(((c.pageViews + c.downloads + c.actions) / c.visits) * 10) / 10, available: true, people: c.visitors },
    eventPageVisits: f(c.eventPageVisits),
    signUps: f(c.signUps),
    discussionsStarted: f(c.discussionsStarted),
    replies: f(c.replies),
    reactions: f(c.reactions),
    downloads: f(c.downloads),
    searches: f(c.searches),
    consultationAnswers: f(c.consultationAnswers),
    guestShare: { value: percent(c.guestVisitors, c.visitors), available: true, people: c.guestVisitors },
  };
}

/** The figure as it may be shown: people-counts and shares over fewer than 5 people withheld. */
function shown(key: FigureKey, f: RawFigure): { value: number | null; suppressed: boolean } {
  if (!f.available || f.value === null) return { value: null, suppressed: false };
  const small = UNITS[key] === 'people' ? f.value < SMALL_GROUP : f.people !== undefined && f.people < SMALL_GROUP;
  return small ? { value: null, suppressed: true } : { value: f.value, suppressed: false };
}

/** The figure as text (CSV): "< 5" when withheld, "—" when not measured. */
export function display(f: { value: number | null; suppressed: boolean }, lang: 'nl' | 'en'): string {
  if (f.suppressed) return '< 5';
  if (f.value === null) return '—';
  return lang === 'nl' ? String(f.value).replace('.', ',') : String(f.value);
}

function percent(part: number, whole: number): number {
  return whole === 0 ? 0 : Math.round((part / whole) * 1000) / 10;
}

function sum(rows: readonly RollupRow[]): DayCounters {
  const total = emptyCounters();
  for (const row of rows) for (const name of COUNTER_NAMES) total[name] += (row as Record<CounterName, number>)[name] ?? 0;
  return total;
}

function bucketsOf(rows: readonly RollupRow[], from: string, to: string, interval: Interval): { start: string; counters: DayCounters }[] {
  const startOf = interval === 'day' ? (d: string) => d : interval === 'week' ? weekOf : monthOf;
  const buckets = new Map<string, RollupRow[]>();
  for (let d = from; d <= to; d = addDays(d, 1)) {
    const start = startOf(d);
    if (!buckets.has(start)) buckets.set(start, []);
  }
  for (const row of rows) buckets.get(startOf(row.day))?.push(row);
  return [...buckets].map(([start, list]) => ({ start, counters: sum(list) }));
}

async function topOf(rows: readonly RollupRow[]): Promise<Summary['top']> {
  const views = new Map<string, { route: string; id: string; views: number }>();
  for (const row of rows) {
    for (const t of row.top ?? []) {
      if (!t.route || !t.objectId) continue;
      const key = `${t.route}:${t.objectId}`;
      const item = views.get(key) ?? { route: t.route, id: t.objectId, views: 0 };
      item.views += t.views ?? 0;
      views.set(key, item);
    }
  }
  const top = async (route: string, title: (id: string) => Promise<string | null>) => {
    const items = [...views.values()].filter((v) => v.route === route).sort((a, b) => b.views - a.views || a.id.localeCompare(b.id));
    // A bounded number of candidates, looked up at once; a deleted discussion or event is left out (its title is gone with it).
    const candidates = items.slice(0, 20);
    const titles = await Promise.all(candidates.map((item) => title(item.id)));
    const shownItems: TopItem[] = candidates.flatMap((item, i) => (titles[i] ? [{ id: item.id, title: titles[i], views: item.views }] : [])).slice(0, 5);
    return shownItems;
  };
  return { discussions: await top('discussion', discussionTitle), events: await top('event', eventTitle) };
}

const CSV_LABELS: Record<'nl' | 'en', Record<SeriesMetric | 'period' | 'organisation', string>> = {
  en: {
    period: 'Period starting',
    organisation: 'organisation',
    uniqueVisitors: 'Unique visitors',
    visits: 'Visits',
    pageViews: 'Page views',
    uniquePageViews: 'Unique page views',
    actionsPerVisit: 'Actions per visit',
    eventPageVisits: 'Event page visits',
    signUps: 'Sign-ups',
    discussionsStarted: 'Discussions started',
    replies: 'Replies',
    reactions: 'Reactions',
    downloads: 'Downloads',
    searches: 'Searches',
    consultationAnswers: 'Consultation answers',
    guestShare: 'Guests (% of visitors)',
  },
  nl: {
    period: 'Periode vanaf',
    organisation: 'organisatie',
    uniqueVisitors: 'Unieke bezoekers',
    visits: 'Bezoeken',
    pageViews: 'Paginaweergaven',
    uniquePageViews: 'Unieke paginaweergaven',
    actionsPerVisit: 'Acties per bezoek',
    eventPageVisits: 'Bezoeken aan evenementpagina\'s',
    signUps: 'Aanmeldingen',
    discussionsStarted: 'Gestarte discussies',
    replies: 'Reacties',
    reactions: 'Waarderingen',
    downloads: 'Downloads',
    searches: 'Zoekopdrachten',
    consultationAnswers: 'Antwoorden op raadplegingen',
    guestShare: 'Gasten (% van bezoekers)',
  },
};
