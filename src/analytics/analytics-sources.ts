/**
 * Figures that come from other capabilities' data rather than from recorded events: members
 * (from the communities capability's port), and the ports the integrator wires for the rest
 * (consultation response rates from the consultations capability, attendance, questions).
 * A figure whose source is absent is shown as "—".
 */
import { activeMembersOf, tenantCommunityIds } from '../communities/communities.port.js';

export interface Period {
  from: Date;
  /** Exclusive. */
  to: Date;
}

export interface MemberFigures {
  /** Active members at the end of the period (people counted once across communities). */
  members: number;
  /** Of them, joined during the period. */
  joined: number;
  /** Of them, guests. */
  guests: number;
}

export interface AnalyticsSources {
  members?(tenantId: string, communityIds: readonly string[] | null, period: Period): Promise<MemberFigures>;
  /** Consultations (issue 13): people invited to answer and people who answered, of consultations open in the period. */
  consultationFigures?(tenantId: string, communityIds: readonly string[] | null, from: Date, to: Date): Promise<{ invited: number; responded: number }>;
  /** Events: registrations of events held in the period, and how many of them attended. */
  attendance?(tenantId: string, communityIds: readonly string[] | null, from: Date, to: Date): Promise<{ registered: number; attended: number }>;
  /** Discussions: people who posted, reacted or signed up; questions answered and the median hours to their first reply. */
  activity?(tenantId: string, communityIds: readonly string[] | null, from: Date, to: Date): Promise<{ activeMembers: number; questionsAnswered: number; medianHoursToFirstAnswer: number | null }>;
}

/** Members from the communities capability: who is an active member at the end of the period. */
export async function membersFromCommunities(tenantId: string, communityIds: readonly string[] | null, period: Period): Promise<MemberFigures> {
  const ids = communityIds ?? (await tenantCommunityIds(tenantId));
  const people = new Map<string, { joinedAt: number; guest: boolean }>();
  for (const id of ids) {
    for (const m of await activeMembersOf(id)) {
      const joinedAt = m.joinedAt?.getTime() ?? 0;
      if (joinedAt >= period.to.getTime()) continue;
      const seen = people.get(m.userId);
      // Someone in several communities joined the scope when they first joined any of them.
      if (!seen || joinedAt < seen.joinedAt) people.set(m.userId, { joinedAt, guest: m.isGuest === true });
    }
  }
  let joined = 0;
  let guests = 0;
  for (const p of people.values()) {
    if (p.joinedAt >= period.from.getTime()) joined += 1;
    if (p.guest) guests += 1;
  }
  return { members: people.size, joined, guests };
}
