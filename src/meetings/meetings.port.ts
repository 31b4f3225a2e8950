/**
 * What other capabilities may ask about meetings without knowing how links are stored: for
 * now, whether a meeting chat is linked to a community (consultations use it to accept a
 * meeting as a poll's origin).
 */
import type { Types } from 'mongoose';
import { MeetingLinkModel } from './meeting-link.model.js';
import { attendanceReportsOf } from './meetings.repository.js';

export { attendanceReportsOf };

/**
 * Whether the meeting (its chat id, or its Teams meeting id when no chat is given) is
 * linked to this community of the tenant. Such a link is shown to the community's managers,
 * the people who start its consultations.
 */
export async function isMeetingLinkedToCommunity(tenantId: string, communityId: Types.ObjectId, meeting: { chatId?: string | undefined; teamsMeetingId?: string | undefined }): Promise<boolean> {
  if (!meeting.chatId && !meeting.teamsMeetingId) return false;
  // The chat names the link. A link made by hand has no Teams meeting id, so a meeting id given
  // beside the chat is checked only against a link that has one (and must then be the same).
  if (meeting.chatId) {
    const link = await MeetingLinkModel.findOne({ tenantId, communityId, chatId: meeting.chatId }, { teamsMeetingId: 1 }).lean<{ teamsMeetingId?: string | null }>();
    if (!link) return false;
    return !meeting.teamsMeetingId || !link.teamsMeetingId || link.teamsMeetingId === meeting.teamsMeetingId;
  }
  return (await MeetingLinkModel.exists({ tenantId, communityId, teamsMeetingId: meeting.teamsMeetingId })) !== null;
}
