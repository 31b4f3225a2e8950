/**
 * The notifications capability, wired: the settings and dead-letter routes for the web
 * process, and `startNotificationDelivery` for the worker, which sends through the channel
 * the composition root hands in (the bot's messenger and cards). Capabilities write intents
 * with `enqueueNotifications` (notification-outbox.ts).
 */
import type { Logger } from 'pino';
import type { Config } from '../config/config.js';
import { ApiSpec } from '../http/api-spec.js';
import type { CapabilityModule } from '../http/app.js';
import { DeadLetters } from './dead-letters.js';
import type { ActivityFeed, Messenger, NotificationRenderer } from './messenger.js';
import { NotificationDelivery } from './notification-delivery.js';
import { startNotificationWorker } from './notification-worker.js';
import type { CommunityLookup } from './delivery-job.js';
import { NotificationPreferences } from './notification-preferences.js';
import { notificationsRouter } from './notifications.routes.js';
import { limitsFromConfig, RateGovernor } from './rate-governor.js';
import type { TeamsReach } from './teams-reach.js';
import type { AuditSink } from '../audit/audit.port.js';
import { reachSettingsRouter } from './reach-settings.routes.js';

export interface NotificationsModule extends CapabilityModule {
  services: { preferences: NotificationPreferences; deadLetters: DeadLetters };
}

/** `spec`: the API description the routes are declared on (one for the whole API). */
export function createNotificationsModule(deps: { spec?: ApiSpec; reach?: { reach: TeamsReach; audit: AuditSink } } = {}): NotificationsModule {
  const preferences = new NotificationPreferences();
  const deadLetters = new DeadLetters();
  const spec = deps.spec ?? new ApiSpec();
  const apiRouters = [notificationsRouter(spec, { preferences, deadLetters })];
  // The admins' switch for installing the app for people (issue 14).
  if (deps.reach) apiRouters.push(reachSettingsRouter(spec, deps.reach));
  return { apiRouters, services: { preferences, deadLetters } };
}

/** Where notifications go out: a surface's messenger and cards, and the Teams activity feed when there is one. */
export interface NotificationChannel {
  messenger: Messenger;
  renderer: NotificationRenderer;
  activityFeed?: ActivityFeed;
  /** Installing the app for people without a chat, and e-mail for those Teams refuses (issue 14). */
  reach?: TeamsReach;
}

export interface NotificationDeliveryOptions {
  config: Pick<Config, 'notifications'>;
  logger: Logger;
  channel: NotificationChannel;
  /** Community names and channels, from the communities capability. */
  communities: CommunityLookup;
  intervalMs?: number;
}

/** Starts the notification worker (for src/background-jobs.ts): every instance may run it, within Teams' rate limits. */
export function startNotificationDelivery(options: NotificationDeliveryOptions): { stop(): Promise<void> } {
  const { config, logger, channel } = options;
  const delivery = new NotificationDelivery({
    renderer: channel.renderer,
    messenger: channel.messenger,
    ...(channel.activityFeed ? { activityFeed: channel.activityFeed } : {}),
    ...(channel.reach ? { reach: channel.reach } : {}),
    governor: new RateGovernor({ limits: limitsFromConfig(config.notifications) }),
    maxAttempts: config.notifications.maxAttempts,
    communities: options.communities,
    logger,
  });
  return startNotificationWorker(delivery, { logger, ...(options.intervalMs !== undefined ? { intervalMs: options.intervalMs } : {}) });
}
