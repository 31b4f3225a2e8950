/**
 * The analytics API under /api/v1:
 *
 *   POST /analytics/page-views     the tab's beacon: a batch of page views (known routes only)
 *   GET  /analytics/access         whether I may open the dashboard
 *   GET  /analytics/summary        headline figures against the previous period, and the tops
 *   GET  /analytics/timeseries     one figure per day, week or month
 *   GET  /analytics/export.csv     every figure per day, week or month, as CSV
 */
import { Router } from 'express';
import type { ApiSpec } from '../http/api-spec.js';
import { sendCsv } from '../http/csv-response.js';
import { RateLimitedError } from '../errors/domain-errors.js';
import type { Actor } from '../auth/actor.js';
import { mayReadAnalytics } from './analytics-access.js';
import type { ActivityRecorder } from './analytics-recorder.js';
import type { AnalyticsService } from './analytics.service.js';
import { accessView, exportQuerySchema, pageViewsSchema, seriesView, summaryQuerySchema, summaryView, timeseriesQuerySchema } from './analytics.schemas.js';

/** The beacon as requested (exempt from the write limits). */
export const BEACON_PATH = '/api/v1/analytics/page-views';

/** The beacon's own limit (it is exempt from the write limit, which is for changes a person makes). */
export interface BeaconLimit {
  batches: number;
  windowMs: number;
}

export interface AnalyticsRouterDeps {
  analytics: AnalyticsService;
  recorder: ActivityRecorder;
  beaconLimit?: BeaconLimit;
  now?: () => number;
}

export function analyticsRouter(spec: ApiSpec, deps: AnalyticsRouterDeps): Router {
  const router = Router();
  const tags = ['Analytics'];
  const allow = beaconLimiter(deps.beaconLimit ?? { batches: 30, windowMs: 60_000 }, deps.now ?? Date.now);

  spec.route(
    router,
    {
      method: 'post',
      path: '/analytics/page-views',
      operationId: 'recordPageViews',
      summary: `The tab's page views, batched (at most 50): route names of the tab only, and the id of the community, discussion or event shown. Stored as the day's pseudonym, never as the person`,
      tags,
      body: pageViewsSchema,
      success: { status: 204, description: 'Recorded (written within seconds)' },
      errors: [429],
    },
    async ({ actor, body }) => {
      allow(actor);
      deps.recorder.pageViews(
        actor,
        body.views.map((v) => ({ route: v.route, objectId: v.id, msAgo: v.msAgo })),
      );
    },
  );
  spec.route(
    router,
    { method: 'get', path: '/analytics/access', operationId: 'analyticsAccess', summary: 'Whether I may open the figures (community managers and organisation admins)', tags, success: { status: 200, description: 'Access', schema: accessView } },
    async ({ actor }) => ({ allowed: await mayReadAnalytics(actor) }),
  );
  spec.route(
    router,
    {
      method: 'get',
      path: '/analytics/summary',
      operationId: 'analyticsSummary',
      summary: 'Headline figures of a period (default the last 28 days) and their change against the previous period of equal length; figures of fewer than 5 people are withheld',
      tags,
      query: summaryQuerySchema,
      success: { status: 200, description: 'The figures', schema: summaryView },
      errors: [403, 404],
    },
    ({ actor, query }) => deps.analytics.summary(actor, query),
  );
  spec.route(
    router,
    {
      method: 'get',
      path: '/analytics/timeseries',
      operationId: 'analyticsTimeseries',
      summary: 'One figure per day, week or month of a period',
      tags,
      query: timeseriesQuerySchema,
      success: { status: 200, description: 'The series', schema: seriesView },
      errors: [403, 404],
    },
    ({ actor, query }) => deps.analytics.timeseries(actor, query),
  );
  spec.route(
    router,
    {
      method: 'get',
      path: '/analytics/export.csv',
      operationId: 'analyticsExport',
      summary: 'Every figure per day, week or month of a period, as CSV',
      tags,
      query: exportQuerySchema,
      success: { status: 200, description: 'CSV, UTF-8 with byte order mark, `;`-separated', contentType: 'text/csv' },
      errors: [403, 404],
    },
    async ({ actor, query, res }) => {
      sendCsv(res, await deps.analytics.exportCsv(actor, query));
    },
  );
  return router;
}

/** A fixed window per person, in this process (lost page views are no loss worth a shared counter). */
function beaconLimiter(limit: BeaconLimit, now: () => number): (actor: Actor) => void {
  let windowStart = now();
  let counts = new Map<string, number>();
  return (actor) => {
    const t = now();
    if (t - windowStart >= limit.windowMs) {
      windowStart = t;
      counts = new Map();
    }
    const key = `${actor.tenantId}:${actor.userId}`;
    const n = (counts.get(key) ?? 0) + 1;
    counts.set(key, n);
    if (n > limit.batches) throw new RateLimitedError(Math.max(1, Math.ceil((windowStart + limit.windowMs - t) / 1000)), 'Too many page-view batches; wait a moment.');
  };
}
