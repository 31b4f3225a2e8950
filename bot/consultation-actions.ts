/**
 * The consultation card's Universal Actions and the `consultations` command. A person answers
 * a poll or a short questionnaire inside the card (`consultation.respond`, the card's inputs
 * in the action's data); the bot reads and checks them (zod, then the card's own rules), hands
 * them to the consultations service as that person, and answers with the card as they now see
 * it: "you answered" with the results where the consultation shows them, or the same card with
 * the field errors and what they chose. `consultation.refresh` is the card's `refresh` (each
 * viewer sees their own state) and its "answer" button; `consultation.change` shows a named
 * answer's questions again. The `adaptiveCard/action` invoke and its answer (a card with
 * status 200, or an error) follow the Universal Action Model
 * (https://learn.microsoft.com/en-us/adaptive-cards/authoring-cards/universal-action-model#response-format,
 * https://learn.microsoft.com/en-us/microsoftteams/platform/task-modules-and-cards/cards/universal-actions-for-adaptive-cards/work-with-universal-actions-for-adaptive-cards);
 * the card answered is seen by the person who acted only, which is what lets it show their own
 * answer and results in a shared chat
 * (https://learn.microsoft.com/en-us/microsoftteams/platform/task-modules-and-cards/cards/universal-actions-for-adaptive-cards/user-specific-views).
 *
 * An anonymous answer's response key (the only proof that lets the service replace it) is
 * dropped here: a card is shared by everyone in its chat and kept in its history, so it cannot
 * hold a secret for one person. The card says so, and does not offer a change.
 */
import { z } from 'zod';
import type { Actor } from '../src/auth/actor.js';
import type { Language } from '../src/content/language.js';
import { DomainError } from '../src/errors/domain-errors.js';
import { listCard, type CardAttachment } from './cards/cards.js';
import type { ConsultationCardKind } from './cards/consultation-cards.js';
import { consultationTextsFor } from './consultation-texts.js';
import { answerableInCard, answersFromCard, consultationView, inputIdOf, type ConsultationViewState } from './consultation-views.js';
import { unavailableConsultations, type BotConsultationsPort, type ConsultationCardView, type ConsultationResultsView } from './consultations-port.js';
import type { Links } from './ports.js';
import { textsFor } from './texts.js';

const KINDS = ['opened', 'announced', 'reminder', 'conclusion', 'poll', 'plain'] as const satisfies readonly ConsultationCardKind[];

/** What every consultation action carries besides the inputs; an unknown `view` is a plain card. */
const actionSchema = z.object({
  consultationId: z.string().min(1).max(100),
  view: z.enum(KINDS).catch('plain').default('plain'),
});

/** The service's refusals of an answer that the card shows in place (the rest are the bot's error answer). */
const CLOSED_CODES = new Set(['consultation_closed', 'consultation_not_open']);

export class ConsultationActions {
  private readonly port: BotConsultationsPort;

  constructor(
    port: BotConsultationsPort | undefined,
    private readonly links: Links,
  ) {
    this.port = port ?? unavailableConsultations;
  }

  /** The `consultations` command: each open consultation the person may still answer, as its own card. */
  async toAnswer(language: Language, actor: Actor, limit: number, refreshUserIds: string[]): Promise<CardAttachment[]> {
    const list = await this.port.listToAnswer(actor, limit);
    const v = { language, links: this.links };
    if (list.length === 0) {
      const t = consultationTextsFor(language);
      return [consultationEmpty(v, t.listTitle, t.listEmpty)];
    }
    return list.map((c) => consultationView(v, c, { kind: c.quickPoll ? 'poll' : 'plain', refreshUserIds }));
  }

  /** Undefined when the action's data is not a consultation action's. */
  async execute(language: Language, actor: Actor, verb: string, data: Record<string, unknown>, refreshUserIds: string[]): Promise<CardAttachment | undefined> {
    const parsed = actionSchema.safeParse(data);
    if (!parsed.success) return undefined;
    const { consultationId: id, view: kind } = parsed.data;
    const v = { language, links: this.links };
    const c = await this.port.get(actor, id);
    const show = async (current: ConsultationCardView, state: Omit<ConsultationViewState, 'kind' | 'refreshUserIds'> = {}) =>
      consultationView(v, current, { kind, refreshUserIds, results: await this.resultsFor(actor, current), ...state });
    switch (verb) {
      case 'consultation.refresh':
        return show(c);
      case 'consultation.change':
        return show(c, { editing: true });
      case 'consultation.respond':
        return this.respond(language, actor, c, data, show);
      default:
        return undefined;
    }
  }

  private async respond(language: Language, actor: Actor, c: ConsultationCardView, data: Record<string, unknown>, show: (c: ConsultationCardView, state?: Omit<ConsultationViewState, 'kind' | 'refreshUserIds'>) => Promise<CardAttachment>): Promise<CardAttachment> {
    const t = consultationTextsFor(language);
    if (c.status !== 'open') return show(c, { status: c.status === 'closed' ? t.closed : t.notOpenYet, statusColor: 'Attention' });
    // A long questionnaire is answered in the tab; the card only links to it.
    if (!answerableInCard(c)) return show(c);
    if (c.myResponse === 'submitted' && c.anonymous) return show(c, { status: t.alreadyAnswered });
    const read = answersFromCard(t, c, data);
    if (Object.keys(read.errors).length > 0) return show(c, { editing: true, values: read.values, errors: read.errors, notice: t.fixErrors });
    const before = c.myResponse;
    try {
      // The response key of an anonymous answer is not kept anywhere (see above).
      await this.port.respond(actor, c.id, { answers: read.answers });
    } catch (err) {
      if (!(err instanceof DomainError)) throw err;
      if (CLOSED_CODES.has(err.code)) return show(await this.port.get(actor, c.id), { status: t.closed, statusColor: 'Attention' });
      if (err.code === 'already_responded') return show(await this.port.get(actor, c.id), { status: t.alreadyAnswered });
      if (err.code === 'invalid_answers' || err.kind === 'invalid') return show(c, { editing: true, values: read.values, errors: serviceErrors(t.notAnOption, c, read.answers, err), notice: t.fixErrors });
      throw err;
    }
    const after = await this.port.get(actor, c.id);
    return show(after, { status: before === 'submitted' ? t.answeredChanged : t.answered });
  }

  /** The results, when the service lets this person see them now. */
  private async resultsFor(actor: Actor, c: ConsultationCardView): Promise<ConsultationResultsView | undefined> {
    if (!c.canSeeResults || c.status === 'draft') return undefined;
    try {
      return await this.port.results(actor, c.id);
    } catch (err) {
      if (err instanceof DomainError && (err.kind === 'forbidden' || err.kind === 'not_found')) return undefined;
      throw err;
    }
  }
}

/** The service's per-answer errors (`answers[i]`) as field errors of the card's inputs. */
function serviceErrors(text: string, c: ConsultationCardView, sent: { questionId: string }[], err: DomainError): Record<string, string> {
  const errors: Record<string, string> = {};
  for (const detail of err.details) {
    // `answers[i]` names the i-th answer sent; `answers.<question id>` a required question left out.
    const index = /^answers\[(\d+)\]/.exec(detail.path)?.[1];
    const named = /^answers\.(.+)$/.exec(detail.path)?.[1];
    const questionId = index !== undefined ? sent[Number(index)]?.questionId : c.questions.find((q) => q.id === named)?.id;
    if (questionId) errors[inputIdOf(questionId)] = text;
  }
  // A refusal that names no answer still marks the card, so the person sees where to look.
  if (Object.keys(errors).length === 0) for (const q of c.questions) errors[inputIdOf(q.id)] = text;
  return errors;
}

/** Nothing to answer: a list card that says so, with the way into Meent. */
function consultationEmpty(v: { language: Language; links: Links }, title: string, empty: string): CardAttachment {
  return listCard({ title, empty, items: [], openLabel: textsFor(v.language).openTab, appUrl: v.links.app() });
}
