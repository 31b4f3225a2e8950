/**
 * The privacy capability, wired:
 * - the public /privacy and /terms pages and the admins' privacy settings (retention per kind,
 *   the leavers' grace period, whether an erased person's texts stay): `createPrivacyPagesModule`;
 * - export my data and erase me over the capabilities' personal-data contributors (listed by the
 *   composition root), their routes, and the worker's job that takes over stopped exports and
 *   removes expired export files: `createPrivacyModule`, `startPrivacyWorker`.
 */
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { AuditSink } from '../audit/audit.port.js';
import type { Config } from '../config/config.js';
import { dataDirectory } from '../config/paths.js';
import type { ApiSpec } from '../http/api-spec.js';
import type { CapabilityModule } from '../http/app.js';
import { identifiersOf } from '../members/members-personal-data.js';
import { clockOf, type Clock } from '../time/clock.js';
import { startPeriodicJob } from '../worker/scheduler.js';
import { ErasureService } from './erasure.service.js';
import { ExportService, purgeExpiredExports } from './export.service.js';
import type { PersonalDataContributor } from '../personal-data/personal-data.js';
import { privacyPagesRouter } from './privacy-pages.js';
import { PrivacySettingsService } from './privacy-settings.service.js';
import { privacySettingsRouter } from './privacy-settings.routes.js';
import { privacyRouter } from './privacy.routes.js';

export interface PrivacyModule extends CapabilityModule {
  settings: PrivacySettingsService;
}

/** The privacy settings with the configured defaults (NOTIFY_RETENTION_DAYS for notification deliveries). */
export function createPrivacySettings(deps: { config: Pick<Config, 'notifications'>; audit: AuditSink; now?: Clock }): PrivacySettingsService {
  return new PrivacySettingsService({ audit: deps.audit, defaultDays: { notificationDeliveries: deps.config.notifications.retentionDays }, ...(deps.now ? { now: deps.now } : {}) });
}

/** /privacy, /terms and GET|PUT /admin/privacy-settings. */
export function createPrivacyPagesModule(deps: { config: Config; spec: ApiSpec; audit: AuditSink; now?: Clock }): PrivacyModule {
  const settings = createPrivacySettings(deps);
  return {
    settings,
    publicRouters: [privacyPagesRouter({ organisation: deps.config.organisation })],
    apiRouters: [privacySettingsRouter(deps.spec, { settings })],
  };
}

export interface PrivacyDeps {
  config: Pick<Config, 'dataDir'>;
  logger: Logger;
  audit: AuditSink;
  contributors: readonly PersonalDataContributor[];
  /** The organisation's setting "keep the text of erased people" (default keep). */
  keepTextFor?: (tenantId: string) => Promise<boolean>;
  now?: Clock;
}

export interface PrivacyServices {
  exports: ExportService;
  erasure: ErasureService;
  contributors: readonly PersonalDataContributor[];
}

export function exportDirectory(config: Pick<Config, 'dataDir'>): string {
  return join(dataDirectory(config.dataDir), 'exports');
}

export function createPrivacyServices(deps: PrivacyDeps): PrivacyServices {
  const now = clockOf(deps);
  const common = { audit: deps.audit, logger: deps.logger, now, contributors: deps.contributors };
  return {
    exports: new ExportService({ ...common, directory: exportDirectory(deps.config) }),
    erasure: new ErasureService({ ...common, identifiers: identifiersOf, ...(deps.keepTextFor ? { keepTextFor: deps.keepTextFor } : {}) }),
    contributors: deps.contributors,
  };
}

/** POST|GET /me/export and the download, DELETE /me, POST /admin/people/{id}/erase. */
export function createPrivacyModule(deps: PrivacyDeps & { spec: ApiSpec }): CapabilityModule & { services: PrivacyServices } {
  const services = createPrivacyServices(deps);
  return { apiRouters: [privacyRouter(deps.spec, services)], services, close: () => services.exports.idle() };
}

/** The worker's part: stopped exports are run again; expired export files are removed (bounded batches). */
export function startPrivacyWorker(deps: { services: PrivacyServices; logger: Logger; now?: Clock; everyMs?: number }): { stop(): Promise<void> } {
  const now = clockOf(deps);
  return startPeriodicJob({
    everyMs: deps.everyMs ?? 30_000,
    logger: deps.logger,
    failureMessage: 'privacy export pass failed',
    lease: { key: 'worker:privacy-exports', ms: 10 * 60_000 },
    run: async () => {
      const resumed = await deps.services.exports.resumeStale(5);
      const purged = await purgeExpiredExports(now(), 100);
      return resumed === 5 || purged === 100;
    },
  });
}
