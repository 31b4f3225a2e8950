/**
 * What the store-backed benches share: a store for the run (FerretDB on a temporary database of
 * the tests' PostgreSQL, or MEENT_BENCH_MONGODB_URI), dropped afterwards, and the description
 * of the machine written with each result.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, freemem, loadavg, platform, release, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import mongoose from 'mongoose';
import pg from 'pg';
import { connectDatabase, disconnectDatabase } from '../src/db/connection.js';
import { startFerretDb, type FerretDbServer } from '../src/db/ferretdb-server.js';
import { storeCapabilities } from '../src/db/store-capabilities.js';
import { createTemporaryPostgresDatabase, type TemporaryPostgresDatabase } from '../test/support/postgres.js';

/** Connects to a store of its own for the bench `name`, runs `work`, and drops it all afterwards. */
/** Where the bench's store runs, when the bench started it (for CPU accounting). */
export interface BenchStore {
  ferretDbPort?: number;
  postgresUrl?: string;
}

export async function withBenchStore<T>(name: string, work: (store: BenchStore) => Promise<T>): Promise<T> {
  let postgres: TemporaryPostgresDatabase | undefined;
  let ferret: FerretDbServer | undefined;
  let uri = process.env.MEENT_BENCH_MONGODB_URI;
  const stateDir = mkdtempSync(join(tmpdir(), 'meent-bench-ferretdb-'));
  try {
    if (!uri) {
      postgres = await createTemporaryPostgresDatabase();
      ferret = await startFerretDb({ backend: { kind: 'postgresql', url: postgres.url }, stateDir });
      uri = ferret.uri;
    }
    await connectDatabase({ uri, dbName: `bench_${name}_${Date.now()}`, maxPoolSize: 10, ...(postgres ? { ferretDbPostgresUrl: postgres.url } : {}) });
    return await work({ ...(ferret ? { ferretDbPort: ferret.port } : {}), ...(postgres ? { postgresUrl: postgres.url } : {}) });
  } finally {
    if (mongoose.connection.readyState === 1) await mongoose.connection.dropDatabase().catch(() => undefined);
    await disconnectDatabase().catch(() => undefined);
    await ferret?.stop();
    await postgres?.drop();
    rmSync(stateDir, { recursive: true, force: true });
  }
}

/**
 * After a bulk load: PostgreSQL's statistics and visibility map brought up to date at once
 * (VACUUM ANALYZE), as autovacuum would some time later, so that the measurements that follow
 * do not share the machine with it (the first run of this session saw the feeds at 0.55-0.67
 * of their own throughput at ten times the data, measured later). Nothing to do on a given store.
 */
export async function settleStore(store: BenchStore): Promise<void> {
  if (!store.postgresUrl) return;
  const client = new pg.Client({ connectionString: store.postgresUrl });
  await client.connect();
  try {
    await client.query('VACUUM (ANALYZE)');
  } finally {
    await client.end();
  }
}

/** The machine, for a result file (`loadAtStart`: `os.loadavg()` when the bench began). */
export function machineDescription(loadAtStart: number[], note: string): Record<string, unknown> {
  const cpuList = cpus();
  return {
    cpuModel: cpuList[0]?.model ?? 'unknown',
    cores: cpuList.length,
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    freeMemoryGiBAtStart: Math.round((freemem() / 2 ** 30) * 10) / 10,
    node: process.version,
    platform: `${platform()} ${release()}`,
    loadAverageAtStart: loadAtStart.map((l) => Math.round(l * 100) / 100),
    loadAverageAtEnd: loadavg().map((l) => Math.round(l * 100) / 100),
    note,
  };
}

/** The store the bench ran on, for a result file. */
export function storeDescription(): Record<string, unknown> {
  const store = storeCapabilities();
  return { product: store.product, version: store.version, backend: process.env.MEENT_BENCH_MONGODB_URI ? 'given' : 'postgresql' };
}

/** A deterministic random source (the same numbers every run) and a pick from a list with it. */
export function seededRandom(seed: number): { random: () => number; pick: <T>(list: readonly T[]) => T } {
  let state = seed;
  const random = () => {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    return state / 2 ** 31;
  };
  return { random, pick: <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)] as T };
}
