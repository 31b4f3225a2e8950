/**
 * Loading a consultation for an actor and deciding what they may do with it: the community's
 * access (a consultation of a community the actor may not see is a 404, like the community),
 * the status as the clock has it, and the policy's decision with the consultation's own
 * problem codes. Shared by the life cycle, answering and reporting.
 */
import { createHash } from 'node:crypto';
import type { Actor } from '../auth/actor.js';
import { resolveCommunityAccess, toObjectId, type CommunityAccess } from '../communities/community-access.js';
import { ConflictError, ForbiddenError, NotFoundError } from '../errors/domain-errors.js';
import type { ConsultationRecord, ConsultationStatus } from './consultation.model.js';
import { findConsultationInTenant, findResponder } from './consultation.repository.js';
import { consultationPolicy, type ConsultationAction, type ConsultationContext } from './consultations.policy.js';

export const CONSULTATION_NOT_FOUND = 'consultation_not_found';

export interface Loaded {
  consultation: ConsultationRecord;
  access: CommunityAccess;
  context: ConsultationContext;
  status: ConsultationStatus;
}

export function consultationNotFound(): NotFoundError {
  return new NotFoundError('There is no such consultation.', CONSULTATION_NOT_FOUND);
}

/** The status as it counts at `now`: an open consultation past its closing time is closed. */
export function effectiveStatus(c: Pick<ConsultationRecord, 'status' | 'closesAt'>, now: Date): ConsultationStatus {
  if (c.status === 'open' && c.closesAt && c.closesAt.getTime() <= now.getTime()) return 'closed';
  return c.status;
}

export function hashResponseKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

export async function loadConsultation(actor: Actor, id: string, now: Date): Promise<Loaded> {
  const oid = toObjectId(id, consultationNotFound);
  const c = await findConsultationInTenant(actor.tenantId, oid);
  if (!c) throw consultationNotFound();
  const [access, responder] = await Promise.all([
    resolveCommunityAccess(actor, c.communityId).catch((err: unknown) => {
      throw err instanceof NotFoundError ? consultationNotFound() : err;
    }),
    findResponder(c._id, actor.userId),
  ]);
  const responded = responder !== null;
  const context = contextFor(actor, c, access, responded, now);
  return { consultation: c, access, context, status: context.status };
}

export function contextFor(actor: Actor, c: ConsultationRecord, access: CommunityAccess, hasResponded: boolean, now: Date): ConsultationContext {
  return {
    ...access.context,
    canReadCommunity: access.canRead,
    status: effectiveStatus(c, now),
    audience: c.audience,
    asGuest: actor.isGuest || access.membership?.isGuest === true,
    resultsVisibility: c.resultsVisibility,
    hasResponded,
  };
}

/** The policy's decision with the consultation's own problem codes. */
export function authorizeConsultation(actor: Actor, action: ConsultationAction, loaded: Loaded): void {
  try {
    consultationPolicy.authorize(actor, action, loaded.context);
  } catch (err) {
    if (err instanceof NotFoundError) throw consultationNotFound();
    if (err instanceof ForbiddenError && err.code === 'forbidden') {
      if (action === 'consultation.respond') throw new ForbiddenError(err.message, 'not_in_audience');
      if (action === 'consultation.results') throw new ForbiddenError(err.message, 'results_not_visible');
    }
    throw err;
  }
}

export function assertOpen(c: ConsultationRecord, status: ConsultationStatus, now: Date): void {
  if (status === 'closed') throw new ConflictError('This consultation is closed; answers are no longer taken.', 'consultation_closed');
  if (status === 'draft' || (c.opensAt && c.opensAt.getTime() > now.getTime())) throw new ConflictError('This consultation is not open yet.', 'consultation_not_open');
}
