/**
 * A person's notification settings: how each kind reaches them (`immediately`, in the daily
 * or weekly digest, or `off`), where (`chat` with the bot, or the Teams activity feed), and
 * when digests go out (their time zone and hour). Absent fields mean the defaults of
 * notification-preferences.ts, so a person who never opened the settings has no document.
 *
 * Mutes are separate documents, one per muted community or discussion, guarded by a unique
 * index: muting twice (two clicks, two instances) stores one mute, and no array on a shared
 * document is ever updated concurrently.
 */
import mongoose, { Schema, type InferSchemaType } from 'mongoose';
import { LANGUAGES } from '../content/language.js';
import { toJsonPlugin } from '../db/to-json-plugin.js';

export const CADENCES = ['immediately', 'daily', 'weekly', 'off'] as const;
export type Cadence = (typeof CADENCES)[number];

export const DELIVERY_CHANNELS = ['chat', 'activityFeed'] as const;
export type DeliveryChannel = (typeof DELIVERY_CHANNELS)[number];

export const MUTE_TARGETS = ['community', 'discussion'] as const;
export type MuteTarget = (typeof MUTE_TARGETS)[number];

const preferenceSchema = new Schema(
  {
    tenantId: { type: String, required: true, maxlength: 64 },
    userId: { type: String, required: true, maxlength: 64 },
    /** kind -> cadence (one of CADENCES), only for kinds the person changed; validated by the service. */
    kinds: { type: Schema.Types.Mixed, default: () => ({}) },
    channel: { type: String, enum: DELIVERY_CHANNELS },
    /** IANA zone for digest times; default the organisation's (src/time/time-zone.ts). */
    timeZone: { type: String, maxlength: 64 },
    /** Local hour (0-23) digests go out. */
    digestHour: { type: Number, min: 0, max: 23 },
    /** Language of messages, `nl` or `en`. */
    locale: { type: String, enum: [...LANGUAGES] },
  },
  {
    timestamps: true,
    minimize: false,
  },
);
preferenceSchema.plugin(toJsonPlugin, { id: false });
preferenceSchema.index({ tenantId: 1, userId: 1 }, { unique: true });

export type NotificationPreferenceRecord = InferSchemaType<typeof preferenceSchema> & { _id: mongoose.Types.ObjectId };

export const NotificationPreferenceModel = mongoose.model('NotificationPreference', preferenceSchema, 'notification_preferences');

const muteSchema = new Schema(
  {
    tenantId: { type: String, required: true, maxlength: 64 },
    userId: { type: String, required: true, maxlength: 64 },
    target: { type: String, enum: MUTE_TARGETS, required: true },
    targetId: { type: String, required: true, maxlength: 64 },
    /** What it was called when muted, for the settings list. */
    title: { type: String, maxlength: 200 },
  },
  { timestamps: true, versionKey: false },
);
muteSchema.index({ tenantId: 1, userId: 1, target: 1, targetId: 1 }, { unique: true });

export type NotificationMuteRecord = InferSchemaType<typeof muteSchema> & { _id: mongoose.Types.ObjectId; target: MuteTarget; createdAt: Date };

export const NotificationMuteModel = mongoose.model('NotificationMute', muteSchema, 'notification_mutes');
