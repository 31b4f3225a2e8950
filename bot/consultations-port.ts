/**
 * What the bot needs from the consultations capability: the core's ConsultationsPort
 * (src/consultations/consultations.port.ts), read through the shapes the shared contract of
 * issue 13 gives its JSON. The bot only reads these views and hands answers through; the
 * service decides who may answer, validates the answers and keeps anonymous ones apart.
 */
import type { Actor } from '../src/auth/actor.js';
import { UnavailableError } from '../src/errors/domain-errors.js';

export type QuestionKind = 'singleChoice' | 'multipleChoice' | 'scale' | 'shortText' | 'longText' | 'ranking' | 'yesNo';

export interface ConsultationQuestion {
  id: string;
  kind: QuestionKind;
  text: string;
  description?: string;
  required: boolean;
  options?: { id: string; label: string }[];
  minChoices?: number;
  maxChoices?: number;
  scale?: { min: number; max: number; minLabel?: string; maxLabel?: string };
  maxLength?: number;
}

export interface ConsultationCardView {
  id: string;
  communityId: string;
  communityName: string;
  title: string;
  introduction: string;
  status: 'draft' | 'open' | 'closed';
  opensAt: string | null;
  closesAt: string | null;
  timeZone: string;
  audience: 'members' | 'membersAndGuests';
  anonymous: boolean;
  resultsVisibility: 'afterResponse' | 'afterClose' | 'managers';
  questions: ConsultationQuestion[];
  quickPoll: boolean;
  origin?: { discussionId?: string; meetingId?: string; conversationId?: string };
  respondents: number;
  audienceSize: number;
  myResponse: 'none' | 'submitted';
  canRespond: boolean;
  canSeeResults: boolean;
  conclusion?: { text: string; publishedAt: string; authorName: string };
}

type ChoiceTally = { questionId: string; kind: 'singleChoice' | 'multipleChoice' | 'yesNo'; answered: number; options: { optionId: string; label: string; count: number; percentage: number }[] };
type ScaleTally = { questionId: string; kind: 'scale'; answered: number; mean: number | null; distribution: { value: number; count: number; percentage: number }[] };
type RankingTally = { questionId: string; kind: 'ranking'; answered: number; options: { optionId: string; label: string; averagePosition: number | null }[] };
type TextTally = { questionId: string; kind: 'shortText' | 'longText'; answered: number };
export type QuestionResults = ChoiceTally | ScaleTally | RankingTally | TextTally;

export interface ConsultationResultsView {
  consultationId: string;
  respondents: number;
  audienceSize: number;
  /** 0..1 */
  responseRate: number;
  questions: QuestionResults[];
}

export interface BotConsultationsPort {
  get(actor: Actor, id: string): Promise<ConsultationCardView>;
  respond(actor: Actor, id: string, input: { answers: unknown; responseKey?: string }): Promise<{ status: 'submitted'; responseKey?: string }>;
  results(actor: Actor, id: string): Promise<ConsultationResultsView>;
  listToAnswer(actor: Actor, limit: number): Promise<ConsultationCardView[]>;
}

function consultationsNotWired(): never {
  throw new UnavailableError('Consultations are not available in the bot.', 'bot_consultations_unavailable');
}

/** When the consultations capability is not given to the bot. */
export const unavailableConsultations: BotConsultationsPort = {
  get: async () => consultationsNotWired(),
  respond: async () => consultationsNotWired(),
  results: async () => consultationsNotWired(),
  listToAnswer: async () => consultationsNotWired(),
};
