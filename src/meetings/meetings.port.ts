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
 * Whether the meeting (its chat id and/or its Teams meeting id, both when both are given) is
 * linked to this community of the tenant. Such a link is shown to the community's managers,
 * the people who start its consultations.
 */
export async function isMeetingLinkedToCommunity(tenantId: string, communityId: Types.ObjectId, meeting: { chatId?: string | undefined; teamsMeetingId?: string | undefined }): Promise<boolean> {
  if (!meeting.chatId && !meeting.teamsMeetingId) return false;
  const filter: Record<string, unknown> = { tenantId, communityId };
  if (meeting.chatId) filter.chatId = meeting.chatId;
  if (meeting.teamsMeetingId) filter.teamsMeetingId = meeting.teamsMeetingId;
  return (await MeetingLinkModel.exists(filter)) !== null;
}
