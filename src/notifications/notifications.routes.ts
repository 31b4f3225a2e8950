/**
 * Notification settings and the dead-letter list, under /api/v1, declared on the shared
 * `ApiSpec` so the OpenAPI document describes them:
 *
 *   GET    /me/notification-preferences                 my effective settings and mutes
 *   PATCH  /me/notification-preferences                 change cadences (per kind or group), channel, time zone, digest hour, language
 *   PUT    /me/notification-mutes/{target}/{id}         mute a community or discussion ({ title? })
 *   DELETE /me/notification-mutes/{target}/{id}         unmute
 *   GET    /admin/notifications/failed                  dead letters of my tenant (organisation admins)
 *   POST   /admin/notifications/{id}/retry              send a dead letter again (organisation admins)
 */
import { Router } from 'express';
import { z } from 'zod';
import { idParams, objectIdString, pageOf } from '../http/api-schemas.js';
import type { ApiSpec } from '../http/api-spec.js';
import type { DeadLetters } from './dead-letters.js';
import { CADENCES, DELIVERY_CHANNELS, MUTE_TARGETS } from './notification-preference.model.js';
import { PERSONAL_KINDS, PREFERENCE_GROUPS, preferencesPatchSchema, type NotificationPreferences, type PreferenceGroup } from './notification-preferences.js';

export interface NotificationsRouterDeps {
  preferences: NotificationPreferences;
  deadLetters: DeadLetters;
}

const muteParams = z.object({ target: z.enum(MUTE_TARGETS), targetId: objectIdString }).strict();
const muteBody = z.object({ title: z.string().trim().max(200).optional() }).strict();
const pageQuery = z.object({ cursor: z.string().max(500).optional(), limit: z.coerce.number().int().min(1).max(100).optional() }).strict();

const muteView = z.object({ target: z.enum(MUTE_TARGETS), targetId: z.string(), title: z.string().optional(), createdAt: z.string() }).meta({ id: 'NotificationMute' });

export const notificationPreferencesView = z
  .object({
    kinds: z.record(z.enum(PERSONAL_KINDS), z.enum(CADENCES)).meta({ description: 'The cadence of each kind of notification' }),
    channel: z.enum(DELIVERY_CHANNELS),
    timeZone: z.string(),
    digestHour: z.number().int(),
    locale: z.enum(['nl', 'en']),
    mutes: z.array(muteView),
    groups: z
      .record(z.enum(Object.keys(PREFERENCE_GROUPS) as [PreferenceGroup, ...PreferenceGroup[]]), z.array(z.enum(PERSONAL_KINDS)))
      .meta({ description: 'The kinds in each group, as the bot\'s settings card shows them (a surface lists kinds under these headings)' }),
  })
  .meta({ id: 'NotificationPreferences' });

export const deadLetterView = z
  .object({
    id: z.string(),
    recipientId: z.string(),
    kind: z.string(),
    subject: z.object({ type: z.string(), id: z.string() }),
    attempts: z.number().int(),
    lastError: z.string().nullable(),
    createdAt: z.string(),
    failedAt: z.string(),
  })
  .meta({ id: 'DeadLetter' });

export function notificationsRouter(spec: ApiSpec, deps: NotificationsRouterDeps): Router {
  const router = Router();
  const tags = ['Notifications'];
  const { preferences, deadLetters } = deps;

  spec.route(
    router,
    {
      method: 'get',
      path: '/me/notification-preferences',
      operationId: 'getMyNotificationPreferences',
      summary: 'My notification settings (defaults with my choices on top) and mutes',
      tags,
      success: { status: 200, description: 'My settings', schema: notificationPreferencesView },
    },
    async ({ actor }) => {
      const [effective, mutes] = await Promise.all([preferences.get(actor.tenantId, actor.userId), preferences.listMutes(actor)]);
      return { ...effective, mutes, groups: PREFERENCE_GROUPS };
    },
  );
  spec.route(
    router,
    {
      method: 'patch',
      path: '/me/notification-preferences',
      operationId: 'updateMyNotificationPreferences',
      summary: 'Change cadences (per kind or group), channel, time zone, digest hour or language',
      tags,
      body: preferencesPatchSchema,
      success: { status: 200, description: 'My settings', schema: notificationPreferencesView },
    },
    async ({ actor, body }) => {
      const effective = await preferences.update(actor, body);
      return { ...effective, mutes: await preferences.listMutes(actor), groups: PREFERENCE_GROUPS };
    },
  );
  spec.route(
    router,
    {
      method: 'put',
      path: '/me/notification-mutes/:target/:targetId',
      operationId: 'muteForMe',
      summary: 'Mute a community or discussion (notifications about my own standing still come)',
      tags,
      params: muteParams,
      body: muteBody,
      success: { status: 204, description: 'Muted' },
    },
    ({ actor, params, body }) => preferences.mute(actor, params.target, params.targetId, body.title),
  );
  spec.route(
    router,
    {
      method: 'delete',
      path: '/me/notification-mutes/:target/:targetId',
      operationId: 'unmuteForMe',
      summary: 'Unmute a community or discussion',
      tags,
      params: muteParams,
      success: { status: 204, description: 'Unmuted' },
    },
    ({ actor, params }) => preferences.unmute(actor, params.target, params.targetId),
  );
  spec.route(
    router,
    {
      method: 'get',
      path: '/admin/notifications/failed',
      operationId: 'listFailedNotifications',
      summary: 'Notifications delivery gave up on, in my tenant (organisation admins)',
      tags,
      query: pageQuery,
      success: { status: 200, description: 'A page of dead letters', schema: pageOf(deadLetterView) },
      errors: [403],
    },
    ({ actor, query }) => deadLetters.list(actor, query),
  );
  spec.route(
    router,
    {
      method: 'post',
      path: '/admin/notifications/:id/retry',
      operationId: 'retryFailedNotification',
      summary: 'Send a dead letter again, with a fresh count of attempts (organisation admins)',
      tags,
      params: idParams,
      success: { status: 200, description: 'The notification, back in the outbox', schema: deadLetterView },
      errors: [403, 404],
    },
    ({ actor, params }) => deadLetters.retry(actor, params.id),
  );

  return router;
}
