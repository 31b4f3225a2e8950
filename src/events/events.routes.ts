/**
 * The events API under /api/v1 (DESIGN.md "API"), declared on the shared `ApiSpec` so the
 * OpenAPI document describes it, and the public calendar-feed route. Each handler calls one
 * service method and formats the answer.
 *
 *   GET|POST  /events                      upcoming/past/mine/range I may see; create (org-wide, or with communityId)
 *   GET|POST  /communities/{id}/events     a community's events; create one there
 *   GET|PATCH|DELETE /events/{id}          read, edit, cancel
 *   GET|POST  /events/{id}/registrations   attendee list; sign me up
 *   GET       /events/{id}/registrations.csv   export (organisers)
 *   GET|DELETE /events/{id}/registrations/me   my registration; cancel it
 *   PUT|PATCH|DELETE /events/{id}/registrations/{userId}   add / approve or decline / remove (organisers)
 *   GET       /events/{id}/calendar.ics    the invitation for me
 *   GET|POST|DELETE /me/calendar-feed      my private feed URL: status, (re)create, revoke
 *   GET       /calendar/feeds/{token}.ics  (public: the token is the credential)
 */
import { Router, type Response } from 'express';
import { z } from 'zod';
import { answer, type ApiSpec } from '../http/api-spec.js';
import { idParams, objectIdString, pageOf, userIdString } from '../http/api-schemas.js';
import { sendCsv } from '../http/csv-response.js';
import type { EventCalendarService } from './event-calendar.service.js';
import type { EventService } from './event.service.js';
import type { EventSignupService } from './event-signup.service.js';
import {
  calendarFeedStatus,
  calendarFeedView,
  cancelEventSchema,
  createEventSchema,
  decideSchema,
  eventView,
  listEventsQuerySchema,
  listRegistrationsQuerySchema,
  registrationView,
  signUpSchema,
  updateEventSchema,
} from './event.schemas.js';

export interface EventsRouterDeps {
  events: EventService;
  signups: EventSignupService;
  calendars: EventCalendarService;
}

const communityParams = z.object({ communityId: objectIdString }).strict();
const personParams = z.object({ id: objectIdString, userId: userIdString }).strict();
const optionalBody = <T extends z.ZodType>(schema: T) => z.preprocess((v) => v ?? {}, schema);

export function eventsRouter(spec: ApiSpec, deps: EventsRouterDeps): Router {
  const router = Router();
  const tags = ['Events'];
  const { events, signups, calendars } = deps;

  spec.route(
    router,
    {
      method: 'get',
      path: '/events',
      operationId: 'listEvents',
      summary: 'Events I may see: upcoming (soonest first), past, mine, or in a date range, with seats left',
      tags,
      query: listEventsQuerySchema,
      success: { status: 200, description: 'A page of events', schema: pageOf(eventView) },
    },
    ({ actor, query }) => events.list(actor, query),
  );
  spec.route(
    router,
    {
      method: 'post',
      path: '/events',
      operationId: 'createEvent',
      summary: 'Plan an event: organisation-wide (admins), or in the community given by communityId (its managers)',
      tags,
      body: createEventSchema,
      success: { status: 201, description: 'The new event', schema: eventView },
      errors: [403, 404],
    },
    async ({ actor, body, res }) => located(res, await events.create(actor, body)),
  );
  spec.route(
    router,
    {
      method: 'get',
      path: '/communities/:communityId/events',
      operationId: 'listCommunityEvents',
      summary: 'A community\'s events',
      tags,
      params: communityParams,
      query: listEventsQuerySchema.omit({ communityId: true }),
      success: { status: 200, description: 'A page of events', schema: pageOf(eventView) },
      errors: [403, 404],
    },
    ({ actor, params, query }) => events.list(actor, { ...query, communityId: params.communityId }),
  );
  spec.route(
    router,
    {
      method: 'post',
      path: '/communities/:communityId/events',
      operationId: 'createCommunityEvent',
      summary: 'Plan an event in a community (its managers)',
      tags,
      params: communityParams,
      body: createEventSchema.omit({ communityId: true }),
      success: { status: 201, description: 'The new event', schema: eventView },
      errors: [403, 404],
    },
    async ({ actor, params, body, res }) => located(res, await events.create(actor, body, params.communityId)),
  );

  spec.route(
    router,
    { method: 'get', path: '/events/:id', operationId: 'getEvent', summary: 'An event, with my registration', tags, params: idParams, success: { status: 200, description: 'The event', schema: eventView }, errors: [404] },
    ({ actor, params }) => events.get(actor, params.id),
  );
  spec.route(
    router,
    {
      method: 'patch',
      path: '/events/:id',
      operationId: 'updateEvent',
      summary: 'Change an event (organisers). A lower capacity moves the newest registrations to the head of the waitlist; a new time or place is told to every attendee',
      tags,
      params: idParams,
      body: updateEventSchema,
      success: { status: 200, description: 'The event', schema: eventView },
      errors: [403, 404, 409],
    },
    ({ actor, params, body }) => events.update(actor, params.id, body),
  );
  spec.route(
    router,
    {
      method: 'delete',
      path: '/events/:id',
      operationId: 'cancelEvent',
      summary: 'Cancel an event (organisers): every attendee is told and calendars are released',
      tags,
      params: idParams,
      body: optionalBody(cancelEventSchema),
      success: { status: 200, description: 'The cancelled event', schema: eventView },
      errors: [403, 404, 409],
    },
    ({ actor, params, body }) => events.cancel(actor, params.id, body.reason),
  );

  spec.route(
    router,
    {
      method: 'get',
      path: '/events/:id/registrations.csv',
      operationId: 'exportRegistrations',
      summary: 'Every registration as CSV (organisers)',
      tags,
      params: idParams,
      success: { status: 200, description: 'CSV, UTF-8 with byte order mark, `;`-separated', contentType: 'text/csv' },
      errors: [403, 404],
    },
    async ({ actor, params, res }) => {
      sendCsv(res, await signups.exportCsv(actor, params.id));
    },
  );
  spec.route(
    router,
    {
      method: 'get',
      path: '/events/:id/registrations',
      operationId: 'listRegistrations',
      summary: 'The attendee list: everyone with contact details for organisers (by status, the waitlist in order), the registered names for others unless hidden',
      tags,
      params: idParams,
      query: listRegistrationsQuerySchema,
      success: { status: 200, description: 'A page of registrations', schema: pageOf(registrationView) },
      errors: [403, 404],
    },
    ({ actor, params, query }) => signups.list(actor, params.id, query),
  );
  spec.route(
    router,
    {
      method: 'post',
      path: '/events/:id/registrations',
      operationId: 'signUp',
      summary: 'Sign me up: registered, waitlisted (with position) or requested; signing up again returns the existing registration (200)',
      tags,
      params: idParams,
      body: optionalBody(signUpSchema),
      success: { status: 201, description: 'My registration', schema: registrationView },
      errors: [403, 404, 409],
    },
    async ({ actor, params, body }) => {
      const result = await signups.signUp(actor, params.id, body);
      return result.created ? result.registration : answer(200, result.registration);
    },
  );
  spec.route(
    router,
    { method: 'get', path: '/events/:id/registrations/me', operationId: 'getMyRegistration', summary: 'My registration (with my waitlist position)', tags, params: idParams, success: { status: 200, description: 'My registration', schema: registrationView }, errors: [404] },
    ({ actor, params }) => signups.mine(actor, params.id),
  );
  spec.route(
    router,
    { method: 'delete', path: '/events/:id/registrations/me', operationId: 'cancelMyRegistration', summary: 'Cancel my sign-up; a freed seat goes to the first person waiting', tags, params: idParams, success: { status: 200, description: 'My cancelled registration', schema: registrationView }, errors: [404, 409] },
    ({ actor, params }) => signups.cancelMine(actor, params.id),
  );
  spec.route(
    router,
    {
      method: 'put',
      path: '/events/:id/registrations/:userId',
      operationId: 'addAttendee',
      summary: 'Add someone (organisers): a seat, or the waitlist when full',
      tags,
      params: personParams,
      success: { status: 201, description: 'The registration', schema: registrationView },
      errors: [403, 404, 409],
    },
    async ({ actor, params }) => {
      const result = await signups.add(actor, params.id, params.userId);
      return result.created ? result.registration : answer(200, result.registration);
    },
  );
  spec.route(
    router,
    {
      method: 'patch',
      path: '/events/:id/registrations/:userId',
      operationId: 'decideRegistration',
      summary: 'Approve or decline a request (organisers)',
      tags,
      params: personParams,
      body: decideSchema,
      success: { status: 200, description: 'The registration', schema: registrationView },
      errors: [403, 404, 409],
    },
    ({ actor, params, body }) => signups.decide(actor, params.id, params.userId, body.action),
  );
  spec.route(
    router,
    {
      method: 'delete',
      path: '/events/:id/registrations/:userId',
      operationId: 'removeAttendee',
      summary: 'Remove someone from the event (organisers); a freed seat goes to the first person waiting',
      tags,
      params: personParams,
      success: { status: 200, description: 'The registration', schema: registrationView },
      errors: [403, 404, 409],
    },
    ({ actor, params }) => signups.remove(actor, params.id, params.userId),
  );

  spec.route(
    router,
    {
      method: 'get',
      path: '/events/:id/calendar.ics',
      operationId: 'getEventCalendar',
      summary: 'The event as iCalendar for me: METHOD REQUEST when I hold a seat, CANCEL when it or my seat was cancelled, PUBLISH otherwise',
      tags,
      params: idParams,
      success: { status: 200, description: 'RFC 5545 iCalendar', contentType: 'text/calendar' },
      errors: [404],
    },
    async ({ actor, params, res }) => {
      const file = await calendars.invitation(actor, params.id);
      res.setHeader('Content-Disposition', `attachment; filename="${file.filename}"`);
      sendCalendar(res, file.content, file.method);
    },
  );

  spec.route(
    router,
    { method: 'get', path: '/me/calendar-feed', operationId: 'getMyCalendarFeed', summary: 'Whether I have a calendar-feed URL', tags, success: { status: 200, description: 'The feed\'s state', schema: calendarFeedStatus } },
    ({ actor }) => calendars.feedStatus(actor),
  );
  spec.route(
    router,
    { method: 'post', path: '/me/calendar-feed', operationId: 'createMyCalendarFeed', summary: 'Make (or replace) my private calendar-feed URL, listing the events I signed up for', tags, success: { status: 201, description: 'The URL, shown once', schema: calendarFeedView } },
    ({ actor }) => calendars.createFeed(actor),
  );
  spec.route(
    router,
    { method: 'delete', path: '/me/calendar-feed', operationId: 'revokeMyCalendarFeed', summary: 'Revoke my calendar-feed URL', tags, success: { status: 204, description: 'Revoked' } },
    ({ actor }) => calendars.revokeFeed(actor),
  );

  return router;
}

/** The feed route: no sign-in (calendar apps cannot), the secret token in the URL is the credential. */
export function calendarFeedRouter(deps: { calendars: EventCalendarService }): Router {
  const router = Router();
  router.get('/calendar/feeds/:token', async (req, res) => {
    const token = (typeof req.params.token === 'string' ? req.params.token : '').replace(/\.ics$/, '');
    const content = await deps.calendars.feed(token);
    // Personal data: never stored by a shared cache; the URL must not leak through referrers.
    res.setHeader('Cache-Control', 'private, no-store');
    res.setHeader('Referrer-Policy', 'no-referrer');
    sendCalendar(res, content);
  });
  return router;
}

function located<T extends { id: string }>(res: Response, created: T): T {
  res.location(`/api/v1/events/${created.id}`);
  return created;
}

function sendCalendar(res: Response, content: string, method?: string): void {
  res.setHeader('Content-Type', `text/calendar; charset=utf-8${method ? `; method=${method}` : ''}`);
  res.send(content);
}
