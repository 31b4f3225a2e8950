/**
 * Opens the store: the configured MONGODB_URI, or in local mode a FerretDB that we start
 * ourselves (SQLite backend, data under `.data/`). Production never starts a FerretDB.
 */
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { Config } from '../config/config.js';
import { dataDirectory } from '../config/paths.js';
import { connectDatabase, disconnectDatabase } from './connection.js';
import { startFerretDb, type FerretDbServer } from './ferretdb-server.js';

export interface OpenStore {
  uri: string;
  /** Disconnects, and stops the local FerretDB when we started one. */
  close(): Promise<void>;
}

export async function openStore(config: Config, logger: Logger): Promise<OpenStore> {
  let server: FerretDbServer | undefined;
  let uri = config.mongodbUri;
  if (!uri) {
    if (!config.localMode) throw new Error('MONGODB_URI is required unless AUTH_MODE=local');
    const data = dataDirectory(config.dataDir);
    server = await startFerretDb({
      backend: { kind: 'sqlite', directory: join(data, 'ferretdb') },
      stateDir: join(data, 'ferretdb-state'),
      onProgress: (line) => logger.info(line),
    });
    uri = `${server.uri}meent`;
  }
  // FerretDB on PostgreSQL, given its PostgreSQL: indexes PostgreSQL can use for FerretDB's filters (docs/database.md).
  await connectDatabase({ uri, logger, maxPoolSize: config.mongodbPoolSize, ...(config.ferretDbPostgresUrl && !server ? { ferretDbPostgresUrl: config.ferretDbPostgresUrl } : {}) });
  return {
    uri,
    async close() {
      await disconnectDatabase();
      await server?.stop();
    },
  };
}
