/**
 * The privacy capability as the HTTP app sees it: the public /privacy and /terms pages and
 * the admins' privacy settings. Export and erasure (the other half of issue 15) hand in their
 * routers beside these.
 */
import type { Config } from '../config/config.js';
import type { AuditSink } from '../audit/audit.port.js';
import type { CapabilityModule } from '../http/app.js';
import type { ApiSpec } from '../http/api-spec.js';
import type { Clock } from '../time/clock.js';
import { privacyPagesRouter } from './privacy-pages.js';
import { PrivacySettingsService } from './privacy-settings.service.js';
import { privacyRouter } from './privacy.routes.js';

export interface PrivacyModule extends CapabilityModule {
  settings: PrivacySettingsService;
}

/** The privacy settings with the configured defaults (NOTIFY_RETENTION_DAYS for notification deliveries). */
export function createPrivacySettings(deps: { config: Config; audit: AuditSink; now?: Clock }): PrivacySettingsService {
  return new PrivacySettingsService({ audit: deps.audit, defaultDays: { notificationDeliveries: deps.config.notifications.retentionDays }, ...(deps.now ? { now: deps.now } : {}) });
}

export function createPrivacyModule(deps: { config: Config; spec: ApiSpec; audit: AuditSink; now?: Clock }): PrivacyModule {
  const settings = createPrivacySettings(deps);
  return {
    settings,
    publicRouters: [privacyPagesRouter({ organisation: deps.config.organisation })],
    apiRouters: [privacyRouter(deps.spec, { settings })],
  };
}
