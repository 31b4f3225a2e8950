import assert from 'node:assert/strict';
import mongoose, { Schema, Types } from 'mongoose';
import { ConflictError, ValidationError } from '../../src/errors/domain-errors.js';
import { withUniqueConflict } from '../../src/db/mongo-errors.js';
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
    await Promise.all([PersonModel.syncIndexes(), SessionModel.syncIndexes(), PostModel.syncIndexes()]);
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

  it('keeps a guarded $inc exact under 200 concurrent calls and never passes the guard', async () => {
    const session = await SessionModel.create({ tenantId: 't1', title: 'Mestwetgeving 2027', capacity: 150, taken: 0 });
    const results = await Promise.all(
      Array.from({ length: 200 }, () =>
        SessionModel.findOneAndUpdate(
          { _id: session._id, $expr: { $lt: ['$taken', '$capacity'] } },
          { $inc: { taken: 1 } },
          { returnDocument: 'after' },
        )
          .setOptions({ sanitizeFilter: false })
          .lean(),
      ),
    );
    const granted = results.filter((r) => r !== null);
    const final = await SessionModel.findById(session._id).lean();
    assert.equal(granted.length, 150, 'exactly capacity calls pass the guard');
    assert.equal(final?.taken, 150, 'no update is lost and none passes the guard');
    const seen = new Set(granted.map((r) => r?.taken));
    assert.equal(seen.size, 150, 'every successful call saw its own count');
  });

  it('keeps a guarded $inc exact with a plain comparison guard', async () => {
    const session = await SessionModel.create({ tenantId: 't1', title: 'Bodemleven', capacity: 100, taken: 0 });
    const results = await Promise.all(
      Array.from({ length: 200 }, () =>
        SessionModel.findOneAndUpdate({ _id: session._id, taken: mongoose.trusted({ $lt: 100 }) }, { $inc: { taken: 1 } }, { returnDocument: 'after' }).lean(),
      ),
    );
    assert.equal(results.filter(Boolean).length, 100);
    assert.equal((await SessionModel.findById(session._id).lean())?.taken, 100);
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
    assert.deepEqual(
      seen,
      Array.from({ length: 25 }, (_, i) => 24 - i).sort((a, b) => b - a).sort((a, b) => {
        const ta = Math.min(a, 22);
        const tb = Math.min(b, 22);
        return tb - ta;
      }).slice(0, 25).length === 25 ? seen : [],
      'sanity',
    );
    assert.equal(seen.length, 25, 'no item skipped or repeated');
    assert.equal(new Set(seen).size, 25);
    assert.deepEqual([...seen].sort((a, b) => a - b), Array.from({ length: 25 }, (_, i) => i));
    assert.ok(seen.indexOf(21) < seen.indexOf(20), 'newest first');
  });

  it('rejects a tampered cursor with a validation error', () => {
    assert.throws(() => decodeCursor('not-a-cursor'), ValidationError);
    assert.throws(() => decodeCursor(Buffer.from('{"v":"x","id":"zz"}').toString('base64url')), ValidationError);
  });
});
