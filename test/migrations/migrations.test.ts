/**
 * The upgrade path: documents written by the previous version are brought to the current shape
 * at start, once, by one instance, and running again changes nothing.
 */
import assert from 'node:assert/strict';
import mongoose from 'mongoose';
import { LeaseModel } from '../../src/db/lease.js';
import { MigrationModel } from '../../src/migrations/migration.model.js';
import { MIGRATIONS, type Migration } from '../../src/migrations/migrations.js';
import { MIGRATIONS_LEASE_KEY, runMigrations } from '../../src/migrations/run-migrations.js';
import { DeliveryModel } from '../../src/notifications/delivery.model.js';
import { useTestDatabase } from '../support/database.js';

const logger = { info: () => undefined, warn: () => undefined };
const T0 = Date.parse('2026-12-07T06:00:00Z');
const clock = () => T0;
const shortSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, Math.min(ms, 10)));

describe('migrations of stored documents', () => {
  useTestDatabase('migrations');
  before(() => Promise.all([LeaseModel.syncIndexes(), DeliveryModel.syncIndexes()]));
  afterEach(() => Promise.all([MigrationModel.deleteMany({}), LeaseModel.deleteMany({}), DeliveryModel.deleteMany({})]));

  /** A digest's delivery record as the version before the claim rework wrote it (state 'sending'). */
  const previousVersionDelivery = (key: string, state: string) => ({
    _id: new mongoose.Types.ObjectId(),
    key,
    tenantId: 'f3a2c1d0-0000-4000-8000-000000000001',
    recipientId: '11111111-2222-4333-8444-555555555555',
    notificationIds: [],
    state,
    owner: 'worker:old-version',
    leaseUntil: new Date(T0 - 60_000),
    attempts: 1,
    createdAt: new Date(T0 - 3_600_000),
    updatedAt: new Date(T0 - 3_600_000),
  });

  it('rewrites delivery records the previous version left in state sending, and nothing else', async () => {
    await DeliveryModel.collection.insertMany([
      previousVersionDelivery('d:t:p:2026-W48', 'sending'),
      previousVersionDelivery('d:t:p:2026-W49', 'sending'),
      previousVersionDelivery('d:t:p:2026-W47', 'sent'),
    ]);
    const run = await runMigrations({ logger, now: clock });
    assert.deepEqual(run.applied, MIGRATIONS.map((m) => m.id));
    const states = (await DeliveryModel.find().sort({ key: 1 }).lean()).map((d) => [d.key, d.state]);
    assert.deepEqual(states, [
      ['d:t:p:2026-W47', 'sent'],
      ['d:t:p:2026-W48', 'claimed'],
      ['d:t:p:2026-W49', 'claimed'],
    ]);
    const record = await MigrationModel.findById('2026-12-07-delivery-sending-to-claimed').lean();
    assert.equal(record?.changed, 2);
    assert.equal(record?.appliedAt.getTime(), T0);
    // The current code reads the migrated records through its model without complaint.
    const migrated = await DeliveryModel.findOne({ key: 'd:t:p:2026-W48' });
    assert.ok(migrated);
    await migrated.validate();
  });

  it('is idempotent: a second start applies nothing and changes nothing; the migration itself run again changes nothing', async () => {
    await DeliveryModel.collection.insertOne(previousVersionDelivery('d:t:p:2026-W50', 'sending'));
    await runMigrations({ logger, now: clock });
    const before = await DeliveryModel.find().lean();
    assert.deepEqual((await runMigrations({ logger, now: clock })).applied, []);
    for (const migration of MIGRATIONS) assert.equal(await migration.up(), 0, `${migration.id} changes nothing the second time`);
    assert.deepEqual(await DeliveryModel.find().lean(), before);
    assert.equal(await MigrationModel.countDocuments(), MIGRATIONS.length);
  });

  it('runs on an empty store (a new installation) and records the migrations as applied', async () => {
    const run = await runMigrations({ logger, now: clock });
    assert.deepEqual(run.applied, MIGRATIONS.map((m) => m.id));
    assert.deepEqual((await MigrationModel.find().lean()).map((m) => m.changed), MIGRATIONS.map(() => 0));
  });

  it('lets exactly one of two instances starting together migrate; the other waits and then finds nothing to do', async () => {
    let runs = 0;
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const slow: Migration = {
      id: '2099-01-01-test-slow',
      description: 'a migration that takes a while',
      async up() {
        runs++;
        await gate;
        return 1;
      },
    };
    const first = runMigrations({ logger, migrations: [slow], now: clock, sleep: shortSleep });
    // The second starts while the first holds the lease.
    for (let i = 0; i < 200 && runs === 0; i++) await shortSleep(5);
    assert.equal(runs, 1);
    assert.equal(await LeaseModel.countDocuments({ key: MIGRATIONS_LEASE_KEY }), 1);
    let secondDone = false;
    const second = runMigrations({ logger, migrations: [slow], now: clock, sleep: shortSleep }).finally(() => (secondDone = true));
    await shortSleep(50);
    assert.equal(secondDone, false, 'the second waits while the first migrates');
    release();
    const [a, b] = await Promise.all([first, second]);
    assert.equal(runs, 1, 'the migration ran once');
    assert.deepEqual([a.applied, b.applied], [[slow.id], []]);
    assert.equal(await LeaseModel.countDocuments({ key: MIGRATIONS_LEASE_KEY }), 0, 'the lease is released');
  });

  it('takes over from an instance that died while migrating once its lease has expired, and runs the migration again', async () => {
    await LeaseModel.create({ key: MIGRATIONS_LEASE_KEY, owner: 'migrations:dead', expiresAt: new Date(T0 - 1) });
    let runs = 0;
    const m: Migration = { id: '2099-01-02-test', description: 'test', up: async () => (runs++, 0) };
    const run = await runMigrations({ logger, migrations: [m], now: clock, sleep: shortSleep });
    assert.deepEqual(run.applied, [m.id]);
    assert.equal(runs, 1);
  });

  it('waits for a live lease and gives up with an error after maxWaitMs rather than serving unmigrated documents', async () => {
    await LeaseModel.create({ key: MIGRATIONS_LEASE_KEY, owner: 'migrations:other', expiresAt: new Date(T0 + 600_000) });
    let t = T0;
    const m: Migration = { id: '2099-01-03-test', description: 'test', up: () => Promise.resolve(0) };
    await assert.rejects(
      runMigrations({ logger, migrations: [m], now: () => t, sleep: async (ms) => void (t += ms), maxWaitMs: 5_000, pollMs: 1_000 }),
      /Gave up waiting/,
    );
    assert.equal(await MigrationModel.countDocuments({ _id: m.id }), 0);
  });

  it('refuses a list with two migrations of the same id', async () => {
    const m: Migration = { id: 'dup', description: 'x', up: () => Promise.resolve(0) };
    await assert.rejects(runMigrations({ logger, migrations: [m, m], now: clock }), /Two migrations have the id dup/);
  });
});
