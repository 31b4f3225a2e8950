/**
 * The notifications capability's part of "export my data" and "erase me": notification
 * settings and mutes, the notifications addressed to the person and how they were delivered,
 * and the bot's personal chat with them. Notifications to others that name the person (who
 * replied, who asked to join) keep their place but no longer name them.
 */
import { DEFAULT_LANGUAGE } from '../content/language.js';
import { pagedLean } from '../db/paged-reads.js';
import { FORMER_MEMBER_ID, formerMemberName } from '../personal-data/former-member.js';
import { mentionsSubject, scrubValues, type DataSubject, type PersonalDataContributor } from '../personal-data/personal-data.js';
import { ConversationReferenceModel } from './conversation-reference.model.js';
import { AppInstallationModel } from './app-installation.model.js';
import { DeliveryModel } from './delivery.model.js';
import { NotificationMuteModel, NotificationPreferenceModel } from './notification-preference.model.js';
import { NotificationModel, type NotificationRecord } from './notification.model.js';

export function notificationsPersonalData(): PersonalDataContributor {
  const own = (s: DataSubject) => ({ tenantId: s.tenantId, userId: s.userId });
  const addressed = (s: DataSubject) => ({ tenantId: s.tenantId, recipientId: s.userId });
  const personalChats = (s: DataSubject) => ({ tenantId: s.tenantId, key: `user:${s.userId}` });
  return {
    name: 'notifications',
    files: [
      {
        name: 'notification-preferences.json',
        describe: {
          nl: 'Je meldingsinstellingen (per soort: direct, dagelijks, wekelijks of uit; via chat of activiteitenfeed; tijdzone en uur), wat je dempte, of de bot een persoonlijke chat met je heeft, en of Meent de app voor je installeerde (of Teams dat weigerde).',
          en: 'Your notification settings (per kind: immediately, daily, weekly or off; by chat or activity feed; time zone and hour), what you muted, whether the bot has a personal chat with you, and whether Meent installed the app for you (or Teams refused it).',
        },
        count: async (s) =>
          (await NotificationPreferenceModel.countDocuments(own(s))) +
          (await NotificationMuteModel.countDocuments(own(s))) +
          (await ConversationReferenceModel.countDocuments(personalChats(s))) +
          (await AppInstallationModel.countDocuments(own(s))),
        async *records(s) {
          for await (const p of pagedLean(NotificationPreferenceModel, own(s))) yield { type: 'preferences', kinds: p.kinds ?? {}, channel: p.channel ?? null, timeZone: p.timeZone ?? null, digestHour: p.digestHour ?? null, locale: p.locale ?? null };
          for await (const m of pagedLean(NotificationMuteModel, own(s))) yield { type: 'mute', target: m.target, targetId: m.targetId, title: m.title ?? null };
          for await (const c of pagedLean(ConversationReferenceModel, personalChats(s))) yield { type: 'botChat', scope: c.scope, state: c.state, installedAt: c.installedAt ?? null };
          for await (const i of pagedLean(AppInstallationModel, own(s))) yield { type: 'appInstallation', state: i.state, reason: i.reason ?? null, at: i.updatedAt };
        },
      },
      {
        name: 'notifications.json',
        describe: {
          nl: 'Meldingen aan jou (soort, waarover, status) en hoe ze bezorgd zijn (chat, activiteitenfeed, verzonden op).',
          en: 'Notifications to you (kind, about what, status) and how they were delivered (chat, activity feed, sent at).',
        },
        count: async (s) => (await NotificationModel.countDocuments(addressed(s))) + (await DeliveryModel.countDocuments(addressed(s))),
        async *records(s) {
          for await (const n of pagedLean(NotificationModel, addressed(s))) yield { type: 'notification', kind: n.kind, subject: n.subject, data: n.data ?? {}, status: n.status, createdAt: (n as NotificationRecord).createdAt, sentAt: n.sentAt ?? null };
          for await (const d of pagedLean(DeliveryModel, addressed(s))) yield { type: 'delivery', route: d.route ?? null, state: d.state, notifications: (d.notificationIds ?? []).length, sentAt: d.sentAt ?? null };
        },
      },
    ],
    async erase(s) {
      await NotificationPreferenceModel.deleteMany(own(s));
      await NotificationMuteModel.deleteMany(own(s));
      await NotificationModel.deleteMany(addressed(s));
      await DeliveryModel.deleteMany(addressed(s));
      await ConversationReferenceModel.deleteMany(own(s));
      await ConversationReferenceModel.deleteMany(personalChats(s));
      await AppInstallationModel.deleteMany(own(s));
      // A shared chat's reference remembers who spoke last.
      await ConversationReferenceModel.updateMany({ tenantId: s.tenantId, 'reference.user.aadObjectId': s.userId }, { $unset: { 'reference.user': 1 } });
      // Notifications to others that name them: bounded by the notifications' retention (90 days by default).
      const replacement = formerMemberName(DEFAULT_LANGUAGE);
      for await (const n of pagedLean(NotificationModel, { tenantId: s.tenantId })) {
        const aboutThem = n.subject?.type === 'user' && n.subject.id === s.userId;
        if (n.actorId !== s.userId && !aboutThem && !mentionsSubject(n.data, s)) continue;
        // Their files leave their cards: a OneDrive address names its owner, and the erasure takes back the sharing anyway.
        const { files: _files, fileCount: _fileCount, ...kept } = (n.data ?? {}) as Record<string, unknown>;
        const data = n.actorId === s.userId ? kept : (n.data ?? {});
        await NotificationModel.updateOne(
          { _id: n._id },
          {
            $set: {
              // The mark lets a card name them in its reader's language; the replacement is only the organisation's.
              data: { ...scrubValues(data, s, replacement), ...(n.actorId === s.userId ? { actorErased: true } : {}) },
              ...(aboutThem ? { 'subject.id': FORMER_MEMBER_ID } : {}),
            },
            ...(n.actorId === s.userId ? { $unset: { actorId: 1 } } : {}),
          },
        );
      }
    },
  };
}
