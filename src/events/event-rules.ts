/**
 * The rules an event's fields must keep, on create and update (and, for the follow-up
 * discussion, again where it is read): the dates, place and capacity, and which discussion may
 * be its follow-up. Apart from the service so that it stays a list of decisions, not a flow.
 */
import type { Types } from 'mongoose';
import type { Actor } from '../auth/actor.js';
import { readableDiscussion, shownDiscussions } from '../discussions/discussions.port.js';
import { ValidationError, type ErrorDetail } from '../errors/domain-errors.js';
import { isIanaTimeZone } from '../time/time-zone.js';
import type { EventRecord } from './event.model.js';

/**
 * The follow-up discussion someone asks for: one of the event's own community's discussions
 * that the actor may read and that is not hidden. Its title is shown to the meeting's
 * participants and they are made to follow it, so another community's, or one the actor
 * cannot read, is refused the same way (nothing tells which it was).
 */
export async function checkedFollowUp(actor: Actor, communityId: Types.ObjectId | null, discussionId: string): Promise<Types.ObjectId> {
  if (!communityId) {
    throw new ValidationError('An organisation-wide event has no follow-up discussion.', [{ path: 'body.followUpDiscussionId', message: 'only for an event of a community' }], 'invalid_follow_up_discussion');
  }
  const discussion = await readableDiscussion(actor, discussionId);
  if (!discussion?.communityId.equals(communityId)) {
    throw new ValidationError('The follow-up must be a discussion of the event\'s community.', [{ path: 'body.followUpDiscussionId', message: 'not a discussion of this event\'s community' }], 'invalid_follow_up_discussion');
  }
  return discussion._id;
}

/**
 * The ids of the events whose follow-up discussion may be shown (and followed): still a
 * discussion of the event's community, not hidden. Stored ids are checked again when read,
 * since a discussion can be hidden, and ids stored before they were checked on write exist.
 */
export async function followUpsShown(tenantId: string, events: readonly EventRecord[]): Promise<Set<string>> {
  const withFollowUp = events.flatMap((e) => (e.communityId && e.followUpDiscussionId ? [{ eventId: String(e._id), communityId: e.communityId, discussionId: e.followUpDiscussionId }] : []));
  if (withFollowUp.length === 0) return new Set();
  const shown = await shownDiscussions(tenantId, withFollowUp);
  return new Set(withFollowUp.filter((_, i) => shown[i] !== null).map((e) => e.eventId));
}

interface CheckedFields {
  start: Date;
  end: Date;
  timeZone: string;
  location: { name?: string | null } | null;
  online: boolean;
  capacity: number | null;
  signupDeadline: Date | null;
}

/** The rules that relate an event's fields to each other and to now; every problem at once. */
export function checkEvent(fields: CheckedFields, now: Date, options: { startChanged: boolean }): void {
  const problems: ErrorDetail[] = [];
  if (!isIanaTimeZone(fields.timeZone)) problems.push({ path: 'body.timeZone', message: 'must be an IANA time zone such as Europe/Amsterdam', code: 'unknown_time_zone' });
  if (!(fields.end.getTime() > fields.start.getTime())) problems.push({ path: 'body.end', message: 'must be after the start', code: 'not_after_start' });
  if (options.startChanged && fields.start.getTime() <= now.getTime()) problems.push({ path: 'body.start', message: 'must be in the future', code: 'not_in_future' });
  if (fields.signupDeadline && fields.signupDeadline.getTime() > fields.start.getTime()) problems.push({ path: 'body.signupDeadline', message: 'must not be after the start' });
  if (fields.capacity !== null && (!Number.isInteger(fields.capacity) || fields.capacity < 0)) problems.push({ path: 'body.capacity', message: 'must be 0 or more' });
  if (!fields.online && !fields.location?.name) problems.push({ path: 'body.location', message: 'an event needs a location, or must be online', code: 'required' });
  if (problems.length > 0) throw new ValidationError('The event is not valid.', problems);
}
