/**
 * Load benchmark (issue 18): a mixed workload, 80% reads and 20% writes, from 50 concurrent
 * clients for a while (default 5 minutes), against the real HTTP app on FerretDB 1.24
 * (PostgreSQL backend), as the discussions bench runs it. Reports heap used before and after
 * (after a forced GC when node runs with --expose-gc, which bench/run.ts passes), errors
 * (0 expected: any non-2xx or network error counts), latency percentiles (p50/p95/p99) for reads
 * and writes, and throughput; writes bench/results/load.json.
 *
 *   npx tsx bench/load/load.ts                       5 minutes, 50 clients
 *   node --expose-gc --import tsx bench/load/load.ts --seconds 20
 *   BENCH_SECONDS=20 BENCH_CONNECTIONS=50 npm run bench -- load
 *   MEENT_BENCH_MONGODB_URI=mongodb://... (use that store instead of starting FerretDB)
 *
 * Reads: the community feed page, the home feed page, a thread's first page of replies,
 * search. Writes: a reply to a thread (three in four) or a new discussion. The rate limits are
 * turned off (RATE_LIMIT_*=0): 50 clients acting as 49 people from one address would otherwise
 * be refused within seconds, and this bench measures the app, not the limiter. Requests are
 * authenticated with the test-only actor header (test/support/test-actor.ts), as in the
 * discussions bench, so the numbers are of the capability, not of token validation.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Types } from 'mongoose';
import { createCommunitiesModule } from '../../src/composition.js';
import { CommunityModel } from '../../src/communities/community.model.js';
import { MembershipModel } from '../../src/communities/membership.model.js';
import { loadConfig } from '../../src/config/config.js';
import { createApp } from '../../src/http/app.js';
import { createLogger } from '../../src/logging/logger.js';
import { UserModel } from '../../src/members/user.model.js';
import { bulkDiscussions, bulkReplies } from '../../test/support/bulk-discussions.js';
import { machineDescription, seededRandom, storeDescription, withBenchStore } from '../bench-support.js';
import { actorHeader, testActor, testAuthenticate, TEST_TENANT } from '../../test/support/test-actor.js';

const here = dirname(fileURLToPath(import.meta.url));
const resultsFile = join(here, '..', 'results', 'load.json');
const { values: args } = parseArgs({ options: { seconds: { type: 'string' }, connections: { type: 'string' } }, allowPositionals: true });
const SECONDS = Number(args.seconds ?? process.env.BENCH_SECONDS ?? 300);
const CONNECTIONS = Number(args.connections ?? process.env.BENCH_CONNECTIONS ?? 50);
const WRITE_SHARE = 0.2;
const DISCUSSIONS = 500;
const REPLIES = 200;
const PEOPLE = 50;

const { random, pick } = seededRandom(42);
const TOPICS = ['bemesting', 'grondwater', 'verzilting', 'dijkversterking', 'waterkwaliteit', 'stikstof', 'droogte', 'peilbeheer'];
const sentence = (words: number) => Array.from({ length: words }, () => pick(TOPICS)).join(' ');

interface Seeded {
  communityId: string;
  threadIds: string[];
  people: ReturnType<typeof testActor>[];
}

async function seedData(): Promise<Seeded> {
  const { communities, discussions } = createCommunitiesModule({ logger: createLogger('silent') }).services;
  const people = Array.from({ length: PEOPLE }, (_, i) => testActor({ userId: `load-${i}`, name: `Load Person ${i}` }));
  await UserModel.insertMany(people.map((p) => ({ tenantId: TEST_TENANT, userId: p.userId, displayName: p.name, isGuest: false, isOrgAdmin: false })));
  const owner = people[0];
  if (!owner) throw new Error('no people');
  const community = await communities.create(owner, { name: 'Waterbeheer', description: 'Belasting', visibility: 'public', guestsAllowed: false, tags: ['water'] });
  await MembershipModel.insertMany(people.slice(1).map((p, i) => ({ tenantId: TEST_TENANT, communityId: new Types.ObjectId(community.id), userId: p.userId, role: 'member', status: 'active', joinedAt: new Date(Date.now() - (i + 1) * 1000) })));
  await CommunityModel.updateOne({ _id: community.id }, { $set: { 'counts.memberCount': PEOPLE } });
  await bulkDiscussions(
    community.id,
    people,
    Array.from({ length: DISCUSSIONS }, (_, i) => ({ title: `${pick(TOPICS)} ${i}`, body: sentence(40), tags: [pick(TOPICS)], kind: i % 4 === 0 ? 'question' : 'discussion' })),
    Date.now() - 3_600_000,
  );
  const threadIds: string[] = [];
  for (let i = 0; i < 5; i++) {
    const thread = await discussions.create(owner, community.id, { title: `Draad ${i}`, body: 'Deel uw ervaringen.', kind: 'discussion', tags: ['droogte'] });
    await bulkReplies(thread.id, people, Array.from({ length: REPLIES / 5 }, () => sentence(20)), { nestedEvery: 10 });
    threadIds.push(thread.id);
  }
  return { communityId: community.id, threadIds, people };
}

interface Sample {
  kind: 'read' | 'write';
  ms: number;
  ok: boolean;
}

function percentiles(values: number[]): { p50: number; p95: number; p99: number; max: number; mean: number; count: number } {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) => Math.round((sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? 0) * 10) / 10;
  const mean = sorted.length === 0 ? 0 : sorted.reduce((a, b) => a + b, 0) / sorted.length;
  return { p50: at(0.5), p95: at(0.95), p99: at(0.99), max: at(1), mean: Math.round(mean * 10) / 10, count: sorted.length };
}

function heapMiB(): number {
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  gc?.();
  return Math.round((process.memoryUsage().heapUsed / 2 ** 20) * 10) / 10;
}

async function runLoad(base: string, seeded: Seeded, seconds: number, connections: number): Promise<{ samples: Sample[]; errorsByStatus: Record<string, number> }> {
  const samples: Sample[] = [];
  const errorsByStatus: Record<string, number> = {};
  const reads = [`/communities/${seeded.communityId}/discussions?limit=20`, '/feed?limit=20', ...seeded.threadIds.map((id) => `/discussions/${id}/replies?limit=50`), '/search?q=grondwater'];
  const deadline = Date.now() + seconds * 1000;
  let n = 0;
  const client = async (index: number) => {
    const who = seeded.people[1 + (index % (PEOPLE - 1))] ?? seeded.people[0];
    if (!who) return;
    const headers = { 'x-test-actor': actorHeader(who), 'content-type': 'application/json' };
    while (Date.now() < deadline) {
      const write = random() < WRITE_SHARE;
      let path: string;
      let init: RequestInit;
      if (write) {
        const i = ++n;
        if (i % 4 === 0) {
          path = `/communities/${seeded.communityId}/discussions`;
          init = { method: 'POST', headers, body: JSON.stringify({ title: `Nieuw onderwerp ${i}`, body: sentence(30), kind: 'discussion', tags: [pick(TOPICS)] }) };
        } else {
          path = `/discussions/${pick(seeded.threadIds)}/replies`;
          init = { method: 'POST', headers, body: JSON.stringify({ body: `Reactie ${i}: ${sentence(15)}` }) };
        }
      } else {
        path = pick(reads);
        init = { method: 'GET', headers };
      }
      const started = performance.now();
      let status = 0;
      try {
        const res = await fetch(base + path, init);
        status = res.status;
        await res.arrayBuffer();
      } catch {
        status = 0;
      }
      const ok = status >= 200 && status < 300;
      samples.push({ kind: write ? 'write' : 'read', ms: performance.now() - started, ok });
      if (!ok) errorsByStatus[`${write ? 'write' : 'read'} ${status}`] = (errorsByStatus[`${write ? 'write' : 'read'} ${status}`] ?? 0) + 1;
    }
  };
  await Promise.all(Array.from({ length: connections }, (_, i) => client(i)));
  return { samples, errorsByStatus };
}

async function main(): Promise<void> {
  const loadAtStart = loadavg();
  await withBenchStore('load', async () => {
    console.log('seeding...');
    const seeded = await seedData();
    const logger = createLogger('silent');
    const module = createCommunitiesModule({ logger });
    // Rate limits off (0): see the header comment.
    const config = loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', RATE_LIMIT_USER_WRITES: '0', RATE_LIMIT_IP_WRITES: '0', RATE_LIMIT_USER_READS: '0', RATE_LIMIT_IP_READS: '0' });
    const app = createApp({ config, logger, isReady: async () => true, authenticate: testAuthenticate, apiRouters: module.apiRouters });
    const server = app.listen(0, '127.0.0.1');
    await new Promise<void>((resolve) => server.once('listening', () => resolve()));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1`;

    console.log('warming up (5 s, 5 clients)...');
    await runLoad(base, seeded, 5, 5);
    const heapBefore = heapMiB();
    console.log(`measuring: ${CONNECTIONS} clients, ${SECONDS} s, ${Math.round((1 - WRITE_SHARE) * 100)}% reads / ${Math.round(WRITE_SHARE * 100)}% writes...`);
    const started = Date.now();
    const { samples, errorsByStatus } = await runLoad(base, seeded, SECONDS, CONNECTIONS);
    const elapsedS = (Date.now() - started) / 1000;
    await new Promise((r) => setTimeout(r, 1_000));
    const heapAfter = heapMiB();
    await new Promise<void>((resolve) => server.close(() => resolve()));

    const reads = samples.filter((s) => s.kind === 'read');
    const writes = samples.filter((s) => s.kind === 'write');
    const errors = samples.filter((s) => !s.ok).length;
    const results = {
      benchmark: 'load',
      date: new Date().toISOString(),
      machine: machineDescription(loadAtStart, 'shared 2-core machine; other work was running at the same time (see the load averages); the clients run in the same process as the app'),
      store: storeDescription(),
      dataset: { discussions: DISCUSSIONS, repliesInThreads: REPLIES, people: PEOPLE },
      load: { connections: CONNECTIONS, durationSeconds: SECONDS, writeShare: WRITE_SHARE, rateLimits: 'off (RATE_LIMIT_*=0)', tool: 'fetch client loop' },
      heapUsedMiB: { before: heapBefore, after: heapAfter, growth: Math.round((heapAfter - heapBefore) * 10) / 10, afterForcedGc: typeof (globalThis as { gc?: unknown }).gc === 'function' },
      requests: samples.length,
      requestsPerSecond: Math.round((samples.length / elapsedS) * 10) / 10,
      errors,
      errorsByStatus,
      latencyMs: { reads: percentiles(reads.map((s) => s.ms)), writes: percentiles(writes.map((s) => s.ms)) },
    };
    mkdirSync(dirname(resultsFile), { recursive: true });
    writeFileSync(resultsFile, `${JSON.stringify(results, null, 2)}\n`);
    console.log(JSON.stringify({ requests: results.requests, requestsPerSecond: results.requestsPerSecond, errors, heapUsedMiB: results.heapUsedMiB, latencyMs: results.latencyMs }));
    console.log(`written to ${resultsFile}`);
    if (errors > 0) process.exitCode = 1;
  });
}

await main();
