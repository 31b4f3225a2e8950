/**
 * The consultation card (consultation.json): a consultation as one person sees it (the
 * questions to answer inside the card, "you answered" with the results where allowed, closed,
 * the conclusion), or as everyone in a chat sees it before their client refreshes it for them.
 * Values are data, never template; what people wrote is Markdown-escaped where a TextBlock or
 * Fact shows it (escape-markdown.ts), never in input values, choices' values or action data.
 */
import { cardRenderer, type CardAttachment } from './cards.js';
import consultationTemplate from './consultation.json' with { type: 'json' };
import { escapeMarkdown as md } from './escape-markdown.js';

/** Which card a refresh keeps showing: the heading of the notification it started as. */
export type ConsultationCardKind = 'opened' | 'announced' | 'reminder' | 'conclusion' | 'poll' | 'plain';

export interface ConsultationQuestionData {
  inputId: string;
  label: string;
  hint: string;
  control: 'choice' | 'multi' | 'text';
  required: boolean;
  requiredMessage: string;
  choices: { title: string; value: string }[];
  /** What the person chose or typed (kept when the card comes back with an error). */
  value: string;
  maxLength: number;
  error: string;
}

export interface ConsultationCardData {
  id: string;
  view: ConsultationCardKind;
  heading: string;
  context: string;
  title: string;
  intro: string;
  closes: string;
  conclusion: string;
  status: string;
  statusColor: 'Good' | 'Attention' | 'Default';
  notice: string;
  showForm: boolean;
  questions: ConsultationQuestionData[];
  privacyNote: string;
  resultsSummary: string;
  results: { text: string; line: string; facts: { title: string; value: string }[] }[];
  thanks: string;
  canSubmit: boolean;
  canChange: boolean;
  canLoad: boolean;
  url: string;
  /**
   * Teams user ids (`29:...`) whose clients refresh the card automatically, at most 60; absent:
   * every client in a chat or channel of at most 60 people refreshes it
   * (https://learn.microsoft.com/en-us/microsoftteams/platform/task-modules-and-cards/cards/universal-actions-for-adaptive-cards/work-with-universal-actions-for-adaptive-cards#user-ids-in-refresh).
   */
  refreshUserIds?: string[];
  labels: { submit: string; change: string; load: string; open: string; resultsTitle: string; conclusion: string };
}

const render = cardRenderer<ConsultationCardData & { refreshUserIds: string[] }>(consultationTemplate);

/** Teams refreshes a card automatically for at most 60 listed people (user-specific views). */
const MAX_REFRESH_USERS = 60;

export function consultationCard(data: ConsultationCardData): CardAttachment {
  const card = render({
    ...data,
    heading: md(data.heading),
    context: md(data.context),
    title: md(data.title),
    intro: md(data.intro),
    conclusion: md(data.conclusion),
    // Labels and choice titles are plain text in Teams' inputs (no Markdown), so they stay as written.
    // Option labels are people's words; counts, percentages and the lines are Meent's own.
    results: data.results.map((r) => ({ ...r, text: md(r.text), facts: r.facts.map((f) => ({ ...f, title: md(f.title) })) })),
    refreshUserIds: (data.refreshUserIds ?? []).slice(0, MAX_REFRESH_USERS),
  });
  if (data.refreshUserIds === undefined) {
    const refresh = card.content.refresh as { userIds?: unknown } | undefined;
    if (refresh) delete refresh.userIds;
  }
  return card;
}
