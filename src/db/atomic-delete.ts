/**
 * The delete counterpart of `atomicUpdate`: deletes the document matching a guarded filter
 * under the same per-document lock, so that a delete and a concurrent `atomicUpdate` of one
 * document (approve vs. decline a request) never both take effect on FerretDB.
 */
import type { Model, QueryFilter } from 'mongoose';
import { documentLocks, type DocumentLocks } from './document-lock.js';
import { storeCapabilities } from './store-capabilities.js';

export async function atomicDelete<T>(model: Model<T>, filter: QueryFilter<T> & { _id: unknown }, options: { locks?: DocumentLocks } = {}): Promise<T | null> {
  const run = async () => ((await model.findOneAndDelete(filter).lean<T>().exec()) as T | null) ?? null;
  if (!storeCapabilities().needsWriteSerialisation) return run();
  // The same key as atomicUpdate's default, so deletes and updates of one document queue together.
  const key = `${model.collection.collectionName}:${String(filter._id)}`;
  return (options.locks ?? documentLocks).withLock(key, run);
}
