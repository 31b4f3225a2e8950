/** HTTP surface of moderation: reports, the managers' queue, hiding and unhiding content. */
import { Router } from 'express';
import type { ApiSpec } from '../http/api-spec.js';
import { idParams, pageOf } from '../http/api-schemas.js';
import { createReportSchema, hiddenView, listReportsQuery, reportView, updateReportSchema } from './moderation.schemas.js';
import type { ModerationService } from './moderation.service.js';

export function moderationRouter(spec: ApiSpec, deps: { moderation: ModerationService }): Router {
  const router = Router();
  const tags = ['Moderation'];
  const { moderation } = deps;

  spec.route(
    router,
    {
      method: 'post',
      path: '/reports',
      operationId: 'createReport',
      summary: 'Report a discussion, reply or person',
      tags,
      body: createReportSchema,
      success: { status: 201, description: 'The report (the first one when reported before)', schema: reportView },
      errors: [403, 404],
    },
    ({ actor, body }) => moderation.report(actor, body),
  );
  spec.route(
    router,
    {
      method: 'get',
      path: '/reports',
      operationId: 'listReports',
      summary: 'The moderation queue (managers: their communities; admins: all)',
      tags,
      query: listReportsQuery,
      success: { status: 200, description: 'A page of reports', schema: pageOf(reportView) },
      errors: [403, 404],
    },
    ({ actor, query }) => moderation.list(actor, query),
  );
  spec.route(
    router,
    {
      method: 'patch',
      path: '/reports/:id',
      operationId: 'updateReport',
      summary: 'Resolve or dismiss a report (managers)',
      tags,
      params: idParams,
      body: updateReportSchema,
      success: { status: 200, description: 'The report', schema: reportView },
      errors: [403, 404],
    },
    ({ actor, params, body }) => moderation.resolve(actor, params.id, body.status),
  );
  for (const type of ['discussion', 'reply'] as const) {
    const base = type === 'discussion' ? '/discussions' : '/replies';
    const name = type === 'discussion' ? 'Discussion' : 'Reply';
    spec.route(
      router,
      {
        method: 'put',
        path: `${base}/:id/hidden`,
        operationId: `hide${name}`,
        summary: `Hide a ${type} (managers)`,
        tags,
        params: idParams,
        success: { status: 200, description: 'Hidden', schema: hiddenView },
        errors: [403, 404],
      },
      ({ actor, params }) => moderation.hide(actor, type, params.id),
    );
    spec.route(
      router,
      {
        method: 'delete',
        path: `${base}/:id/hidden`,
        operationId: `unhide${name}`,
        summary: `Unhide a ${type}; its open reports are dismissed (managers)`,
        tags,
        params: idParams,
        success: { status: 200, description: 'Visible again', schema: hiddenView },
        errors: [403, 404],
      },
      ({ actor, params }) => moderation.unhide(actor, type, params.id),
    );
  }
  return router;
}
