/**
 * Who may be mentioned: people of the tenant who can read the discussion. Everyone else is
 * left out silently (no notification, no error that would tell the author anything), so a
 * mention never leaks a discussion to someone who may not see it.
 */
import { actorOfPerson, type Actor } from '../auth/actor.js';
import { accessFor } from '../communities/community-access.js';
import { membershipOf, type CommunityRecord } from '../communities/communities.port.js';
import type { Types } from 'mongoose';
import type { PeopleRepository, UserRecord } from '../members/people.repository.js';
import type { NotificationIntent } from '../notifications/notification-outbox.js';


/** Whether this person may read the community's content now. */
export async function personCanRead(user: UserRecord, community: CommunityRecord): Promise<boolean> {
  const membership = await membershipOf(community._id, user.userId);
  return accessFor(actorOfPerson(user), community, membership).canRead;
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

/** "You were mentioned" for each of these people, about a discussion or a reply; one per person and item, however often it is edited. */
export function mentionIntents(actor: Actor, about: { type: 'discussion' | 'reply'; id: Types.ObjectId }, recipientIds: readonly string[], data: NotificationIntent['data']): NotificationIntent[] {
  return recipientIds.map((recipientId) => ({
    tenantId: actor.tenantId,
    recipientId,
    kind: 'mention' as const,
    subject: { type: about.type, id: String(about.id) },
    actorId: actor.userId,
    ...(data ? { data } : {}),
    idempotencyKey: `mention:${about.type}:${String(about.id)}:${recipientId}`,
  }));
}

/**
 * Of these people, those who may still read the community's discussions: a follower who
 * left a closed or secret community, was blocked, or is a guest where guests are no longer
 * admitted hears nothing of it. `wasGuest` says what a follow remembered for someone with no
 * membership (the public communities they followed a discussion in).
 */
export async function stillReaders(community: Pick<CommunityRecord, '_id' | 'visibility' | 'guestsAllowed'>, userIds: Iterable<string>, wasGuest: (userId: string) => boolean): Promise<string[]> {
  const allowed = await Promise.all(
    [...userIds].map(async (userId) => {
      const membership = await membershipOf(community._id, userId);
      const admitted = !(membership?.isGuest ?? wasGuest(userId)) || community.guestsAllowed === true;
      if (!admitted || membership?.status === 'blocked') return null;
      if (community.visibility !== 'public' && membership?.status !== 'active') return null;
      return userId;
    }),
  );
  return allowed.filter((id): id is string => id !== null);
}
