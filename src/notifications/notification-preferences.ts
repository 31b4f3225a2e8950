/**
 * Notification preferences: the defaults, a person's own choices on top of them, and mutes.
 * The delivery worker asks `forDelivery` for many people at once; the bot's settings card
 * and the API read and change one person's settings through `get`, `update`, `mute` and
 * `unmute`, always for the actor themselves.
 */
import { z } from 'zod';
import type { Actor } from '../auth/actor.js';
import mongoose from 'mongoose';
import { DEFAULT_LANGUAGE, LANGUAGES, type Language } from '../content/language.js';
import { atomicUpdate } from '../db/atomic-update.js';
import { isDuplicateKeyError, upsertRetryingRace } from '../db/mongo-errors.js';
import { DEFAULT_TIME_ZONE, isIanaTimeZone } from '../time/time-zone.js';
import type { NotificationKind, NotificationRecord } from './notification.model.js';
import { NOTIFICATION_KINDS } from './notification.model.js';
import { isChannelPost } from './delivery-keys.js';
import {
  CADENCES,
  DELIVERY_CHANNELS,
  MUTE_TARGETS,
  NotificationMuteModel,
  NotificationPreferenceModel,
  type Cadence,
  type DeliveryChannel,
  type MuteTarget,
} from './notification-preference.model.js';

/** Kinds a person chooses a cadence for (a channel announcement is not a person's notification). */
export const PERSONAL_KINDS = NOTIFICATION_KINDS.filter((k): k is Exclude<NotificationKind, ChannelPostKind> => !isChannelPost(k));
type ChannelPostKind = 'eventAnnounced' | 'consultationAnnounced' | 'consultationConcluded';
export type PersonalKind = (typeof PERSONAL_KINDS)[number];

/**
 * What a person gets without choosing: what is about them or needs them now comes at once;
 * news about a community they are in (new discussions, a discussion closed) in the daily digest.
 */
export const DEFAULT_CADENCE: Record<PersonalKind, Cadence> = {
  reply: 'immediately',
  mention: 'immediately',
  newDiscussion: 'daily',
  answerAccepted: 'immediately',
  discussionClosed: 'daily',
  discussionReopened: 'daily',
  membershipRequested: 'immediately',
  membershipApproved: 'immediately',
  membershipDeclined: 'immediately',
  membershipInvited: 'immediately',
  roleChanged: 'immediately',
  contentReported: 'immediately',
  contentHidden: 'immediately',
  eventPromoted: 'immediately',
  eventChanged: 'immediately',
  eventCancelled: 'immediately',
  eventRegistrationRequested: 'immediately',
  eventRegistrationApproved: 'immediately',
  eventRegistrationDeclined: 'immediately',
  reminder: 'immediately',
  consultationOpened: 'immediately',
  consultationReminder: 'immediately',
  consultationConclusion: 'immediately',
};

/**
 * Kinds about the person's own standing (their seat, their membership, a reminder of their
 * event): muting a community or discussion does not silence these; only turning the kind off does.
 */
export const UNMUTABLE_KINDS: ReadonlySet<NotificationKind> = new Set<NotificationKind>([
  'eventPromoted',
  'eventChanged',
  'eventCancelled',
  'eventRegistrationApproved',
  'eventRegistrationDeclined',
  'reminder',
  'membershipApproved',
  'membershipDeclined',
  'membershipInvited',
  'roleChanged',
]);

/** Groups of kinds as the settings card shows them. */
export const PREFERENCE_GROUPS = {
  conversations: ['reply', 'mention', 'answerAccepted'],
  newDiscussions: ['newDiscussion', 'discussionClosed', 'discussionReopened'],
  events: ['eventPromoted', 'eventChanged', 'eventCancelled', 'eventRegistrationApproved', 'eventRegistrationDeclined', 'reminder'],
  management: ['membershipRequested', 'contentReported', 'contentHidden', 'eventRegistrationRequested'],
  membership: ['membershipApproved', 'membershipDeclined', 'membershipInvited', 'roleChanged'],
  consultations: ['consultationOpened', 'consultationReminder', 'consultationConclusion'],
} as const satisfies Record<string, readonly PersonalKind[]>;
export type PreferenceGroup = keyof typeof PREFERENCE_GROUPS;

export interface EffectivePreferences {
  kinds: Record<PersonalKind, Cadence>;
  channel: DeliveryChannel;
  timeZone: string;
  digestHour: number;
  locale: Language;
}

export interface MuteView {
  target: MuteTarget;
  targetId: string;
  title?: string;
  createdAt: Date;
}

export const DEFAULT_DIGEST_HOUR = 8;

const cadence = z.enum(CADENCES);
export const preferencesPatchSchema = z
  .object({
    kinds: z.partialRecord(z.enum(PERSONAL_KINDS), cadence).optional(),
    groups: z.partialRecord(z.enum(Object.keys(PREFERENCE_GROUPS) as [PreferenceGroup, ...PreferenceGroup[]]), cadence).optional(),
    channel: z.enum(DELIVERY_CHANNELS).optional(),
    timeZone: z.string().refine(isIanaTimeZone, { error: 'must be an IANA time zone such as Europe/Amsterdam' }).optional(),
    digestHour: z.number().int().min(0).max(23).optional(),
    locale: z.enum(LANGUAGES).optional(),
  })
  .strict();
export type PreferencesPatch = z.infer<typeof preferencesPatchSchema>;

export const muteSchema = z.object({ target: z.enum(MUTE_TARGETS), targetId: z.string().regex(/^[0-9a-f]{24}$/i, { error: 'must be an id' }), title: z.string().trim().max(200).optional() }).strict();

export interface NotificationPreferencesDeps {
  defaultTimeZone?: string;
  defaultDigestHour?: number;
}

export class NotificationPreferences {
  private readonly defaultTimeZone: string;
  private readonly defaultDigestHour: number;

  constructor(deps: NotificationPreferencesDeps = {}) {
    this.defaultTimeZone = deps.defaultTimeZone ?? DEFAULT_TIME_ZONE;
    this.defaultDigestHour = deps.defaultDigestHour ?? DEFAULT_DIGEST_HOUR;
  }

  async get(tenantId: string, userId: string): Promise<EffectivePreferences> {
    return (await this.forDelivery(tenantId, [userId])).get(userId) ?? this.defaults();
  }

  /** Effective preferences of many people (one query). */
  async forDelivery(tenantId: string, userIds: string[]): Promise<Map<string, EffectivePreferences>> {
    const unique = [...new Set(userIds)];
    const stored = unique.length === 0 ? [] : await NotificationPreferenceModel.find({ tenantId, userId: mongoose.trusted({ $in: unique }) }).lean().exec();
    const byUser = new Map(stored.map((s) => [s.userId, s]));
    const result = new Map<string, EffectivePreferences>();
    for (const userId of unique) {
      const s = byUser.get(userId);
      const prefs = this.defaults();
      if (s) {
        const kinds: Record<string, unknown> = s.kinds instanceof Map ? Object.fromEntries(s.kinds) : ((s.kinds ?? {}) as Record<string, unknown>);
        for (const [kind, value] of Object.entries(kinds)) {
          if ((PERSONAL_KINDS as readonly string[]).includes(kind) && typeof value === 'string' && (CADENCES as readonly string[]).includes(value)) prefs.kinds[kind as PersonalKind] = value as Cadence;
        }
        if (s.channel) prefs.channel = s.channel as DeliveryChannel;
        if (s.timeZone && isIanaTimeZone(s.timeZone)) prefs.timeZone = s.timeZone;
        if (typeof s.digestHour === 'number') prefs.digestHour = s.digestHour;
        if (s.locale === 'en' || s.locale === 'nl') prefs.locale = s.locale;
      }
      result.set(userId, prefs);
    }
    return result;
  }

  /** Changes the actor's own preferences; `groups` set every kind of a group at once. */
  async update(actor: Actor, patch: PreferencesPatch): Promise<EffectivePreferences> {
    const parsed = preferencesPatchSchema.parse(patch);
    const set: Record<string, unknown> = {};
    for (const [group, value] of Object.entries(parsed.groups ?? {})) {
      for (const kind of PREFERENCE_GROUPS[group as PreferenceGroup]) set[`kinds.${kind}`] = value;
    }
    for (const [kind, value] of Object.entries(parsed.kinds ?? {})) set[`kinds.${kind}`] = value;
    for (const field of ['channel', 'timeZone', 'digestHour', 'locale'] as const) {
      if (parsed[field] !== undefined) set[field] = parsed[field];
    }
    if (Object.keys(set).length > 0) {
      const filter = { tenantId: actor.tenantId, userId: actor.userId };
      const write = () =>
        atomicUpdate(NotificationPreferenceModel, filter, { $set: set, $setOnInsert: filter }, { upsert: true, lockKey: `notification_preferences:${actor.tenantId}:${actor.userId}` });
      // Two first-time upserts raced on the unique index: the document exists now, so once more updates it.
      await upsertRetryingRace(write);
    }
    return this.get(actor.tenantId, actor.userId);
  }

  async mute(actor: Actor, target: MuteTarget, targetId: string, title?: string): Promise<void> {
    try {
      await NotificationMuteModel.create({ tenantId: actor.tenantId, userId: actor.userId, target, targetId, ...(title ? { title } : {}) });
    } catch (err) {
      if (!isDuplicateKeyError(err)) throw err; // already muted: the same outcome
    }
  }

  async unmute(actor: Actor, target: MuteTarget, targetId: string): Promise<void> {
    await NotificationMuteModel.deleteOne({ tenantId: actor.tenantId, userId: actor.userId, target, targetId });
  }

  async listMutes(actor: Actor): Promise<MuteView[]> {
    const mutes = await NotificationMuteModel.find({ tenantId: actor.tenantId, userId: actor.userId }).sort({ createdAt: -1 }).limit(500).lean().exec();
    return mutes.map((m) => ({ target: m.target as MuteTarget, targetId: m.targetId, ...(m.title ? { title: m.title } : {}), createdAt: m.createdAt }));
  }

  /** `community:<id>` and `discussion:<id>` each person muted, for many people at once. */
  async mutedFor(tenantId: string, userIds: string[]): Promise<Map<string, Set<string>>> {
    const unique = [...new Set(userIds)];
    const result = new Map<string, Set<string>>(unique.map((u) => [u, new Set<string>()]));
    if (unique.length === 0) return result;
    const mutes = await NotificationMuteModel.find({ tenantId, userId: mongoose.trusted({ $in: unique }) }, { userId: 1, target: 1, targetId: 1 }).lean().exec();
    for (const m of mutes) result.get(m.userId)?.add(`${m.target}:${m.targetId}`);
    return result;
  }

  defaults(): EffectivePreferences {
    return { kinds: { ...DEFAULT_CADENCE }, channel: 'chat', timeZone: this.defaultTimeZone, digestHour: this.defaultDigestHour, locale: DEFAULT_LANGUAGE };
  }
}

/** The community and discussion a notification is about (from its subject and data), as mute keys. */
export function muteKeysOf(notification: Pick<NotificationRecord, 'subject' | 'data'>): string[] {
  const keys: string[] = [];
  const data = (notification.data ?? {}) as Record<string, unknown>;
  if (notification.subject.type === 'community') keys.push(`community:${notification.subject.id}`);
  if (notification.subject.type === 'discussion') keys.push(`discussion:${notification.subject.id}`);
  if (typeof data.communityId === 'string') keys.push(`community:${data.communityId}`);
  if (typeof data.discussionId === 'string') keys.push(`discussion:${data.discussionId}`);
  return keys;
}
