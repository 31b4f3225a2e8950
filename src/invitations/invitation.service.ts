/**
 * Invitations by e-mail address to a community or to an event (issue 14). A community's
 * manager, or whoever runs an event, pastes one address or up to 200; each gets an outcome in
 * words (a stable code the tab translates). For a community:
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
 * For an event, someone of the tenant is registered at once (`registered`, `waitlisted`,
 * `already_registered`, `event_full`) and invited into its community; a new guest is invited
 * as for a community, and their first sign-in also registers them. What differs between the
 * two is the target's (invitation-target.ts); addresses, Graph and outcomes are kept here.
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
import type { MembershipService } from '../communities/membership.service.js';
import { ConflictError, NotFoundError, ValidationError } from '../errors/domain-errors.js';
import type { EventSignupService } from '../events/event-signup.service.js';
import type { DirectoryUser } from '../graph/directory-gateway.js';
import type { GuestInvitationsGateway, InviteAnswer } from '../graph/guest-invitations-gateway.js';
import { ensurePersonKnown } from '../members/people.repository.js';
import { atomicUpdate } from '../db/atomic-update.js';
import { upsertRetryingRace } from '../db/mongo-errors.js';
import { clockOf, type Clock } from '../time/clock.js';
import { communityInvitationTarget } from './community-invitation-target.js';
import { eventInvitationTarget } from './event-invitation-target.js';
import { InvitationModel, type InvitationRecord } from './invitation.model.js';
import type { InvitationScope, InvitationTarget, InviteOutcome } from './invitation-target.js';

export type { InviteOutcome };

export const MAX_ADDRESSES = 200;

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
  /** `PUBLIC_URL`: a guest lands on `<publicUrl>/tab/#/communities/<id>` (or `/events/<id>`) after redeeming. */
  publicUrl: string;
  /** Registrations for invitations to events; without it, events take no invitations. */
  signups?: Pick<EventSignupService, 'add' | 'admitInvited'>;
  /**
   * After a guest's first sign-in accepted invitations: what else their arrival opens to them
   * (the files of organisation-wide events that admit guests are shared with them at once).
   */
  guestAdmitted?: (actor: Actor) => Promise<void>;
  now?: Clock;
}

type Input = { addresses: string; message?: string; language?: 'nl' | 'en' };

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

  /** Invites to a community (its managers). */
  async invite(actor: Actor, communityId: string, input: Input): Promise<{ outcomes: AddressOutcome[] }> {
    return this.inviteTo(actor, await this.community(actor, communityId), input);
  }

  /** Invites to an event (whoever runs it); refused for an event that is cancelled or has started. */
  async inviteToEvent(actor: Actor, eventId: string, input: Input): Promise<{ outcomes: AddressOutcome[] }> {
    return this.inviteTo(actor, await this.event(actor, eventId), input);
  }

  /** The community's own invitations (managers): pending, accepted, failed; newest first. */
  async list(actor: Actor, communityId: string): Promise<InvitationView[]> {
    return this.listOf(actor, await this.community(actor, communityId));
  }

  /** The event's invitations (whoever runs it), as `list`. */
  async listForEvent(actor: Actor, eventId: string): Promise<InvitationView[]> {
    return this.listOf(actor, await this.event(actor, eventId, { evenIfClosed: true }));
  }

  /** Withdraws a pending invitation to a community: the waiting membership goes, the address is kept until the retention period ends. */
  async withdraw(actor: Actor, communityId: string, invitationId: string): Promise<InvitationView> {
    return this.withdrawFrom(actor, await this.community(actor, communityId), invitationId);
  }

  /** Withdraws a pending invitation to an event (a guest's, whose registration waits for their sign-in). */
  async withdrawFromEvent(actor: Actor, eventId: string, invitationId: string): Promise<InvitationView> {
    return this.withdrawFrom(actor, await this.event(actor, eventId, { evenIfClosed: true }), invitationId);
  }

  /** Sends a pending or failed invitation to a community again (a guest's through Graph; a member's as a notification). */
  async resend(actor: Actor, communityId: string, invitationId: string, language: 'nl' | 'en' = 'nl'): Promise<{ invitation: InvitationView; outcome: InviteOutcome }> {
    return this.resendTo(actor, await this.community(actor, communityId), invitationId, language);
  }

  /** Sends a pending or failed invitation to an event again. */
  async resendForEvent(actor: Actor, eventId: string, invitationId: string, language: 'nl' | 'en' = 'nl'): Promise<{ invitation: InvitationView; outcome: InviteOutcome }> {
    return this.resendTo(actor, await this.event(actor, eventId), invitationId, language);
  }

  private community(actor: Actor, communityId: string): Promise<InvitationTarget> {
    return communityInvitationTarget(actor, communityId, this.deps.memberships);
  }

  private event(actor: Actor, eventId: string, options: { evenIfClosed?: boolean } = {}): Promise<InvitationTarget> {
    const signups = this.deps.signups;
    if (!signups) throw new Error('invitations to events need the sign-ups service');
    return eventInvitationTarget(actor, eventId, { signups, memberships: this.deps.memberships, now: this.now }, options);
  }

  private async inviteTo(actor: Actor, target: InvitationTarget, input: Input): Promise<{ outcomes: AddressOutcome[] }> {
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

    // Addresses this target already has an invitation for: nothing changes for them.
    const existing = await InvitationModel.find({ tenantId: actor.tenantId, ...target.scope, key: mongoose.trusted({ $in: valid.map(addressKey) }) }).lean<InvitationRecord[]>().exec();
    const byKey = new Map(existing.map((i) => [i.key, i]));
    const fresh: string[] = [];
    for (const email of valid) {
      const known = byKey.get(addressKey(email));
      if (known) outcomes.set(email, { address: email, outcome: alreadyOutcome(known), invitationId: String(known._id) });
      else fresh.push(email);
    }

    const gateway = this.deps.gatewayFor(actor);
    const found = fresh.length > 0 && gateway ? await gateway.findByEmail(fresh) : new Map<string, DirectoryUser>();
    const guests: string[] = [];
    for (const email of fresh) {
      const person = found.get(email);
      if (person) {
        outcomes.set(email, await this.inviteKnown(actor, target, email, person));
      } else if (!gateway) {
        outcomes.set(email, { address: email, outcome: 'not_found' });
      } else if (!this.deps.guestsAllowed || target.guestRefusal) {
        outcomes.set(email, { address: email, outcome: this.deps.guestsAllowed ? (target.guestRefusal ?? 'guests_not_allowed') : 'guests_not_allowed' });
      } else {
        guests.push(email);
      }
    }
    if (guests.length > 0 && gateway) {
      const language = input.language ?? 'nl';
      const redirectUrl = `${this.deps.publicUrl}/tab/#${target.landing}`;
      const answers = await gateway.invite(guests.map((email) => ({ email, redirectUrl, language, ...(input.message ? { message: input.message } : {}) })));
      for (let i = 0; i < guests.length; i++) {
        const email = guests[i] as string;
        outcomes.set(email, await this.recordGuestAnswer(actor, target, email, answers[i] ?? { ok: false, code: 'graph_failed', status: 0 }));
      }
    }

    const list = [...outcomes.values()];
    const count = (...o: InviteOutcome[]) => list.filter((x) => o.includes(x.outcome)).length;
    await this.deps.audit.record({
      tenantId: actor.tenantId,
      kind: 'invitations.sent',
      actorId: actor.userId,
      subjectId: target.subjectId,
      details: {
        ...scopeDetails(target.scope),
        addresses: pasted.length,
        members: count('invited_member', 'registered', 'waitlisted'),
        guests: count('invited_guest'),
        refused: count('refused_by_policy', 'address_refused', 'throttled', 'graph_failed'),
        invalid: count('invalid_address'),
      },
    });
    return { outcomes: list };
  }

  private async inviteKnown(actor: Actor, target: InvitationTarget, email: string, person: DirectoryUser): Promise<AddressOutcome> {
    const isGuest = person.userType === 'Guest' || (person.userType === null && (person.userPrincipalName ?? '').includes('#EXT#'));
    await ensurePersonKnown(actor.tenantId, {
      userId: person.id,
      displayName: person.displayName ?? person.mail ?? person.id,
      ...(person.mail ? { mail: person.mail } : {}),
      ...(person.userPrincipalName ? { userPrincipalName: person.userPrincipalName } : {}),
      isGuest,
    });
    const { outcome, state } = await target.inviteKnown(person.id);
    const saved = await this.save(actor, target.scope, email, {
      userId: person.id,
      kind: 'member',
      state,
      ...(state === 'failed' ? { reason: outcome, closedAt: this.now() } : {}),
      ...(state === 'accepted' ? { acceptedAt: this.now() } : {}),
    });
    return { address: email, outcome, invitationId: String(saved._id) };
  }

  private async recordGuestAnswer(actor: Actor, target: InvitationTarget, email: string, answer: InviteAnswer): Promise<AddressOutcome> {
    if (!answer.ok) {
      const saved = await this.save(actor, target.scope, email, { kind: 'guest', state: 'failed', reason: answer.code, graphStatus: answer.status, closedAt: this.now() });
      return { address: email, outcome: answer.code, invitationId: String(saved._id) };
    }
    // What the target holds for the guest waits, bound to their object id, until their first sign-in (signedIn).
    await ensurePersonKnown(actor.tenantId, { userId: answer.userId, displayName: email, mail: email, isGuest: true });
    await target.holdForGuest(answer.userId);
    const saved = await this.save(actor, target.scope, email, { userId: answer.userId, kind: 'guest', state: 'pending', sentAt: this.now() });
    return { address: email, outcome: 'invited_guest', invitationId: String(saved._id) };
  }

  private async save(actor: Actor, scope: InvitationScope, email: string, set: Partial<InvitationRecord>): Promise<InvitationRecord> {
    const key = addressKey(email);
    // Accepted: the address has done its job and is not kept.
    const keepAddress = set.state === 'pending' || set.state === 'failed';
    const doc = (await upsertRetryingRace(() =>
      atomicUpdate(
        InvitationModel,
        { tenantId: actor.tenantId, ...scope, key },
        { $set: { ...set, ...(keepAddress ? { email } : {}), invitedBy: actor.userId }, ...(keepAddress ? {} : { $unset: { email: 1 } }), $setOnInsert: { tenantId: actor.tenantId, ...scope, key } },
        { upsert: true, lockKey: lockKeyOf(actor.tenantId, scope, key) },
      ),
    )) as InvitationRecord | null;
    if (!doc) throw new Error('invitation upsert returned nothing');
    return doc;
  }

  private async listOf(actor: Actor, target: InvitationTarget): Promise<InvitationView[]> {
    const items = await InvitationModel.find({ tenantId: actor.tenantId, ...target.scope, state: mongoose.trusted({ $ne: 'withdrawn' }) }).sort({ createdAt: -1 }).limit(1000).lean<InvitationRecord[]>().exec();
    const views: InvitationView[] = [];
    for (const item of items) {
      // Accepted in Teams or the tab meanwhile: the invitation follows.
      const current = item.state === 'pending' && (await target.takenUp(item)) ? ((await this.markAccepted(item)) ?? item) : item;
      views.push(toView(current));
    }
    return views;
  }

  private async withdrawFrom(actor: Actor, target: InvitationTarget, invitationId: string): Promise<InvitationView> {
    const item = await this.find(actor, target.scope, invitationId);
    if (item.state !== 'pending') throw new ConflictError('Only a pending invitation can be withdrawn.', 'not_pending');
    if (!(await this.sharesWaitingMembership(item))) await target.release(item);
    const updated = (await atomicUpdate(InvitationModel, { _id: item._id, state: 'pending' }, { $set: { state: 'withdrawn', closedAt: this.now() } })) as InvitationRecord | null;
    if (!updated) throw new ConflictError('The invitation changed meanwhile; look again.', 'invitation_changed');
    await this.deps.audit.record({ tenantId: actor.tenantId, kind: 'invitations.withdrawn', actorId: actor.userId, subjectId: String(item._id), details: scopeDetails(target.scope) });
    return toView(updated);
  }

  /** Another pending invitation (to the community, or one of its events) waits on the same membership: it stays. */
  private async sharesWaitingMembership(item: InvitationRecord): Promise<boolean> {
    if (!item.userId || !item.communityId) return false;
    return (await InvitationModel.countDocuments({ tenantId: item.tenantId, communityId: item.communityId, userId: item.userId, state: 'pending', _id: mongoose.trusted({ $ne: item._id }) })) > 0;
  }

  private async resendTo(actor: Actor, target: InvitationTarget, invitationId: string, language: 'nl' | 'en'): Promise<{ invitation: InvitationView; outcome: InviteOutcome }> {
    const item = await this.find(actor, target.scope, invitationId);
    if ((item.state !== 'pending' && item.state !== 'failed') || !item.email) throw new ConflictError('Only a pending or failed invitation can be sent again.', 'not_resendable');
    // Forget the old answer, then invite as new: the same path as a first invitation, one address.
    await InvitationModel.deleteOne({ _id: item._id });
    if (item.state === 'pending' && item.kind === 'member' && !(await this.sharesWaitingMembership(item))) await target.release(item);
    const { outcomes } = await this.inviteTo(actor, target, { addresses: item.email, language });
    const outcome = outcomes[0]?.outcome ?? 'graph_failed';
    const again = (await atomicUpdate(InvitationModel, { tenantId: actor.tenantId, ...target.scope, key: item.key }, { $set: { sends: (item.sends ?? 1) + 1 } }, { lockKey: lockKeyOf(actor.tenantId, target.scope, item.key) })) as InvitationRecord | null;
    await this.deps.audit.record({ tenantId: actor.tenantId, kind: 'invitations.resent', actorId: actor.userId, subjectId: again ? String(again._id) : String(item._id), details: { ...scopeDetails(target.scope), outcome } });
    if (!again) throw new NotFoundError('The invitation is gone.', 'invitation_not_found');
    return { invitation: toView(again), outcome };
  }

  /**
   * On each authenticated request: a guest's first sign-in accepts the invitations that wait
   * for them (their membership turns active; an event's registers them as the organiser who
   * invited them would have). Looked up at most every 5 minutes per person and process.
   * The files they may now read are shared with them at once, not at the next reconciliation:
   * their communities' through the membership (as any join), organisation-wide events' through
   * `guestAdmitted`.
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
    // Communities first: an event of a closed community is seen by its members only.
    waiting.sort((a, b) => Number(Boolean(a.eventId)) - Number(Boolean(b.eventId)));
    let accepted = 0;
    for (const item of waiting) {
      if (item.communityId) {
        const result = await this.deps.memberships.add(actor, String(item.communityId), {}).catch(() => undefined);
        const member = result && (result.outcome === 'accepted' || result.outcome === 'unchanged') && result.member.status === 'active';
        if (!member) continue;
      }
      if (item.eventId) {
        const refused = await this.admitToEvent(actor, item);
        if (refused) {
          // Full without a waitlist, cancelled or started meanwhile: the organiser sees why and may send it again.
          await atomicUpdate(InvitationModel, { _id: item._id, state: 'pending' }, { $set: { state: 'failed', reason: refused, closedAt: this.now() } });
          continue;
        }
      }
      if (await this.markAccepted(item)) accepted += 1;
    }
    if (accepted > 0) await this.deps.guestAdmitted?.(actor);
  }

  /** Registers the guest on the event; why not when the event no longer takes them. */
  private async admitToEvent(actor: Actor, item: InvitationRecord): Promise<InviteOutcome | null> {
    if (!this.deps.signups) return 'event_closed';
    try {
      await this.deps.signups.admitInvited(actor, String(item.eventId), item.invitedBy);
      return null;
    } catch (err) {
      if (!(err instanceof ConflictError || err instanceof NotFoundError)) throw err;
      return err.code === 'event_full' || err.code === 'guests_not_allowed' ? err.code : 'event_closed';
    }
  }

  private async markAccepted(item: InvitationRecord): Promise<InvitationRecord | null> {
    // Accepted: the address has done its job and is removed.
    return (await atomicUpdate(InvitationModel, { _id: item._id, state: 'pending' }, { $set: { state: 'accepted', acceptedAt: this.now() }, $unset: { email: 1 } })) as InvitationRecord | null;
  }

  private async find(actor: Actor, scope: InvitationScope, invitationId: string): Promise<InvitationRecord> {
    if (!mongoose.isValidObjectId(invitationId)) throw new NotFoundError('There is no such invitation.', 'invitation_not_found');
    const item = await InvitationModel.findOne({ _id: new mongoose.Types.ObjectId(invitationId), tenantId: actor.tenantId, ...scope }).lean<InvitationRecord>().exec();
    if (!item) throw new NotFoundError('There is no such invitation.', 'invitation_not_found');
    return item;
  }
}

/** What an address with an invitation already comes to: nothing new. */
function alreadyOutcome(known: InvitationRecord): InviteOutcome {
  if (known.state !== 'accepted') return 'already_invited';
  return known.eventId ? 'already_registered' : 'already_member';
}

function scopeDetails(scope: InvitationScope): Record<string, string> {
  return { ...(scope.communityId ? { communityId: String(scope.communityId) } : {}), ...(scope.eventId ? { eventId: String(scope.eventId) } : {}) };
}

function lockKeyOf(tenantId: string, scope: InvitationScope, key: string): string {
  return `invitations:${tenantId}:${String(scope.communityId)}:${String(scope.eventId)}:${key}`;
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
