/**
 * The daily counters the figures are read from: one document per (tenant, community, day),
 * and one per (tenant, day) for the whole organisation (`communityId` null). They count, they
 * name nobody. `AnalyticsPendingModel` marks the days whose raw events changed since their
 * last rollup: the recorder bumps `version` on every write, the rollup clears the marker only
 * if `version` is still what it read, so no write is ever left out of a rollup.
 */
import mongoose, { Schema, type InferSchemaType } from 'mongoose';

/** The counters' fields, shared with the monthly rollups (their sums). */
export const COUNTER_FIELDS = {
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
    /**
     * `organisation` or the community id, and `YYYY-MM`: what the figures query by. FerretDB
     * hands string equalities to PostgreSQL but evaluates null, ranges and `$in` itself, after
     * reading every document the rest matches; equalities on these keep a year's question to
     * the year's documents of one scope.
     */
    scope: { type: String, required: true },
    month: { type: String, required: true },
    ...COUNTER_FIELDS,
    /**
     * The scope's members at the end of the day, of them joined that day, and guests: a
     * snapshot the rollup job writes once the day is over (absent for days it did not see).
     * Not counters: a period's members are its last snapshot, its growth the sum of `newMembers`.
     */
    members: { type: Number },
    newMembers: { type: Number },
    guestMembers: { type: Number },
    /** The day's most viewed discussions and events (at most 20), for the tops of a period. */
    top: { type: [{ _id: false, route: String, objectId: String, views: Number }], default: [] },
  },
  { versionKey: false, collection: 'analytics_daily' },
);
dailyRollupSchema.index({ tenantId: 1, communityId: 1, day: 1 }, { unique: true });
dailyRollupSchema.index({ tenantId: 1, scope: 1, month: 1 });

const pendingSchema = new Schema(
  {
    tenantId: { type: String, required: true },
    day: { type: String, required: true },
    version: { type: Number, required: true, default: 0 },
  },
  { versionKey: false, collection: 'analytics_pending' },
);
pendingSchema.index({ tenantId: 1, day: 1 }, { unique: true });

export const COUNTER_NAMES = Object.keys(COUNTER_FIELDS) as (keyof typeof COUNTER_FIELDS)[];
export type CounterName = keyof typeof COUNTER_FIELDS;
export type DailyRollupRecord = InferSchemaType<typeof dailyRollupSchema>;
export const DailyRollupModel = mongoose.model('AnalyticsDailyRollup', dailyRollupSchema);
export const AnalyticsPendingModel = mongoose.model('AnalyticsPending', pendingSchema);
