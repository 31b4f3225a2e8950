/**
 * What a consultation heard: results from the incremental tallies (consultation-results.ts),
 * the open answers paged in their random order, and the CSV export (one row per response;
 * anonymous ones without identity).
 */
import type { Actor } from '../auth/actor.js';
import { csvFile, type CsvFile } from '../content/csv.js';
import { ValidationError } from '../errors/domain-errors.js';
import type { PeopleRepository } from '../members/people.repository.js';
import type { Clock } from '../time/clock.js';
import { authorizeConsultation, loadConsultation } from './consultation-access.js';
import { guestsInAudience } from './consultation-audience.js';
import type { Question } from './consultation-questions.js';
import type { AnswerRecord, StoredAnswer } from './consultation-response.model.js';
import { computeResults } from './consultation-results.js';
import { answersInOrder, talliesOf, textAnswersPage } from './consultation.repository.js';
import type { ResultsView, TextsPageView } from './consultation.schemas.js';
import type { ConsultationViews } from './consultation-views.js';

export interface ConsultationReportingDeps {
  people: PeopleRepository;
  views: ConsultationViews;
  minGroupSize: number;
  now: Clock;
}

export class ConsultationReporting {
  private readonly now: Clock;

  constructor(private readonly deps: ConsultationReportingDeps) {
    this.now = deps.now;
  }

  async results(actor: Actor, id: string): Promise<ResultsView> {
    const loaded = await loadConsultation(actor, id, this.now());
    authorizeConsultation(actor, 'consultation.results', loaded);
    const c = loaded.consultation;
    const [shards, audienceSize] = await Promise.all([talliesOf(c._id), this.deps.views.audienceSize(c, loaded.access)]);
    return computeResults({
      consultationId: String(c._id),
      questions: c.questions as Question[],
      shards,
      audienceSize,
      minGroupSize: this.deps.minGroupSize,
      guestsInAudience: guestsInAudience(c, loaded.access.community),
    });
  }

  async texts(actor: Actor, id: string, query: { questionId: string; cursor?: string | undefined; limit?: number | undefined }): Promise<TextsPageView> {
    const loaded = await loadConsultation(actor, id, this.now());
    authorizeConsultation(actor, 'consultation.results', loaded);
    const c = loaded.consultation;
    const q = (c.questions as Question[]).find((x) => x.id === query.questionId);
    if (!q || (q.kind !== 'shortText' && q.kind !== 'longText')) throw new ValidationError('That is not an open question of this consultation.', [{ path: 'query.questionId', message: 'not a text question of this consultation' }]);
    const limit = query.limit ?? 20;
    const rows = await textAnswersPage(c._id, q.id, query.cursor ? decodeTextCursor(query.cursor) : null, limit + 1);
    const page = rows.slice(0, limit);
    const names = c.anonymous ? new Map() : await this.deps.people.findMany(c.tenantId, page.flatMap((r) => (r.userId ? [r.userId] : [])));
    const items = page.map((r) => {
      const text = (r.answers.find((a) => a.questionId === q.id && 'text' in a) as { text: string } | undefined)?.text ?? '';
      const author = !c.anonymous && r.userId ? names.get(r.userId)?.displayName : undefined;
      return { text, ...(author ? { authorName: author } : {}) };
    });
    const last = page[page.length - 1];
    return { items, ...(rows.length > limit && last ? { nextCursor: Buffer.from(JSON.stringify({ o: last.order, i: last._id })).toString('base64url') } : {}) };
  }

  /** One row per response; anonymous ones without identity, all in the answers' random order. */
  async exportCsv(actor: Actor, id: string): Promise<CsvFile> {
    const loaded = await loadConsultation(actor, id, this.now());
    authorizeConsultation(actor, 'consultation.export', loaded);
    const c = loaded.consultation;
    const questions = c.questions as Question[];
    const rows: AnswerRecord[] = [];
    for await (const r of answersInOrder(c._id)) rows.push(r);
    const names = c.anonymous ? new Map() : await this.deps.people.findMany(c.tenantId, rows.flatMap((r) => (r.userId ? [r.userId] : [])));
    const table = rows.map((r) => {
      const cells = questions.map((q) => cellOf(q, r.answers.find((a) => a.questionId === q.id)));
      return c.anonymous ? cells : [(r.userId && names.get(r.userId)?.displayName) ?? '', r.group === 'guests' ? 'guest' : 'member', ...cells];
    });
    const headers = [...(c.anonymous ? [] : ['Name', 'Group']), ...questions.map((q) => q.text)];
    return csvFile('responses', c.title, headers, table);
  }
}

function cellOf(q: Question, a: StoredAnswer | undefined): string {
  if (!a) return '';
  const label = (id: string) => q.options?.find((o) => o.id === id)?.label ?? id;
  if ('optionId' in a) return label(a.optionId);
  if ('optionIds' in a) return a.optionIds.map(label).join(', ');
  if ('value' in a) return String(a.value);
  if ('text' in a) return a.text;
  if ('ranking' in a) return a.ranking.map(label).join(' > ');
  return a.yes ? 'yes' : 'no';
}

function decodeTextCursor(cursor: string): { order: string; id: string } {
  try {
    const parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { o?: unknown; i?: unknown };
    if (typeof parsed.o !== 'string' || !/^[0-9a-f]{24}$/.test(parsed.o) || typeof parsed.i !== 'string' || parsed.i.length > 120) throw new Error('bad');
    return { order: parsed.o, id: parsed.i };
  } catch {
    throw new ValidationError('The cursor is not valid; start again without one.', [{ path: 'query.cursor', message: 'invalid cursor' }], 'invalid_cursor');
  }
}
