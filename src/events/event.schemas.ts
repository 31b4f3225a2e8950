/**
 * The shapes of event input, parsed at the edge (HTTP, bot) with zod. Rules that relate
 * fields to each other or to the stored event (end after start, deadline before start, a
 * known time zone) are checked in the service, where the stored event is known.
 */
import { z } from 'zod';
import { attachmentRefsSchema, attachmentView } from '../attachments/attachment.schemas.js';
import { MAX_PAGE_SIZE } from '../db/pagination.js';
import { SIGNUP_METHODS } from './event.model.js';

const instant = z.iso.datetime({ offset: true, error: 'must be a date and time with a zone offset, e.g. 2030-03-01T09:00:00+01:00' }).transform((v) => new Date(v));
const objectId = z.string().regex(/^[0-9a-f]{24}$/i, { error: 'must be an id' });
const userId = z.string().trim().min(1).max(64);

const address = z
  .object({
    street: z.string().trim().max(200).optional(),
    postalCode: z.string().trim().max(20).optional(),
    city: z.string().trim().max(100).optional(),
    countryOrRegion: z.string().trim().max(100).optional(),
  })
  .strict();

export const locationSchema = z
  .object({
    name: z.string().trim().min(1, { error: 'must not be empty' }).max(200),
    address: address.optional(),
  })
  .strict();

const eventFields = {
  title: z.string().trim().min(1, { error: 'must not be empty' }).max(200),
  description: z.string().max(20_000).optional(),
  start: instant,
  end: instant,
  /** Checked against the zone database in the service. */
  timeZone: z.string().trim().min(1).max(64).optional(),
  location: locationSchema.nullable().optional(),
  online: z.boolean().optional(),
  capacity: z.number({ error: 'must be a whole number of seats, or null for unlimited' }).int({ error: 'must be a whole number' }).min(0, { error: 'must be 0 or more' }).max(1_000_000).nullable().optional(),
  waitlist: z.boolean().optional(),
  signupMethod: z.enum(SIGNUP_METHODS, { error: 'must be open, request or invite' }).optional(),
  signupDeadline: instant.nullable().optional(),
  guestsAllowed: z.boolean().optional(),
  hideAttendees: z.boolean().optional(),
  /** More organisers besides the creator. */
  organizers: z.array(userId).max(20).optional(),
  /** Minutes before the start; at most a week, at most 5. */
  reminderMinutes: z.array(z.number().int().min(1).max(10_080)).max(5).optional(),
  followUpDiscussionId: objectId.nullable().optional(),
  /** Files from OneDrive or SharePoint (issue 21); on an edit, the whole new list. */
  attachments: attachmentRefsSchema.optional(),
};

export const createEventSchema = z.object({ ...eventFields, communityId: objectId.nullable().optional() }).strict();
export type CreateEventInput = z.output<typeof createEventSchema>;

export const updateEventSchema = z
  .object({ ...eventFields, title: eventFields.title.optional(), start: instant.optional(), end: instant.optional(), organizers: z.array(userId).min(1, { error: 'an event needs an organiser' }).max(20).optional() })
  .strict()
  .refine((v) => Object.keys(v).length > 0, { error: 'nothing to change' });
export type UpdateEventInput = z.output<typeof updateEventSchema>;

export const cancelEventSchema = z.object({ reason: z.string().trim().max(1000).optional() }).strict();

const booleanQuery = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');

export const listEventsQuerySchema = z
  .object({
    from: instant.optional(),
    to: instant.optional(),
    mine: booleanQuery.optional(),
    past: booleanQuery.optional(),
    communityId: objectId.optional(),
    cursor: z.string().min(1).max(512).optional(),
    limit: z.coerce.number().int().min(1).max(MAX_PAGE_SIZE).optional(),
  })
  .strict();
export type ListEventsQuery = z.output<typeof listEventsQuerySchema>;

export const signUpSchema = z.object({ message: z.string().trim().max(1000).optional() }).strict();

export const decideSchema = z.object({ action: z.enum(['approve', 'decline'], { error: 'must be approve or decline' }) }).strict();

export const listRegistrationsQuerySchema = z
  .object({
    status: z.enum(['registered', 'waitlisted', 'requested', 'cancelled', 'declined', 'removed']).optional(),
    cursor: z.string().min(1).max(512).optional(),
    limit: z.coerce.number().int().min(1).max(MAX_PAGE_SIZE).optional(),
  })
  .strict();
export type ListRegistrationsQuery = z.output<typeof listRegistrationsQuerySchema>;

// ---- answers (documented in the OpenAPI document) ----

export const eventView = z
  .object({
    id: z.string(),
    communityId: z.string().nullable(),
    scope: z.enum(['community', 'organisation']),
    title: z.string(),
    description: z.object({ source: z.string(), html: z.string() }),
    start: z.string().meta({ description: 'ISO 8601 instant' }),
    end: z.string(),
    timeZone: z.string().meta({ description: 'IANA time zone the event is planned in' }),
    location: z.object({ name: z.string(), address: z.record(z.string(), z.string()).optional() }).nullable(),
    online: z.boolean(),
    joinUrl: z.string().nullable().meta({ description: 'The Teams meeting link; only for organisers and registered attendees' }),
    capacity: z.number().int().nullable(),
    seatsLeft: z.number().int().nullable(),
    counts: z.object({ registered: z.number().int(), waitlisted: z.number().int(), requested: z.number().int() }),
    waitlist: z.boolean(),
    signupMethod: z.enum(SIGNUP_METHODS),
    signupDeadline: z.string().nullable(),
    guestsAllowed: z.boolean(),
    hideAttendees: z.boolean(),
    organizers: z.array(z.string()),
    status: z.enum(['scheduled', 'cancelled', 'completed']),
    reminderMinutes: z.array(z.number().int()),
    followUpDiscussionId: z.string().nullable(),
    sequence: z.number().int(),
    myRegistration: z.object({ status: z.string(), position: z.number().int().optional() }).nullable(),
    canManage: z.boolean(),
    // Whether the actor may sign themselves up now (allowed, open, not invite-only, a seat or a waitlist).
    canSignUp: z.boolean(),
    links: z.object({ web: z.string(), calendar: z.string() }),
    attachments: z.array(attachmentView).meta({ description: 'The files attached, in order; `available` false: no longer available' }),
    createdBy: z.string(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: 'Event' });

export const registrationView = z
  .object({
    id: z.string(),
    eventId: z.string(),
    userId: z.string(),
    displayName: z.string(),
    status: z.enum(['registered', 'waitlisted', 'requested', 'cancelled', 'declined', 'removed']),
    position: z.number().int().optional().meta({ description: '1-based place on the waitlist' }),
    organisation: z.string().nullable().optional(),
    email: z.string().nullable().optional().meta({ description: 'Organisers and the person only' }),
    isGuest: z.boolean().optional(),
    message: z.string().nullable().optional(),
    registeredAt: z.string().nullable().optional(),
    statusChangedAt: z.string().optional(),
    createdAt: z.string().optional(),
  })
  .meta({ id: 'Registration' });

export const calendarFeedView = z.object({ url: z.string().meta({ description: 'Shown once; keep it private' }), createdAt: z.string() }).meta({ id: 'CalendarFeed' });
export const calendarFeedStatus = z.object({ active: z.boolean(), createdAt: z.string().nullable(), lastUsedAt: z.string().nullable() });
