/**
 * Sign-ups: signing up and cancelling, requests decided by organisers, organisers adding
 * and removing attendees, the attendee list and its CSV export. Who may do it is decided
 * here (events.policy.ts); what happens to seats is the seat allocator's, which applies
 * every change under the event's lock.
 */
import type { AuditSink } from '../audit/audit.port.js';
import type { Actor } from '../auth/actor.js';
import { ConflictError, NotFoundError, ValidationError } from '../errors/domain-errors.js';
import type { DirectoryGateway } from '../graph/directory-gateway.js';
import { directoryPerson } from '../members/directory-person.js';
import { ensurePersonKnown } from '../members/people.repository.js';
import type { UserRecord } from '../members/user.model.js';
import type { UserDirectoryRepository } from '../members/user-directory.repository.js';
import { loadEvent, resolveEventAccess, type EventLoader } from './event-access.js';
import type { EventRecord } from './event.model.js';
import type { ListRegistrationsQuery } from './event.schemas.js';
import type { RegistrationRecord, RegistrationStatus } from './registration.model.js';
import { findRegistration, registrationPage, registrationsOf, waitlistPosition } from './registration.repository.js';
import type { Person, RegistrationOutcome, SeatAllocator } from './seat-allocator.js';
import { MAX_PAGE_SIZE, type Page } from '../db/pagination.js';
import { csvFile, type CsvFile } from '../content/csv.js';
import type { RegistrationView } from './registration-view.js';
import { recordSignUp } from '../telemetry/meent-metrics.js';

export interface EventSignupDeps {
  allocator: SeatAllocator;
  people: Pick<UserDirectoryRepository, 'find'>;
  audit: AuditSink;
  /** The organisation's directory for an actor: someone Meent has not seen yet becomes known when added. */
  directoryFor?: (actor: Actor) => DirectoryGateway | undefined;
}

export type { RegistrationView };

export interface SignUpResult {
  registration: RegistrationView;
  /** False when the person was already signed up (the existing registration is returned). */
  created: boolean;
}

/**
 * How long a sign-up may decide access on an event read shortly before. A burst of sign-ups
 * for one event then reads it once, instead of once per request in front of the allocator's
 * own reads. Only who-may-see-it depends on this read; everything about seats (status,
 * deadline, capacity) is decided on a fresh read under the event's lock.
 */
const ACCESS_CACHE_MS = 2_000;
const ACCESS_CACHE_SIZE = 500;

export class EventSignupService {
  private readonly recent = new Map<string, { at: number; event: Promise<EventRecord | null> }>();

  constructor(private readonly deps: EventSignupDeps) {}

  /** Signs the actor up: a seat, a place on the waitlist, or a request, as the event says. */
  async signUp(actor: Actor, eventId: string, input: { message?: string } = {}): Promise<SignUpResult> {
    const access = await resolveEventAccess(actor, eventId, this.cachedLoad);
    access.authorize('event.signUp');
    const person = await this.personFromActor(actor);
    const outcome = await this.deps.allocator.apply(actor.tenantId, access.event._id, { kind: 'signUp', person, ...(input.message ? { message: input.message } : {}) });
    // The sign-up rate operators watch (src/telemetry/); signing up twice is not a new one.
    if (outcome.created) recordSignUp(outcome.registration.status);
    return { registration: fullView(outcome), created: outcome.created };
  }

  /** Cancels the actor's sign-up; a freed seat goes to the first person waiting. */
  async cancelMine(actor: Actor, eventId: string): Promise<RegistrationView> {
    const access = await resolveEventAccess(actor, eventId, this.cachedLoad);
    const outcome = await this.deps.allocator.apply(actor.tenantId, access.event._id, { kind: 'cancel', userId: actor.userId });
    return fullView(outcome);
  }

  /** The actor's own registration (with the waitlist position). */
  async mine(actor: Actor, eventId: string): Promise<RegistrationView> {
    const access = await resolveEventAccess(actor, eventId);
    const registration = await findRegistration(access.event._id, actor.userId);
    if (!registration) throw new NotFoundError('You have not signed up for this event.', 'registration_not_found');
    return fullView({ registration, created: false, ...(registration.status === 'waitlisted' ? { position: await waitlistPosition(registration) } : {}) });
  }

  /** Approves or declines a request (organisers). */
  async decide(actor: Actor, eventId: string, userId: string, action: 'approve' | 'decline'): Promise<RegistrationView> {
    const access = await resolveEventAccess(actor, eventId);
    access.authorize('attendees.manage');
    const outcome = await this.deps.allocator.apply(actor.tenantId, access.event._id, { kind: action, userId, by: actor.userId });
    return fullView(outcome);
  }

  /** Adds someone as an attendee (organisers): a seat, or the waitlist when full. */
  async add(actor: Actor, eventId: string, userId: string): Promise<SignUpResult> {
    const access = await resolveEventAccess(actor, eventId);
    access.authorize('attendees.manage');
    const user = await this.personToAdd(actor, userId);
    if (user.isGuest && !access.event.guestsAllowed) throw new ConflictError('This event is not open to guests.', 'guests_not_allowed');
    const person: Person = {
      userId,
      displayName: user.displayName,
      email: user.mail ?? user.userPrincipalName ?? null,
      organisation: user.profile?.organisation ?? null,
      isGuest: user.isGuest ?? false,
    };
    const outcome = await this.deps.allocator.apply(actor.tenantId, access.event._id, { kind: 'add', person, by: actor.userId });
    return { registration: fullView(outcome), created: outcome.created };
  }

  /**
   * Registers a guest whom an organiser invited to the event by e-mail (issue 14), at their
   * first sign-in: as that organiser would have added them (a seat, or the waitlist when
   * full). The invitation vouches for them, so an invite-only event takes them; the event
   * must still admit guests.
   */
  async admitInvited(guest: Actor, eventId: string, invitedBy: string): Promise<RegistrationView> {
    const access = await resolveEventAccess(guest, eventId);
    if (guest.isGuest && !access.event.guestsAllowed) throw new ConflictError('This event is not open to guests.', 'guests_not_allowed');
    const person = await this.personFromActor(guest);
    const outcome = await this.deps.allocator.apply(guest.tenantId, access.event._id, { kind: 'add', person, by: invitedBy });
    return fullView(outcome);
  }

  /** The person Meent knows, or one from the organisation's directory made known now (as an invitation to a community does). */
  private async personToAdd(actor: Actor, userId: string): Promise<UserRecord> {
    const known = await this.deps.people.find(actor.tenantId, userId);
    if (known) return known;
    const fromDirectory = await this.deps.directoryFor?.(actor)?.getUser(userId);
    if (!fromDirectory) throw new NotFoundError('There is no such person in this organisation.', 'person_not_found');
    return ensurePersonKnown(actor.tenantId, directoryPerson(fromDirectory));
  }

  /** Removes someone from the event (organisers); a freed seat goes to the first person waiting. */
  async remove(actor: Actor, eventId: string, userId: string): Promise<RegistrationView> {
    const access = await resolveEventAccess(actor, eventId);
    access.authorize('attendees.manage');
    const outcome = await this.deps.allocator.apply(actor.tenantId, access.event._id, { kind: 'remove', userId, by: actor.userId });
    return fullView(outcome);
  }

  /**
   * The attendee list. Organisers see everyone with contact details and can filter by
   * status (the waitlist in its order, with positions); others see the registered names,
   * unless the organisers hide the list.
   */
  async list(actor: Actor, eventId: string, query: ListRegistrationsQuery): Promise<Page<RegistrationView>> {
    const access = await resolveEventAccess(actor, eventId);
    access.authorize('attendees.read');
    const organiser = access.can('attendees.manage');
    const status = organiser ? query.status : 'registered';
    if (!organiser && query.status && query.status !== 'registered') throw new ValidationError('Only organisers can list by status.', [{ path: 'query.status', message: 'only registered' }]);
    const sortField = status === 'waitlisted' ? 'queue' : 'seq';
    const limit = Math.min(Math.max(query.limit ?? 50, 1), MAX_PAGE_SIZE);
    const cursor = query.cursor ? decodeListCursor(query.cursor) : { k: null, n: 0 };
    const rows = await registrationPage(access.event._id, status, sortField, cursor.k, limit + 1);
    const items = rows.slice(0, limit).map((r, i) => {
      const position = status === 'waitlisted' ? cursor.n + i + 1 : undefined;
      return organiser ? fullView({ registration: r, created: false, ...(position ? { position } : {}) }) : publicView(r);
    });
    const last = rows[Math.min(rows.length, limit) - 1];
    return {
      items,
      ...(rows.length > limit && last ? { nextCursor: encodeListCursor(sortField === 'queue' ? last.queue : last.seq, cursor.n + limit) } : {}),
    };
  }

  /** Every registration as CSV (organisers): registered, then the waitlist in order, then the rest. */
  async exportCsv(actor: Actor, eventId: string): Promise<CsvFile> {
    const access = await resolveEventAccess(actor, eventId);
    access.authorize('attendees.export');
    const rows = await registrationsOf(access.event._id);
    const order: Record<RegistrationStatus, number> = { registered: 0, waitlisted: 1, requested: 2, cancelled: 3, declined: 4, removed: 5 };
    rows.sort((a, b) => order[a.status] - order[b.status] || (a.status === 'waitlisted' ? a.queue - b.queue : a.seq - b.seq));
    // Organisations (and addresses the sign-up token lacked) as the people's profiles say now.
    const profiles = new Map<string, { organisation: string; email: string }>();
    for (const userId of new Set(rows.filter((r) => !r.organisation || !r.email).map((r) => r.userId))) {
      const user = await this.deps.people.find(actor.tenantId, userId);
      if (user) profiles.set(userId, { organisation: user.profile?.organisation ?? '', email: user.mail ?? user.userPrincipalName ?? '' });
    }
    let position = 0;
    const table = rows.map((r) => [
      r.displayName ?? '',
      r.email ?? profiles.get(r.userId)?.email ?? '',
      r.organisation ?? profiles.get(r.userId)?.organisation ?? '',
      r.isGuest ? 'yes' : 'no',
      r.status,
      r.status === 'waitlisted' ? String(++position) : '',
      r.createdAt ? r.createdAt.toISOString() : '',
      r.registeredAt ? r.registeredAt.toISOString() : '',
    ]);
    // Personal data leaves Meent: who took it, of which event, how many people.
    await this.deps.audit.record({ tenantId: actor.tenantId, kind: 'event.registrations_exported', actorId: actor.userId, subjectId: String(access.event._id), details: { count: rows.length } });
    return csvFile('attendees', access.event.title, ['Name', 'E-mail', 'Organisation', 'Guest', 'Status', 'Waitlist position', 'Signed up at', 'Registered at'], table);
  }

  /**
   * Who signs up, from the actor: tokens (and the local sign-in) carry the name and the
   * address, so a sign-up costs no read of the person's record unless the actor has no
   * address at all. The organisation is looked up at export.
   */
  private async personFromActor(actor: Actor): Promise<Person> {
    const address = actor.email ?? actor.userPrincipalName;
    const user = address ? null : await this.deps.people.find(actor.tenantId, actor.userId);
    return {
      userId: actor.userId,
      displayName: actor.name || user?.displayName || actor.userId,
      email: address ?? user?.mail ?? user?.userPrincipalName ?? null,
      organisation: null,
      isGuest: actor.isGuest,
    };
  }

  private readonly cachedLoad: EventLoader = (tenantId, id) => {
    const key = `${tenantId}:${String(id)}`;
    const now = Date.now();
    const hit = this.recent.get(key);
    if (hit && now - hit.at < ACCESS_CACHE_MS) return hit.event;
    if (this.recent.size >= ACCESS_CACHE_SIZE) this.recent.clear();
    const event = loadEvent(tenantId, id);
    this.recent.set(key, { at: now, event });
    event.catch(() => this.recent.delete(key));
    return event;
  };
}

function fullView(outcome: RegistrationOutcome): RegistrationView {
  const r = outcome.registration;
  return {
    ...publicView(r),
    status: r.status,
    ...(outcome.position !== undefined ? { position: outcome.position } : {}),
    email: r.email ?? null,
    isGuest: r.isGuest ?? false,
    message: r.message ?? null,
    registeredAt: r.registeredAt ? r.registeredAt.toISOString() : null,
    statusChangedAt: r.statusChangedAt.toISOString(),
    ...(r.createdAt ? { createdAt: r.createdAt.toISOString() } : {}),
  };
}

function publicView(r: RegistrationRecord): RegistrationView {
  return { id: String(r._id), eventId: String(r.eventId), userId: r.userId, displayName: r.displayName ?? '', status: r.status, organisation: r.organisation ?? null };
}

function encodeListCursor(k: number, n: number): string {
  return Buffer.from(JSON.stringify({ k, n })).toString('base64url');
}

function decodeListCursor(cursor: string): { k: number | null; n: number } {
  try {
    const parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { k?: unknown; n?: unknown };
    if (typeof parsed.k === 'number' && Number.isFinite(parsed.k) && Number.isInteger(parsed.n) && (parsed.n as number) >= 0) return { k: parsed.k, n: parsed.n as number };
  } catch {
    // fall through to the validation error
  }
  throw new ValidationError('The cursor is not valid; start again without one.', [{ path: 'query.cursor', message: 'invalid cursor' }], 'invalid_cursor');
}
