/**
 * The events resource (`/api/v1/events`, src/events/events.routes.ts): events I may see,
 * one event, sign-ups and the attendee list, the `.ics` invitation and the CSV export.
 */
import type { ApiClient, DownloadedFile } from './api-client.js';
import type { Attachment, AttachmentRef } from './attachments-api.js';
import type { Page, PageOptions } from './page.js';

import type { RegistrationStatus, RegistrationView } from '../../../src/events/registration-view.js';

export type { RegistrationStatus };
export type SignupMethod = 'open' | 'request' | 'invite';

/** An event as the API shows it to me (EventView in src/events/event.service.ts). */
export interface MeentEvent {
  id: string;
  communityId: string | null;
  scope: 'community' | 'organisation';
  title: string;
  description: { source: string; html: string };
  /** ISO instants. */
  start: string;
  end: string;
  /** The organiser's IANA time zone (we show times in the reader's own). */
  timeZone: string;
  location: { name: string; address?: Record<string, string> } | null;
  online: boolean;
  joinUrl: string | null;
  capacity: number | null;
  seatsLeft: number | null;
  counts: { registered: number; waitlisted: number; requested: number };
  waitlist: boolean;
  signupMethod: SignupMethod | string;
  signupDeadline: string | null;
  guestsAllowed: boolean;
  hideAttendees: boolean;
  organizers: string[];
  status: 'scheduled' | 'cancelled' | 'completed';
  followUpDiscussionId: string | null;
  myRegistration: { status: RegistrationStatus; position?: number } | null;
  canManage: boolean;
  /** The server's answer: allowed, open, not invite-only, a seat or a waitlist. */
  canSignUp: boolean;
  links: { web: string; calendar: string };
  /** The files attached, as the server sends them (read with `readAttachments`). */
  attachments?: Attachment[];
}

/** A registration, as the server shows it. */
export type Registration = RegistrationView;

export interface EventQuery extends PageOptions {
  /** ISO instants: events starting in [from, to). */
  from?: string;
  to?: string;
  mine?: boolean;
  past?: boolean;
  communityId?: string;
}

export interface EventInput {
  title: string;
  description?: string;
  start: string;
  end: string;
  timeZone?: string;
  location?: { name: string } | null;
  online?: boolean;
  capacity?: number | null;
  waitlist?: boolean;
  signupMethod?: SignupMethod;
  guestsAllowed?: boolean;
  hideAttendees?: boolean;
  followUpDiscussionId?: string | null;
  communityId?: string | null;
  /** Every organiser, the creator included (changes only). */
  organizers?: string[];
  /** The files, in order (issue 21): an edit sends them only when they changed. */
  attachments?: AttachmentRef[];
}

const path = (id: string) => `/events/${encodeURIComponent(id)}`;

export function listEvents(api: ApiClient, query: EventQuery = {}): Promise<Page<MeentEvent>> {
  const { signal, communityId, mine, past, ...rest } = query;
  const base = communityId ? `/communities/${encodeURIComponent(communityId)}/events` : '/events';
  return api.get<Page<MeentEvent>>(base, { query: { ...rest, mine: mine ? 'true' : undefined, past: past ? 'true' : undefined }, signal });
}

export function getEvent(api: ApiClient, id: string, signal?: AbortSignal): Promise<MeentEvent> {
  return api.get<MeentEvent>(path(id), { signal });
}

export function createEvent(api: ApiClient, input: EventInput): Promise<MeentEvent> {
  const { communityId, ...body } = input;
  return api.post<MeentEvent>(communityId ? `/communities/${encodeURIComponent(communityId)}/events` : '/events', body);
}

export function updateEvent(api: ApiClient, id: string, changes: Partial<EventInput>): Promise<MeentEvent> {
  return api.patch<MeentEvent>(path(id), changes);
}

/** DELETE cancels the event (everyone signed up is told). */
export function cancelEvent(api: ApiClient, id: string, reason?: string): Promise<MeentEvent> {
  return api.request<MeentEvent>('DELETE', path(id), { body: reason ? { reason } : {} });
}

/** Signs me up: `registered`, `waitlisted` (with `position`) or `requested`; twice returns the same. */
export function signUp(api: ApiClient, id: string, message?: string): Promise<Registration> {
  return api.post<Registration>(`${path(id)}/registrations`, message ? { message } : {});
}

export function cancelSignUp(api: ApiClient, id: string): Promise<Registration> {
  return api.delete<Registration>(`${path(id)}/registrations/me`);
}

export function listRegistrations(api: ApiClient, id: string, options: PageOptions & { status?: RegistrationStatus } = {}): Promise<Page<Registration>> {
  return api.get<Page<Registration>>(`${path(id)}/registrations`, { query: { status: options.status, cursor: options.cursor, limit: options.limit }, signal: options.signal });
}

/** Gives someone a seat (organisers; the waitlist when full): how invite-only events get their invitees. */
export function addAttendee(api: ApiClient, id: string, userId: string): Promise<Registration> {
  return api.put<Registration>(`${path(id)}/registrations/${encodeURIComponent(userId)}`);
}

export function decideRegistration(api: ApiClient, id: string, userId: string, action: 'approve' | 'decline'): Promise<Registration> {
  return api.patch<Registration>(`${path(id)}/registrations/${encodeURIComponent(userId)}`, { action });
}

export function downloadInvitation(api: ApiClient, id: string): Promise<DownloadedFile> {
  return api.file(`${path(id)}/calendar.ics`);
}

export function downloadAttendees(api: ApiClient, id: string): Promise<DownloadedFile> {
  return api.file(`${path(id)}/registrations.csv`);
}
