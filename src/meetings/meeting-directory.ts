/**
 * What Meent knows about a Teams meeting from its chat id: the organiser, subject, times and
 * join URL, Graph's online meeting id, and who is in the meeting chat. The tab's context
 * names only the chat and the meeting; everything that decides who may link comes from
 * Graph, never from the client. Without Graph (local mode) meetings cannot be looked up.
 */
import { ForbiddenError, NotFoundError, UnavailableError } from '../errors/domain-errors.js';
import type { OnlineMeetingDetails, OnlineMeetingsGateway } from '../graph/online-meetings-gateway.js';

export interface MeetingFacts {
  chatId: string;
  subject: string;
  joinUrl: string | null;
  /** Entra object id of the organiser. */
  organizerId: string | null;
  start: Date | null;
  end: Date | null;
  /** Graph's online meeting id, when the organiser's meeting could be read. */
  onlineMeetingId: string | null;
  /** Entra object ids of the meeting chat's members. */
  members: ReadonlySet<string>;
}

export type GatewayFor = (tenantId: string) => OnlineMeetingsGateway | undefined;

export function meetingNotFound(): NotFoundError {
  return new NotFoundError('There is no such meeting, or it is not a Teams meeting chat.', 'meeting_not_found');
}

export class MeetingDirectory {
  constructor(private readonly gatewayFor: GatewayFor) {}

  /** The gateway for a tenant, or UnavailableError (local mode has no Graph). */
  gateway(tenantId: string): OnlineMeetingsGateway {
    const gateway = this.gatewayFor(tenantId);
    if (!gateway) throw new UnavailableError('Meetings can only be looked up with Microsoft 365 connected.', 'meeting_lookup_unavailable');
    return gateway;
  }

  available(tenantId: string): boolean {
    return this.gatewayFor(tenantId) !== undefined;
  }

  async facts(tenantId: string, chatId: string): Promise<MeetingFacts> {
    const gateway = this.gateway(tenantId);
    const chat = await gateway.meetingChat(chatId);
    if (!chat) throw meetingNotFound();
    const [meeting, members] = await Promise.all([
      chat.organizerId && chat.joinUrl ? this.meetingOrNull(gateway, chat.organizerId, chat.joinUrl) : Promise.resolve(null),
      gateway.chatMembers(chatId),
    ]);
    return {
      chatId,
      subject: meeting?.subject ?? chat.topic ?? '',
      joinUrl: chat.joinUrl ?? meeting?.joinUrl ?? null,
      organizerId: chat.organizerId ?? meeting?.organizer?.userId ?? null,
      start: meeting?.start ?? null,
      end: meeting?.end ?? null,
      onlineMeetingId: meeting?.id ?? null,
      members: new Set(members.map((m) => m.userId).filter((id): id is string => id !== null)),
    };
  }

  /**
   * The online meeting, or null when the app may not read the organiser's meetings (no
   * application access policy for them): linking still works, the attendance report does not.
   */
  private async meetingOrNull(gateway: OnlineMeetingsGateway, organizerId: string, joinUrl: string): Promise<OnlineMeetingDetails | null> {
    try {
      return await gateway.findMeetingByJoinUrl(organizerId, joinUrl);
    } catch (error) {
      if (error instanceof NotFoundError || error instanceof ForbiddenError) return null;
      throw error;
    }
  }
}
