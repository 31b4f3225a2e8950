/**
 * A raw analytics event: one page view, download or action, kept only until it is rolled up
 * into the daily counters and the retention has passed (default 30 days). It holds no user
 * id, name, e-mail, free text or query string: the visitor is a pseudonymous hash of (tenant,
 * user id, the day's random salt), and the salt is deleted after its day, so a hash can
 * neither be reversed nor joined to another day's.
 */
import mongoose, { Schema, type InferSchemaType } from 'mongoose';
import { ACTION_KINDS, PAGE_ROUTES } from './page-routes.js';

const analyticsEventSchema = new Schema(
  {
    tenantId: { type: String, required: true },
    /** The Amsterdam calendar day of `at` (analytics-day.ts). */
    day: { type: String, required: true },
    at: { type: Date, required: true },
    /** HMAC of (tenant, user id) under the day's salt; 32 hex characters. */
    visitor: { type: String, required: true },
    /** The visitor was a guest (for the guests' share); nothing more of who they are. */
    guest: { type: Boolean, required: true },
    kind: { type: String, enum: ['view', 'download', 'action'], required: true },
    /** The community the page or action belongs to, when it belongs to one. */
    communityId: { type: String, default: null },
    /** Views: the tab's route name. */
    page: { type: String, enum: [...PAGE_ROUTES, null], default: null },
    /** Views of a community's object (community, discussion, event): its id. Never a person's id. */
    objectId: { type: String, default: null },
    /** Actions: which one. */
    action: { type: String, enum: [...ACTION_KINDS, null], default: null },
    /** Actions: from the tab or from a bot card. */
    source: { type: String, enum: ['tab', 'card', null], default: null },
  },
  { versionKey: false, collection: 'analytics_events' },
);
// The rollup reads one tenant's day; retention deletes by time.
analyticsEventSchema.index({ tenantId: 1, day: 1 });
analyticsEventSchema.index({ at: 1 });

export type AnalyticsEventRecord = InferSchemaType<typeof analyticsEventSchema> & { _id: mongoose.Types.ObjectId };
export const AnalyticsEventModel = mongoose.model('AnalyticsEvent', analyticsEventSchema);
