/**
 * The consultations API under /api/v1 (contract: issue 13), declared on the shared `ApiSpec`
 * so the OpenAPI document describes it. Each handler calls one service method.
 *
 *   GET|POST  /communities/{id}/consultations        a community's consultations; start one (managers)
 *   GET       /consultations?toAnswer=true           open ones I may answer and have not
 *   GET|PATCH /consultations/{id}                    read; edit (managers)
 *   POST      /consultations/{id}/open | /close      draft -> open; close now
 *   PUT|GET   /consultations/{id}/responses/me       answer (or change my answer); my answer
 *   GET       /consultations/{id}/results, /results/texts, /results.csv
 *   POST      /consultations/{id}/conclusion         "what we heard, what we will do" (after closing)
 */
import { Router, type Response } from 'express';
import { z } from 'zod';
import type { ApiSpec } from '../http/api-spec.js';
import { idParams, objectIdString, pageOf } from '../http/api-schemas.js';
import { sendCsv } from '../http/csv-response.js';
import type { ConsultationService } from './consultation.service.js';
import {
  conclusionSchema,
  consultationView,
  createConsultationSchema,
  listConsultationsQuerySchema,
  myResponseQuerySchema,
  myResponseView,
  respondedView,
  respondSchema,
  resultsView,
  textsPageView,
  textsQuerySchema,
  updateConsultationSchema,
} from './consultation.schemas.js';

const communityParams = z.object({ communityId: objectIdString }).strict();
const toAnswerQuery = z
  .object({ toAnswer: z.enum(['true', 'false']).optional(), limit: z.coerce.number().int().min(1).max(100).optional() })
  .strict();

export function consultationsRouter(spec: ApiSpec, deps: { consultations: ConsultationService }): Router {
  const router = Router();
  const tags = ['Consultations'];
  const { consultations } = deps;

  spec.route(
    router,
    {
      method: 'get',
      path: '/communities/:communityId/consultations',
      operationId: 'listCommunityConsultations',
      summary: 'A community\'s consultations, newest first (drafts only for its managers); toAnswer=true: open ones I have not answered',
      tags,
      params: communityParams,
      query: listConsultationsQuerySchema,
      success: { status: 200, description: 'A page of consultations', schema: pageOf(consultationView) },
      errors: [403, 404],
    },
    ({ actor, params, query }) => consultations.list(actor, params.communityId, query),
  );
  spec.route(
    router,
    {
      method: 'post',
      path: '/communities/:communityId/consultations',
      operationId: 'createConsultation',
      summary: 'Start a consultation (a poll or questionnaire) in a community: its managers and organisation admins. Opens at once unless status is draft',
      tags,
      params: communityParams,
      body: createConsultationSchema,
      success: { status: 201, description: 'The new consultation', schema: consultationView },
      errors: [403, 404],
    },
    async ({ actor, params, body, res }) => located(res, await consultations.create(actor, params.communityId, body)),
  );
  spec.route(
    router,
    {
      method: 'get',
      path: '/consultations',
      operationId: 'listConsultationsToAnswer',
      summary: 'Open consultations I may answer and have not answered yet, soonest closing first (home page, bot)',
      tags,
      query: toAnswerQuery,
      success: { status: 200, description: 'The consultations', schema: pageOf(consultationView) },
    },
    async ({ actor, query }) => ({ items: await consultations.listToAnswer(actor, query.limit ?? 20) }),
  );
  spec.route(
    router,
    { method: 'get', path: '/consultations/:id', operationId: 'getConsultation', summary: 'A consultation, with whether I answered', tags, params: idParams, success: { status: 200, description: 'The consultation', schema: consultationView }, errors: [404] },
    ({ actor, params }) => consultations.get(actor, params.id),
  );
  spec.route(
    router,
    {
      method: 'patch',
      path: '/consultations/:id',
      operationId: 'updateConsultation',
      summary: 'Change a consultation (managers): a draft entirely; an open one its title, introduction, closing time and results visibility, and its questions until someone answered',
      tags,
      params: idParams,
      body: updateConsultationSchema,
      success: { status: 200, description: 'The consultation', schema: consultationView },
      errors: [403, 404, 409],
    },
    ({ actor, params, body }) => consultations.update(actor, params.id, body),
  );
  spec.route(
    router,
    { method: 'post', path: '/consultations/:id/open', operationId: 'openConsultation', summary: 'Open a draft (managers): it is announced to the community and its audience', tags, params: idParams, success: { status: 200, description: 'The consultation', schema: consultationView }, errors: [403, 404, 409] },
    ({ actor, params }) => consultations.open(actor, params.id),
  );
  spec.route(
    router,
    { method: 'post', path: '/consultations/:id/close', operationId: 'closeConsultation', summary: 'Close a consultation now (managers): no more answers', tags, params: idParams, success: { status: 200, description: 'The consultation', schema: consultationView }, errors: [403, 404, 409] },
    ({ actor, params }) => consultations.close(actor, params.id),
  );
  spec.route(
    router,
    {
      method: 'put',
      path: '/consultations/:id/responses/me',
      operationId: 'respondToConsultation',
      summary: 'Answer, or replace my answer (the last one counts). An anonymous consultation answers a responseKey the first time; only that key changes the answer later',
      tags,
      params: idParams,
      body: respondSchema,
      success: { status: 200, description: 'My response', schema: respondedView },
      errors: [403, 404, 409],
    },
    ({ actor, params, body }) => consultations.respond(actor, params.id, body),
  );
  spec.route(
    router,
    {
      method: 'get',
      path: '/consultations/:id/responses/me',
      operationId: 'getMyConsultationResponse',
      summary: 'Whether I answered, and my answers (anonymous: only with my responseKey)',
      tags,
      params: idParams,
      query: myResponseQuerySchema,
      success: { status: 200, description: 'My response', schema: myResponseView },
      errors: [404],
    },
    ({ actor, params, query }) => consultations.myResponse(actor, params.id, query.responseKey),
  );
  spec.route(
    router,
    {
      method: 'get',
      path: '/consultations/:id/results',
      operationId: 'getConsultationResults',
      summary: 'Counts, percentages, means, rankings and the response rate; group breakdowns only for groups of at least CONSULTATION_MIN_GROUP_SIZE respondents',
      tags,
      params: idParams,
      success: { status: 200, description: 'The results', schema: resultsView },
      errors: [403, 404],
    },
    ({ actor, params }) => consultations.results(actor, params.id),
  );
  spec.route(
    router,
    {
      method: 'get',
      path: '/consultations/:id/results/texts',
      operationId: 'getConsultationTexts',
      summary: 'The answers to an open question, paged (anonymous: in a stable random order, without author)',
      tags,
      params: idParams,
      query: textsQuerySchema,
      success: { status: 200, description: 'A page of texts', schema: textsPageView },
      errors: [403, 404],
    },
    ({ actor, params, query }) => consultations.texts(actor, params.id, query),
  );
  spec.route(
    router,
    {
      method: 'get',
      path: '/consultations/:id/results.csv',
      operationId: 'exportConsultationResponses',
      summary: 'One row per response as CSV (managers); anonymous ones without identity, in random order',
      tags,
      params: idParams,
      success: { status: 200, description: 'CSV, UTF-8 with byte order mark, `;`-separated', contentType: 'text/csv' },
      errors: [403, 404],
    },
    async ({ actor, params, res }) => {
      sendCsv(res, await consultations.exportCsv(actor, params.id));
    },
  );
  spec.route(
    router,
    {
      method: 'post',
      path: '/consultations/:id/conclusion',
      operationId: 'concludeConsultation',
      summary: 'Publish the conclusion of a closed consultation (managers): posted to the community and to every respondent who wants it',
      tags,
      params: idParams,
      body: conclusionSchema,
      success: { status: 200, description: 'The consultation', schema: consultationView },
      errors: [403, 404, 409],
    },
    ({ actor, params, body }) => consultations.conclude(actor, params.id, body),
  );
  return router;
}

function located<T extends { id: string }>(res: Response, created: T): T {
  res.location(`/api/v1/consultations/${created.id}`);
  return created;
}
