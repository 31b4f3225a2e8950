/**
 * Which weeks of a tenant's search index hold entries: one tiny document per (tenant, week),
 * written once with the first entry of that week. The lookup of a key (search-index.ts) walks
 * these weeks from the newest down instead of asking the store for the newest entries of the
 * key, because FerretDB 1.24 sorts and limits only after it has read every match
 * (https://docs.ferretdb.io/pushdown: filters only). Inserted, never updated: FerretDB applies
 * an update by reading and writing the whole document back, so concurrent `$max` updates of
 * one "newest week" document could lose a week, while an insert guarded by the unique `_id`
 * holds under any concurrency.
 */
import mongoose, { Schema } from 'mongoose';

const searchBucketSchema = new Schema(
  {
    /** `${tenantId}:${bucket}`. */
    _id: { type: String, required: true },
    tenantId: { type: String, required: true, maxlength: 64 },
    /** The week (see `bucketOfTime` in search-index.ts). */
    bucket: { type: Number, required: true },
  },
  { timestamps: false, versionKey: false },
);
searchBucketSchema.index({ tenantId: 1 });

export interface SearchBucketRecord {
  _id: string;
  tenantId: string;
  bucket: number;
}

export const SearchBucketModel = mongoose.model('SearchBucket', searchBucketSchema, 'search_buckets');
