/**
 * Who may do what with consultations: the single table, on the identity helper's
 * `definePolicy`. A consultation belongs to a community: its managers and organisation admins
 * run it (create, edit, open, close, conclude, export); those who may read the community's
 * content see it once it is no longer a draft; its audience answers it: active members, and
 * guests only where both the consultation's audience and the community admit them. Results
 * follow `resultsVisibility`. A denied read is a 404, so nobody learns that a consultation
 * they may not see exists (a secret community's stay invisible to outsiders).
 */
import {
  allOf,
  anyOf,
  communityManager,
  communityMember,
  definePolicy,
  not,
  orgAdmin,
  type AccessContext,
  type Requirement,
} from '../auth/authorize.js';
import type { Audience, ConsultationStatus, ResultsVisibility } from './consultation.model.js';

export interface ConsultationContext extends AccessContext {
  /** May read the community's content (from resolveCommunityAccess). */
  canReadCommunity: boolean;
  /** The status as it counts now (an open one past its closing time is closed). */
  status: ConsultationStatus;
  audience: Audience;
  /** The actor takes part as a guest (a guest account, or a guest membership). */
  asGuest: boolean;
  resultsVisibility: ResultsVisibility;
  hasResponded: boolean;
}

const readsCommunity: Requirement<ConsultationContext> = (_a, c) => c.canReadCommunity;
const notDraft: Requirement<ConsultationContext> = (_a, c) => c.status !== 'draft';
const closed: Requirement<ConsultationContext> = (_a, c) => c.status === 'closed';
const responded: Requirement<ConsultationContext> = (_a, c) => c.hasResponded;
const showsAfterResponse: Requirement<ConsultationContext> = (_a, c) => c.resultsVisibility === 'afterResponse';
const showsAfterClose: Requirement<ConsultationContext> = (_a, c) => c.resultsVisibility === 'afterClose';
const guestsInAudience: Requirement<ConsultationContext> = (_a, c) => c.audience === 'membersAndGuests' && c.guestsAdmitted === true;
const notAsGuest: Requirement<ConsultationContext> = (_a, c) => !c.asGuest;

/** Runs the consultation. */
export const canManageConsultation = anyOf<ConsultationContext>(orgAdmin, communityManager);
/** Sees it: those who run it, and the community's readers once it is no longer a draft. */
export const canReadConsultation = anyOf<ConsultationContext>(canManageConsultation, allOf(readsCommunity, notDraft));
/** In the audience: an active member; a guest only where the audience and the community admit guests. */
export const inAudience = allOf<ConsultationContext>(communityMember, anyOf<ConsultationContext>(notAsGuest, guestsInAudience));
/** Sees the results: those who run it; others as `resultsVisibility` says (after their response, or after closing). */
export const canSeeResults = anyOf<ConsultationContext>(
  canManageConsultation,
  allOf(canReadConsultation, showsAfterResponse, anyOf<ConsultationContext>(responded, closed)),
  allOf(canReadConsultation, showsAfterClose, closed),
);

export type ConsultationAction = 'consultation.read' | 'consultation.manage' | 'consultation.respond' | 'consultation.results' | 'consultation.export';

export const consultationPolicy = definePolicy<ConsultationAction, ConsultationContext>({
  'consultation.read': { allow: canReadConsultation, conceal: not(canReadConsultation) },
  'consultation.manage': { allow: canManageConsultation, conceal: not(canReadConsultation), message: 'Only the community\'s managers can run this consultation.' },
  'consultation.respond': { allow: allOf(canReadConsultation, inAudience), conceal: not(canReadConsultation), message: 'This consultation asks another audience.' },
  'consultation.results': { allow: canSeeResults, conceal: not(canReadConsultation), message: 'The results of this consultation are not visible to you (yet).' },
  'consultation.export': { allow: canManageConsultation, conceal: not(canReadConsultation), message: 'Only the community\'s managers can export the responses.' },
});

/** Creating a consultation in a community: its managers and organisation admins. */
export const canCreateConsultation = anyOf<AccessContext>(orgAdmin, communityManager);
