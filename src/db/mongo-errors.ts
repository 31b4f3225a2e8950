/** Maps the store's errors to domain errors, so services never leak driver messages. */
import { ConflictError } from '../errors/domain-errors.js';

const DUPLICATE_KEY = 11000;

export function isDuplicateKeyError(err: unknown): boolean {
  return typeof err === 'object' && err !== null && 'code' in err && (err as { code: unknown }).code === DUPLICATE_KEY;
}

/**
 * Runs a write; a unique-index violation becomes a `ConflictError` with the given message and
 * code instead of the driver's E11000 text (which names collections and values).
 */
export async function withUniqueConflict<T>(write: () => Promise<T>, message: string, code = 'already_exists'): Promise<T> {
  try {
    return await write();
  } catch (err) {
    if (isDuplicateKeyError(err)) throw new ConflictError(message, code);
    throw err;
  }
}

/**
 * Runs an upsert, and once more if it lost a race on a unique index: two first writes at
 * once both try to insert, the loser's insert fails with a duplicate key, and by then the
 * document exists, so the same write again updates it.
 * (https://www.mongodb.com/docs/manual/reference/method/db.collection.updateOne/#upsert-with-unique-index)
 */
export async function upsertRetryingRace<T>(write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (err) {
    if (!isDuplicateKeyError(err)) throw err;
    return write();
  }
}
