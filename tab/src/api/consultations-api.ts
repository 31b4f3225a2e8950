/**
 * The consultations resource (`/api/v1/consultations`, src/consultations/): a community's
 * consultations and quick polls, one consultation, my response, the results (with open answers
 * paged apart), the CSV export and the conclusion. Shapes follow /work/notes/contract-13.md,
 * the contract the API and the tab share.
 */
import type { ApiClient, DownloadedFile } from './api-client.js';
import type { Page, PageOptions } from './page.js';

export type QuestionKind = 'singleChoice' | 'multipleChoice' | 'scale' | 'shortText' | 'longText' | 'ranking' | 'yesNo';
export type ConsultationStatus = 'draft' | 'open' | 'closed';
export type Audience = 'members' | 'membersAndGuests';
export type ResultsVisibility = 'afterResponse' | 'afterClose' | 'managers';

export const QUESTION_KINDS: readonly QuestionKind[] = ['singleChoice', 'multipleChoice', 'scale', 'shortText', 'longText', 'ranking', 'yesNo'];
/** Kinds whose question carries `options`. */
export const KINDS_WITH_OPTIONS: readonly QuestionKind[] = ['singleChoice', 'multipleChoice', 'ranking'];

export interface Option {
  id: string;
  label: string;
}

export interface Scale {
  min: number;
  max: number;
  minLabel?: string;
  maxLabel?: string;
}

export interface Question {
  id: string;
  kind: QuestionKind;
  text: string;
  description?: string;
  required: boolean;
  options?: Option[];
  minChoices?: number;
  maxChoices?: number;
  scale?: Scale;
  maxLength?: number;
}

export interface ConsultationOrigin {
  discussionId?: string;
  meetingId?: string;
  conversationId?: string;
}

export interface Conclusion {
  text: string;
  html: string;
  publishedAt: string;
  authorName: string;
}

/** What a manager decides, in the API's answers and in what the form sends alike. */
export interface ConsultationSettings {
  title: string;
  /** Markdown. */
  introduction: string;
  opensAt: string | null;
  closesAt: string | null;
  /** IANA, e.g. Europe/Amsterdam: the zone the times were chosen in. */
  timeZone: string;
  audience: Audience;
  anonymous: boolean;
  resultsVisibility: ResultsVisibility;
  questions: Question[];
}

export interface Consultation extends ConsultationSettings {
  id: string;
  communityId: string;
  communityName: string;
  introductionHtml: string;
  status: ConsultationStatus;
  quickPoll: boolean;
  origin?: ConsultationOrigin;
  respondents: number;
  audienceSize: number;
  myResponse: 'none' | 'submitted';
  canManage: boolean;
  canRespond: boolean;
  canSeeResults: boolean;
  conclusion?: Conclusion;
  createdAt: string;
  updatedAt: string;
}

/** One answer; which field is set depends on the question's kind. */
export type Answer =
  | { questionId: string; optionId: string }
  | { questionId: string; optionIds: string[] }
  | { questionId: string; value: number }
  | { questionId: string; text: string }
  | { questionId: string; ranking: string[] }
  | { questionId: string; yes: boolean };

export interface MyResponse {
  status: 'submitted' | 'none';
  answers?: Answer[];
}

export interface SubmittedResponse {
  status: 'submitted';
  answers: Answer[];
  /** For an anonymous consultation, the first answer's secret: only its holder may change it. */
  responseKey?: string;
}

export interface OptionTally {
  optionId: string;
  label: string;
  count: number;
  percentage: number;
}

export type QuestionResult =
  | { questionId: string; kind: 'singleChoice' | 'multipleChoice' | 'yesNo'; answered: number; options: OptionTally[] }
  | { questionId: string; kind: 'scale'; answered: number; mean: number | null; distribution: Array<{ value: number; count: number; percentage: number }> }
  | { questionId: string; kind: 'ranking'; answered: number; options: Array<{ optionId: string; label: string; averagePosition: number | null }> }
  | { questionId: string; kind: 'shortText' | 'longText'; answered: number };

export interface GroupResult {
  group: 'members' | 'guests';
  /** `'< 5'` when the group is too small to show (the API's small-group rule). */
  respondents: number | string;
  questions?: QuestionResult[];
}

export interface Results {
  consultationId: string;
  respondents: number;
  audienceSize: number;
  /** 0..1 */
  responseRate: number;
  questions: QuestionResult[];
  groups: GroupResult[];
}

export interface OpenAnswer {
  text: string;
  authorName?: string;
}

/** What a manager writes: everything but the computed fields. */
export interface ConsultationInput extends ConsultationSettings {
  status?: 'draft' | 'open';
  quickPoll?: boolean;
  origin?: ConsultationOrigin;
}

export interface ConsultationQuery extends PageOptions {
  status?: ConsultationStatus;
  toAnswer?: boolean;
}

const path = (id: string) => `/consultations/${encodeURIComponent(id)}`;

export function listCommunityConsultations(api: ApiClient, communityId: string, query: ConsultationQuery = {}): Promise<Page<Consultation>> {
  const { signal, toAnswer, ...rest } = query;
  return api.get<Page<Consultation>>(`/communities/${encodeURIComponent(communityId)}/consultations`, { query: { ...rest, toAnswer: toAnswer ? 'true' : undefined }, signal });
}

/** Open consultations I may answer and have not yet (home page). */
export function listToAnswer(api: ApiClient, options: PageOptions = {}): Promise<Page<Consultation>> {
  return api.get<Page<Consultation>>('/consultations', { query: { toAnswer: 'true', cursor: options.cursor, limit: options.limit }, signal: options.signal });
}

export function getConsultation(api: ApiClient, id: string, signal?: AbortSignal): Promise<Consultation> {
  return api.get<Consultation>(path(id), { signal });
}

export function createConsultation(api: ApiClient, communityId: string, input: ConsultationInput): Promise<Consultation> {
  return api.post<Consultation>(`/communities/${encodeURIComponent(communityId)}/consultations`, input);
}

export function updateConsultation(api: ApiClient, id: string, changes: Partial<ConsultationInput>): Promise<Consultation> {
  return api.patch<Consultation>(path(id), changes);
}

export function openConsultation(api: ApiClient, id: string): Promise<Consultation> {
  return api.post<Consultation>(`${path(id)}/open`, {});
}

export function closeConsultation(api: ApiClient, id: string): Promise<Consultation> {
  return api.post<Consultation>(`${path(id)}/close`, {});
}

export function publishConclusion(api: ApiClient, id: string, text: string): Promise<Consultation> {
  return api.post<Consultation>(`${path(id)}/conclusion`, { text });
}

export function getMyResponse(api: ApiClient, id: string, responseKey: string | undefined, signal?: AbortSignal): Promise<MyResponse> {
  return api.get<MyResponse>(`${path(id)}/responses/me`, { query: { responseKey }, signal });
}

export function submitResponse(api: ApiClient, id: string, answers: Answer[], responseKey?: string): Promise<SubmittedResponse> {
  return api.put<SubmittedResponse>(`${path(id)}/responses/me`, responseKey ? { answers, responseKey } : { answers });
}

export function getResults(api: ApiClient, id: string, signal?: AbortSignal): Promise<Results> {
  return api.get<Results>(`${path(id)}/results`, { signal });
}

export function listOpenAnswers(api: ApiClient, id: string, questionId: string, options: PageOptions = {}): Promise<Page<OpenAnswer>> {
  return api.get<Page<OpenAnswer>>(`${path(id)}/results/texts`, { query: { questionId, cursor: options.cursor, limit: options.limit }, signal: options.signal });
}

export function downloadResults(api: ApiClient, id: string): Promise<DownloadedFile> {
  return api.file(`${path(id)}/results.csv`);
}

export interface QuickPollInput {
  question: string;
  options: string[];
  anonymous: boolean;
  origin?: ConsultationOrigin;
}

/**
 * A quick poll is an ordinary consultation with one single-choice question, opened at once
 * (the contract's `quickPoll: true`); the results show to those who answered.
 */
export function createQuickPoll(api: ApiClient, communityId: string, input: QuickPollInput, timeZone: string): Promise<Consultation> {
  const options = input.options.map((label, i) => ({ id: `o${i + 1}`, label }));
  return createConsultation(api, communityId, {
    title: input.question,
    introduction: '',
    opensAt: null,
    closesAt: null,
    timeZone,
    audience: 'members',
    anonymous: input.anonymous,
    resultsVisibility: 'afterResponse',
    questions: [{ id: 'q1', kind: 'singleChoice', text: input.question, required: true, options }],
    status: 'open',
    quickPoll: true,
    ...(input.origin ? { origin: input.origin } : {}),
  });
}
