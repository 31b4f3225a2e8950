/**
 * A person's private calendar feed: a secret URL their calendar app subscribes to, listing
 * the events they signed up for. Only the SHA-256 of the token is stored, so the database
 * cannot give the URL away; creating a new one replaces the old, deleting it revokes it.
 */
import mongoose, { Schema, type InferSchemaType } from 'mongoose';

const calendarFeedSchema = new Schema(
  {
    tenantId: { type: String, required: true, maxlength: 64 },
    userId: { type: String, required: true, maxlength: 64 },
    /** Hex SHA-256 of the token. */
    tokenHash: { type: String, required: true, maxlength: 64 },
    /** When the current token was made. */
    issuedAt: { type: Date, required: true },
    lastUsedAt: { type: Date, default: null },
  },
  { timestamps: true },
);
calendarFeedSchema.index({ tenantId: 1, userId: 1 }, { unique: true });
calendarFeedSchema.index({ tokenHash: 1 }, { unique: true });

export type CalendarFeedRecord = InferSchemaType<typeof calendarFeedSchema> & { _id: mongoose.Types.ObjectId; createdAt: Date; updatedAt: Date };

export const CalendarFeedModel = mongoose.model('EventCalendarFeed', calendarFeedSchema, 'event_calendar_feeds');
