/** GET /api/v1/audit: the audit log for organisation admins, paginated with `cursor` and `limit`. */
import { Router } from 'express';
import { z } from 'zod';
import { UnauthorizedError, ValidationError } from '../errors/domain-errors.js';
import { MAX_PAGE_SIZE } from '../db/pagination.js';
import type { AuditLog } from './audit-log.service.js';

export const auditQuerySchema = z.strictObject({
  kind: z.string().regex(/^[a-z][a-z_]*(\.[a-z_]+)+$/, { error: 'must be an entry kind such as access.denied' }).max(64).optional(),
  cursor: z.string().min(1).max(512).optional(),
  limit: z.coerce.number().int().min(1).max(MAX_PAGE_SIZE).optional(),
});

export function auditRouter(deps: { audit: AuditLog }): Router {
  const router = Router();
  router.get('/audit', async (req, res) => {
    if (!req.actor) throw new UnauthorizedError();
    const query = auditQuerySchema.safeParse(req.query);
    if (!query.success) {
      throw new ValidationError(
        'The query is not valid.',
        query.error.issues.map((i) => ({ path: `query.${i.path.join('.')}`, message: i.message })),
      );
    }
    const page = await deps.audit.list(req.actor, query.data);
    res.json(page);
  });
  return router;
}
