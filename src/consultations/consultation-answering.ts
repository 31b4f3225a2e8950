/**
 * Answering a consultation: one response per person, replaceable until it closes.
 *
 * One response per person holds under races: the "has responded" record's `_id` is
 * `<consultation>:<person>`, so of two first responses one insert wins and the other becomes
 * a replacement (named) or `already_responded` (anonymous without its key). A replacement
 * is a guarded write on the answer's revision, so concurrent replacements apply one after
 * another and each subtracts exactly the answer it replaced from the tallies. Writes that
 * follow a successful one are compensated when they fail (the record, then the answer).
 */
import { randomBytes } from 'node:crypto';
import type { Actor } from '../auth/actor.js';
import { ConflictError } from '../errors/domain-errors.js';
import { isDuplicateKeyError } from '../db/mongo-errors.js';
import type { Clock } from '../time/clock.js';
import { assertOpen, authorizeConsultation, effectiveStatus, hashResponseKey, loadConsultation } from './consultation-access.js';
import type { ConsultationRecord } from './consultation.model.js';
import { checkAnswers, tallyDelta, textQuestionsOf, type Question } from './consultation-questions.js';
import type { AnswerRecord, RespondentGroup, StoredAnswer } from './consultation-response.model.js';
import {
  addToTally,
  deleteAnswer,
  deleteResponder,
  findAnswer,
  findAnswerByKey,
  findResponder,
  insertAnswer,
  insertResponder,
  namedAnswerId,
  newAnswerOrder,
  randomId,
  replaceAnswer,
  responderId,
  updateConsultation,
} from './consultation.repository.js';

export interface RespondInput {
  answers: unknown;
  responseKey?: string | undefined;
}

/**
 * The close won the race: the tallies were sealed (consultation.repository.ts) between this
 * answer's check and its tally write, so the answer was undone, and the close's caller never
 * sees it counted.
 */
function closedMeanwhile(): ConflictError {
  return new ConflictError('This consultation is closed; answers are no longer taken.', 'consultation_closed');
}

export class ConsultationAnswering {
  /** Freezing the questions (first answer): one write per consultation and process, shared by concurrent answers. */
  private readonly freezing = new Map<string, Promise<ConsultationRecord | null>>();

  constructor(private readonly now: Clock) {}

  async respond(actor: Actor, id: string, input: RespondInput): Promise<{ status: 'submitted'; answers: StoredAnswer[]; responseKey?: string }> {
    const loaded = await loadConsultation(actor, id, this.now());
    authorizeConsultation(actor, 'consultation.respond', loaded);
    let c = loaded.consultation;
    assertOpen(c, loaded.status, this.now());
    if (!c.answeredOnce) {
      // Freeze the questions before checking against them, so an edit cannot slip in between.
      // Fifty first answers at once would otherwise queue fifty locked writes on the consultation.
      const key = String(c._id);
      let freeze = this.freezing.get(key);
      if (!freeze) {
        freeze = updateConsultation(c._id, {}, { $set: { answeredOnce: true } }).finally(() => this.freezing.delete(key));
        this.freezing.set(key, freeze);
      }
      c = (await freeze) ?? c;
      assertOpen(c, effectiveStatus(c, this.now()), this.now());
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
    let counted = false;
    try {
      counted = await addToTally(c.tenantId, c._id, tallyDelta(group, null, answers));
    } finally {
      if (!counted) {
        await deleteAnswer(record._id);
        await deleteResponder(c._id, actor.userId);
      }
    }
    if (!counted) throw closedMeanwhile();
    return { status: 'submitted', answers, ...(responseKey ? { responseKey } : {}) };
  }

  async myResponse(actor: Actor, id: string, responseKey?: string): Promise<{ status: 'submitted' | 'none'; answers?: StoredAnswer[] }> {
    const loaded = await loadConsultation(actor, id, this.now());
    authorizeConsultation(actor, 'consultation.read', loaded);
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
      let counted = false;
      try {
        counted = await addToTally(c.tenantId, c._id, tallyDelta(current.group, current.answers, answers));
      } finally {
        if (!counted) await replaceAnswer(answerId, current.rev + 1, current.answers, current.textQuestions);
      }
      if (!counted) throw closedMeanwhile();
      return;
    }
    throw new ConflictError('Your response is being changed by another request; try again.', 'already_responded');
  }

}
