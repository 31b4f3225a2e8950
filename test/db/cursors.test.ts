import assert from 'node:assert/strict';
import mongoose, { Schema, Types } from 'mongoose';
import { findByIds } from '../../src/db/find-by-ids.js';
import { MAX_OPEN_SCANS, pagedLean } from '../../src/db/paged-reads.js';
import { useTestDatabase } from '../support/database.js';
import { TEST_DRIVER_POOL_SIZE, TEST_FERRETDB_POOL_SIZE } from '../support/postgres.js';

// A model local to this file: it proves what the store does with long results, not what a capability does.
interface Item { _id: Types.ObjectId; tenantId: string; n: number }
const ItemModel = mongoose.model<Item>('CursorTestItem', new Schema<Item>({ tenantId: String, n: Number }).index({ tenantId: 1 }));

/** Rejects when the promise has not settled in time, so a deadlock fails the test instead of hanging it. */
function within<T>(ms: number, promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms (deadlock?)`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

describe('reading long results from the store', () => {
  useTestDatabase('cursors');

  before(async () => {
    await ItemModel.syncIndexes();
    await ItemModel.insertMany(Array.from({ length: 150 }, (_, n) => ({ tenantId: 't1', n })));
  });

  // FerretDB 1.24 on PostgreSQL keeps a PostgreSQL connection for every cursor that still has
  // documents to hand out (a find answers 101 documents, the rest come with getMore). With
  // more such cursors than its pool has connections, the finds behind them wait for a
  // connection while the getMores that would free one wait for a driver connection: nothing
  // answers any more. This is what made /search time out under 50 clients.
  it(`answers ${TEST_FERRETDB_POOL_SIZE * 3} concurrent finds of 150 documents (more than FerretDB's ${TEST_FERRETDB_POOL_SIZE} and the driver's ${TEST_DRIVER_POOL_SIZE} connections)`, async function () {
    this.timeout(90_000);
    const all = await within(
      60_000,
      Promise.all(Array.from({ length: TEST_FERRETDB_POOL_SIZE * 3 }, () => ItemModel.find({ tenantId: 't1' }).lean<Item[]>())),
    );
    for (const items of all) assert.deepEqual(items.map((i) => i.n).sort((a, b) => a - b), Array.from({ length: 150 }, (_, n) => n));
  });

  it('still answers a query afterwards', async () => {
    assert.equal((await within(10_000, ItemModel.find({ tenantId: 't1' }).lean<Item[]>())).length, 150);
  });

  /** The finds a function sends (mongoose's debug hook sees each query, not the getMores of a cursor). */
  async function findsDuring<T>(work: () => Promise<T>): Promise<{ result: T; finds: number }> {
    let finds = 0;
    mongoose.set('debug', (collection: string, method: string) => {
      if (collection === ItemModel.collection.collectionName && method === 'find') finds++;
    });
    try {
      return { result: await work(), finds };
    } finally {
      mongoose.set('debug', false);
    }
  }

  async function scan(pageSize: number, stopAfter = Infinity): Promise<number[]> {
    const seen: number[] = [];
    for await (const item of pagedLean(ItemModel, { tenantId: 't1' }, pageSize)) {
      seen.push(item.n);
      if (seen.length >= stopAfter) break;
    }
    return seen;
  }

  // The page queries it replaced read every matching document again per page on FerretDB
  // (which pushes down neither `_id > last`, nor the sort, nor the limit).
  it('scans every matching document in _id order with one query, a batch at a time', async () => {
    const { result, finds } = await findsDuring(() => scan(20));
    assert.deepEqual(result, Array.from({ length: 150 }, (_, n) => n));
    assert.equal(finds, 1);
  });

  it(`lets ${MAX_OPEN_SCANS} scans hold a cursor; more read in pages, and ${TEST_FERRETDB_POOL_SIZE * 3} at once all finish`, async function () {
    this.timeout(90_000);
    // Four scans held open half-way, then a fifth: it reads through page queries.
    const held = Array.from({ length: MAX_OPEN_SCANS }, () => pagedLean(ItemModel, { tenantId: 't1' }, 20));
    for (const h of held) await h.next();
    const { result: fifth, finds } = await findsDuring(() => scan(20));
    assert.deepEqual(fifth, Array.from({ length: 150 }, (_, n) => n));
    assert.equal(finds, 8, 'eight pages of 20');
    for (const h of held) await h.return(undefined);
    // Stopping early gave the slots back: a scan uses a cursor again.
    assert.equal((await findsDuring(() => scan(20, 30))).finds, 1);
    const all = await within(60_000, Promise.all(Array.from({ length: TEST_FERRETDB_POOL_SIZE * 3 }, () => scan(20))));
    for (const items of all) assert.deepEqual(items, Array.from({ length: 150 }, (_, n) => n));
  });

  // FerretDB 1.24 does not push `$in` down: one over ids read every document of the tenant.
  it('finds documents by id with one equality lookup per id on FerretDB, the filter applied, unknown and repeated ids ignored', async () => {
    const items = await ItemModel.find({ tenantId: 't1', n: mongoose.trusted({ $lt: 4 }) }).sort({ n: 1 }).lean<Item[]>();
    const ids = [...items.map((i) => i._id), items[0]?._id as Types.ObjectId, new Types.ObjectId()];
    const calls = new Map<string, number>();
    mongoose.set('debug', (collection: string, method: string) => {
      if (collection === ItemModel.collection.collectionName) calls.set(method, (calls.get(method) ?? 0) + 1);
    });
    let found: Pick<Item, '_id' | 'n'>[];
    try {
      found = await findByIds<Pick<Item, '_id' | 'n'>>(ItemModel, ids, { tenantId: 't1', n: mongoose.trusted({ $gte: 1 }) }, { _id: 1, n: 1 });
    } finally {
      mongoose.set('debug', false);
    }
    assert.deepEqual(found.map((i) => i.n).sort(), [1, 2, 3]);
    assert.deepEqual(Object.keys(found[0] ?? {}).sort(), ['_id', 'n'], 'only the projected fields');
    assert.deepEqual(Object.fromEntries(calls), { findOne: 5 }, 'one lookup per distinct id, no $in');
    assert.deepEqual(await findByIds(ItemModel, [], {}, { _id: 1 }), []);
  });
});

