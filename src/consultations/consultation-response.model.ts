/**
 * What people answered, in three collections that must not be joinable for anonymous
 * consultations:
 *
 * - `ConsultationResponder` ("has responded"): who answered, for one response per person
 *   (its `_id` is `<consultationId>:<userId>`, unique by construction), reminders (the
 *   audience minus these) and the conclusion's recipients. No timestamp, no answer id.
 * - `ConsultationAnswer`: the answers. Its `_id` is random (never an ObjectId, which encodes
 *   the time of insertion and a counter); `order` is a random sort key, so lists and exports
 *   never follow time. For anonymous consultations it carries no user id, no name, no time and
 *   only the SHA-256 hash of the respondent's response key (the secret that lets them change
 *   it); named ones carry the user id.
 * - `ConsultationTally`: counts kept incrementally with `$inc`, spread over a few shard
 *   documents per consultation so that concurrent answers rarely wait for one another (on
 *   FerretDB each shard's writes are serialised, see src/db/store-capabilities.ts).
 *
 * None of these schemas has `timestamps` or a version key.
 */
import mongoose, { Schema, type Types } from 'mongoose';

export const RESPONDENT_GROUPS = ['members', 'guests'] as const;
export type RespondentGroup = (typeof RESPONDENT_GROUPS)[number];

const responderSchema = new Schema(
  {
    _id: { type: String, required: true },
    tenantId: { type: String, required: true, maxlength: 64 },
    consultationId: { type: Schema.Types.ObjectId, required: true },
    userId: { type: String, required: true, maxlength: 64 },
    group: { type: String, enum: RESPONDENT_GROUPS, required: true },
  },
  { timestamps: false, versionKey: false },
);
responderSchema.index({ consultationId: 1 });
responderSchema.index({ tenantId: 1, userId: 1 });

export interface ResponderRecord {
  _id: string;
  tenantId: string;
  consultationId: Types.ObjectId;
  userId: string;
  group: RespondentGroup;
}

const answerSchema = new Schema(
  {
    _id: { type: String, required: true },
    tenantId: { type: String, required: true, maxlength: 64 },
    consultationId: { type: Schema.Types.ObjectId, required: true },
    group: { type: String, enum: RESPONDENT_GROUPS, required: true },
    answers: { type: [Schema.Types.Mixed], default: [] },
    /** The ids of the questions answered with text (the texts' pages find them by this). */
    textQuestions: { type: [String], default: [] },
    /** A random sort key: a stable order that says nothing about when or who. */
    order: { type: String, required: true },
    /** Named consultations only. */
    userId: { type: String, maxlength: 64 },
    /** Anonymous consultations only: SHA-256 (hex) of the response key. */
    keyHash: { type: String, maxlength: 64 },
    /** Counts replacements of this answer (guards concurrent replacements). */
    rev: { type: Number, default: 0 },
  },
  { timestamps: false, versionKey: false },
);
answerSchema.index({ consultationId: 1, order: 1, _id: 1 });
answerSchema.index({ consultationId: 1, textQuestions: 1, order: 1 });
answerSchema.index({ tenantId: 1, userId: 1 });

export interface AnswerRecord {
  _id: string;
  tenantId: string;
  consultationId: Types.ObjectId;
  group: RespondentGroup;
  answers: StoredAnswer[];
  textQuestions: string[];
  order: string;
  userId?: string;
  keyHash?: string;
  rev: number;
}

/** An answer as the API takes and gives it (contract: `Answer`). */
export type StoredAnswer =
  | { questionId: string; optionId: string }
  | { questionId: string; optionIds: string[] }
  | { questionId: string; value: number }
  | { questionId: string; text: string }
  | { questionId: string; ranking: string[] }
  | { questionId: string; yes: boolean };

const tallySchema = new Schema(
  {
    _id: { type: String, required: true },
    tenantId: { type: String, required: true, maxlength: 64 },
    consultationId: { type: Schema.Types.ObjectId, required: true },
    /** Per group: `n` respondents, and per question `q.<id>`: `a` answered, `o.<option>` chosen, `v.k<value>` scale values, `s` scale sum, `p.<option>` ranking positions summed. */
    g: { type: Schema.Types.Mixed, default: {} },
    /** Set when the consultation closed: no answer's `$inc` lands after (consultation.repository.ts). */
    sealed: { type: Boolean },
  },
  { timestamps: false, versionKey: false, minimize: false },
);
tallySchema.index({ consultationId: 1 });

export interface TallyRecord {
  _id: string;
  tenantId: string;
  consultationId: Types.ObjectId;
  g: Partial<Record<RespondentGroup, GroupTally>>;
  sealed?: boolean;
}
export interface QuestionTally {
  a?: number;
  o?: Record<string, number>;
  v?: Record<string, number>;
  s?: number;
  p?: Record<string, number>;
}
export interface GroupTally {
  n?: number;
  q?: Record<string, QuestionTally>;
}

export const ConsultationResponderModel = mongoose.model('ConsultationResponder', responderSchema);
export const ConsultationAnswerModel = mongoose.model('ConsultationAnswer', answerSchema);
export const ConsultationTallyModel = mongoose.model('ConsultationTally', tallySchema);
