/**
 * After a linked meeting ends: the people who were in it are let into the linked community
 * as its visibility and guest rules allow (meeting.policy.ts `admissionFor`) and follow the
 * discussion; those who were not let in are listed, with the reason, for the organiser.
 * Who was in it: the Meent event's registrations when the meeting is a session of one,
 * otherwise the meeting's attendance report from Graph (or, when no report comes, the people
 * invited). For online Meent events the attendance report is also recorded (attendance.service.ts)
 * and the event marked completed.
 *
 * The job is claimed with a guarded update (one runner per meeting, across instances; a run
 * that died is taken over after a while), and retried with growing pauses while Graph has no
 * report yet or is unavailable, for about four hours. Every step is idempotent: invitations
 * and follows that exist are left as they are.
 */
import type { Types } from 'mongoose';
import type { Logger } from 'pino';
import type { AuditSink } from '../audit/audit.port.js';
import { actorOfPerson, type Actor } from '../auth/actor.js';
import { resolveCommunityAccess } from '../communities/community-access.js';
import { membershipOf } from '../communities/communities.port.js';
import type { MembershipService } from '../communities/membership.service.js';
import type { DiscussionService } from '../discussions/discussion.service.js';
import { shownDiscussion } from '../discussions/discussions.port.js';
import { ConflictError, DomainError, NotFoundError } from '../errors/domain-errors.js';
import { eventById, registeredOfEvent, type EventRecord } from '../events/events.port.js';
import type { DirectoryGateway } from '../graph/directory-gateway.js';
import { GraphUnavailableError } from '../graph/graph-errors.js';
import type { AttendanceEntry } from '../graph/online-meetings-gateway.js';
import { ensurePersonKnown, type PeopleRepository } from '../members/people.repository.js';
import type { AttendanceService } from './attendance.service.js';
import type { MeetingDirectory } from './meeting-directory.js';
import { MAX_LISTED, type AttendeeSource, type ListedPerson } from './meeting-link.model.js';
import { claimFollowUp, dueFollowUps, updateMeetingLink, type MeetingLinkRecord } from './meetings.repository.js';
import { admissionFor, mayInvite } from './meeting.policy.js';
import { clockOf, type Clock } from '../time/clock.js';

export interface MeetingFollowUpDeps {
  directory: MeetingDirectory;
  memberships: Pick<MembershipService, 'add'>;
  discussions: Pick<DiscussionService, 'followQuietly'>;
  attendance: Pick<AttendanceService, 'record' | 'complete'>;
  people: Pick<PeopleRepository, 'find'>;
  /** The organisation's directory (guests found by e-mail address); absent without Graph. */
  directoryFor?: (tenantId: string) => DirectoryGateway | undefined;
  /** GUESTS_ALLOWED. */
  guestsAllowed: boolean;
  audit: AuditSink;
  logger: Pick<Logger, 'info' | 'warn' | 'error'>;
  now?: () => Date;
}

/** Someone who was in the meeting (or signed up for its event). */
export interface Attendee {
  userId: string | null;
  displayName: string;
  email: string | null;
  /** The account's tenant, when known (Graph). */
  tenantId: string | null;
  isGuest: boolean | null;
}

/** Pauses before the next try (minutes); the last one repeats until the attempts run out. */
const BACKOFF_MINUTES = [2, 5, 10, 20, 30, 60, 60, 60];
export const MAX_ATTEMPTS = BACKOFF_MINUTES.length + 1;
/** A run that has not finished after this long is taken to have died. */
const STALE_RUN_MS = 10 * 60_000;

type ReportState = { state: 'ready'; reportId: string; entries: AttendanceEntry[] } | { state: 'notYet' } | { state: 'unavailable'; reason: string };

export class MeetingFollowUps {
  private readonly now: Clock;

  constructor(private readonly deps: MeetingFollowUpDeps) {
    this.now = clockOf(deps);
  }

  /** Runs every follow-up that is due (the worker's pass); answers how many ran. */
  async runDue(limit = 20): Promise<number> {
    const now = this.now();
    const due = await dueFollowUps(now, new Date(now.getTime() - STALE_RUN_MS), limit);
    let ran = 0;
    for (const d of due) {
      try {
        if (await this.run(d.tenantId, d.chatId)) ran++;
      } catch (err) {
        this.deps.logger.error({ err, chatId: d.chatId }, 'meeting follow-up failed');
      }
    }
    return ran;
  }

  /** Runs the meeting's follow-up when it is due and nobody else runs it; answers whether it ran. */
  async run(tenantId: string, chatId: string): Promise<boolean> {
    const now = this.now();
    const claimed = await claimFollowUp(tenantId, chatId, now, new Date(now.getTime() - STALE_RUN_MS));
    if (!claimed) return false;
    const endKey = claimed.followUp.endKey;
    const set: Record<string, unknown> = {};
    let finished = false;
    try {
      finished = await this.work(claimed, set);
    } catch (err) {
      set['followUp.lastError'] = err instanceof DomainError ? err.code : 'internal_error';
      if (!(err instanceof DomainError) || err.retryable) this.deps.logger.warn({ err, chatId }, 'meeting follow-up will be retried');
      else finished = true;
    }
    const attempts = claimed.followUp.attempts;
    if (!finished && attempts >= MAX_ATTEMPTS) finished = true;
    if (finished) {
      // Whatever could not be read, a session of an event that has ended has taken place.
      if (claimed.eventId && !set['followUp.attendanceRecorded'] && !claimed.followUp.attendanceRecorded) await this.deps.attendance.complete(claimed.eventId);
      Object.assign(set, { 'followUp.status': 'done', 'followUp.doneAt': this.now(), 'followUp.runningSince': null });
    } else {
      const minutes = BACKOFF_MINUTES[Math.min(attempts, BACKOFF_MINUTES.length) - 1] ?? 60;
      Object.assign(set, { 'followUp.status': 'pending', 'followUp.dueAt': new Date(this.now().getTime() + minutes * 60_000), 'followUp.runningSince': null });
    }
    // Guarded by the end it ran for: a newer end of the meeting starts its own follow-up.
    await updateMeetingLink(tenantId, chatId, { 'followUp.status': 'running', 'followUp.endKey': endKey }, { $set: set });
    this.deps.logger.info({ chatId, finished, attempts }, 'meeting follow-up ran');
    return true;
  }

  /** One attempt; fills `set` with what changed; answers whether everything is done. */
  private async work(link: MeetingLinkRecord, set: Record<string, unknown>): Promise<boolean> {
    const event = link.eventId ? await eventById(link.eventId) : null;
    const wantsReport = (event !== null && event.online) || (!link.followUp.admitted && event === null);
    const needsAttendance = event !== null && event.online && !link.followUp.attendanceRecorded;
    const report = wantsReport && (needsAttendance || !link.followUp.admitted) ? await this.readReport(link, event) : ({ state: 'unavailable', reason: 'not_needed' } as ReportState);
    const lastTry = link.followUp.attempts >= MAX_ATTEMPTS;

    if (needsAttendance && event && report.state === 'ready') {
      const count = await this.deps.attendance.record(event, report.reportId, report.entries);
      set['followUp.attendanceRecorded'] = true;
      this.deps.logger.info({ eventId: String(event._id), attended: count }, 'attendance recorded');
    }

    if (!link.followUp.admitted) {
      let attendees: Attendee[] | null = null;
      let source: AttendeeSource = 'none';
      if (event) {
        attendees = await registeredAttendees(event._id);
        source = 'registrations';
      } else if (report.state === 'ready') {
        attendees = report.entries.map(fromEntry);
        source = 'attendanceReport';
      } else if (report.state === 'unavailable' || lastTry) {
        attendees = await this.invitees(link);
        source = attendees.length > 0 ? 'invitees' : 'none';
      }
      if (attendees !== null) {
        const outcome = await this.admit(link, attendees);
        Object.assign(set, { 'followUp.admitted': true, 'followUp.attendeeSource': source, 'followUp.people': outcome.people, 'followUp.notAdmitted': outcome.notAdmitted });
      }
    }
    const admitted = link.followUp.admitted || set['followUp.admitted'] === true;
    const attendanceDone = !needsAttendance || set['followUp.attendanceRecorded'] === true || report.state === 'unavailable';
    if (report.state === 'unavailable' && report.reason !== 'not_needed') set['followUp.lastError'] = report.reason;
    return admitted && attendanceDone;
  }

  /** The newest attendance report of the meeting, if Graph has one yet. */
  private async readReport(link: MeetingLinkRecord, event: EventRecord | null): Promise<ReportState> {
    if (!this.deps.directory.available(link.tenantId)) return { state: 'unavailable', reason: 'meeting_lookup_unavailable' };
    const gateway = this.deps.directory.gateway(link.tenantId);
    const organizerId = link.organizerId ?? event?.calendar.mailbox ?? null;
    const joinUrl = link.joinUrl ?? event?.calendar.joinUrl ?? null;
    if (!organizerId) return { state: 'unavailable', reason: 'organizer_unknown' };
    try {
      let meetingId = link.onlineMeetingId;
      if (!meetingId && joinUrl) {
        meetingId = (await gateway.findMeetingByJoinUrl(organizerId, joinUrl))?.id ?? null;
        if (meetingId) {
          await updateMeetingLink(link.tenantId, link.chatId, {}, { $set: { onlineMeetingId: meetingId } });
        }
      }
      if (!meetingId) return { state: 'unavailable', reason: 'meeting_not_found' };
      const reports = await gateway.attendanceReports(organizerId, meetingId);
      // The session that just ended: the report whose end is nearest to it.
      const endedAt = link.followUp.endedAt?.getTime() ?? this.now().getTime();
      const report = [...reports].sort((a, b) => Math.abs((a.meetingEnd?.getTime() ?? 0) - endedAt) - Math.abs((b.meetingEnd?.getTime() ?? 0) - endedAt))[0];
      if (!report) return { state: 'notYet' };
      return { state: 'ready', reportId: report.id, entries: await gateway.attendanceRecords(organizerId, meetingId, report.id) };
    } catch (err) {
      // Throttled or down: try again later. Not allowed or gone: no report for this meeting.
      if (err instanceof GraphUnavailableError) throw err;
      if (err instanceof DomainError && !err.retryable) return { state: 'unavailable', reason: err.code };
      throw err;
    }
  }

  /** The people invited to the meeting (organiser included), when no attendance report comes. */
  private async invitees(link: MeetingLinkRecord): Promise<Attendee[]> {
    if (!this.deps.directory.available(link.tenantId) || !link.organizerId || !link.joinUrl) return [];
    try {
      const meeting = await this.deps.directory.gateway(link.tenantId).findMeetingByJoinUrl(link.organizerId, link.joinUrl);
      if (!meeting) return [];
      return [meeting.organizer, ...meeting.attendees]
        .filter((p): p is NonNullable<typeof p> => p !== null)
        .map((p) => ({ userId: p.userId, displayName: p.displayName ?? p.email ?? '', email: p.email, tenantId: p.tenantId, isGuest: null }));
    } catch (err) {
      if (err instanceof DomainError && !err.retryable) return [];
      throw err;
    }
  }

  private async admit(link: MeetingLinkRecord, attendees: Attendee[]): Promise<{ people: ListedPerson[]; notAdmitted: ListedPerson[] }> {
    const people: ListedPerson[] = [];
    const notAdmitted: ListedPerson[] = [];
    // Only a discussion of the link's own community, not hidden, is one people are made to follow.
    const discussion = await shownDiscussion(link.tenantId, link);
    const linkerRecord = await this.deps.people.find(link.tenantId, link.linkedBy);
    if (!discussion || !linkerRecord) throw new NotFoundError('The linked discussion (or whoever linked it) is gone.', 'meeting_link_stale');
    const linker = actorOfPerson(linkerRecord);
    const access = await resolveCommunityAccess(linker, link.communityId);
    const community = access.community;
    const linkerMayInvite = mayInvite(linker, access.context.communityRole ?? null);
    // The admission policy has decided; the membership service carries the invitation out,
    // in the name of whoever linked (as the community's managers would, for public communities).
    const inviter: Actor = linkerMayInvite ? linker : { ...linker, isOrgAdmin: true };
    const seen = new Set<string>();

    for (const attendee of attendees.slice(0, MAX_LISTED * 2)) {
      const person = await this.identify(link.tenantId, attendee);
      const listed = { userId: person.userId, displayName: (person.displayName || attendee.email || '').slice(0, 256) };
      if (person.userId) {
        if (seen.has(person.userId)) continue;
        seen.add(person.userId);
      }
      const membership = person.userId ? await membershipOf(community._id, person.userId) : null;
      const decision = admissionFor({
        hasAccount: person.userId !== null || person.external,
        externalAccount: person.external,
        isGuest: person.isGuest,
        organisationAdmitsGuests: this.deps.guestsAllowed,
        community: { visibility: community.visibility, guestsAllowed: community.guestsAllowed === true },
        membership: membership?.status ?? null,
        linkerMayInvite,
      });
      if (!decision.admit || !person.userId) {
        if (notAdmitted.length < MAX_LISTED) notAdmitted.push({ ...listed, reason: decision.admit ? 'unknown_person' : decision.reason });
        continue;
      }
      let outcome = decision.outcome;
      if (decision.action !== 'follow' && person.userId !== link.linkedBy) {
        try {
          const result = await this.deps.memberships.add(decision.action === 'approve' ? linker : inviter, String(community._id), { userId: person.userId });
          if (result.outcome === 'unchanged') outcome = result.member.status === 'active' ? 'member' : 'already_invited';
          else await this.auditAdmission(link, person.userId, result.outcome);
        } catch (err) {
          const reason = err instanceof ConflictError && err.code === 'guests_not_allowed' ? 'guests_not_allowed' : err instanceof ConflictError && err.code === 'member_blocked' ? 'blocked' : err instanceof NotFoundError ? 'unknown_person' : null;
          if (err instanceof ConflictError && err.code === 'already_member') {
            outcome = 'member';
          } else if (reason) {
            if (notAdmitted.length < MAX_LISTED) notAdmitted.push({ ...listed, reason });
            continue;
          } else {
            throw err;
          }
        }
      }
      await this.deps.discussions.followQuietly({ ...actorOfPerson({ userId: person.userId, tenantId: link.tenantId, displayName: listed.displayName, isGuest: person.isGuest, isOrgAdmin: false }) }, discussion);
      if (people.length < MAX_LISTED) people.push({ ...listed, outcome });
    }
    return { people, notAdmitted };
  }

  /**
   * An invitation (or approval) the follow-up made, in the name of whoever linked the meeting,
   * and possibly with an organisation admin's right to invite (`inviter` above): recorded, as
   * a manager's own would be visible in the member list.
   */
  private async auditAdmission(link: MeetingLinkRecord, userId: string, outcome: string): Promise<void> {
    await this.deps.audit.record({
      tenantId: link.tenantId,
      kind: 'meeting.follow_up_admitted',
      actorId: link.linkedBy,
      subjectId: userId,
      details: { communityId: String(link.communityId), chatId: link.chatId, outcome },
    });
  }

  /**
   * Who the attendee is in this organisation: a person Meent knows, someone in the directory
   * (guests are found by e-mail address: their account here has another id than at home),
   * or an account of another organisation that is not a guest here.
   */
  private async identify(tenantId: string, attendee: Attendee): Promise<{ userId: string | null; displayName: string; isGuest: boolean; external: boolean }> {
    if (attendee.userId) {
      const known = await this.deps.people.find(tenantId, attendee.userId);
      if (known) return { userId: known.userId, displayName: known.displayName, isGuest: known.isGuest === true, external: false };
    }
    const foreign = attendee.tenantId !== null && attendee.tenantId !== tenantId.toLowerCase();
    if (attendee.email) {
      const directory = this.deps.directoryFor?.(tenantId);
      const found = directory ? await directory.findUserByEmail(attendee.email).catch((err: unknown) => {
        if (err instanceof DomainError && !err.retryable) return null;
        throw err;
      }) : null;
      if (found) {
        const isGuest = found.userType === 'Guest' || (found.userType === null && (found.userPrincipalName ?? '').includes('#EXT#'));
        const record = await ensurePersonKnown(tenantId, {
          userId: found.id,
          displayName: found.displayName ?? attendee.displayName,
          ...(found.mail ? { mail: found.mail } : {}),
          ...(found.userPrincipalName ? { userPrincipalName: found.userPrincipalName } : {}),
          isGuest,
        });
        return { userId: record.userId, displayName: record.displayName, isGuest: record.isGuest === true, external: false };
      }
    }
    if (!attendee.userId) return { userId: null, displayName: attendee.displayName, isGuest: false, external: false };
    if (foreign) return { userId: null, displayName: attendee.displayName, isGuest: true, external: true };
    // Someone of the organisation Meent has not seen yet.
    const record = await ensurePersonKnown(tenantId, { userId: attendee.userId, displayName: attendee.displayName || attendee.email || attendee.userId, ...(attendee.email ? { mail: attendee.email } : {}), isGuest: attendee.isGuest === true });
    return { userId: record.userId, displayName: record.displayName, isGuest: record.isGuest === true, external: false };
  }
}

async function registeredAttendees(eventId: Types.ObjectId): Promise<Attendee[]> {
  const rows = await registeredOfEvent(eventId);
  return rows.map((r) => ({ userId: r.userId, displayName: r.displayName, email: r.email, tenantId: null, isGuest: r.isGuest }));
}

function fromEntry(entry: AttendanceEntry): Attendee {
  return { userId: entry.userId, displayName: entry.displayName ?? entry.email ?? '', email: entry.email, tenantId: entry.tenantId, isGuest: null };
}
