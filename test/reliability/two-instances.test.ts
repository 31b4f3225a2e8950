/**
 * Reliability: two instances behind one address, one killed mid-work. Two worker instances, each
 * a child process of its own (test/reliability/fixtures/leased-worker-instance.ts), share the
 * store and run one job on Meent's scheduler under a lease (startPeriodicJob with `lease`, i.e.
 * withLease/takeLease). While the job runs, the instance holding the lease is killed with SIGKILL
 * in the middle of a pass (after it started an item, before it finished it). The lease must move
 * to the survivor once its TTL has run out, every item must be done, and no item run twice and no
 * two passes at once (counted from the side effects the passes leave in the store).
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import mongoose from 'mongoose';
import { useTestDatabase, testMongoUri } from '../support/database.js';

const ITEMS = 24;
const LEASE_MS = 2_000;
const WORK_MS = 400;
const LEASE_KEY = 'reliability:two-instances';
const fixture = fileURLToPath(new URL('./fixtures/leased-worker-instance.ts', import.meta.url));

interface Instance {
  name: string;
  child: ChildProcess;
  output: string;
}

describe('reliability: two instances share the store, one is killed mid-work', function () {
  this.timeout(60_000);
  const database = useTestDatabase('rel_two');
  const instances: Instance[] = [];

  after(() => {
    for (const i of instances) if (i.child.exitCode === null && i.child.signalCode === null) i.child.kill('SIGKILL');
  });

  function start(name: string): Promise<Instance> {
    const child = spawn(process.execPath, ['--import', 'tsx', fixture], {
      cwd: process.cwd(),
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, NODE_ENV: 'test', MONGODB_URI: testMongoUri(), DB_NAME: database.name, INSTANCE: name, LEASE_KEY, LEASE_MS: String(LEASE_MS), WORK_MS: String(WORK_MS) },
    });
    const instance: Instance = { name, child, output: '' };
    instances.push(instance);
    child.stderr?.on('data', (d: Buffer) => (instance.output = (instance.output + d.toString()).slice(-4000)));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${name} did not start within 30 s:\n${instance.output}`)), 30_000);
      child.stdout?.on('data', (d: Buffer) => {
        if (d.toString().includes('ready')) {
          clearTimeout(timer);
          resolve(instance);
        }
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`${name} exited with ${code} before it was ready:\n${instance.output}`));
      });
    });
  }

  it('moves the lease to the survivor after its TTL, and runs no job twice', async () => {
    const db = mongoose.connection.db;
    assert.ok(db);
    const items = db.collection<{ _id: number; done: boolean; runs: number; by: string[] }>('rel_items');
    const starts = db.collection<{ _id: mongoose.Types.ObjectId; instance: string; item: number; owner: string | null; at: Date }>('rel_starts');
    await items.insertMany(Array.from({ length: ITEMS }, (_, n) => ({ _id: n, done: false, runs: 0, by: [] })));
    await db.collection<{ _id: string; value: number }>('rel_sequence').insertOne({ _id: 'passes', value: 0 });

    const [a, b] = await Promise.all([start('A'), start('B')]);
    const byName = new Map([a, b].map((i) => [i.name, i]));

    // Let a few items be done, then kill whoever starts the next one, in the middle of it.
    const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
    for (const end = performance.now() + 20_000; (await items.countDocuments({ done: true })) < 4 && performance.now() < end; ) await sleep(20);
    const seenStarts = await starts.countDocuments();
    let victimStart: { instance: string; item: number; owner: string | null } | null = null;
    for (const end = performance.now() + 10_000; !victimStart && performance.now() < end; ) {
      // (By the instances' clock: ObjectIds made in two processes within one second do not sort by time.)
      victimStart = await starts.find().sort({ at: -1 }).limit(1).next();
      if (victimStart && ((await starts.countDocuments()) <= seenStarts || (await items.findOne({ _id: victimStart.item }))?.done)) victimStart = null;
      if (!victimStart) await sleep(5);
    }
    assert.ok(victimStart, 'a pass started');
    const victim = byName.get(victimStart.instance);
    assert.ok(victim);
    const survivor = victim === a ? b : a;
    await new Promise<void>((resolve) => {
      victim.child.once('exit', () => resolve());
      victim.child.kill('SIGKILL');
    });
    const killedAt = performance.now();
    // The dead instance's lease stays behind until it expires.
    const deadLease = await db.collection<{ key: string; owner: string; expiresAt: Date }>('locks').findOne({ key: LEASE_KEY });
    const startsAtKill = await starts.countDocuments();
    const victimItemDoneAtKill = (await items.findOne({ _id: victimStart.item }))?.done ?? false;

    // The survivor takes over once the dead instance's lease has run out, and finishes the work.
    let takeoverMs = Number.POSITIVE_INFINITY;
    for (const end = performance.now() + 20_000; performance.now() < end; ) {
      if (!Number.isFinite(takeoverMs) && (await starts.countDocuments()) > startsAtKill) takeoverMs = performance.now() - killedAt;
      if ((await items.countDocuments({ done: false })) === 0) break;
      await sleep(20);
    }
    const all = await items.find().toArray();
    const afterKill = await starts.find().sort({ at: 1 }).skip(startsAtKill).toArray();
    const overlaps = await db.collection('rel_overlaps').countDocuments();
    const ranTwice = all.filter((i) => i.runs > 1);
    const notDone = all.filter((i) => !i.done);
    const victimItem = all.find((i) => i._id === victimStart.item);
    const passesBy = (name: string) => all.reduce((n, i) => n + i.by.filter((x) => x === name).length, 0);

    console.log(
      `      two-instances: faults injected 1 (SIGKILL of instance ${victim.name} holding the lease mid-pass on item ${victimStart.item}); items ${ITEMS}, done ${ITEMS - notDone.length}, ` +
        `run twice ${ranTwice.length}, overlapping passes ${overlaps}; passes by ${victim.name} ${passesBy(victim.name)}, by ${survivor.name} ${passesBy(survivor.name)}; ` +
        `lease (TTL ${LEASE_MS} ms) taken over by ${survivor.name} ${Math.round(takeoverMs)} ms after the kill`,
    );

    assert.equal(victimItemDoneAtKill, false, 'the instance was killed in the middle of its pass');
    assert.deepEqual(notDone.map((i) => i._id), [], 'every item is done');
    assert.deepEqual(ranTwice.map((i) => ({ item: i._id, by: i.by })), [], 'no item ran twice');
    assert.equal(overlaps, 0, 'no two passes ran at once');
    assert.deepEqual(victimItem?.by, [survivor.name], 'the interrupted item was finished once, by the survivor');
    assert.ok(afterKill.length > 0 && afterKill.every((s) => s.instance === survivor.name), 'only the survivor works after the kill');
    assert.ok(afterKill.every((s) => s.owner !== null && s.owner !== victimStart.owner), 'the survivor holds a lease of its own');
    // Not before the dead holder's lease ran out (the clock leases are taken by), and not much after.
    assert.equal(deadLease?.owner, victimStart.owner, 'the dead instance held the lease when it was killed');
    const firstAfter = afterKill[0];
    assert.ok(firstAfter && deadLease && firstAfter.at.getTime() >= deadLease.expiresAt.getTime(), 'the survivor started only after the dead lease expired');
    assert.ok(takeoverMs <= LEASE_MS + 2_000, `taken over only after ${Math.round(takeoverMs)} ms`);
    assert.equal(survivor.child.exitCode, null, 'the survivor still runs');
  });
});
