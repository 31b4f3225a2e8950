import assert from 'node:assert/strict';
import mongoose, { Schema, Types } from 'mongoose';
import pg from 'pg';
import { addPostgresIndexesForFerretDb, ginIndexesFor } from '../../src/db/ferretdb-postgres-indexes.js';
import { storeCapabilities } from '../../src/db/store-capabilities.js';
import { useTestDatabase } from '../support/database.js';

// A model local to this file: it proves what the store does, not what a capability does.
interface Row { _id: Types.ObjectId; groupId: Types.ObjectId; slot: number; label: string; tags: string[] }
const RowModel = mongoose.model<Row>(
  'GinTestRow',
  new Schema<Row>({ groupId: Schema.Types.ObjectId, slot: Number, label: String, tags: [String] }).index({ groupId: 1, slot: 1 }).index({ tags: 1 }).index({ 'nested.field': 1 }),
);

const planOf = async (filter: Record<string, unknown>) => JSON.stringify(await RowModel.find(filter).explain());

describe('PostgreSQL indexes for the filters FerretDB sends (FerretDB on PostgreSQL)', () => {
  const database = useTestDatabase('gin');
  const groups = [new Types.ObjectId(), new Types.ObjectId()];
  let postgresUrl = '';
  let planWithoutThem = '';
  let planOfRowsAddedLater = '';

  /** Runs SQL on the table behind the model's collection (`$table` in the statements). */
  const onTable = async (...statements: string[]) => {
    const client = new pg.Client({ connectionString: postgresUrl.replace(/\?.*$/, '') });
    await client.connect();
    try {
      const found = await client.query<{ t: string }>(`SELECT _jsonb->>'table' AS t FROM "${database.name}"._ferretdb_database_metadata WHERE _jsonb->>'_id' = 'gintestrows'`);
      const table = found.rows[0]?.t ?? '';
      for (const statement of statements) {
        const rows = await client.query<{ sql?: string }>(statement.replaceAll('$table', table));
        for (const row of rows.rows) if (row.sql) await client.query(row.sql);
      }
    } finally {
      await client.end();
    }
  };

  before(async function () {
    postgresUrl = process.env.MEENT_TEST_FERRETDB_POSTGRES_URL ?? '';
    if (!postgresUrl || storeCapabilities().product !== 'ferretdb') this.skip();
    this.timeout(60_000);
    await RowModel.syncIndexes();
    const rows = [];
    for (let i = 0; i < 3000; i++) rows.push({ groupId: groups[i % 2], slot: Math.floor(i / 50), label: `row ${i} `.repeat(20), tags: [`t${i % 30}`, 'all'] });
    await RowModel.insertMany(rows);
    // Connecting created ours on the empty table; the rows came after (as in any real use).
    planOfRowsAddedLater = await planOf({ tags: 't7' });
    // Connecting added ours already (the model is registered): take them away to see FerretDB's own.
    await onTable(`SELECT format('DROP INDEX %I.%I', schemaname, indexname) AS sql FROM pg_indexes WHERE schemaname = '${database.name}' AND tablename = '$table' AND indexname LIKE 'meent_gin_%'`);
    planWithoutThem = await planOf({ groupId: groups[0], slot: 7 });
    // The model was registered after connecting: add its indexes as start-up does for the others.
    await addPostgresIndexesForFerretDb(postgresUrl, database.name);
  });

  it('without them, FerretDB 1.24 scans the whole table even for an equality on indexed fields', () => {
    // FerretDB's own index is a btree over (_jsonb->'groupId'); its filter is `_jsonb->'groupId' @> ...`, which a btree cannot answer.
    assert.match(planWithoutThem, /Seq Scan/);
    assert.doesNotMatch(planWithoutThem, /Index Scan/);
    const sql = [...ginIndexesFor('db', 'rows_1234', [{ name: 'groupId_1_slot_1', key: { groupId: 1, slot: 1 } }, { name: 'slot_1', key: { slot: 1 } }]).values()];
    assert.equal(sql.length, 2);
    assert.match(sql[0] ?? '', /ON "db"\."rows_1234" USING gin \(\(_jsonb -> 'groupId'\) jsonb_path_ops\) WITH \(fastupdate = off\)$/);
    assert.match(sql[1] ?? '', /USING gin \(\(_jsonb -> 'slot'\) jsonb_path_ops\)/);
  });

  it('makes an equality on indexed fields an index scan, and finds exactly the same rows', async () => {
    const filter = { groupId: groups[0], slot: 7 };
    assert.match(await planOf(filter), /Bitmap Index Scan|Index Scan/);
    const found = await RowModel.find(filter).lean<Row[]>();
    assert.equal(found.length, 25);
    assert.ok(found.every((r) => String(r.groupId) === String(groups[0]) && r.slot === 7));
  });

  it('does the same for _id and for one element of an array (multikey), even beside a field every row matches', async () => {
    const one = await RowModel.findOne({ slot: 3 }).lean<Row>();
    assert.ok(one);
    assert.match(await planOf({ _id: one._id }), /Index Scan/);
    assert.match(planOfRowsAddedLater, /Index Scan/);
    assert.match(await planOf({ tags: 't7' }), /Index Scan/);
    assert.match(await planOf({ groupId: groups[1], tags: 't7' }), /Index Scan/);
    assert.equal((await RowModel.find({ tags: 't7' }).lean<Row[]>()).length, 100);
  });

  it('leaves dotted fields (FerretDB does not push them down) and tenantId alone, and prunes indexes whose MongoDB index is gone', async () => {
    assert.equal(ginIndexesFor('db', 'rows_1234', [{ name: 'nested.field_1', key: { 'nested.field': 1 } }]).size, 0);
    // tenantId matches every document of a one-tenant deployment: an index on it would only mislead the planner.
    assert.deepEqual(
      [...ginIndexesFor('db', 'rows_1234', [{ name: 'tenantId_1_terms_1', key: { tenantId: 1, terms: 1 } }]).values()].map((sql) => /'(\w+)'\) jsonb_path_ops/.exec(sql)?.[1]),
      ['terms'],
    );
    await RowModel.collection.dropIndex('tags_1');
    const result = await addPostgresIndexesForFerretDb(postgresUrl, database.name);
    assert.deepEqual(result, { created: 0, dropped: 1 });
    assert.deepEqual(await addPostgresIndexesForFerretDb(postgresUrl, database.name), { created: 0, dropped: 0 });
  });
});
