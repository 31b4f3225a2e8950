/**
 * Teams meetings as Meent needs them, through Microsoft Graph: which meeting a meeting chat
 * belongs to (`GET /chats/{id}`: `onlineMeetingInfo` names its organiser and join URL), who is
 * in the chat, the online meeting itself found by its join URL, and its attendance reports.
 * `OnlineMeetingsGateway` is the port the domain owns; `GraphOnlineMeetingsGateway` maps
 * Graph's wire types in one function each (`fromGraphChat`, `fromGraphMeeting`,
 * `fromGraphReport`, `fromGraphRecord`).
 *
 * Permissions (app-only; the meetings capability calls with the app's own token):
 * - chats and chat members: the resource-specific `ChatSettings.Read.Chat` and
 *   `ChatMember.Read.Chat` granted when Meent is added to the meeting
 *   (https://learn.microsoft.com/en-us/graph/api/chat-get, https://learn.microsoft.com/en-us/graph/api/chat-list-members);
 * - online meetings by join URL: `OnlineMeetings.Read.All` plus an application access policy
 *   granted to the organiser (https://learn.microsoft.com/en-us/graph/api/onlinemeeting-get);
 * - attendance reports: `OnlineMeetingArtifact.Read.All` with the same access policy; Graph
 *   keeps at most the 50 latest reports and only for a year
 *   (https://learn.microsoft.com/en-us/graph/api/meetingattendancereport-list,
 *   https://learn.microsoft.com/en-us/graph/api/attendancerecord-list).
 */
import type { AadUserConversationMember, AttendanceRecord, Chat, MeetingAttendanceReport, MeetingParticipantInfo, OnlineMeeting } from '@microsoft/microsoft-graph-types';
import { segment, type GraphClient } from './graph-client.js';
import { GraphUnavailableError, withGraphErrors, withGraphErrorsOrNull } from './graph-errors.js';
import { listAll } from './graph-paging.js';
import { odataString } from './directory-gateway.js';

/** What a meeting chat says about its meeting. */
export interface MeetingChat {
  chatId: string;
  /** The chat's topic: Teams sets it to the meeting's subject. */
  topic: string | null;
  joinUrl: string | null;
  /** Entra object id of the organiser. */
  organizerId: string | null;
  /** The Outlook event of a scheduled meeting, in the organiser's calendar. */
  calendarEventId: string | null;
}

/** Someone in a meeting: an invitee, a chat member or an attendee. */
export interface MeetingPerson {
  /** Entra object id; null for anonymous and phone participants. */
  userId: string | null;
  displayName: string | null;
  email: string | null;
  /** The tenant the account lives in, when Graph says. */
  tenantId: string | null;
}

export interface OnlineMeetingDetails {
  /** Graph's online meeting id (for its artifacts). */
  id: string;
  subject: string | null;
  start: Date | null;
  end: Date | null;
  joinUrl: string | null;
  organizer: MeetingPerson | null;
  /** The people invited (not necessarily those who came). */
  attendees: MeetingPerson[];
}

export interface AttendanceReportSummary {
  id: string;
  meetingStart: Date | null;
  meetingEnd: Date | null;
  totalParticipantCount: number;
}

export interface AttendanceEntry extends MeetingPerson {
  /** `Organizer`, `Presenter`, `Attendee` or `None`. */
  role: string | null;
  attendedSeconds: number;
  firstJoin: Date | null;
  lastLeave: Date | null;
}

export interface OnlineMeetingsGateway {
  /** The meeting a chat belongs to; null when the chat is unknown or is not a meeting chat. */
  meetingChat(chatId: string): Promise<MeetingChat | null>;
  /** The chat's members (people only). */
  chatMembers(chatId: string): Promise<MeetingPerson[]>;
  /** The organiser's online meeting with this join URL; null when there is none. */
  findMeetingByJoinUrl(organizerId: string, joinUrl: string): Promise<OnlineMeetingDetails | null>;
  /** The meeting's attendance reports, one per session, newest first (empty before the first session has ended). */
  attendanceReports(organizerId: string, meetingId: string): Promise<AttendanceReportSummary[]>;
  /** Everyone in one report. */
  attendanceRecords(organizerId: string, meetingId: string, reportId: string): Promise<AttendanceEntry[]>;
}

export class GraphOnlineMeetingsGateway implements OnlineMeetingsGateway {
  private readonly graph: GraphClient;

  constructor(deps: { graph: GraphClient }) {
    this.graph = deps.graph;
  }

  async meetingChat(chatId: string): Promise<MeetingChat | null> {
    const chat = (await withGraphErrorsOrNull(() => this.graph.api(`/chats/${segment(chatId)}`).select(['id', 'topic', 'chatType', 'onlineMeetingInfo']).get())) as Chat | null;
    return chat ? fromGraphChat(chat) : null;
  }

  async chatMembers(chatId: string): Promise<MeetingPerson[]> {
    const { items } = await listAll<AadUserConversationMember>(this.graph, this.graph.api(`/chats/${segment(chatId)}/members`));
    return items.map(fromGraphMember).filter((m): m is MeetingPerson => m !== null);
  }

  async findMeetingByJoinUrl(organizerId: string, joinUrl: string): Promise<OnlineMeetingDetails | null> {
    // Graph's documented lookup when only the join URL is known; the SDK puts $filter in the URL as given, so we encode it.
    const filter = encodeURIComponent(`JoinWebUrl eq ${odataString(joinUrl)}`);
    const page = (await withGraphErrors(() => this.graph.api(`/users/${segment(organizerId)}/onlineMeetings`).filter(filter).get())) as { value?: OnlineMeeting[] };
    if (!Array.isArray(page?.value)) throw unreadable();
    const [meeting] = page.value;
    return meeting ? fromGraphMeeting(meeting) : null;
  }

  async attendanceReports(organizerId: string, meetingId: string): Promise<AttendanceReportSummary[]> {
    const { items } = await listAll<MeetingAttendanceReport>(this.graph, this.graph.api(`/users/${segment(organizerId)}/onlineMeetings/${segment(meetingId)}/attendanceReports`), { maxPages: 5 });
    return items.map(fromGraphReport).sort((a, b) => (b.meetingEnd?.getTime() ?? 0) - (a.meetingEnd?.getTime() ?? 0));
  }

  async attendanceRecords(organizerId: string, meetingId: string, reportId: string): Promise<AttendanceEntry[]> {
    const path = `/users/${segment(organizerId)}/onlineMeetings/${segment(meetingId)}/attendanceReports/${segment(reportId)}/attendanceRecords`;
    const { items } = await listAll<AttendanceRecord>(this.graph, this.graph.api(path), { maxPages: 100 });
    return items.map(fromGraphRecord);
  }
}

function unreadable(): GraphUnavailableError {
  return new GraphUnavailableError(undefined, 'graph_unavailable', 'Microsoft 365 answered with something Meent does not understand.');
}

function text(value: unknown): string | null {
  return typeof value === 'string' && value.trim() !== '' ? value : null;
}

function instant(value: unknown): Date | null {
  if (typeof value !== 'string') return null;
  const at = new Date(value);
  return Number.isNaN(at.getTime()) ? null : at;
}

/** Graph's chat -> `MeetingChat`; a chat without `onlineMeetingInfo` is no meeting chat. */
export function fromGraphChat(chat: Chat): MeetingChat | null {
  if (typeof chat.id !== 'string' || chat.id === '') throw unreadable();
  const info = chat.onlineMeetingInfo;
  if (!info) return null;
  return {
    chatId: chat.id,
    topic: text(chat.topic),
    joinUrl: text(info.joinWebUrl),
    organizerId: text(info.organizer?.id)?.toLowerCase() ?? null,
    calendarEventId: text(info.calendarEventId),
  };
}

function fromGraphMember(member: AadUserConversationMember): MeetingPerson | null {
  const userId = text(member.userId);
  if (!userId) return null;
  return { userId: userId.toLowerCase(), displayName: text(member.displayName), email: text(member.email), tenantId: text(member.tenantId)?.toLowerCase() ?? null };
}

function fromParticipant(participant: MeetingParticipantInfo | null | undefined): MeetingPerson | null {
  if (!participant) return null;
  const user = participant.identity?.user as { id?: string | null; displayName?: string | null; tenantId?: string | null } | null | undefined;
  const userId = text(user?.id);
  return { userId: userId?.toLowerCase() ?? null, displayName: text(user?.displayName), email: text(participant.upn), tenantId: text(user?.tenantId)?.toLowerCase() ?? null };
}

export function fromGraphMeeting(meeting: OnlineMeeting): OnlineMeetingDetails {
  if (typeof meeting.id !== 'string' || meeting.id === '') throw unreadable();
  return {
    id: meeting.id,
    subject: text(meeting.subject),
    start: instant(meeting.startDateTime),
    end: instant(meeting.endDateTime),
    joinUrl: text(meeting.joinWebUrl),
    organizer: fromParticipant(meeting.participants?.organizer),
    attendees: (meeting.participants?.attendees ?? []).map(fromParticipant).filter((p): p is MeetingPerson => p !== null),
  };
}

export function fromGraphReport(report: MeetingAttendanceReport): AttendanceReportSummary {
  if (typeof report.id !== 'string' || report.id === '') throw unreadable();
  return { id: report.id, meetingStart: instant(report.meetingStartDateTime), meetingEnd: instant(report.meetingEndDateTime), totalParticipantCount: report.totalParticipantCount ?? 0 };
}

export function fromGraphRecord(record: AttendanceRecord): AttendanceEntry {
  // identity is a communicationsUserIdentity for Teams users (id, displayName, tenantId).
  const identity = record.identity as { id?: string | null; displayName?: string | null; tenantId?: string | null } | null | undefined;
  const intervals = record.attendanceIntervals ?? [];
  const joins = intervals.map((i) => instant(i.joinDateTime)).filter((d): d is Date => d !== null);
  const leaves = intervals.map((i) => instant(i.leaveDateTime)).filter((d): d is Date => d !== null);
  const userId = text(identity?.id);
  return {
    userId: userId && /^[0-9a-f-]{36}$/i.test(userId) ? userId.toLowerCase() : null,
    displayName: text(identity?.displayName),
    email: text(record.emailAddress),
    tenantId: text(identity?.tenantId)?.toLowerCase() ?? null,
    role: text(record.role),
    attendedSeconds: Math.max(0, Math.round(record.totalAttendanceInSeconds ?? intervals.reduce((sum, i) => sum + (i.durationInSeconds ?? 0), 0))),
    firstJoin: joins.length > 0 ? new Date(Math.min(...joins.map((d) => d.getTime()))) : null,
    lastLeave: leaves.length > 0 ? new Date(Math.max(...leaves.map((d) => d.getTime()))) : null,
  };
}
