/**
 * A person's data in consultations, for the privacy capability (issue 15) to wire: what to
 * export, what to erase, and the retention of raw answers. Anonymous answers are nobody's
 * personal data (nothing links them to a person), so they are neither exported nor erased
 * per person; the "has responded" records are, and go.
 */
import type { Types } from 'mongoose';
import { DEFAULT_LANGUAGE } from '../content/language.js';
import { FORMER_MEMBER_ID, formerMemberName } from '../personal-data/former-member.js';
import type { PersonalDataContributor } from '../personal-data/personal-data.js';
import type { RetentionRule } from '../personal-data/retention.port.js';
import { tallyDelta } from './consultation-questions.js';
import {
  addToTally,
  consultationsClosedBefore,
  consultationsConcludedBy,
  consultationsCreatedBy,
  deleteAnswer,
  deleteAnswersOf,
  deleteResponder,
  findConsultation,
  namedAnswersOfPerson,
  responderRecordsOfPerson,
  updateConsultation,
} from './consultation.repository.js';

export interface ConsultationPersonalData {
  created: Array<{ id: string; communityId: string; title: string; status: string; createdAt: string }>;
  /** Conclusions the person wrote (of consultations they may not have created). */
  concluded: Array<{ id: string; title: string; conclusion: string; publishedAt: string }>;
  responded: Array<{ consultationId: string; group: string }>;
  namedAnswers: Array<{ consultationId: string; title: string | null; answers: unknown[] }>;
}

/** The consultations the person created, their "has responded" records and their named answers. */
export async function exportConsultationData(tenantId: string, userId: string): Promise<ConsultationPersonalData> {
  const [created, concluded, responded, answers] = await Promise.all([consultationsCreatedBy(tenantId, userId), consultationsConcludedBy(tenantId, userId), responderRecordsOfPerson(tenantId, userId), namedAnswersOfPerson(tenantId, userId)]);
  const titles = new Map<string, string | null>();
  for (const a of answers) if (!titles.has(String(a.consultationId))) titles.set(String(a.consultationId), (await findConsultation(a.consultationId))?.title ?? null);
  return {
    created: created.map((c) => ({ id: String(c._id), communityId: String(c.communityId), title: c.title, status: c.status, createdAt: c.createdAt.toISOString() })),
    concluded: concluded.flatMap((c) => (c.conclusion ? [{ id: String(c._id), title: c.title, conclusion: c.conclusion.source, publishedAt: c.conclusion.publishedAt.toISOString() }] : [])),
    responded: responded.map((r) => ({ consultationId: String(r.consultationId), group: r.group })),
    namedAnswers: answers.map((a) => ({ consultationId: String(a.consultationId), title: titles.get(String(a.consultationId)) ?? null, answers: a.answers })),
  };
}

/**
 * Deletes the person's "has responded" records and named answers, subtracting the answers
 * from the tallies. Idempotent: an answer is subtracted only by the call that deleted it.
 * Consultations they created or concluded stay (they are the community's), under "Former member".
 */
export async function eraseConsultationData(tenantId: string, userId: string): Promise<{ responders: number; answers: number }> {
  let answers = 0;
  for (const a of await namedAnswersOfPerson(tenantId, userId)) {
    if (!(await deleteAnswer(a._id))) continue;
    answers++;
    await addToTally(a.tenantId, a.consultationId, tallyDelta(a.group, a.answers, null), { evenSealed: true });
  }
  let responders = 0;
  for (const r of await responderRecordsOfPerson(tenantId, userId)) if (await deleteResponder(r.consultationId as Types.ObjectId, userId)) responders++;
  for (const c of await consultationsCreatedBy(tenantId, userId)) await updateConsultation(c._id, { createdBy: userId }, { $set: { createdBy: FORMER_MEMBER_ID } });
  for (const c of await consultationsConcludedBy(tenantId, userId)) {
    await updateConsultation(c._id, { 'conclusion.authorId': userId }, { $set: { 'conclusion.authorId': FORMER_MEMBER_ID, 'conclusion.authorName': formerMemberName(DEFAULT_LANGUAGE) } });
  }
  return { responders, answers };
}

/**
 * Retention: deletes the raw answers of consultations closed before `closedBefore` (at most
 * `limit` consultations a call), keeping their tallies, respondents' records and conclusion.
 */
export async function purgeClosedRawResponses(tenantId: string, closedBefore: Date, limit: number): Promise<{ consultations: number; answers: number }> {
  let answers = 0;
  const due = await consultationsClosedBefore(tenantId, closedBefore, limit);
  for (const c of due) {
    answers += await deleteAnswersOf(c._id);
    await updateConsultation(c._id, {}, { $set: { rawResponsesPurged: true } });
  }
  return { consultations: due.length, answers };
}

/** The retention job's rule for raw answers of closed consultations (a batch is `limit` consultations). */
export const consultationsRetentionRule: RetentionRule = {
  kind: 'consultationResponses',
  purge: async (tenantId, before, limit) => (await purgeClosedRawResponses(tenantId, before, limit)).consultations,
};

/** Consultations' part of "export my data" and "erase me" (src/personal-data/personal-data.ts). */
export function consultationsPersonalData(): PersonalDataContributor {
  return {
    name: 'consultations',
    files: [
      {
        name: 'consultations.json',
        describe: {
          nl: 'Raadplegingen die je maakte of afsloot met een conclusie, de raadplegingen waarop je antwoordde, en je antwoorden op raadplegingen op naam. Anonieme antwoorden staan er niet in: niets in Meent koppelt ze aan jou, ook Meent zelf niet.',
          en: 'Consultations you created or concluded, the consultations you answered, and your answers to named consultations. Anonymous answers are not included: nothing in Meent links them to you, not even Meent itself.',
        },
        count: async (s) => {
          const d = await exportConsultationData(s.tenantId, s.userId);
          return d.created.length + d.concluded.length + d.responded.length + d.namedAnswers.length;
        },
        async *records(s) {
          const d = await exportConsultationData(s.tenantId, s.userId);
          for (const c of d.created) yield { type: 'created', ...c };
          for (const c of d.concluded) yield { type: 'concluded', ...c };
          for (const r of d.responded) yield { type: 'responded', ...r };
          for (const a of d.namedAnswers) yield { type: 'namedAnswer', ...a };
        },
      },
    ],
    async erase(s) {
      await eraseConsultationData(s.tenantId, s.userId);
    },
  };
}
