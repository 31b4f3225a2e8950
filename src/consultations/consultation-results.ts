/**
 * Results from the incremental tallies (consultation-response.model.ts): the shard documents
 * of a consultation are summed per group, so computing results reads at most
 * `TALLY_SHARDS` small documents whatever the number of responses. A group's breakdown is
 * shown only where the group has at least `minGroupSize` respondents (CONSULTATION_MIN_GROUP_SIZE),
 * so that a small group's answers cannot be unmasked.
 */
import type { Question } from './consultation-questions.js';
import { RESPONDENT_GROUPS, type GroupTally, type QuestionTally, type RespondentGroup, type TallyRecord } from './consultation-response.model.js';
import type { QuestionResultView, ResultsView } from './consultation.schemas.js';

/** Sums the shards: one tally per group. */
export function sumTallies(shards: readonly TallyRecord[]): Record<RespondentGroup, GroupTally> {
  const out: Record<RespondentGroup, GroupTally> = { members: { n: 0, q: {} }, guests: { n: 0, q: {} } };
  for (const shard of shards) {
    for (const group of RESPONDENT_GROUPS) {
      const g = shard.g?.[group];
      if (g) addGroup(out[group], g);
    }
  }
  return out;
}

function addGroup(into: GroupTally, from: GroupTally): void {
  into.n = (into.n ?? 0) + (from.n ?? 0);
  into.q ??= {};
  for (const [qid, t] of Object.entries(from.q ?? {})) {
    const target = (into.q[qid] ??= {});
    target.a = (target.a ?? 0) + (t.a ?? 0);
    target.s = (target.s ?? 0) + (t.s ?? 0);
    for (const key of ['o', 'v', 'p'] as const) {
      const src = t[key];
      if (!src) continue;
      const dst = (target[key] ??= {});
      for (const [k, v] of Object.entries(src)) dst[k] = (dst[k] ?? 0) + v;
    }
  }
}

/** The respondents of the summed tallies. */
export function respondentsOf(shards: readonly TallyRecord[]): number {
  let n = 0;
  for (const s of shards) for (const g of RESPONDENT_GROUPS) n += s.g?.[g]?.n ?? 0;
  return n;
}

const round1 = (x: number) => Math.round(x * 10) / 10;
const pct = (count: number, of: number) => (of > 0 ? round1((count / of) * 100) : 0);

/** One question's results from its tally. */
export function questionResult(q: Question, t: QuestionTally | undefined): QuestionResultView {
  const answered = t?.a ?? 0;
  switch (q.kind) {
    case 'singleChoice':
    case 'multipleChoice':
      return { questionId: q.id, kind: q.kind, answered, options: (q.options ?? []).map((o) => ({ optionId: o.id, label: o.label, count: t?.o?.[o.id] ?? 0, percentage: pct(t?.o?.[o.id] ?? 0, answered) })) };
    case 'yesNo':
      return {
        questionId: q.id,
        kind: 'yesNo',
        answered,
        options: (['yes', 'no'] as const).map((id) => ({ optionId: id, label: id, count: t?.o?.[id] ?? 0, percentage: pct(t?.o?.[id] ?? 0, answered) })),
      };
    case 'scale': {
      const { min, max } = q.scale ?? { min: 1, max: 5 };
      const distribution = [];
      for (let v = min; v <= max; v++) distribution.push({ value: v, count: t?.v?.[`k${v}`] ?? 0, percentage: pct(t?.v?.[`k${v}`] ?? 0, answered) });
      return { questionId: q.id, kind: 'scale', answered, mean: answered > 0 ? Math.round(((t?.s ?? 0) / answered) * 100) / 100 : null, distribution };
    }
    case 'ranking': {
      const options = (q.options ?? []).map((o) => ({ optionId: o.id, label: o.label, averagePosition: answered > 0 ? Math.round(((t?.p?.[o.id] ?? 0) / answered) * 100) / 100 : null }));
      options.sort((a, b) => (a.averagePosition ?? Infinity) - (b.averagePosition ?? Infinity));
      return { questionId: q.id, kind: 'ranking', answered, options };
    }
    case 'shortText':
    case 'longText':
      return { questionId: q.id, kind: q.kind, answered };
  }
}

export interface ResultsInput {
  consultationId: string;
  questions: readonly Question[];
  shards: readonly TallyRecord[];
  audienceSize: number;
  minGroupSize: number;
  /** Whether guests may answer at all (else there is no guests group to show). */
  guestsInAudience: boolean;
}

export function computeResults(input: ResultsInput): ResultsView {
  const groups = sumTallies(input.shards);
  const total: GroupTally = { n: 0, q: {} };
  for (const g of RESPONDENT_GROUPS) addGroup(total, groups[g]);
  const respondents = total.n ?? 0;
  const of = (t: GroupTally) => input.questions.map((q) => questionResult(q, t.q?.[q.id]));
  const shownGroups = input.guestsInAudience || (groups.guests.n ?? 0) > 0 ? RESPONDENT_GROUPS : (['members'] as const);
  const everyGroupLarge = shownGroups.every((g) => (groups[g].n ?? 0) >= input.minGroupSize);
  return {
    consultationId: input.consultationId,
    respondents,
    audienceSize: input.audienceSize,
    responseRate: input.audienceSize > 0 ? Math.min(1, Math.round((respondents / input.audienceSize) * 1000) / 1000) : 0,
    questions: of(total),
    groups: shownGroups.map((group) => {
      const n = groups[group].n ?? 0;
      if (n < input.minGroupSize) return { group, respondents: `< ${input.minGroupSize}` };
      // With a small group beside it, a large group's breakdown subtracted from the total would unmask the small one.
      return everyGroupLarge ? { group, respondents: n, questions: of(groups[group]) } : { group, respondents: n };
    }),
  };
}
