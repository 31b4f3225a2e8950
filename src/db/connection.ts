/**
 * The one mongoose connection of the process: connects with retries at start-up (the store
 * may still be starting), builds indexes explicitly, turns on `sanitizeFilter` so that user
 * input can never smuggle query operators into a filter, and closes on shutdown.
 */
import mongoose from 'mongoose';
import type { Logger } from 'pino';
import { addPostgresIndexesForFerretDb } from './ferretdb-postgres-indexes.js';
import { readCache } from './read-cache.js';
import { detectStoreCapabilities } from './store-capabilities.js';
import { askForWholeResultsInFirstBatch } from './whole-results.js';

export interface ConnectOptions {
  uri: string;
  /** Overrides the database named in the URI (tests use one database per file). */
  dbName?: string;
  logger?: Pick<Logger, 'info' | 'warn'>;
  attempts?: number;
  initialDelayMs?: number;
  serverSelectionTimeoutMs?: number;
  /**
   * Concurrent operations this process sends. Against FerretDB on PostgreSQL it must stay
   * below FerretDB's own pool (`pool_max_conns`, default 50): an update there holds one
   * PostgreSQL connection while it waits for a second, so as many concurrent updates as
   * pool connections deadlock FerretDB (seen here: 100 concurrent updates with the default
   * pool of 50, and 200 with a pool of 8, never returned).
   */
  maxPoolSize?: number;
  /**
   * The PostgreSQL URL of the FerretDB behind `uri`, when we know it (we started it): its
   * tables then get indexes PostgreSQL can use for FerretDB's filters (ferretdb-postgres-indexes.ts).
   */
  ferretDbPostgresUrl?: string;
}

// Applied once at import so that every model, whoever registers it, inherits them.
mongoose.set('sanitizeFilter', true);
mongoose.set('strictQuery', true);
mongoose.set('autoIndex', false);
mongoose.set('autoCreate', true);
askForWholeResultsInFirstBatch();

export async function connectDatabase(options: ConnectOptions): Promise<typeof mongoose> {
  const attempts = options.attempts ?? 10;
  let delay = options.initialDelayMs ?? 250;
  for (let attempt = 1; ; attempt++) {
    try {
      await mongoose.connect(options.uri, {
        dbName: options.dbName,
        serverSelectionTimeoutMS: options.serverSelectionTimeoutMs ?? 5000,
        maxPoolSize: options.maxPoolSize ?? 20,
        appName: 'meent',
      });
      break;
    } catch (err) {
      await mongoose.disconnect().catch(() => undefined);
      if (attempt >= attempts) {
        throw new Error(`Could not reach the database after ${attempts} attempts: ${(err as Error).message}`, { cause: err });
      }
      options.logger?.warn({ attempt, delayMs: delay, err: (err as Error).message }, 'database not reachable yet; retrying');
      await new Promise((r) => setTimeout(r, delay));
      delay = Math.min(delay * 2, 5000);
    }
  }
  // Another database is another world: nothing read from the one before may be served from it
  // (tests give each file its own database in one process; a stamp there can repeat one here).
  readCache().clear();
  const store = await detectStoreCapabilities();
  await syncAllIndexes();
  if (options.ferretDbPostgresUrl && store.product === 'ferretdb') await addBackendIndexes(options.ferretDbPostgresUrl, options.logger);
  options.logger?.info({ db: mongoose.connection.name, store: store.product, version: store.version }, 'database connected');
  return mongoose;
}

/** Creates the indexes every registered model declares (and drops ones no longer declared). */
export async function syncAllIndexes(): Promise<void> {
  for (const model of Object.values(mongoose.connection.models)) {
    await model.syncIndexes();
  }
}

/**
 * They only make queries faster, so a failure (say, two processes creating the same index at
 * once) is worth one retry and a warning, not a failed start.
 */
async function addBackendIndexes(postgresUrl: string, logger?: Pick<Logger, 'info' | 'warn'>): Promise<void> {
  for (let attempt = 1; attempt <= 2; attempt++) {
    try {
      const result = await addPostgresIndexesForFerretDb(postgresUrl, mongoose.connection.name);
      if (result.created > 0 || result.dropped > 0) logger?.info(result, 'PostgreSQL indexes for FerretDB filters updated');
      return;
    } catch (err) {
      if (attempt === 2) logger?.warn({ err: (err as Error).message }, 'could not add PostgreSQL indexes for FerretDB filters; queries scan whole tables');
    }
  }
}

/** True when the database answers a ping within the timeout; used by /readyz. */
export async function isDatabaseReachable(timeoutMs = 2000): Promise<boolean> {
  const db = mongoose.connection.db;
  if (mongoose.connection.readyState !== 1 || !db) return false;
  let timer: NodeJS.Timeout | undefined;
  try {
    const ping = db.admin().command({ ping: 1 });
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error('ping timed out')), timeoutMs);
    });
    const answer = await Promise.race([ping, timeout]);
    return answer.ok === 1;
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
}

export async function disconnectDatabase(): Promise<void> {
  await mongoose.disconnect();
}
