/**
 * The figures as the API answers them: shared by the service (src/analytics/) and the tab
 * (tab/src/api/analytics-api.ts), so both read the same names. Pure: no imports.
 */

export type Unit = 'people' | 'count' | 'ratio' | 'percent' | 'hours';

/** Figures over time, from the daily counters. */
export const SERIES_METRICS = ['uniqueVisitors', 'visits', 'pageViews', 'uniquePageViews', 'actionsPerVisit', 'eventPageVisits', 'signUps', 'discussionsStarted', 'replies', 'reactions', 'downloads', 'searches', 'consultationAnswers', 'guestShare'] as const;
export type SeriesMetric = (typeof SERIES_METRICS)[number];

export const FIGURE_KEYS = [
  'members',
  'memberGrowth',
  'activeMembers',
  ...SERIES_METRICS,
  'signUpsFromCards',
  'attendanceRate',
  'questionsAnswered',
  'hoursToFirstAnswer',
  'consultationResponseRate',
] as const;
export type FigureKey = (typeof FIGURE_KEYS)[number];



export interface Figure {
  key: FigureKey;
  unit: Unit;
  /** null when withheld (`suppressed`) or not available. */
  value: number | null;
  /** Not measured here (its source is not connected): shown as "—". */
  available: boolean;
  /** Fewer than 5 people: shown as "< 5". */
  suppressed: boolean;
  /** The same figure over the previous period of equal length. */
  previous: number | null;
  /** Change against the previous period in percent (one decimal), when both are shown and the previous is not 0. */
  change: number | null;
}

export interface TopItem {
  id: string;
  title: string;
  views: number;
}

export interface Summary {
  from: string;
  to: string;
  previous: { from: string; to: string };
  scope: { communityId: string | null; name: string | null; communities: number | null };
  figures: Figure[];
  top: { discussions: TopItem[]; events: TopItem[] };
}

export interface SeriesPoint {
  start: string;
  value: number | null;
  suppressed: boolean;
}

export interface Series {
  metric: SeriesMetric;
  interval: Interval;
  unit: Unit;
  from: string;
  to: string;
  points: SeriesPoint[];
}

export type Interval = 'day' | 'week' | 'month';

