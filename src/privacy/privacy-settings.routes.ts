/**
 * Privacy settings under /api/v1, declared on the shared `ApiSpec`:
 *
 *   GET  /admin/privacy-settings   the effective settings, defaults and bounds (organisation admins)
 *   PUT  /admin/privacy-settings   replace the choices; left out means default (organisation admins, audited)
 */
import { Router } from 'express';
import { z } from 'zod';
import type { ApiSpec } from '../http/api-spec.js';
import { privacySettingsBodySchema, type PrivacySettingsService } from './privacy-settings.service.js';
import { RETENTION_KIND_NAMES, type RetentionKind } from '../personal-data/retention-kinds.js';

const perKind = <T extends z.ZodType>(item: T) => z.object(Object.fromEntries(RETENTION_KIND_NAMES.map((kind) => [kind, item])) as Record<RetentionKind, T>);
const bounds = z.object({ min: z.number().int(), max: z.number().int() });
const effective = {
  retentionDays: perKind(z.number().int()).meta({ description: 'Days each kind of data is kept before the worker removes it' }),
  leaverGraceDays: z.number().int().meta({ description: 'Days between Microsoft 365 no longer knowing a person and their erasure' }),
  erasureKeepText: z.boolean().meta({ description: 'Whether an erased person’s discussions and replies stay, attributed to "Former member"' }),
};

export const privacySettingsView = z
  .object({
    ...effective,
    defaults: z.object(effective),
    bounds: z.object({ retentionDays: perKind(bounds), leaverGraceDays: bounds }),
    updatedAt: z.string().optional(),
    updatedBy: z.string().optional(),
  })
  .meta({ id: 'PrivacySettings' });

export function privacySettingsRouter(spec: ApiSpec, deps: { settings: PrivacySettingsService }): Router {
  const router = Router();
  const tags = ['Privacy'];
  spec.route(
    router,
    {
      method: 'get',
      path: '/admin/privacy-settings',
      operationId: 'getPrivacySettings',
      summary: 'Retention periods, the leavers’ grace period and erasure rules of my organisation (organisation admins)',
      tags,
      success: { status: 200, description: 'The effective settings, their defaults and bounds', schema: privacySettingsView },
      errors: [403],
    },
    ({ actor }) => deps.settings.get(actor),
  );
  spec.route(
    router,
    {
      method: 'put',
      path: '/admin/privacy-settings',
      operationId: 'replacePrivacySettings',
      summary: 'Replace the privacy settings of my organisation; a setting left out goes back to its default (organisation admins)',
      tags,
      body: privacySettingsBodySchema,
      success: { status: 200, description: 'The settings now in force', schema: privacySettingsView },
      errors: [403],
    },
    ({ actor, body }) => deps.settings.replace(actor, body),
  );
  return router;
}
