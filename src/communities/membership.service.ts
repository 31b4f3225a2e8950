/**
 * Membership of communities: join (public), ask to join (closed, with a message), invite
 * (managers; by user id or by e-mail address, found in the directory), accept or decline an
 * invitation, approve or decline a request, change a role, block, remove, leave; the member
 * list, pending requests and a CSV export for managers.
 *
 * Invariants and how they hold under concurrency: one membership per person and community
 * (unique index); the community's `memberCount`/`managerCount` change only through
 * `atomicUpdate`; a community never loses its last manager, because demoting or removing a
 * manager first decrements `managerCount` with the guard "more than one" (serialised per
 * community) and only then changes the membership (compensated if that fails).
 */
import mongoose, { type Types } from 'mongoose';
import type { Actor } from '../auth/actor.js';
import type { Page } from '../db/pagination.js';
import { csvFile, type CsvFile } from '../content/csv.js';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../errors/domain-errors.js';
import type { DirectoryGateway } from '../graph/directory-gateway.js';
import { directoryPerson } from '../members/directory-person.js';
import { ensurePersonKnown, type PeopleRepository } from '../members/people.repository.js';
import type { UserRecord } from '../members/people.repository.js';
import { analyseQuery, words as wordsOf } from '../search-index/text-analysis.js';
import type { NotificationIntent, NotificationOutbox } from '../notifications/notification-outbox.js';
import { resolveCommunityAccess, type CommunityAccess } from './community-access.js';
import {
  createMembership,
  deleteMembership,
  findMembership,
  membershipPage,
  membershipsOfCommunity,
  updateCommunity,
  updateMembership,
  type MembershipRecord,
} from './communities.repository.js';
import type { AuditSink } from './community.service.js';
import type { AddMemberInput, ListMembersQuery, MemberView, UpdateMemberInput } from './community.schemas.js';
import type { MembershipRole } from './membership.model.js';
import { clockOf, type Clock } from '../time/clock.js';

export interface MembershipServiceDeps {
  people: PeopleRepository;
  notifications: NotificationOutbox;
  audit: AuditSink;
  /** The organisation's directory for this actor (invitations by e-mail); undefined without Graph. */
  directoryFor?: (actor: Actor) => DirectoryGateway | undefined;
  now?: Clock;
  /** Told when who may read the community changed (attached files' permissions follow). */
  accessChanged?: (communityId: Types.ObjectId) => Promise<void>;
}

export interface AddMemberResult {
  member: MemberView;
  /** `joined`, `requested`, `invited`, `accepted` (an invitation), `approved` (a request, by a manager) or `unchanged`. */
  outcome: 'joined' | 'requested' | 'invited' | 'accepted' | 'approved' | 'unchanged';
}

const LAST_MANAGER = 'last_manager';

export class MembershipService {
  private readonly now: Clock;

  constructor(private readonly deps: MembershipServiceDeps) {
    this.now = clockOf(deps);
  }

  /** Active members for those who may read the community; other statuses for managers. */
  async list(actor: Actor, communityId: string, query: ListMembersQuery): Promise<Page<MemberView>> {
    const access = await resolveCommunityAccess(actor, communityId);
    access.authorize(query.status === 'active' ? 'members.list' : 'members.manage');
    const page = await membershipPage(
      access.community._id,
      query.status,
      {
        ...(query.cursor !== undefined ? { cursor: query.cursor } : {}),
        ...(query.limit !== undefined ? { limit: query.limit } : {}),
      },
      query.q ? await this.peopleNamed(actor.tenantId, query.q) : undefined,
    );
    const people = await this.deps.people.findMany(actor.tenantId, page.items.map((m) => m.userId));
    return { items: page.items.map((m) => memberToView(m, people.get(m.userId))), ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}) };
  }

  /**
   * The ids of the tenant's people with a word of their name or address starting with each
   * word of `q` (the member search). The directory is read whole, as the people search does;
   * it is bounded by MAX_DIRECTORY.
   */
  private async peopleNamed(tenantId: string, q: string): Promise<string[]> {
    const wanted = analyseQuery(q);
    if (wanted.length === 0) return [];
    const all = await this.deps.people.allInTenant(tenantId);
    return all.filter((u) => {
      const names = wordsOf(`${u.displayName} ${u.mail ?? ''}`);
      return wanted.every((w) => names.some((n) => n.startsWith(w.word)));
    }).map((u) => u.userId);
  }

  /**
   * POST /communities/{id}/members. Without a person: the actor joins (public), asks to join
   * (closed) or accepts an invitation. With `userId` or `email`: a manager invites someone
   * (or approves their pending request).
   */
  async add(actor: Actor, communityId: string, input: AddMemberInput): Promise<AddMemberResult> {
    const result = await this.addMember(actor, communityId, input);
    if (result.outcome === 'joined' || result.outcome === 'accepted' || result.outcome === 'approved') await this.changed(communityId);
    return result;
  }

  private async addMember(actor: Actor, communityId: string, input: AddMemberInput): Promise<AddMemberResult> {
    if (input.userId !== undefined || input.email !== undefined) {
      if (input.userId === actor.userId) return this.joinSelf(actor, communityId, input.message);
      return this.invite(actor, communityId, input);
    }
    return this.joinSelf(actor, communityId, input.message);
  }

  private async changed(communityId: string | Types.ObjectId): Promise<void> {
    if (this.deps.accessChanged && mongoose.isValidObjectId(communityId)) await this.deps.accessChanged(new mongoose.Types.ObjectId(String(communityId)));
  }

  private async joinSelf(actor: Actor, communityId: string, message?: string): Promise<AddMemberResult> {
    const access = await resolveCommunityAccess(actor, communityId);
    const existing = access.membership;
    const me = await this.deps.people.find(actor.tenantId, actor.userId);
    if (existing?.status === 'active') return { member: memberToView(existing, me ?? undefined), outcome: 'unchanged' };
    if (existing?.status === 'requested') return { member: memberToView(existing, me ?? undefined), outcome: 'unchanged' };
    access.authorize('community.join');
    const community = access.community;
    if (existing?.status === 'invited') {
      const accepted = await this.activate(existing, 'invited');
      if (!accepted) return this.joinSelf(actor, communityId, message);
      return { member: memberToView(accepted, me ?? undefined), outcome: 'accepted' };
    }
    if (community.visibility === 'secret') throw new ForbiddenError('This community is by invitation only.', 'invitation_required');
    const now = this.now();
    const status = community.visibility === 'public' ? 'active' : 'requested';
    const created = await createMembership({
      tenantId: actor.tenantId,
      communityId: community._id,
      userId: actor.userId,
      role: 'member',
      status,
      isGuest: actor.isGuest,
      ...(message ? { message } : {}),
      ...(status === 'active' ? { joinedAt: now } : {}),
    });
    // A concurrent join (or invitation) made the membership: answer from it.
    if (!created) return this.joinSelf(actor, communityId, message);
    if (status === 'active') {
      await this.changeCounts(community._id, 1, 0);
      return { member: memberToView(created, me ?? undefined), outcome: 'joined' };
    }
    await this.tellManagers(access, actor, 'membershipRequested', `membershipRequested:${String(created._id)}`, { message: message?.slice(0, 200) ?? null });
    return { member: memberToView(created, me ?? undefined), outcome: 'requested' };
  }

  private async invite(actor: Actor, communityId: string, input: AddMemberInput): Promise<AddMemberResult> {
    const access = await resolveCommunityAccess(actor, communityId);
    access.authorize('members.manage');
    const person = await this.findInvitee(actor, input);
    if (person.isGuest && !access.community.guestsAllowed) {
      throw new ConflictError('This community does not admit guests.', 'guests_not_allowed');
    }
    const existing = await findMembership(access.community._id, person.userId);
    if (existing) {
      if (existing.status === 'active') throw new ConflictError('This person is already a member.', 'already_member');
      if (existing.status === 'blocked') throw new ConflictError('This person is blocked from the community; remove the block first.', 'member_blocked');
      if (existing.status === 'invited') return { member: memberToView(existing, person), outcome: 'unchanged' };
      const approved = await this.activate(existing, 'requested');
      if (!approved) throw new ConflictError('The request changed meanwhile; look again.', 'membership_changed');
      await this.notify([{ ...this.intentBase(actor, approved, person.userId), kind: 'membershipApproved', idempotencyKey: `membershipApproved:${String(approved._id)}` }]);
      return { member: memberToView(approved, person), outcome: 'approved' };
    }
    const created = await createMembership({
      tenantId: actor.tenantId,
      communityId: access.community._id,
      userId: person.userId,
      role: 'member',
      status: 'invited',
      isGuest: person.isGuest === true,
      invitedBy: actor.userId,
      ...(input.message ? { message: input.message } : {}),
    });
    if (!created) throw new ConflictError('This person was added meanwhile; look again.', 'membership_changed');
    await this.notify([
      {
        ...this.intentBase(actor, created, person.userId),
        kind: 'membershipInvited',
        idempotencyKey: `membershipInvited:${String(created._id)}`,
        data: { communityName: access.community.name.slice(0, 120), message: input.message?.slice(0, 200) ?? null },
      },
    ]);
    return { member: memberToView(created, person), outcome: 'invited' };
  }

  /** PATCH: approve a request (`status: active`), block, or change a role (managers). */
  async update(actor: Actor, communityId: string, userId: string, input: UpdateMemberInput): Promise<MemberView> {
    const access = await resolveCommunityAccess(actor, communityId);
    access.authorize('members.manage');
    let membership = await this.membershipOf(access, userId);
    const person = await this.deps.people.find(actor.tenantId, userId);
    if (input.status === 'blocked') {
      membership = await this.block(actor, access, membership);
    } else if (input.status === 'active' && membership.status !== 'active') {
      if (membership.status !== 'requested') throw new ConflictError('Only a request to join can be approved.', 'not_requested');
      if (membership.isGuest && !access.community.guestsAllowed) throw new ConflictError('This community does not admit guests.', 'guests_not_allowed');
      const approved = await this.activate(membership, 'requested');
      if (!approved) throw new ConflictError('The request changed meanwhile; look again.', 'membership_changed');
      membership = approved;
      await this.notify([{ ...this.intentBase(actor, membership, userId), kind: 'membershipApproved', idempotencyKey: `membershipApproved:${String(membership._id)}` }]);
    }
    if (input.role !== undefined && input.role !== membership.role) {
      if (membership.status !== 'active') throw new ConflictError('Only active members have a role.', 'not_active');
      membership = await this.changeRole(access, membership, input.role);
      await this.deps.audit.record({ tenantId: actor.tenantId, kind: 'community.role_changed', actorId: actor.userId, subjectId: userId, details: { communityId, role: input.role } });
      await this.notify([
        { ...this.intentBase(actor, membership, userId), kind: 'roleChanged', idempotencyKey: `roleChanged:${String(membership._id)}:${input.role}:${this.now().getTime()}`, data: { role: input.role } },
      ]);
    }
    await this.changed(access.community._id);
    return memberToView(membership, person ?? undefined);
  }

  /**
   * DELETE: the actor leaves, withdraws a request or declines an invitation (own id); a
   * manager removes a member, declines a request, withdraws an invitation or lifts a block.
   */
  async remove(actor: Actor, communityId: string, userId: string): Promise<void> {
    const access = await resolveCommunityAccess(actor, communityId);
    const self = userId === actor.userId;
    if (self && access.membership?.status !== 'blocked') {
      if (!access.membership) throw new NotFoundError('You are not a member of this community.', 'membership_not_found');
    } else {
      access.authorize('members.manage');
    }
    const membership = await this.membershipOf(access, userId);
    await this.deleteMembership(access, membership);
    await this.changed(access.community._id);
    if (!self) {
      const kind = membership.status === 'requested' ? 'membershipDeclined' : null;
      if (kind) await this.notify([{ ...this.intentBase(actor, membership, userId), kind, idempotencyKey: `${kind}:${String(membership._id)}` }]);
      if (membership.status === 'active' || membership.status === 'blocked') {
        await this.deps.audit.record({
          tenantId: actor.tenantId,
          kind: membership.status === 'active' ? 'community.member_removed' : 'community.member_unblocked',
          actorId: actor.userId,
          subjectId: userId,
          details: { communityId },
        });
      }
    }
  }

  /** CSV of the active members (managers): name, e-mail, organisation, function, role, guest, joined. */
  async exportCsv(actor: Actor, communityId: string): Promise<CsvFile> {
    const access = await resolveCommunityAccess(actor, communityId);
    access.authorize('members.manage');
    const members = await membershipsOfCommunity(access.community._id, 'active');
    const people = await this.deps.people.findMany(actor.tenantId, members.map((m) => m.userId));
    const rows: string[][] = [];
    members.sort((a, b) => (people.get(a.userId)?.displayName ?? '').localeCompare(people.get(b.userId)?.displayName ?? '', 'nl'));
    for (const m of members) {
      const p = people.get(m.userId);
      rows.push([
        p?.displayName ?? m.userId,
        p?.mail ?? '',
        p?.profile?.organisation ?? '',
        p?.profile?.function ?? p?.jobTitle ?? '',
        m.role,
        m.isGuest ? 'yes' : 'no',
        (m.joinedAt ?? m.createdAt).toISOString(),
      ]);
    }
    await this.deps.audit.record({ tenantId: actor.tenantId, kind: 'community.members_exported', actorId: actor.userId, subjectId: communityId, details: { count: members.length } });
    return csvFile('members', access.community.name, ['name', 'email', 'organisation', 'function', 'role', 'guest', 'joinedAt'], rows);
  }

  // ---- transitions ----

  /** invited/requested -> active, guarded by the expected status; counts the new member. */
  private async activate(membership: MembershipRecord, from: 'invited' | 'requested'): Promise<MembershipRecord | null> {
    const activated = await updateMembership(membership._id, { status: from }, { $set: { status: 'active', joinedAt: this.now() } });
    if (activated) await this.changeCounts(membership.communityId, 1, activated.role === 'manager' ? 1 : 0);
    return activated;
  }

  private async block(actor: Actor, access: CommunityAccess, membership: MembershipRecord): Promise<MembershipRecord> {
    if (membership.status === 'blocked') return membership;
    if (membership.userId === actor.userId) throw new ValidationError('You cannot block yourself.', [{ path: 'params.userId', message: 'is you' }], 'cannot_block_self');
    const wasActive = membership.status === 'active';
    const wasManager = wasActive && membership.role === 'manager';
    if (wasManager) await this.releaseManager(access.community._id, true);
    else if (wasActive) await this.changeCounts(access.community._id, -1, 0);
    const blocked = await updateMembership(membership._id, { status: membership.status, role: membership.role }, { $set: { status: 'blocked', role: 'member', blockedBy: actor.userId } });
    if (!blocked) {
      if (wasActive) await this.changeCounts(access.community._id, 1, wasManager ? 1 : 0);
      throw new ConflictError('The membership changed meanwhile; look again.', 'membership_changed');
    }
    await this.deps.audit.record({ tenantId: actor.tenantId, kind: 'community.member_blocked', actorId: actor.userId, subjectId: membership.userId, details: { communityId: String(access.community._id) } });
    return blocked;
  }

  private async changeRole(access: CommunityAccess, membership: MembershipRecord, role: MembershipRole): Promise<MembershipRecord> {
    const communityId = access.community._id;
    if (role === 'member') await this.releaseManager(communityId, false);
    const changed = await updateMembership(membership._id, { status: 'active', role: membership.role }, { $set: { role } });
    if (!changed) {
      if (role === 'member') await this.changeCounts(communityId, 0, 1);
      throw new ConflictError('The membership changed meanwhile; look again.', 'membership_changed');
    }
    if (role === 'manager') await this.changeCounts(communityId, 0, 1);
    return changed;
  }

  private async deleteMembership(access: CommunityAccess, membership: MembershipRecord): Promise<void> {
    const communityId = access.community._id;
    const wasActive = membership.status === 'active';
    const wasManager = wasActive && membership.role === 'manager';
    if (wasManager) await this.releaseManager(communityId, true);
    else if (wasActive) await this.changeCounts(communityId, -1, 0);
    const deleted = await deleteMembership(membership._id, { status: membership.status, role: membership.role });
    if (!deleted && wasActive) {
      await this.changeCounts(communityId, 1, wasManager ? 1 : 0);
      throw new ConflictError('The membership changed meanwhile; look again.', 'membership_changed');
    }
  }

  /** One manager fewer (and one member fewer when `leaving`), unless it is the last manager. */
  private async releaseManager(communityId: Types.ObjectId, leaving: boolean): Promise<void> {
    const released = await updateCommunity(
      communityId,
      { 'counts.managerCount': mongoose.trusted({ $gt: 1 }) },
      { $inc: { 'counts.managerCount': -1, ...(leaving ? { 'counts.memberCount': -1 } : {}) } },
    );
    if (!released) throw new ConflictError('A community needs a manager: make someone else manager first.', LAST_MANAGER);
  }

  private async changeCounts(communityId: Types.ObjectId, members: number, managers: number): Promise<void> {
    if (members === 0 && managers === 0) return;
    await updateCommunity(communityId, {}, { $inc: { 'counts.memberCount': members, 'counts.managerCount': managers } });
  }

  // ---- helpers ----

  private async membershipOf(access: CommunityAccess, userId: string): Promise<MembershipRecord> {
    const membership = await findMembership(access.community._id, userId);
    if (!membership) throw new NotFoundError('This person is not a member of this community.', 'membership_not_found');
    return membership;
  }

  private async findInvitee(actor: Actor, input: AddMemberInput): Promise<UserRecord> {
    if (input.userId !== undefined) {
      const known = await this.deps.people.find(actor.tenantId, input.userId);
      if (known) return known;
      const fromDirectory = await this.deps.directoryFor?.(actor)?.getUser(input.userId);
      if (!fromDirectory) throw new NotFoundError('There is no such person in the organisation.', 'user_not_found');
      return ensurePersonKnown(actor.tenantId, directoryPerson(fromDirectory));
    }
    const email = input.email ?? '';
    const directory = this.deps.directoryFor?.(actor);
    if (directory) {
      const found = await directory.findUserByEmail(email);
      if (!found) throw new NotFoundError('Nobody in the organisation (or among its guests) has this e-mail address.', 'user_not_found');
      return ensurePersonKnown(actor.tenantId, directoryPerson(found));
    }
    // Without Graph (local mode): the people Meent knows.
    const known = await this.deps.people.findByEmail(actor.tenantId, email);
    if (!known) throw new NotFoundError('Nobody in the organisation (or among its guests) has this e-mail address.', 'user_not_found');
    return known;
  }

  private intentBase(actor: Actor, membership: MembershipRecord, recipientId: string): Omit<NotificationIntent, 'kind' | 'idempotencyKey'> {
    return {
      tenantId: actor.tenantId,
      recipientId,
      subject: { type: 'community', id: String(membership.communityId) },
      actorId: actor.userId,
    };
  }

  private async tellManagers(access: CommunityAccess, actor: Actor, kind: 'membershipRequested', key: string, data: Record<string, string | null>): Promise<void> {
    const managers = await membershipsOfCommunity(access.community._id, 'active', 'manager');
    await this.notify(
      managers.map((m) => ({
        tenantId: actor.tenantId,
        recipientId: m.userId,
        kind,
        subject: { type: 'community' as const, id: String(access.community._id) },
        actorId: actor.userId,
        data: { communityName: access.community.name.slice(0, 120), ...data },
        idempotencyKey: `${key}:${m.userId}`,
      })),
    );
  }

  private async notify(intents: NotificationIntent[]): Promise<void> {
    if (intents.length > 0) await this.deps.notifications.enqueue(intents);
  }
}

export function memberToView(m: MembershipRecord, person?: UserRecord): MemberView {
  return {
    userId: m.userId,
    displayName: person?.displayName ?? m.userId,
    jobTitle: person?.jobTitle ?? null,
    organisation: person?.profile?.organisation ?? null,
    isGuest: m.isGuest === true,
    role: m.role,
    status: m.status,
    message: m.message ?? null,
    invitedBy: m.invitedBy ?? null,
    joinedAt: m.joinedAt ? m.joinedAt.toISOString() : null,
    createdAt: m.createdAt.toISOString(),
  };
}

