/**
 * The meetings API under /api/v1, declared on the shared `ApiSpec`:
 *
 *   GET    /meetings/current?chatId=&meetingId=   the meeting of a Teams meeting chat, its link and what I may do
 *   PUT    /meetings/link                         link it to an existing or new discussion (and an event)
 *   DELETE /meetings/link?chatId=                 unlink it
 *   GET    /meetings/follow-up?chatId=            who was let in after the meeting, and who was not
 *   GET    /events/{id}/attendance                registrations with attendance (organisers)
 *   GET    /events/{id}/attendance.csv            the same as CSV
 *
 * The chat id travels in the query or body, not the path: it holds `:` and `@`.
 */
import { Router } from 'express';
import { answer, type ApiSpec } from '../http/api-spec.js';
import { idParams } from '../http/api-schemas.js';
import { sendCsv } from '../http/csv-response.js';
import type { AttendanceService } from './attendance.service.js';
import type { MeetingService } from './meeting.service.js';
import { attendanceView, followUpView, linkMeetingSchema, meetingQuerySchema, meetingView } from './meetings.schemas.js';

export interface MeetingsRouterDeps {
  meetings: MeetingService;
  attendance: AttendanceService;
}

export function meetingsRouter(spec: ApiSpec, deps: MeetingsRouterDeps): Router {
  const router = Router();
  const tags = ['Meetings'];
  const { meetings, attendance } = deps;
  const chatOnly = meetingQuerySchema.pick({ chatId: true });

  spec.route(
    router,
    {
      method: 'get',
      path: '/meetings/current',
      operationId: 'getMeeting',
      summary: 'The Teams meeting of a meeting chat: subject and times (from Graph), its link to a discussion (made now for meetings of Meent events), and what I may do',
      tags,
      query: meetingQuerySchema,
      success: { status: 200, description: 'The meeting', schema: meetingView },
      errors: [404, 503],
    },
    ({ actor, query }) => meetings.current(actor, query.chatId, query.meetingId),
  );
  spec.route(
    router,
    {
      method: 'put',
      path: '/meetings/link',
      operationId: 'linkMeeting',
      summary: 'Link the meeting to an existing discussion or a new one, in a community of my choice, optionally to its Meent event (the meeting organiser or the community\'s managers)',
      tags,
      body: linkMeetingSchema,
      success: { status: 201, description: 'The meeting, linked', schema: meetingView },
      errors: [403, 404, 503],
    },
    async ({ actor, body }) => {
      const { view, created } = await meetings.link(actor, body);
      return created ? view : answer(200, view);
    },
  );
  spec.route(
    router,
    {
      method: 'delete',
      path: '/meetings/link',
      operationId: 'unlinkMeeting',
      summary: 'Remove the meeting\'s link (the discussion stays)',
      tags,
      query: chatOnly,
      success: { status: 204, description: 'Unlinked' },
      errors: [403, 404, 503],
    },
    ({ actor, query }) => meetings.unlink(actor, query.chatId),
  );
  spec.route(
    router,
    {
      method: 'get',
      path: '/meetings/follow-up',
      operationId: 'getMeetingFollowUp',
      summary: 'After the meeting: who was invited and follows the discussion, and who was not let into the community and why (organiser and managers)',
      tags,
      query: chatOnly,
      success: { status: 200, description: 'The follow-up', schema: followUpView },
      errors: [403, 404, 503],
    },
    ({ actor, query }) => meetings.followUp(actor, query.chatId),
  );

  spec.route(
    router,
    {
      method: 'get',
      path: '/events/:id/attendance.csv',
      operationId: 'exportAttendance',
      summary: 'Registrations with attendance as CSV (organisers)',
      tags,
      params: idParams,
      success: { status: 200, description: 'CSV, UTF-8 with byte order mark, `;`-separated', contentType: 'text/csv' },
      errors: [403, 404],
    },
    async ({ actor, params, res }) => {
      sendCsv(res, await attendance.exportCsv(actor, params.id));
    },
  );
  spec.route(
    router,
    {
      method: 'get',
      path: '/events/:id/attendance',
      operationId: 'getAttendance',
      summary: 'Who attended the online event (from the Teams attendance report) next to who registered (organisers)',
      tags,
      params: idParams,
      success: { status: 200, description: 'Attendance', schema: attendanceView },
      errors: [403, 404],
    },
    ({ actor, params }) => attendance.list(actor, params.id),
  );
  return router;
}
