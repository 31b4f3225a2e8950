/**
 * Migrations of the search index's stored documents (run at start by
 * src/migrations/run-migrations.ts; the list of all of them is src/migrations/migrations.ts).
 */
import mongoose from 'mongoose';
import { SearchEntryModel } from './search-entry.model.js';
import { bucketOfTime, eraOfBucket, searchIndex } from './search-index.js';

const BATCH = 500;

/**
 * Entries written before the lookup walked weeks (search-index.ts) carry no week: they get
 * the week and era of their `at`, and each week its marker, so the walk finds them. The
 * markers go first, then the entries one by one (FerretDB 1.24 has no multi-document update
 * with per-document values); an interrupted run leaves entries without a week, and the next
 * run picks them up.
 */
export const searchEntryWeeks = {
  id: '2026-12-07-search-entry-weeks',
  description: 'Search entries get the week and era of their date, and each week a marker, so that a lookup reads the newest weeks first instead of every match.',
  async up(): Promise<number> {
    let changed = 0;
    for (;;) {
      const rows = await SearchEntryModel.find({ bucket: mongoose.trusted({ $exists: false }) }).select({ _id: 1, tenantId: 1, at: 1 }).limit(BATCH).lean<{ _id: mongoose.Types.ObjectId; tenantId: string; at: Date }[]>();
      if (rows.length === 0) return changed;
      const weeks = rows.map((r) => ({ ...r, bucket: bucketOfTime(r.at) }));
      await searchIndex.markBuckets(weeks);
      for (const row of weeks) {
        const result = await SearchEntryModel.updateOne({ _id: row._id, bucket: mongoose.trusted({ $exists: false }) }, { $set: { bucket: row.bucket, era: eraOfBucket(row.bucket) } });
        changed += result.modifiedCount;
      }
    }
  },
};
