/**
 * The raw store doing the same work: the mongodb driver (under mongoose, no models, no cache,
 * no HTTP) sending the queries an uncached request of each scenario sends, in the same order
 * and with the same parallelism, from `connections` concurrent loops. Its requests per second
 * are the yardstick the app's figures are divided by, so a number from another machine or
 * another store can be read.
 */
import mongoose, { Types } from 'mongoose';
import { bucketOf } from '../../src/discussions/feed-buckets.js';
import { FIRST_BATCH_SIZE } from '../../src/db/whole-results.js';
import { eraOfBucket } from '../../src/search-index/search-index.js';

export interface RawScenario {
  tenantId: string;
  communityId: string;
  threadId: string;
  userId: string;
  searchKeys: string[];
}

const SUMMARY_PROJECTION = { body: 0, conclusion: 0, history: 0, mentions: 0 };
/** Every find asks for its whole result in its first batch, as the app's do (src/db/whole-results.ts). */
const whole = { batchSize: FIRST_BATCH_SIZE };
const ENTRY_FIELDS = { type: 1, itemId: 1, communityId: 1, discussionId: 1, title: 1, snippet: 1, strongTerms: 1, at: 1, hidden: 1 };

type Request = () => Promise<unknown>;

function requests(s: RawScenario, maxTimeMS: number): Record<string, { queries: string; count: number; run: Request }> {
  const db = mongoose.connection.db;
  if (!db) throw new Error('not connected');
  const c = (name: string) => db.collection(name);
  const cid = new Types.ObjectId(s.communityId);
  const tid = new Types.ObjectId(s.threadId);
  const access = (id: Types.ObjectId) =>
    Promise.all([c('communities').findOne({ _id: id, tenantId: s.tenantId }), c('memberships').findOne({ communityId: id, userId: s.userId })]);
  const visibility = () =>
    Promise.all([
      c('communities').find({ tenantId: s.tenantId }, { projection: { description: 0 }, batchSize: FIRST_BATCH_SIZE }).sort({ createdAt: -1, _id: -1 }).limit(5000).toArray(),
      c('memberships').find({ tenantId: s.tenantId, userId: s.userId }, whole).toArray(),
    ]);
  const scenarios: Record<string, { queries: string; count: number; run: Request }> = {
    communityFeedPage: {
      queries: 'community + membership, the newest bucket of discussions (and the one below when short), read markers',
      count: 4,
      run: async () => {
        const [community] = await access(cid);
        const top = bucketOf(((community?.counts as { discussionSeq?: number } | undefined)?.discussionSeq ?? 1));
        const docs = await c('discussions').find({ communityId: cid, bucket: top }, { projection: SUMMARY_PROJECTION, batchSize: FIRST_BATCH_SIZE }).toArray();
        if (docs.length <= 20 && top > 0) await c('discussions').find({ communityId: cid, bucket: top - 1 }, { projection: SUMMARY_PROJECTION, batchSize: FIRST_BATCH_SIZE }).toArray();
        await c('read_markers').find({ communityId: cid, userId: s.userId }, whole).toArray();
      },
    },
    homeFeedPage: {
      queries: "the tenant's communities + the person's memberships + follows, then the newest activity bucket of each source community",
      count: 5,
      run: async () => {
        const [[communities], follows] = await Promise.all([visibility(), c('follows').find({ tenantId: s.tenantId, userId: s.userId }, whole).toArray()]);
        const sources = new Set([s.communityId, ...follows.map((f) => String(f.communityId))]);
        await Promise.all(
          communities
            .filter((x) => sources.has(String(x._id)))
            .map((x) => c('activities').find({ communityId: x._id, bucket: bucketOf((x.counts as { activitySeq?: number } | undefined)?.activitySeq ?? 1) }, whole).toArray()),
        );
      },
    },
    thread500RepliesFirstPage: {
      queries: 'the discussion, community + membership, the first reply bucket + the reader’s reactions',
      count: 5,
      run: async () => {
        const d = await c('discussions').findOne({ _id: tid, tenantId: s.tenantId });
        await access(d?.communityId as Types.ObjectId);
        await Promise.all([c('replies').find({ discussionId: tid, bucket: 0 }, { projection: { history: 0, tags: 0 }, batchSize: FIRST_BATCH_SIZE }).toArray(), c('reactions').find({ discussionId: tid, userId: s.userId }, whole).toArray()]);
      },
    },
    search: {
      queries: "the tenant's communities + memberships, the weeks that hold entries, then per key the newest weeks (4 at a time) and older eras until 2,000 entries, the hidden discussions among them (not the events and people lookups)",
      count: 5,
      run: async () => {
        const [, lists] = await Promise.all([visibility(), Promise.all(s.searchKeys.map((key) => newestWithKey(key)))]);
        const ids = [...new Set(lists.flat().filter((e) => e.type === 'reply' && e.discussionId).map((e) => String(e.discussionId)))];
        if (ids.length > 0) await c('search_entries').find({ type: 'discussion', itemId: { $in: ids }, hidden: true }, { projection: { itemId: 1 }, batchSize: FIRST_BATCH_SIZE }).toArray();
      },
    },
  };
  return scenarios;

  /** The walk of src/search-index/search-index.ts `entriesWithKey`, with the driver. */
  async function newestWithKey(key: string) {
    const weeks = (await c('search_buckets').find({ tenantId: s.tenantId }, { projection: { bucket: 1, _id: 0 }, batchSize: FIRST_BATCH_SIZE }).toArray()).map((w) => w.bucket as number).sort((a, b) => b - a);
    const newest = weeks[0];
    if (newest === undefined) return [];
    // With the driver's first batch of 101, 50 loops of 4 cursors each used up FerretDB's pool and nothing answered.
    const read = (filter: Record<string, unknown>) => c('search_entries').find({ tenantId: s.tenantId, terms: key, ...filter }, { projection: ENTRY_FIELDS, maxTimeMS, batchSize: FIRST_BATCH_SIZE }).toArray();
    const found: Record<string, unknown>[] = [];
    const topWeeks = weeks.filter((w) => eraOfBucket(w) === eraOfBucket(newest));
    for (let i = 0; i < topWeeks.length && found.length < 2000; i += 4) for (const list of await Promise.all(topWeeks.slice(i, i + 4).map((bucket) => read({ bucket })))) found.push(...list);
    for (const era of [...new Set(weeks.map(eraOfBucket))].filter((e) => e < eraOfBucket(newest))) {
      if (found.length >= 2000) break;
      found.push(...(await read({ era })));
    }
    return found.sort((a, b) => (b.at as Date).getTime() - (a.at as Date).getTime()).slice(0, 2000);
  }
}

export interface RawFigures {
  queries: string;
  queriesPerRequest: number;
  requests: number;
  requestsPerSecond: number;
  /** Requests the store stopped at its time limit (the duration again): not counted as served. */
  timedOut: number;
  latencyMs: { p50: number; p90: number; p99: number; max: number; mean: number };
}

export async function rawStoreRequests(name: string, scenario: RawScenario, connections: number, durationMs: number): Promise<RawFigures> {
  // The store stops a query still running one duration after the run's end: at the large scale a
  // whole-tenant search scan from 50 loops would otherwise keep the run going for many minutes.
  const chosen = requests(scenario, durationMs * 2)[name];
  if (!chosen) throw new Error(`no raw scenario ${name}`);
  const latencies: number[] = [];
  let timedOut = 0;
  const started = performance.now();
  const deadline = started + durationMs;
  await Promise.all(
    Array.from({ length: connections }, async () => {
      while (performance.now() < deadline) {
        const t = performance.now();
        try {
          await chosen.run();
        } catch (error) {
          if ((error as { codeName?: string }).codeName !== 'MaxTimeMSExpired' && (error as { code?: number }).code !== 50) throw error;
          timedOut += 1;
          continue;
        }
        latencies.push(performance.now() - t);
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const at = (q: number) => Math.round(latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0);
  return {
    queries: chosen.queries,
    queriesPerRequest: chosen.count,
    requests: latencies.length,
    timedOut,
    requestsPerSecond: Math.round((latencies.length / elapsed) * 10) / 10,
    latencyMs: { p50: at(0.5), p90: at(0.9), p99: at(0.99), max: Math.round(latencies[latencies.length - 1] ?? 0), mean: Math.round((latencies.reduce((a, b) => a + b, 0) / Math.max(1, latencies.length)) * 10) / 10 },
  };
}
