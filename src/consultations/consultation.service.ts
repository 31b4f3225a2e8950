/**
 * The consultation use cases: create (also as a quick poll), edit, open, close, answer,
 * results, open texts, CSV export and the conclusion. Authorization is the policy's
 * (consultations.policy.ts), on the community's access (community-access.ts).
 *
 * One response per person holds under races: the "has responded" record's `_id` is
 * `<consultation>:<person>`, so of two first responses one insert wins and the other becomes
 * a replacement (named) or `already_responded` (anonymous without its key). A replacement
 * is a guarded write on the answer's revision, so concurrent replacements apply one after
 * another and each subtracts exactly the answer it replaced from the tallies. Writes that
 * follow a successful one are compensated when they fail (the record, then the answer).
 */
import { createHash, randomBytes } from 'node:crypto';
import mongoose, { Types } from 'mongoose';
import type { Actor } from '../auth/actor.js';
import type { AccessContext } from '../auth/authorize.js';
import { activeMembersOf, communityById, countActiveMembers } from '../communities/communities.port.js';
import { resolveCommunityAccess, toObjectId, communityVisibility, type CommunityAccess } from '../communities/community-access.js';
import { csvFile, type CsvFile } from '../content/csv.js';
import { excerptOf, markdown, markdownToText } from '../content/markdown.js';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../errors/domain-errors.js';
import { isDuplicateKeyError } from '../db/mongo-errors.js';
import type { PeopleRepository } from '../members/people.repository.js';
import type { NotificationIntent, NotificationOutbox } from '../notifications/notification-outbox.js';
import type { SearchIndex } from '../search-index/search-index.js';
import { clockOf, type Clock } from '../time/clock.js';
import { DEFAULT_TIME_ZONE, isIanaTimeZone } from '../time/time-zone.js';
import type { ConsultationRecord, ConsultationStatus } from './consultation.model.js';
import { checkAnswers, normaliseQuestions, tallyDelta, textQuestionsOf, type Question } from './consultation-questions.js';
import type { AnswerRecord, RespondentGroup, StoredAnswer } from './consultation-response.model.js';
import { computeResults, respondentsOf } from './consultation-results.js';
import {
  addToTally,
  answersInOrder,
  createConsultation,
  deleteAnswer,
  deleteResponder,
  findAnswer,
  findAnswerByKey,
  findConsultationInTenant,
  findConsultations,
  findResponder,
  insertAnswer,
  insertResponder,
  namedAnswerId,
  newAnswerOrder,
  randomId,
  replaceAnswer,
  respondedConsultations,
  responderId,
  respondersOf,
  talliesOf,
  talliesOfMany,
  textAnswersPage,
  updateConsultation,
} from './consultation.repository.js';
import type { CreateConsultationInput, ListConsultationsQuery, QuickPollInput, ResultsView, TextsPageView, UpdateConsultationInput, ConsultationView } from './consultation.schemas.js';
import { consultationPolicy, canCreateConsultation, type ConsultationAction, type ConsultationContext } from './consultations.policy.js';

export const CONSULTATION_NOT_FOUND = 'consultation_not_found';
export const DEFAULT_MIN_GROUP_SIZE = 5;

export interface ConsultationServiceDeps {
  notifications: NotificationOutbox;
  search: SearchIndex;
  people: PeopleRepository;
  /** CONSULTATION_MIN_GROUP_SIZE. */
  minGroupSize?: number;
  now?: Clock;
}

export interface RespondInput {
  answers: unknown;
  responseKey?: string | undefined;
}

export interface Loaded {
  consultation: ConsultationRecord;
  access: CommunityAccess;
  context: ConsultationContext;
  status: ConsultationStatus;
}

export function consultationNotFound(): NotFoundError {
  return new NotFoundError('There is no such consultation.', CONSULTATION_NOT_FOUND);
}

/** The status as it counts at `now`: an open consultation past its closing time is closed. */
export function effectiveStatus(c: Pick<ConsultationRecord, 'status' | 'closesAt'>, now: Date): ConsultationStatus {
  if (c.status === 'open' && c.closesAt && c.closesAt.getTime() <= now.getTime()) return 'closed';
  return c.status;
}

export function hashResponseKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

export class ConsultationService {
  private readonly now: Clock;
  private readonly minGroupSize: number;

  constructor(private readonly deps: ConsultationServiceDeps) {
    this.now = clockOf(deps);
    this.minGroupSize = deps.minGroupSize ?? DEFAULT_MIN_GROUP_SIZE;
  }

  // ---- running a consultation ----

  async create(actor: Actor, communityId: string, input: CreateConsultationInput): Promise<ConsultationView> {
    const access = await resolveCommunityAccess(actor, communityId);
    if (!canCreateConsultation(actor, access.context as AccessContext)) throw new ForbiddenError('Only the community\'s managers can start a consultation.');
    const now = this.now();
    const status = input.status ?? 'open';
    this.checkTimes(input.opensAt ?? null, input.closesAt ?? null, input.timeZone, now);
    const questions = normaliseQuestions(input.questions);
    const origin = await this.checkOrigin(actor, input.origin);
    const created = await createConsultation({
      tenantId: actor.tenantId,
      communityId: access.community._id,
      title: input.title,
      introduction: markdown(input.introduction ?? ''),
      status,
      opensAt: input.opensAt ?? null,
      closesAt: input.closesAt ?? null,
      timeZone: input.timeZone ?? DEFAULT_TIME_ZONE,
      audience: input.audience ?? 'members',
      anonymous: input.anonymous ?? false,
      resultsVisibility: input.resultsVisibility ?? 'afterResponse',
      questions,
      quickPoll: (input.quickPoll ?? false) && questions.length === 1,
      ...(origin ? { origin } : {}),
      reminderDaysBeforeClose: input.reminderDaysBeforeClose ?? 2,
      createdBy: actor.userId,
    });
    if (status === 'open') await this.afterOpened(created, access);
    return this.view(actor, created, access);
  }

  async createQuickPoll(actor: Actor, input: QuickPollInput): Promise<ConsultationView> {
    return this.create(actor, input.communityId, {
      title: input.question,
      questions: [{ kind: 'singleChoice', text: input.question, required: true, options: input.options.map((label) => ({ label })) }],
      anonymous: input.anonymous,
      status: 'open',
      quickPoll: true,
      ...(input.closesAt ? { closesAt: input.closesAt } : {}),
      ...(input.origin ? { origin: input.origin } : {}),
    });
  }

  async update(actor: Actor, id: string, input: UpdateConsultationInput): Promise<ConsultationView> {
    const loaded = await this.load(actor, id);
    this.authorize(actor, 'consultation.manage', loaded);
    const { consultation: c, status } = loaded;
    if (status === 'closed') throw new ConflictError('This consultation is closed.', 'consultation_closed');
    const now = this.now();
    const set: Record<string, unknown> = {};
    const guard: Record<string, unknown> = { status: c.status };
    if (status === 'open') {
      // While open: only what does not change what people answer (or answered).
      const frozenFields = (['opensAt', 'timeZone', 'audience', 'anonymous', 'reminderDaysBeforeClose', 'origin'] as const).filter((f) => input[f] !== undefined);
      if (frozenFields.length > 0) {
        throw new ValidationError('An open consultation changes only its title, introduction, closing time, results visibility and (until someone answered) its questions.', frozenFields.map((f) => ({ path: `body.${f}`, message: 'cannot change while open' })), 'consultation_open');
      }
    }
    if (input.questions !== undefined) {
      if (c.answeredOnce) throw new ConflictError('Someone answered already: the questions are frozen.', 'questions_frozen');
      set.questions = normaliseQuestions(input.questions);
      guard.answeredOnce = false;
    }
    if (input.opensAt !== undefined || input.closesAt !== undefined || input.timeZone !== undefined) {
      const opensAt = input.opensAt !== undefined ? input.opensAt : c.opensAt;
      const closesAt = input.closesAt !== undefined ? input.closesAt : c.closesAt;
      this.checkTimes(status === 'open' ? null : (opensAt ?? null), closesAt ?? null, input.timeZone, now);
    }
    if (input.title !== undefined) set.title = input.title;
    if (input.introduction !== undefined) set.introduction = markdown(input.introduction);
    for (const f of ['opensAt', 'closesAt', 'timeZone', 'audience', 'anonymous', 'resultsVisibility', 'reminderDaysBeforeClose'] as const) if (input[f] !== undefined) set[f] = input[f];
    if (input.origin !== undefined) set.origin = await this.checkOrigin(actor, input.origin);
    const updated = await updateConsultation(c._id, guard, { $set: set });
    if (!updated) {
      if (guard.answeredOnce === false) throw new ConflictError('Someone answered already: the questions are frozen.', 'questions_frozen');
      throw new ConflictError('The consultation changed meanwhile; reload and try again.', 'consultation_changed');
    }
    if (updated.status !== 'draft') await this.indexForSearch(updated, loaded.access);
    return this.view(actor, updated, loaded.access);
  }

  async open(actor: Actor, id: string): Promise<ConsultationView> {
    const loaded = await this.load(actor, id);
    this.authorize(actor, 'consultation.manage', loaded);
    if (loaded.consultation.status !== 'draft') throw new ConflictError('Only a draft can be opened.', loaded.status === 'closed' ? 'consultation_closed' : 'consultation_not_draft');
    const now = this.now();
    if (loaded.consultation.closesAt && loaded.consultation.closesAt.getTime() <= now.getTime()) {
      throw new ValidationError('The closing time has passed; set a later one first.', [{ path: 'body.closesAt', message: 'must be in the future' }]);
    }
    const opened = await updateConsultation(loaded.consultation._id, { status: 'draft' }, { $set: { status: 'open' } });
    if (!opened) throw new ConflictError('Only a draft can be opened.', 'consultation_not_draft');
    await this.afterOpened(opened, loaded.access);
    return this.view(actor, opened, loaded.access);
  }

  async close(actor: Actor, id: string): Promise<ConsultationView> {
    const loaded = await this.load(actor, id);
    this.authorize(actor, 'consultation.manage', loaded);
    if (loaded.status === 'closed') throw new ConflictError('This consultation is closed already.', 'consultation_closed');
    if (loaded.status === 'draft') throw new ConflictError('A draft is not open; delete or open it instead.', 'consultation_not_open');
    const now = this.now();
    const closed = await updateConsultation(loaded.consultation._id, { status: 'open' }, { $set: { status: 'closed', closedAt: now, closesAt: loaded.consultation.closesAt && loaded.consultation.closesAt < now ? loaded.consultation.closesAt : now } });
    if (!closed) throw new ConflictError('This consultation is closed already.', 'consultation_closed');
    return this.view(actor, closed, loaded.access);
  }

  /** Publishes "what we heard, what we will do": to the community's channel and every respondent who wants it. */
  async conclude(actor: Actor, id: string, input: { text: string }): Promise<ConsultationView> {
    const loaded = await this.load(actor, id);
    this.authorize(actor, 'consultation.manage', loaded);
    if (loaded.status !== 'closed') throw new ConflictError('Write the conclusion once the consultation has closed.', 'conclusion_requires_closed');
    const c = loaded.consultation;
    const now = this.now();
    const conclusion = { ...markdown(input.text), publishedAt: now, authorId: actor.userId, authorName: actor.name.slice(0, 200) };
    // An open one past its closing time is closed now too (the worker may not have come by yet).
    const updated = await updateConsultation(c._id, { status: c.status }, { $set: { conclusion, status: 'closed', closedAt: c.closedAt ?? c.closesAt ?? now } });
    if (!updated) throw new ConflictError('The consultation changed meanwhile; reload and try again.', 'consultation_changed');
    await this.tellConclusion(updated, actor.userId, loaded.access.community.name);
    return this.view(actor, updated, loaded.access);
  }

  // ---- reading ----

  async get(actor: Actor, id: string): Promise<ConsultationView> {
    const loaded = await this.load(actor, id);
    this.authorize(actor, 'consultation.read', loaded);
    return this.view(actor, loaded.consultation, loaded.access, loaded);
  }

  async list(actor: Actor, communityId: string, query: ListConsultationsQuery): Promise<{ items: ConsultationView[]; nextCursor?: string }> {
    const access = await resolveCommunityAccess(actor, communityId);
    const manages = access.isManager || actor.isOrgAdmin;
    if (!access.canRead && !manages) throw new ForbiddenError('Only members can see this community\'s consultations.');
    if (query.status === 'draft' && !manages) return { items: [] };
    const limit = query.limit ?? 20;
    const filter: Record<string, unknown> = { tenantId: actor.tenantId, communityId: access.community._id };
    if (query.status) filter.status = query.status === 'draft' ? 'draft' : mongoose.trusted({ $in: query.status === 'open' ? ['open'] : ['open', 'closed'] });
    else if (!manages) filter.status = mongoose.trusted({ $in: ['open', 'closed'] });
    if (query.cursor) filter.$or = cursorFilter(query.cursor);
    // Status is also a matter of the clock (closing times): filter in memory, reading a few pages at most.
    const now = this.now();
    const items: ConsultationRecord[] = [];
    let last: ConsultationRecord | undefined;
    let exhausted = false;
    for (let round = 0; round < 5 && items.length < limit + 1; round++) {
      const batch = await findConsultations(filter, (limit + 1) * 2);
      for (const c of batch) {
        last = c;
        if (query.status && effectiveStatus(c, now) !== query.status) continue;
        items.push(c);
        if (items.length > limit) break;
      }
      if (batch.length < (limit + 1) * 2) {
        exhausted = true;
        break;
      }
      filter.$or = cursorFilter(encodeConsultationCursor(batch[batch.length - 1]!));
    }
    let page = items;
    if (query.toAnswer) {
      const done = await respondedConsultations(actor.userId, page.map((c) => c._id));
      page = page.filter((c) => !done.has(String(c._id)) && effectiveStatus(c, now) === 'open');
    }
    const more = items.length > limit || (!exhausted && last !== undefined);
    const shown = page.slice(0, limit);
    const views = await this.views(actor, shown, new Map([[String(access.community._id), access]]));
    const lastShown = shown[shown.length - 1];
    return { items: views, ...(more && lastShown ? { nextCursor: encodeConsultationCursor(lastShown) } : {}) };
  }

  /** Open consultations the actor may answer and has not (home page, bot), soonest closing first. */
  async listToAnswer(actor: Actor, limit: number): Promise<ConsultationView[]> {
    const visibility = await communityVisibility(actor);
    const ids = [...visibility.member].map((id) => new Types.ObjectId(id));
    if (ids.length === 0) return [];
    const candidates = await findConsultations({ tenantId: actor.tenantId, status: 'open', communityId: mongoose.trusted({ $in: ids }) }, 500);
    const now = this.now();
    const done = await respondedConsultations(actor.userId, candidates.map((c) => c._id));
    const accesses = new Map<string, CommunityAccess>();
    const open: ConsultationRecord[] = [];
    for (const c of candidates) {
      if (done.has(String(c._id)) || effectiveStatus(c, now) !== 'open' || (c.opensAt && c.opensAt > now)) continue;
      const key = String(c.communityId);
      let access = accesses.get(key);
      if (!access) {
        access = await resolveCommunityAccess(actor, c.communityId).catch(() => undefined);
        if (!access) continue;
        accesses.set(key, access);
      }
      if (consultationPolicy.can(actor, 'consultation.respond', this.contextFor(actor, c, access, false, now))) open.push(c);
    }
    open.sort((a, b) => (a.closesAt?.getTime() ?? Infinity) - (b.closesAt?.getTime() ?? Infinity));
    return this.views(actor, open.slice(0, limit), accesses);
  }

  // ---- answering ----

  async respond(actor: Actor, id: string, input: RespondInput): Promise<{ status: 'submitted'; answers: StoredAnswer[]; responseKey?: string }> {
    const loaded = await this.load(actor, id);
    this.authorize(actor, 'consultation.respond', loaded);
    let c = loaded.consultation;
    this.assertOpen(c, loaded.status);
    if (!c.answeredOnce) {
      // Freeze the questions before checking against them, so an edit cannot slip in between.
      c = (await updateConsultation(c._id, {}, { $set: { answeredOnce: true } })) ?? c;
      this.assertOpen(c, effectiveStatus(c, this.now()));
    }
    const answers = checkAnswers(c.questions as Question[], input.answers);
    const group: RespondentGroup = loaded.context.asGuest ? 'guests' : 'members';

    if (c.anonymous && input.responseKey !== undefined) return this.replaceAnonymous(actor, c, input.responseKey, answers);
    const first = await insertResponder({ _id: responderId(c._id, actor.userId), tenantId: c.tenantId, consultationId: c._id, userId: actor.userId, group });
    if (!first) {
      if (c.anonymous) throw new ConflictError('You answered this anonymous consultation already; only the response key given then can change it.', 'already_responded');
      await this.replaceWith(c, namedAnswerId(c._id, actor.userId), answers);
      return { status: 'submitted', answers };
    }
    const responseKey = c.anonymous ? randomBytes(24).toString('base64url') : undefined;
    const record: AnswerRecord = {
      _id: c.anonymous ? randomId() : namedAnswerId(c._id, actor.userId),
      tenantId: c.tenantId,
      consultationId: c._id,
      group,
      answers,
      textQuestions: textQuestionsOf(answers),
      order: newAnswerOrder(),
      rev: 0,
      ...(c.anonymous ? { keyHash: hashResponseKey(responseKey!) } : { userId: actor.userId }),
    };
    try {
      await insertAnswer(record);
    } catch (err) {
      await deleteResponder(c._id, actor.userId);
      if (isDuplicateKeyError(err)) throw new ConflictError('Your earlier response is still being stored; try again.', 'already_responded');
      throw err;
    }
    try {
      await addToTally(c.tenantId, c._id, tallyDelta(group, null, answers));
    } catch (err) {
      await deleteAnswer(record._id);
      await deleteResponder(c._id, actor.userId);
      throw err;
    }
    return { status: 'submitted', answers, ...(responseKey ? { responseKey } : {}) };
  }

  async myResponse(actor: Actor, id: string, responseKey?: string): Promise<{ status: 'submitted' | 'none'; answers?: StoredAnswer[] }> {
    const loaded = await this.load(actor, id);
    this.authorize(actor, 'consultation.read', loaded);
    const c = loaded.consultation;
    const responder = await findResponder(c._id, actor.userId);
    if (!responder) return { status: 'none' };
    if (c.anonymous) {
      if (!responseKey) return { status: 'submitted' };
      const answer = await findAnswerByKey(c._id, hashResponseKey(responseKey));
      return answer ? { status: 'submitted', answers: answer.answers } : { status: 'submitted' };
    }
    const answer = await findAnswer(namedAnswerId(c._id, actor.userId));
    return answer ? { status: 'submitted', answers: answer.answers } : { status: 'submitted' };
  }

  private async replaceAnonymous(actor: Actor, c: ConsultationRecord, key: string, answers: StoredAnswer[]) {
    const responder = await findResponder(c._id, actor.userId);
    const answer = responder ? await findAnswerByKey(c._id, hashResponseKey(key)) : null;
    if (!answer) throw new ConflictError('That response key does not match a response of yours.', 'already_responded');
    await this.replaceWith(c, answer._id, answers);
    return { status: 'submitted' as const, answers };
  }

  /** Replaces the answer's content, subtracting exactly what it replaced from the tallies. */
  private async replaceWith(c: ConsultationRecord, answerId: string, answers: StoredAnswer[]): Promise<void> {
    for (let attempt = 0; attempt < 20; attempt++) {
      const current = await findAnswer(answerId);
      if (!current) {
        // The first response of this person is being written by another request right now.
        await new Promise((r) => setTimeout(r, 10 + attempt * 10));
        continue;
      }
      if (!(await replaceAnswer(answerId, current.rev, answers, textQuestionsOf(answers)))) continue;
      try {
        await addToTally(c.tenantId, c._id, tallyDelta(current.group, current.answers, answers));
      } catch (err) {
        await replaceAnswer(answerId, current.rev + 1, current.answers, current.textQuestions);
        throw err;
      }
      return;
    }
    throw new ConflictError('Your response is being changed by another request; try again.', 'already_responded');
  }

  private assertOpen(c: ConsultationRecord, status: ConsultationStatus): void {
    if (status === 'closed') throw new ConflictError('This consultation is closed; answers are no longer taken.', 'consultation_closed');
    if (status === 'draft' || (c.opensAt && c.opensAt.getTime() > this.now().getTime())) throw new ConflictError('This consultation is not open yet.', 'consultation_not_open');
  }

  // ---- results ----

  async results(actor: Actor, id: string): Promise<ResultsView> {
    const loaded = await this.load(actor, id);
    this.authorize(actor, 'consultation.results', loaded);
    const c = loaded.consultation;
    const [shards, audienceSize] = await Promise.all([talliesOf(c._id), this.audienceSize(c, loaded.access)]);
    return computeResults({
      consultationId: String(c._id),
      questions: c.questions as Question[],
      shards,
      audienceSize,
      minGroupSize: this.minGroupSize,
      guestsInAudience: c.audience === 'membersAndGuests' && loaded.access.community.guestsAllowed === true,
    });
  }

  async texts(actor: Actor, id: string, query: { questionId: string; cursor?: string | undefined; limit?: number | undefined }): Promise<TextsPageView> {
    const loaded = await this.load(actor, id);
    this.authorize(actor, 'consultation.results', loaded);
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
    const loaded = await this.load(actor, id);
    this.authorize(actor, 'consultation.export', loaded);
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

  // ---- the worker's part (consultation-reminders.ts) ----

  /** Announces an open consultation once (channel and audience); idempotent. */
  async announceIfDue(c: ConsultationRecord, now: Date): Promise<boolean> {
    if (c.announced || c.status !== 'open' || (c.opensAt && c.opensAt > now) || effectiveStatus(c, now) !== 'open') return false;
    const marked = await updateConsultation(c._id, { announced: false, status: 'open' }, { $set: { announced: true } });
    if (!marked) return false;
    const community = await communityById(c.communityId);
    if (!community) return false;
    await this.tellOpened(marked, community);
    return true;
  }

  // ---- helpers ----

  async load(actor: Actor, id: string): Promise<Loaded> {
    const oid = toObjectId(id, consultationNotFound);
    const c = await findConsultationInTenant(actor.tenantId, oid);
    if (!c) throw consultationNotFound();
    let access: CommunityAccess;
    try {
      access = await resolveCommunityAccess(actor, c.communityId);
    } catch (err) {
      if (err instanceof NotFoundError) throw consultationNotFound();
      throw err;
    }
    const now = this.now();
    const responded = (await findResponder(c._id, actor.userId)) !== null;
    const context = this.contextFor(actor, c, access, responded, now);
    return { consultation: c, access, context, status: context.status };
  }

  private contextFor(actor: Actor, c: ConsultationRecord, access: CommunityAccess, hasResponded: boolean, now: Date): ConsultationContext {
    return {
      ...access.context,
      canReadCommunity: access.canRead,
      status: effectiveStatus(c, now),
      audience: c.audience,
      asGuest: actor.isGuest || access.membership?.isGuest === true,
      resultsVisibility: c.resultsVisibility,
      hasResponded,
    };
  }

  /** The policy's decision with the consultation's own problem codes. */
  private authorize(actor: Actor, action: ConsultationAction, loaded: Loaded): void {
    try {
      consultationPolicy.authorize(actor, action, loaded.context);
    } catch (err) {
      if (err instanceof NotFoundError) throw consultationNotFound();
      if (err instanceof ForbiddenError && err.code === 'forbidden') {
        if (action === 'consultation.respond') throw new ForbiddenError(err.message, 'not_in_audience');
        if (action === 'consultation.results') throw new ForbiddenError(err.message, 'results_not_visible');
      }
      throw err;
    }
  }

  private checkTimes(opensAt: Date | null, closesAt: Date | null, timeZone: string | undefined, now: Date): void {
    const errors = [];
    if (timeZone !== undefined && !isIanaTimeZone(timeZone)) errors.push({ path: 'body.timeZone', message: 'must be an IANA time zone, e.g. Europe/Amsterdam' });
    if (closesAt && closesAt.getTime() <= now.getTime()) errors.push({ path: 'body.closesAt', message: 'must be in the future' });
    if (opensAt && closesAt && closesAt.getTime() <= opensAt.getTime()) errors.push({ path: 'body.closesAt', message: 'must be after opensAt' });
    if (errors.length > 0) throw new ValidationError('The times of the consultation do not fit.', errors);
  }

  /** A discussion named as the origin must be one the actor can see (its id only is stored). */
  private async checkOrigin(_actor: Actor, origin: CreateConsultationInput['origin']): Promise<CreateConsultationInput['origin'] | undefined> {
    if (!origin) return undefined;
    return { ...origin };
  }

  private async audienceSize(c: ConsultationRecord, access: CommunityAccess): Promise<number> {
    return countActiveMembers(access.community, c.audience === 'membersAndGuests');
  }

  private async afterOpened(c: ConsultationRecord, access: CommunityAccess): Promise<void> {
    await this.indexForSearch(c, access);
    await this.announceIfDue(c, this.now());
  }

  async indexForSearch(c: ConsultationRecord, access: Pick<CommunityAccess, 'community'>): Promise<void> {
    await this.deps.search.index({
      tenantId: c.tenantId,
      type: 'consultation',
      itemId: String(c._id),
      communityId: c.communityId,
      title: c.title,
      body: [markdownToText(c.introduction?.source ?? ''), ...(c.questions as Question[]).map((q) => q.text)],
      snippet: excerptOf(c.introduction?.source ?? ''),
      at: c.createdAt,
      guestsAllowed: access.community.guestsAllowed === true,
    });
  }

  private baseData(c: ConsultationRecord): Record<string, string | number | boolean | null> {
    return { consultationId: String(c._id), communityId: String(c.communityId), title: c.title, ...(c.closesAt ? { closesAt: c.closesAt.toISOString() } : {}) };
  }

  private async tellOpened(c: ConsultationRecord, community: { _id: Types.ObjectId; name: string; guestsAllowed?: boolean | null }): Promise<void> {
    const subject = { type: 'consultation' as const, id: String(c._id) };
    const data = { ...this.baseData(c), communityName: community.name, quickPoll: c.quickPoll === true, questionCount: c.questions.length, anonymous: c.anonymous };
    const intents: NotificationIntent[] = [
      { tenantId: c.tenantId, recipientId: `community:${String(c.communityId)}`, kind: 'consultationAnnounced', subject, actorId: c.createdBy, data, idempotencyKey: `consultationAnnounced:${String(c._id)}` },
    ];
    for (const userId of await audienceOf(c, community)) {
      intents.push({ tenantId: c.tenantId, recipientId: userId, kind: 'consultationOpened', subject, actorId: c.createdBy, data, idempotencyKey: `consultationOpened:${String(c._id)}:${userId}` });
    }
    for (let i = 0; i < intents.length; i += 500) await this.deps.notifications.enqueue(intents.slice(i, i + 500));
  }

  private async tellConclusion(c: ConsultationRecord, actorId: string, communityName: string): Promise<void> {
    const subject = { type: 'consultation' as const, id: String(c._id) };
    const data = { ...this.baseData(c), communityName, conclusionExcerpt: excerptOf(c.conclusion?.source ?? '') };
    const intents: NotificationIntent[] = [
      { tenantId: c.tenantId, recipientId: `community:${String(c.communityId)}`, kind: 'consultationConcluded', subject, actorId, data, idempotencyKey: `consultationConcluded:${String(c._id)}` },
    ];
    // The "has responded" records know who answered, for anonymous consultations too (not what).
    for (const r of await respondersOf(c._id)) {
      intents.push({ tenantId: c.tenantId, recipientId: r.userId, kind: 'consultationConclusion', subject, actorId, data, idempotencyKey: `consultationConclusion:${String(c._id)}:${r.userId}` });
    }
    for (let i = 0; i < intents.length; i += 500) await this.deps.notifications.enqueue(intents.slice(i, i + 500));
  }

  private async views(actor: Actor, list: ConsultationRecord[], accesses: Map<string, CommunityAccess>): Promise<ConsultationView[]> {
    if (list.length === 0) return [];
    const ids = list.map((c) => c._id);
    const [tallies, responded] = await Promise.all([talliesOfMany(ids), respondedConsultations(actor.userId, ids)]);
    const sizes = new Map<string, number>();
    const out: ConsultationView[] = [];
    for (const c of list) {
      const access = accesses.get(String(c.communityId)) ?? (await resolveCommunityAccess(actor, c.communityId));
      const sizeKey = `${String(c.communityId)}:${c.audience}`;
      let size = sizes.get(sizeKey);
      if (size === undefined) {
        size = await this.audienceSize(c, access);
        sizes.set(sizeKey, size);
      }
      const respondents = respondentsOf(tallies.filter((t) => String(t.consultationId) === String(c._id)));
      out.push(this.toView(actor, c, access, { respondents, audienceSize: size, responded: responded.has(String(c._id)) }));
    }
    return out;
  }

  private async view(actor: Actor, c: ConsultationRecord, access: CommunityAccess, loaded?: Loaded): Promise<ConsultationView> {
    const [shards, audienceSize, responded] = await Promise.all([
      talliesOf(c._id),
      this.audienceSize(c, access),
      loaded ? Promise.resolve(loaded.context.hasResponded) : findResponder(c._id, actor.userId).then((r) => r !== null),
    ]);
    return this.toView(actor, c, access, { respondents: respondentsOf(shards), audienceSize, responded });
  }

  private toView(actor: Actor, c: ConsultationRecord, access: CommunityAccess, facts: { respondents: number; audienceSize: number; responded: boolean }): ConsultationView {
    const now = this.now();
    const context = this.contextFor(actor, c, access, facts.responded, now);
    const status = context.status;
    const notYet = c.opensAt !== null && c.opensAt !== undefined && c.opensAt.getTime() > now.getTime();
    const origin = c.origin ? Object.fromEntries(Object.entries(c.origin).filter(([, v]) => typeof v === 'string')) : undefined;
    return {
      id: String(c._id),
      communityId: String(c.communityId),
      communityName: access.community.name,
      title: c.title,
      introduction: c.introduction?.source ?? '',
      introductionHtml: c.introduction?.html ?? '',
      status,
      opensAt: c.opensAt ? c.opensAt.toISOString() : null,
      closesAt: c.closesAt ? c.closesAt.toISOString() : null,
      timeZone: c.timeZone,
      audience: c.audience,
      anonymous: c.anonymous,
      resultsVisibility: c.resultsVisibility,
      questions: (c.questions as Question[]).map((q) => stripQuestion(q)),
      quickPoll: c.quickPoll === true,
      ...(origin && Object.keys(origin).length > 0 ? { origin } : {}),
      reminderDaysBeforeClose: c.reminderDaysBeforeClose ?? 2,
      respondents: facts.respondents,
      audienceSize: facts.audienceSize,
      myResponse: facts.responded ? 'submitted' : 'none',
      canManage: consultationPolicy.can(actor, 'consultation.manage', context),
      canRespond: status === 'open' && !notYet && consultationPolicy.can(actor, 'consultation.respond', context) && (!c.anonymous || !facts.responded),
      canSeeResults: consultationPolicy.can(actor, 'consultation.results', context),
      ...(c.conclusion ? { conclusion: { text: c.conclusion.source, html: c.conclusion.html, publishedAt: c.conclusion.publishedAt.toISOString(), authorName: c.conclusion.authorName } } : {}),
      createdAt: c.createdAt.toISOString(),
      updatedAt: c.updatedAt.toISOString(),
    };
  }
}

/** The people in the consultation's audience: active members, guests only where admitted. */
export async function audienceOf(c: Pick<ConsultationRecord, 'audience'>, community: { _id: Types.ObjectId; guestsAllowed?: boolean | null }): Promise<string[]> {
  const withGuests = c.audience === 'membersAndGuests' && community.guestsAllowed === true;
  return (await activeMembersOf(community._id)).filter((m) => withGuests || m.isGuest !== true).map((m) => m.userId);
}

function stripQuestion(q: Question): Question {
  const out: Question = { id: q.id, kind: q.kind, text: q.text, required: q.required === true };
  if (q.description) out.description = q.description;
  if (q.options && q.options.length > 0) out.options = q.options.map((o) => ({ id: o.id, label: o.label }));
  if (typeof q.minChoices === 'number') out.minChoices = q.minChoices;
  if (typeof q.maxChoices === 'number') out.maxChoices = q.maxChoices;
  if (q.scale && typeof q.scale.min === 'number') out.scale = { min: q.scale.min, max: q.scale.max, ...(q.scale.minLabel ? { minLabel: q.scale.minLabel } : {}), ...(q.scale.maxLabel ? { maxLabel: q.scale.maxLabel } : {}) };
  if (typeof q.maxLength === 'number') out.maxLength = q.maxLength;
  return out;
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

function encodeConsultationCursor(c: ConsultationRecord): string {
  return Buffer.from(JSON.stringify({ v: c.createdAt.toISOString(), id: String(c._id) })).toString('base64url');
}

function cursorFilter(cursor: string): Record<string, unknown>[] {
  try {
    const parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { v?: unknown; id?: unknown };
    const at = typeof parsed.v === 'string' ? new Date(parsed.v) : null;
    if (!at || Number.isNaN(at.getTime()) || typeof parsed.id !== 'string' || !/^[0-9a-f]{24}$/.test(parsed.id)) throw new Error('bad');
    const id = new Types.ObjectId(parsed.id);
    return [{ createdAt: mongoose.trusted({ $lt: at }) }, { createdAt: at, _id: mongoose.trusted({ $lt: id }) }];
  } catch {
    throw new ValidationError('The cursor is not valid; start again without one.', [{ path: 'query.cursor', message: 'invalid cursor' }], 'invalid_cursor');
  }
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
