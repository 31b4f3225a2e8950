import assert from 'node:assert/strict';
import { countHolders, LeaseModel, registerHolder, tryLease, unregisterHolder, withLease } from '../../src/db/lease.js';
import { useTestDatabase } from '../support/database.js';

describe('the lease', () => {
  useTestDatabase('db_lease');
  before(() => LeaseModel.syncIndexes());
  afterEach(() => LeaseModel.deleteMany({}));

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
