/**
 * Teams meetings linked to discussions (`/api/v1/meetings`, src/meetings/meetings.routes.ts)
 * and the attendance of online events (`/events/{id}/attendance`). The meeting is named by
 * its chat id from the Teams context.
 */
import type { ApiClient, DownloadedFile } from './api-client.js';

export type RefusalReason = 'blocked' | 'guests_not_allowed' | 'guests_disabled' | 'approval_required' | 'external_account' | 'unknown_person';
export type AdmissionOutcome = 'member' | 'invited' | 'approved' | 'already_invited' | 'requested';

export interface ListedPerson {
  userId: string | null;
  displayName: string;
  outcome?: AdmissionOutcome;
  reason?: RefusalReason;
}

export interface MeetingFollowUp {
  status: 'none' | 'pending' | 'running' | 'done';
  endedAt: string | null;
  attendeeSource: 'registrations' | 'attendanceReport' | 'invitees' | 'none';
  admitted: boolean;
  attendanceRecorded: boolean;
  people: ListedPerson[];
  notAdmitted: ListedPerson[];
  doneAt: string | null;
}

export interface MeetingLink {
  communityId: string;
  communityName: string;
  discussionId: string;
  discussionTitle: string;
  eventId: string | null;
  eventTitle: string | null;
  source: 'manual' | 'event';
  linkedBy: string;
  linkedAt: string;
}

/** A meeting as the API shows it to me (MeetingView in src/meetings/meetings.schemas.ts). */
export interface Meeting {
  chatId: string;
  subject: string;
  start: string | null;
  end: string | null;
  isOrganizer: boolean;
  link: MeetingLink | null;
  permissions: { canLink: boolean; canUnlink: boolean; canSeeFollowUp: boolean };
  followUp: MeetingFollowUp | null;
}

export interface LinkInput {
  chatId: string;
  meetingId?: string;
  communityId: string;
  discussionId?: string;
  discussion?: { title: string; body: string };
  eventId?: string | null;
}

export interface AttendanceRow {
  userId: string | null;
  displayName: string;
  email: string | null;
  organisation: string | null;
  registrationStatus: string | null;
  attended: boolean;
  attendedSeconds: number;
  firstJoin: string | null;
  lastLeave: string | null;
  role: string | null;
}

export interface Attendance {
  eventId: string;
  recordedAt: string | null;
  summary: { registered: number; attended: number; attendedRegistered: number; withoutRegistration: number };
  items: AttendanceRow[];
}

export function getMeeting(api: ApiClient, chatId: string, meetingId: string | undefined, signal?: AbortSignal): Promise<Meeting> {
  return api.get<Meeting>('/meetings/current', { query: { chatId, meetingId }, signal });
}

export function linkMeeting(api: ApiClient, input: LinkInput): Promise<Meeting> {
  return api.put<Meeting>('/meetings/link', input);
}

export function unlinkMeeting(api: ApiClient, chatId: string): Promise<void> {
  return api.delete('/meetings/link', { query: { chatId } });
}

export function getAttendance(api: ApiClient, eventId: string, signal?: AbortSignal): Promise<Attendance> {
  return api.get<Attendance>(`/events/${encodeURIComponent(eventId)}/attendance`, { signal });
}

export function downloadAttendance(api: ApiClient, eventId: string): Promise<DownloadedFile> {
  return api.file(`/events/${encodeURIComponent(eventId)}/attendance.csv`);
}
