/**
 * Mocha global fixtures, run once in mocha's main process (also when files run in parallel
 * workers): the tab built when stale, and one FerretDB server on a fresh PostgreSQL database
 * for the whole run (each test file then takes its own MongoDB database, see `database.ts`),
 * stopped and dropped afterwards.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFerretDb, type FerretDbServer } from '../../src/db/ferretdb-server.js';
import { createTemporaryPostgresDatabase, type TemporaryPostgresDatabase } from './postgres.js';
import { ensureTabBuilt } from './tab-server.js';

let server: FerretDbServer | undefined;
let postgres: TemporaryPostgresDatabase | undefined;
let stateDir: string | undefined;

export async function mochaGlobalSetup(): Promise<void> {
  // Once, before any file: files running in parallel would otherwise each start a build of the same folder.
  await ensureTabBuilt();
  if (process.env.MEENT_TEST_MONGODB_URI) return; // a store given from outside (e.g. a real MongoDB)
  postgres = await createTemporaryPostgresDatabase();
  stateDir = mkdtempSync(join(tmpdir(), 'meent-ferretdb-state-'));
  server = await startFerretDb({
    backend: { kind: 'postgresql', url: postgres.url },
    stateDir,
    onProgress: (line) => console.log(`  [ferretdb] ${line}`),
  });
  process.env.MEENT_TEST_MONGODB_URI = server.uri;
  // Each test file's database then gets the PostgreSQL indexes production-like runs get (database.ts).
  process.env.MEENT_TEST_FERRETDB_POSTGRES_URL = postgres.url;
}

export async function mochaGlobalTeardown(): Promise<void> {
  await server?.stop();
  await postgres?.drop();
  if (stateDir) rmSync(stateDir, { recursive: true, force: true });
}
