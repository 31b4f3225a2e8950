/** A throw-away PostgreSQL database on the machine's server, for FerretDB's backend in tests. */
import pg from 'pg';
import { randomBytes } from 'node:crypto';

const adminUrl = () => process.env.MEENT_TEST_POSTGRES_URL ?? 'postgres://root@127.0.0.1:5432/postgres';

export const TEST_FERRETDB_POOL_SIZE = 16;
export const TEST_DRIVER_POOL_SIZE = 10;

export interface TemporaryPostgresDatabase {
  url: string;
  drop(): Promise<void>;
}

export async function createTemporaryPostgresDatabase(): Promise<TemporaryPostgresDatabase> {
  const name = `meent_test_${process.pid}_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl() });
  try {
    await admin.connect();
  } catch (err) {
    throw new Error(`Tests need the local PostgreSQL at ${adminUrl()} (set MEENT_TEST_POSTGRES_URL to change it): ${(err as Error).message}`);
  }
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(adminUrl());
  url.pathname = `/${name}`;
  // FerretDB keeps up to 50 connections by default; several test runs at once on one
  // PostgreSQL (max_connections 100) would exhaust it. The driver's pool in tests
  // (TEST_DRIVER_POOL_SIZE) must stay below this one; see connection.ts for why.
  url.searchParams.set('pool_max_conns', String(TEST_FERRETDB_POOL_SIZE));
  return {
    url: url.toString(),
    async drop() {
      const client = new pg.Client({ connectionString: adminUrl() });
      await client.connect();
      try {
        await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await client.end();
      }
    },
  };
}
