/**
 * Which migrations of stored documents have run: one document per migration, keyed by the
 * migration's id, so the store itself says how far its documents have been brought up to date.
 * Nothing here is about a person.
 */
import mongoose, { Schema } from 'mongoose';

const migrationSchema = new Schema(
  {
    _id: { type: String, required: true, maxlength: 100 },
    appliedAt: { type: Date, required: true },
    /** How many documents it changed (0 on a store that never had the old shape). */
    changed: { type: Number, required: true },
    durationMs: { type: Number, required: true },
  },
  { versionKey: false, collection: 'migrations' },
);

export const MigrationModel = mongoose.model('Migration', migrationSchema);
