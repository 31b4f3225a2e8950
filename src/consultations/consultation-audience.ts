/**
 * Who a consultation asks, and how many they are (the response rate's denominator).
 *
 * Counting a community's active memberships is the expensive part of a consultation's view and
 * results: on FerretDB a count of 30,000 memberships took 4.5 s of a 4.9 s results request
 * (bench/consultations.ts, `results.parts`), while reading the tallies took 18 ms. So the size
 * is counted at most once per FRESH_MS per community (and audience kind) in each process, and
 * shared by every consultation of that community.
 *
 * Bounded staleness, on purpose: a size is used as it is for FRESH_MS (15 s) after it was
 * counted; between FRESH_MS and MAX_STALE_MS (60 s) the old size is still answered while one
 * recount runs in the background; older than MAX_STALE_MS a request waits for the recount. So
 * a join or a leave shows in the response rate within 60 s. Respondents are exact at all
 * times (the tallies), and the rate is capped at 1 (consultation-results.ts) for the moment a
 * respondent left and the size already knows it.
 */
import type { Types } from 'mongoose';
import { activeMembersOf, countActiveMembers } from '../communities/communities.port.js';
import type { Clock } from '../time/clock.js';
import type { ConsultationRecord } from './consultation.model.js';

export const AUDIENCE_FRESH_MS = 15_000;
export const AUDIENCE_MAX_STALE_MS = 60_000;

interface Community {
  _id: Types.ObjectId;
  guestsAllowed?: boolean | null;
}

interface Entry {
  size: number;
  countedAt: number;
}

/** Whether the consultation's audience takes in the community's guests. */
export function guestsInAudience(c: Pick<ConsultationRecord, 'audience'>, community: Pick<Community, 'guestsAllowed'>): boolean {
  return c.audience === 'membersAndGuests' && community.guestsAllowed === true;
}

/** The people in the consultation's audience: active members, guests only where admitted. */
export async function audienceOf(c: Pick<ConsultationRecord, 'audience'>, community: Community): Promise<string[]> {
  const withGuests = guestsInAudience(c, community);
  return (await activeMembersOf(community._id)).filter((m) => withGuests || m.isGuest !== true).map((m) => m.userId);
}

export class AudienceSizes {
  private readonly entries = new Map<string, Entry>();
  private readonly counting = new Map<string, Promise<number>>();

  constructor(private readonly now: Clock) {}

  async of(c: Pick<ConsultationRecord, 'audience'>, community: Community): Promise<number> {
    const withGuests = guestsInAudience(c, community);
    const key = `${String(community._id)}:${withGuests ? 'all' : 'members'}`;
    const entry = this.entries.get(key);
    const age = entry ? this.now().getTime() - entry.countedAt : Infinity;
    if (entry && age < AUDIENCE_FRESH_MS) return entry.size;
    const recount = this.recount(key, community, withGuests);
    if (entry && age < AUDIENCE_MAX_STALE_MS) {
      recount.catch(() => undefined);
      return entry.size;
    }
    return recount;
  }

  /** One count per key at a time, whoever asks meanwhile shares it. */
  private recount(key: string, community: Community, withGuests: boolean): Promise<number> {
    const running = this.counting.get(key);
    if (running) return running;
    const startedAt = this.now().getTime();
    const counting = countActiveMembers({ _id: community._id, guestsAllowed: community.guestsAllowed === true }, withGuests)
      .then((size) => {
        // Stamped with the count's start: a join during the count may be missed, never kept longer.
        this.entries.set(key, { size, countedAt: startedAt });
        return size;
      })
      .finally(() => this.counting.delete(key));
    this.counting.set(key, counting);
    return counting;
  }
}
