/** GET /api/v1/audit: the audit log for organisation admins, paginated with `cursor` and `limit`. */
import { Router } from 'express';
import { z } from 'zod';
import { MAX_PAGE_SIZE } from '../db/pagination.js';
import { pageOf } from '../http/api-schemas.js';
import type { ApiSpec } from '../http/api-spec.js';
import type { AuditLog } from './audit-log.service.js';

export const auditQuerySchema = z.strictObject({
  kind: z.string().regex(/^[a-z][a-z_]*(\.[a-z_]+)+$/, { error: 'must be an entry kind such as access.denied' }).max(64).optional(),
  cursor: z.string().min(1).max(512).optional(),
  limit: z.coerce.number().int().min(1).max(MAX_PAGE_SIZE).optional(),
});

export const auditEntryView = z
  .object({
    id: z.string(),
    tenantId: z.string(),
    kind: z.string().meta({ description: 'What happened, e.g. access.denied' }),
    actorId: z.string().optional(),
    subjectId: z.string().optional(),
    reason: z.string().optional(),
    ip: z.string().optional(),
    method: z.string().optional(),
    path: z.string().optional(),
    details: z.record(z.string(), z.unknown()).optional(),
    count: z.number().int().meta({ description: 'How many times it happened between at and lastAt' }),
    at: z.string(),
    lastAt: z.string(),
  })
  .meta({ id: 'AuditEntry' });

export function auditRouter(spec: ApiSpec, deps: { audit: AuditLog }): Router {
  const router = Router();
  spec.route(
    router,
    {
      method: 'get',
      path: '/audit',
      operationId: 'listAuditEntries',
      summary: 'The audit log of my tenant, newest first (organisation admins)',
      tags: ['Audit'],
      query: auditQuerySchema,
      success: { status: 200, description: 'A page of audit entries', schema: pageOf(auditEntryView) },
      errors: [403],
    },
    ({ actor, query }) => deps.audit.list(actor, query),
  );
  return router;
}
