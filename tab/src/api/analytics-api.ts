/** The analytics API: whether I may see figures, the summary, a series, and the CSV export. */
import type { FigureKey, Interval, Series, SeriesMetric, Summary, TopItem, Unit } from '../../../src/analytics/analytics-view.js';
import { FIGURE_KEYS } from '../../../src/analytics/analytics-view.js';
import type { ApiClient, DownloadedFile } from './api-client.js';

export type { Figure, Interval, Series, SeriesPoint, Summary, TopItem, Unit } from '../../../src/analytics/analytics-view.js';

/** The figures the dashboard draws over time. */
export const CHARTED_METRICS = ['visits', 'uniqueVisitors', 'pageViews', 'actionsPerVisit', 'signUps', 'replies'] as const satisfies readonly SeriesMetric[];
export type ChartedMetric = (typeof CHARTED_METRICS)[number];

export interface PeriodQuery {
  from: string;
  to: string;
  communityId?: string | undefined;
}

type Raw = Record<string, unknown>;
const record = (v: unknown): Raw => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Raw) : {});
const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const str = (v: unknown): string => (typeof v === 'string' ? v : '');
const units: readonly Unit[] = ['people', 'count', 'ratio', 'percent', 'hours'];
const unitOf = (v: unknown): Unit => units.find((u) => u === v) ?? 'count';
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const topItems = (v: unknown): TopItem[] => list(v).map((i) => ({ id: str(record(i).id), title: str(record(i).title), views: num(record(i).views) ?? 0 }));

export async function analyticsAllowed(api: ApiClient, signal?: AbortSignal): Promise<boolean> {
  return record(await api.get<unknown>('/analytics/access', { signal })).allowed === true;
}

export async function getSummary(api: ApiClient, query: PeriodQuery, signal?: AbortSignal): Promise<Summary> {
  const raw = record(await api.get<unknown>('/analytics/summary', { query: { ...query }, signal }));
  const scope = record(raw.scope);
  const previous = record(raw.previous);
  const top = record(raw.top);
  return {
    from: str(raw.from),
    to: str(raw.to),
    previous: { from: str(previous.from), to: str(previous.to) },
    scope: { communityId: str(scope.communityId) || null, name: str(scope.name) || null, communities: num(scope.communities) },
    figures: list(raw.figures).map((f) => {
      const r = record(f);
      return { key: FIGURE_KEYS.find((k) => k === r.key) ?? ('visits' as FigureKey), unit: unitOf(r.unit), value: num(r.value), available: r.available === true, suppressed: r.suppressed === true, previous: num(r.previous), change: num(r.change) };
    }),
    top: { discussions: topItems(top.discussions), events: topItems(top.events) },
  };
}

export async function getSeries(api: ApiClient, query: PeriodQuery & { metric: ChartedMetric; interval: Interval }, signal?: AbortSignal): Promise<Series> {
  const raw = record(await api.get<unknown>('/analytics/timeseries', { query: { ...query }, signal }));
  return {
    metric: query.metric,
    interval: query.interval,
    unit: unitOf(raw.unit),
    from: str(raw.from),
    to: str(raw.to),
    points: list(raw.points).map((p) => ({ start: str(record(p).start), value: num(record(p).value), suppressed: record(p).suppressed === true })),
  };
}

export function downloadAnalytics(api: ApiClient, query: PeriodQuery & { interval: Interval; lang: 'nl' | 'en' }): Promise<DownloadedFile> {
  return api.file('/analytics/export.csv', { query: { ...query } });
}
