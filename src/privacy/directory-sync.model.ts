/**
 * Per tenant, where the leavers job stopped reading Microsoft Graph's `users` delta: the
 * `@odata.deltaLink` to ask next time (https://learn.microsoft.com/en-us/graph/delta-query-users).
 */
import mongoose, { Schema, type InferSchemaType } from 'mongoose';

const directorySyncSchema = new Schema(
  {
    tenantId: { type: String, required: true, maxlength: 64 },
    /** Graph's opaque continuation URL; absent until the first full round has finished. */
    deltaLink: { type: String, maxlength: 8192 },
    lastRunAt: { type: Date },
  },
  { timestamps: true, versionKey: false },
);
directorySyncSchema.index({ tenantId: 1 }, { unique: true });

export type DirectorySyncRecord = InferSchemaType<typeof directorySyncSchema> & { _id: mongoose.Types.ObjectId };

export const DirectorySyncModel = mongoose.model('DirectorySync', directorySyncSchema, 'directory_sync');
