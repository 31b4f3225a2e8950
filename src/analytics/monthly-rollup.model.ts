/**
 * The monthly counters a long period's figures are read from: one document per (tenant, scope,
 * month that is over), the sum of that month's daily counters (daily-rollup.model.ts), so that a
 * year is twelve small documents per scope instead of 365. The month's most viewed discussions
 * and events are kept apart (`analytics_monthly_top`), cut to the top few of each kind, and read
 * only for the tops. `AnalyticsPendingMonthModel` marks months whose days changed since their
 * last monthly rollup, with the same version guard as the days' markers. They count, they name
 * nobody.
 */
import mongoose, { Schema, type InferSchemaType } from 'mongoose';
import { COUNTER_FIELDS } from './daily-rollup.model.js';

const monthlyRollupSchema = new Schema(
  {
    tenantId: { type: String, required: true },
    communityId: { type: String, default: null },
    /** `organisation` or the community id, `YYYY-MM` and `YYYY`: string equalities, which FerretDB hands to PostgreSQL. */
    scope: { type: String, required: true },
    month: { type: String, required: true },
    year: { type: String, required: true },
    ...COUNTER_FIELDS,
    /** The last member snapshot of the month (absent when the month has none), its day, and the sum of the snapshots' joiners. */
    members: { type: Number },
    membersDay: { type: String },
    newMembers: { type: Number },
    guestMembers: { type: Number },
  },
  { versionKey: false, collection: 'analytics_monthly' },
);
monthlyRollupSchema.index({ tenantId: 1, scope: 1, month: 1 }, { unique: true });
monthlyRollupSchema.index({ tenantId: 1, scope: 1, year: 1 });

const monthlyTopSchema = new Schema(
  {
    tenantId: { type: String, required: true },
    scope: { type: String, required: true },
    month: { type: String, required: true },
    year: { type: String, required: true },
    /** The month's most viewed discussions and events (at most TOP_PER_MONTH of each), summed from its days' tops. */
    top: { type: [{ _id: false, route: String, objectId: String, views: Number }], default: [] },
  },
  { versionKey: false, collection: 'analytics_monthly_top' },
);
monthlyTopSchema.index({ tenantId: 1, scope: 1, month: 1 }, { unique: true });
monthlyTopSchema.index({ tenantId: 1, scope: 1, year: 1 });

const pendingMonthSchema = new Schema(
  {
    tenantId: { type: String, required: true },
    month: { type: String, required: true },
    version: { type: Number, required: true, default: 0 },
  },
  { versionKey: false, collection: 'analytics_pending_months' },
);
pendingMonthSchema.index({ tenantId: 1, month: 1 }, { unique: true });

export type MonthlyRollupRecord = InferSchemaType<typeof monthlyRollupSchema>;
export const MonthlyRollupModel = mongoose.model('AnalyticsMonthlyRollup', monthlyRollupSchema);
export const MonthlyTopModel = mongoose.model('AnalyticsMonthlyTop', monthlyTopSchema);
export const AnalyticsPendingMonthModel = mongoose.model('AnalyticsPendingMonth', pendingMonthSchema);
