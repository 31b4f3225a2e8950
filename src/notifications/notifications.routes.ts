/**
 * Notification settings and the dead-letter list, under /api/v1:
 *
 *   GET    /me/notification-preferences                 my effective settings and mutes
 *   PATCH  /me/notification-preferences                 change cadences (per kind or group), channel, time zone, digest hour, language
 *   PUT    /me/notification-mutes/{target}/{id}         mute a community or discussion ({ title? })
 *   DELETE /me/notification-mutes/{target}/{id}         unmute
 *   GET    /admin/notifications/failed                  dead letters of my tenant (organisation admins)
 *   POST   /admin/notifications/{id}/retry              send a dead letter again (organisation admins)
 */
import { Router, type Request } from 'express';
import { z } from 'zod';
import type { Actor } from '../auth/actor.js';
import { UnauthorizedError } from '../errors/domain-errors.js';
import { objectIdString } from '../http/api-schemas.js';
import { parseOrThrow } from '../http/api-spec.js';
import type { DeadLetters } from './dead-letters.js';
import { MUTE_TARGETS } from './notification-preference.model.js';
import { preferencesPatchSchema, type NotificationPreferences } from './notification-preferences.js';

export interface NotificationsRouterDeps {
  preferences: NotificationPreferences;
  deadLetters: DeadLetters;
}

const muteParams = z.object({ target: z.enum(MUTE_TARGETS), targetId: objectIdString }).strict();
const muteBody = z.object({ title: z.string().trim().max(200).optional() }).strict();
const pageQuery = z.object({ cursor: z.string().max(500).optional(), limit: z.coerce.number().int().min(1).max(100).optional() }).strict();
const idParams = z.object({ id: objectIdString }).strict();

function actorOf(req: Request): Actor {
  if (!req.actor) throw new UnauthorizedError();
  return req.actor;
}

export function notificationsRouter(deps: NotificationsRouterDeps): Router {
  const router = Router();

  router.get('/me/notification-preferences', async (req, res) => {
    const actor = actorOf(req);
    const [preferences, mutes] = await Promise.all([deps.preferences.get(actor.tenantId, actor.userId), deps.preferences.listMutes(actor)]);
    res.json({ ...preferences, mutes });
  });
  router.patch('/me/notification-preferences', async (req, res) => {
    const actor = actorOf(req);
    const patch = parseOrThrow(preferencesPatchSchema, req.body ?? {}, 'body');
    const preferences = await deps.preferences.update(actor, patch);
    res.json({ ...preferences, mutes: await deps.preferences.listMutes(actor) });
  });
  router.put('/me/notification-mutes/:target/:targetId', async (req, res) => {
    const actor = actorOf(req);
    const params = parseOrThrow(muteParams, req.params, 'path');
    const body = parseOrThrow(muteBody, req.body ?? {}, 'body');
    await deps.preferences.mute(actor, params.target, params.targetId, body.title);
    res.status(204).end();
  });
  router.delete('/me/notification-mutes/:target/:targetId', async (req, res) => {
    const actor = actorOf(req);
    const params = parseOrThrow(muteParams, req.params, 'path');
    await deps.preferences.unmute(actor, params.target, params.targetId);
    res.status(204).end();
  });
  router.get('/admin/notifications/failed', async (req, res) => {
    res.json(await deps.deadLetters.list(actorOf(req), parseOrThrow(pageQuery, req.query, 'query')));
  });
  router.post('/admin/notifications/:id/retry', async (req, res) => {
    const { id } = parseOrThrow(idParams, req.params, 'path');
    res.json(await deps.deadLetters.retry(actorOf(req), id));
  });

  return router;
}
