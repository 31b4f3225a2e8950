/**
 * The privacy capability's own documents: the per-tenant key of the pseudonyms, the erasure
 * jobs (one per erased person, found again by pseudonym), and the data exports (one document
 * per person: the running or latest export, so two requests at once start one export).
 */
import mongoose, { Schema, type Types } from 'mongoose';

const pseudonymKeySchema = new Schema(
  {
    tenantId: { type: String, required: true, maxlength: 64 },
    /** 32 random bytes, hex: the HMAC key of the tenant's pseudonyms. */
    key: { type: String, required: true, maxlength: 64 },
  },
  { timestamps: true, versionKey: false },
);
pseudonymKeySchema.index({ tenantId: 1 }, { unique: true });
export const PseudonymKeyModel = mongoose.model('PrivacyPseudonymKey', pseudonymKeySchema, 'privacy_pseudonym_keys');

export const ERASURE_STATUSES = ['running', 'done'] as const;
const erasureJobSchema = new Schema(
  {
    tenantId: { type: String, required: true, maxlength: 64 },
    pseudonym: { type: String, required: true, maxlength: 64 },
    status: { type: String, enum: ERASURE_STATUSES, required: true },
    by: { type: String, enum: ['self', 'admin', 'leaver'], required: true },
    keepText: { type: Boolean, required: true },
    /** Held only while the job runs (a rerun needs them); removed when it is done. */
    userId: { type: String, maxlength: 64 },
    names: { type: [String], default: undefined },
    emails: { type: [String], default: undefined },
    /** The contributors that finished. */
    done: { type: [String], default: [] },
    attempts: { type: Number, default: 0 },
    finishedAt: { type: Date },
  },
  { timestamps: true, versionKey: false },
);
erasureJobSchema.index({ tenantId: 1, pseudonym: 1 }, { unique: true });
erasureJobSchema.index({ status: 1, updatedAt: 1 });

export interface ErasureJobRecord {
  _id: Types.ObjectId;
  tenantId: string;
  pseudonym: string;
  status: (typeof ERASURE_STATUSES)[number];
  by: 'self' | 'admin' | 'leaver';
  keepText: boolean;
  userId?: string;
  names?: string[];
  emails?: string[];
  done: string[];
  attempts: number;
  finishedAt?: Date;
}
export const ErasureJobModel = mongoose.model('PrivacyErasureJob', erasureJobSchema, 'privacy_erasure_jobs');

export const EXPORT_STATUSES = ['pending', 'running', 'ready', 'failed'] as const;
export type ExportStatus = (typeof EXPORT_STATUSES)[number];
const exportJobSchema = new Schema(
  {
    tenantId: { type: String, required: true, maxlength: 64 },
    userId: { type: String, required: true, maxlength: 64 },
    /** A new id per export (the file's name; the lease's key). */
    exportId: { type: String, required: true, maxlength: 64 },
    /** The ZIP's path on disk (the retention purge removes it without knowing the configuration). */
    file: { type: String, required: true, maxlength: 1000 },
    status: { type: String, enum: EXPORT_STATUSES, required: true },
    language: { type: String, enum: ['nl', 'en'], required: true },
    done: { type: Number, default: 0 },
    total: { type: Number, default: 0 },
    /**
     * The download link's random part. Kept (not hashed) because the owner's GET shows the
     * link again; alone it opens nothing: the download also needs the owner's own sign-in.
     */
    token: { type: String, maxlength: 64 },
    /** When the runner last showed it is alive (a stale running export is taken over). */
    heartbeatAt: { type: Date },
    readyAt: { type: Date },
    expiresAt: { type: Date },
    attempts: { type: Number, default: 0 },
    bytes: { type: Number },
  },
  { timestamps: true },
);
exportJobSchema.index({ tenantId: 1, userId: 1 }, { unique: true });
exportJobSchema.index({ status: 1, heartbeatAt: 1 });
exportJobSchema.index({ expiresAt: 1 });

export interface ExportJobRecord {
  _id: Types.ObjectId;
  tenantId: string;
  userId: string;
  exportId: string;
  file: string;
  status: ExportStatus;
  language: 'nl' | 'en';
  done: number;
  total: number;
  token?: string | null;
  heartbeatAt?: Date | null;
  readyAt?: Date | null;
  expiresAt?: Date | null;
  attempts: number;
  bytes?: number | null;
  createdAt: Date;
  updatedAt: Date;
}
export const ExportJobModel = mongoose.model('PrivacyExportJob', exportJobSchema, 'privacy_exports');
