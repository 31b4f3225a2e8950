/**
 * The questionnaire to answer: one group per question, each operable with the keyboard alone
 * (radio groups move with the arrow keys, checkboxes toggle with Space, a ranking moves with
 * "Move up" / "Move down" buttons that keep focus on the moved item and say where it went).
 * What is typed is kept on the device (localStorage) as it is typed, so a half-filled
 * questionnaire survives a reload; it is cleared once the answers are saved. The API's
 * per-answer problems (`answers[i]`) appear under their question, are announced, and focus
 * moves to the first question to fix. For an anonymous consultation the secret the first
 * answer returns is kept on the device too: only with it can the answer be changed later.
 */
import { Button, Checkbox, Field, Input, Radio, RadioGroup, Textarea, makeStyles, tokens } from '@fluentui/react-components';
import { useEffect, useId, useRef, useState } from 'react';
import { useApi } from '../api/api-provider.js';
import type { ApiProblem } from '../api/api-problem.js';
import { submitResponse, type Answer, type Consultation, type Question, type SubmittedResponse } from '../api/consultations-api.js';
import { loadDraft, loadJsonDraft, saveDraft, saveJsonDraft } from '../forms/draft-store.js';
import { useSubmit } from '../forms/use-submit.js';
import { useI18n } from '../i18n/i18n-provider.js';
import { announce } from '../layout/live-region.js';
import { useVisuallyHiddenStyles } from '../layout/visually-hidden.js';
import { ErrorMessage } from './error-message.js';

/** Where the anonymous response's secret is kept (the contract names this key). */
export const responseKeyName = (consultationId: string) => `meent.consultationKey.${consultationId}`;
export const answersDraftName = (consultationId: string) => `meent.consultationDraft.${consultationId}`;

export function loadResponseKey(consultationId: string): string | undefined {
  return loadDraft(responseKeyName(consultationId), { keep: true }) || undefined;
}

/** One question's answer as the form holds it: an option id, option ids, a number, text, an order, or yes/no. */
export type DraftValue = string | string[] | number | boolean;
export type DraftAnswers = Record<string, DraftValue>;

const DEFAULT_MAX_LENGTH: Partial<Record<Question['kind'], number>> = { shortText: 200, longText: 5000 };

export function maxLengthOf(q: Question): number {
  return q.maxLength ?? DEFAULT_MAX_LENGTH[q.kind] ?? 5000;
}

function optionIds(q: Question): string[] {
  return (q.options ?? []).map((o) => o.id);
}

function fits(q: Question, value: unknown): value is DraftValue {
  switch (q.kind) {
    case 'singleChoice':
      return typeof value === 'string' && optionIds(q).includes(value);
    case 'multipleChoice':
      return Array.isArray(value) && value.every((v) => typeof v === 'string' && optionIds(q).includes(v));
    case 'ranking':
      return Array.isArray(value) && value.length === optionIds(q).length && optionIds(q).every((id) => value.includes(id));
    case 'scale':
      return typeof value === 'number' && Number.isInteger(value) && q.scale !== undefined && value >= q.scale.min && value <= q.scale.max;
    case 'shortText':
    case 'longText':
      return typeof value === 'string';
    case 'yesNo':
      return typeof value === 'boolean';
  }
}

/** A kept draft, with anything that no longer fits the questions (they may have changed) left out. */
export function validDraft(raw: unknown, questions: readonly Question[]): DraftAnswers {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return {};
  const out: DraftAnswers = {};
  for (const q of questions) {
    const value = (raw as Record<string, unknown>)[q.id];
    if (fits(q, value)) out[q.id] = value;
  }
  return out;
}

export function draftFromAnswers(answers: readonly Answer[]): DraftAnswers {
  const out: DraftAnswers = {};
  for (const a of answers) {
    if ('optionId' in a) out[a.questionId] = a.optionId;
    else if ('optionIds' in a) out[a.questionId] = a.optionIds;
    else if ('value' in a) out[a.questionId] = a.value;
    else if ('text' in a) out[a.questionId] = a.text;
    else if ('ranking' in a) out[a.questionId] = a.ranking;
    else if ('yes' in a) out[a.questionId] = a.yes;
  }
  return out;
}

/**
 * The answers to send: empty ones are left out (the API names a required one as missing).
 * An untouched ranking counts as given only when the question is required: the order shown
 * is then the answer.
 */
export function answersFrom(questions: readonly Question[], draft: DraftAnswers): Answer[] {
  const out: Answer[] = [];
  for (const q of questions) {
    const v = draft[q.id];
    if (q.kind === 'ranking') {
      const order = Array.isArray(v) ? v : q.required ? optionIds(q) : undefined;
      if (order) out.push({ questionId: q.id, ranking: order });
      continue;
    }
    if (v === undefined) continue;
    if (q.kind === 'singleChoice' && typeof v === 'string') out.push({ questionId: q.id, optionId: v });
    else if (q.kind === 'multipleChoice' && Array.isArray(v) && v.length > 0) out.push({ questionId: q.id, optionIds: v });
    else if (q.kind === 'scale' && typeof v === 'number') out.push({ questionId: q.id, value: v });
    else if ((q.kind === 'shortText' || q.kind === 'longText') && typeof v === 'string' && v.trim() !== '') out.push({ questionId: q.id, text: v });
    else if (q.kind === 'yesNo' && typeof v === 'boolean') out.push({ questionId: q.id, yes: v });
  }
  return out;
}

/**
 * The API's messages per question. A path `answers[i]` (or `body.answers.i.text`) names the
 * i-th answer sent; a path that names a question id (`answers.q3`) names that question.
 */
export function errorsByQuestion(problem: ApiProblem | undefined, sent: readonly Answer[], questions: readonly Question[], requiredMessage: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of problem?.errors ?? []) {
    const match = /(?:^|\.)answers(?:\[(\w+)\]|\.(\w+))/.exec(e.path);
    const ref = match?.[1] ?? match?.[2];
    if (ref === undefined) continue;
    const byId = questions.find((q) => q.id === ref);
    const questionId = byId ? byId.id : /^\d+$/.test(ref) ? sent[Number(ref)]?.questionId : undefined;
    if (!questionId || out[questionId]) continue;
    // A required question left empty is said in the reader's language; other messages are the API's.
    const missing = byId?.required === true && !sent.some((a) => a.questionId === questionId);
    out[questionId] = missing ? requiredMessage : e.message;
  }
  return out;
}

const useStyles = makeStyles({
  form: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalXL, maxWidth: '720px' },
  fieldset: { border: 'none', margin: 0, padding: 0, display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalS, minWidth: 0 },
  legend: { padding: 0, marginBottom: tokens.spacingVerticalXS, fontSize: tokens.fontSizeBase400, lineHeight: tokens.lineHeightBase400, fontWeight: tokens.fontWeightSemibold },
  required: { color: tokens.colorPaletteRedForeground3, paddingLeft: tokens.spacingHorizontalXS },
  hint: { margin: 0, color: tokens.colorNeutralForeground2, fontSize: tokens.fontSizeBase200 },
  description: { margin: 0, color: tokens.colorNeutralForeground2 },
  error: { margin: 0, color: tokens.colorPaletteRedForeground1, fontSize: tokens.fontSizeBase200, fontWeight: tokens.fontWeightSemibold },
  scaleEnds: { display: 'flex', justifyContent: 'space-between', gap: tokens.spacingHorizontalM, color: tokens.colorNeutralForeground2, fontSize: tokens.fontSizeBase200, maxWidth: '560px' },
  ranking: { listStyleType: 'none', margin: 0, padding: 0, display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalXS },
  rankItem: {
    display: 'flex',
    flexWrap: 'wrap',
    alignItems: 'center',
    justifyContent: 'space-between',
    gap: tokens.spacingHorizontalS,
    padding: `${tokens.spacingVerticalXS} ${tokens.spacingHorizontalS}`,
    border: `${tokens.strokeWidthThin} solid ${tokens.colorNeutralStroke1}`,
    borderRadius: tokens.borderRadiusMedium,
    backgroundColor: tokens.colorNeutralBackground1,
  },
  rankButtons: { display: 'flex', gap: tokens.spacingHorizontalXS },
  actions: { display: 'flex', flexWrap: 'wrap', gap: tokens.spacingHorizontalM, alignItems: 'center' },
});

export interface QuestionnaireProps {
  consultation: Consultation;
  /** My saved answers, when I am changing them. */
  initial: readonly Answer[] | undefined;
  onSubmitted: (response: SubmittedResponse) => void;
  onCancel?: () => void;
}

export function Questionnaire({ consultation, initial, onSubmitted, onCancel }: QuestionnaireProps) {
  const styles = useStyles();
  const { t } = useI18n();
  const api = useApi();
  const form = useRef<HTMLFormElement>(null);
  const draftName = answersDraftName(consultation.id);
  const [draft, setDraft] = useState<DraftAnswers>(() => {
    const kept = validDraft(loadJsonDraft(draftName, { keep: true }), consultation.questions);
    return Object.keys(kept).length > 0 ? kept : draftFromAnswers(initial ?? []);
  });
  const sent = useRef<Answer[]>([]);

  const change = (questionId: string, value: DraftValue | undefined) =>
    setDraft((d) => {
      const next = { ...d };
      if (value === undefined) delete next[questionId];
      else next[questionId] = value;
      saveJsonDraft(draftName, next, { keep: true });
      return next;
    });

  const save = useSubmit(() => {
    sent.current = answersFrom(consultation.questions, draft);
    return submitResponse(api, consultation.id, sent.current, loadResponseKey(consultation.id));
  });
  const errors = errorsByQuestion(save.problem, sent.current, consultation.questions, t('questionnaire.requiredMissing'));
  const errorCount = Object.keys(errors).length;

  useEffect(() => {
    if (errorCount === 0) return;
    announce(t('questionnaire.fix', { count: errorCount }));
    form.current?.querySelector<HTMLElement>('[data-invalid="true"] input, [data-invalid="true"] textarea, [data-invalid="true"] button')?.focus();
  }, [save.problem, errorCount, t]);

  const submit = async () => {
    const response = await save.submit();
    if (!response) return;
    if (response.responseKey) saveDraft(responseKeyName(consultation.id), response.responseKey, { keep: true });
    saveJsonDraft(draftName, undefined, { keep: true });
    onSubmitted(response);
  };

  return (
    <form
      ref={form}
      className={styles.form}
      noValidate
      data-testid="questionnaire"
      onSubmit={(e) => {
        e.preventDefault();
        void submit();
      }}
    >
      {save.problem && errorCount === 0 ? <ErrorMessage error={save.problem} /> : null}
      {consultation.anonymous ? <p className={styles.hint}>{t('questionnaire.anonymousNote')}</p> : null}
      {consultation.questions.map((q, i) => (
        <QuestionInput key={q.id} question={q} number={i + 1} value={draft[q.id]} error={errors[q.id]} onChange={(v) => change(q.id, v)} />
      ))}
      <div className={styles.actions}>
        <Button type="submit" appearance="primary" disabled={save.submitting} data-testid="questionnaire-submit">
          {initial ? t('questionnaire.saveChanges') : t('questionnaire.submit')}
        </Button>
        {onCancel ? <Button onClick={onCancel}>{t('form.cancel')}</Button> : null}
      </div>
    </form>
  );
}

function QuestionInput({ question: q, number, value, error, onChange }: { question: Question; number: number; value: DraftValue | undefined; error: string | undefined; onChange: (v: DraftValue | undefined) => void }) {
  const styles = useStyles();
  const hidden = useVisuallyHiddenStyles();
  const { t } = useI18n();
  const id = useId();
  const legendId = `${id}-legend`;
  const errorId = `${id}-error`;
  const hintId = `${id}-hint`;
  const label = `${number}. ${q.text}`;

  if (q.kind === 'shortText' || q.kind === 'longText') {
    const text = typeof value === 'string' ? value : '';
    const max = maxLengthOf(q);
    const Control = q.kind === 'shortText' ? Input : Textarea;
    return (
      <div data-invalid={error ? 'true' : undefined} data-testid={`question-${q.id}`}>
        <Field label={label} required={q.required} hint={`${q.description ? `${q.description} ` : ''}${t('questionnaire.counter', { used: text.length, max })}`} validationMessage={error} validationState={error ? 'error' : 'none'}>
          <Control value={text} maxLength={max} onChange={(_: unknown, d: { value: string }) => onChange(d.value === '' ? undefined : d.value)} {...(q.kind === 'longText' ? { resize: 'vertical' as const, rows: 4 } : {})} />
        </Field>
      </div>
    );
  }

  const describedBy = [q.description || q.kind === 'multipleChoice' || q.kind === 'ranking' ? hintId : undefined, error ? errorId : undefined].filter(Boolean).join(' ') || undefined;
  let hint: string | undefined = q.description;
  if (q.kind === 'multipleChoice') {
    const chosen = Array.isArray(value) ? value.length : 0;
    const range = q.minChoices !== undefined && q.maxChoices !== undefined ? t('questionnaire.chooseBetween', { min: q.minChoices, max: q.maxChoices }) : q.maxChoices !== undefined ? t('questionnaire.chooseAtMost', { max: q.maxChoices }) : t('questionnaire.chooseAny');
    hint = [q.description, range, t('questionnaire.chosen', { count: chosen })].filter(Boolean).join(' ');
  }
  if (q.kind === 'ranking') hint = [q.description, t('questionnaire.rankingHint')].filter(Boolean).join(' ');

  return (
    <fieldset className={styles.fieldset} aria-describedby={describedBy} aria-invalid={error ? true : undefined} data-invalid={error ? 'true' : undefined} data-testid={`question-${q.id}`}>
      <legend id={legendId} className={styles.legend}>
        {label}
        {q.required ? (
          <span className={styles.required}>
            <span aria-hidden="true">*</span>
            <span className={hidden.root}>{t('questionnaire.required')}</span>
          </span>
        ) : null}
      </legend>
      {hint ? (
        <p id={hintId} className={styles.hint}>
          {hint}
        </p>
      ) : null}
      <Choices question={q} value={value} legendId={legendId} required={q.required} onChange={onChange} />
      {error ? (
        <p id={errorId} className={styles.error} data-testid="question-error">
          {error}
        </p>
      ) : null}
    </fieldset>
  );
}

function Choices({ question: q, value, legendId, required, onChange }: { question: Question; value: DraftValue | undefined; legendId: string; required: boolean; onChange: (v: DraftValue | undefined) => void }) {
  const styles = useStyles();
  const { t } = useI18n();
  if (q.kind === 'singleChoice') {
    return (
      <RadioGroup aria-labelledby={legendId} aria-required={required || undefined} value={typeof value === 'string' ? value : ''} onChange={(_, d) => onChange(d.value)}>
        {(q.options ?? []).map((o) => (
          <Radio key={o.id} value={o.id} label={o.label} />
        ))}
      </RadioGroup>
    );
  }
  if (q.kind === 'yesNo') {
    return (
      <RadioGroup aria-labelledby={legendId} aria-required={required || undefined} layout="horizontal" value={typeof value === 'boolean' ? (value ? 'yes' : 'no') : ''} onChange={(_, d) => onChange(d.value === 'yes')}>
        <Radio value="yes" label={t('consultation.yes')} />
        <Radio value="no" label={t('consultation.no')} />
      </RadioGroup>
    );
  }
  if (q.kind === 'scale' && q.scale) {
    const { min, max, minLabel, maxLabel } = q.scale;
    const values = Array.from({ length: max - min + 1 }, (_, i) => min + i);
    const labelOf = (v: number) => (v === min && minLabel ? `${v} – ${minLabel}` : v === max && maxLabel ? `${v} – ${maxLabel}` : String(v));
    return (
      <>
        <RadioGroup aria-labelledby={legendId} aria-required={required || undefined} layout="horizontal-stacked" value={typeof value === 'number' ? String(value) : ''} onChange={(_, d) => onChange(Number(d.value))}>
          {values.map((v) => (
            <Radio key={v} value={String(v)} label={labelOf(v)} />
          ))}
        </RadioGroup>
      </>
    );
  }
  if (q.kind === 'multipleChoice') {
    const chosen = Array.isArray(value) ? value : [];
    return (
      <div role="group" aria-labelledby={legendId}>
        {(q.options ?? []).map((o) => (
          <div key={o.id}>
            <Checkbox
              label={o.label}
              checked={chosen.includes(o.id)}
              onChange={(_, d) => {
                const next = d.checked === true ? [...chosen, o.id] : chosen.filter((x) => x !== o.id);
                // Kept in the options' order, whatever the order of clicking.
                const ordered = (q.options ?? []).map((x) => x.id).filter((x) => next.includes(x));
                onChange(ordered.length > 0 ? ordered : undefined);
              }}
            />
          </div>
        ))}
      </div>
    );
  }
  if (q.kind === 'ranking') return <Ranking question={q} value={value} legendId={legendId} onChange={onChange} />;
  return <p className={styles.hint}>{t('questionnaire.unknownKind')}</p>;
}

function Ranking({ question: q, value, legendId, onChange }: { question: Question; value: DraftValue | undefined; legendId: string; onChange: (v: DraftValue | undefined) => void }) {
  const styles = useStyles();
  const { t } = useI18n();
  const list = useRef<HTMLOListElement>(null);
  const options = q.options ?? [];
  const order = Array.isArray(value) && value.length === options.length ? value : options.map((o) => o.id);
  const labelOf = (id: string) => options.find((o) => o.id === id)?.label ?? id;
  const [focusAfter, setFocusAfter] = useState<{ id: string; direction: 'up' | 'down' } | undefined>(undefined);

  useEffect(() => {
    if (!focusAfter) return;
    list.current?.querySelector<HTMLElement>(`[data-rank="${focusAfter.id}-${focusAfter.direction}"]`)?.focus();
    setFocusAfter(undefined);
  }, [focusAfter]);

  const move = (index: number, by: -1 | 1) => {
    const target = index + by;
    if (target < 0 || target >= order.length) return;
    const next = [...order];
    const [item] = next.splice(index, 1);
    next.splice(target, 0, item!);
    onChange(next);
    announce(t('questionnaire.movedTo', { option: labelOf(item!), position: target + 1, count: order.length }));
    setFocusAfter({ id: item!, direction: by === -1 ? 'up' : 'down' });
  };

  return (
    <ol ref={list} className={styles.ranking} aria-labelledby={legendId}>
      {order.map((id, i) => (
        <li key={id} className={styles.rankItem} data-testid="ranking-item">
          <span>
            {i + 1}. {labelOf(id)}
          </span>
          <span className={styles.rankButtons}>
            <Button size="small" data-rank={`${id}-up`} disabledFocusable={i === 0} onClick={() => move(i, -1)} aria-label={t('questionnaire.moveUp', { option: labelOf(id) })}>
              {t('questionnaire.up')}
            </Button>
            <Button size="small" data-rank={`${id}-down`} disabledFocusable={i === order.length - 1} onClick={() => move(i, 1)} aria-label={t('questionnaire.moveDown', { option: labelOf(id) })}>
              {t('questionnaire.down')}
            </Button>
          </span>
        </li>
      ))}
    </ol>
  );
}
