/**
 * What the connected store guarantees. MongoDB (and Cosmos DB for MongoDB vCore) apply a
 * single-document update atomically. FerretDB 1.24 does not: `update` and `findAndModify`
 * read the document, apply the operators in FerretDB's own process and write the whole
 * document back, with nothing in between that stops a concurrent writer (FerretDB issue
 * #3040: "does not handle update in a transaction, that means a document updated can be
 * modified between query and update is applied"). Measured here: 10 concurrent `$inc` of
 * one document leave it at 2 to 5. Unique indexes, on the other hand, are enforced by the
 * backend (PostgreSQL or SQLite) and hold under any concurrency, so on FerretDB writes to
 * one document are serialised with a lease built on a unique index (document-lock.ts).
 */
import mongoose from 'mongoose';

export interface StoreCapabilities {
  /** The store's name as it reports itself. */
  product: 'mongodb' | 'ferretdb';
  version: string;
  /** Whether concurrent updates of one document must be serialised by us. */
  needsWriteSerialisation: boolean;
}

let detected: StoreCapabilities | undefined;

/** Asks the connected server who it is (buildInfo). Called once after connecting. */
export async function detectStoreCapabilities(): Promise<StoreCapabilities> {
  const db = mongoose.connection.db;
  if (!db) throw new Error('not connected');
  const info = (await db.admin().command({ buildInfo: 1 })) as { version?: string; ferretdbVersion?: string };
  detected = info.ferretdbVersion
    ? { product: 'ferretdb', version: info.ferretdbVersion, needsWriteSerialisation: true }
    : { product: 'mongodb', version: info.version ?? 'unknown', needsWriteSerialisation: false };
  return detected;
}

/** Before detection (or when unknown) we assume the weaker store: serialising is always safe. */
export function storeCapabilities(): StoreCapabilities {
  return detected ?? { product: 'ferretdb', version: 'unknown', needsWriteSerialisation: true };
}
