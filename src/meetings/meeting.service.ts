/**
 * Meetings linked to discussions. In the meeting (the tab in its chat, or the side panel)
 * the organiser, or a manager of the community, links the meeting to an existing or a new
 * discussion, and optionally to the Meent event it is a session of. Meetings that a Meent
 * online event created (the event's Teams join URL) are linked automatically, to the event's
 * follow-up discussion (made when the event has none).
 *
 * For the bot: `meetingStarted` / `meetingEnded` answer the card to post in the meeting chat
 * as a claim that is confirmed once posted (or released when posting failed), so that a
 * meeting event Teams delivers twice, or two instances handling it at once, post one card;
 * `meetingEnded` also schedules the after-meeting follow-up (meeting-follow-up.ts).
 */
import mongoose, { Types } from 'mongoose';
import type { Logger } from 'pino';
import type { AuditSink } from '../audit/audit.port.js';
import { actorOfPerson, type Actor } from '../auth/actor.js';
import { resolveCommunityAccess } from '../communities/community-access.js';
import { communityById, managesAnyCommunity } from '../communities/communities.port.js';
import { isDuplicateKeyError, upsertRetryingRace } from '../db/mongo-errors.js';
import { shownDiscussion, type ShownDiscussion } from '../discussions/discussions.port.js';
import type { DiscussionService } from '../discussions/discussion.service.js';
import { ConflictError, DomainError, NotFoundError, ValidationError } from '../errors/domain-errors.js';
import { resolveEventAccess } from '../events/event-access.js';
import type { EventRecord } from '../events/events.port.js';
import { findNextOpenEvent, type EventService } from '../events/event.service.js';
import { eventByJoinUrl, eventTitle, setFollowUpDiscussionOnce } from '../events/events.port.js';
import type { PeopleRepository } from '../members/people.repository.js';
import { deleteMeetingLinkUnlessRunning, findMeetingLink, updateMeetingLink, withAutoLinkLock, type MeetingLinkRecord } from './meetings.repository.js';
import { meetingPolicy, type MeetingContext } from './meeting.policy.js';
import type { MeetingDirectory, MeetingFacts } from './meeting-directory.js';
import type { FollowUpView, LinkMeetingInput, MeetingView } from './meetings.schemas.js';
import { clockOf, type Clock } from '../time/clock.js';

export interface MeetingServiceDeps {
  directory: MeetingDirectory;
  discussions: Pick<DiscussionService, 'create' | 'get'>;
  people: Pick<PeopleRepository, 'find'>;
  audit: AuditSink;
  /** The events capability's next open event (default: the same rule, straight on the database). */
  events?: Pick<EventService, 'nextOpenEvent'>;
  logger: Pick<Logger, 'info' | 'warn'>;
  now?: () => Date;
}

/** A meeting start or end as the bot received it (`value` and `channelData.meeting` of the event activity). */
export interface MeetingEventInput {
  tenantId: string;
  chatId: string;
  teamsMeetingId?: string | null;
  joinUrl?: string | null;
  title?: string | null;
  /** `StartTime` / `EndTime` as Teams sent it: with the chat, the idempotency key. */
  at: string;
}

/** What the bot's card shows. */
export interface MeetingCardInfo {
  kind: 'start' | 'end';
  chatId: string;
  subject: string;
  discussion: { id: string; title: string };
  community: { id: string; name: string };
  /** The community's next session people can sign up for (end card only). */
  nextEvent: { id: string; title: string; start: Date; timeZone: string } | null;
}

export interface CardClaim {
  card: MeetingCardInfo;
  /** The card was posted. */
  confirm(activityId?: string): Promise<void>;
  /** Posting failed: a redelivery of the event may try again. */
  release(): Promise<void>;
}

/** A claim older than this is taken to be from an instance that died while posting. */
const STALE_CLAIM_MS = 2 * 60_000;
/** Another start (or end) of the same meeting chat within this window gets no second card. */
const CARD_WINDOW_MS = 10 * 60_000;

export class MeetingService {
  private readonly now: Clock;
  private readonly events: Pick<EventService, 'nextOpenEvent'>;

  constructor(private readonly deps: MeetingServiceDeps) {
    this.now = clockOf(deps);
    this.events = deps.events ?? { nextOpenEvent: (query) => findNextOpenEvent(query, this.now()) };
  }

  // ---- the tab ----

  /** The meeting as the actor sees it: its link (made now when a Meent event created the meeting) and what they may do. */
  async current(actor: Actor, chatId: string, teamsMeetingId?: string): Promise<MeetingView> {
    const facts = await this.deps.directory.facts(actor.tenantId, chatId);
    const base = contextFor(actor, facts, null);
    meetingPolicy.authorize(actor, 'meeting.read', base);
    let link = await this.find(actor.tenantId, chatId);
    if (!link && facts.joinUrl) link = await this.autoLink({ tenantId: actor.tenantId, chatId, joinUrl: facts.joinUrl, teamsMeetingId: teamsMeetingId ?? null, subject: facts.subject, onlineMeetingId: facts.onlineMeetingId, organizerId: facts.organizerId });
    return this.view(actor, facts, link);
  }

  async link(actor: Actor, input: LinkMeetingInput): Promise<{ view: MeetingView; created: boolean }> {
    const facts = await this.deps.directory.facts(actor.tenantId, input.chatId);
    const existing = await this.find(actor.tenantId, input.chatId);
    const community = await resolveCommunityAccess(actor, input.communityId).catch((error: unknown) => {
      // A community the actor cannot see is "not found" to them, whatever the meeting.
      if (error instanceof NotFoundError) throw new ValidationError('There is no such community.', [{ path: 'body.communityId', message: 'unknown community' }], 'community_not_found');
      throw error;
    });
    const context = contextFor(actor, facts, existing, community.context.communityRole ?? null);
    meetingPolicy.authorize(actor, 'meeting.link', context);
    if (existing?.followUp.status === 'running') throw new ValidationError('The follow-up of this meeting is running; try again in a minute.', [], 'meeting_follow_up_running');

    let event: EventRecord | null = null;
    if (input.eventId) {
      const access = await resolveEventAccess(actor, input.eventId);
      access.authorize('attendees.manage');
      if (access.event.communityId && !access.event.communityId.equals(community.community._id)) {
        throw new ValidationError('The event belongs to another community.', [{ path: 'body.eventId', message: 'not an event of this community' }], 'event_not_in_community');
      }
      event = access.event;
    }

    let discussion: { id: string; title: string };
    if (input.discussionId) {
      const found = await this.deps.discussions.get(actor, input.discussionId);
      if (found.communityId !== String(community.community._id)) {
        throw new ValidationError('The discussion belongs to another community.', [{ path: 'body.discussionId', message: 'not a discussion of this community' }], 'discussion_not_in_community');
      }
      discussion = { id: found.id, title: found.title };
    } else {
      const body = input.discussion!;
      const created = await this.deps.discussions.create(actor, input.communityId, { title: body.title, body: body.body, kind: 'discussion' });
      discussion = { id: created.id, title: created.title };
    }

    const fields = {
      teamsMeetingId: input.meetingId ?? existing?.teamsMeetingId ?? null,
      onlineMeetingId: facts.onlineMeetingId,
      organizerId: facts.organizerId,
      joinUrl: facts.joinUrl,
      subject: facts.subject.slice(0, 300),
      communityId: community.community._id,
      discussionId: new Types.ObjectId(discussion.id),
      discussionTitle: discussion.title.slice(0, 300),
      eventId: event?._id ?? null,
      source: 'manual' as const,
      linkedBy: actor.userId,
    };
    const filter = { tenantId: actor.tenantId, chatId: input.chatId };
    const write = () => updateMeetingLink(actor.tenantId, input.chatId, {}, { $set: fields, $setOnInsert: filter }, { upsert: true });
    // Another link of this chat was stored at the same moment: ours replaces it.
    const saved = await upsertRetryingRace(write);
    // An organisation-wide event has no community, so no follow-up discussion of its own.
    if (event?.communityId) await setFollowUpDiscussion(event._id, new Types.ObjectId(discussion.id));
    this.deps.logger.info({ chatId: input.chatId, discussionId: discussion.id, eventId: event ? String(event._id) : null }, 'meeting linked');
    // A link decides whom the follow-up lets into which community.
    await this.deps.audit.record({
      tenantId: actor.tenantId,
      kind: 'meeting.linked',
      actorId: actor.userId,
      subjectId: input.chatId,
      details: { source: 'manual', communityId: String(community.community._id), discussionId: discussion.id, eventId: event ? String(event._id) : null, replaced: existing !== null },
    });
    return { view: await this.view(actor, facts, saved), created: existing === null };
  }

  async unlink(actor: Actor, chatId: string): Promise<void> {
    const facts = await this.deps.directory.facts(actor.tenantId, chatId);
    const link = await this.find(actor.tenantId, chatId);
    if (!link) throw new NotFoundError('This meeting is not linked.', 'meeting_not_linked');
    meetingPolicy.authorize(actor, 'meeting.unlink', contextFor(actor, facts, link, await this.roleIn(actor, link.communityId)));
    if (!(await deleteMeetingLinkUnlessRunning(link.tenantId, link.chatId))) {
      // Not deleted: the follow-up runs now (or someone else unlinked it a moment ago).
      if (await this.find(link.tenantId, link.chatId)) throw new ConflictError('The follow-up of this meeting is running; try again in a minute.', 'meeting_follow_up_running');
      return;
    }
    await this.deps.audit.record({
      tenantId: actor.tenantId,
      kind: 'meeting.unlinked',
      actorId: actor.userId,
      subjectId: link.chatId,
      details: { communityId: String(link.communityId), discussionId: String(link.discussionId) },
    });
  }

  /** Who was let in after the meeting, and who was not (organiser, linker, the community's managers). */
  async followUp(actor: Actor, chatId: string): Promise<FollowUpView> {
    const facts = await this.deps.directory.facts(actor.tenantId, chatId);
    const link = await this.find(actor.tenantId, chatId);
    if (!link) throw new NotFoundError('This meeting is not linked.', 'meeting_not_linked');
    meetingPolicy.authorize(actor, 'meeting.followUp', contextFor(actor, facts, link, await this.roleIn(actor, link.communityId)));
    return followUpOf(link);
  }

  // ---- the bot ----

  /** A start: the card to post (a claim), or null when the meeting is not linked or a card was posted already. */
  async meetingStarted(input: MeetingEventInput): Promise<CardClaim | null> {
    const link = await this.linkForEvent(input);
    if (!link || !(await shownDiscussion(link.tenantId, link))) return null;
    return this.claimCard(link, 'start', input.at);
  }

  /** An end: schedules the follow-up and answers the card to post (or null). */
  async meetingEnded(input: MeetingEventInput): Promise<CardClaim | null> {
    const link = await this.linkForEvent(input);
    // A link whose discussion may not be shown (another community's, hidden, gone) gets no card and no follow-up.
    if (!link || !(await shownDiscussion(link.tenantId, link))) return null;
    const now = this.now();
    const endedAt = parseInstant(input.at) ?? now;
    // A repeated delivery of this end changes nothing; a running follow-up finishes first.
    await updateMeetingLink(
      link.tenantId,
      link.chatId,
      { 'followUp.endKey': mongoose.trusted({ $ne: input.at }), 'followUp.status': mongoose.trusted({ $ne: 'running' as const }) },
      {
        $set: {
          followUp: { status: 'pending', endKey: input.at, endedAt, dueAt: now, attempts: 0, runningSince: null, admitted: false, attendanceRecorded: false, attendeeSource: 'none', people: [], notAdmitted: [], lastError: null, doneAt: null },
        },
      },
    );
    return this.claimCard(link, 'end', input.at);
  }

  /** The link of a meeting chat. */
  find(tenantId: string, chatId: string): Promise<MeetingLinkRecord | null> {
    return findMeetingLink(tenantId, chatId);
  }

  private async linkForEvent(input: MeetingEventInput): Promise<MeetingLinkRecord | null> {
    const link = await this.find(input.tenantId, input.chatId);
    if (link) {
      if (!link.teamsMeetingId && input.teamsMeetingId) {
        await updateMeetingLink(link.tenantId, link.chatId, {}, { $set: { teamsMeetingId: input.teamsMeetingId } });
      }
      return link;
    }
    if (!input.joinUrl) return null;
    return this.autoLink({ tenantId: input.tenantId, chatId: input.chatId, joinUrl: input.joinUrl, teamsMeetingId: input.teamsMeetingId ?? null, subject: input.title ?? '', onlineMeetingId: null, organizerId: null });
  }

  /**
   * Links a meeting that a Meent event created (its join URL) to the event's follow-up
   * discussion, made in the event's community in the name of its organiser when the event has
   * none. Serialised per chat, so two deliveries of a meeting event make one discussion.
   */
  private async autoLink(meeting: { tenantId: string; chatId: string; joinUrl: string; teamsMeetingId: string | null; subject: string; onlineMeetingId: string | null; organizerId: string | null }): Promise<MeetingLinkRecord | null> {
    const found = await eventByJoinUrl(meeting.tenantId, meeting.joinUrl);
    if (!found?.communityId) return null;
    const event = { ...found, communityId: found.communityId };
    return withAutoLinkLock(meeting.tenantId, meeting.chatId, async () => {
      const again = await this.find(meeting.tenantId, meeting.chatId);
      if (again) return again;
      const organizerId = event.calendar.mailbox ?? event.organizers[0] ?? event.createdBy;
      const organizer = await this.deps.people.find(meeting.tenantId, organizerId);
      if (!organizer) return null;
      const actor = actorOfPerson(organizer);
      const discussion = await this.followUpDiscussion(actor, event);
      if (!discussion) return null;
      const filter = { tenantId: meeting.tenantId, chatId: meeting.chatId };
      const fields = {
        ...filter,
        teamsMeetingId: meeting.teamsMeetingId,
        onlineMeetingId: meeting.onlineMeetingId,
        organizerId: meeting.organizerId ?? organizerId,
        joinUrl: meeting.joinUrl,
        subject: (meeting.subject || event.title).slice(0, 300),
        communityId: event.communityId,
        discussionId: discussion._id,
        discussionTitle: discussion.title.slice(0, 300),
        eventId: event._id,
        source: 'event' as const,
        linkedBy: organizerId,
      };
      try {
        // $setOnInsert: a manual link stored meanwhile is the organiser's choice and stays.
        const saved = await updateMeetingLink(meeting.tenantId, meeting.chatId, {}, { $setOnInsert: fields }, { upsert: true });
        this.deps.logger.info({ chatId: meeting.chatId, eventId: String(event._id) }, 'meeting of a Meent event linked to its follow-up discussion');
        // Made now, in the organiser's name (a manual link stored meanwhile is not ours to record).
        if (saved?.source === 'event') {
          await this.deps.audit.record({
            tenantId: meeting.tenantId,
            kind: 'meeting.linked',
            actorId: organizerId,
            subjectId: meeting.chatId,
            details: { source: 'event', communityId: String(event.communityId), discussionId: String(discussion._id), eventId: String(event._id), replaced: false },
          });
        }
        return saved;
      } catch (err) {
        if (!isDuplicateKeyError(err)) throw err;
        return this.find(meeting.tenantId, meeting.chatId);
      }
    });
  }

  /**
   * The event's follow-up discussion, made (and remembered on the event) when it has none, or
   * none that may be shown: one of another community, hidden or gone is replaced, never linked.
   */
  private async followUpDiscussion(organizer: Actor, event: EventRecord & { communityId: Types.ObjectId }): Promise<ShownDiscussion | null> {
    const stored = event.followUpDiscussionId;
    if (stored) {
      const existing = await shownDiscussion(event.tenantId, { communityId: event.communityId, discussionId: stored });
      if (existing) return existing;
    }
    try {
      const when = new Intl.DateTimeFormat('nl-NL', { dateStyle: 'long', timeZone: event.timeZone }).format(event.start);
      const created = await this.deps.discussions.create(organizer, String(event.communityId), {
        title: event.title,
        body: `${event.title} (${when})\n\n${event.description.source}`.trim(),
        kind: 'discussion',
      });
      await setFollowUpDiscussion(event._id, new Types.ObjectId(created.id), stored);
      return { _id: new Types.ObjectId(created.id), communityId: event.communityId, title: created.title };
    } catch (err) {
      // The organiser may no longer start discussions there (left the community): no automatic link.
      if (err instanceof DomainError && !err.retryable) {
        this.deps.logger.warn({ eventId: String(event._id), code: err.code }, 'could not make the follow-up discussion of an event');
        return null;
      }
      throw err;
    }
  }

  private async claimCard(link: MeetingLinkRecord, kind: 'start' | 'end', key: string): Promise<CardClaim | null> {
    const now = this.now();
    const field = `cards.${kind}`;
    const claimed = await updateMeetingLink(
      link.tenantId,
      link.chatId,
      {
        $or: [
          // A new start (end): no card for another one in the last minutes, and nobody posting now.
          {
            [`${field}.key`]: mongoose.trusted({ $ne: key }),
            $and: [
              { $or: [{ [`${field}.postedAt`]: null }, { [`${field}.postedAt`]: mongoose.trusted({ $lt: new Date(now.getTime() - CARD_WINDOW_MS) }) }] },
              { $or: [{ [`${field}.claimedAt`]: null }, { [`${field}.claimedAt`]: mongoose.trusted({ $lt: new Date(now.getTime() - STALE_CLAIM_MS) }) }] },
            ],
          },
          // This one, claimed by an instance that never finished.
          { [`${field}.key`]: key, [`${field}.postedAt`]: null, [`${field}.claimedAt`]: mongoose.trusted({ $lt: new Date(now.getTime() - STALE_CLAIM_MS) }) },
        ],
      },
      { $set: { [`${field}.key`]: key, [`${field}.claimedAt`]: now, [`${field}.postedAt`]: null, [`${field}.activityId`]: null } },
    );
    if (!claimed) return null;
    const previous = link.cards?.[kind];
    const card = await this.cardInfo(claimed, kind);
    return {
      card,
      confirm: async (activityId) => {
        await updateMeetingLink(link.tenantId, link.chatId, { [`${field}.key`]: key }, { $set: { [`${field}.postedAt`]: this.now(), [`${field}.claimedAt`]: null, [`${field}.activityId`]: activityId ?? null } });
      },
      release: async () => {
        // Back to what it was, so a redelivery of this event posts the card after all.
        await updateMeetingLink(
          link.tenantId,
          link.chatId,
          { [`${field}.key`]: key, [`${field}.postedAt`]: null },
          { $set: { [`${field}.key`]: previous?.key ?? null, [`${field}.claimedAt`]: null, [`${field}.postedAt`]: previous?.postedAt ?? null, [`${field}.activityId`]: previous?.activityId ?? null } },
        );
      },
    };
  }

  private async cardInfo(link: MeetingLinkRecord, kind: 'start' | 'end'): Promise<MeetingCardInfo> {
    const [community, discussion] = await Promise.all([communityById(link.communityId), shownDiscussion(link.tenantId, link)]);
    let nextEvent: MeetingCardInfo['nextEvent'] = null;
    if (kind === 'end') {
      // The events service's sign-up window rule: no full, closed or invite-only session is offered.
      nextEvent = await this.events.nextOpenEvent({ tenantId: link.tenantId, communityId: link.communityId, except: link.eventId ?? null });
    }
    return {
      kind,
      chatId: link.chatId,
      subject: link.subject,
      // Checked before the claim; gone since, the title kept with the link is the one that was checked then.
      discussion: { id: String(link.discussionId), title: discussion?.title ?? link.discussionTitle },
      community: { id: String(link.communityId), name: community?.name ?? '' },
      nextEvent,
    };
  }

  // ---- views ----

  private async roleIn(actor: Actor, communityId: Types.ObjectId): Promise<'manager' | 'member' | null> {
    try {
      return (await resolveCommunityAccess(actor, communityId)).context.communityRole ?? null;
    } catch (err) {
      if (err instanceof NotFoundError) return null;
      throw err;
    }
  }

  private async view(actor: Actor, facts: MeetingFacts, link: MeetingLinkRecord | null): Promise<MeetingView> {
    const role = link ? await this.roleIn(actor, link.communityId) : null;
    const context = contextFor(actor, facts, link, role);
    // Linking is also open to managers of some community; the tab offers it, the choice of community decides.
    const canLink = meetingPolicy.can(actor, 'meeting.link', context) || (await this.managesAnyCommunity(actor));
    let linkView: MeetingView['link'] = null;
    // A link whose discussion may not be shown (another community's, hidden, gone) shows as no link; linking again replaces it.
    const discussion = link ? await shownDiscussion(link.tenantId, link) : null;
    if (link && discussion) {
      const [community, linkedEventTitle] = await Promise.all([communityById(link.communityId), link.eventId ? eventTitle(link.eventId) : Promise.resolve(null)]);
      linkView = {
        communityId: String(link.communityId),
        communityName: community?.name ?? '',
        discussionId: String(link.discussionId),
        discussionTitle: discussion.title,
        eventId: link.eventId ? String(link.eventId) : null,
        eventTitle: linkedEventTitle,
        source: link.source,
        linkedBy: link.linkedBy,
        linkedAt: link.createdAt.toISOString(),
      };
    }
    const canSeeFollowUp = link !== null && meetingPolicy.can(actor, 'meeting.followUp', context);
    return {
      chatId: facts.chatId,
      subject: facts.subject,
      start: facts.start?.toISOString() ?? null,
      end: facts.end?.toISOString() ?? null,
      isOrganizer: context.isOrganizer,
      link: linkView,
      permissions: { canLink, canUnlink: link !== null && meetingPolicy.can(actor, 'meeting.unlink', context), canSeeFollowUp },
      followUp: canSeeFollowUp && link && link.followUp.status !== 'none' ? followUpOf(link) : null,
    };
  }

  private async managesAnyCommunity(actor: Actor): Promise<boolean> {
    if (actor.isOrgAdmin) return true;
    return managesAnyCommunity(actor.tenantId, actor.userId);
  }
}

function contextFor(actor: Actor, facts: MeetingFacts, link: MeetingLinkRecord | null, communityRole: 'manager' | 'member' | null = null): MeetingContext {
  return {
    isOrganizer: facts.organizerId !== null && facts.organizerId === actor.userId.toLowerCase(),
    inMeeting: facts.members.has(actor.userId.toLowerCase()),
    isLinker: link !== null && link.linkedBy === actor.userId,
    communityRole,
  };
}

export function followUpOf(link: MeetingLinkRecord): FollowUpView {
  const f = link.followUp;
  const person = (p: { userId: string | null; displayName: string; outcome?: string | null; reason?: string | null }) => ({
    userId: p.userId ?? null,
    displayName: p.displayName,
    ...(p.outcome ? { outcome: p.outcome as NonNullable<FollowUpView['people'][number]['outcome']> } : {}),
    ...(p.reason ? { reason: p.reason as NonNullable<FollowUpView['people'][number]['reason']> } : {}),
  });
  return {
    status: f.status,
    endedAt: f.endedAt?.toISOString() ?? null,
    attendeeSource: f.attendeeSource,
    admitted: f.admitted,
    attendanceRecorded: f.attendanceRecorded,
    people: f.people.map(person),
    notAdmitted: f.notAdmitted.map(person),
    doneAt: f.doneAt?.toISOString() ?? null,
  };
}


async function setFollowUpDiscussion(eventId: Types.ObjectId, discussionId: Types.ObjectId, replacing: Types.ObjectId | null = null): Promise<void> {
  // Only when the event has none (or `replacing`, which may not be shown): an organiser's own choice stays.
  await setFollowUpDiscussionOnce(eventId, discussionId, replacing);
}

function parseInstant(value: string): Date | null {
  const at = new Date(value);
  return Number.isNaN(at.getTime()) ? null : at;
}
