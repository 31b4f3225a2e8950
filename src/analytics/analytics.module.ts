/**
 * The analytics capability, wired: the recorder (write-behind, one per process), the
 * action-tracking middleware and the API for the web process; `startAnalyticsRollups`
 * (analytics-rollup.ts) is the worker's job. `purgeRawAnalytics` is what the privacy
 * capability's retention registry calls.
 */
import { Router } from 'express';
import { isValidObjectId } from 'mongoose';
import type { Logger } from 'pino';
import { communityById } from '../communities/communities.port.js';
import { discussionOfTenant } from '../discussions/discussions.port.js';
import { eventById } from '../events/events.port.js';
import { ApiSpec } from '../http/api-spec.js';
import type { CapabilityModule } from '../http/app.js';
import type { Clock } from '../time/clock.js';
import { trackActions } from './action-tracking.js';
import { AnalyticsRecorder, type AnalyticsRecorderOptions, type CommunityResolver } from './analytics-recorder.js';
import { activityFromCapabilities, attendanceFromCapabilities, type AnalyticsSources } from './analytics-sources.js';
import { analyticsRouter, type BeaconLimit } from './analytics.routes.js';
import { AnalyticsService } from './analytics.service.js';

export { purgeRawAnalytics, startAnalyticsRollups } from './analytics-rollup.js';
export type { ActivityRecorder } from './analytics-recorder.js';

export interface AnalyticsDeps {
  logger: Logger;
  spec?: ApiSpec;
  now?: Clock;
  /** Figures from other capabilities: activity and attendance from discussions, events and meetings unless replaced (members come from the daily snapshots). */
  sources?: AnalyticsSources;
  beaconLimit?: BeaconLimit;
  recorder?: Partial<Pick<AnalyticsRecorderOptions, 'flushEveryMs' | 'maxBuffered' | 'autoFlush'>>;
}

export interface AnalyticsModule extends CapabilityModule {
  apiRouters: Router[];
  recorder: AnalyticsRecorder;
  service: AnalyticsService;
}

/** The community an object of the tenant belongs to (null for organisation-wide events, or another tenant's object). */
export const resolveCommunity: CommunityResolver = async (tenantId, kind, id) => {
  if (!isValidObjectId(id)) return null;
  if (kind === 'community') {
    const c = await communityById(id);
    return c && c.tenantId === tenantId ? String(c._id) : null;
  }
  if (kind === 'discussion') {
    const d = await discussionOfTenant(tenantId, id);
    return d ? String(d.communityId) : null;
  }
  const e = await eventById(id);
  return e && e.tenantId === tenantId && e.communityId ? String(e.communityId) : null;
};

export function createAnalyticsModule(deps: AnalyticsDeps): AnalyticsModule {
  const recorder = new AnalyticsRecorder({ resolveCommunity, logger: deps.logger, ...(deps.now ? { now: deps.now } : {}), ...deps.recorder });
  const service = new AnalyticsService({ sources: { activity: activityFromCapabilities, attendance: attendanceFromCapabilities, ...deps.sources }, ...(deps.now ? { now: deps.now } : {}) });
  const now = deps.now;
  const tracking = Router();
  tracking.use(trackActions(recorder));
  return {
    // The tracking middleware goes first: the module must be mounted before the capabilities whose actions it records.
    apiRouters: [tracking, analyticsRouter(deps.spec ?? new ApiSpec(), { analytics: service, recorder, ...(deps.beaconLimit ? { beaconLimit: deps.beaconLimit } : {}) , ...(now ? { now: () => now().getTime() } : {}) })],
    recorder,
    service,
    close: () => recorder.close(),
  };
}
