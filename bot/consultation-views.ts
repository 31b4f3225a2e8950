/**
 * From the consultations service's answers to the consultation card: the one place that
 * decides what a person sees (the questions, "you answered", the results, closed), and that
 * reads a card's answers back into the service's answer shape (with the field errors a card
 * can show next to the question). Polls and short questionnaires are answered inside the card;
 * longer ones link to the tab.
 */
import { z } from 'zod';
import type { Language } from '../src/content/language.js';
import { markdownToText } from '../src/content/markdown.js';
import { consultationCard, type ConsultationCardData, type ConsultationCardKind, type ConsultationQuestionData } from './cards/consultation-cards.js';
import type { CardAttachment } from './cards/cards.js';
import { consultationTextsFor, type ConsultationTexts } from './consultation-texts.js';
import type { ConsultationCardView, ConsultationQuestion, ConsultationResultsView, QuestionResults } from './consultations-port.js';
import type { Links } from './ports.js';

export interface ConsultationViewContext {
  language: Language;
  links: Links;
}

/** The kinds a card can ask, each in one input (a ranking or a long text needs the tab). */
const CARD_KINDS: ReadonlySet<string> = new Set(['singleChoice', 'multipleChoice', 'yesNo', 'scale', 'shortText']);
/** At most this many questions are answered inside a card. */
export const MAX_CARD_QUESTIONS = 3;
const DEFAULT_SHORT_TEXT = 200;
const MAX_SHORT_TEXT = 500;
const INTRO_LENGTH = 400;
const CONCLUSION_LENGTH = 2_000;

/** A quick poll, or a short questionnaire whose questions a card can hold. */
export function answerableInCard(c: Pick<ConsultationCardView, 'questions' | 'quickPoll'>): boolean {
  return c.questions.length > 0 && c.questions.length <= MAX_CARD_QUESTIONS && c.questions.every((q) => CARD_KINDS.has(q.kind));
}

/** The input of a question in the card (question ids are the service's, short and stable). */
export function inputIdOf(questionId: string): string {
  return `q_${questionId}`;
}

export interface ConsultationViewState {
  kind: ConsultationCardKind;
  /** The results, when the person may see them (the service said so). */
  results?: ConsultationResultsView | undefined;
  /** Show the questions even though the person answered (a named answer being changed). */
  editing?: boolean;
  /** What was chosen or typed, per input id (kept when the card comes back with errors). */
  values?: Record<string, string>;
  errors?: Record<string, string>;
  status?: string;
  statusColor?: 'Good' | 'Attention' | 'Default';
  notice?: string;
  /** The card everyone in a chat sees before their client refreshes it for them: no one's own state. */
  shared?: boolean;
  refreshUserIds?: string[];
}

export function consultationView(v: ConsultationViewContext, c: ConsultationCardView, state: ConsultationViewState): CardAttachment {
  const t = consultationTextsFor(v.language);
  const inCard = answerableInCard(c);
  const open = c.status === 'open';
  const answered = !state.shared && c.myResponse === 'submitted';
  const mayAnswer = state.shared || c.canRespond;
  const showForm = open && inCard && mayAnswer && (!answered || (state.editing === true && !c.anonymous));
  let status = state.status ?? '';
  let statusColor = state.statusColor ?? 'Good';
  let thanks = '';
  if (!state.status) {
    if (c.status === 'closed') [status, statusColor] = [t.closed, 'Default'];
    else if (c.status === 'draft') [status, statusColor] = [t.notOpenYet, 'Default'];
    else if (answered && !showForm) status = t.answered;
    else if (!mayAnswer) [status, statusColor] = [t.cannotRespond, 'Default'];
    else if (!inCard) [status, statusColor] = [t.longForm, 'Default'];
  }
  const results = state.results && !state.shared ? resultsOf(t, v.language, c, state.results) : [];
  if (answered && open && results.length === 0) thanks = c.resultsVisibility === 'managers' ? t.thanksManagers : c.resultsVisibility === 'afterClose' ? t.thanksAfterClose : '';
  return consultationCard({
    ...common(v, t, c, state.kind),
    status,
    statusColor,
    notice: state.notice ?? '',
    showForm,
    questions: showForm ? c.questions.map((q) => questionData(t, q, state.values?.[inputIdOf(q.id)] ?? '', state.errors?.[inputIdOf(q.id)] ?? '')) : [],
    privacyNote: open && (showForm || answered) ? (c.anonymous ? t.anonymousNote : t.namedNote) : '',
    resultsSummary: state.results ? t.respondents(state.results.respondents, state.results.audienceSize, percent(state.results.respondents, state.results.audienceSize)) : '',
    results,
    thanks,
    canSubmit: showForm,
    // An anonymous answer is never offered for change here: the key that proves it is yours cannot be kept privately in a card everyone in the chat shares.
    canChange: open && answered && !showForm && !c.anonymous && c.canRespond && inCard,
    canLoad: false,
    ...(state.refreshUserIds ? { refreshUserIds: state.refreshUserIds } : {}),
    labels: labelsOf(t, c.status === 'closed' || (answered && c.canSeeResults) ? t.results : inCard || !open ? t.open : t.answerInMeent, c.status === 'closed' ? t.finalResultsTitle : t.resultsTitle),
  });
}

/** A consultation's notification as a card, from what the notification carries (no questions): an "answer" button that fetches the person's own card, and the link. */
export function consultationTeaser(
  v: ConsultationViewContext,
  input: { kind: ConsultationCardKind; id: string; title: string; communityName: string; closesAt: string | null; timeZone: string; conclusion: string; refreshUserIds?: string[] },
): CardAttachment {
  const t = consultationTextsFor(v.language);
  const concluded = input.kind === 'conclusion';
  return consultationCard({
    id: input.id,
    view: input.kind,
    heading: headingOf(t, input.kind),
    context: input.communityName,
    // A notification written without a title still has one to show.
    title: input.title || headingOf(t, input.kind) || 'Meent',
    intro: '',
    closes: concluded ? '' : closesText(t, input.closesAt, input.timeZone, v.language),
    conclusion: input.conclusion,
    status: '',
    statusColor: 'Default',
    notice: '',
    showForm: false,
    questions: [],
    privacyNote: '',
    resultsSummary: '',
    results: [],
    thanks: '',
    canSubmit: false,
    canChange: false,
    canLoad: !concluded,
    url: v.links.consultation(input.id),
    ...(input.refreshUserIds ? { refreshUserIds: input.refreshUserIds } : {}),
    labels: labelsOf(t, concluded ? t.results : t.open, t.resultsTitle),
  });
}

function common(v: ConsultationViewContext, t: ConsultationTexts, c: ConsultationCardView, kind: ConsultationCardKind): Pick<ConsultationCardData, 'id' | 'view' | 'heading' | 'context' | 'title' | 'intro' | 'closes' | 'conclusion' | 'url'> {
  return {
    id: c.id,
    view: kind,
    heading: headingOf(t, kind === 'plain' && c.quickPoll ? 'poll' : kind),
    context: c.communityName,
    title: c.title,
    intro: shortened(markdownToText(c.introduction), INTRO_LENGTH),
    closes: c.status === 'open' ? closesText(t, c.closesAt, c.timeZone, v.language) : '',
    conclusion: shortened(markdownToText(c.conclusion?.text ?? ''), CONCLUSION_LENGTH),
    url: v.links.consultation(c.id),
  };
}

function labelsOf(t: ConsultationTexts, open: string, resultsTitle: string): ConsultationCardData['labels'] {
  return { submit: t.submit, change: t.change, load: t.load, open, resultsTitle, conclusion: t.headingConclusion };
}

function headingOf(t: ConsultationTexts, kind: ConsultationCardKind): string {
  switch (kind) {
    case 'opened':
      return t.headingOpened;
    case 'announced':
      return t.headingAnnounced;
    case 'reminder':
      return t.headingReminder;
    case 'conclusion':
      return t.headingConclusion;
    case 'poll':
      return t.headingPoll;
    case 'plain':
      return '';
  }
}

function questionData(t: ConsultationTexts, q: ConsultationQuestion, value: string, error: string): ConsultationQuestionData {
  const label = q.required ? q.text : `${q.text} ${t.optional}`;
  const base = { inputId: inputIdOf(q.id), label, required: q.required, requiredMessage: t.required, value, error, choices: [] as { title: string; value: string }[], maxLength: 0, hint: '' };
  switch (q.kind) {
    case 'singleChoice':
      return { ...base, control: 'choice', choices: (q.options ?? []).map((o) => ({ title: o.label, value: o.id })) };
    case 'multipleChoice':
      return { ...base, control: 'multi', hint: q.maxChoices ? t.chooseUpTo(q.maxChoices) : '', choices: (q.options ?? []).map((o) => ({ title: o.label, value: o.id })) };
    case 'yesNo':
      return { ...base, control: 'choice', choices: [{ title: t.yes, value: 'yes' }, { title: t.no, value: 'no' }] };
    case 'scale': {
      const { min, max, minLabel, maxLabel } = q.scale ?? { min: 1, max: 5 };
      const choices = [];
      for (let n = min; n <= max; n++) choices.push({ title: n === min && minLabel ? `${n} (${minLabel})` : n === max && maxLabel ? `${n} (${maxLabel})` : String(n), value: String(n) });
      return { ...base, control: 'choice', choices };
    }
    default:
      return { ...base, control: 'text', maxLength: shortTextLimit(q) };
  }
}

function shortTextLimit(q: ConsultationQuestion): number {
  return Math.min(q.maxLength ?? DEFAULT_SHORT_TEXT, MAX_SHORT_TEXT);
}

function resultsOf(t: ConsultationTexts, language: Language, c: ConsultationCardView, r: ConsultationResultsView): ConsultationCardData['results'] {
  const byId = new Map(c.questions.map((q) => [q.id, q]));
  return r.questions.flatMap((qr) => {
    const q = byId.get(qr.questionId);
    return q ? [questionResults(t, language, q, qr)] : [];
  });
}

function questionResults(t: ConsultationTexts, language: Language, q: ConsultationQuestion, r: QuestionResults): ConsultationCardData['results'][number] {
  // Percentages from the counts themselves: of the people who answered this question.
  switch (r.kind) {
    case 'singleChoice':
    case 'multipleChoice':
    case 'yesNo':
      return { text: q.text, line: '', facts: r.options.map((o) => ({ title: r.kind === 'yesNo' ? (o.optionId === 'yes' ? t.yes : t.no) : o.label, value: `${o.count} (${percent(o.count, r.answered)}%)` })) };
    case 'scale':
      return { text: q.text, line: r.mean === null ? '' : t.mean(decimal(language, r.mean)), facts: r.distribution.map((d) => ({ title: String(d.value), value: `${d.count} (${percent(d.count, r.answered)}%)` })) };
    case 'ranking':
      return { text: q.text, line: '', facts: r.options.map((o) => ({ title: o.label, value: o.averagePosition === null ? '–' : t.averagePosition(decimal(language, o.averagePosition)) })) };
    default:
      return { text: q.text, line: t.textAnswers(r.answered), facts: [] };
  }
}

function decimal(language: Language, n: number): string {
  return n.toLocaleString(language === 'nl' ? 'nl-NL' : 'en-GB', { minimumFractionDigits: 1, maximumFractionDigits: 1 });
}

function percent(part: number, whole: number): number {
  return whole > 0 ? Math.round((part / whole) * 100) : 0;
}

/**
 * The introduction's or conclusion's text, plain (its Markdown rendered to text, then escaped
 * where the card shows it) and cut short: a card stays small, the tab shows it whole.
 */
function shortened(plain: string, length: number): string {
  return plain.length > length ? `${plain.slice(0, length - 1).trimEnd()}…` : plain;
}

// Making an Intl.DateTimeFormat costs far more than using one (a fan-out renders thousands of cards).
const formatters = new Map<string, Intl.DateTimeFormat>();

export function closesText(t: ConsultationTexts, closesAt: string | null, timeZone: string, language: Language): string {
  if (!closesAt) return t.noClosing;
  const at = new Date(closesAt);
  if (Number.isNaN(at.getTime())) return '';
  const locale = language === 'nl' ? 'nl-NL' : 'en-GB';
  const zone = safeZone(timeZone);
  const key = `${locale}|${zone}`;
  let format = formatters.get(key);
  if (!format) {
    format = new Intl.DateTimeFormat(locale, { timeZone: zone, weekday: 'short', day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit' });
    if (formatters.size > 500) formatters.clear();
    formatters.set(key, format);
  }
  return t.closes(format.format(at));
}

function safeZone(zone: string): string {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return zone;
  } catch {
    return 'Europe/Amsterdam';
  }
}

// ---- answers from a card ----

/** One input's value as Teams sends it: a choice set's value (several joined by commas) or the text typed. */
const inputValue = z.string().max(5_000);

export type Answer =
  | { questionId: string; optionId: string }
  | { questionId: string; optionIds: string[] }
  | { questionId: string; value: number }
  | { questionId: string; text: string }
  | { questionId: string; yes: boolean };

export interface ReadAnswers {
  answers: Answer[];
  /** Per input id, what is wrong (the card shows it under the question). */
  errors: Record<string, string>;
  /** Per input id, what was sent (shown again with the errors). */
  values: Record<string, string>;
}

/**
 * The card's inputs as the service's answers. What the card's own rules can tell (a required
 * question left empty, too many or too few choices, a choice that is not offered, a text over
 * its length) is a field error here; the service checks everything again.
 */
export function answersFromCard(t: ConsultationTexts, c: ConsultationCardView, data: Record<string, unknown>): ReadAnswers {
  const answers: Answer[] = [];
  const errors: Record<string, string> = {};
  const values: Record<string, string> = {};
  for (const q of c.questions) {
    const id = inputIdOf(q.id);
    const parsed = inputValue.safeParse(data[id] ?? '');
    const raw = parsed.success ? parsed.data : '';
    values[id] = parsed.success ? raw : '';
    if (!parsed.success) {
      errors[id] = t.tooLong(shortTextLimit(q));
      continue;
    }
    const error = readOne(t, q, raw, answers);
    if (error) errors[id] = error;
  }
  return { answers, errors, values };
}

function readOne(t: ConsultationTexts, q: ConsultationQuestion, raw: string, answers: Answer[]): string | undefined {
  const value = raw.trim();
  if (value === '') return q.required ? t.required : undefined;
  const optionIds = new Set((q.options ?? []).map((o) => o.id));
  switch (q.kind) {
    case 'singleChoice':
      if (!optionIds.has(value)) return t.notAnOption;
      answers.push({ questionId: q.id, optionId: value });
      return undefined;
    case 'multipleChoice': {
      const chosen = [...new Set(value.split(',').map((s) => s.trim()).filter(Boolean))];
      if (chosen.some((o) => !optionIds.has(o))) return t.notAnOption;
      if (q.maxChoices !== undefined && chosen.length > q.maxChoices) return t.tooMany(q.maxChoices);
      if (q.minChoices !== undefined && chosen.length < q.minChoices) return t.tooFew(q.minChoices);
      answers.push({ questionId: q.id, optionIds: chosen });
      return undefined;
    }
    case 'yesNo':
      if (value !== 'yes' && value !== 'no') return t.notAnOption;
      answers.push({ questionId: q.id, yes: value === 'yes' });
      return undefined;
    case 'scale': {
      const n = Number(value);
      const { min, max } = q.scale ?? { min: 1, max: 5 };
      if (!/^-?\d+$/.test(value) || n < min || n > max) return t.notAnOption;
      answers.push({ questionId: q.id, value: n });
      return undefined;
    }
    case 'shortText': {
      const limit = shortTextLimit(q);
      if (value.length > limit) return t.tooLong(limit);
      answers.push({ questionId: q.id, text: value });
      return undefined;
    }
    default:
      return t.notAnOption;
  }
}
