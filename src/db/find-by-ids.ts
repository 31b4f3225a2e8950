/**
 * The documents with these ids that also match `filter`, read so that the store can use its
 * `_id` index. MongoDB takes one `$in`. FerretDB 1.24 hands only equalities to PostgreSQL
 * (https://docs.ferretdb.io/pushdown): a `$in` over ids read every document the rest of the
 * filter matches (every discussion of the tenant, for the few an event page names), so there
 * it is one equality lookup per id, side by side.
 */
import mongoose, { type Model, type Types } from 'mongoose';
import { storeCapabilities } from './store-capabilities.js';

export async function findByIds<R>(model: { modelName: string }, ids: readonly Types.ObjectId[], filter: Record<string, unknown>, projection: Record<string, 0 | 1>): Promise<R[]> {
  const unique = [...new Map(ids.map((id) => [String(id), id])).values()];
  if (unique.length === 0) return [];
  // Any model: the caller names the shape its projection reads (as pagedLean does).
  const typed = model as unknown as Model<R>;
  if (storeCapabilities().product !== 'ferretdb') {
    return typed.find({ ...filter, _id: mongoose.trusted({ $in: unique }) }, projection).lean<R[]>();
  }
  const found = await Promise.all(unique.map((_id) => typed.findOne({ ...filter, _id }, projection).lean<R>()));
  return found.filter((doc): doc is NonNullable<typeof doc> => doc !== null);
}
