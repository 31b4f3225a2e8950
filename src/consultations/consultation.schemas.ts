/**
 * The shapes of consultation input, parsed at the edge (HTTP, bot) with zod, and of what the
 * API answers (docs/contract: /work/notes/contract-13.md). Answers are checked against the
 * consultation's questions in the service (consultation-questions.ts), where they are known.
 */
import { z } from 'zod';
import { MAX_PAGE_SIZE } from '../db/pagination.js';
import { AUDIENCES, CONSULTATION_STATUSES, QUESTION_KINDS, RESULTS_VISIBILITIES } from './consultation.model.js';
import { questionsInput } from './consultation-questions.js';

const instant = z.iso.datetime({ offset: true, error: 'must be a date and time with a zone offset, e.g. 2030-03-01T09:00:00+01:00' }).transform((v) => new Date(v));
const originSchema = z
  .object({
    discussionId: z.string().regex(/^[0-9a-f]{24}$/i, { error: 'must be an id' }).optional(),
    meetingId: z.string().min(1).max(500).optional(),
    conversationId: z.string().min(1).max(500).optional(),
  })
  .strict();

const consultationFields = {
  title: z.string().trim().min(1, { error: 'must not be empty' }).max(200),
  introduction: z.string().max(20_000).optional(),
  opensAt: instant.nullable().optional(),
  closesAt: instant.nullable().optional(),
  /** Checked against the zone database in the service. */
  timeZone: z.string().trim().min(1).max(64).optional(),
  audience: z.enum(AUDIENCES, { error: 'must be members or membersAndGuests' }).optional(),
  anonymous: z.boolean().optional(),
  resultsVisibility: z.enum(RESULTS_VISIBILITIES, { error: 'must be afterResponse, afterClose or managers' }).optional(),
  questions: questionsInput,
  reminderDaysBeforeClose: z.number().int().min(0).max(30).optional(),
  origin: originSchema.optional(),
};

export const createConsultationSchema = z
  .object({ ...consultationFields, status: z.enum(['draft', 'open'], { error: 'must be draft or open' }).optional(), quickPoll: z.boolean().optional() })
  .strict();
export type CreateConsultationInput = z.output<typeof createConsultationSchema>;

export const updateConsultationSchema = z
  .object({ ...consultationFields, title: consultationFields.title.optional(), questions: questionsInput.optional() })
  .strict()
  .refine((v) => Object.keys(v).length > 0, { error: 'nothing to change' });
export type UpdateConsultationInput = z.output<typeof updateConsultationSchema>;

export const quickPollSchema = z
  .object({
    communityId: z.string().regex(/^[0-9a-f]{24}$/i, { error: 'must be an id' }),
    question: z.string().trim().min(1, { error: 'must not be empty' }).max(500),
    options: z.array(z.string().trim().min(1, { error: 'must not be empty' }).max(200)).min(2, { error: 'needs 2 to 20 options' }).max(20, { error: 'needs 2 to 20 options' }),
    anonymous: z.boolean().default(false),
    closesAt: instant.optional(),
    origin: originSchema.optional(),
  })
  .strict();
export type QuickPollInput = z.output<typeof quickPollSchema>;

export const respondSchema = z
  .object({
    answers: z.array(z.unknown()).max(100).meta({ description: 'One answer per question: { questionId, optionId | optionIds | value | text | ranking | yes }' }),
    responseKey: z.string().min(1).max(200).optional(),
  })
  .strict();

export const conclusionSchema = z.object({ text: z.string().trim().min(1, { error: 'must not be empty' }).max(10_000, { error: 'at most 10,000 characters' }) }).strict();

export const listConsultationsQuerySchema = z
  .object({
    status: z.enum(CONSULTATION_STATUSES).optional(),
    toAnswer: z.enum(['true', 'false']).transform((v) => v === 'true').optional(),
    cursor: z.string().min(1).max(2048).optional(),
    limit: z.coerce.number().int().min(1).max(MAX_PAGE_SIZE).optional(),
  })
  .strict();
export type ListConsultationsQuery = z.output<typeof listConsultationsQuerySchema>;

export const myResponseQuerySchema = z.object({ responseKey: z.string().min(1).max(200).optional() }).strict();

export const textsQuerySchema = z
  .object({
    questionId: z.string().min(1).max(40),
    cursor: z.string().min(1).max(200).optional(),
    limit: z.coerce.number().int().min(1).max(MAX_PAGE_SIZE).optional(),
  })
  .strict();

// ---- what the API answers ----

const questionView = z.object({
  id: z.string(),
  kind: z.enum(QUESTION_KINDS),
  text: z.string(),
  description: z.string().optional(),
  required: z.boolean(),
  options: z.array(z.object({ id: z.string(), label: z.string() })).optional(),
  minChoices: z.number().optional(),
  maxChoices: z.number().optional(),
  scale: z.object({ min: z.number(), max: z.number(), minLabel: z.string().optional(), maxLabel: z.string().optional() }).optional(),
  maxLength: z.number().optional(),
});

export const consultationView = z
  .object({
    id: z.string(),
    communityId: z.string(),
    communityName: z.string(),
    title: z.string(),
    introduction: z.string(),
    introductionHtml: z.string(),
    status: z.enum(CONSULTATION_STATUSES),
    opensAt: z.string().nullable(),
    closesAt: z.string().nullable(),
    timeZone: z.string(),
    audience: z.enum(AUDIENCES),
    anonymous: z.boolean(),
    resultsVisibility: z.enum(RESULTS_VISIBILITIES),
    questions: z.array(questionView),
    quickPoll: z.boolean(),
    origin: z.object({ discussionId: z.string().optional(), meetingId: z.string().optional(), conversationId: z.string().optional() }).optional(),
    reminderDaysBeforeClose: z.number(),
    respondents: z.number(),
    audienceSize: z.number(),
    myResponse: z.enum(['none', 'submitted']),
    canManage: z.boolean(),
    canRespond: z.boolean(),
    canSeeResults: z.boolean(),
    conclusion: z.object({ text: z.string(), html: z.string(), publishedAt: z.string(), authorName: z.string() }).optional(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: 'Consultation' });
export type ConsultationView = z.output<typeof consultationView>;

const answerView = z.record(z.string(), z.unknown()).meta({ description: 'An answer: { questionId, optionId | optionIds | value | text | ranking | yes }' });
export const respondedView = z.object({ status: z.literal('submitted'), answers: z.array(answerView), responseKey: z.string().optional() });
export const myResponseView = z.object({ status: z.enum(['submitted', 'none']), answers: z.array(answerView).optional() });

const optionCount = z.object({ optionId: z.string(), label: z.string(), count: z.number(), percentage: z.number() });
export const questionResultView = z.union([
  z.object({ questionId: z.string(), kind: z.enum(['singleChoice', 'multipleChoice', 'yesNo']), answered: z.number(), options: z.array(optionCount) }),
  z.object({ questionId: z.string(), kind: z.literal('scale'), answered: z.number(), mean: z.number().nullable(), distribution: z.array(z.object({ value: z.number(), count: z.number(), percentage: z.number() })) }),
  z.object({ questionId: z.string(), kind: z.literal('ranking'), answered: z.number(), options: z.array(z.object({ optionId: z.string(), label: z.string(), averagePosition: z.number().nullable() })) }),
  z.object({ questionId: z.string(), kind: z.enum(['shortText', 'longText']), answered: z.number() }),
]);
export type QuestionResultView = z.output<typeof questionResultView>;
export const resultsView = z
  .object({
    consultationId: z.string(),
    respondents: z.number(),
    audienceSize: z.number(),
    responseRate: z.number(),
    questions: z.array(questionResultView),
    groups: z.array(z.object({ group: z.enum(['members', 'guests']), respondents: z.union([z.number(), z.string()]), questions: z.array(questionResultView).optional() })),
  })
  .meta({ id: 'ConsultationResults' });
export type ResultsView = z.output<typeof resultsView>;

export const textsPageView = z.object({ items: z.array(z.object({ text: z.string(), authorName: z.string().optional() })), nextCursor: z.string().optional() });
export type TextsPageView = z.output<typeof textsPageView>;
