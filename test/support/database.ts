/**
 * Gives a test file its own fresh MongoDB database on the run's FerretDB server
 * (see global-setup.ts): connected before the file's tests, dropped after.
 *
 *   describe('something', () => { useTestDatabase(); it(...) });
 */
import { randomBytes } from 'node:crypto';
import mongoose from 'mongoose';
import { connectDatabase, disconnectDatabase } from '../../src/db/connection.js';
import { TEST_DRIVER_POOL_SIZE } from './postgres.js';

export function testMongoUri(): string {
  const uri = process.env.MEENT_TEST_MONGODB_URI;
  if (!uri) throw new Error('MEENT_TEST_MONGODB_URI is not set: the mocha global setup did not start FerretDB');
  return uri;
}

export function uniqueDatabaseName(prefix = 'test'): string {
  return `${prefix.replace(/[^a-z0-9]/gi, '_').slice(0, 20)}_${randomBytes(5).toString('hex')}`;
}

export function useTestDatabase(prefix = 'test'): { readonly name: string } {
  const state = { name: uniqueDatabaseName(prefix) };
  before(async function () {
    this.timeout(60_000);
    const ferretDbPostgresUrl = process.env.MEENT_TEST_FERRETDB_POSTGRES_URL;
    await connectDatabase({ uri: testMongoUri(), dbName: state.name, attempts: 3, maxPoolSize: TEST_DRIVER_POOL_SIZE, ...(ferretDbPostgresUrl ? { ferretDbPostgresUrl } : {}) });
  });
  after(async function () {
    this.timeout(60_000);
    if (mongoose.connection.readyState === 1) await mongoose.connection.dropDatabase();
    await disconnectDatabase();
  });
  return state;
}
