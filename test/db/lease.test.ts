import assert from 'node:assert/strict';
import mongoose from 'mongoose';
import sinon from 'sinon';
import { DocumentLocks } from '../../src/db/document-lock.js';
import { countHolders, LeaseModel, pendingReleases, registerHolder, tryLease, unregisterHolder, withLease } from '../../src/db/lease.js';
import { useTestDatabase } from '../support/database.js';

describe('the lease', () => {
  useTestDatabase('db_lease');
  before(() => LeaseModel.syncIndexes());
  afterEach(() => LeaseModel.deleteMany({}));
  afterEach(() => sinon.restore());

  const waitFor = async (condition: () => Promise<boolean>, ms: number) => {
    for (const end = performance.now() + ms; performance.now() < end; ) {
      if (await condition()) return true;
      await new Promise((r) => setTimeout(r, 20));
    }
    return condition();
  };

  it('releases a lease whose release failed while the store was unreachable once it answers again, not when it expires', async () => {
    // Seen with FerretDB killed under load (test/reliability/store-outage.test.ts): the counter
    // lock of a discussion could not be released, and replies to it waited for it to expire.
    const locks = new DocumentLocks({ leaseMs: 60_000, waitMs: 10_000 });
    const deleteOne = sinon.stub(LeaseModel, 'deleteOne').callThrough();
    deleteOne.onFirstCall().rejects(new mongoose.mongo.MongoNetworkError('connection 4 to 127.0.0.1:1 closed'));
    assert.equal(await locks.withLock('doc:1', () => Promise.resolve('first')), 'first');
    assert.equal(await LeaseModel.countDocuments({ key: 'doc:1' }), 1, 'the release failed: the lease is still there');
    const started = performance.now();
    assert.equal(await locks.withLock('doc:1', () => Promise.resolve('second')), 'second');
    assert.ok(performance.now() - started < 5_000, `the next write waited ${Math.round(performance.now() - started)} ms`);
    assert.ok(await waitFor(async () => (await LeaseModel.countDocuments({ key: 'doc:1' })) === 0 && pendingReleases() === 0, 5_000));
  });

  it('removes a lease whose insert was applied although the connection died under it', async () => {
    const save = LeaseModel.prototype.save;
    sinon.stub(LeaseModel.prototype, 'save').callsFake(async function (this: InstanceType<typeof LeaseModel>) {
      await save.call(this);
      throw new mongoose.mongo.MongoNetworkError('read ECONNRESET');
    });
    await assert.rejects(tryLease('job:in-doubt', 60_000), mongoose.mongo.MongoNetworkError);
    sinon.restore();
    assert.ok(await waitFor(async () => (await LeaseModel.countDocuments({ key: 'job:in-doubt' })) === 0, 5_000), 'the in-doubt lease is removed');
    assert.ok(await tryLease('job:in-doubt', 60_000), 'and the next holder gets it at once');
  });

  it('admits one holder at a time, even when many instances ask at once', async () => {
    const leases = await Promise.all(Array.from({ length: 8 }, () => tryLease('job:once', 60_000)));
    assert.equal(leases.filter(Boolean).length, 1);
    await leases.find(Boolean)?.release();
    assert.ok(await tryLease('job:once', 60_000), 'free again once released');
  });

  it('takes over an expired lease, and the late holder can neither renew nor release the new one', async () => {
    let clock = Date.now();
    const late = await tryLease('job:expiring', 1_000, () => clock);
    assert.ok(late);
    clock += 5_000;
    const next = await tryLease('job:expiring', 60_000, () => clock);
    assert.ok(next, 'the expired lease is taken over');
    assert.equal(await late.renew(), false, 'the late holder learns it lost the lease');
    await late.release();
    assert.equal(await LeaseModel.countDocuments({ key: 'job:expiring' }), 1, 'the new holder keeps its lease');
    assert.equal(await next.renew(), true);
  });

  it('runs work under the lease, and skips it while the lease is held', async () => {
    const held = await tryLease('job:work', 60_000);
    assert.equal(await withLease('job:work', 60_000, () => Promise.resolve('ran')), undefined);
    await held?.release();
    assert.equal(await withLease('job:work', 60_000, () => Promise.resolve('ran')), 'ran');
    assert.equal(await LeaseModel.countDocuments({ key: 'job:work' }), 0, 'released after the work');
  });

  it('takes several locks in one insert, and two processes with overlapping keys in any order neither overlap on a key nor wait for each other forever', async () => {
    const a = new DocumentLocks({ leaseMs: 60_000, waitMs: 20_000 });
    const b = new DocumentLocks({ leaseMs: 60_000, waitMs: 20_000 });
    const inserts = sinon.spy(LeaseModel, 'insertMany');
    const holding = new Map<string, string>();
    let overlaps = 0;
    const hold = (who: string, keys: string[]) => async () => {
      for (const k of keys) {
        if (holding.has(k)) overlaps++;
        holding.set(k, who);
      }
      await new Promise((r) => setTimeout(r, 5));
      for (const k of keys) holding.delete(k);
      return who;
    };
    const rounds: Promise<string>[] = [];
    for (let i = 0; i < 12; i++) {
      rounds.push(a.withLocks(['ev:1', 'ev:2', 'ev:3'], hold(`a${i}`, ['ev:1', 'ev:2', 'ev:3'])));
      rounds.push(b.withLocks(['ev:3', 'ev:2'], hold(`b${i}`, ['ev:3', 'ev:2'])));
      rounds.push(b.withLocks(['ev:4', 'ev:1'], hold(`c${i}`, ['ev:4', 'ev:1'])));
    }
    assert.equal((await Promise.all(rounds)).length, 36, 'every round ran');
    assert.equal(overlaps, 0, 'no key was held by two rounds at once');
    assert.equal(await LeaseModel.countDocuments({}), 0, 'every lease was given back, the ones taken in one insert and the ones taken one by one');
    assert.ok(inserts.callCount > 0, 'rounds took their leases in one insert');
  });

  it('waits, taking the keys in sorted order, for a key another process holds, then runs and gives every lease back', async () => {
    const a = new DocumentLocks({ leaseMs: 60_000, waitMs: 20_000 });
    const b = new DocumentLocks({ leaseMs: 60_000, waitMs: 20_000 });
    let releaseB!: () => void;
    const bHolds = b.withLock('ev:9', () => new Promise<void>((r) => (releaseB = r)));
    await waitFor(async () => (await LeaseModel.countDocuments({ key: 'ev:9' })) === 1, 2000);
    let ran = false;
    const aRound = a.withLocks(['ev:8', 'ev:9'], async () => {
      ran = true;
    });
    await new Promise((r) => setTimeout(r, 150));
    assert.equal(ran, false, 'A waits while B holds ev:9');
    releaseB();
    await bHolds;
    await aRound;
    assert.equal(ran, true);
    assert.equal(await LeaseModel.countDocuments({}), 0);
  });

  it('counts the live registrations under a prefix', async () => {
    const now = new Date();
    await registerHolder('workers:a', 'a', new Date(now.getTime() + 60_000));
    await registerHolder('workers:a', 'a', new Date(now.getTime() + 60_000));
    await registerHolder('workers:b', 'b', new Date(now.getTime() + 60_000));
    await registerHolder('workers:gone', 'gone', new Date(now.getTime() - 1));
    await registerHolder('other:c', 'c', new Date(now.getTime() + 60_000));
    assert.equal(await countHolders('workers:', now), 2);
    await unregisterHolder('workers:b', 'b');
    assert.equal(await countHolders('workers:', now), 1);
  });
});
