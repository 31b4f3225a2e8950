/**
 * What a consultation tells others: its search entry (once it is no draft), and the
 * notification intents of its opening (the community's channel and each person in the
 * audience) and of its conclusion (the channel and each respondent). Preferences decide
 * delivery (src/notifications).
 */
import type { Types } from 'mongoose';
import type { CommunityAccess } from '../communities/community-access.js';
import { excerptOf, markdownToText } from '../content/markdown.js';
import type { NotificationIntent, NotificationOutbox } from '../notifications/notification-outbox.js';
import type { SearchIndex } from '../search-index/search-index.js';
import { audienceOf } from './consultation-audience.js';
import type { Question } from './consultation-questions.js';
import type { ConsultationRecord } from './consultation.model.js';
import { respondersOf } from './consultation.repository.js';

export class ConsultationAnnouncements {
  constructor(private readonly deps: { notifications: NotificationOutbox; search: SearchIndex }) {}

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

  async tellOpened(c: ConsultationRecord, community: { _id: Types.ObjectId; name: string; guestsAllowed?: boolean | null }): Promise<void> {
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

  async tellConclusion(c: ConsultationRecord, actorId: string, communityName: string): Promise<void> {
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
}
