/**
 * The current day's member figures without counting memberships per question: the worker
 * counts each tenant's members (all scopes at once, analytics-sources.ts) at most every
 * MEMBERS_NOW_REFRESH_MS and stores the count; the figures read that one document. How fresh:
 * at most MEMBERS_NOW_REFRESH_MS plus one worker pass old (about six minutes); a stored count
 * older than MEMBERS_NOW_MAX_AGE_MS, or of another day (the worker is not running), is not
 * used and the figures count live instead (cached a minute, LiveMemberCounts).
 */
import { tenantsWithCommunities } from '../communities/communities.port.js';
import { addDays, dayOf, startOfDay } from './analytics-day.js';
import { countMembers, LiveMemberCounts, type MemberCountsByScope, type Period } from './analytics-sources.js';
import { MembersNowModel } from './members-now.model.js';
import { clockOf, type Clock } from '../time/clock.js';

/** How often the worker counts a tenant's members of the day again. */
export const MEMBERS_NOW_REFRESH_MS = 5 * 60_000;
/** The oldest stored count the figures use. */
export const MEMBERS_NOW_MAX_AGE_MS = 10 * 60_000;

/** The worker's part: counts again the members of every tenant whose stored count is older than the refresh interval; answers how many. */
export async function refreshMembersNow(now: Date): Promise<number> {
  const day = dayOf(now);
  const stored = new Map((await MembersNowModel.find({}, { _id: 0, tenantId: 1, day: 1, at: 1 }).lean()).map((d) => [d.tenantId, d]));
  let counted = 0;
  for (const tenantId of await tenantsWithCommunities()) {
    const last = stored.get(tenantId);
    if (last && last.day === day && now.getTime() - last.at.getTime() < MEMBERS_NOW_REFRESH_MS) continue;
    const counts = await countMembers(tenantId, { from: startOfDay(day), to: startOfDay(addDays(day, 1)) });
    const scopes = [...counts].map(([communityId, c]) => ({ communityId, members: c.members, newMembers: c.newMembers, guests: c.guests }));
    await MembersNowModel.updateOne({ tenantId }, { $set: { day, at: now, scopes } }, { upsert: true });
    counted += 1;
  }
  return counted;
}

/** The figures' part: the current day's member counts, from the worker's count when it is fresh, else live. */
export class MembersNow {
  private readonly now: Clock;
  private readonly live: LiveMemberCounts;

  constructor(options: { now?: Clock } = {}) {
    this.now = clockOf(options);
    this.live = new LiveMemberCounts({ now: this.now });
  }

  async of(tenantId: string, day: Period): Promise<MemberCountsByScope> {
    const stored = await MembersNowModel.findOne({ tenantId }, { _id: 0, day: 1, at: 1, scopes: 1 }).lean();
    const fresh = stored && stored.day === dayOf(day.from) && this.now().getTime() - stored.at.getTime() < MEMBERS_NOW_MAX_AGE_MS;
    if (!fresh) return this.live.of(tenantId, day);
    return new Map(stored.scopes.map((s) => [s.communityId ?? null, { members: s.members ?? 0, newMembers: s.newMembers ?? 0, guests: s.guests ?? 0 }]));
  }
}
