/**
 * Who may read a post, and so who may open the files attached to it: the community's active
 * members (guests only while the community admits guests), nobody while the post is hidden,
 * and in a public community the organisation as a whole (an organisation-scoped link; never an
 * anonymous one) and, while it admits guests, the guests Meent knows in the tenant (invited: an
 * organisation link does not reach B2B guests, who read such a community all the same; a guest
 * the community blocked excepted). An event follows `canReadEvent` (src/events/events.policy.ts):
 * a community event is read by its community's readers; an organisation-wide event by the
 * organisation (the link) and, while the event admits guests, by the guests Meent knows in the
 * tenant. A cancelled event stays readable, so its files stay shared; events are never deleted
 * on their own (a deleted community takes its events' files with it). An organisation admin
 * reads every post to oversee it, and is not given every file for that.
 *
 * `readersOfPost` lists the readers (to grant and take back permissions); `opensFilesOf`
 * answers the same question for one person without listing a community (a thumbnail request).
 */
import type { Types } from 'mongoose';
import type { Actor } from '../auth/actor.js';
import { activeMembersOf, blockedMembersOf, communityById, membershipOf, type CommunityRecord, type MembershipRecord } from '../communities/communities.port.js';
import { discussionById, replyById, seesDiscussion, seesReply } from '../discussions/discussions.port.js';
import { eventById, seesEvent } from '../events/events.port.js';
import { UserDirectoryRepository } from '../members/user-directory.repository.js';
import type { AttachmentRecord, AttachmentTarget } from './attachment.model.js';

export interface Readers {
  /** People to invite (Entra object ids). */
  users: Set<string>;
  /** Whether the whole organisation may read (an organisation link). */
  organization: boolean;
}

export const NO_READERS: Readers = Object.freeze({ users: new Set<string>(), organization: false }) as Readers;

/** The readers of a community's content (not of one post: see `readersOfPost`). */
export async function readersOfCommunity(community: Pick<CommunityRecord, '_id' | 'tenantId' | 'visibility' | 'guestsAllowed'>): Promise<Readers> {
  const members = await activeMembersOf(community._id);
  const admitted = members.filter((m) => !m.isGuest || community.guestsAllowed === true);
  const users = new Set(admitted.map((m) => m.userId));
  if (readByTenantGuests(community)) {
    const blocked = new Set((await blockedMembersOf(community._id)).map((m) => m.userId));
    for (const id of await people.guestIdsOf(community.tenantId)) if (!blocked.has(id)) users.add(id);
  }
  return { users, organization: community.visibility === 'public' };
}

/** A public community that admits guests is read by every guest of the tenant, not only its members. */
function readByTenantGuests(community: Pick<CommunityRecord, 'visibility' | 'guestsAllowed'>): boolean {
  return community.visibility === 'public' && community.guestsAllowed === true;
}

/** One person's place among `readersOfCommunity`. */
function readsCommunityFiles(community: Pick<CommunityRecord, 'visibility' | 'guestsAllowed'>, person: Pick<Actor, 'isGuest'>, membership: Pick<MembershipRecord, 'status' | 'isGuest'> | null): boolean {
  const guest = person.isGuest || membership?.isGuest === true;
  if (membership?.status === 'active' && (!guest || community.guestsAllowed === true)) return true;
  if (!guest) return community.visibility === 'public';
  return readByTenantGuests(community) && membership?.status !== 'blocked';
}

const people = new UserDirectoryRepository();

/**
 * Who reads content outside any community (an organisation-wide event): the organisation, and
 * the tenant's guests when `tenantGuests` (the event admits guests).
 */
export async function readersOfOrganisation(tenantId: string, tenantGuests: boolean): Promise<Readers> {
  return { users: new Set(tenantGuests ? await people.guestIdsOf(tenantId) : []), organization: true };
}

/** Where a post is and whether it can be read at all (null: it is gone); `tenantGuests` only for an organisation-wide event that admits guests. */
export async function postState(targetType: AttachmentTarget, targetId: Types.ObjectId): Promise<{ communityId: Types.ObjectId | null; hidden: boolean; tenantId?: string; tenantGuests?: boolean } | null> {
  if (targetType === 'discussion') {
    const d = await discussionById(targetId);
    return d ? { communityId: d.communityId, hidden: d.hidden === true } : null;
  }
  if (targetType === 'reply') {
    const r = await replyById(targetId);
    if (!r || r.removed) return null;
    const d = await discussionById(r.discussionId);
    return d ? { communityId: r.communityId, hidden: r.hidden === true || d.hidden === true } : null;
  }
  const e = await eventById(targetId);
  return e ? { communityId: e.communityId ?? null, hidden: false, tenantId: e.tenantId, tenantGuests: !e.communityId && e.guestsAllowed === true } : null;
}

/** The readers of one post, with a cache of community readers for a batch of posts. */
export async function readersOfPost(targetType: AttachmentTarget, targetId: Types.ObjectId, cache = new Map<string, Readers>()): Promise<Readers> {
  const state = await postState(targetType, targetId);
  if (!state || state.hidden) return NO_READERS;
  if (!state.communityId) {
    if (!state.tenantId) return { users: new Set(), organization: true };
    const key = `organisation:${state.tenantId}:${state.tenantGuests === true}`;
    const cached = cache.get(key) ?? (await readersOfOrganisation(state.tenantId, state.tenantGuests === true));
    cache.set(key, cached);
    return cached;
  }
  const key = String(state.communityId);
  const cached = cache.get(key);
  if (cached) return cached;
  const community = await communityById(state.communityId);
  const readers = community ? await readersOfCommunity(community) : NO_READERS;
  cache.set(key, readers);
  return readers;
}

/** One person's place among `readersOfPost` (the organisation link reaches the tenant's own people, not its guests). */
async function readsPostFiles(person: Pick<Actor, 'userId' | 'isGuest'>, targetType: AttachmentTarget, targetId: Types.ObjectId): Promise<boolean> {
  const state = await postState(targetType, targetId);
  if (!state || state.hidden) return false;
  if (!state.communityId) return !person.isGuest || state.tenantGuests === true;
  const community = await communityById(state.communityId);
  return community ? readsCommunityFiles(community, person, await membershipOf(community._id, person.userId)) : false;
}

/** Whether the actor sees the post itself, as its own page shows it to them. */
function seesPost(actor: Actor, targetType: AttachmentTarget, targetId: Types.ObjectId): Promise<boolean> {
  if (targetType === 'discussion') return seesDiscussion(actor, targetId);
  if (targetType === 'reply') return seesReply(actor, targetId);
  return seesEvent(actor, targetId);
}

/**
 * Whether the actor may open this attached file through Meent: they see the post it is attached
 * to, and they are among the post's readers as Meent shares its files (or attached it from their
 * own drive). Someone who sees the post without that (an organisation admin overseeing a closed
 * community, a moderator of a hidden post) sees the file's card, not its content.
 */
export async function opensFilesOf(actor: Actor, attachment: Pick<AttachmentRecord, 'tenantId' | 'targetType' | 'targetId' | 'source' | 'authorId'>): Promise<boolean> {
  if (attachment.tenantId !== actor.tenantId || !(await seesPost(actor, attachment.targetType, attachment.targetId))) return false;
  if (attachment.source === 'drive' && attachment.authorId === actor.userId) return true;
  return readsPostFiles(actor, attachment.targetType, attachment.targetId);
}
