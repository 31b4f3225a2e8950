/**
 * A person's profile photo as last fetched from Microsoft Graph, or the fact that they have
 * none, so the tab's many avatars do not each cost a Graph call. Refreshed lazily.
 */
import mongoose, { Schema, type InferSchemaType } from 'mongoose';

const userPhotoSchema = new Schema(
  {
    tenantId: { type: String, required: true },
    userId: { type: String, required: true },
    /** False when Graph says the person has no photo. */
    hasPhoto: { type: Boolean, required: true },
    contentType: { type: String, maxlength: 100 },
    /** At most 4 MB (the gateway refuses larger photos), well within a document's 16 MB. */
    data: { type: Buffer },
    fetchedAt: { type: Date, required: true },
  },
  { timestamps: true },
);
userPhotoSchema.index({ tenantId: 1, userId: 1 }, { unique: true });

export type UserPhotoRecord = InferSchemaType<typeof userPhotoSchema> & { _id: mongoose.Types.ObjectId };

export const UserPhotoModel = mongoose.model('UserPhoto', userPhotoSchema, 'user_photos');
