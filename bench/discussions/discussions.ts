/**
 * Discussions benchmark: a community with 2,000 discussions and a discussion with 500
 * replies, served by the real HTTP app on FerretDB 1.24 (PostgreSQL backend, as in tests and
 * local mode). Measures requests per second and p50/p99 latency, with 50 concurrent clients
 * (autocannon), of:
 *   - the community feed page  GET /communities/{id}/discussions?limit=20
 *   - the home feed page       GET /feed?limit=20
 *   - the 500-reply thread     GET /discussions/{id}/replies?limit=50 (its first page; the thread pages by 50)
 *   - search                   GET /search?q=bemesten
 * and writes bench/results/discussions.json with the machine's description.
 *
 *   npx tsx bench/discussions/discussions.ts
 *   BENCH_SECONDS=20 BENCH_CONNECTIONS=50 npx tsx bench/discussions/discussions.ts
 *   MEENT_BENCH_MONGODB_URI=mongodb://... (use that store instead of starting FerretDB)
 *
 * The data is bulk-loaded with the same numbering (sequence numbers, buckets, activity,
 * search entries) the services write; requests are authenticated with the test-only actor
 * header middleware (test/support/test-actor.ts), so the numbers are of the capability, not
 * of token validation.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { Types } from 'mongoose';
import { createCommunitiesModule } from '../../src/composition.js';
import { CommunityModel } from '../../src/communities/community.model.js';
import { MembershipModel } from '../../src/communities/membership.model.js';
import { loadConfig } from '../../src/config/config.js';
import { createApp } from '../../src/http/app.js';
import { createLogger } from '../../src/logging/logger.js';
import { UserModel } from '../../src/members/user.model.js';
import { SearchEntryModel } from '../../src/search-index/search-entry.model.js';
import { bulkDiscussions, bulkReplies } from '../../test/support/bulk-discussions.js';
import { configureReadCache, readCache } from '../../src/db/read-cache.js';
import { stampScope } from '../../src/db/version-stamps.js';
import { searchIndex } from '../../src/search-index/search-index.js';
import { machineDescription, seededRandom, settleStore, storeDescription, withBenchStore, type BenchStore } from '../bench-support.js';
import { profileWhile, startCpuAccounting, type CpuSplit } from '../cpu-accounting.js';
import { rawStoreRequests, type RawScenario } from './raw-store.js';
import { actorHeader, testActor, testAuthenticate, TEST_TENANT } from '../../test/support/test-actor.js';

const here = dirname(fileURLToPath(import.meta.url));
const resultsFile = join(here, '..', 'results', 'discussions.json');
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);
const DISCUSSIONS = Number(process.env.BENCH_DISCUSSIONS ?? 2000);
/** The scaling run: discussions in the community and search entries in the tenant at the large scale. */
const LARGE_DISCUSSIONS = Number(process.env.BENCH_LARGE_DISCUSSIONS ?? 20_000);
const LARGE_SEARCH_ENTRIES = Number(process.env.BENCH_LARGE_SEARCH_ENTRIES ?? 200_000);
const SCALING = process.env.BENCH_SCALING !== '0';
const REPLIES = 500;
const PEOPLE = 50;

// ---- deterministic text ----

const { random, pick } = seededRandom(42);
const TOPICS = ['bemesting', 'grondwater', 'verzilting', 'dijkversterking', 'waterkwaliteit', 'stikstof', 'klimaatadaptatie', 'droogte', 'peilbeheer', 'natuurherstel', 'subsidies', 'omgevingswet', 'participatie', 'wateroverlast', 'riolering', 'biodiversiteit', 'flooding', 'permits', 'meetings', 'energietransitie'];
const SYLLABLES = ['ka', 'lo', 'mer', 'ten', 'vi', 'sta', 'ro', 'den', 'pel', 'gra', 'zo', 'wen', 'bri', 'ke', 'lan', 'dor'];
const FILLER = Array.from({ length: 400 }, () => `${pick(SYLLABLES)}${pick(SYLLABLES)}${pick(SYLLABLES)}`);
const sentence = (words: number, topic?: string) => {
  const out = Array.from({ length: words }, () => pick(FILLER));
  if (topic) out.splice(Math.floor(random() * out.length), 0, topic);
  return out.join(' ');
};

async function seedData(): Promise<{ communityId: string; threadId: string; reader: ReturnType<typeof testActor> }> {
  const logger = createLogger('silent');
  const { communities, discussions, replies } = createCommunitiesModule({ logger }).services;
  const people = Array.from({ length: PEOPLE }, (_, i) => testActor({ userId: `bench-${i}`, name: `Bench Person ${i}` }));
  await UserModel.insertMany(people.map((p) => ({ tenantId: TEST_TENANT, userId: p.userId, displayName: p.name, isGuest: false, isOrgAdmin: false, profile: { expertise: [pick(TOPICS)] } })));
  const owner = people[0];
  const reader = people[1];
  if (!owner || !reader) throw new Error('no people');
  const big = await communities.create(owner, { name: 'Waterbeheer en landbouw', description: 'Alles over bemesting en water', visibility: 'public', guestsAllowed: false, tags: ['water'] });
  const threadCommunity = await communities.create(owner, { name: 'Klimaatadaptatie', description: 'Lange draad', visibility: 'public', guestsAllowed: false });
  const now = Date.now();
  for (const c of [big.id, threadCommunity.id]) {
    await MembershipModel.insertMany(people.slice(1).map((p, i) => ({ tenantId: TEST_TENANT, communityId: new Types.ObjectId(c), userId: p.userId, role: 'member', status: 'active', joinedAt: new Date(now - (i + 1) * 1000) })));
    await CommunityModel.updateOne({ _id: c }, { $set: { 'counts.memberCount': PEOPLE } });
  }
  // 2,000 discussions in the big community, one a minute, each about one of 20 topics.
  await addDiscussions(big.id, people, DISCUSSIONS, now - 3_600_000);
  // One discussion with 500 replies (every tenth a nested reply), which the reader follows.
  const thread = await discussions.create(owner, threadCommunity.id, { title: 'Hoe pakken we hittestress aan?', body: 'Deel uw ervaringen.', kind: 'discussion', tags: ['klimaatadaptatie'] });
  await bulkReplies(thread.id, people, Array.from({ length: REPLIES }, () => sentence(25, random() < 0.2 ? pick(TOPICS) : undefined)), { nestedEvery: 10 });
  await discussions.follow(reader, thread.id);
  // And a few through the services, as people would.
  for (let i = 0; i < 3; i++) await replies.create(people[2 + i] ?? owner, thread.id, { body: `Nog een ervaring over ${pick(TOPICS)}` });
  return { communityId: big.id, threadId: thread.id, reader };
}

/** Appends `count` discussions to the community, one a minute ending at `endAt`. */
async function addDiscussions(communityId: string, people: ReturnType<typeof testActor>[], count: number, endAt: number): Promise<void> {
  for (let done = 0; done < count; done += 2000) {
    const n = Math.min(2000, count - done);
    await bulkDiscussions(
      communityId,
      people,
      Array.from({ length: n }, (_, i) => {
        const topic = pick(TOPICS);
        return { title: `${topic[0]?.toUpperCase()}${topic.slice(1)}: ${sentence(4)}`, body: `${sentence(30, random() < 0.3 ? pick(TOPICS) : undefined)}\n\n${sentence(20)}`, tags: [topic], kind: (done + i) % 4 === 0 ? 'question' : 'discussion' };
      }),
      endAt - (count - done - n) * 60_000,
    );
  }
}

/** Fills the tenant's search index up to `total` entries with reply entries of the community (older than the discussions). */
async function fillSearchEntries(communityId: string, total: number): Promise<void> {
  const have = await SearchEntryModel.estimatedDocumentCount();
  const cid = new Types.ObjectId(communityId);
  const old = Date.now() - 400 * 24 * 3_600_000;
  for (let i = have; i < total; i += 1000) {
    const batch = Array.from({ length: Math.min(1000, total - i) }, (_, j) =>
      searchIndex.entryFor({ tenantId: TEST_TENANT, type: 'reply', itemId: String(new Types.ObjectId()), communityId: cid, discussionId: new Types.ObjectId(), title: sentence(4), body: [sentence(25, random() < 0.2 ? pick(TOPICS) : undefined)], at: new Date(old + (i + j) * 60_000) }),
    );
    await searchIndex.insertEntries(batch);
  }
}

interface Figures {
  url: string;
  requestsPerSecond: number;
  latencyMs: { p50: number; p90: number; p99: number; max: number; mean: number };
  requests: number;
  errors: number;
  non2xx: number;
  /** CPU time per request, by process (this process includes autocannon). */
  cpuMsPerRequest?: { node: number; ferretDb: number; postgres: number; total: number };
  profile?: Record<string, unknown>;
}

const perRequest = (cpu: CpuSplit, requests: number) => {
  const r = (n: number) => Math.round((n / Math.max(1, requests)) * 100) / 100;
  return { node: r(cpu.nodeMs), ferretDb: r(cpu.ferretDbMs), postgres: r(cpu.postgresMs), total: r(cpu.nodeMs + cpu.ferretDbMs + cpu.postgresMs) };
};

async function measure(base: string, path: string, header: string, store: BenchStore, withProfile: boolean): Promise<Figures> {
  // A warm-up at the measured load (the code paths optimised, the caches filled), then the measured run.
  await autocannon({ url: base + path, connections: CONNECTIONS, duration: 3, headers: { 'x-test-actor': header } });
  const stop = await startCpuAccounting(store);
  const run = () => autocannon({ url: base + path, connections: CONNECTIONS, duration: SECONDS, headers: { 'x-test-actor': header } });
  const { result, profile } = withProfile ? await profileWhile(run) : { result: await run(), profile: undefined };
  const cpu = await stop();
  return {
    url: path,
    requestsPerSecond: Math.round(result.requests.average * 10) / 10,
    latencyMs: { p50: result.latency.p50, p90: result.latency.p90, p99: result.latency.p99, max: result.latency.max, mean: Math.round(result.latency.average * 10) / 10 },
    requests: result.requests.total,
    errors: result.errors,
    non2xx: result.non2xx,
    cpuMsPerRequest: perRequest(cpu, result.requests.total),
    ...(profile ? { profile } : {}),
  };
}

const memory = () => {
  (globalThis as { gc?: () => void }).gc?.();
  const m = process.memoryUsage();
  return { heapUsedMiB: Math.round((m.heapUsed / 2 ** 20) * 10) / 10, rssMiB: Math.round((m.rss / 2 ** 20) * 10) / 10, afterForcedGc: typeof (globalThis as { gc?: unknown }).gc === 'function' };
};

/**
 * One search right after a write of the tenant's search index (which renews every cached
 * search of the tenant): what a searcher waits for on a busy day. The median of 7, one at a time.
 */
async function searchAfterWrite(base: string, path: string, header: string): Promise<{ p50: number; max: number; runs: number }> {
  const times: number[] = [];
  for (let i = 0; i < 7; i++) {
    await readCache().bump([stampScope.tenantSearch(TEST_TENANT)]);
    const started = performance.now();
    const res = await fetch(base + path, { headers: { 'x-test-actor': header } });
    await res.arrayBuffer();
    if (!res.ok) throw new Error(`search answered ${res.status}`);
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  return { p50: Math.round(times[3] ?? 0), max: Math.round(times[6] ?? 0), runs: times.length };
}

type ScenarioName = 'communityFeedPage' | 'homeFeedPage' | 'thread500RepliesFirstPage' | 'search';

async function main(): Promise<void> {
  const loadAtStart = loadavg();
  await withBenchStore('discussions', async (store) => {
    console.log('seeding...');
    const seedStart = Date.now();
    const seeded = await seedData();
    console.log(`seeded in ${Math.round((Date.now() - seedStart) / 1000)} s`);
    await settleStore(store);
    const logger = createLogger('silent');
    const module = createCommunitiesModule({ logger });
    const app = createApp({ config: loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent' }), logger, isReady: async () => true, authenticate: testAuthenticate, apiRouters: module.apiRouters });
    const server = app.listen(0, '127.0.0.1');
    await new Promise<void>((resolve) => server.once('listening', () => resolve()));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1`;
    const header = actorHeader(seeded.reader);
    const paths: Record<ScenarioName, string> = {
      communityFeedPage: `/communities/${seeded.communityId}/discussions?limit=20`,
      homeFeedPage: '/feed?limit=20',
      thread500RepliesFirstPage: `/discussions/${seeded.threadId}/replies?limit=50`,
      search: '/search?q=bemesten',
    };
    const raw: RawScenario = { tenantId: TEST_TENANT, communityId: seeded.communityId, threadId: seeded.threadId, userId: seeded.reader.userId, searchKeys: ['bemest'] };
    const runAll = async (label: string, withProfile: boolean) => {
      const out: Partial<Record<ScenarioName, Figures>> = {};
      for (const [name, path] of Object.entries(paths) as [ScenarioName, string][]) {
        console.log(`${label}: measuring ${name} (${CONNECTIONS} clients, ${SECONDS} s)...`);
        out[name] = await measure(base, path, header, store, withProfile);
        const { profile: _p, ...shown } = out[name] as Figures;
        console.log(JSON.stringify(shown));
      }
      return out as Record<ScenarioName, Figures>;
    };
    const runRaw = async (label: string) => {
      const out: Partial<Record<ScenarioName, Figures & { queriesPerRequest: number }>> = {};
      for (const name of Object.keys(paths) as ScenarioName[]) {
        console.log(`${label}: raw store, ${name}...`);
        const stop = await startCpuAccounting(store);
        const r = await rawStoreRequests(name, raw, CONNECTIONS, SECONDS * 1000);
        const cpu = await stop();
        out[name] = { url: `mongodb driver: ${r.queries}`, requestsPerSecond: r.requestsPerSecond, latencyMs: r.latencyMs, requests: r.requests, errors: r.timedOut, non2xx: 0, queriesPerRequest: r.queriesPerRequest, cpuMsPerRequest: perRequest(cpu, r.requests) };
        console.log(JSON.stringify(out[name]));
      }
      return out as Record<ScenarioName, Figures & { queriesPerRequest: number }>;
    };

    // Before: every request reads the store (the read cache off), with a profile.
    configureReadCache({ enabled: false });
    const uncached = await runAll('cache off', true);
    // After: the read cache on, as the app runs.
    const cache = configureReadCache({});
    const cached = await runAll('cache on', true);
    const cacheStats = cache.stats();
    const missSmall = await searchAfterWrite(base, paths.search, header);
    console.log(`search after a write: ${JSON.stringify(missSmall)}`);
    const rawSmall = await runRaw('2,000');
    const memorySmall = memory();
    const small = { discussions: DISCUSSIONS, searchEntries: await SearchEntryModel.estimatedDocumentCount() };

    let scaling: Record<string, unknown> | undefined;
    if (SCALING) {
      console.log(`scaling: adding discussions up to ${LARGE_DISCUSSIONS} and search entries up to ${LARGE_SEARCH_ENTRIES}...`);
      const people = Array.from({ length: PEOPLE }, (_, i) => testActor({ userId: `bench-${i}`, name: `Bench Person ${i}` }));
      await addDiscussions(seeded.communityId, people, LARGE_DISCUSSIONS - DISCUSSIONS, Date.now());
      await fillSearchEntries(seeded.communityId, LARGE_SEARCH_ENTRIES);
      await settleStore(store);
      const large = { discussions: LARGE_DISCUSSIONS, searchEntries: await SearchEntryModel.estimatedDocumentCount() };
      const cachedLarge = await runAll(`cache on, ${LARGE_DISCUSSIONS}`, true);
      const missLarge = await searchAfterWrite(base, paths.search, header);
      console.log(`search after a write, large: ${JSON.stringify(missLarge)}`);
      const rawLarge = await runRaw(`${LARGE_DISCUSSIONS}`);
      const ratio = (name: ScenarioName) => Math.round((cached[name].requestsPerSecond / Math.max(0.1, cachedLarge[name].requestsPerSecond)) * 100) / 100;
      scaling = {
        smallDataset: small,
        largeDataset: large,
        note: 'The same scenarios with the read cache on, first at the small scale, then after adding data (same run, same store). smallOverLargeThroughput: the goal is at most 1.25.',
        smallOverLargeThroughput: Object.fromEntries((Object.keys(paths) as ScenarioName[]).map((n) => [n, ratio(n)])),
        large: { scenarios: cachedLarge, rawStore: rawLarge, memory: memory(), readCache: readCache().stats(), searchAfterAWriteMs: missLarge },
      };
    }
    server.close();

    const goals = {
      feedsAndThread: 'at least 400 requests/s each at 50 clients, p99 under 150 ms',
      search: 'at least 100 requests/s at 50 clients, p99 under 500 ms, results bounded and ranked',
      scaling: '20,000 discussions / 200,000 search entries within 1.25x of 2,000',
    };
    const vsRaw = (name: ScenarioName) => Math.round((cached[name].requestsPerSecond / Math.max(0.1, rawSmall[name].requestsPerSecond)) * 100) / 100;
    const common = {
      date: new Date().toISOString(),
      machine: machineDescription(loadAtStart, process.env.BENCH_MACHINE_NOTE ?? 'figures are for comparison within this run (see the load averages for what else ran)'),
      store: storeDescription(),
      load: { connections: CONNECTIONS, durationSeconds: SECONDS, tool: 'autocannon 8 (in this process: its CPU is in the node figures)' },
      readCache: { stampFreshMs: cache.stampFreshMs, maxBytes: cache.maxBytes, afterCachedRuns: cacheStats },
      memory: memorySmall,
      howToRead: {
        uncached: 'the read cache off: every request reads the store (the state before issue 19), with a CPU profile',
        cached: 'the read cache on (as the app runs), with a CPU profile',
        rawStore: 'the mongodb driver sending the queries an uncached request sends, 50 concurrent loops, in the same run',
        cachedOverRawStore: 'app requests/s with the cache over raw-store requests/s: a machine-independent figure',
        cpuMsPerRequest: 'CPU milliseconds per request by process; node includes autocannon',
      },
    };
    const pick = (set: Record<ScenarioName, Figures>, names: ScenarioName[]) => Object.fromEntries(names.map((n) => [n, set[n]]));
    const feedNames: ScenarioName[] = ['communityFeedPage', 'homeFeedPage', 'thread500RepliesFirstPage'];
    const discussionsResult = {
      benchmark: 'discussions',
      ...common,
      goals: { feedsAndThread: goals.feedsAndThread, scaling: goals.scaling },
      dataset: { discussionsInCommunity: DISCUSSIONS, repliesInThread: REPLIES, people: PEOPLE, searchEntries: small.searchEntries },
      scenarios: pick(cached, feedNames),
      uncached: pick(uncached, feedNames),
      rawStore: pick(rawSmall, feedNames),
      cachedOverRawStore: Object.fromEntries(feedNames.map((n) => [n, vsRaw(n)])),
      ...(scaling ? { scaling: { ...scaling, large: { ...(scaling.large as Record<string, unknown>), scenarios: pick((scaling.large as { scenarios: Record<ScenarioName, Figures> }).scenarios, feedNames) } } } : {}),
    };
    const searchResult = {
      benchmark: 'search',
      ...common,
      goals: { search: goals.search, scaling: goals.scaling },
      dataset: { searchEntries: small.searchEntries, query: 'bemesten' },
      searchAfterAWriteMs: { ...missSmall, note: 'one search right after a write of the tenant\'s index renewed every cached search: per key it reads the newest weeks, then older eras, until 2,000 entries (search-index.ts)' },
      scenarios: pick(cached, ['search']),
      uncached: pick(uncached, ['search']),
      rawStore: pick(rawSmall, ['search']),
      cachedOverRawStore: { search: vsRaw('search') },
      ...(scaling ? { scaling: { ...scaling, large: { ...(scaling.large as Record<string, unknown>), scenarios: pick((scaling.large as { scenarios: Record<ScenarioName, Figures> }).scenarios, ['search']) } } } : {}),
    };
    mkdirSync(dirname(resultsFile), { recursive: true });
    writeFileSync(resultsFile, `${JSON.stringify(discussionsResult, null, 2)}\n`);
    writeFileSync(join(dirname(resultsFile), 'search.json'), `${JSON.stringify(searchResult, null, 2)}\n`);
    console.log(`written to ${resultsFile} and search.json`);
  });
}

await main();
