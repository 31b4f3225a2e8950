/**
 * The consultations' part of the analytics dashboard (src/analytics/analytics-sources.ts,
 * `consultationFigures`): for a tenant, a set of communities and a period, the people invited
 * to answer and those who answered, summed over the consultations open at some moment of the
 * period. Only counts leave this module: no titles, no answers, no person.
 *
 * `invited` is each consultation's audience as it is now (active members, guests where its
 * audience and the community admit them), the denominator the consultation's own response
 * rate uses; a history of the audience is not kept. `responded` is exact (the tallies).
 */
import { Types } from 'mongoose';
import { communitiesByIds, countActiveMembers } from '../communities/communities.port.js';
import { guestsInAudience } from './consultation-audience.js';
import { consultationsOpenDuring, talliesOfMany } from './consultation.repository.js';
import { respondentsOf } from './consultation-results.js';
import type { TallyRecord } from './consultation-response.model.js';

/** More consultations than any panel runs in the longest period the dashboard shows (a year). */
const MAX_CONSULTATIONS = 2_000;

export interface ConsultationFigures {
  invited: number;
  responded: number;
}

export async function consultationResponseFigures(tenantId: string, communityIds: readonly string[] | null, from: Date, to: Date): Promise<ConsultationFigures> {
  const ids = communityIds?.filter((id) => Types.ObjectId.isValid(id)).map((id) => new Types.ObjectId(id)) ?? null;
  if (ids && ids.length === 0) return { invited: 0, responded: 0 };
  const consultations = await consultationsOpenDuring(tenantId, ids, from, to, MAX_CONSULTATIONS);
  if (consultations.length === 0) return { invited: 0, responded: 0 };
  const communities = await communitiesByIds([...new Map(consultations.map((c) => [String(c.communityId), c.communityId as Types.ObjectId])).values()]);
  const tallies = new Map<string, TallyRecord[]>();
  for (const t of await talliesOfMany(consultations.map((c) => c._id))) tallies.set(String(t.consultationId), [...(tallies.get(String(t.consultationId)) ?? []), t]);
  // One count per community and audience kind, shared by its consultations.
  const sizes = new Map<string, Promise<number>>();
  let invited = 0;
  let responded = 0;
  for (const c of consultations) {
    const community = communities.get(String(c.communityId));
    if (!community || community.tenantId !== tenantId) continue;
    const withGuests = guestsInAudience(c, community);
    const key = `${String(community._id)}:${withGuests}`;
    let size = sizes.get(key);
    if (!size) {
      size = countActiveMembers(community, withGuests);
      sizes.set(key, size);
    }
    const asked = await size;
    invited += asked;
    // A respondent who left since still counts as having answered: never more than were asked (as the consultation's own rate).
    responded += Math.min(respondentsOf(tallies.get(String(c._id)) ?? []), asked);
  }
  return { invited, responded };
}
