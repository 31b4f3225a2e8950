/** GET /api/v1/audit (paginated with `cursor` and `limit`) and /api/v1/audit.csv: the audit log for organisation admins, filtered by kind, person and period. */
import { Router } from 'express';
import { z } from 'zod';
import { MAX_PAGE_SIZE } from '../db/pagination.js';
import { pageOf, userIdString } from '../http/api-schemas.js';
import { sendCsv } from '../http/csv-response.js';
import type { ApiSpec } from '../http/api-spec.js';
import type { AuditLog } from './audit-log.service.js';

const auditFilterFields = {
  kind: z
    .string()
    .regex(/^[a-z][a-z_]*(\.[a-z_]+)*$/, { error: 'must be an entry kind such as access.denied, or a group such as community' })
    .max(64)
    .optional()
    .meta({ description: 'An entry kind (access.denied), or a group of kinds (community: every community.* entry)' }),
  person: userIdString.optional().meta({ description: 'Entries this person did or that are about them' }),
  from: z.iso.datetime({ offset: true }).transform((v) => new Date(v)).optional().meta({ description: 'Entries made at or after this instant' }),
  to: z.iso.datetime({ offset: true }).transform((v) => new Date(v)).optional().meta({ description: 'Entries made before this instant' }),
};

/** A period that ends before it starts is an error, not an empty answer. */
// zod 4 runs an object's refinement even when a field already failed (its transform then never
// ran, so the value is still the string sent): only compare two dates that did parse.
const periodInOrder = (q: { from?: unknown; to?: unknown }) => !(q.from instanceof Date) || !(q.to instanceof Date) || q.from.getTime() < q.to.getTime();
const periodIssue = { error: 'must be after from', path: ['to'] };

export const auditQuerySchema = z
  .strictObject({
    ...auditFilterFields,
    cursor: z.string().min(1).max(512).optional(),
    limit: z.coerce.number().int().min(1).max(MAX_PAGE_SIZE).optional(),
  })
  .refine(periodInOrder, periodIssue);

export const auditExportQuerySchema = z.strictObject(auditFilterFields).refine(periodInOrder, periodIssue);

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
  spec.route(
    router,
    {
      method: 'get',
      path: '/audit.csv',
      operationId: 'exportAuditEntries',
      summary: 'The filtered audit log as CSV, newest first, at most 10,000 entries (organisation admins)',
      tags: ['Audit'],
      query: auditExportQuerySchema,
      success: { status: 200, description: 'CSV, UTF-8 with byte order mark, `;`-separated', contentType: 'text/csv' },
      errors: [403],
    },
    async ({ actor, query, res }) => {
      sendCsv(res, await deps.audit.exportCsv(actor, query));
    },
  );
  return router;
}
