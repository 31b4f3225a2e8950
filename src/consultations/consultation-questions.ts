/**
 * The questions of a consultation and the answers to them, as pure functions: the input
 * shape of a question (zod, with the rules per kind), the check of a response against the
 * consultation's questions (every problem a field error `answers[i]`, or `answers.<questionId>`
 * for a required question left out), and what a response adds to the tallies.
 */
import { z } from 'zod';
import { ValidationError, type ErrorDetail } from '../errors/domain-errors.js';
import { QUESTION_KINDS, type QuestionKind } from './consultation.model.js';
import type { StoredAnswer } from './consultation-response.model.js';

/** Ids of questions and options are keys in the tallies: short, no dots or dollars. */
const idString = z.string().regex(/^[A-Za-z][A-Za-z0-9_-]{0,39}$/, { error: 'must be 1-40 letters, digits, - or _, starting with a letter' });
export const MAX_QUESTIONS = 50;
export const MAX_OPTIONS = 20;
export const TEXT_LIMITS = { shortText: { default: 200, max: 500 }, longText: { default: 5000, max: 5000 } } as const;
const CHOICE_KINDS: ReadonlySet<QuestionKind> = new Set(['singleChoice', 'multipleChoice', 'ranking']);

export const optionInput = z.object({ id: idString.optional(), label: z.string().trim().min(1, { error: 'must not be empty' }).max(200) }).strict();

export const questionInput = z
  .object({
    id: idString.optional(),
    kind: z.enum(QUESTION_KINDS),
    text: z.string().trim().min(1, { error: 'must not be empty' }).max(500),
    description: z.string().max(5000).optional(),
    required: z.boolean().optional(),
    options: z.array(optionInput).max(MAX_OPTIONS, { error: `at most ${MAX_OPTIONS} options` }).optional(),
    minChoices: z.number().int().min(0).max(MAX_OPTIONS).optional(),
    maxChoices: z.number().int().min(1).max(MAX_OPTIONS).optional(),
    scale: z
      .object({
        min: z.union([z.literal(0), z.literal(1)], { error: 'must be 0 or 1' }),
        max: z.number().int().min(2, { error: 'must be 2 to 10' }).max(10, { error: 'must be 2 to 10' }),
        minLabel: z.string().trim().max(100).optional(),
        maxLabel: z.string().trim().max(100).optional(),
      })
      .strict()
      .optional(),
    maxLength: z.number().int().min(1).max(5000).optional(),
  })
  .strict()
  .superRefine((q, ctx) => {
    const issue = (path: string, message: string) => ctx.addIssue({ code: 'custom', path: [path], message });
    if (CHOICE_KINDS.has(q.kind)) {
      if (!q.options || q.options.length < 2) issue('options', 'needs 2 to 20 options');
      const ids = (q.options ?? []).flatMap((o) => (o.id ? [o.id] : []));
      if (new Set(ids).size !== ids.length) issue('options', 'option ids must be unique');
    } else if (q.options !== undefined) issue('options', `a ${q.kind} question has no options`);
    if (q.kind === 'multipleChoice') {
      const n = q.options?.length ?? 0;
      if (q.maxChoices !== undefined && q.maxChoices > n) issue('maxChoices', 'must not exceed the number of options');
      if (q.minChoices !== undefined && q.minChoices > (q.maxChoices ?? n)) issue('minChoices', 'must not exceed maxChoices');
    } else if (q.minChoices !== undefined || q.maxChoices !== undefined) issue('minChoices', 'only a multipleChoice question has minChoices and maxChoices');
    if (q.kind === 'scale' && !q.scale) issue('scale', 'a scale question needs { min, max }');
    if (q.kind !== 'scale' && q.scale !== undefined) issue('scale', 'only a scale question has a scale');
    if (q.kind === 'shortText' || q.kind === 'longText') {
      if (q.maxLength !== undefined && q.maxLength > TEXT_LIMITS[q.kind].max) issue('maxLength', `must be at most ${TEXT_LIMITS[q.kind].max}`);
    } else if (q.maxLength !== undefined) issue('maxLength', 'only a text question has maxLength');
  });
export type QuestionInput = z.output<typeof questionInput>;

export const questionsInput = z
  .array(questionInput)
  .min(1, { error: 'needs at least one question' })
  .max(MAX_QUESTIONS, { error: `at most ${MAX_QUESTIONS} questions` })
  .superRefine((qs, ctx) => {
    const ids = qs.flatMap((q) => (q.id ? [q.id] : []));
    if (new Set(ids).size !== ids.length) ctx.addIssue({ code: 'custom', message: 'question ids must be unique' });
  });

/** A question as stored and shown (contract: `Question`). */
export interface Question {
  id: string;
  kind: QuestionKind;
  text: string;
  description?: string;
  required: boolean;
  options?: Array<{ id: string; label: string }>;
  minChoices?: number;
  maxChoices?: number;
  scale?: { min: number; max: number; minLabel?: string; maxLabel?: string };
  maxLength?: number;
}

/** Gives every question and option a stable id (`q1`, `o1`, ... where the input has none) and the defaults of its kind. */
export function normaliseQuestions(input: readonly QuestionInput[]): Question[] {
  const taken = new Set(input.flatMap((q) => (q.id ? [q.id] : [])));
  let next = 1;
  const freshId = (prefix: string, used: Set<string>) => {
    let id = `${prefix}${next}`;
    while (used.has(id)) id = `${prefix}${++next}`;
    used.add(id);
    return id;
  };
  return input.map((q) => {
    const id = q.id ?? freshId('q', taken);
    const out: Question = { id, kind: q.kind, text: q.text, required: q.required ?? false };
    if (q.description) out.description = q.description;
    if (q.options) {
      const used = new Set(q.options.flatMap((o) => (o.id ? [o.id] : [])));
      let n = 1;
      out.options = q.options.map((o) => {
        if (o.id) return { id: o.id, label: o.label };
        let oid = `o${n}`;
        while (used.has(oid)) oid = `o${++n}`;
        used.add(oid);
        return { id: oid, label: o.label };
      });
    }
    if (q.kind === 'multipleChoice') {
      if (q.minChoices !== undefined) out.minChoices = q.minChoices;
      out.maxChoices = q.maxChoices ?? out.options?.length ?? 0;
    }
    if (q.scale) out.scale = { min: q.scale.min, max: q.scale.max, ...(q.scale.minLabel ? { minLabel: q.scale.minLabel } : {}), ...(q.scale.maxLabel ? { maxLabel: q.scale.maxLabel } : {}) };
    if (q.kind === 'shortText' || q.kind === 'longText') out.maxLength = q.maxLength ?? TEXT_LIMITS[q.kind].default;
    return out;
  });
}

export const INVALID_ANSWERS = 'invalid_answers';
export const MAX_ANSWERS = 100;

/**
 * Checks a response against the questions; answers the answers as stored (texts trimmed, an
 * empty text or choice left out) or throws `ValidationError` (code `invalid_answers`) with a
 * field error for each problem.
 */
export function checkAnswers(questions: readonly Question[], input: unknown): StoredAnswer[] {
  const errors: ErrorDetail[] = [];
  const fail = () => new ValidationError('Some answers do not fit the questions.', errors, INVALID_ANSWERS);
  if (!Array.isArray(input)) {
    errors.push({ path: 'answers', message: 'must be a list of answers' });
    throw fail();
  }
  if (input.length > MAX_ANSWERS) {
    errors.push({ path: 'answers', message: `at most ${MAX_ANSWERS} answers` });
    throw fail();
  }
  const byId = new Map(questions.map((q) => [q.id, q]));
  const seen = new Set<string>();
  const out: StoredAnswer[] = [];
  input.forEach((raw, i) => {
    const path = `answers[${i}]`;
    const error = (message: string) => errors.push({ path, message });
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return error('must be an object with a questionId');
    const a = raw as Record<string, unknown>;
    const q = typeof a.questionId === 'string' ? byId.get(a.questionId) : undefined;
    if (!q) return error(`unknown question ${JSON.stringify(String(a.questionId)).slice(0, 60)}`);
    if (seen.has(q.id)) return error(`question ${q.id} is answered twice`);
    seen.add(q.id);
    const allowedKeys = new Set(['questionId', fieldOf(q.kind)]);
    const extra = Object.keys(a).find((k) => !allowedKeys.has(k));
    if (extra) return error(`question ${q.id} (${q.kind}) takes ${fieldOf(q.kind)}, not ${extra}`);
    const stored = checkOne(q, a, error);
    if (stored) out.push(stored);
    else if (stored === null) seen.delete(q.id);
  });
  for (const q of questions) {
    if (q.required && !out.some((a) => a.questionId === q.id) && !errors.some((e) => e.message.startsWith(`question ${q.id} `))) {
      errors.push({ path: `answers.${q.id}`, message: `question ${q.id} is required` });
    }
  }
  if (errors.length > 0) throw fail();
  return out;
}

function fieldOf(kind: QuestionKind): string {
  switch (kind) {
    case 'singleChoice':
      return 'optionId';
    case 'multipleChoice':
      return 'optionIds';
    case 'scale':
      return 'value';
    case 'shortText':
    case 'longText':
      return 'text';
    case 'ranking':
      return 'ranking';
    case 'yesNo':
      return 'yes';
  }
}

/** The stored answer, null for "left empty", undefined after reporting an error. */
function checkOne(q: Question, a: Record<string, unknown>, error: (m: string) => void): StoredAnswer | null | undefined {
  const optionIds = new Set((q.options ?? []).map((o) => o.id));
  switch (q.kind) {
    case 'singleChoice': {
      if (typeof a.optionId !== 'string') return void error(`question ${q.id} needs optionId`);
      if (!optionIds.has(a.optionId)) return void error(`question ${q.id} has no option ${JSON.stringify(a.optionId).slice(0, 60)}`);
      return { questionId: q.id, optionId: a.optionId };
    }
    case 'multipleChoice': {
      const chosen = a.optionIds;
      if (!Array.isArray(chosen) || !chosen.every((c): c is string => typeof c === 'string')) return void error(`question ${q.id} needs optionIds, a list of option ids`);
      const unknown = chosen.find((c) => !optionIds.has(c));
      if (unknown !== undefined) return void error(`question ${q.id} has no option ${JSON.stringify(unknown).slice(0, 60)}`);
      if (new Set(chosen).size !== chosen.length) return void error(`question ${q.id}: an option is chosen twice`);
      if (chosen.length === 0) return null;
      const max = q.maxChoices ?? optionIds.size;
      if (chosen.length > max) return void error(`question ${q.id} takes at most ${max} choices`);
      if (q.minChoices !== undefined && chosen.length < q.minChoices) return void error(`question ${q.id} takes at least ${q.minChoices} choices`);
      return { questionId: q.id, optionIds: [...chosen] };
    }
    case 'scale': {
      const { min, max } = q.scale ?? { min: 1, max: 5 };
      if (typeof a.value !== 'number' || !Number.isInteger(a.value)) return void error(`question ${q.id} needs a whole number from ${min} to ${max}`);
      if (a.value < min || a.value > max) return void error(`question ${q.id}: ${a.value} is outside ${min} to ${max}`);
      return { questionId: q.id, value: a.value };
    }
    case 'shortText':
    case 'longText': {
      if (typeof a.text !== 'string') return void error(`question ${q.id} needs text`);
      const text = a.text.trim();
      const limit = q.maxLength ?? TEXT_LIMITS[q.kind].default;
      if (text.length > limit) return void error(`question ${q.id}: at most ${limit} characters`);
      // eslint-disable-next-line no-control-regex
      if (/[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/.test(text)) return void error(`question ${q.id}: the text holds control characters`);
      return text.length === 0 ? null : { questionId: q.id, text };
    }
    case 'ranking': {
      const order = a.ranking;
      if (!Array.isArray(order) || !order.every((c): c is string => typeof c === 'string')) return void error(`question ${q.id} needs ranking, a list of option ids`);
      if (order.length === 0) return null;
      if (new Set(order).size !== order.length) return void error(`question ${q.id}: the ranking names an option twice`);
      const unknown = order.find((c) => !optionIds.has(c));
      if (unknown !== undefined) return void error(`question ${q.id} has no option ${JSON.stringify(unknown).slice(0, 60)}`);
      if (order.length !== optionIds.size) return void error(`question ${q.id}: rank every option once`);
      return { questionId: q.id, ranking: [...order] };
    }
    case 'yesNo': {
      if (typeof a.yes !== 'boolean') return void error(`question ${q.id} needs yes: true or false`);
      return { questionId: q.id, yes: a.yes };
    }
  }
}

/** The tally increments of one response, relative to its group (`n`, `q.<id>.a`, ...). */
export function contributions(answers: readonly StoredAnswer[]): Map<string, number> {
  const inc = new Map<string, number>();
  const add = (path: string, by = 1) => inc.set(path, (inc.get(path) ?? 0) + by);
  add('n');
  for (const a of answers) {
    const base = `q.${a.questionId}`;
    add(`${base}.a`);
    if ('optionId' in a) add(`${base}.o.${a.optionId}`);
    else if ('optionIds' in a) for (const o of a.optionIds) add(`${base}.o.${o}`);
    else if ('value' in a) {
      // Keys that are numbers would read as array positions to some stores: `k<value>`.
      add(`${base}.v.k${a.value}`);
      add(`${base}.s`, a.value);
    } else if ('yes' in a) add(`${base}.o.${a.yes ? 'yes' : 'no'}`);
    else if ('ranking' in a) a.ranking.forEach((o, i) => add(`${base}.p.${o}`, i + 1));
  }
  return inc;
}

/** What replacing `before` with `after` (either may be absent) changes in the group's tallies, as a `$inc` document. */
export function tallyDelta(group: string, before: readonly StoredAnswer[] | null, after: readonly StoredAnswer[] | null): Record<string, number> {
  const sum = new Map<string, number>();
  if (after) for (const [k, v] of contributions(after)) sum.set(k, (sum.get(k) ?? 0) + v);
  if (before) for (const [k, v] of contributions(before)) sum.set(k, (sum.get(k) ?? 0) - v);
  const out: Record<string, number> = {};
  for (const [k, v] of sum) if (v !== 0) out[`g.${group}.${k}`] = v;
  return out;
}

/** The ids of the questions answered with text. */
export function textQuestionsOf(answers: readonly StoredAnswer[]): string[] {
  return answers.filter((a) => 'text' in a).map((a) => a.questionId);
}
