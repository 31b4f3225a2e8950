/**
 * The consultation use cases: its life cycle (create, also as a quick poll; edit, open, close,
 * conclude) and reading (one, a community's list, mine to answer). Answering is
 * consultation-answering.ts, results, texts and CSV are consultation-reporting.ts, what it
 * tells others is consultation-announcements.ts; this class is the one face the routes, the
 * port and the worker use. Authorization is the policy's (consultations.policy.ts), on the
 * community's access (community-access.ts).
 */
import mongoose, { Types } from 'mongoose';
import type { AuditSink } from '../audit/audit.port.js';
import type { Actor } from '../auth/actor.js';
import type { AccessContext } from '../auth/authorize.js';
import { communityById } from '../communities/communities.port.js';
import { readableDiscussion } from '../discussions/discussions.port.js';
import { isMeetingLinkedToCommunity } from '../meetings/meetings.port.js';
import { resolveCommunityAccess, communityVisibility, type CommunityAccess } from '../communities/community-access.js';
import type { CsvFile } from '../content/csv.js';
import { markdown } from '../content/markdown.js';
import { ConflictError, ForbiddenError, ValidationError, type ErrorDetail } from '../errors/domain-errors.js';
import type { PeopleRepository } from '../members/people.repository.js';
import type { NotificationOutbox } from '../notifications/notification-outbox.js';
import type { SearchIndex } from '../search-index/search-index.js';
import { clockOf, type Clock } from '../time/clock.js';
import { DEFAULT_TIME_ZONE, isIanaTimeZone } from '../time/time-zone.js';
import { authorizeConsultation, contextFor, effectiveStatus, loadConsultation, type Loaded } from './consultation-access.js';
import { ConsultationAnnouncements } from './consultation-announcements.js';
import { ConsultationAnswering, type RespondInput } from './consultation-answering.js';
import type { ConsultationRecord } from './consultation.model.js';
import { normaliseQuestions } from './consultation-questions.js';
import type { StoredAnswer } from './consultation-response.model.js';
import { ConsultationReporting } from './consultation-reporting.js';
import { ConsultationViews } from './consultation-views.js';
import { createConsultation, findConsultations, respondedConsultations, sealTallies, updateConsultation } from './consultation.repository.js';
import type { CreateConsultationInput, ListConsultationsQuery, QuickPollInput, ResultsView, TextsPageView, UpdateConsultationInput, ConsultationView } from './consultation.schemas.js';
import { consultationPolicy, canCreateConsultation } from './consultations.policy.js';

export { CONSULTATION_NOT_FOUND, consultationNotFound, effectiveStatus, hashResponseKey, type Loaded } from './consultation-access.js';
export type { RespondInput } from './consultation-answering.js';
export const DEFAULT_MIN_GROUP_SIZE = 5;

export interface ConsultationServiceDeps {
  notifications: NotificationOutbox;
  search: SearchIndex;
  people: PeopleRepository;
  audit: AuditSink;
  /** CONSULTATION_MIN_GROUP_SIZE. */
  minGroupSize?: number;
  now?: Clock;
  /**
   * A quick poll launched from a meeting chat (`origin.conversationId`) is open: the bot posts
   * its card there (bot/consultation-posts.ts). Called without waiting; it never fails the poll.
   */
  quickPollOpened?: (actor: Actor, consultationId: string) => void;
}

export class ConsultationService {
  private readonly now: Clock;
  /** One part per responsibility; this class runs the life cycle and delegates the rest. */
  private readonly parts: { views: ConsultationViews; answering: ConsultationAnswering; reporting: ConsultationReporting; announcements: ConsultationAnnouncements };

  private readonly quickPollOpened: ConsultationServiceDeps['quickPollOpened'];

  constructor(private readonly deps: ConsultationServiceDeps) {
    this.now = clockOf(deps);
    this.quickPollOpened = deps.quickPollOpened;
    const views = new ConsultationViews(this.now);
    this.parts = {
      views,
      answering: new ConsultationAnswering(this.now),
      reporting: new ConsultationReporting({ people: deps.people, views, minGroupSize: deps.minGroupSize ?? DEFAULT_MIN_GROUP_SIZE, now: this.now }),
      announcements: new ConsultationAnnouncements({ notifications: deps.notifications, search: deps.search }),
    };
  }

  load(actor: Actor, id: string): Promise<Loaded> {
    return loadConsultation(actor, id, this.now());
  }

  respond(actor: Actor, id: string, input: RespondInput): Promise<{ status: 'submitted'; answers: StoredAnswer[]; responseKey?: string }> {
    return this.parts.answering.respond(actor, id, input);
  }

  myResponse(actor: Actor, id: string, responseKey?: string): Promise<{ status: 'submitted' | 'none'; answers?: StoredAnswer[] }> {
    return this.parts.answering.myResponse(actor, id, responseKey);
  }

  results(actor: Actor, id: string): Promise<ResultsView> {
    return this.parts.reporting.results(actor, id);
  }

  texts(actor: Actor, id: string, query: { questionId: string; cursor?: string | undefined; limit?: number | undefined }): Promise<TextsPageView> {
    return this.parts.reporting.texts(actor, id, query);
  }

  exportCsv(actor: Actor, id: string): Promise<CsvFile> {
    return this.parts.reporting.exportCsv(actor, id);
  }

  indexForSearch(c: ConsultationRecord, access: Pick<CommunityAccess, 'community'>): Promise<void> {
    return this.parts.announcements.indexForSearch(c, access);
  }

  // ---- running a consultation ----

  async create(actor: Actor, communityId: string, input: CreateConsultationInput): Promise<ConsultationView> {
    const access = await resolveCommunityAccess(actor, communityId);
    if (!canCreateConsultation(actor, access.context as AccessContext)) throw new ForbiddenError('Only the community\'s managers can start a consultation.');
    const now = this.now();
    const status = input.status ?? 'open';
    this.checkTimes(input.opensAt ?? null, input.closesAt ?? null, input.timeZone, now);
    const questions = normaliseQuestions(input.questions);
    const origin = await this.checkOrigin(actor, access.community._id, input.origin);
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
    await this.audit(actor, 'created', created);
    if (status === 'open') {
      await this.afterOpened(created, access);
      this.tellChat(actor, created);
    }
    return this.parts.views.view(actor, created, access);
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
    authorizeConsultation(actor, 'consultation.manage', loaded);
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
    if (input.origin !== undefined) set.origin = await this.checkOrigin(actor, c.communityId, input.origin);
    const updated = await updateConsultation(c._id, guard, { $set: set });
    if (!updated) {
      if (guard.answeredOnce === false) throw new ConflictError('Someone answered already: the questions are frozen.', 'questions_frozen');
      throw new ConflictError('The consultation changed meanwhile; reload and try again.', 'consultation_changed');
    }
    if (updated.status !== 'draft') await this.parts.announcements.indexForSearch(updated, loaded.access);
    return this.parts.views.view(actor, updated, loaded.access);
  }

  async open(actor: Actor, id: string): Promise<ConsultationView> {
    const loaded = await this.load(actor, id);
    authorizeConsultation(actor, 'consultation.manage', loaded);
    if (loaded.consultation.status !== 'draft') throw new ConflictError('Only a draft can be opened.', loaded.status === 'closed' ? 'consultation_closed' : 'consultation_not_draft');
    const now = this.now();
    if (loaded.consultation.closesAt && loaded.consultation.closesAt.getTime() <= now.getTime()) {
      throw new ValidationError('The closing time has passed; set a later one first.', [{ path: 'body.closesAt', message: 'must be in the future' }]);
    }
    const opened = await updateConsultation(loaded.consultation._id, { status: 'draft' }, { $set: { status: 'open' } });
    if (!opened) throw new ConflictError('Only a draft can be opened.', 'consultation_not_draft');
    await this.audit(actor, 'opened', opened);
    await this.afterOpened(opened, loaded.access);
    this.tellChat(actor, opened);
    return this.parts.views.view(actor, opened, loaded.access);
  }

  /** A quick poll from a meeting chat goes into that chat (the bot's part). */
  private tellChat(actor: Actor, c: ConsultationRecord): void {
    if (c.quickPoll === true && c.origin?.conversationId) this.quickPollOpened?.(actor, String(c._id));
  }

  async close(actor: Actor, id: string): Promise<ConsultationView> {
    const loaded = await this.load(actor, id);
    authorizeConsultation(actor, 'consultation.manage', loaded);
    if (loaded.status === 'closed') throw new ConflictError('This consultation is closed already.', 'consultation_closed');
    if (loaded.status === 'draft') throw new ConflictError('A draft is not open; delete or open it instead.', 'consultation_not_open');
    const now = this.now();
    const closed = await updateConsultation(loaded.consultation._id, { status: 'open' }, { $set: { status: 'closed', closedAt: now, closesAt: loaded.consultation.closesAt && loaded.consultation.closesAt < now ? loaded.consultation.closesAt : now } });
    if (!closed) throw new ConflictError('This consultation is closed already.', 'consultation_closed');
    // Closing wins over answers in flight: after this no answer is counted (or kept).
    await sealTallies(closed.tenantId, closed._id);
    await this.audit(actor, 'closed', closed);
    return this.parts.views.view(actor, closed, loaded.access);
  }

  /** Publishes "what we heard, what we will do": to the community's channel and every respondent who wants it. */
  async conclude(actor: Actor, id: string, input: { text: string }): Promise<ConsultationView> {
    const loaded = await this.load(actor, id);
    authorizeConsultation(actor, 'consultation.manage', loaded);
    if (loaded.status !== 'closed') throw new ConflictError('Write the conclusion once the consultation has closed.', 'conclusion_requires_closed');
    const c = loaded.consultation;
    const now = this.now();
    const conclusion = { ...markdown(input.text), publishedAt: now, authorId: actor.userId, authorName: actor.name.slice(0, 200) };
    // An open one past its closing time is closed now too (the worker may not have come by yet).
    const updated = await updateConsultation(c._id, { status: c.status }, { $set: { conclusion, status: 'closed', closedAt: c.closedAt ?? c.closesAt ?? now } });
    if (!updated) throw new ConflictError('The consultation changed meanwhile; reload and try again.', 'consultation_changed');
    await sealTallies(updated.tenantId, updated._id);
    await this.audit(actor, 'concluded', updated);
    await this.parts.announcements.tellConclusion(updated, actor.userId, loaded.access.community.name);
    return this.parts.views.view(actor, updated, loaded.access);
  }

  // ---- reading ----

  async get(actor: Actor, id: string): Promise<ConsultationView> {
    const loaded = await this.load(actor, id);
    authorizeConsultation(actor, 'consultation.read', loaded);
    return this.parts.views.view(actor, loaded.consultation, loaded.access, loaded);
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
    const views = await this.parts.views.views(actor, shown, new Map([[String(access.community._id), access]]));
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
      if (consultationPolicy.can(actor, 'consultation.respond', contextFor(actor, c, access, false, now))) open.push(c);
    }
    open.sort((a, b) => (a.closesAt?.getTime() ?? Infinity) - (b.closesAt?.getTime() ?? Infinity));
    return this.parts.views.views(actor, open.slice(0, limit), accesses);
  }


  // ---- the worker's part (consultation-reminders.ts) ----

  /** Announces an open consultation once (channel and audience); idempotent. */
  async announceIfDue(c: ConsultationRecord, now: Date): Promise<boolean> {
    if (c.announced || c.status !== 'open' || (c.opensAt && c.opensAt > now) || effectiveStatus(c, now) !== 'open') return false;
    const marked = await updateConsultation(c._id, { announced: false, status: 'open' }, { $set: { announced: true } });
    if (!marked) return false;
    const community = await communityById(c.communityId);
    if (!community) return false;
    await this.parts.announcements.tellOpened(marked, community);
    return true;
  }


  // ---- helpers ----

  /** Who started, opened, closed or concluded which consultation of which community (ids only, no texts). */
  private async audit(actor: Actor, kind: 'created' | 'opened' | 'closed' | 'concluded', c: ConsultationRecord): Promise<void> {
    await this.deps.audit.record({
      tenantId: c.tenantId,
      kind: `consultation.${kind}`,
      actorId: actor.userId,
      subjectId: String(c._id),
      details: { communityId: String(c.communityId), status: c.status, anonymous: c.anonymous, questions: c.questions.length },
    });
  }

  private checkTimes(opensAt: Date | null, closesAt: Date | null, timeZone: string | undefined, now: Date): void {
    const errors: ErrorDetail[] = [];
    if (timeZone !== undefined && !isIanaTimeZone(timeZone)) errors.push({ path: 'body.timeZone', message: 'must be an IANA time zone, e.g. Europe/Amsterdam', code: 'unknown_time_zone' });
    if (closesAt && closesAt.getTime() <= now.getTime()) errors.push({ path: 'body.closesAt', message: 'must be in the future', code: 'not_in_future' });
    if (opensAt && closesAt && closesAt.getTime() <= opensAt.getTime()) errors.push({ path: 'body.closesAt', message: 'must be after opensAt', code: 'not_after_start' });
    if (errors.length > 0) throw new ValidationError('The times of the consultation do not fit.', errors);
  }

  /**
   * Where a consultation came from, checked as events check their follow-up discussion
   * (src/events/event-rules.ts): a discussion must be readable by the actor, not hidden and of
   * the same community; a meeting (Teams meeting id and/or its chat id) must be linked to the
   * same community, a link its managers see. Every refusal is the same answer, so nothing
   * tells whether another community's discussion or meeting exists.
   */
  private async checkOrigin(actor: Actor, communityId: Types.ObjectId, origin: CreateConsultationInput['origin']): Promise<CreateConsultationInput['origin'] | undefined> {
    if (!origin) return undefined;
    const refuse = (field: string) => new ValidationError('The origin must be a discussion or a meeting of this community that you can see.', [{ path: `body.origin.${field}`, message: 'not a discussion or meeting of this community that you can see' }], 'invalid_origin');
    if (origin.discussionId !== undefined) {
      const discussion = await readableDiscussion(actor, origin.discussionId);
      if (!discussion?.communityId.equals(communityId)) throw refuse('discussionId');
    }
    if (origin.meetingId !== undefined || origin.conversationId !== undefined) {
      const linked = await isMeetingLinkedToCommunity(actor.tenantId, communityId, { chatId: origin.conversationId, teamsMeetingId: origin.meetingId });
      if (!linked) throw refuse(origin.conversationId !== undefined ? 'conversationId' : 'meetingId');
    }
    return { ...origin };
  }

  private async afterOpened(c: ConsultationRecord, access: CommunityAccess): Promise<void> {
    await this.parts.announcements.indexForSearch(c, access);
    await this.announceIfDue(c, this.now());
  }

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
