/**
 * How far a person has read a discussion: the highest reply sequence number seen. Unread
 * replies are those above it; a discussion without a marker is new to the person.
 */
import mongoose, { Schema, type InferSchemaType } from 'mongoose';
import { versionStamped } from '../db/read-cache.js';
import { stampedByPerson } from '../db/read-scopes.js';

const readMarkerSchema = new Schema(
  {
    tenantId: { type: String, required: true, maxlength: 64 },
    communityId: { type: Schema.Types.ObjectId, required: true },
    discussionId: { type: Schema.Types.ObjectId, required: true },
    userId: { type: String, required: true, maxlength: 64 },
    lastReadSeq: { type: Number, default: 0, min: 0 },
    readAt: { type: Date, required: true },
  },
  { versionKey: false },
);
readMarkerSchema.index({ discussionId: 1, userId: 1 }, { unique: true });
readMarkerSchema.index({ communityId: 1, userId: 1 });
readMarkerSchema.index({ tenantId: 1, userId: 1 });

export type ReadMarkerRecord = InferSchemaType<typeof readMarkerSchema> & { _id: mongoose.Types.ObjectId };

// Writes move the read caches' stamps (read-cache.ts).
versionStamped(readMarkerSchema, stampedByPerson('ReadMarker'));
export const ReadMarkerModel = mongoose.model('ReadMarker', readMarkerSchema, 'read_markers');
