/**
 * Preparing a consultation (`#/community/<id>/new-consultation`) and editing one
 * (`#/consultations/<id>/edit`): title, Markdown introduction, opening and closing times on
 * the wall clock of a chosen time zone, audience, anonymity, who sees results, and the
 * questions of every kind, each movable up and down and removable. A new one is saved as a
 * draft or opened at once. Once open, the API accepts only some changes (and none to the
 * questions after the first answer); its messages appear under the fields they concern.
 */
import { Button, Checkbox, Field, Input, Link, Radio, RadioGroup, Select, Textarea, makeStyles, tokens } from '@fluentui/react-components';
import { useRef, useState } from 'react';
import { useApi } from '../api/api-provider.js';
import type { ApiProblem } from '../api/api-problem.js';
import {
  createConsultation,
  getConsultation,
  KINDS_WITH_OPTIONS,
  QUESTION_KINDS,
  updateConsultation,
  type Audience,
  type Consultation,
  type ConsultationInput,
  type Question,
  type QuestionKind,
  type ResultsVisibility,
} from '../api/consultations-api.js';
import { ErrorMessage } from '../components/error-message.js';
import { MarkdownEditor } from '../components/markdown-editor.js';
import { EditOrCreate } from '../forms/edit-or-create.js';
import { ApiForm } from '../forms/api-form.js';
import { useSubmit } from '../forms/use-submit.js';
import { isoToZonedInput, timeZones, zonedInputToIso } from '../forms/zoned-time.js';
import { useI18n } from '../i18n/i18n-provider.js';
import { announce } from '../layout/live-region.js';
import { PageHeader } from '../layout/page-header.js';
import { hrefFor, navigate, type Route } from '../router/hash-router.js';

const useStyles = makeStyles({
  form: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalL, maxWidth: '760px' },
  row: { display: 'flex', flexWrap: 'wrap', gap: tokens.spacingHorizontalL },
  actions: { display: 'flex', flexWrap: 'wrap', gap: tokens.spacingHorizontalM, alignItems: 'center' },
  questions: { listStyleType: 'none', margin: 0, padding: 0, display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalL },
  question: {
    display: 'flex',
    flexDirection: 'column',
    gap: tokens.spacingVerticalM,
    padding: tokens.spacingHorizontalL,
    border: `${tokens.strokeWidthThin} solid ${tokens.colorNeutralStroke1}`,
    borderRadius: tokens.borderRadiusLarge,
    backgroundColor: tokens.colorNeutralBackground2,
  },
  questionHeading: { margin: 0, fontSize: tokens.fontSizeBase400, fontWeight: tokens.fontWeightSemibold },
  option: { display: 'flex', gap: tokens.spacingHorizontalS, alignItems: 'flex-end' },
  grow: { flexGrow: 1 },
  sectionHeading: { margin: 0, fontSize: tokens.fontSizeBase500, fontWeight: tokens.fontWeightSemibold },
  frozen: { margin: 0, color: tokens.colorNeutralForeground2 },
});

interface Draft {
  title: string;
  introduction: string;
  opensAt: string;
  closesAt: string;
  timeZone: string;
  audience: Audience;
  anonymous: boolean;
  resultsVisibility: ResultsVisibility;
  questions: Question[];
}

const FIELDS = ['title', 'introduction', 'opensAt', 'closesAt', 'timeZone', 'audience', 'anonymous', 'resultsVisibility', 'questions'] as const;

/** `questions[1].options[0].label` and `body.questions.1.options.0.label` alike → `questions.1.options.0.label`. */
function normalisedPath(path: string): string {
  return path.replace(/\[(\d+)\]/g, '.$1').replace(/^body\./, '');
}

function messageAt(problem: ApiProblem | undefined, prefix: string, exact = false): string | undefined {
  return problem?.errors.find((e) => {
    const p = normalisedPath(e.path);
    return exact ? p === prefix : p === prefix || p.startsWith(`${prefix}.`);
  })?.message;
}

function freshId(prefix: string, taken: readonly string[]): string {
  let n = taken.length + 1;
  while (taken.includes(`${prefix}${n}`)) n++;
  return `${prefix}${n}`;
}

function newQuestion(kind: QuestionKind, taken: readonly string[]): Question {
  const base: Question = { id: freshId('q', taken), kind, text: '', required: false };
  return withKind(base, kind);
}

/** The question as the kind needs it: options for choices and rankings, ends for a scale. */
function withKind(q: Question, kind: QuestionKind): Question {
  const { options, minChoices, maxChoices, scale, maxLength, ...rest } = q;
  const next: Question = { ...rest, kind };
  if (KINDS_WITH_OPTIONS.includes(kind)) next.options = options && options.length >= 2 ? options : [{ id: 'o1', label: '' }, { id: 'o2', label: '' }];
  if (kind === 'multipleChoice') {
    if (minChoices !== undefined) next.minChoices = minChoices;
    if (maxChoices !== undefined) next.maxChoices = maxChoices;
  }
  if (kind === 'scale') next.scale = scale ?? { min: 1, max: 5, minLabel: '', maxLabel: '' };
  if ((kind === 'shortText' || kind === 'longText') && maxLength !== undefined) next.maxLength = maxLength;
  return next;
}

/** What the API receives: empty optional texts are left out. */
function cleanQuestion(q: Question): Question {
  const out: Question = { ...q, text: q.text.trim() };
  if (!out.description?.trim()) delete out.description;
  if (out.options) out.options = out.options.map((o) => ({ ...o, label: o.label.trim() }));
  if (out.scale) {
    const { minLabel, maxLabel, ...ends } = out.scale;
    out.scale = { ...ends, ...(minLabel?.trim() ? { minLabel: minLabel.trim() } : {}), ...(maxLabel?.trim() ? { maxLabel: maxLabel.trim() } : {}) };
  }
  return out;
}

function draftFrom(c: Consultation | undefined, zone: string): Draft {
  const timeZone = c?.timeZone ?? zone;
  return {
    title: c?.title ?? '',
    introduction: c?.introduction ?? '',
    opensAt: isoToZonedInput(c?.opensAt, timeZone),
    closesAt: isoToZonedInput(c?.closesAt, timeZone),
    timeZone,
    audience: c?.audience ?? 'members',
    anonymous: c?.anonymous ?? true,
    resultsVisibility: c?.resultsVisibility ?? 'afterResponse',
    questions: c?.questions ?? [newQuestion('singleChoice', [])],
  };
}

export function ConsultationFormPage({ route }: { route: Route }) {
  return (
    <EditOrCreate
      route={route}
      editRoute="consultationEdit"
      load={getConsultation}
      failedTitle="consultationForm.editTitle"
      form={(existing) => <ConsultationForm existing={existing} communityId={existing?.communityId ?? route.params.id ?? ''} />}
    />
  );
}

function ConsultationForm({ existing, communityId }: { existing: Consultation | undefined; communityId: string }) {
  const styles = useStyles();
  const i18n = useI18n();
  const { t } = i18n;
  const api = useApi();
  const [draft, setDraft] = useState<Draft>(() => draftFrom(existing, i18n.timeZone));
  const set = <K extends keyof Draft>(key: K, value: Draft[K]) => setDraft((d) => ({ ...d, [key]: value }));
  const setQuestions = (change: (qs: Question[]) => Question[]) => setDraft((d) => ({ ...d, questions: change(d.questions) }));
  const intent = useRef<'draft' | 'open'>('open');
  const onlyDraft = !existing || existing.status === 'draft';
  // Once open, the contract lets only the title, introduction, closing time and results' visibility change.
  const questionsFrozen = existing !== undefined && existing.status !== 'draft';

  const save = useSubmit(async () => {
    const time = (value: string) => (value ? (zonedInputToIso(value, draft.timeZone) ?? value) : null);
    const input: ConsultationInput = {
      title: draft.title.trim(),
      introduction: draft.introduction,
      opensAt: time(draft.opensAt),
      closesAt: time(draft.closesAt),
      timeZone: draft.timeZone,
      audience: draft.audience,
      anonymous: draft.anonymous,
      resultsVisibility: draft.resultsVisibility,
      questions: draft.questions.map(cleanQuestion),
    };
    if (!existing) return createConsultation(api, communityId, { ...input, status: intent.current });
    if (existing.status === 'draft') return updateConsultation(api, existing.id, input);
    const { title, introduction, closesAt, resultsVisibility } = input;
    return updateConsultation(api, existing.id, { title, introduction, closesAt, resultsVisibility });
  });

  const submit = async (as: 'draft' | 'open') => {
    intent.current = as;
    const saved = await save.submit();
    if (!saved) return;
    announce(existing ? t('consultationForm.saved') : as === 'draft' ? t('consultationForm.savedDraft') : t('consultationForm.opened'));
    navigate(`/consultations/${saved.id}`);
  };

  const field = (path: string, exact = true) => {
    const message = messageAt(save.problem, path, exact);
    return { validationMessage: message, validationState: message ? ('error' as const) : ('none' as const) };
  };
  // The API's paths that a field below shows; any other message stands above the form.
  const placedPaths = (save.problem?.errors ?? []).map((e) => e.path).filter((path) => FIELDS.some((f) => normalisedPath(path) === f || normalisedPath(path).startsWith(`${f}.`)));
  const zones = timeZones(draft.timeZone);

  return (
    <>
      <PageHeader title={existing ? t('consultationForm.editTitle') : t('consultationForm.newTitle')} intro={t('consultationForm.intro')} />
      <ApiForm save={save} fields={placedPaths} testId="consultation-form" className={styles.form} onSubmit={() => void submit('open')}>
        <Field label={t('consultationForm.title')} required {...field('title')}>
          <Input value={draft.title} maxLength={200} onChange={(_, d) => set('title', d.value)} data-testid="consultation-title" />
        </Field>
        <MarkdownEditor label={t('consultationForm.introduction')} value={draft.introduction} onChange={(v) => set('introduction', v)} picked={[]} onPick={() => undefined} field={field('introduction')} testId="consultation-introduction-input" />
        <div className={styles.row}>
          <Field label={t('consultationForm.opensAt')} hint={t('consultationForm.opensAtHint')} {...field('opensAt')}>
            <Input type="datetime-local" value={draft.opensAt} disabled={!onlyDraft} onChange={(_, d) => set('opensAt', d.value)} data-testid="consultation-opens" />
          </Field>
          <Field label={t('consultationForm.closesAt')} hint={t('consultationForm.closesAtHint')} {...field('closesAt')}>
            <Input type="datetime-local" value={draft.closesAt} onChange={(_, d) => set('closesAt', d.value)} data-testid="consultation-closes" />
          </Field>
          <Field label={t('consultationForm.timeZone')} {...field('timeZone')}>
            <Select value={draft.timeZone} disabled={!onlyDraft} onChange={(_, d) => set('timeZone', d.value)}>
              {zones.map((z) => (
                <option key={z} value={z}>
                  {z}
                </option>
              ))}
            </Select>
          </Field>
        </div>
        <Field label={t('consultationForm.audience')} {...field('audience')}>
          <RadioGroup value={draft.audience} disabled={!onlyDraft} onChange={(_, d) => set('audience', d.value as Audience)}>
            <Radio value="members" label={t('consultationForm.audience.members')} />
            <Radio value="membersAndGuests" label={t('consultationForm.audience.membersAndGuests')} />
          </RadioGroup>
        </Field>
        <Field hint={t('consultationForm.anonymousHint')} {...field('anonymous')}>
          <Checkbox label={t('consultationForm.anonymous')} checked={draft.anonymous} disabled={!onlyDraft} onChange={(_, d) => set('anonymous', d.checked === true)} data-testid="consultation-anonymous" />
        </Field>
        <Field label={t('consultationForm.resultsVisibility')} {...field('resultsVisibility')}>
          <Select value={draft.resultsVisibility} onChange={(_, d) => set('resultsVisibility', d.value as ResultsVisibility)}>
            <option value="afterResponse">{t('consultation.resultsVisibility.afterResponse')}</option>
            <option value="afterClose">{t('consultation.resultsVisibility.afterClose')}</option>
            <option value="managers">{t('consultation.resultsVisibility.managers')}</option>
          </Select>
        </Field>

        <h2 className={styles.sectionHeading}>{t('consultationForm.questions')}</h2>
        {questionsFrozen ? <p className={styles.frozen}>{t('consultationForm.questionsFrozen')}</p> : null}
        {messageAt(save.problem, 'questions', true) ? <ErrorMessage error={save.problem} /> : null}
        <ol className={styles.questions} data-testid="question-editors">
          {draft.questions.map((q, i) => (
            <QuestionEditor
              key={q.id}
              question={q}
              index={i}
              count={draft.questions.length}
              disabled={questionsFrozen}
              problem={save.problem}
              onChange={(next) => setQuestions((qs) => qs.map((x, j) => (j === i ? next : x)))}
              onMove={(by) => {
                setQuestions((qs) => {
                  const next = [...qs];
                  const [item] = next.splice(i, 1);
                  next.splice(i + by, 0, item!);
                  return next;
                });
                announce(t('consultationForm.questionMoved', { position: i + by + 1 }));
              }}
              onRemove={() => {
                setQuestions((qs) => qs.filter((_, j) => j !== i));
                announce(t('consultationForm.questionRemoved', { number: i + 1 }));
              }}
            />
          ))}
        </ol>
        {!questionsFrozen ? (
          <div>
            <Button
              onClick={() => {
                setQuestions((qs) => [...qs, newQuestion('singleChoice', qs.map((x) => x.id))]);
                announce(t('consultationForm.questionAdded', { number: draft.questions.length + 1 }));
              }}
              data-testid="add-question"
            >
              {t('consultationForm.addQuestion')}
            </Button>
          </div>
        ) : null}

        <div className={styles.actions}>
          {existing ? (
            <Button type="submit" appearance="primary" disabled={save.submitting} data-testid="consultation-save">
              {t('form.save')}
            </Button>
          ) : (
            <>
              <Button type="submit" appearance="primary" disabled={save.submitting} data-testid="consultation-open">
                {t('consultationForm.openNow')}
              </Button>
              <Button disabled={save.submitting} onClick={() => void submit('draft')} data-testid="consultation-save-draft">
                {t('consultationForm.saveDraft')}
              </Button>
            </>
          )}
          <Link href={hrefFor(existing ? `/consultations/${existing.id}` : `/community/${communityId}?tab=consultations`)}>{t('form.cancel')}</Link>
        </div>
      </ApiForm>
    </>
  );
}

interface QuestionEditorProps {
  question: Question;
  index: number;
  count: number;
  disabled: boolean;
  problem: ApiProblem | undefined;
  onChange: (q: Question) => void;
  onMove: (by: -1 | 1) => void;
  onRemove: () => void;
}

function QuestionEditor({ question: q, index, count, disabled, problem, onChange, onMove, onRemove }: QuestionEditorProps) {
  const styles = useStyles();
  const { t } = useI18n();
  const base = `questions.${index}`;
  const field = (path: string) => {
    const message = messageAt(problem, `${base}.${path}`);
    return { validationMessage: message, validationState: message ? ('error' as const) : ('none' as const) };
  };
  const number = index + 1;
  const set = <K extends keyof Question>(key: K, value: Question[K]) => onChange({ ...q, [key]: value });
  const numberOrUndefined = (v: string) => (v.trim() === '' ? undefined : Number(v));
  const options = q.options ?? [];
  const headingId = `question-editor-${q.id}`;

  return (
    <li className={styles.question} aria-labelledby={headingId} data-testid="question-editor">
      <h3 id={headingId} className={styles.questionHeading}>
        {t('consultationForm.questionNumber', { number })}
      </h3>
      <div className={styles.row}>
        <Field label={t('consultationForm.kind')} {...field('kind')}>
          <Select value={q.kind} disabled={disabled} onChange={(_, d) => onChange(withKind(q, d.value as QuestionKind))} data-testid="question-kind">
            {QUESTION_KINDS.map((k) => (
              <option key={k} value={k}>
                {t(`consultationForm.kind.${k}`)}
              </option>
            ))}
          </Select>
        </Field>
        <Field className={styles.grow} label={t('consultationForm.questionText')} required {...field('text')}>
          <Input value={q.text} disabled={disabled} maxLength={500} onChange={(_, d) => set('text', d.value)} data-testid="question-text" />
        </Field>
      </div>
      <Field label={t('consultationForm.questionDescription')} {...field('description')}>
        <Textarea value={q.description ?? ''} disabled={disabled} rows={2} onChange={(_, d) => set('description', d.value)} />
      </Field>
      <Checkbox label={t('consultationForm.required')} checked={q.required} disabled={disabled} onChange={(_, d) => set('required', d.checked === true)} />

      {KINDS_WITH_OPTIONS.includes(q.kind) ? (
        <div role="group" aria-label={t('consultationForm.optionsOf', { number })}>
          {options.map((o, j) => (
            <div key={o.id} className={styles.option}>
              <Field className={styles.grow} label={t('consultationForm.option', { number: j + 1 })} required {...field(`options.${j}`)}>
                <Input value={o.label} disabled={disabled} maxLength={200} onChange={(_, d) => set('options', options.map((x, k) => (k === j ? { ...x, label: d.value } : x)))} data-testid="option-label" />
              </Field>
              {options.length > 2 && !disabled ? (
                <Button appearance="subtle" onClick={() => set('options', options.filter((_, k) => k !== j))} aria-label={t('consultationForm.removeOption', { number: j + 1, question: number })}>
                  {t('quickPoll.remove')}
                </Button>
              ) : null}
            </div>
          ))}
          {messageAt(problem, `${base}.options`, true) ? <p role="alert">{messageAt(problem, `${base}.options`, true)}</p> : null}
          {options.length < 20 && !disabled ? (
            <Button size="small" onClick={() => set('options', [...options, { id: freshId('o', options.map((x) => x.id)), label: '' }])} data-testid="add-option">
              {t('quickPoll.addOption')}
            </Button>
          ) : null}
        </div>
      ) : null}

      {q.kind === 'multipleChoice' ? (
        <div className={styles.row}>
          <Field label={t('consultationForm.minChoices')} {...field('minChoices')}>
            <Input type="number" min={0} value={q.minChoices === undefined ? '' : String(q.minChoices)} disabled={disabled} onChange={(_, d) => set('minChoices', numberOrUndefined(d.value))} />
          </Field>
          <Field label={t('consultationForm.maxChoices')} {...field('maxChoices')}>
            <Input type="number" min={1} value={q.maxChoices === undefined ? '' : String(q.maxChoices)} disabled={disabled} onChange={(_, d) => set('maxChoices', numberOrUndefined(d.value))} />
          </Field>
        </div>
      ) : null}

      {q.kind === 'scale' && q.scale ? (
        <div className={styles.row}>
          <Field label={t('consultationForm.scaleMin')} {...field('scale.min')}>
            <Select value={String(q.scale.min)} disabled={disabled} onChange={(_, d) => set('scale', { ...q.scale!, min: Number(d.value) })}>
              <option value="0">0</option>
              <option value="1">1</option>
            </Select>
          </Field>
          <Field label={t('consultationForm.scaleMax')} {...field('scale.max')}>
            <Select value={String(q.scale.max)} disabled={disabled} onChange={(_, d) => set('scale', { ...q.scale!, max: Number(d.value) })}>
              {[2, 3, 4, 5, 6, 7, 8, 9, 10].map((n) => (
                <option key={n} value={String(n)}>
                  {n}
                </option>
              ))}
            </Select>
          </Field>
          <Field label={t('consultationForm.scaleMinLabel')} {...field('scale.minLabel')}>
            <Input value={q.scale.minLabel ?? ''} disabled={disabled} maxLength={100} onChange={(_, d) => set('scale', { ...q.scale!, minLabel: d.value })} />
          </Field>
          <Field label={t('consultationForm.scaleMaxLabel')} {...field('scale.maxLabel')}>
            <Input value={q.scale.maxLabel ?? ''} disabled={disabled} maxLength={100} onChange={(_, d) => set('scale', { ...q.scale!, maxLabel: d.value })} />
          </Field>
        </div>
      ) : null}

      {q.kind === 'shortText' || q.kind === 'longText' ? (
        <Field label={t('consultationForm.maxLength')} hint={t('consultationForm.maxLengthHint', { max: q.kind === 'shortText' ? 500 : 5000 })} {...field('maxLength')}>
          <Input type="number" min={1} value={q.maxLength === undefined ? '' : String(q.maxLength)} disabled={disabled} onChange={(_, d) => set('maxLength', numberOrUndefined(d.value))} />
        </Field>
      ) : null}

      {!disabled ? (
        <div className={styles.actions}>
          <Button size="small" disabledFocusable={index === 0} onClick={() => onMove(-1)} aria-label={t('consultationForm.moveUp', { number })}>
            {t('questionnaire.up')}
          </Button>
          <Button size="small" disabledFocusable={index === count - 1} onClick={() => onMove(1)} aria-label={t('consultationForm.moveDown', { number })}>
            {t('questionnaire.down')}
          </Button>
          {count > 1 ? (
            <Button size="small" appearance="subtle" onClick={onRemove} aria-label={t('consultationForm.removeQuestion', { number })}>
              {t('quickPoll.remove')}
            </Button>
          ) : null}
        </div>
      ) : null}
    </li>
  );
}
