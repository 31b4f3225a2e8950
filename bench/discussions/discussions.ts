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
import { machineDescription, seededRandom, storeDescription, withBenchStore } from '../bench-support.js';
import { actorHeader, testActor, testAuthenticate, TEST_TENANT } from '../../test/support/test-actor.js';

const here = dirname(fileURLToPath(import.meta.url));
const resultsFile = join(here, '..', 'results', 'discussions.json');
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);
const DISCUSSIONS = 2000;
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
  await bulkDiscussions(
    big.id,
    people,
    Array.from({ length: DISCUSSIONS }, (_, i) => {
      const topic = pick(TOPICS);
      return { title: `${topic[0]?.toUpperCase()}${topic.slice(1)}: ${sentence(4)}`, body: `${sentence(30, random() < 0.3 ? pick(TOPICS) : undefined)}\n\n${sentence(20)}`, tags: [topic], kind: i % 4 === 0 ? 'question' : 'discussion' };
    }),
    now - 3_600_000,
  );
  // One discussion with 500 replies (every tenth a nested reply), which the reader follows.
  const thread = await discussions.create(owner, threadCommunity.id, { title: 'Hoe pakken we hittestress aan?', body: 'Deel uw ervaringen.', kind: 'discussion', tags: ['klimaatadaptatie'] });
  await bulkReplies(thread.id, people, Array.from({ length: REPLIES }, () => sentence(25, random() < 0.2 ? pick(TOPICS) : undefined)), { nestedEvery: 10 });
  await discussions.follow(reader, thread.id);
  // And a few through the services, as people would.
  for (let i = 0; i < 3; i++) await replies.create(people[2 + i] ?? owner, thread.id, { body: `Nog een ervaring over ${pick(TOPICS)}` });
  return { communityId: big.id, threadId: thread.id, reader };
}

interface Figures {
  url: string;
  requestsPerSecond: number;
  latencyMs: { p50: number; p90: number; p99: number; max: number; mean: number };
  requests: number;
  errors: number;
  non2xx: number;
}

async function measure(base: string, path: string, header: string): Promise<Figures> {
  // A short warm-up, then the measured run.
  await autocannon({ url: base + path, connections: 5, duration: 2, headers: { 'x-test-actor': header } });
  const result = await autocannon({ url: base + path, connections: CONNECTIONS, duration: SECONDS, headers: { 'x-test-actor': header } });
  return {
    url: path,
    requestsPerSecond: Math.round(result.requests.average * 10) / 10,
    latencyMs: { p50: result.latency.p50, p90: result.latency.p90, p99: result.latency.p99, max: result.latency.max, mean: Math.round(result.latency.average * 10) / 10 },
    requests: result.requests.total,
    errors: result.errors,
    non2xx: result.non2xx,
  };
}

async function main(): Promise<void> {
  const loadAtStart = loadavg();
  await withBenchStore('discussions', async () => {
    console.log('seeding...');
    const seedStart = Date.now();
    const seeded = await seedData();
    console.log(`seeded in ${Math.round((Date.now() - seedStart) / 1000)} s`);
    const logger = createLogger('silent');
    const module = createCommunitiesModule({ logger });
    const app = createApp({ config: loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent' }), logger, isReady: async () => true, authenticate: testAuthenticate, apiRouters: module.apiRouters });
    const server = app.listen(0, '127.0.0.1');
    await new Promise<void>((resolve) => server.once('listening', () => resolve()));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1`;
    const header = actorHeader(seeded.reader);
    const scenarios: Record<string, Figures> = {};
    const run = async (name: string, path: string) => {
      console.log(`measuring ${name} (${CONNECTIONS} clients, ${SECONDS} s)...`);
      scenarios[name] = await measure(base, path, header);
      console.log(JSON.stringify(scenarios[name]));
    };
    await run('communityFeedPage', `/communities/${seeded.communityId}/discussions?limit=20`);
    await run('homeFeedPage', '/feed?limit=20');
    await run('thread500RepliesFirstPage', `/discussions/${seeded.threadId}/replies?limit=50`);
    await run('search', '/search?q=bemesten');
    server.close();
    const results = {
      benchmark: 'discussions',
      date: new Date().toISOString(),
      machine: machineDescription(loadAtStart, 'shared 2-core machine; other work was running at the same time (see the load averages)'),
      store: storeDescription(),
      dataset: { discussionsInCommunity: DISCUSSIONS, repliesInThread: REPLIES, people: PEOPLE, searchEntries: await SearchEntryModel.estimatedDocumentCount() },
      load: { connections: CONNECTIONS, durationSeconds: SECONDS, tool: 'autocannon 8' },
      targets: { communityFeedPageP99Ms: 100 },
      scenarios,
    };
    mkdirSync(dirname(resultsFile), { recursive: true });
    writeFileSync(resultsFile, `${JSON.stringify(results, null, 2)}\n`);
    console.log(`written to ${resultsFile}`);
  });
}

await main();
