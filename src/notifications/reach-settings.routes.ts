/**
 * The organisation admins' switch for installing Meent for people who need a message:
 *
 *   GET /admin/notifications/reach      whether Meent installs the app (and whether it can, and e-mails those Teams refuses)
 *   PUT /admin/notifications/reach      { autoInstall } (audited)
 */
import { Router } from 'express';
import { z } from 'zod';
import type { Actor } from '../auth/actor.js';
import type { AuditSink } from '../audit/audit.port.js';
import { ForbiddenError } from '../errors/domain-errors.js';
import type { ApiSpec } from '../http/api-spec.js';
import type { TeamsReach } from './teams-reach.js';

const reachView = z
  .object({
    autoInstall: z.boolean().meta({ description: 'Meent installs the app in the personal scope of people it has a message for' }),
    available: z.boolean().meta({ description: 'Installing is possible at all (a catalogue app id is configured)' }),
    mailbox: z.boolean().meta({ description: 'People Teams refuses get the message by e-mail' }),
  })
  .meta({ id: 'NotificationReach' });
const reachBody = z.object({ autoInstall: z.boolean() }).strict();

export function reachSettingsRouter(spec: ApiSpec, deps: { reach: TeamsReach; audit: AuditSink }): Router {
  const router = Router();
  const tags = ['Notifications'];
  const adminOnly = (actor: Actor) => {
    if (!actor.isOrgAdmin) throw new ForbiddenError('Only organisation admins change how Meent reaches people.', 'admin_only');
  };
  spec.route(
    router,
    { method: 'get', path: '/admin/notifications/reach', operationId: 'getNotificationReach', summary: 'Whether Meent installs the app for people it must reach (organisation admins)', tags, success: { status: 200, description: 'The setting', schema: reachView }, errors: [403] },
    async ({ actor }) => {
      adminOnly(actor);
      return deps.reach.settings(actor.tenantId);
    },
  );
  spec.route(
    router,
    { method: 'put', path: '/admin/notifications/reach', operationId: 'setNotificationReach', summary: 'Turn installing the app for people on or off (organisation admins)', tags, body: reachBody, success: { status: 200, description: 'The setting', schema: reachView }, errors: [400, 403] },
    async ({ actor, body }) => {
      adminOnly(actor);
      await deps.reach.setAutoInstall(actor.tenantId, body.autoInstall);
      await deps.audit.record({ tenantId: actor.tenantId, kind: 'notifications.reach_changed', actorId: actor.userId, details: { autoInstall: body.autoInstall } });
      return deps.reach.settings(actor.tenantId);
    },
  );
  return router;
}
