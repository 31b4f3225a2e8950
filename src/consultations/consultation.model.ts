/**
 * A consultation of a community's panel: a poll (one question) or a questionnaire, named or
 * anonymous, open from `opensAt` (null: when opened) until `closesAt` (null: until closed by
 * hand). Times are instants; `timeZone` is the IANA zone it is planned in (for display). The
 * answers live apart (consultation-response.model.ts), so this document holds no trace of who
 * answered what.
 */
import mongoose, { Schema, type InferSchemaType, type Types } from 'mongoose';
import { DEFAULT_TIME_ZONE } from '../time/time-zone.js';

export const CONSULTATION_STATUSES = ['draft', 'open', 'closed'] as const;
export type ConsultationStatus = (typeof CONSULTATION_STATUSES)[number];
export const QUESTION_KINDS = ['singleChoice', 'multipleChoice', 'scale', 'shortText', 'longText', 'ranking', 'yesNo'] as const;
export type QuestionKind = (typeof QUESTION_KINDS)[number];
export const AUDIENCES = ['members', 'membersAndGuests'] as const;
export type Audience = (typeof AUDIENCES)[number];
export const RESULTS_VISIBILITIES = ['afterResponse', 'afterClose', 'managers'] as const;
export type ResultsVisibility = (typeof RESULTS_VISIBILITIES)[number];
export const DEFAULT_REMINDER_DAYS = 2;

const optionSchema = new Schema({ id: { type: String, required: true, maxlength: 40 }, label: { type: String, required: true, maxlength: 200 } }, { _id: false });

const questionSchema = new Schema(
  {
    id: { type: String, required: true, maxlength: 40 },
    kind: { type: String, enum: QUESTION_KINDS, required: true },
    text: { type: String, required: true, maxlength: 500 },
    description: { type: String, maxlength: 5000 },
    required: { type: Boolean, default: false },
    options: { type: [optionSchema], default: undefined },
    minChoices: { type: Number },
    maxChoices: { type: Number },
    scale: {
      type: new Schema({ min: Number, max: Number, minLabel: { type: String, maxlength: 100 }, maxLabel: { type: String, maxlength: 100 } }, { _id: false }),
      default: undefined,
    },
    maxLength: { type: Number },
  },
  { _id: false },
);

const consultationSchema = new Schema(
  {
    tenantId: { type: String, required: true, maxlength: 64 },
    communityId: { type: Schema.Types.ObjectId, required: true },
    title: { type: String, required: true, trim: true, minlength: 1, maxlength: 200 },
    /** Markdown source and its sanitized HTML (src/content/markdown.ts). */
    introduction: { source: { type: String, default: '', maxlength: 20_000 }, html: { type: String, default: '' } },
    status: { type: String, enum: CONSULTATION_STATUSES, required: true },
    opensAt: { type: Date, default: null },
    closesAt: { type: Date, default: null },
    timeZone: { type: String, required: true, default: DEFAULT_TIME_ZONE, maxlength: 64 },
    audience: { type: String, enum: AUDIENCES, default: 'members' },
    anonymous: { type: Boolean, default: false },
    resultsVisibility: { type: String, enum: RESULTS_VISIBILITIES, default: 'afterResponse' },
    questions: { type: [questionSchema], default: [] },
    quickPoll: { type: Boolean, default: false },
    origin: {
      type: new Schema({ discussionId: { type: String, maxlength: 64 }, meetingId: { type: String, maxlength: 500 }, conversationId: { type: String, maxlength: 500 } }, { _id: false }),
      default: undefined,
    },
    /** Days before `closesAt` that non-respondents are reminded; 0: no reminder. */
    reminderDaysBeforeClose: { type: Number, default: DEFAULT_REMINDER_DAYS, min: 0, max: 30 },
    /** The `closesAt` the reminder was written for (a later close date reminds again). */
    remindedFor: { type: Date, default: null },
    /** The opening was announced (channel and audience); set once. */
    announced: { type: Boolean, default: false },
    /** Someone answered: the questions are frozen from then on. */
    answeredOnce: { type: Boolean, default: false },
    closedAt: { type: Date, default: null },
    conclusion: {
      type: new Schema(
        {
          source: { type: String, required: true, maxlength: 10_000 },
          html: { type: String, required: true },
          publishedAt: { type: Date, required: true },
          authorId: { type: String, required: true, maxlength: 64 },
          authorName: { type: String, required: true, maxlength: 200 },
        },
        { _id: false },
      ),
      default: undefined,
    },
    /** Raw answers were deleted by retention; tallies and conclusion stay. */
    rawResponsesPurged: { type: Boolean, default: false },
    createdBy: { type: String, required: true, maxlength: 64 },
  },
  { timestamps: true },
);
consultationSchema.index({ communityId: 1, status: 1, createdAt: -1, _id: -1 });
consultationSchema.index({ tenantId: 1, status: 1, closesAt: 1 });
consultationSchema.index({ tenantId: 1, createdBy: 1 });

export type ConsultationRecord = InferSchemaType<typeof consultationSchema> & { _id: Types.ObjectId; createdAt: Date; updatedAt: Date };
export type QuestionRecord = ConsultationRecord['questions'][number];
export const ConsultationModel = mongoose.model('Consultation', consultationSchema);
