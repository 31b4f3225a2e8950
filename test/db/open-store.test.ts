/** Opening the configured store: FerretDB on PostgreSQL given its PostgreSQL gets indexes PostgreSQL can use. */
import assert from 'node:assert/strict';
import mongoose from 'mongoose';
import pg from 'pg';
import { loadConfig } from '../../src/config/config.js';
import { storeCapabilities } from '../../src/db/store-capabilities.js';
// As in src/main.ts: every capability's models are registered before the store is opened.
import '../../src/composition.js';
import { openStore } from '../../src/db/open-store.js';
import { createLogger } from '../../src/logging/logger.js';
import { testMongoUri, uniqueDatabaseName } from '../support/database.js';

describe('opening the store (MONGODB_URI with FERRETDB_POSTGRES_URL)', () => {
  it('adds the PostgreSQL indexes for FerretDB’s filters at start-up, and not without the URL', async function () {
    this.timeout(120_000);
    const postgresUrl = process.env.MEENT_TEST_FERRETDB_POSTGRES_URL;
    if (!postgresUrl) this.skip();
    const ginIndexes = async (schema: string) => {
      const client = new pg.Client({ connectionString: postgresUrl.replace(/\?.*$/, '') });
      await client.connect();
      try {
        return (await client.query<{ n: string }>(`SELECT count(*) AS n FROM pg_indexes WHERE schemaname = $1 AND indexname LIKE 'meent_gin_%'`, [schema])).rows[0]?.n;
      } finally {
        await client.end();
      }
    };
    const base = testMongoUri().replace(/\/[^/]*$/, '/');
    for (const withUrl of [false, true]) {
      const name = uniqueDatabaseName(withUrl ? 'store_gin' : 'store_plain');
      const config = loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', MONGODB_URI: `${base}${name}`, ...(withUrl ? { FERRETDB_POSTGRES_URL: postgresUrl } : {}) });
      const store = await openStore(config, createLogger('silent'));
      try {
        if (storeCapabilities().product !== 'ferretdb') this.skip();
        assert.equal(mongoose.connection.name, name);
        const count = Number(await ginIndexes(name));
        if (withUrl) assert.ok(count > 10, `GIN indexes for the collections' indexed fields (found ${count})`);
        else assert.equal(count, 0);
      } finally {
        await mongoose.connection.dropDatabase();
        await store.close();
      }
    }
  });
});
