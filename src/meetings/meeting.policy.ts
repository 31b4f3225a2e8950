/**
 * Who may do what with a meeting's link to Meent, and who from the meeting is let into the
 * linked community afterwards. Both in one place, tested as matrices.
 *
 * Linking: the meeting's organiser (into a community where they may start or read the
 * discussion) or a manager of the chosen community (organisation admins count as managers
 * everywhere). Seeing the meeting's link: whoever is in the meeting chat. The follow-up list
 * (who was not allowed in): the organiser, whoever linked, and the community's managers.
 *
 * Admission after the meeting follows the community's visibility and guest rules: people who
 * are already members (or invited) only become followers; blocked people stay out; guests
 * come in only where the organisation and the community admit guests; a public community is
 * open to everyone else (they are invited and follow at once), a closed or secret one only
 * when whoever linked may invite people (its managers), otherwise the person is listed as
 * needing a manager's approval.
 */
import type { Actor } from '../auth/actor.js';
import { anyOf, communityManager, definePolicy, orgAdmin, type AccessContext, type Requirement } from '../auth/authorize.js';
import type { CommunityVisibility, MembershipStatus } from '../communities/communities.port.js';
import type { AdmissionOutcome, RefusalReason } from './meeting-link.model.js';

export interface MeetingContext extends AccessContext {
  /** The actor organises the Teams meeting (Graph's `onlineMeetingInfo.organizer`). */
  isOrganizer: boolean;
  /** The actor is a member of the meeting chat. */
  inMeeting: boolean;
  /** The actor linked the meeting. */
  isLinker: boolean;
}

const organizer: Requirement<MeetingContext> = (_a, c) => c.isOrganizer;
const participant: Requirement<MeetingContext> = (_a, c) => c.inMeeting || c.isOrganizer;
const linker: Requirement<MeetingContext> = (_a, c) => c.isLinker;

export type MeetingAction = 'meeting.read' | 'meeting.link' | 'meeting.unlink' | 'meeting.followUp';

export const meetingPolicy = definePolicy<MeetingAction, MeetingContext>({
  // Someone outside the meeting learns nothing about it.
  'meeting.read': { allow: anyOf<MeetingContext>(participant, orgAdmin), conceal: (_a, c) => !c.inMeeting && !c.isOrganizer },
  'meeting.link': {
    allow: anyOf<MeetingContext>(organizer, communityManager, orgAdmin),
    conceal: (_a, c) => !c.inMeeting && !c.isOrganizer,
    message: 'Only the meeting organiser or a manager of the community can link this meeting.',
  },
  'meeting.unlink': {
    allow: anyOf<MeetingContext>(organizer, linker, communityManager, orgAdmin),
    conceal: (_a, c) => !c.inMeeting && !c.isOrganizer,
    message: 'Only the meeting organiser or a manager of the community can unlink this meeting.',
  },
  'meeting.followUp': {
    allow: anyOf<MeetingContext>(organizer, linker, communityManager, orgAdmin),
    conceal: (_a, c) => !c.inMeeting && !c.isOrganizer,
    message: 'Only the meeting organiser and the community managers see who was not let in.',
  },
});

/** The facts about one person from the meeting that decide whether they are let in. */
export interface AdmissionFacts {
  /** False for anonymous and phone participants (no Entra account). */
  hasAccount: boolean;
  /** The account lives in another tenant and is not a guest of this organisation. */
  externalAccount: boolean;
  isGuest: boolean;
  /** GUESTS_ALLOWED: whether guests may use Meent at all. */
  organisationAdmitsGuests: boolean;
  community: { visibility: CommunityVisibility; guestsAllowed: boolean };
  /** The person's membership status in the community, or null. */
  membership: MembershipStatus | null;
  /** Whoever linked may invite people to the community (a manager, or an organisation admin). */
  linkerMayInvite: boolean;
}

/** What to do with the person: let in (how), or keep out (why). */
export type AdmissionDecision =
  | { admit: true; action: 'follow' | 'invite' | 'approve'; outcome: AdmissionOutcome }
  | { admit: false; reason: RefusalReason };

export function admissionFor(facts: AdmissionFacts): AdmissionDecision {
  if (!facts.hasAccount) return { admit: false, reason: 'unknown_person' };
  if (facts.externalAccount) return { admit: false, reason: 'external_account' };
  if (facts.membership === 'blocked') return { admit: false, reason: 'blocked' };
  if (facts.isGuest && !facts.organisationAdmitsGuests) return { admit: false, reason: 'guests_disabled' };
  if (facts.isGuest && !facts.community.guestsAllowed) return { admit: false, reason: 'guests_not_allowed' };
  if (facts.membership === 'active') return { admit: true, action: 'follow', outcome: 'member' };
  if (facts.membership === 'invited') return { admit: true, action: 'follow', outcome: 'already_invited' };
  if (facts.membership === 'requested') {
    // A pending request: a manager's link approves it; otherwise it waits for the managers, as before.
    return facts.linkerMayInvite ? { admit: true, action: 'approve', outcome: 'approved' } : { admit: true, action: 'follow', outcome: 'requested' };
  }
  if (facts.community.visibility === 'public' || facts.linkerMayInvite) return { admit: true, action: 'invite', outcome: 'invited' };
  return { admit: false, reason: 'approval_required' };
}

/** Whether the actor may invite people into a community (the membership policy's `members.manage`). */
export function mayInvite(actor: Actor, communityRole: 'manager' | 'member' | null): boolean {
  return actor.isOrgAdmin || communityRole === 'manager';
}
