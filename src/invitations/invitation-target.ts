/**
 * What an invitation by e-mail is to (issue 14): a community (community-invitation-target.ts),
 * or an event and through it its community (event-invitation-target.ts). The invitation
 * service keeps the addresses, Graph and the outcomes, once; a target says what inviting one
 * person means for it, decided after the actor was authorised to invite there.
 */
import type { Types } from 'mongoose';
import type { InvitationRecord } from './invitation.model.js';
import type { InviteOutcome } from './invite-outcomes.js';

export type { InviteOutcome };

/** What came of inviting someone of the tenant: `pending` while something waits for them to accept. */
export interface KnownInviteResult {
  outcome: InviteOutcome;
  state: 'pending' | 'accepted' | 'failed';
}

/** The fields that name the target on an invitation (one invitation per address and scope). */
export interface InvitationScope {
  communityId: Types.ObjectId | null;
  eventId: Types.ObjectId | null;
}

export interface InvitationTarget {
  scope: InvitationScope;
  /** What the audit entries name: the community or the event. */
  subjectId: string;
  /** Why someone outside the tenant may not be invited as a guest here (GUESTS_ALLOWED aside); null when they may. */
  guestRefusal: InviteOutcome | null;
  /** The tab route a guest lands on after redeeming (`/communities/<id>`, `/events/<id>`). */
  landing: string;
  /** Invites someone of the tenant (already made known to Meent). */
  inviteKnown(userId: string): Promise<KnownInviteResult>;
  /** What waits for a new guest Graph invited until their first sign-in. */
  holdForGuest(userId: string): Promise<void>;
  /** Whether a pending invitation was taken up meanwhile (in Teams or the tab). */
  takenUp(item: InvitationRecord): Promise<boolean>;
  /** Undoes what waits for a pending invitation that is withdrawn or sent anew. */
  release(item: InvitationRecord): Promise<void>;
}
