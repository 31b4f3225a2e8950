/**
 * An upload in progress from the tab into the community's library: the Graph upload session
 * (its URL is pre-authenticated, so it never leaves the server), how far it got, and the item
 * once complete. Removed a day after it was started (sessions expire then, per Graph).
 */
import mongoose, { Schema, type InferSchemaType } from 'mongoose';

const uploadSchema = new Schema(
  {
    tenantId: { type: String, required: true, maxlength: 64 },
    communityId: { type: Schema.Types.ObjectId, required: true },
    userId: { type: String, required: true, maxlength: 64 },
    name: { type: String, required: true, maxlength: 400 },
    size: { type: Number, required: true, min: 1 },
    uploadUrl: { type: String, required: true, maxlength: 4000 },
    expiresAt: { type: Date, required: true },
    /**
     * The folder under the library's root the session puts the file in: where Meent looks for
     * the file when the answer to the last fragment was lost (AttachmentService.recoverLostCompletion).
     */
    folderPath: { type: String, default: null, maxlength: 400 },
    /** The next byte the session expects. */
    nextOffset: { type: Number, default: 0, min: 0 },
    status: { type: String, enum: ['uploading', 'complete'], default: 'uploading' },
    /** Fragments it may still send without counting as the person's writes (upload-fragment-writes.ts). */
    fragmentsLeft: { type: Number, default: 0, min: 0 },
    driveId: { type: String, default: null, maxlength: 300 },
    itemId: { type: String, default: null, maxlength: 300 },
  },
  { timestamps: true, versionKey: false },
);
uploadSchema.index({ tenantId: 1, userId: 1 });
uploadSchema.index({ driveId: 1, itemId: 1 });
uploadSchema.index({ expiresAt: 1 });

export type UploadRecord = InferSchemaType<typeof uploadSchema> & { _id: mongoose.Types.ObjectId; status: 'uploading' | 'complete'; createdAt: Date };

export const AttachmentUploadModel = mongoose.model('AttachmentUpload', uploadSchema);
