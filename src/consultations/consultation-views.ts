/**
 * A consultation as the API shows it to one actor (the contract's `Consultation`): what they
 * may do with it, the respondents (from the tallies) and the audience size (counted at most
 * every 15 s per community, consultation-audience.ts).
 */
import type { Actor } from '../auth/actor.js';
import { resolveCommunityAccess, type CommunityAccess } from '../communities/community-access.js';
import type { Clock } from '../time/clock.js';
import { contextFor, type Loaded } from './consultation-access.js';
import { AudienceSizes } from './consultation-audience.js';
import type { Question } from './consultation-questions.js';
import { respondentsOf } from './consultation-results.js';
import type { ConsultationRecord } from './consultation.model.js';
import { findResponder, respondedConsultations, talliesOf, talliesOfMany } from './consultation.repository.js';
import type { ConsultationView } from './consultation.schemas.js';
import { consultationPolicy } from './consultations.policy.js';

export class ConsultationViews {
  readonly audienceSizes: AudienceSizes;

  constructor(private readonly now: Clock) {
    this.audienceSizes = new AudienceSizes(now);
  }

  async audienceSize(c: ConsultationRecord, access: CommunityAccess): Promise<number> {
    return this.audienceSizes.of(c, access.community);
  }

  async views(actor: Actor, list: ConsultationRecord[], accesses: Map<string, CommunityAccess>): Promise<ConsultationView[]> {
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

  async view(actor: Actor, c: ConsultationRecord, access: CommunityAccess, loaded?: Loaded): Promise<ConsultationView> {
    const [shards, audienceSize, responded] = await Promise.all([
      talliesOf(c._id),
      this.audienceSize(c, access),
      loaded ? Promise.resolve(loaded.context.hasResponded) : findResponder(c._id, actor.userId).then((r) => r !== null),
    ]);
    return this.toView(actor, c, access, { respondents: respondentsOf(shards), audienceSize, responded });
  }

  toView(actor: Actor, c: ConsultationRecord, access: CommunityAccess, facts: { respondents: number; audienceSize: number; responded: boolean }): ConsultationView {
    const now = this.now();
    const context = contextFor(actor, c, access, facts.responded, now);
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
