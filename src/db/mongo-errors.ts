/** Maps the store's errors to domain errors, so services never leak driver messages. */
import mongoose from 'mongoose';
import { ConflictError, UnavailableError } from '../errors/domain-errors.js';

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

const { MongoNetworkError, MongoServerSelectionError, MongoNotConnectedError, MongoTopologyClosedError, MongoClientClosedError } = mongoose.mongo;

/**
 * True when the error says the store could not be reached, not that it refused the operation:
 * a connection that died under the operation (the store was killed or restarted; the driver's
 * pool-cleared and network-timeout errors are network errors too), no server found within
 * `serverSelectionTimeoutMS`, a client not or no longer connected, and mongoose giving up on an
 * operation it buffered while disconnected. Looked for along the `cause` chain, since callers
 * may wrap it.
 */
export function isStoreUnreachableError(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    if (e instanceof MongoNetworkError || e instanceof MongoServerSelectionError || e instanceof MongoNotConnectedError || e instanceof MongoTopologyClosedError || e instanceof MongoClientClosedError) return true;
    if (e instanceof mongoose.Error.MongooseServerSelectionError) return true;
    // mongoose's buffering timeout is a plain MongooseError, told apart only by its message.
    if (e instanceof mongoose.Error && /buffering timed out/.test(e.message)) return true;
  }
  return false;
}

/**
 * The 503 a request gets when the store cannot be reached: the client may try again shortly.
 * The outcome of a write that was in flight when the connection died is unknown (it may have
 * been applied); the message says so rather than "nothing happened".
 */
export function storeUnavailableError(): UnavailableError {
  return new UnavailableError('The database cannot be reached right now; try again shortly. A change sent just now may or may not have been saved.', 'store_unavailable');
}

/** Seconds a client is asked to wait before trying again after `store_unavailable`. */
export const STORE_RETRY_AFTER_SECONDS = 5;
