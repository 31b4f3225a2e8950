/**
 * The daily counters the figures are read from: one document per (tenant, community, day),
 * and one per (tenant, day) for the whole organisation (`communityId` null). They count, they
 * name nobody. `AnalyticsPendingModel` marks the days whose raw events changed since their
 * last rollup: the recorder bumps `version` on every write, the rollup clears the marker only
 * if `version` is still what it read, so no write is ever left out of a rollup.
 */
import mongoose, { Schema, type InferSchemaType } from 'mongoose';

const counters = {
  visitors: { type: Number, default: 0 },
  guestVisitors: { type: Number, default: 0 },
  visits: { type: Number, default: 0 },
  pageViews: { type: Number, default: 0 },
  uniquePageViews: { type: Number, default: 0 },
  downloads: { type: Number, default: 0 },
  actions: { type: Number, default: 0 },
  eventPageVisits: { type: Number, default: 0 },
  replies: { type: Number, default: 0 },
  reactions: { type: Number, default: 0 },
  discussionsStarted: { type: Number, default: 0 },
  signUps: { type: Number, default: 0 },
  signUpsFromCards: { type: Number, default: 0 },
  consultationAnswers: { type: Number, default: 0 },
  searches: { type: Number, default: 0 },
};

const dailyRollupSchema = new Schema(
  {
    tenantId: { type: String, required: true },
    communityId: { type: String, default: null },
    day: { type: String, required: true },
    ...counters,
    /** The day's most viewed discussions and events (at most 20), for the tops of a period. */
    top: { type: [{ _id: false, route: String, objectId: String, views: Number }], default: [] },
  },
  { versionKey: false, collection: 'analytics_daily' },
);
dailyRollupSchema.index({ tenantId: 1, communityId: 1, day: 1 }, { unique: true });

const pendingSchema = new Schema(
  {
    tenantId: { type: String, required: true },
    day: { type: String, required: true },
    version: { type: Number, required: true, default: 0 },
  },
  { versionKey: false, collection: 'analytics_pending' },
);
pendingSchema.index({ tenantId: 1, day: 1 }, { unique: true });

export const COUNTER_NAMES = Object.keys(counters) as (keyof typeof counters)[];
export type CounterName = keyof typeof counters;
export type DailyRollupRecord = InferSchemaType<typeof dailyRollupSchema>;
export const DailyRollupModel = mongoose.model('AnalyticsDailyRollup', dailyRollupSchema);
export const AnalyticsPendingModel = mongoose.model('AnalyticsPending', pendingSchema);
