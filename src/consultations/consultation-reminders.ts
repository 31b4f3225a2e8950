/**
 * The consultations' background pass: announces consultations whose opening time has come,
 * closes those past their closing time, and reminds the audience members who have not
 * answered, `reminderDaysBeforeClose` days before closing. Who has not answered comes from
 * the "has responded" records, so anonymous consultations remind exactly the right people
 * too. Idempotency keys hold the consultation, its closing time and the person, so a repeated
 * or overlapping pass never reminds anyone twice; a later closing time reminds again.
 */
import type { Logger } from 'pino';
import { communityById } from '../communities/communities.port.js';
import type { NotificationIntent, NotificationOutbox } from '../notifications/notification-outbox.js';
import { clockOf, type Clock } from '../time/clock.js';
import type { ConsultationService } from './consultation.service.js';
import { audienceOf } from './consultation-audience.js';
import { openConsultations, sealTallies, respondedAmong, updateConsultation } from './consultation.repository.js';

const DAY_MS = 24 * 3_600_000;

export interface ConsultationRemindersDeps {
  notifications: NotificationOutbox;
  consultations: ConsultationService;
  now?: Clock;
  logger?: Pick<Logger, 'info' | 'warn'>;
}

export interface ConsultationPassReport {
  announced: number;
  reminded: number;
  closed: number;
}

export class ConsultationReminders {
  private readonly now: Clock;

  constructor(private readonly deps: ConsultationRemindersDeps) {
    this.now = clockOf(deps);
  }

  async run(): Promise<ConsultationPassReport> {
    const now = this.now();
    const report: ConsultationPassReport = { announced: 0, reminded: 0, closed: 0 };
    for (const c of await openConsultations()) {
      if (c.closesAt && c.closesAt.getTime() <= now.getTime()) {
        if (await updateConsultation(c._id, { status: 'open', closesAt: c.closesAt }, { $set: { status: 'closed', closedAt: c.closesAt } })) {
          await sealTallies(c.tenantId, c._id);
          report.closed++;
        }
        continue;
      }
      if (await this.deps.consultations.announceIfDue(c, now)) report.announced++;
      const days = c.reminderDaysBeforeClose ?? 0;
      if (!c.closesAt || days <= 0 || c.closesAt.getTime() - days * DAY_MS > now.getTime()) continue;
      if (c.opensAt && c.opensAt.getTime() > now.getTime()) continue;
      if (c.remindedFor && c.remindedFor.getTime() === c.closesAt.getTime()) continue;
      const community = await communityById(c.communityId);
      if (!community) continue;
      const audience = await audienceOf(c, community);
      const intents: NotificationIntent[] = [];
      for (let i = 0; i < audience.length; i += 500) {
        const slice = audience.slice(i, i + 500);
        const done = await respondedAmong(c._id, slice);
        for (const userId of slice) {
          if (done.has(userId)) continue;
          intents.push({
            tenantId: c.tenantId,
            recipientId: userId,
            kind: 'consultationReminder',
            subject: { type: 'consultation', id: String(c._id) },
            data: { consultationId: String(c._id), communityId: String(c.communityId), title: c.title, closesAt: c.closesAt.toISOString(), communityName: community.name },
            idempotencyKey: `consultationReminder:${String(c._id)}:${c.closesAt.toISOString()}:${userId}`,
          });
        }
      }
      for (let i = 0; i < intents.length; i += 500) report.reminded += await this.deps.notifications.enqueue(intents.slice(i, i + 500));
      await updateConsultation(c._id, { closesAt: c.closesAt }, { $set: { remindedFor: c.closesAt } });
    }
    return report;
  }
}
