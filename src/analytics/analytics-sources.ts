/**
 * Figures that come from other capabilities' data rather than from recorded events: members
 * (counted from the communities capability's memberships: once a day by the rollup job into
 * the daily rollups, and for the current day live, bounded and cached), and the ports the
 * integrator wires for the rest (consultation response rates, attendance, questions).
 * A figure whose source is absent is shown as "—".
 */
import { Types } from 'mongoose';
import { activeMembershipsOfTenant, tenantCommunityIds } from '../communities/communities.port.js';
import { discussionActivityBetween } from '../discussions/discussions.port.js';
import { eventActivityBetween } from '../events/events.port.js';
import { attendanceReportsOf } from '../meetings/meetings.port.js';
import { clockOf, type Clock } from '../time/clock.js';

export interface Period {
  from: Date;
  /** Exclusive. */
  to: Date;
}

/** A scope's members at one moment. */
export interface MemberCounts {
  /** Active members (in the organisation's count, people counted once across communities). */
  members: number;
  /** Of them, joined the scope within the counted day. */
  newMembers: number;
  /** Of them, guests. */
  guests: number;
}

/** Member counts per scope: each community's id, and null for the organisation. */
export type MemberCountsByScope = Map<string | null, MemberCounts>;

export interface AnalyticsSources {
  /** Consultations (issue 13): people invited to answer and people who answered, of consultations open in the period. */
  consultationFigures?(tenantId: string, communityIds: readonly string[] | null, from: Date, to: Date): Promise<{ invited: number; responded: number }>;
  /** Events: registrations of events held in the period, and how many of them attended. */
  attendance?(tenantId: string, communityIds: readonly string[] | null, from: Date, to: Date): Promise<{ registered: number; attended: number }>;
  /** Discussions and events: people who started a discussion, replied or signed up; questions answered and the median hours to their first answer. */
  activity?(tenantId: string, communityIds: readonly string[] | null, from: Date, to: Date): Promise<ActivityFigures>;
}

export interface ActivityFigures {
  activeMembers: number;
  /** Questions asked in the period that have an accepted answer or a reply from someone other than the asker. */
  questionsAnswered: number;
  medianHoursToFirstAnswer: number | null;
  /** How many answered questions the median is taken over (fewer than 5: withheld). */
  questionsTimed: number;
}

const objectIds = (ids: readonly string[] | null) => (ids === null ? null : ids.filter((id) => Types.ObjectId.isValid(id)).map((id) => new Types.ObjectId(id)));

/**
 * Active members, from the discussions and events capabilities: the distinct people who, in
 * the period, started a discussion, replied, or signed up for an event. Not from the recorded
 * page views: their visitor pseudonyms change every day and cannot be joined across days (by
 * design), so "people with at least one action in the period" is counted from what people
 * wrote and signed up for, by user id, and only the count leaves this function. Reactions and
 * plain reading do not make someone active here. Also the questions: asked in the period, answered (accepted, or a
 * reply by someone other than the asker, at any time up to now), and the median hours from
 * asking to that first answer.
 */
export async function activityFromCapabilities(tenantId: string, communityIds: readonly string[] | null, from: Date, to: Date): Promise<ActivityFigures> {
  const ids = objectIds(communityIds);
  const [discussions, events] = await Promise.all([discussionActivityBetween(tenantId, ids, from, to), eventActivityBetween(tenantId, ids, from, to)]);
  const active = new Set([...discussions.authors, ...events.registrants]);
  const answered = discussions.questions.filter((q) => q.accepted || q.firstAnswerAt !== null);
  const hours = discussions.questions.flatMap((q) => (q.firstAnswerAt ? [(q.firstAnswerAt.getTime() - q.askedAt.getTime()) / 3_600_000] : [])).sort((a, b) => a - b);
  return { activeMembers: active.size, questionsAnswered: answered.length, medianHoursToFirstAnswer: median(hours), questionsTimed: hours.length };
}

/**
 * Attendance, from the events and meetings capabilities: of the events that started in the
 * period and whose Teams attendance report was read (online events; an event without a report
 * says nothing about who came and is left out), the registrations that stood at registered,
 * and how many of them attended.
 */
export async function attendanceFromCapabilities(tenantId: string, communityIds: readonly string[] | null, from: Date, to: Date): Promise<{ registered: number; attended: number }> {
  const { heldRegistrations } = await eventActivityBetween(tenantId, objectIds(communityIds), from, to);
  const reports = await attendanceReportsOf([...new Map(heldRegistrations.map((r) => [String(r.eventId), r.eventId])).values()]);
  let registered = 0;
  let attended = 0;
  for (const r of heldRegistrations) {
    const report = reports.get(String(r.eventId));
    if (!report) continue;
    registered += 1;
    if (report.has(String(r.registrationId))) attended += 1;
  }
  return { registered, attended };
}

function median(sorted: readonly number[]): number | null {
  if (sorted.length === 0) return null;
  const mid = Math.floor(sorted.length / 2);
  const value = sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  return Math.round(value * 10) / 10;
}

/**
 * Every scope's members of the tenant as the memberships stand now, leaving out who joined at
 * or after `day.to` (a count made just after midnight is the day's); `newMembers` are those who
 * joined within `day`. One read of the tenant's active memberships for all scopes at once.
 */
export async function countMembers(tenantId: string, day: Period): Promise<MemberCountsByScope> {
  const [communities, memberships] = await Promise.all([tenantCommunityIds(tenantId), activeMembershipsOfTenant(tenantId)]);
  const from = day.from.getTime();
  const to = day.to.getTime();
  const scopes: MemberCountsByScope = new Map(communities.map((id) => [id, { members: 0, newMembers: 0, guests: 0 }]));
  const people = new Map<string, { joinedAt: number; guest: boolean }>();
  for (const m of memberships) {
    const joinedAt = m.joinedAt?.getTime() ?? 0;
    if (joinedAt >= to) continue;
    const scope = scopes.get(String(m.communityId));
    if (scope) {
      scope.members += 1;
      if (joinedAt >= from) scope.newMembers += 1;
      if (m.isGuest) scope.guests += 1;
    }
    const seen = people.get(m.userId);
    // Someone in several communities joined the organisation when they first joined any of them.
    if (!seen || joinedAt < seen.joinedAt) people.set(m.userId, { joinedAt, guest: m.isGuest === true });
  }
  const organisation: MemberCounts = { members: people.size, newMembers: 0, guests: 0 };
  for (const p of people.values()) {
    if (p.joinedAt >= from) organisation.newMembers += 1;
    if (p.guest) organisation.guests += 1;
  }
  scopes.set(null, organisation);
  return scopes;
}

/** How long a live count of the current day is reused. */
export const LIVE_MEMBERS_TTL_MS = 60_000;

/**
 * The current day's member counts, live but bounded: one count per tenant (all its scopes at
 * once) at most every `ttlMs`, shared by the questions that arrive meanwhile. So the current
 * day's member figure may be up to a minute stale; past days come from the snapshots the
 * rollup job writes just after each day ends.
 */
export class LiveMemberCounts {
  private readonly now: Clock;
  private readonly ttlMs: number;
  private readonly count: typeof countMembers;
  private readonly cache = new Map<string, { at: number; counts: Promise<MemberCountsByScope> }>();

  constructor(options: { now?: Clock; ttlMs?: number; count?: typeof countMembers } = {}) {
    this.now = clockOf(options);
    this.ttlMs = options.ttlMs ?? LIVE_MEMBERS_TTL_MS;
    this.count = options.count ?? countMembers;
  }

  of(tenantId: string, day: Period): Promise<MemberCountsByScope> {
    const at = this.now().getTime();
    for (const [key, entry] of this.cache) if (at - entry.at >= this.ttlMs) this.cache.delete(key);
    const key = `${tenantId}\u0000${day.from.getTime()}`;
    const cached = this.cache.get(key);
    if (cached) return cached.counts;
    const counts = this.count(tenantId, day);
    this.cache.set(key, { at, counts });
    // A failed count is not kept: the next question tries again.
    counts.catch(() => this.cache.delete(key));
    return counts;
  }
}
