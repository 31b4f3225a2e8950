import assert from 'node:assert/strict';
import mongoose, { Schema, Types } from 'mongoose';
import { ConflictError, UnavailableError, ValidationError } from '../../src/errors/domain-errors.js';
import { atomicDelete } from '../../src/db/atomic-delete.js';
import { atomicUpdate } from '../../src/db/atomic-update.js';
import { DocumentLocks } from '../../src/db/document-lock.js';
import { LeaseModel } from '../../src/db/lease.js';
import { storeCapabilities } from '../../src/db/store-capabilities.js';
import { upsertRetryingRace, withUniqueConflict } from '../../src/db/mongo-errors.js';
import { decodeCursor, findPage } from '../../src/db/pagination.js';
import { isDatabaseReachable } from '../../src/db/connection.js';
import { useTestDatabase } from '../support/database.js';

// Models local to this file: they prove what the store does, not what a capability does.
interface Person { _id: Types.ObjectId; tenantId: string; email: string; name: string; createdAt: Date }
const PersonModel = mongoose.model<Person>(
  'StoreTestPerson',
  new Schema<Person>({ tenantId: { type: String, required: true }, email: { type: String, required: true }, name: String }, { timestamps: true }).index(
    { tenantId: 1, email: 1 },
    { unique: true },
  ),
);

interface Session { _id: Types.ObjectId; tenantId: string; title: string; capacity: number; taken: number; host?: Types.ObjectId }
const SessionModel = mongoose.model<Session>(
  'StoreTestSession',
  new Schema<Session>({ tenantId: String, title: String, capacity: Number, taken: { type: Number, default: 0 }, host: { type: Schema.Types.ObjectId, ref: 'StoreTestPerson' } }),
);

interface Post { _id: Types.ObjectId; tenantId: string; n: number; createdAt: Date }
const PostModel = mongoose.model<Post>('StoreTestPost', new Schema<Post>({ tenantId: String, n: Number, createdAt: Date }).index({ tenantId: 1, createdAt: -1, _id: -1 }));

describe('the MongoDB-compatible store (FerretDB)', () => {
  useTestDatabase('store');

  before(async () => {
    // Models registered after connect: build their indexes as start-up would.
    await Promise.all([PersonModel.syncIndexes(), SessionModel.syncIndexes(), PostModel.syncIndexes(), LeaseModel.syncIndexes()]);
  });

  it('answers the readiness ping', async () => {
    assert.equal(await isDatabaseReachable(), true);
  });

  it('creates, reads, updates and deletes a document', async () => {
    const created = await PersonModel.create({ tenantId: 't1', email: 'anna@waterschap.example', name: 'Anna' });
    const read = await PersonModel.findById(created._id).lean();
    assert.equal(read?.name, 'Anna');
    await PersonModel.updateOne({ _id: created._id }, { $set: { name: 'Anna de Vries' } });
    assert.equal((await PersonModel.findById(created._id).lean())?.name, 'Anna de Vries');
    await PersonModel.deleteOne({ _id: created._id });
    assert.equal(await PersonModel.findById(created._id).lean(), null);
  });

  it('rejects a duplicate on a unique index with a clear domain error', async () => {
    await PersonModel.create({ tenantId: 't1', email: 'bram@boer.example', name: 'Bram' });
    await assert.rejects(
      withUniqueConflict(() => PersonModel.create({ tenantId: 't1', email: 'bram@boer.example', name: 'Bram again' }), 'This e-mail address is already registered.', 'email_taken'),
      (err: unknown) => err instanceof ConflictError && err.code === 'email_taken' && err.message === 'This e-mail address is already registered.' && !err.message.includes('E11000'),
    );
    // The same address in another tenant is a different person.
    await PersonModel.create({ tenantId: 't2', email: 'bram@boer.example', name: 'Bram' });
    assert.equal(await PersonModel.countDocuments({ email: 'bram@boer.example' }), 2);
  });

  it('keeps a guarded findOneAndUpdate with $inc exact under 200 concurrent calls, never passing its guard', async () => {
    const session = await SessionModel.create({ tenantId: 't1', title: 'Mestwetgeving 2027', capacity: 150, taken: 0 });
    const results = await Promise.all(
      Array.from({ length: 200 }, () =>
        atomicUpdate(SessionModel, { _id: session._id, taken: mongoose.trusted({ $lt: 150 }) }, { $inc: { taken: 1 } }),
      ),
    );
    const granted = results.filter((r) => r !== null);
    const final = await SessionModel.findById(session._id).lean();
    assert.equal(granted.length, 150, 'exactly capacity calls pass the guard');
    assert.equal(final?.taken, 150, 'no update is lost and none passes the guard');
    assert.equal(new Set(granted.map((r) => r?.taken)).size, 150, 'every successful call saw its own count');
  });

  it('stays exact when two processes (two lock managers) update one document at once', async () => {
    const session = await SessionModel.create({ tenantId: 't1', title: 'Bodemleven', capacity: 1000, taken: 0 });
    const processA = new DocumentLocks();
    const processB = new DocumentLocks();
    await Promise.all(
      Array.from({ length: 160 }, (_, i) =>
        atomicUpdate(SessionModel, { _id: session._id }, { $inc: { taken: 1 } }, { locks: i % 2 === 0 ? processA : processB }),
      ),
    );
    assert.equal((await SessionModel.findById(session._id).lean())?.taken, 160);
    assert.equal(await LeaseModel.countDocuments({}), 0, 'every lease is released');
  });

  it('takes over a lease whose holder died', async () => {
    const session = await SessionModel.create({ tenantId: 't1', title: 'Drainage', capacity: 10, taken: 0 });
    const key = `${SessionModel.collection.collectionName}:${String(session._id)}`;
    await LeaseModel.create({ key, owner: 'crashed-instance', expiresAt: new Date(Date.now() - 1000) });
    const updated = await atomicUpdate(SessionModel, { _id: session._id }, { $inc: { taken: 1 } });
    assert.equal(updated?.taken, 1);
    assert.equal(await LeaseModel.countDocuments({ key }), 0);
  });

  it('gives up with a 503-class error while a live lease is held', async () => {
    const session = await SessionModel.create({ tenantId: 't1', title: 'Zuiveren', capacity: 10, taken: 0 });
    const key = `${SessionModel.collection.collectionName}:${String(session._id)}`;
    const held = await LeaseModel.create({ key, owner: 'busy-instance', expiresAt: new Date(Date.now() + 60_000) });
    const impatient = new DocumentLocks({ waitMs: 200 });
    await assert.rejects(
      atomicUpdate(SessionModel, { _id: session._id }, { $inc: { taken: 1 } }, { locks: impatient }),
      (err: unknown) => err instanceof UnavailableError && err.code === 'resource_busy',
    );
    assert.equal((await SessionModel.findById(session._id).lean())?.taken, 0, 'nothing written');
    await LeaseModel.deleteOne({ _id: held._id });
  });

  it('documents the FerretDB 1.24 behaviour that atomicUpdate exists for: a bare $inc loses updates', async function () {
    if (!storeCapabilities().needsWriteSerialisation) this.skip(); // a real MongoDB applies $inc atomically
    const session = await SessionModel.create({ tenantId: 't1', title: 'Race', capacity: 1000, taken: 0 });
    await Promise.all(Array.from({ length: 40 }, () => SessionModel.updateOne({ _id: session._id }, { $inc: { taken: 1 } })));
    const final = (await SessionModel.findById(session._id).lean())?.taken ?? 0;
    // If this starts failing after a FerretDB upgrade, updates became atomic: revisit store-capabilities.ts.
    assert.ok(final < 40, `expected lost updates from bare $inc on FerretDB, got ${final}/40`);
  });

  it('answers 200 concurrent updates of distinct documents (no pool deadlock)', async () => {
    const sessions = await SessionModel.insertMany(Array.from({ length: 200 }, (_, i) => ({ tenantId: 'many', title: `S${i}`, capacity: 5, taken: 0 })));
    await Promise.all(sessions.map((s) => SessionModel.updateOne({ _id: s._id }, { $inc: { taken: 1 } })));
    assert.equal(await SessionModel.countDocuments({ tenantId: 'many', taken: 1 }), 200);
  });

  it('lets exactly one of 200 concurrent inserts of one unique key through', async () => {
    const results = await Promise.allSettled(
      Array.from({ length: 200 }, (_, i) => withUniqueConflict(() => PersonModel.create({ tenantId: 'race', email: 'same@x.example', name: `N${i}` }), 'taken')),
    );
    assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
    assert.ok(results.every((r) => r.status === 'fulfilled' || r.reason instanceof ConflictError));
    assert.equal(await PersonModel.countDocuments({ tenantId: 'race' }), 1);
  });

  it('counts documents with a filter', async () => {
    await PersonModel.insertMany([
      { tenantId: 'count', email: 'a@x.example', name: 'A' },
      { tenantId: 'count', email: 'b@x.example', name: 'B' },
      { tenantId: 'count', email: 'c@x.example', name: 'C' },
    ]);
    assert.equal(await PersonModel.countDocuments({ tenantId: 'count' }), 3);
    assert.equal(await PersonModel.countDocuments({ tenantId: 'count', name: 'B' }), 1);
  });

  it('populates a reference', async () => {
    const host = await PersonModel.create({ tenantId: 't1', email: 'carla@adviseur.example', name: 'Carla' });
    const session = await SessionModel.create({ tenantId: 't1', title: 'Stikstof en bodem', capacity: 10, host: host._id });
    const populated = await SessionModel.findById(session._id).populate<{ host: Person }>('host').lean();
    assert.equal(populated?.host.name, 'Carla');
  });

  it('neutralises query operators smuggled in as values (sanitizeFilter)', async () => {
    await PersonModel.create({ tenantId: 'sanitize', email: 'd@x.example', name: 'D' });
    const hostile = JSON.parse('{"$ne": "nobody"}') as unknown as string;
    await assert.rejects(PersonModel.findOne({ tenantId: 'sanitize', name: hostile }).lean());
    assert.equal(await PersonModel.countDocuments({ tenantId: 'sanitize', name: 'D' }), 1);
  });

  it('pages with a cursor that stays stable while documents are inserted', async () => {
    const base = Date.parse('2026-11-01T09:00:00Z');
    // 25 posts, three of them sharing a timestamp to exercise the _id tie-break.
    await PostModel.insertMany(
      Array.from({ length: 25 }, (_, i) => ({ tenantId: 'page', n: i, createdAt: new Date(base + Math.min(i, 22) * 60_000) })),
    );
    const seen: number[] = [];
    let cursor: string | undefined;
    let inserted = 100;
    for (let pages = 0; pages < 10; pages++) {
      const page: Awaited<ReturnType<typeof findPage<Post>>> = await findPage(PostModel, { filter: { tenantId: 'page' }, limit: 7, ...(cursor ? { cursor } : {}) });
      seen.push(...page.items.map((p) => p.n));
      // Newer posts arrive between page requests.
      await PostModel.create({ tenantId: 'page', n: inserted++, createdAt: new Date() });
      if (!page.nextCursor) break;
      cursor = page.nextCursor;
    }
    assert.equal(seen.length, 25, 'no item skipped or repeated');
    assert.equal(new Set(seen).size, 25);
    assert.deepEqual([...seen].sort((a, b) => a - b), Array.from({ length: 25 }, (_, i) => i));
    assert.ok(seen.indexOf(21) < seen.indexOf(20), 'newest first');
  });

  it('rejects a tampered cursor with a validation error', () => {
    assert.throws(() => decodeCursor('not-a-cursor'), ValidationError);
    assert.throws(() => decodeCursor(Buffer.from('{"v":"x","id":"zz"}').toString('base64url')), ValidationError);
  });
  it('serialises a guarded delete and guarded updates named by tenant and title (a caller\'s lock key): the delete wins once or not at all', async () => {
    // The shape of a meeting link (addressed by tenant and chat, not _id): "remove unless running" against "start running".
    for (let round = 0; round < 20; round++) {
      const title = `link-${round}`;
      await SessionModel.create({ tenantId: 't-del', title, capacity: 1, taken: 0 });
      const key = `sessions:t-del:${title}`;
      const [deleted, started] = await Promise.all([
        atomicDelete(SessionModel, { tenantId: 't-del', title, taken: 0 }, { lockKey: key }),
        atomicUpdate(SessionModel, { tenantId: 't-del', title, taken: 0 }, { $set: { taken: 1 } }, { lockKey: key }),
      ]);
      const left = await SessionModel.findOne({ tenantId: 't-del', title }).lean();
      // Exactly one of the two guarded writes took effect, and the store agrees with it.
      assert.equal((deleted !== null) !== (started !== null), true, `round ${round}: deleted=${deleted !== null} started=${started !== null}`);
      assert.equal(left === null, deleted !== null);
    }
  });

  it('refuses a delete it cannot serialise: no _id and no lock key', async () => {
    if (!storeCapabilities().needsWriteSerialisation) return;
    await assert.rejects(atomicDelete(SessionModel, { tenantId: 't-del' }), /needs filter\._id .* or options\.lockKey/);
  });

  it('retries an upsert once after losing the race on a unique index, and only then', async () => {
    const racing = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        upsertRetryingRace(() => PersonModel.updateOne({ tenantId: 't-up', email: 'same@example.org' }, { $set: { name: `n${i}` } }, { upsert: true })),
      ),
    );
    assert.equal(racing.length, 20);
    assert.equal(await PersonModel.countDocuments({ tenantId: 't-up' }), 1);
    let calls = 0;
    await assert.rejects(
      upsertRetryingRace(async () => {
        calls++;
        throw new Error('not a duplicate');
      }),
      /not a duplicate/,
    );
    assert.equal(calls, 1, 'an error other than a duplicate key is not retried');
  });
});
