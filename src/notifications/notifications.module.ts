/**
 * The notifications capability, wired for the web process: the settings and dead-letter
 * routes. Delivery runs in the worker (`startNotificationDelivery` in bot/bot-module.ts, which
 * brings the bot's messenger and cards); capabilities write intents with
 * `enqueueNotifications` (notification-outbox.ts).
 */
import type { CapabilityModule } from '../http/app.js';
import { DeadLetters } from './dead-letters.js';
import { NotificationPreferences } from './notification-preferences.js';
import { notificationsRouter } from './notifications.routes.js';

export interface NotificationsModule extends CapabilityModule {
  services: { preferences: NotificationPreferences; deadLetters: DeadLetters };
}

export function createNotificationsModule(): NotificationsModule {
  const preferences = new NotificationPreferences();
  const deadLetters = new DeadLetters();
  return { apiRouters: [notificationsRouter({ preferences, deadLetters })], services: { preferences, deadLetters } };
}
