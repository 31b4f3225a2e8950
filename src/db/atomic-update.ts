/**
 * A guarded single-document update that is atomic on every store Meent supports: the
 * filter (with its guard, e.g. `taken < capacity`) and the update apply as one step, so
 * concurrent callers never lose an update and never pass the guard together. On MongoDB
 * this is plain `findOneAndUpdate`; on FerretDB the same call runs under a per-document lock.
 * Every write to a document that may be written concurrently goes through here.
 */
import type { Model, QueryFilter, UpdateQuery } from 'mongoose';
import { documentLocks, type DocumentLocks } from './document-lock.js';
import { storeCapabilities } from './store-capabilities.js';

export interface AtomicUpdateOptions {
  /** The document's identity for locking; defaults to `<collection>:<filter._id>`. */
  lockKey?: string;
  /** Create the document when the filter matches none. */
  upsert?: boolean;
  /** Another lock manager (tests simulate several processes). */
  locks?: DocumentLocks;
}

export async function atomicUpdate<T>(
  model: Model<T>,
  filter: QueryFilter<T>,
  update: UpdateQuery<T>,
  options: AtomicUpdateOptions = {},
): Promise<T | null> {
  const run = async () =>
    (await model
      .findOneAndUpdate(filter, update, { returnDocument: 'after', upsert: options.upsert ?? false, runValidators: true })
      .lean<T>()
      .exec()) ?? null;
  if (!storeCapabilities().needsWriteSerialisation) return run();
  const id = (filter as { _id?: unknown })._id;
  const key = options.lockKey ?? (typeof id === 'string' || isObjectIdLike(id) ? `${model.collection.collectionName}:${String(id)}` : undefined);
  if (!key) throw new Error('atomicUpdate needs filter._id (a single id) or options.lockKey to know which document it serialises');
  return (options.locks ?? documentLocks).withLock(key, run);
}

function isObjectIdLike(value: unknown): boolean {
  return typeof value === 'object' && value !== null && typeof (value as { toHexString?: unknown }).toHexString === 'function';
}
