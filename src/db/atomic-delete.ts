/**
 * The delete counterpart of `atomicUpdate`: deletes the document matching a guarded filter
 * under the same per-document lock, so that a delete and a concurrent `atomicUpdate` of one
 * document (approve vs. decline a request) never both take effect on FerretDB.
 */
import type { Model, QueryFilter } from 'mongoose';
import { documentLocks, type DocumentLocks } from './document-lock.js';
import { storeCapabilities } from './store-capabilities.js';

export async function atomicDelete<T>(model: Model<T>, filter: QueryFilter<T>, options: { lockKey?: string; locks?: DocumentLocks } = {}): Promise<T | null> {
  const run = async () => ((await model.findOneAndDelete(filter).lean<T>().exec()) as T | null) ?? null;
  if (!storeCapabilities().needsWriteSerialisation) return run();
  // The same key as atomicUpdate's default (or the caller's), so deletes and updates of one document queue together.
  const id = (filter as { _id?: unknown })._id;
  const key = options.lockKey ?? (id !== undefined && id !== null && typeof id !== 'object' ? `${model.collection.collectionName}:${String(id)}` : isObjectIdLike(id) ? `${model.collection.collectionName}:${String(id)}` : undefined);
  if (!key) throw new Error('atomicDelete needs filter._id (a single id) or options.lockKey to know which document it serialises');
  return (options.locks ?? documentLocks).withLock(key, run);
}

function isObjectIdLike(value: unknown): boolean {
  return typeof value === 'object' && value !== null && typeof (value as { toHexString?: unknown }).toHexString === 'function';
}
