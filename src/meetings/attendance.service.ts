/**
 * Attendance of online Meent events: recorded from the Teams meeting's attendance report
 * once the meeting has ended (which also marks the event completed), and shown to the
 * event's organisers next to the registrations, with a CSV export.
 */
import type mongoose from 'mongoose';
import type { AuditSink } from '../audit/audit.port.js';
import type { Actor } from '../auth/actor.js';
import { csvFile, type CsvFile } from '../content/csv.js';
import { resolveEventAccess } from '../events/event-access.js';
import { completeStartedEvent, eventTitle, registrationsOfEvent, type EventRecord } from '../events/events.port.js';
import type { AttendanceEntry } from '../graph/online-meetings-gateway.js';
import type { PeopleRepository } from '../members/people.repository.js';
import { attendanceOfEvent, replaceAttendance, type AttendanceRecord } from './meetings.repository.js';
import type { AttendanceView } from './meetings.schemas.js';
import { clockOf, type Clock } from '../time/clock.js';

export interface AttendanceServiceDeps {
  people: Pick<PeopleRepository, 'findMany'>;
  audit: AuditSink;
  now?: () => Date;
}

/** Statuses shown next to attendance: everyone who was, or asked to be, signed up. */
const SHOWN_STATUSES = new Set(['registered', 'waitlisted', 'requested']);

export class AttendanceService {
  private readonly now: Clock;

  constructor(private readonly deps: AttendanceServiceDeps) {
    this.now = clockOf(deps);
  }

  /**
   * Replaces the event's attendance with one report's records (matched to registrations by
   * account, then by e-mail address) and marks the event completed once it has begun.
   * Answers how many people attended.
   */
  async record(event: Pick<EventRecord, '_id' | 'tenantId' | 'start'>, reportId: string, entries: AttendanceEntry[]): Promise<number> {
    const registrations = await registrationsOfEvent(event._id);
    const byUser = new Map(registrations.map((r) => [r.userId.toLowerCase(), r]));
    const byEmail = new Map(registrations.filter((r) => r.email).map((r) => [(r.email ?? '').toLowerCase(), r]));
    const rows = new Map<string, Omit<AttendanceRecord, '_id' | 'createdAt' | 'updatedAt'>>();
    for (const entry of entries) {
      const email = entry.email?.toLowerCase() ?? null;
      const registration = (entry.userId ? byUser.get(entry.userId) : undefined) ?? (email ? byEmail.get(email) : undefined);
      const userId = entry.userId ?? registration?.userId ?? null;
      const key = userId ? `user:${userId}` : email ? `email:${email}` : `name:${(entry.displayName ?? '').trim().toLowerCase() || 'anonymous'}`;
      const seen = rows.get(key);
      // Someone who rejoined from a second device is one attendee: their time adds up.
      if (seen) {
        seen.attendedSeconds += entry.attendedSeconds;
        seen.firstJoin = earliest(seen.firstJoin, entry.firstJoin);
        seen.lastLeave = latest(seen.lastLeave, entry.lastLeave);
        continue;
      }
      rows.set(key, {
        tenantId: event.tenantId,
        eventId: event._id,
        key,
        userId,
        displayName: (entry.displayName ?? email ?? '').slice(0, 256),
        email,
        role: entry.role,
        attendedSeconds: entry.attendedSeconds,
        firstJoin: entry.firstJoin,
        lastLeave: entry.lastLeave,
        registrationId: registration?._id ?? null,
        reportId,
      });
    }
    // The report is the whole truth about the session: rows from an earlier read go.
    await replaceAttendance(event._id, rows);
    await this.complete(event._id);
    return rows.size;
  }

  /** Marks a scheduled event that has begun completed (it has taken place); a meeting held before the event changes nothing. */
  async complete(eventId: mongoose.Types.ObjectId): Promise<boolean> {
    return completeStartedEvent(eventId, this.now());
  }

  /** Registrations with attendance, for the event's organisers. */
  async list(actor: Actor, eventId: string): Promise<AttendanceView> {
    const access = await resolveEventAccess(actor, eventId);
    access.authorize('attendees.manage');
    const [registrations, attendance] = await Promise.all([
      registrationsOfEvent(access.event._id),
      attendanceOfEvent(access.event._id),
    ]);
    const shown = registrations.filter((r) => SHOWN_STATUSES.has(r.status) || attendance.some((a) => a.registrationId?.equals(r._id)));
    const byRegistration = new Map(attendance.filter((a) => a.registrationId).map((a) => [String(a.registrationId), a]));
    const people = await this.deps.people.findMany(actor.tenantId, shown.map((r) => r.userId));
    const items: AttendanceView['items'] = shown.map((r) => {
      const a = byRegistration.get(String(r._id));
      return {
        userId: r.userId,
        displayName: r.displayName || people.get(r.userId)?.displayName || r.userId,
        email: r.email ?? people.get(r.userId)?.mail ?? null,
        organisation: r.organisation ?? people.get(r.userId)?.profile?.organisation ?? null,
        registrationStatus: r.status,
        attended: a !== undefined,
        attendedSeconds: a?.attendedSeconds ?? 0,
        firstJoin: a?.firstJoin?.toISOString() ?? null,
        lastLeave: a?.lastLeave?.toISOString() ?? null,
        role: a?.role ?? null,
      };
    });
    const walkIns = attendance.filter((a) => !a.registrationId);
    for (const a of walkIns) {
      items.push({
        userId: a.userId,
        displayName: a.displayName || a.email || '',
        email: a.email,
        organisation: null,
        registrationStatus: null,
        attended: true,
        attendedSeconds: a.attendedSeconds,
        firstJoin: a.firstJoin?.toISOString() ?? null,
        lastLeave: a.lastLeave?.toISOString() ?? null,
        role: a.role,
      });
    }
    const order = (row: AttendanceView['items'][number]) => (row.registrationStatus === 'registered' ? 0 : row.registrationStatus === null ? 1 : 2);
    items.sort((a, b) => order(a) - order(b) || a.displayName.localeCompare(b.displayName, 'nl'));
    const recordedAt = attendance.reduce<Date | null>((at, a) => latest(at, a.updatedAt), null);
    return {
      eventId: String(access.event._id),
      recordedAt: recordedAt?.toISOString() ?? null,
      summary: {
        registered: registrations.filter((r) => r.status === 'registered').length,
        attended: attendance.length,
        attendedRegistered: attendance.length - walkIns.length,
        withoutRegistration: walkIns.length,
      },
      items,
    };
  }

  async exportCsv(actor: Actor, eventId: string): Promise<CsvFile> {
    const view = await this.list(actor, eventId);
    const title = await eventTitle(view.eventId);
    const rows = view.items.map((r) => [
      r.displayName,
      r.email ?? '',
      r.organisation ?? '',
      r.registrationStatus ?? 'none',
      r.attended ? 'yes' : 'no',
      String(Math.round(r.attendedSeconds / 60)),
      r.firstJoin ?? '',
      r.lastLeave ?? '',
    ]);
    // Personal data leaves Meent: who took it, of which event, how many people.
    await this.deps.audit.record({ tenantId: actor.tenantId, kind: 'event.attendance_exported', actorId: actor.userId, subjectId: view.eventId, details: { count: rows.length } });
    return csvFile('attendance', title ?? '', ['Name', 'E-mail', 'Organisation', 'Registration', 'Attended', 'Minutes', 'First joined', 'Last left'], rows);
  }
}

function earliest(a: Date | null, b: Date | null): Date | null {
  if (!a) return b;
  if (!b) return a;
  return a.getTime() <= b.getTime() ? a : b;
}

function latest(a: Date | null, b: Date | null): Date | null {
  if (!a) return b;
  if (!b) return a;
  return a.getTime() >= b.getTime() ? a : b;
}
