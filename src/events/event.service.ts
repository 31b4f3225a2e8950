/**
 * Events: create, read, list, edit and cancel. Edits go through the seat allocator, so a
 * capacity change and the sign-ups racing with it are applied in one order under the
 * event's lock (lowering the capacity moves the newest registrations to the head of the
 * waitlist; raising it promotes). Changes attendees must know about raise the event's
 * iCalendar SEQUENCE, tell every attendee, and ask the calendar outbox to update Outlook.
 */
import mongoose, { Types } from 'mongoose';
import type { z } from 'zod';
import { commitOrUndo, type AttachmentView, type PostAttachments, type PreparedAttachments } from '../attachments/attachments.port.js';
import type { AuditSink } from '../audit/audit.port.js';
import type { Actor } from '../auth/actor.js';
import { readableCommunityIds, resolveCommunityAccess } from '../communities/community-access.js';
import { communityById, type CommunityRecord } from '../communities/communities.port.js';
import { markdown } from '../content/markdown.js';
import { decodeCursor, encodeCursor, MAX_PAGE_SIZE, type Page } from '../db/pagination.js';
import { ConflictError, ForbiddenError, ValidationError, type ErrorDetail } from '../errors/domain-errors.js';
import type { UserDirectoryRepository } from '../members/user-directory.repository.js';
import type { NotificationIntent, NotificationOutbox } from '../notifications/notification-outbox.js';
import type { CalendarOutbox } from './calendar-outbox.js';
import { accessFromContext, admitsAsOrganizer, communityRolesOf, eventContext, resolveEventAccess, type EventAccess, type OrganizerRules } from './event-access.js';
import { eventCalendarPath, eventWebUrl } from './event-links.js';
import type { EventRecord } from './event.model.js';
import { createEvent, deleteUnannouncedEvent, findEventPage, upcomingSignUpCandidates } from './event.repository.js';
import type { CreateEventInput, eventView, ListEventsQuery, UpdateEventInput } from './event.schemas.js';
import { canCreateCommunityEvent, canCreateOrganisationEvent } from './events.policy.js';
import type { EventReminders } from './event-reminders.js';
import { ACTIVE_STATUSES, type RegistrationRecord } from './registration.model.js';
import { activeEventIdsOf, findRegistration, registrationsOfUser, userIdsOf, waitlistPosition } from './registration.repository.js';
import type { SeatAllocator } from './seat-allocator.js';
import { selfSignUpOpen } from './signup-window.js';
import { DEFAULT_TIME_ZONE } from '../time/time-zone.js';
import { clockOf, type Clock } from '../time/clock.js';
import { checkEvent, checkedFollowUp, followUpsShown } from './event-rules.js';

export interface EventServiceDeps {
  allocator: SeatAllocator;
  notifications: NotificationOutbox;
  /** Absent when no calendar is connected. */
  calendar?: Pick<CalendarOutbox, 'requestSync'> | null;
  people: Pick<UserDirectoryRepository, 'find'>;
  reminders?: Pick<EventReminders, 'withdrawStale'> | null;
  audit: AuditSink;
  /** Meent's public origin (links back from invitations). */
  publicUrl: string;
  /** Files in events (issue 21); absent: events take no attachments. */
  attachments?: PostAttachments;
  now?: () => Date;
}

/** An event as the API shows it to one actor: the answer schema's type, so the two cannot drift. */
export type EventView = z.output<typeof eventView>;

const SCHEDULE_FIELDS = ['start', 'end', 'timeZone'] as const;
const PLACE_FIELDS = ['location', 'online'] as const;

/** Which community's next open event, and which event not to offer (the one just held). */
export interface NextOpenEventQuery {
  tenantId: string;
  communityId: Types.ObjectId | string;
  except?: Types.ObjectId | string | null;
}

export interface OpenEventSummary {
  id: string;
  title: string;
  start: Date;
  timeZone: string;
}

/**
 * The first upcoming event of a community that someone may sign themselves up for now, by
 * the sign-up window rule the allocator refuses with (`selfSignUpOpen`: not started, before
 * the deadline, not invite-only, a seat or a waitlist). The query narrows; the rule decides.
 */
export async function findNextOpenEvent(query: NextOpenEventQuery, now: Date): Promise<OpenEventSummary | null> {
  for await (const event of upcomingSignUpCandidates(query, now)) {
    const counts = { registered: event.counts?.registered ?? 0, waitlisted: event.counts?.waitlisted ?? 0 };
    if (selfSignUpOpen(event, counts, now)) return { id: String(event._id), title: event.title, start: event.start, timeZone: event.timeZone };
  }
  return null;
}

export class EventService {
  private readonly now: Clock;

  constructor(private readonly deps: EventServiceDeps) {
    this.now = clockOf(deps);
  }

  /** Creates an event in a community (its managers) or for the organisation (admins). */
  async create(actor: Actor, input: CreateEventInput, communityIdFromPath?: string): Promise<EventView> {
    const communityId = communityIdFromPath ?? input.communityId ?? null;
    let communityRole: 'manager' | 'member' | null = null;
    let community: CommunityRecord | null = null;
    if (communityId) {
      const access = await resolveCommunityAccess(actor, communityId);
      if (!canCreateCommunityEvent(actor, access.context)) throw new ForbiddenError('Only the community\'s managers can plan its events.', 'forbidden');
      communityRole = access.context.communityRole ?? null;
      community = access.community;
    } else if (!canCreateOrganisationEvent(actor, {})) {
      throw new ForbiddenError('Only organisation admins can plan organisation-wide events.', 'forbidden');
    }
    const now = this.now();
    const timeZone = input.timeZone ?? DEFAULT_TIME_ZONE;
    const fields = {
      start: input.start,
      end: input.end,
      timeZone,
      location: input.location ?? null,
      online: input.online ?? false,
      capacity: input.capacity ?? null,
      signupDeadline: input.signupDeadline ?? null,
    };
    checkEvent(fields, now, { startChanged: true });
    const organizers = unique([actor.userId, ...(input.organizers ?? [])]);
    // The creator runs it as its community's manager or as an admin; the others must qualify.
    await this.assertOrganizers(actor.tenantId, input.organizers ?? [], new Set([actor.userId]), { communityId: community?._id ?? null, community, guestsAllowed: input.guestsAllowed ?? false });
    const followUpDiscussionId = input.followUpDiscussionId ? await checkedFollowUp(actor, community?._id ?? null, input.followUpDiscussionId) : null;
    const _id = new Types.ObjectId();
    // Files are shared with the event's readers before it exists, and taken back if writing it fails: nothing is posted half.
    const files = await this.prepareAttachments(actor, community?._id ?? null, input.guestsAllowed ?? false, input.attachments);
    const event = await createEvent({
      _id,
      tenantId: actor.tenantId,
      communityId: communityId ? new Types.ObjectId(communityId) : null,
      title: input.title,
      description: markdown(input.description ?? ''),
      ...fields,
      waitlist: input.waitlist ?? true,
      signupMethod: input.signupMethod ?? 'open',
      guestsAllowed: input.guestsAllowed ?? false,
      hideAttendees: input.hideAttendees ?? false,
      organizers,
      ...(input.reminderMinutes ? { reminderMinutes: unique(input.reminderMinutes).sort((a, b) => b - a) } : {}),
      followUpDiscussionId,
      uid: `${String(_id)}@${new URL(this.deps.publicUrl).hostname}`,
      createdBy: actor.userId,
      // Guests have no mailbox in the organisation: their events live in Meent and .ics only.
      calendar: { mailbox: actor.isGuest ? null : actor.userId },
    }).catch(async (error: unknown) => {
      await files?.rollback();
      throw error;
    });
    await commitOrUndo(files, { type: 'event', id: event._id }, () => deleteUnannouncedEvent(event._id));
    await this.deps.calendar?.requestSync(event, { attendees: true });
    if (communityId) await this.announce(event, actor.userId, community?.name ?? null);
    const context = eventContext(actor, event, communityId ? { canRead: true, communityRole } : null);
    return this.view(actor, event, accessFromContext(actor, event, context, null), null, { followUpShown: followUpDiscussionId !== null, attachments: await this.filesOf(event) });
  }

  async get(actor: Actor, eventId: string): Promise<EventView> {
    const access = await resolveEventAccess(actor, eventId);
    const mine = await findRegistration(access.event._id, actor.userId);
    const position = mine?.status === 'waitlisted' ? await waitlistPosition(mine) : undefined;
    return this.view(actor, access.event, access, mine, { followUpShown: await this.followUpShown(access.event), attachments: await this.filesOf(access.event), ...(position !== undefined ? { position } : {}) });
  }

  /**
   * Events the actor may see: upcoming (ongoing included, soonest first) or past (latest
   * first), or those starting in [from, to); optionally only "mine" (signed up or
   * organising) or one community's.
   */
  /**
   * The community's next event that takes self sign-ups now, other than `except`: the meeting
   * follow-up's "next session" (see `findNextOpenEvent`).
   */
  nextOpenEvent(query: NextOpenEventQuery): Promise<OpenEventSummary | null> {
    return findNextOpenEvent(query, this.now());
  }

  async list(actor: Actor, query: ListEventsQuery): Promise<Page<EventView>> {
    const now = this.now();
    const and: Record<string, unknown>[] = [{ tenantId: actor.tenantId }];
    if (query.communityId) {
      const community = await resolveCommunityAccess(actor, query.communityId);
      if (!community.canRead && !actor.isOrgAdmin) throw new ForbiddenError('Only members can see this community\'s events.', 'forbidden');
      and.push({ communityId: new Types.ObjectId(query.communityId) });
    } else if (!actor.isOrgAdmin) {
      const readable = await readableCommunityIds(actor);
      and.push({
        // No branch for "listed as organiser": an organiser sees an event only while the rules that admit them as one hold (events.policy.ts), and those are these.
        $or: [
          { communityId: null, ...(actor.isGuest ? { guestsAllowed: true } : {}) },
          { communityId: mongoose.trusted({ $in: readable }) },
        ],
      });
    }
    if (query.mine) {
      const signedUp = await activeEventIdsOf(actor.tenantId, actor.userId);
      and.push({ $or: [{ _id: mongoose.trusted({ $in: signedUp }) }, { organizers: actor.userId }] });
    }
    let ascending = true;
    if (query.from || query.to) {
      if (query.from && query.to && query.to.getTime() <= query.from.getTime()) {
        throw new ValidationError('The range is empty.', [{ path: 'query.to', message: 'must be after from' }]);
      }
      if (query.from) and.push({ start: mongoose.trusted({ $gte: query.from }) });
      if (query.to) and.push({ start: mongoose.trusted({ $lt: query.to }) });
    } else if (query.past) {
      ascending = false;
      and.push({ end: mongoose.trusted({ $lt: now }) });
    } else {
      and.push({ end: mongoose.trusted({ $gte: now }) });
    }
    if (query.cursor) {
      const at = decodeCursor(query.cursor);
      const op = ascending ? '$gt' : '$lt';
      and.push({ $or: [{ start: mongoose.trusted({ [op]: at.value }) }, { start: at.value, _id: mongoose.trusted({ [op]: at.id }) }] });
    }
    const limit = Math.min(Math.max(query.limit ?? 20, 1), MAX_PAGE_SIZE);
    const direction = ascending ? 1 : -1;
    const rows = await findEventPage({ $and: and }, direction, limit + 1);
    const items = rows.slice(0, limit);
    const [mine, roles, readable, followUps, files] = await Promise.all([
      registrationsOfUser(
        items.map((e) => e._id),
        actor.userId,
      ),
      communityRolesOf(actor),
      actor.isOrgAdmin ? Promise.resolve(null) : readableCommunityIds(actor).then((ids) => new Set(ids.map(String))),
      followUpsShown(actor.tenantId, items),
      this.deps.attachments?.viewsOf(
        'event',
        items.map((e) => e._id),
      ),
    ]);
    const mineByEvent = new Map(mine.map((r) => [String(r.eventId), r]));
    const views = items.map((event) => {
      const cid = event.communityId ? String(event.communityId) : null;
      const canRead = cid !== null && (readable === null || readable.has(cid));
      // A membership the community no longer honours (a guest where guests are not admitted) holds no role, as in resolveCommunityAccess.
      const context = eventContext(actor, event, cid ? { canRead, communityRole: canRead ? (roles.get(cid) ?? null) : null } : null);
      return this.view(actor, event, accessFromContext(actor, event, context, null), mineByEvent.get(String(event._id)) ?? null, { followUpShown: followUps.has(String(event._id)), attachments: files?.get(String(event._id)) ?? [] });
    });
    const last = items[items.length - 1];
    return { items: views, ...(rows.length > limit && last ? { nextCursor: encodeCursor(last.start, last._id) } : {}) };
  }

  /** Edits an event (organisers, community managers, admins). */
  async update(actor: Actor, eventId: string, patch: UpdateEventInput): Promise<EventView> {
    const access = await resolveEventAccess(actor, eventId);
    access.authorize('event.update');
    if (patch.organizers) {
      const communityId = access.event.communityId;
      const community = communityId ? (access.community?.community ?? (await communityById(communityId))) : null;
      await this.assertOrganizers(actor.tenantId, patch.organizers, new Set(access.event.organizers), { communityId, community, guestsAllowed: patch.guestsAllowed ?? access.event.guestsAllowed });
    }
    const followUp = patch.followUpDiscussionId ? await checkedFollowUp(actor, access.event.communityId, patch.followUpDiscussionId) : patch.followUpDiscussionId;
    const description = patch.description !== undefined ? markdown(patch.description) : undefined;
    // The new files are shared before the edit is decided under the event's lock, recorded once it is written, taken back if it is refused.
    const files = patch.attachments !== undefined ? await this.prepareReplacement(actor, access.event, patch.guestsAllowed ?? access.event.guestsAllowed, patch.attachments) : null;
    const changed: string[] = [];
    // As the edit found them (under the event's lock), for the audit entries of who changed who runs it and who may come.
    let before: Pick<EventRecord, 'guestsAllowed' | 'organizers'> = access.event;
    const edit = this.deps.allocator.edit(actor.tenantId, access.event._id, (event, now) => {
      before = { guestsAllowed: event.guestsAllowed, organizers: [...event.organizers] };
      if (event.status === 'cancelled') throw new ConflictError('A cancelled event cannot be changed.', 'event_cancelled');
      if (event.status === 'completed' || event.end.getTime() <= now.getTime()) throw new ConflictError('An event that has taken place cannot be changed.', 'event_past');
      const set: Record<string, unknown> = {};
      const put = (field: string, value: unknown, same: (a: unknown, b: unknown) => boolean = sameValue) => {
        if (value === undefined) return;
        if (!same((event as unknown as Record<string, unknown>)[field], value)) {
          set[field] = value;
          changed.push(field);
        }
      };
      put('title', patch.title);
      if (description && description.source !== event.description?.source) {
        set.description = description;
        changed.push('description');
      }
      put('start', patch.start);
      put('end', patch.end);
      put('timeZone', patch.timeZone);
      put('location', patch.location, sameJson);
      put('online', patch.online);
      put('capacity', patch.capacity);
      put('waitlist', patch.waitlist);
      put('signupMethod', patch.signupMethod);
      put('signupDeadline', patch.signupDeadline);
      put('guestsAllowed', patch.guestsAllowed);
      put('hideAttendees', patch.hideAttendees);
      put('organizers', patch.organizers ? unique(patch.organizers) : undefined, sameJson);
      put('reminderMinutes', patch.reminderMinutes ? unique(patch.reminderMinutes).sort((a, b) => b - a) : undefined, sameJson);
      put('followUpDiscussionId', followUp, sameJson);
      const merged = { ...event, ...set } as EventRecord;
      checkEvent(
        { start: merged.start, end: merged.end, timeZone: merged.timeZone, location: merged.location ?? null, online: merged.online, capacity: merged.capacity ?? null, signupDeadline: merged.signupDeadline ?? null },
        now,
        { startChanged: 'start' in set },
      );
      if (changed.some((f) => ['title', 'description', 'hideAttendees', ...SCHEDULE_FIELDS, ...PLACE_FIELDS].includes(f))) set.sequence = event.sequence + 1;
      // New start time: reminders are planned again from it; the old ones are stale.
      if ('start' in set) set.reminders = { startsAt: null, sent: [] };
      return { set };
    });
    const outcome = await edit.catch(async (error: unknown) => {
      await files?.rollback();
      throw error;
    });
    const event = outcome.event;
    await files?.commit();
    // Guests admitted or not changes who reads an organisation-wide event, so who may open its files.
    if (changed.includes('guestsAllowed')) await this.deps.attachments?.postChanged('event', event._id);
    await this.auditUpdate(actor, event, before, changed);
    const timeChanged = changed.some((f) => (SCHEDULE_FIELDS as readonly string[]).includes(f));
    const placeChanged = changed.some((f) => (PLACE_FIELDS as readonly string[]).includes(f));
    if (timeChanged || placeChanged) {
      await this.tellAttendees(event, 'eventChanged', actor.userId, { change: [timeChanged ? 'time' : null, placeChanged ? 'place' : null].filter(Boolean).join(',') });
    }
    if (changed.includes('start')) await this.deps.reminders?.withdrawStale(event);
    if (changed.length > 0) await this.deps.calendar?.requestSync(event);
    const refreshed = await resolveEventAccess(actor, event._id);
    const mine = await findRegistration(event._id, actor.userId);
    return this.view(actor, refreshed.event, refreshed, mine, { followUpShown: await this.followUpShown(refreshed.event), attachments: await this.filesOf(refreshed.event) });
  }

  /** Audit entries of an edit: guests admitted or not, each organiser added or removed (ids only). */
  private async auditUpdate(actor: Actor, event: EventRecord, before: Pick<EventRecord, 'guestsAllowed' | 'organizers'>, changed: readonly string[]): Promise<void> {
    const base = { tenantId: actor.tenantId, actorId: actor.userId };
    const eventId = String(event._id);
    if (changed.includes('guestsAllowed')) {
      await this.deps.audit.record({ ...base, kind: 'event.guests_changed', subjectId: eventId, details: { from: before.guestsAllowed === true, to: event.guestsAllowed === true } });
    }
    if (!changed.includes('organizers')) return;
    const was = new Set(before.organizers);
    const is = new Set(event.organizers);
    for (const userId of is) if (!was.has(userId)) await this.deps.audit.record({ ...base, kind: 'event.organizer_added', subjectId: userId, details: { eventId } });
    for (const userId of was) if (!is.has(userId)) await this.deps.audit.record({ ...base, kind: 'event.organizer_removed', subjectId: userId, details: { eventId } });
  }

  /**
   * Cancels the event: every attendee hears about it and Outlook cancels it. Cancelling twice is
   * harmless. Its files stay shared: a cancelled event is still read by the same people (its
   * page, the agenda and papers of a session that may be held later), and permissions follow
   * the readers.
   */
  async cancel(actor: Actor, eventId: string, reason?: string): Promise<EventView> {
    const access = await resolveEventAccess(actor, eventId);
    access.authorize('event.cancel');
    let cancelledNow = false;
    const outcome = await this.deps.allocator.edit(actor.tenantId, access.event._id, (event, now) => {
      if (event.status === 'cancelled') return { set: {} };
      if (event.status === 'completed' || event.end.getTime() <= now.getTime()) throw new ConflictError('An event that has taken place cannot be cancelled.', 'event_past');
      cancelledNow = true;
      return { set: { status: 'cancelled', cancelledAt: now, cancelReason: reason ?? null, sequence: event.sequence + 1 } };
    });
    const event = outcome.event;
    if (cancelledNow) {
      await this.tellAttendees(event, 'eventCancelled', actor.userId, reason ? { reason } : {});
      await this.deps.reminders?.withdrawStale(event);
      await this.deps.calendar?.requestSync(event);
    }
    const mine = await findRegistration(event._id, actor.userId);
    return this.view(actor, event, { ...access, event }, mine, { followUpShown: await this.followUpShown(event), attachments: await this.filesOf(event) });
  }

  /** The API view of an event for the actor; `followUpShown`: its follow-up discussion passed `followUpsShown`. */
  view(actor: Actor, event: EventRecord, access: EventAccess, mine: RegistrationRecord | null, extras: { followUpShown: boolean; attachments: AttachmentView[]; position?: number }): EventView {
    const position = extras.position;
    const now = this.now();
    const canManage = access.can('event.update');
    const registered = mine?.status === 'registered';
    const capacity = event.capacity ?? null;
    const counts = { registered: event.counts?.registered ?? 0, waitlisted: event.counts?.waitlisted ?? 0, requested: event.counts?.requested ?? 0 };
    const address = event.location?.address ? compact(event.location.address as Record<string, unknown>) : undefined;
    return {
      id: String(event._id),
      communityId: event.communityId ? String(event.communityId) : null,
      scope: event.communityId ? 'community' : 'organisation',
      title: event.title,
      description: { source: event.description?.source ?? '', html: event.description?.html ?? '' },
      start: event.start.toISOString(),
      end: event.end.toISOString(),
      timeZone: event.timeZone,
      location: event.location?.name ? { name: event.location.name, ...(address && Object.keys(address).length > 0 ? { address } : {}) } : null,
      online: event.online,
      joinUrl: canManage || registered ? (event.calendar?.joinUrl ?? null) : null,
      capacity,
      seatsLeft: capacity === null ? null : Math.max(0, capacity - counts.registered),
      counts,
      waitlist: event.waitlist,
      signupMethod: event.signupMethod,
      signupDeadline: event.signupDeadline ? event.signupDeadline.toISOString() : null,
      guestsAllowed: event.guestsAllowed,
      hideAttendees: event.hideAttendees,
      organizers: [...event.organizers],
      status: event.status === 'scheduled' && event.end.getTime() <= now.getTime() ? 'completed' : event.status,
      reminderMinutes: [...(event.reminderMinutes ?? [])],
      followUpDiscussionId: event.followUpDiscussionId && extras.followUpShown ? String(event.followUpDiscussionId) : null,
      sequence: event.sequence,
      myRegistration: mine ? { status: mine.status, ...(position !== undefined ? { position } : {}) } : null,
      canManage,
      // The policy lets them, and the event takes sign-ups now (the allocator's own rule).
      canSignUp: access.can('event.signUp') && selfSignUpOpen(event, counts, now),
      links: { web: eventWebUrl(this.deps.publicUrl, event._id), calendar: eventCalendarPath(event._id) },
      attachments: extras.attachments,
      createdBy: event.createdBy,
      createdAt: event.createdAt.toISOString(),
      updatedAt: event.updatedAt.toISOString(),
    };
  }

  /**
   * Asks for a post in the Teams channel the community is pinned to. Delivery finds the channel
   * (and skips the post when the community is not pinned or the bot is not in the team).
   */
  private async announce(event: EventRecord, actorId: string, communityName: string | null): Promise<void> {
    await this.deps.notifications.enqueue([
      {
        tenantId: event.tenantId,
        recipientId: `community:${String(event.communityId)}`,
        kind: 'eventAnnounced',
        subject: { type: 'event', id: String(event._id) },
        actorId,
        data: {
          eventTitle: event.title,
          startsAt: event.start.toISOString(),
          endsAt: event.end.toISOString(),
          timeZone: event.timeZone,
          capacity: event.capacity,
          communityName,
          // The card's sign-up button: the sign-up window rule the allocator refuses with (no button for invite-only events).
          canSignUp: selfSignUpOpen(event, { registered: 0, waitlisted: 0 }, this.now()),
        },
        idempotencyKey: `eventAnnounced:${String(event._id)}`,
      },
    ]);
  }

  /** Notifies everyone signed up (registered, waitlisted, requested) about a change of the event. */
  private async tellAttendees(event: EventRecord, kind: 'eventChanged' | 'eventCancelled', actorId: string, data: Record<string, string>): Promise<void> {
    const recipients = await userIdsOf(event._id, ACTIVE_STATUSES);
    const intents: NotificationIntent[] = recipients.map((userId) => ({
      tenantId: event.tenantId,
      recipientId: userId,
      kind,
      subject: { type: 'event', id: String(event._id) },
      actorId,
      data: { eventTitle: event.title, startsAt: event.start.toISOString(), endsAt: event.end.toISOString(), timeZone: event.timeZone, ...data },
      idempotencyKey: `${kind}:${String(event._id)}:${event.sequence}:${userId}`,
    }));
    for (let i = 0; i < intents.length; i += 500) await this.deps.notifications.enqueue(intents.slice(i, i + 500));
  }

  private async filesOf(event: EventRecord): Promise<AttachmentView[]> {
    return (await this.deps.attachments?.viewsOf('event', [event._id]))?.get(String(event._id)) ?? [];
  }

  /** The event's readers beyond its community: an organisation-wide event that admits guests is read by the tenant's guests. */
  private audienceOf(communityId: Types.ObjectId | null, guestsAllowed: boolean) {
    return { tenantGuests: communityId === null && guestsAllowed };
  }

  private async prepareAttachments(actor: Actor, communityId: Types.ObjectId | null, guestsAllowed: boolean, refs: CreateEventInput['attachments']): Promise<PreparedAttachments | null> {
    if (!refs || refs.length === 0) return null;
    if (!this.deps.attachments) throw unavailableAttachments();
    return this.deps.attachments.prepare(actor, communityId, refs, [], this.audienceOf(communityId, guestsAllowed));
  }

  private async prepareReplacement(actor: Actor, event: EventRecord, guestsAllowed: boolean, refs: NonNullable<UpdateEventInput['attachments']>) {
    if (!this.deps.attachments) {
      if (refs.length === 0) return null;
      throw unavailableAttachments();
    }
    return this.deps.attachments.prepareReplace(actor, event.communityId, { type: 'event', id: event._id }, refs, this.audienceOf(event.communityId, guestsAllowed));
  }

  private async followUpShown(event: EventRecord): Promise<boolean> {
    return (await followUpsShown(event.tenantId, [event])).has(String(event._id));
  }

  /**
   * The organisers named in `userIds` that are not in `listed` must be people Meent knows whom
   * the event's rules admit as organisers now (events.policy.ts `admittedAsOrganizer`): active
   * members of its community, guests only where the community admits guests; for an
   * organisation-wide event the organisation's people, guests only where the event admits them.
   */
  private async assertOrganizers(tenantId: string, userIds: readonly string[], listed: ReadonlySet<string>, rules: OrganizerRules): Promise<void> {
    const unknown: ErrorDetail[] = [];
    const refused: ErrorDetail[] = [];
    for (const [i, userId] of userIds.entries()) {
      if (listed.has(userId)) continue;
      const path = `body.organizers.${i}`;
      const person = await this.deps.people.find(tenantId, userId);
      if (!person) unknown.push({ path, message: 'unknown person' });
      else if (!(await admitsAsOrganizer(person, rules))) {
        const guestShutOut = person.isGuest === true && (rules.communityId ? rules.community?.guestsAllowed !== true : !rules.guestsAllowed);
        refused.push({ path, message: guestShutOut ? `a guest, and the ${rules.communityId ? 'community' : 'event'} does not admit guests` : 'not an active member of the community' });
      }
    }
    if (unknown.length > 0) throw new ValidationError('Some organisers are not known in this organisation.', unknown, 'unknown_person');
    if (refused.length > 0) throw new ValidationError('Organisers must be people the event is for: members of its community, guests only where they are admitted.', refused, 'organizer_not_admitted');
  }
}

function unavailableAttachments(): ValidationError {
  return new ValidationError('Attachments are not available here.', [{ path: 'body.attachments', message: 'not supported' }], 'attachments_unavailable');
}

function unique<T>(values: readonly T[]): T[] {
  return [...new Set(values)];
}

function sameValue(a: unknown, b: unknown): boolean {
  if (a instanceof Date && b instanceof Date) return a.getTime() === b.getTime();
  return (a ?? null) === (b ?? null);
}

function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(normalise(a)) === JSON.stringify(normalise(b));
}

function normalise(value: unknown): unknown {
  if (value === undefined || value === null) return null;
  if (value instanceof Types.ObjectId) return String(value);
  if (Array.isArray(value)) return value.map(normalise);
  if (typeof value === 'object' && !(value instanceof Date)) {
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>)
        .filter(([, v]) => v !== undefined && v !== null)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([k, v]) => [k, normalise(v)]),
    );
  }
  return value;
}

function compact(record: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(record)) if (typeof value === 'string' && value.length > 0) out[key] = value;
  return out;
}
