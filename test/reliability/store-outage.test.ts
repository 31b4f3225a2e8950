/**
 * Reliability: the store goes away. Meent (the HTTP app with the communities capability, and
 * the worker) runs against a FerretDB that this test owns, on a PostgreSQL database of its own;
 * a few clients write discussions and replies through the API; FerretDB is killed (SIGKILL)
 * mid-load and started again on the same port. Afterwards every write the API acknowledged is
 * in the store, nothing is there twice, `/readyz` said 503 while the store was down and 200
 * within 10 s of its return, every refusal during the outage was a prompt 503 problem+json
 * without driver text, and the worker's periodic jobs run again.
 *
 * PostgreSQL itself is the machine's shared server (other test runs use it): it is not stopped
 * here. Killing FerretDB cuts Meent off from the store in the same way (every connection of the
 * driver dies at once, and nothing answers on the port until it is back).
 */
import assert from 'node:assert/strict';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import mongoose from 'mongoose';
import { createCommunitiesModule, startWorker } from '../../src/composition.js';
import { loadConfig } from '../../src/config/config.js';
import { connectDatabase, disconnectDatabase, isDatabaseReachable } from '../../src/db/connection.js';
import { LeaseModel } from '../../src/db/lease.js';
import { DiscussionModel } from '../../src/discussions/discussion.model.js';
import { ReplyModel } from '../../src/discussions/reply.model.js';
import { createApp } from '../../src/http/app.js';
import { createLogger } from '../../src/logging/logger.js';
import type { RunningWorker } from '../../src/background-jobs.js';
import { community, person, type TestWorld } from '../communities/communities-fixtures.js';
import { uniqueDatabaseName } from '../support/database.js';
import { startOwnedFerretDb, type OwnedFerretDb } from '../support/ferretdb-process.js';
import { TEST_DRIVER_POOL_SIZE } from '../support/postgres.js';
import { actorHeader, testAuthenticate } from '../support/test-actor.js';
import type { Actor } from '../../src/auth/actor.js';

const CLIENTS = 4;
/**
 * How long any one request may take, outage or not: the driver gives up selecting a server
 * after 5 s, and a write may first wait behind another on the same document's lock (in this
 * process's queue) that is giving up the same way: two of those, and some slack.
 */
const REQUEST_BOUND_MS = 12_000;
/** How long the store stays away. */
const OUTAGE_MS = 7_000;
const READY_AGAIN_WITHIN_MS = 10_000;
/** Driver and store text that must never reach a client. */
const DRIVER_TEXT = /mongo|ferret|topology|server selection|ECONNREFUSED|ECONNRESET|connection .*closed|buffering timed out|pool/i;

interface Attempt {
  kind: 'discussion' | 'reply';
  marker: string;
  status: number;
  ms: number;
  contentType: string;
  body: Record<string, unknown> | undefined;
  /** Sent while the store was down (between the kill and the restart). */
  duringOutage: boolean;
}

describe('reliability: the store goes away under load (FerretDB killed and restarted)', function () {
  this.timeout(90_000);
  const logger = createLogger(process.env.MEENT_TEST_LOG === '1' ? 'warn' : 'silent');
  const dbName = uniqueDatabaseName('rel_outage');
  let store: OwnedFerretDb;
  let server: Server;
  let base: string;
  let worker: RunningWorker | undefined;
  let world: TestWorld;

  before(async function () {
    this.timeout(60_000);
    store = await startOwnedFerretDb();
    await connectDatabase({ uri: store.uri, dbName, attempts: 3, maxPoolSize: TEST_DRIVER_POOL_SIZE, ferretDbPostgresUrl: store.postgresUrl });
    const module = createCommunitiesModule({ logger });
    const config = loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent' });
    const app = createApp({ config, logger, isReady: () => isDatabaseReachable(), authenticate: testAuthenticate, apiRouters: module.apiRouters, publicRouters: module.publicRouters });
    server = app.listen(0, '127.0.0.1');
    await new Promise<void>((resolve) => server.once('listening', () => resolve()));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    world = { app, module };
    worker = await startWorker({ config, logger, graphCredentials: undefined });
  });

  after(async function () {
    this.timeout(60_000);
    await worker?.stop();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    if (mongoose.connection.readyState === 1) await mongoose.connection.dropDatabase().catch(() => undefined);
    await disconnectDatabase();
    await store?.dispose();
  });

  async function call(actor: Actor, method: string, path: string, body?: unknown): Promise<{ status: number; ms: number; contentType: string; body: Record<string, unknown> | undefined }> {
    const started = performance.now();
    try {
      const res = await fetch(`${base}${path}`, {
        method,
        headers: { 'X-Test-Actor': actorHeader(actor), ...(body ? { 'Content-Type': 'application/json' } : {}) },
        ...(body ? { body: JSON.stringify(body) } : {}),
        signal: AbortSignal.timeout(REQUEST_BOUND_MS + 5_000),
      });
      const text = await res.text();
      let parsed: Record<string, unknown> | undefined;
      try {
        parsed = text ? (JSON.parse(text) as Record<string, unknown>) : undefined;
      } catch {
        parsed = { raw: text };
      }
      return { status: res.status, ms: performance.now() - started, contentType: res.headers.get('content-type') ?? '', body: parsed };
    } catch (err) {
      // A timeout or a dropped connection: recorded as status 0, which the assertions refuse.
      return { status: 0, ms: performance.now() - started, contentType: '', body: { error: (err as Error).message } };
    }
  }

  async function readyz(): Promise<number> {
    const res = await fetch(`${base}/readyz`, { signal: AbortSignal.timeout(REQUEST_BOUND_MS) }).catch(() => undefined);
    return res?.status ?? 0;
  }

  async function heartbeatExpiry(): Promise<number> {
    const holder = await LeaseModel.findOne({ key: mongoose.trusted({ $regex: '^notifications:worker:' }) }).lean();
    return holder?.expiresAt.getTime() ?? 0;
  }

  it('keeps every acknowledged write, duplicates none, says 503 while the store is down and recovers within 10 s', async () => {
    const manager = await person({ userId: 'outage-manager' });
    const writers = await Promise.all(Array.from({ length: CLIENTS }, (_, i) => person({ userId: `outage-writer-${i}` })));
    const c = await community(world, manager, { members: writers });
    const discussions: string[] = [];
    for (const w of writers) {
      const d = await call(w, 'POST', `/api/v1/communities/${c.id}/discussions`, { title: `Draad van ${w.userId}`, body: 'start' });
      assert.equal(d.status, 201, JSON.stringify(d.body));
      discussions.push(String(d.body?.id));
    }
    assert.equal(await readyz(), 200);

    const attempts: Attempt[] = [];
    let outage = false;
    let stop = false;
    const client = async (i: number) => {
      const actor = writers[i] as Actor;
      for (let n = 0; !stop; n++) {
        const marker = `client-${i}-write-${n}`;
        const kind = n % 5 === 4 ? 'discussion' : 'reply';
        const duringOutage = outage;
        const res =
          kind === 'discussion'
            ? await call(actor, 'POST', `/api/v1/communities/${c.id}/discussions`, { title: marker, body: marker })
            : await call(actor, 'POST', `/api/v1/discussions/${discussions[i]}/replies`, { body: marker });
        attempts.push({ kind, marker, duringOutage: duringOutage || outage, ...res });
        // A client that is refused backs off a little, as the tab does.
        if (res.status !== 201) await new Promise((r) => setTimeout(r, 100));
      }
    };
    const load = Promise.all(Array.from({ length: CLIENTS }, (_, i) => client(i)));
    const acknowledged = () => attempts.filter((a) => a.status === 201).length;

    // Let the load run, then pull the store out from under it.
    for (let waited = 0; acknowledged() < 40 && waited < 10_000; waited += 50) await new Promise((r) => setTimeout(r, 50));
    const before = acknowledged();
    outage = true;
    await store.kill();
    const killedAt = performance.now();

    // While it is down, /readyz says so.
    const readyDuringOutage: number[] = [];
    while (performance.now() - killedAt < OUTAGE_MS) {
      readyDuringOutage.push(await readyz());
      await new Promise((r) => setTimeout(r, 200));
    }
    await store.restart();
    outage = false;
    const backAt = performance.now();
    let readyAfterMs = Number.POSITIVE_INFINITY;
    while (performance.now() - backAt < READY_AGAIN_WITHIN_MS + 2_000) {
      if ((await readyz()) === 200) {
        readyAfterMs = performance.now() - backAt;
        break;
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    // The worker's heartbeat (a periodic job) writes again after the store is back.
    const heartbeatAtRecovery = await heartbeatExpiry();
    let workerResumedMs = Number.POSITIVE_INFINITY;
    const recovered = performance.now();
    while (performance.now() - recovered < 15_000) {
      if ((await heartbeatExpiry()) > heartbeatAtRecovery) {
        workerResumedMs = performance.now() - recovered;
        break;
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    // Writes succeed again.
    const atRecovery = acknowledged();
    for (let waited = 0; acknowledged() < atRecovery + 20 && waited < 10_000; waited += 50) await new Promise((r) => setTimeout(r, 50));
    stop = true;
    await load;

    // Every acknowledged write is in the store, as acknowledged.
    const acked = attempts.filter((a) => a.status === 201);
    let lost = 0;
    for (const a of acked) {
      const id = String(a.body?.id);
      const stored = a.kind === 'reply' ? await ReplyModel.findById(id).lean() : await DiscussionModel.findById(id).lean();
      const text = a.kind === 'reply' ? (stored as { body?: { source?: string } } | null)?.body?.source : (stored as { title?: string } | null)?.title;
      if (text !== a.marker) lost++;
    }
    // Nothing is there twice (a write refused during the outage may or may not have landed; once at most).
    const replyDuplicates = await ReplyModel.aggregate<{ _id: string; n: number }>([{ $group: { _id: '$body.source', n: { $sum: 1 } } }, { $match: { n: { $gt: 1 } } }]);
    const discussionDuplicates = await DiscussionModel.aggregate<{ _id: string; n: number }>([{ $group: { _id: '$title', n: { $sum: 1 } } }, { $match: { n: { $gt: 1 } } }]);
    const duplicated = replyDuplicates.length + discussionDuplicates.length;
    // Refusals: prompt 503 problem+json, no driver text, nothing else.
    const refused = attempts.filter((a) => a.status !== 201);
    const unclean = refused.filter((a) => a.status !== 503 || !a.contentType.startsWith('application/problem+json') || DRIVER_TEXT.test(JSON.stringify(a.body)));
    const slowest = Math.max(...attempts.map((a) => a.ms));

    console.log(
      `      store-outage: faults injected 1 (FerretDB SIGKILL, down ${OUTAGE_MS} ms); writes attempted ${attempts.length}, acknowledged writes checked ${acked.length} (${before} before the kill), lost ${lost}, duplicated ${duplicated}; ` +
        `refused ${refused.length} (503 problem+json ${refused.length - unclean.length}, other ${unclean.length}); slowest request ${Math.round(slowest)} ms; ` +
        `/readyz during outage ${[...new Set(readyDuringOutage)].join('/')}, ready again ${Math.round(readyAfterMs)} ms after restart; worker heartbeat again ${Math.round(workerResumedMs)} ms after ready`,
    );

    assert.equal(lost, 0, 'acknowledged writes lost');
    assert.equal(duplicated, 0, `duplicated: ${JSON.stringify([...replyDuplicates, ...discussionDuplicates])}`);
    assert.deepEqual(unclean.slice(0, 5).map((a) => ({ status: a.status, contentType: a.contentType, body: a.body })), [], 'refusals that are not a clean 503 problem+json');
    assert.ok(refused.length > 0, 'some writes were attempted while the store was down');
    assert.ok(slowest <= REQUEST_BOUND_MS, `a request took ${Math.round(slowest)} ms`);
    assert.ok(readyDuringOutage.length > 0 && readyDuringOutage.every((s) => s === 503), `/readyz during the outage: ${readyDuringOutage.join(',')}`);
    assert.ok(readyAfterMs <= READY_AGAIN_WITHIN_MS, `/readyz was 200 again only after ${readyAfterMs} ms`);
    assert.ok(Number.isFinite(workerResumedMs), 'the worker did not run its heartbeat again after the store came back');
    assert.ok(acknowledged() >= atRecovery + 20, 'writes are acknowledged again after recovery');
  });
});
