/**
 * The privacy routes: POST|GET /me/export and the download, DELETE /me, and
 * POST /admin/people/{id}/erase (organisation admins, with a reason).
 */
import { Router } from 'express';
import { pipeline } from 'node:stream/promises';
import { z } from 'zod';
import { LANGUAGES } from '../content/language.js';
import { answer, type ApiSpec } from '../http/api-spec.js';
import { userIdString } from '../http/api-schemas.js';
import type { ErasureService } from './erasure.service.js';
import type { ExportService } from './export.service.js';

export const exportView = z
  .object({
    status: z.enum(['pending', 'running', 'ready', 'failed', 'expired']),
    done: z.number().int(),
    total: z.number().int(),
    requestedAt: z.string(),
    downloadUrl: z.string().nullable().meta({ description: 'While ready: GET it with your own sign-in; it expires after 24 hours' }),
    expiresAt: z.string().nullable(),
  })
  .meta({ id: 'DataExport' });

const erasureView = z.object({ status: z.enum(['erased', 'alreadyErased']) }).meta({ id: 'ErasureOutcome' });

const startExportBody = z.object({ language: z.enum(LANGUAGES).optional() }).strict();
const tokenParams = z.object({ token: z.string().regex(/^[A-Za-z0-9_-]{16,64}$/, { error: 'must be a download token' }) }).strict();
const eraseMeBody = z.object({ confirm: z.literal(true, { error: 'confirm must be true' }) }).strict();
const adminEraseBody = z.object({ reason: z.string().trim().min(3).max(500) }).strict();
const personParams = z.object({ id: userIdString }).strict();

export function privacyRouter(spec: ApiSpec, deps: { exports: ExportService; erasure: ErasureService }): Router {
  const router = Router();
  const tags = ['Privacy'];

  spec.route(
    router,
    {
      method: 'post',
      path: '/me/export',
      operationId: 'startMyDataExport',
      summary: 'Export my data: starts making a ZIP of everything Meent keeps about me (one at a time: while one runs, this answers it)',
      tags,
      body: startExportBody,
      success: { status: 201, description: 'The export started (200: the one already running)', schema: exportView },
    },
    async ({ actor, body }) => {
      const { view, created } = await deps.exports.start(actor, body.language ?? 'nl');
      return created ? view : answer(200, view);
    },
  );

  spec.route(
    router,
    { method: 'get', path: '/me/export', operationId: 'getMyDataExport', summary: 'How my data export is doing, and its download link when ready', tags, success: { status: 200, description: 'The export', schema: exportView }, errors: [404] },
    ({ actor }) => deps.exports.status(actor),
  );

  spec.route(
    router,
    {
      method: 'get',
      path: '/me/export/download/:token',
      operationId: 'downloadMyDataExport',
      summary: 'Download my data export (only with my own sign-in, for 24 hours; audited)',
      tags,
      params: tokenParams,
      success: { status: 200, description: 'The ZIP', contentType: 'application/zip' },
      errors: [404],
    },
    async ({ actor, params, res }) => {
      const file = await deps.exports.download(actor, params.token);
      res.setHeader('Content-Disposition', `attachment; filename="${file.fileName}"`);
      res.setHeader('Cache-Control', 'private, no-store');
      res.setHeader('Content-Length', String(file.bytes));
      res.type('application/zip');
      await pipeline(file.stream, res);
    },
  );

  spec.route(
    router,
    {
      method: 'delete',
      path: '/me',
      operationId: 'eraseMe',
      summary: 'Erase me: my profile, memberships, sign-ups and settings go; what I wrote stays under "Former member" (or goes, as the organisation chose)',
      tags,
      body: eraseMeBody,
      success: { status: 200, description: 'Erased', schema: erasureView },
      errors: [409],
    },
    ({ actor }) => deps.erasure.eraseMe(actor),
  );

  spec.route(
    router,
    {
      method: 'post',
      path: '/admin/people/:id/erase',
      operationId: 'erasePerson',
      summary: 'Erase a person (organisation admins; the reason is audited)',
      tags,
      params: personParams,
      body: adminEraseBody,
      success: { status: 200, description: 'Erased', schema: erasureView },
      errors: [403, 404, 409],
    },
    ({ actor, params, body }) => deps.erasure.eraseByAdmin(actor, params.id, body.reason),
  );

  return router;
}
