/**
 * The notifications capability, wired for the web process: the settings and dead-letter
 * routes. Delivery runs in the worker (`startNotificationDelivery` in bot/bot-module.ts, which
 * brings the bot's messenger and cards); capabilities write intents with
 * `enqueueNotifications` (notification-outbox.ts).
 */
import type { CapabilityModule } from '../composition.js';
import { ApiSpec } from '../http/api-spec.js';
import { DeadLetters } from './dead-letters.js';
import { NotificationPreferences } from './notification-preferences.js';
import { notificationsRouter } from './notifications.routes.js';

export interface NotificationsModule extends CapabilityModule {
  services: { preferences: NotificationPreferences; deadLetters: DeadLetters };
}

/** `spec`: the API description the routes are declared on (one for the whole API). */
export function createNotificationsModule(deps: { spec?: ApiSpec } = {}): NotificationsModule {
  const preferences = new NotificationPreferences();
  const deadLetters = new DeadLetters();
  return { apiRouters: [notificationsRouter(deps.spec ?? new ApiSpec(), { preferences, deadLetters })], services: { preferences, deadLetters } };
}
