import assert from 'node:assert/strict';
import sinon from 'sinon';
import { LeaseModel, tryLease } from '../../src/db/lease.js';
import { idleJob, startPeriodicJob } from '../../src/worker/scheduler.js';
import { useTestDatabase } from '../support/database.js';

describe('the periodic job scheduler', () => {
  useTestDatabase('worker_scheduler');
  const sandbox = sinon.createSandbox();
  afterEach(async () => {
    sandbox.restore();
    await LeaseModel.deleteMany({});
  });

  const logger = () => ({ error: sandbox.spy() });

  it('runs a pass, pauses, and runs again until stopped; stop waits for the pass in progress', async () => {
    let passes = 0;
    let inPass = false;
    const job = startPeriodicJob({
      everyMs: 5,
      logger: logger(),
      failureMessage: 'pass failed',
      run: async () => {
        inPass = true;
        await new Promise((r) => setTimeout(r, 10));
        passes++;
        inPass = false;
      },
    });
    await job.drained();
    await job.drained();
    await job.stop();
    assert.ok(passes >= 2);
    assert.equal(inPass, false, 'the pass in progress finished before stop resolved');
    const after = passes;
    await new Promise((r) => setTimeout(r, 30));
    assert.equal(passes, after, 'no pass after stop');
  });

  it('logs a failed pass and goes on', async () => {
    const log = logger();
    let passes = 0;
    const job = startPeriodicJob({
      everyMs: 1,
      logger: log,
      failureMessage: 'pass failed',
      run: () => {
        passes++;
        return passes === 1 ? Promise.reject(new Error('store down')) : Promise.resolve();
      },
    });
    await job.drained();
    await job.drained();
    await job.stop();
    assert.ok(passes >= 2);
    sinon.assert.calledWithMatch(log.error, { err: sinon.match.instanceOf(Error) }, 'pass failed');
  });

  it('starts the next pass at once when a pass says more is waiting, and wakes a pausing job on stop', async () => {
    let passes = 0;
    const job = startPeriodicJob({ everyMs: 60_000, logger: logger(), failureMessage: 'pass failed', run: () => Promise.resolve(++passes < 3) });
    await job.drained();
    await job.drained();
    await job.drained();
    assert.equal(passes, 3, 'three passes back to back, though the pause is a minute');
    const stopped = Date.now();
    await job.stop();
    assert.ok(Date.now() - stopped < 1_000, 'stop does not wait out the pause');
  });

  it('waits for startAfter before the first pass', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let passes = 0;
    const job = startPeriodicJob({ everyMs: 1, startAfter: gate, logger: logger(), failureMessage: 'pass failed', run: () => Promise.resolve(void passes++) });
    await new Promise((r) => setTimeout(r, 20));
    assert.equal(passes, 0);
    release();
    await job.drained();
    await job.stop();
    assert.ok(passes >= 1);
  });

  it('skips the pass while another instance holds the job lease, and runs it once the lease is free', async () => {
    const other = await tryLease('test:leased-job', 60_000);
    assert.ok(other);
    let passes = 0;
    const job = startPeriodicJob({ everyMs: 1, lease: { key: 'test:leased-job', ms: 60_000 }, logger: logger(), failureMessage: 'pass failed', run: () => Promise.resolve(void passes++) });
    await job.drained();
    await job.drained();
    assert.equal(passes, 0, 'held elsewhere: skipped');
    await other.release();
    await job.drained();
    await job.drained();
    await job.stop();
    assert.ok(passes >= 1);
    assert.equal(await LeaseModel.countDocuments({ key: 'test:leased-job' }), 0, 'the lease is released after each pass');
  });

  it('an idle job stops and drains at once', async () => {
    const job = idleJob();
    await job.drained();
    await job.stop();
  });
});
