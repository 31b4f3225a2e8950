/**
 * What the bot (and other surfaces) may do with consultations, without the consultations
 * models: the contract shared by the core, tab and bot branches (issue 13). Errors are the
 * domain errors with the contract's codes (`consultation_not_found`, `consultation_closed`,
 * `already_responded`, `invalid_answers`, `not_in_audience`, `results_not_visible`, ...).
 */
import type { Actor } from '../auth/actor.js';
import type { ConsultationService } from './consultation.service.js';
import { quickPollSchema, type ConsultationView, type ResultsView } from './consultation.schemas.js';
import { parseOrThrow } from '../http/api-spec.js';

export type { ConsultationView, ResultsView };
/** The analytics dashboard's response rate: invited and responded, over consultations open in a period. */
export { consultationResponseFigures, type ConsultationFigures } from './consultation-figures.js';

export interface QuickPollRequest {
  communityId: string;
  question: string;
  options: string[];
  anonymous: boolean;
  closesAt?: string;
  origin?: { discussionId?: string; meetingId?: string; conversationId?: string };
}

export interface ConsultationsPort {
  get(actor: Actor, id: string): Promise<ConsultationView>;
  respond(actor: Actor, id: string, input: { answers: unknown; responseKey?: string }): Promise<{ status: 'submitted'; responseKey?: string }>;
  /** Throws ForbiddenError (`results_not_visible`) when not visible to the actor. */
  results(actor: Actor, id: string): Promise<ResultsView>;
  listToAnswer(actor: Actor, limit: number): Promise<ConsultationView[]>;
  createQuickPoll(actor: Actor, input: QuickPollRequest): Promise<ConsultationView>;
}

/** The port over the service; the quick poll's input is checked with the API's own schema. */
export function consultationsPort(service: ConsultationService): ConsultationsPort {
  return {
    get: (actor, id) => service.get(actor, id),
    async respond(actor, id, input) {
      const done = await service.respond(actor, id, input);
      return { status: done.status, ...(done.responseKey ? { responseKey: done.responseKey } : {}) };
    },
    results: (actor, id) => service.results(actor, id),
    listToAnswer: (actor, limit) => service.listToAnswer(actor, Math.min(Math.max(1, limit), 100)),
    createQuickPoll: (actor, input) => service.createQuickPoll(actor, parseOrThrow(quickPollSchema, input, 'body')),
  };
}
