/**
 * Invitations by e-mail address to a community (issue 14). A manager pastes one address or up
 * to 200; each gets an outcome in words (a stable code the tab translates):
 *
 * - someone already in the tenant (member or guest), found through Graph in `$batch`es of 20,
 *   is invited as today (an `invited` membership and a notification): `invited_member`;
 * - someone unknown, only where the community admits guests and GUESTS_ALLOWED is on, is
 *   invited as an Entra B2B guest (`POST /invitations`, redirect to the community's page in
 *   the tab, the invitation in Dutch or English): `invited_guest`. Their membership waits,
 *   `invited` and bound to the new guest's object id, until their first sign-in accepts it;
 * - `invalid_address`, `guests_not_allowed`, `already_member`, `already_invited`, or Graph's
 *   refusal (`refused_by_policy`, `address_refused`, `throttled`, `graph_failed`).
 *
 * A second identical request changes nothing and calls Graph for nothing: every address it
 * names already has its invitation. A pending or failed invitation can be re-sent, a pending
 * one withdrawn; the list shows pending, accepted and failed. Every change is audited
 * (without addresses).
 */
import { createHash } from 'node:crypto';
import mongoose from 'mongoose';
import { z } from 'zod';
import type { Actor } from '../auth/actor.js';
import type { AuditSink } from '../audit/audit.port.js';
import { resolveCommunityAccess } from '../communities/community-access.js';
import type { MembershipService } from '../communities/membership.service.js';
import { membershipOf } from '../communities/communities.port.js';
import { ConflictError, NotFoundError, ValidationError } from '../errors/domain-errors.js';
import type { DirectoryUser } from '../graph/directory-gateway.js';
import type { GuestInvitationsGateway, InviteAnswer } from '../graph/guest-invitations-gateway.js';
import { ensurePersonKnown } from '../members/people.repository.js';
import { atomicUpdate } from '../db/atomic-update.js';
import { upsertRetryingRace } from '../db/mongo-errors.js';
import { clockOf, type Clock } from '../time/clock.js';
import { InvitationModel, type InvitationRecord } from './invitation.model.js';

export const MAX_ADDRESSES = 200;

export type InviteOutcome =
  | 'invited_member'
  | 'invited_guest'
  | 'already_member'
  | 'already_invited'
  | 'invalid_address'
  | 'guests_not_allowed'
  | 'refused_by_policy'
  | 'address_refused'
  | 'throttled'
  | 'graph_failed'
  | 'not_found';

export interface AddressOutcome {
  address: string;
  outcome: InviteOutcome;
  invitationId?: string;
}

export interface InvitationView {
  id: string;
  /** Null once accepted: the address is not kept after it has done its job. */
  address: string | null;
  userId: string | null;
  kind: 'member' | 'guest' | null;
  state: 'pending' | 'accepted' | 'failed' | 'withdrawn';
  reason: string | null;
  sends: number;
  createdAt: string;
}

export interface InvitationServiceDeps {
  memberships: MembershipService;
  audit: AuditSink;
  /** Graph for the actor's tenant; undefined without Graph (local mode): then only people Meent knows can be invited. */
  gatewayFor: (actor: Actor) => GuestInvitationsGateway | undefined;
  /** GUESTS_ALLOWED. */
  guestsAllowed: boolean;
  /** `PUBLIC_URL`: a guest lands on `<publicUrl>/tab/#/communities/<id>` after redeeming. */
  publicUrl: string;
  now?: Clock;
}

const address = z.email();

/** Splits pasted text into addresses: commas, semicolons, whitespace; `Name <a@b>` keeps the address. */
export function splitAddresses(text: string): string[] {
  return text
    .split(/[\s,;]+/)
    .map((part) => part.trim().replace(/^<|>$/g, ''))
    .filter((part) => part !== '');
}

export function addressKey(email: string): string {
  return createHash('sha256').update(email.toLowerCase()).digest('hex');
}

export class InvitationService {
  private readonly now: Clock;
  /** People whose pending guest invitations were looked at recently (per process). */
  private readonly checked = new Map<string, number>();

  constructor(private readonly deps: InvitationServiceDeps) {
    this.now = clockOf(deps);
  }

  async invite(actor: Actor, communityId: string, input: { addresses: string; message?: string; language?: 'nl' | 'en' }): Promise<{ outcomes: AddressOutcome[] }> {
    const access = await resolveCommunityAccess(actor, communityId);
    access.authorize('members.manage');
    const community = access.community;
    const pasted = splitAddresses(input.addresses);
    if (pasted.length === 0) throw new ValidationError('Give at least one e-mail address.', [{ path: 'addresses', message: 'must hold an e-mail address' }], 'no_addresses');
    if (pasted.length > MAX_ADDRESSES) throw new ValidationError(`At most ${MAX_ADDRESSES} addresses at once.`, [{ path: 'addresses', message: `at most ${MAX_ADDRESSES} addresses` }], 'too_many_addresses');

    const outcomes = new Map<string, AddressOutcome>();
    const valid: string[] = [];
    for (const raw of pasted) {
      const email = raw.toLowerCase();
      if (outcomes.has(email) || valid.includes(email)) continue;
      if (!address.safeParse(email).success) outcomes.set(email, { address: raw, outcome: 'invalid_address' });
      else valid.push(email);
    }

    // Addresses this community already has an invitation for: nothing changes for them.
    const existing = await InvitationModel.find({ tenantId: actor.tenantId, communityId: community._id, key: mongoose.trusted({ $in: valid.map(addressKey) }) }).lean<InvitationRecord[]>().exec();
    const byKey = new Map(existing.map((i) => [i.key, i]));
    const fresh: string[] = [];
    for (const email of valid) {
      const known = byKey.get(addressKey(email));
      if (known) outcomes.set(email, { address: email, outcome: known.state === 'accepted' ? 'already_member' : 'already_invited', invitationId: String(known._id) });
      else fresh.push(email);
    }

    const gateway = this.deps.gatewayFor(actor);
    const found = fresh.length > 0 && gateway ? await gateway.findByEmail(fresh) : new Map<string, DirectoryUser>();
    const guests: string[] = [];
    for (const email of fresh) {
      const person = found.get(email);
      if (person) {
        outcomes.set(email, await this.inviteKnown(actor, community._id, email, person));
      } else if (!gateway) {
        outcomes.set(email, { address: email, outcome: 'not_found' });
      } else if (!this.deps.guestsAllowed || !community.guestsAllowed) {
        outcomes.set(email, { address: email, outcome: 'guests_not_allowed' });
      } else {
        guests.push(email);
      }
    }
    if (guests.length > 0 && gateway) {
      const language = input.language ?? 'nl';
      const redirectUrl = `${this.deps.publicUrl}/tab/#/communities/${String(community._id)}`;
      const answers = await gateway.invite(guests.map((email) => ({ email, redirectUrl, language, ...(input.message ? { message: input.message } : {}) })));
      for (let i = 0; i < guests.length; i++) {
        const email = guests[i] as string;
        outcomes.set(email, await this.recordGuestAnswer(actor, community._id, email, answers[i] ?? { ok: false, code: 'graph_failed', status: 0 }));
      }
    }

    const list = [...outcomes.values()];
    const count = (o: InviteOutcome) => list.filter((x) => x.outcome === o).length;
    await this.deps.audit.record({
      tenantId: actor.tenantId,
      kind: 'invitations.sent',
      actorId: actor.userId,
      subjectId: String(community._id),
      details: { addresses: pasted.length, members: count('invited_member'), guests: count('invited_guest'), refused: list.filter((x) => ['refused_by_policy', 'address_refused', 'throttled', 'graph_failed'].includes(x.outcome)).length, invalid: count('invalid_address') },
    });
    return { outcomes: list };
  }

  private async inviteKnown(actor: Actor, communityId: mongoose.Types.ObjectId, email: string, person: DirectoryUser): Promise<AddressOutcome> {
    const isGuest = person.userType === 'Guest' || (person.userType === null && (person.userPrincipalName ?? '').includes('#EXT#'));
    await ensurePersonKnown(actor.tenantId, {
      userId: person.id,
      displayName: person.displayName ?? person.mail ?? person.id,
      ...(person.mail ? { mail: person.mail } : {}),
      ...(person.userPrincipalName ? { userPrincipalName: person.userPrincipalName } : {}),
      isGuest,
    });
    let outcome: InviteOutcome = 'invited_member';
    try {
      await this.deps.memberships.add(actor, String(communityId), { userId: person.id });
    } catch (err) {
      if (!(err instanceof ConflictError)) throw err;
      outcome = err.code === 'already_member' ? 'already_member' : err.code === 'guests_not_allowed' ? 'guests_not_allowed' : 'already_invited';
    }
    const accepted = outcome === 'already_member';
    const failed = outcome === 'guests_not_allowed';
    const saved = await this.save(actor, communityId, email, {
      userId: person.id,
      kind: 'member',
      state: accepted ? 'accepted' : failed ? 'failed' : 'pending',
      ...(failed ? { reason: outcome, closedAt: this.now() } : {}),
      ...(accepted ? { acceptedAt: this.now() } : {}),
    });
    return { address: email, outcome, invitationId: String(saved._id) };
  }

  private async recordGuestAnswer(actor: Actor, communityId: mongoose.Types.ObjectId, email: string, answer: InviteAnswer): Promise<AddressOutcome> {
    if (!answer.ok) {
      const saved = await this.save(actor, communityId, email, { kind: 'guest', state: 'failed', reason: answer.code, graphStatus: answer.status, closedAt: this.now() });
      return { address: email, outcome: answer.code, invitationId: String(saved._id) };
    }
    // The membership waits, bound to the guest's object id, until their first sign-in (signedIn).
    await ensurePersonKnown(actor.tenantId, { userId: answer.userId, displayName: email, mail: email, isGuest: true });
    try {
      await this.deps.memberships.add(actor, String(communityId), { userId: answer.userId });
    } catch (err) {
      if (!(err instanceof ConflictError)) throw err;
    }
    const saved = await this.save(actor, communityId, email, { userId: answer.userId, kind: 'guest', state: 'pending', sentAt: this.now() });
    return { address: email, outcome: 'invited_guest', invitationId: String(saved._id) };
  }

  private async save(actor: Actor, communityId: mongoose.Types.ObjectId, email: string, set: Partial<InvitationRecord>): Promise<InvitationRecord> {
    const key = addressKey(email);
    const keepAddress = set.state === 'pending' || set.state === 'failed';
    const doc = await upsertRetryingRace(() =>
      atomicUpdate(
        InvitationModel,
        { tenantId: actor.tenantId, communityId, key },
        { $set: { ...set, ...(keepAddress ? { email } : {}), invitedBy: actor.userId }, $setOnInsert: { tenantId: actor.tenantId, communityId, key } },
        { upsert: true, lockKey: `invitations:${actor.tenantId}:${String(communityId)}:${key}` },
      ),
    ) as InvitationRecord | null;
    if (!doc) throw new Error('invitation upsert returned nothing');
    return doc;
  }

  /** The community's invitations (managers): pending, accepted, failed; newest first. */
  async list(actor: Actor, communityId: string): Promise<InvitationView[]> {
    const access = await resolveCommunityAccess(actor, communityId);
    access.authorize('members.manage');
    const items = await InvitationModel.find({ tenantId: actor.tenantId, communityId: access.community._id, state: mongoose.trusted({ $ne: 'withdrawn' }) }).sort({ createdAt: -1 }).limit(1000).lean<InvitationRecord[]>().exec();
    const views: InvitationView[] = [];
    for (const item of items) {
      let current = item;
      // A member accepts in Teams or the tab (their membership turns active): the invitation follows.
      if (item.state === 'pending' && item.userId) {
        const membership = await membershipOf(access.community._id, item.userId);
        if (membership?.status === 'active') current = (await this.markAccepted(item)) ?? item;
      }
      views.push(toView(current));
    }
    return views;
  }

  /** Withdraws a pending invitation: the waiting membership goes, the address is kept until the retention period ends. */
  async withdraw(actor: Actor, communityId: string, invitationId: string): Promise<InvitationView> {
    const access = await resolveCommunityAccess(actor, communityId);
    access.authorize('members.manage');
    const item = await this.find(actor, access.community._id, invitationId);
    if (item.state !== 'pending') throw new ConflictError('Only a pending invitation can be withdrawn.', 'not_pending');
    if (item.userId) {
      const membership = await membershipOf(access.community._id, item.userId);
      if (membership?.status === 'invited') await this.deps.memberships.remove(actor, communityId, item.userId);
    }
    const updated = (await atomicUpdate(InvitationModel, { _id: item._id, state: 'pending' }, { $set: { state: 'withdrawn', closedAt: this.now() } })) as InvitationRecord | null;
    if (!updated) throw new ConflictError('The invitation changed meanwhile; look again.', 'invitation_changed');
    await this.deps.audit.record({ tenantId: actor.tenantId, kind: 'invitations.withdrawn', actorId: actor.userId, subjectId: String(item._id), details: { communityId: String(access.community._id) } });
    return toView(updated);
  }

  /** Sends a pending or failed invitation again (a guest's through Graph; a member's as a notification). */
  async resend(actor: Actor, communityId: string, invitationId: string, language: 'nl' | 'en' = 'nl'): Promise<{ invitation: InvitationView; outcome: InviteOutcome }> {
    const access = await resolveCommunityAccess(actor, communityId);
    access.authorize('members.manage');
    const item = await this.find(actor, access.community._id, invitationId);
    if ((item.state !== 'pending' && item.state !== 'failed') || !item.email) throw new ConflictError('Only a pending or failed invitation can be sent again.', 'not_resendable');
    // Forget the old answer, then invite as new: the same path as a first invitation, one address.
    await InvitationModel.deleteOne({ _id: item._id });
    if (item.state === 'pending' && item.userId && item.kind === 'member') {
      const membership = await membershipOf(access.community._id, item.userId);
      if (membership?.status === 'invited') await this.deps.memberships.remove(actor, communityId, item.userId);
    }
    const { outcomes } = await this.invite(actor, communityId, { addresses: item.email, language });
    const outcome = outcomes[0]?.outcome ?? 'graph_failed';
    const again = (await atomicUpdate(InvitationModel, { tenantId: actor.tenantId, communityId: access.community._id, key: item.key }, { $set: { sends: (item.sends ?? 1) + 1 } }, { lockKey: `invitations:${actor.tenantId}:${String(access.community._id)}:${item.key}` })) as InvitationRecord | null;
    await this.deps.audit.record({ tenantId: actor.tenantId, kind: 'invitations.resent', actorId: actor.userId, subjectId: again ? String(again._id) : String(item._id), details: { communityId: String(access.community._id), outcome } });
    if (!again) throw new NotFoundError('The invitation is gone.', 'invitation_not_found');
    return { invitation: toView(again), outcome };
  }

  /**
   * On each authenticated request: a guest's first sign-in accepts the invitations that wait
   * for them (their membership turns active). Looked up at most every 5 minutes per person
   * and process.
   */
  async signedIn(actor: Actor): Promise<void> {
    if (!actor.isGuest) return;
    const memo = `${actor.tenantId}:${actor.userId}`;
    const now = this.now().getTime();
    const last = this.checked.get(memo);
    if (last !== undefined && now - last < 5 * 60_000) return;
    if (this.checked.size > 10_000) this.checked.clear();
    this.checked.set(memo, now);
    const waiting = await InvitationModel.find({ tenantId: actor.tenantId, userId: actor.userId, kind: 'guest', state: 'pending' }).lean<InvitationRecord[]>().exec();
    for (const item of waiting) {
      const result = await this.deps.memberships.add(actor, String(item.communityId), {}).catch(() => undefined);
      if (result && (result.outcome === 'accepted' || result.outcome === 'unchanged') && result.member.status === 'active') await this.markAccepted(item);
    }
  }

  private async markAccepted(item: InvitationRecord): Promise<InvitationRecord | null> {
    // Accepted: the address has done its job and is removed.
    return (await atomicUpdate(InvitationModel, { _id: item._id, state: 'pending' }, { $set: { state: 'accepted', acceptedAt: this.now() }, $unset: { email: 1 } })) as InvitationRecord | null;
  }

  private async find(actor: Actor, communityId: mongoose.Types.ObjectId, invitationId: string): Promise<InvitationRecord> {
    if (!mongoose.isValidObjectId(invitationId)) throw new NotFoundError('There is no such invitation.', 'invitation_not_found');
    const item = await InvitationModel.findOne({ _id: new mongoose.Types.ObjectId(invitationId), tenantId: actor.tenantId, communityId }).lean<InvitationRecord>().exec();
    if (!item) throw new NotFoundError('There is no such invitation.', 'invitation_not_found');
    return item;
  }
}

function toView(i: InvitationRecord): InvitationView {
  return {
    id: String(i._id),
    address: i.email ?? null,
    userId: i.userId ?? null,
    kind: (i.kind as 'member' | 'guest' | undefined) ?? null,
    state: i.state,
    reason: i.reason ?? null,
    sends: i.sends ?? 1,
    createdAt: i.createdAt.toISOString(),
  };
}
