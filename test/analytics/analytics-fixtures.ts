/** Fixtures for the analytics tests: a recorder and service on the real store, a fake clock, the API behind the test actor header. */
import type { Express } from 'express';
import { pino } from 'pino';
import { AnalyticsEventModel } from '../../src/analytics/analytics-event.model.js';
import { analyticsRouter } from '../../src/analytics/analytics.routes.js';
import { AnalyticsService } from '../../src/analytics/analytics.service.js';
import type { AnalyticsSources } from '../../src/analytics/analytics-sources.js';
import { AnalyticsRecorder } from '../../src/analytics/analytics-recorder.js';
import { resolveCommunity } from '../../src/analytics/analytics.module.js';
import { AnalyticsPendingModel, DailyRollupModel } from '../../src/analytics/daily-rollup.model.js';
import { AnalyticsPendingMonthModel, MonthlyRollupModel, MonthlyTopModel } from '../../src/analytics/monthly-rollup.model.js';
import { VisitorSaltModel } from '../../src/analytics/visitor-salt.model.js';
import { loadConfig } from '../../src/config/config.js';
import { ApiSpec } from '../../src/http/api-spec.js';
import { createApp } from '../../src/http/app.js';
import { testAuthenticate } from '../support/test-actor.js';
import type { TestClock } from '../events/events-fixtures.js';

export const silentLogger = pino({ level: 'silent' });

/** Every analytics model (each test file starts from none of their documents). */
const MODELS = [AnalyticsEventModel, AnalyticsPendingModel, DailyRollupModel, VisitorSaltModel, MonthlyRollupModel, MonthlyTopModel, AnalyticsPendingMonthModel];

export async function syncAnalyticsIndexes(): Promise<void> {
  for (const model of MODELS) await (model as { syncIndexes(): Promise<unknown> }).syncIndexes();
}

export async function clearAnalytics(): Promise<void> {
  for (const model of MODELS) await (model as { deleteMany(f: object): Promise<unknown> }).deleteMany({});
}

export function recorderAt(clock: TestClock): AnalyticsRecorder {
  return new AnalyticsRecorder({ resolveCommunity, logger: silentLogger, now: clock.now, autoFlush: false });
}

export function analyticsApp(clock: TestClock, recorder: AnalyticsRecorder, beaconLimit = { batches: 30, windowMs: 60_000 }, sources?: AnalyticsSources): Express {
  const config = loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', PUBLIC_URL: 'https://meent.test', RATE_LIMIT_USER_WRITES: '0', RATE_LIMIT_IP_WRITES: '0', RATE_LIMIT_USER_READS: '0', RATE_LIMIT_IP_READS: '0' });
  const analytics = new AnalyticsService({ now: clock.now, ...(sources ? { sources } : {}) });
  return createApp({ config, logger: silentLogger, isReady: async () => true, authenticate: testAuthenticate, apiRouters: [analyticsRouter(new ApiSpec(), { analytics, recorder, beaconLimit, now: () => clock.now().getTime() })] });
}
