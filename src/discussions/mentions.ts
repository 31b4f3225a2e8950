/**
 * Who may be mentioned: people of the tenant who can read the discussion. Everyone else is
 * left out silently (no notification, no error that would tell the author anything), so a
 * mention never leaks a discussion to someone who may not see it.
 */
import type { Actor } from '../auth/actor.js';
import { accessFor } from '../communities/community-access.js';
import { membershipOf, type CommunityRecord } from '../communities/communities.port.js';
import type { PeopleRepository } from '../members/people.repository.js';
import type { UserRecord } from '../members/people.repository.js';

/** The actor a stored person would be (for asking the policy on their behalf). */
export function actorOfUser(user: UserRecord): Actor {
  return {
    userId: user.userId,
    tenantId: user.tenantId,
    name: user.displayName,
    isGuest: user.isGuest === true,
    mfa: false,
    isOrgAdmin: user.isOrgAdmin === true,
    roles: [],
  };
}

/** Whether this person may read the community's content now. */
export async function personCanRead(user: UserRecord, community: CommunityRecord): Promise<boolean> {
  const membership = await membershipOf(community._id, user.userId);
  return accessFor(actorOfUser(user), community, membership).canRead;
}

export async function visibleMentions(actor: Actor, people: PeopleRepository, community: CommunityRecord, userIds: readonly string[] | undefined): Promise<string[]> {
  const wanted = [...new Set(userIds ?? [])].filter((id) => id !== actor.userId);
  if (wanted.length === 0) return [];
  const found = await people.findMany(actor.tenantId, wanted);
  const allowed = await Promise.all(wanted.map(async (id) => {
    const user = found.get(id);
    return user && (await personCanRead(user, community)) ? id : null;
  }));
  return allowed.filter((id): id is string => id !== null);
}
