/**
 * Deletes at most `limit` documents matching a filter, oldest first: the shape of every
 * retention purge. Neither MongoDB's nor FerretDB's `deleteMany` takes a limit, so the ids of
 * one batch are read first (sorted, limited) and then deleted by id; a document that changed
 * in between is deleted only if it still matches.
 */
import mongoose from 'mongoose';

/** What the purge needs of a model (any model's own generics are too narrow to pass it as `Model<unknown>`). */
interface Purgeable {
  find(filter: object, projection: object): { sort(order: Record<string, 1>): { limit(n: number): { lean<T>(): PromiseLike<T> } } };
  deleteMany(filter: object): PromiseLike<{ deletedCount: number }>;
}

export async function deleteOldestBatch(model: Purgeable, filter: Record<string, unknown>, sortField: string, limit: number): Promise<number> {
  if (limit <= 0) return 0;
  const batch = await model.find(filter, { _id: 1 }).sort({ [sortField]: 1, _id: 1 }).limit(limit).lean<{ _id: unknown }[]>();
  if (batch.length === 0) return 0;
  const removed = await model.deleteMany({ ...filter, _id: mongoose.trusted({ $in: batch.map((d) => d._id) }) });
  return removed.deletedCount;
}
