/**
 * Where a notification goes, from its recipient's preferences: posted to its community's
 * channel, sent now (to the person's chat or activity feed), held for a digest, or skipped
 * (`off`, or muted). Pure: the preferences and mutes come in, a decision goes out.
 */
import { isChannelPost, sendKeyOf } from './delivery-keys.js';
import type { Route } from './delivery-job.js';
import { nextDigestSlot, type DigestSlot } from './digest-schedule.js';
import type { NotificationRecord } from './notification.model.js';
import { muteKeysOf, UNMUTABLE_KINDS, type EffectivePreferences, type PersonalKind } from './notification-preferences.js';

export type RouteDecision = { send: Route; key: string } | { skip: 'off' | 'muted' } | { hold: DigestSlot };

/** Whether a notification's route depends on its recipient's preferences (a channel post does not). */
export function isPersonal(notification: Pick<NotificationRecord, 'kind'>): boolean {
  return !isChannelPost(notification.kind);
}

/**
 * Decides one notification's route: `prefs` are its recipient's effective preferences,
 * `muted` the mute keys they set, `now` the time a digest slot is counted from.
 */
export function routeNotification(notification: NotificationRecord, prefs: EffectivePreferences, muted: ReadonlySet<string> | undefined, now: Date): RouteDecision {
  const key = sendKeyOf(notification);
  if (!isPersonal(notification)) return { send: 'channel', key };
  const cadence = prefs.kinds[notification.kind as PersonalKind] ?? 'immediately';
  if (cadence === 'off') return { skip: 'off' };
  if (!UNMUTABLE_KINDS.has(notification.kind) && muteKeysOf(notification).some((k) => muted?.has(k))) return { skip: 'muted' };
  if (cadence === 'daily' || cadence === 'weekly') return { hold: nextDigestSlot(cadence, now, prefs.timeZone, prefs.digestHour) };
  return { send: prefs.channel, key };
}
