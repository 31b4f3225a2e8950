/** The meetings API's input and output as zod schemas (also the OpenAPI document's). */
import { z } from 'zod';
import { hasControlCharacter } from '../content/plain-text.js';
import { objectIdString } from '../http/api-schemas.js';
import { ADMISSION_OUTCOMES, ATTENDEE_SOURCES, FOLLOW_UP_STATUSES, LINK_SOURCES, REFUSAL_REASONS } from './meeting-link.model.js';

/** A Teams meeting chat's thread id, e.g. `19:meeting_NTM3...@thread.v2`. */
export const chatIdString = z
  .string()
  .min(8)
  .max(300)
  .regex(/^19:[A-Za-z0-9_\-.=+/]+@thread\.(v2|tacv2|skype)$/, { error: 'must be a Teams chat id (19:...@thread.v2)' })
  .meta({ description: 'The meeting chat id from the Teams context (`chat.id`)', example: '19:meeting_NTM3ZDJjOTUtZGRhOS00MzYx@thread.v2' });

/** Teams' meeting id (base64), as the tab's context gives it; informational only. */
const teamsMeetingId = z.string().min(1).max(1000).regex(/^[A-Za-z0-9+/=_-]+$/, { error: 'must be a Teams meeting id' });

export const meetingQuerySchema = z.object({ chatId: chatIdString, meetingId: teamsMeetingId.optional() }).strict();

const title = z
  .string({ error: 'the title must be text' })
  .trim()
  .min(1, { error: 'a title is required' })
  .max(200, { error: 'at most 200 characters' })
  .refine((v) => !hasControlCharacter(v), { error: 'cannot hold control characters', params: { fieldCode: 'control_characters' } });

export const linkMeetingSchema = z
  .object({
    chatId: chatIdString,
    meetingId: teamsMeetingId.optional(),
    communityId: objectIdString,
    /** An existing discussion of the community... */
    discussionId: objectIdString.optional(),
    /** ...or a new one (prefilled in the tab with the meeting's subject and date). */
    discussion: z
      .object({
        title,
        body: z.string().max(20_000, { error: 'at most 20000 characters' }).refine((v) => v.trim().length > 0, { error: 'the body cannot be empty' }),
      })
      .strict()
      .optional(),
    /** The Meent event the meeting is a session of. */
    eventId: objectIdString.nullable().optional(),
  })
  .strict()
  .refine((v) => (v.discussionId === undefined) !== (v.discussion === undefined), { error: 'give either discussionId or a new discussion', path: ['discussionId'] });
export type LinkMeetingInput = z.output<typeof linkMeetingSchema>;

const personView = z.object({
  userId: z.string().nullable(),
  displayName: z.string(),
  outcome: z.enum(ADMISSION_OUTCOMES).optional(),
  reason: z.enum(REFUSAL_REASONS).optional(),
});

export const followUpView = z
  .object({
    status: z.enum(FOLLOW_UP_STATUSES),
    endedAt: z.string().nullable(),
    attendeeSource: z.enum(ATTENDEE_SOURCES),
    admitted: z.boolean(),
    attendanceRecorded: z.boolean(),
    /** Who was let in (and how). */
    people: z.array(personView),
    /** Who was not let in, and why: for the organiser to follow up by hand. */
    notAdmitted: z.array(personView),
    doneAt: z.string().nullable(),
  })
  .meta({ id: 'MeetingFollowUp' });
export type FollowUpView = z.output<typeof followUpView>;

export const meetingView = z
  .object({
    chatId: z.string(),
    subject: z.string(),
    start: z.string().nullable(),
    end: z.string().nullable(),
    isOrganizer: z.boolean(),
    link: z
      .object({
        communityId: z.string(),
        communityName: z.string(),
        discussionId: z.string(),
        discussionTitle: z.string(),
        eventId: z.string().nullable(),
        eventTitle: z.string().nullable(),
        source: z.enum(LINK_SOURCES),
        linkedBy: z.string(),
        linkedAt: z.string(),
      })
      .nullable(),
    permissions: z.object({ canLink: z.boolean(), canUnlink: z.boolean(), canSeeFollowUp: z.boolean() }),
    /** Only for those who may see it. */
    followUp: followUpView.nullable(),
  })
  .meta({ id: 'Meeting' });
export type MeetingView = z.output<typeof meetingView>;

export const attendanceRowView = z.object({
  userId: z.string().nullable(),
  displayName: z.string(),
  email: z.string().nullable(),
  organisation: z.string().nullable(),
  /** The registration's status, null for someone who came without one. */
  registrationStatus: z.string().nullable(),
  attended: z.boolean(),
  attendedSeconds: z.number().int(),
  firstJoin: z.string().nullable(),
  lastLeave: z.string().nullable(),
  role: z.string().nullable(),
});

export const attendanceView = z
  .object({
    eventId: z.string(),
    /** When the attendance report was read; null before. */
    recordedAt: z.string().nullable(),
    summary: z.object({ registered: z.number().int(), attended: z.number().int(), attendedRegistered: z.number().int(), withoutRegistration: z.number().int() }),
    items: z.array(attendanceRowView),
  })
  .meta({ id: 'EventAttendance' });
export type AttendanceView = z.output<typeof attendanceView>;
