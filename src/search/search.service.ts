/**
 * Search across communities, discussions, replies, events and people that the actor may
 * see, in Dutch and English. The query's words are analysed like the documents
 * (text-analysis.ts); each key is looked up with an equality filter on the multikey
 * `terms` array (the one kind of filter FerretDB hands to its backend), and the candidates
 * are filtered by the actor's visibility before they are scored, so nothing the actor may
 * not see can even influence the ranking.
 *
 * Score of a candidate, for query words w with document frequency df(w) among the visible
 * candidates and N visible candidates:
 *   text     = sum over matched w of weight(w) * ln(1 + N / df(w)), weight 3 in title or tags, else 1
 *   coverage = matched words / query words
 *   score    = text * (0.5 + 0.5 * coverage) + RECENCY_WEIGHT / (1 + ageDays / 30)
 * so rare words count more than common ones, a result with all words beats one with some,
 * and among equals the recent one wins (for events: the nearest in time).
 */
import type { Actor } from '../auth/actor.js';
import { communityVisibility } from '../communities/community-access.js';
import { ValidationError } from '../errors/domain-errors.js';
import type { PeopleService } from '../people/people.service.js';
import type { SearchEntryRecord } from '../search-index/search-entry.model.js';
import { searchIndex } from '../search-index/search-index.js';
import { matchingEvents } from './event-search-source.js';
import { rankTop } from './ranking.js';
import { SEARCH_RESULT_TYPES, type SearchHitView, type SearchQuery, type SearchResultType } from './search.schemas.js';
import { analyseQuery, type QueryWord } from '../search-index/text-analysis.js';
import { clockOf, type Clock } from '../time/clock.js';
import { derivedOnce, readCache } from '../db/read-cache.js';
import { stampScope } from '../db/version-stamps.js';

/** More candidates than this per key are not read (very common words); the newest are kept. */
const MAX_CANDIDATES_PER_KEY = 2000;

type MatchedEntry = SearchEntryRecord & {
  /** The query's keys among the entry's terms. */
  matchedKeys: ReadonlySet<string>;
};

/** An entry as ranking reads it: its keys as sets, its ids as strings (converted once per cached version, not per request). */
type PreparedEntry = MatchedEntry & { strong: ReadonlySet<string>; community: string | null; discussion: string | null; atMs: number };

interface CachedEntries {
  entries: ReadonlyArray<SearchEntryRecord & { matchedKeys: readonly string[] }>;
  hiddenDiscussions: readonly string[];
}

/**
 * Rows of the cached entries of one community: the community itself (shown to whoever may see
 * it), and its content by type (discussions, replies, consultations: shown to its readers).
 */
interface CommunityRows {
  community: number[];
  content: Map<SearchResultType, number[]>;
}

/** The result types the tenant's search entries answer (events and people have their own sources). */
const ENTRY_TYPES: readonly SearchResultType[] = SEARCH_RESULT_TYPES.filter((t) => t !== 'event' && t !== 'person');

/**
 * The cached entries' sets, built once per cached version, not per request, and the entries
 * that can be shown grouped by community: a request then takes the groups of the communities
 * the actor may see or read, instead of testing each of up to 2,000 entries. Hidden content and
 * the replies of hidden discussions are left out here (facts of the cached version).
 */
const prepare = derivedOnce((found: CachedEntries): { entries: PreparedEntry[]; byCommunity: ReadonlyMap<string, CommunityRows> } => {
  const entries = found.entries.map((e) => ({
    ...e,
    matchedKeys: new Set(e.matchedKeys),
    strong: new Set(e.strongTerms),
    community: e.communityId ? String(e.communityId) : null,
    discussion: e.discussionId ? String(e.discussionId) : null,
    atMs: e.at.getTime(),
  }));
  const hiddenDiscussions = new Set(found.hiddenDiscussions);
  const byCommunity = new Map<string, CommunityRows>();
  entries.forEach((e, row) => {
    if (!e.community || !ENTRY_TYPES.includes(e.type)) return;
    if (e.type !== 'community' && e.hidden) return;
    if (e.type === 'reply' && hiddenDiscussions.has(e.discussion ?? '')) return;
    let rows = byCommunity.get(e.community);
    if (!rows) byCommunity.set(e.community, (rows = { community: [], content: new Map() }));
    if (e.type === 'community') rows.community.push(row);
    else {
      let list = rows.content.get(e.type);
      if (!list) rows.content.set(e.type, (list = []));
      list.push(row);
    }
  });
  return { entries, byCommunity };
});

/**
 * Per query word, each entry's weight (0 no match, 1 body, 3 title/tags), as rows of a matrix:
 * kept per cached version and per way of grouping its keys into words (a handful at most).
 */
const weightMatrices = new WeakMap<readonly PreparedEntry[], Map<string, Uint8Array>>();
const MAX_GROUPINGS = 8;

function weightsOf(entries: readonly PreparedEntry[], words: readonly QueryWord[]): Uint8Array {
  let byGrouping = weightMatrices.get(entries);
  if (!byGrouping) weightMatrices.set(entries, (byGrouping = new Map()));
  const grouping = JSON.stringify(words.map((w) => w.keys));
  const known = byGrouping.get(grouping);
  if (known) return known;
  const matrix = new Uint8Array(entries.length * words.length);
  entries.forEach((e, i) => {
    words.forEach((w, j) => {
      matrix[i * words.length + j] = w.keys.some((k) => e.strong.has(k)) ? 3 : w.keys.some((k) => e.matchedKeys.has(k)) ? 1 : 0;
    });
  });
  if (byGrouping.size >= MAX_GROUPINGS) byGrouping.clear();
  byGrouping.set(grouping, matrix);
  return matrix;
}

export interface SearchServiceDeps {
  people: PeopleService;
  now?: () => Date;
}

interface Candidate {
  type: SearchResultType;
  id: string;
  title: string;
  snippet: string;
  communityId: string | null;
  discussionId: string | null;
  at: Date;
  /** Per query word: 0 no match, 1 body, 3 title/tags. */
  weights: number[];
}

export interface SearchResult {
  items: SearchHitView[];
  nextCursor?: string;
  /** The words searched for, after stop words were dropped. */
  words: string[];
}

export class SearchService {
  private readonly now: Clock;

  constructor(private readonly deps: SearchServiceDeps) {
    this.now = clockOf(deps);
  }

  async search(actor: Actor, query: SearchQuery): Promise<SearchResult> {
    const words = analyseQuery(query.q);
    if (words.length === 0) return { items: [], words: [] };
    const limit = query.limit ?? 20;
    const offset = query.cursor ? decodeOffset(query.cursor) : 0;
    const wants = (t: SearchResultType) => query.type === undefined || query.type === t;

    const visibility = await communityVisibility(actor);
    const [{ entries, byCommunity }, events, people] = await Promise.all([
      ENTRY_TYPES.some(wants) ? this.cachedEntriesFor(actor, words) : Promise.resolve({ entries: [], byCommunity: new Map<string, CommunityRows>() }),
      wants('event') ? matchingEvents(actor, words, visibility.readable) : Promise.resolve([]),
      wants('person') ? this.deps.people.search(actor, words, 50) : Promise.resolve([]),
    ]);

    // Entries as rows of columns (see ranking.ts); events and people, a few dozen at most, as objects.
    const rows: number[] = [];
    const take = (list: readonly number[]) => {
      for (const row of list) rows.push(row);
    };
    for (const [communityId, groups] of byCommunity) {
      if (wants('community') && visibility.visible.has(communityId)) take(groups.community);
      if (visibility.readable.has(communityId)) {
        for (const [type, list] of groups.content) if (wants(type)) take(list);
      }
    }
    const others: Candidate[] = [];
    for (const e of events) others.push({ type: 'event', id: e.id, title: e.title, snippet: e.snippet, communityId: e.communityId, discussionId: null, at: e.at, weights: e.weights });
    for (const p of people) {
      others.push({
        type: 'person',
        id: p.person.id,
        title: p.person.displayName,
        snippet: [p.person.function ?? p.person.jobTitle, p.person.organisation, p.person.expertise.join(', ')].filter(Boolean).join(' · '),
        communityId: null,
        discussionId: null,
        at: new Date(0),
        weights: p.weights,
      });
    }
    const entryWeights = weightsOf(entries, words);
    const width = words.length;
    const size = rows.length + others.length;
    const weights = new Uint8Array(size * width);
    const atMs = new Float64Array(size);
    rows.forEach((entry, row) => {
      for (let w = 0; w < width; w++) weights[row * width + w] = entryWeights[entry * width + w] ?? 0;
      atMs[row] = entries[entry]?.atMs ?? 0;
    });
    others.forEach((c, j) => {
      const row = rows.length + j;
      for (let w = 0; w < width; w++) weights[row * width + w] = c.weights[w] ?? 0;
      atMs[row] = c.type === 'person' ? NaN : c.at.getTime();
    });
    const candidate = (row: number): Candidate => {
      if (row >= rows.length) return others[row - rows.length] as Candidate;
      const e = entries[rows[row] ?? 0] as PreparedEntry;
      return { type: e.type, id: e.itemId, title: e.title, snippet: e.snippet, communityId: e.community, discussionId: e.discussion, at: e.at, weights: [] };
    };
    const columns = {
      size,
      words: width,
      weights,
      atMs,
      id: (row: number) => (row < rows.length ? (entries[rows[row] ?? 0]?.itemId ?? '') : (others[row - rows.length]?.id ?? '')),
    };
    const page = rankTop(columns, this.now().getTime(), offset + limit)
      .slice(offset)
      .map(({ row, score }) => ({ c: candidate(row), score }));
    return {
      items: page.map(({ c, score }) => ({
        type: c.type,
        id: c.id,
        title: c.title,
        snippet: c.snippet,
        communityId: c.communityId,
        communityName: c.communityId ? (visibility.names.get(c.communityId) ?? null) : null,
        discussionId: c.discussionId,
        at: c.type === 'person' ? null : c.at.toISOString(),
        score: Math.round(score * 1000) / 1000,
      })),
      ...(offset + limit < size ? { nextCursor: encodeOffset(offset + limit) } : {}),
      words: words.map((w) => w.word),
    };
  }

  /**
   * The entries with the query's keys and the hidden discussions among theirs, through the read
   * cache (shared by everyone in the tenant searching for the same keys; what the actor may see
   * is decided above, per request). Any write of a search entry of the tenant renews it.
   */
  private async cachedEntriesFor(actor: Actor, words: QueryWord[]): Promise<{ entries: readonly PreparedEntry[]; byCommunity: ReadonlyMap<string, CommunityRows> }> {
    const keys = [...new Set(words.flatMap((w) => w.keys))].sort();
    const found: CachedEntries = await readCache().get(`search:${actor.tenantId}:${MAX_CANDIDATES_PER_KEY}:${JSON.stringify(keys)}`, [stampScope.tenantSearch(actor.tenantId), stampScope.wholeModel('SearchEntry')], async () => {
      const entries = await this.entriesFor(actor, words);
      // A reply of a hidden discussion is as hidden as the discussion.
      const hidden = await searchIndex.hiddenDiscussions(entries.filter((e) => e.type === 'reply' && e.discussionId).map((e) => String(e.discussionId)));
      // Plain arrays: the cache freezes what it keeps, and measures it as JSON.
      return { entries: entries.map((e) => ({ ...e, matchedKeys: [...e.matchedKeys] })), hiddenDiscussions: [...hidden] };
    });
    return prepare(found);
  }

  /**
   * The entries with any of the query's keys, each with the keys it has: an entry found by the
   * lookup of a key has that key among its `terms`, so the entry's own list of terms (most of
   * its bytes) is not read.
   */
  private async entriesFor(actor: Actor, words: QueryWord[]): Promise<MatchedEntry[]> {
    const keys = [...new Set(words.flatMap((w) => w.keys))];
    const lists = await Promise.all(
      keys.map((key) => searchIndex.entriesWithKey(actor.tenantId, key, MAX_CANDIDATES_PER_KEY)),
    );
    const matched = new Map<string, Set<string>>();
    lists.forEach((list, i) => {
      for (const e of list) matched.set(String(e._id), (matched.get(String(e._id)) ?? new Set()).add(keys[i] ?? ''));
    });
    const byId = new Map<string, MatchedEntry>();
    for (const list of lists) {
      for (const e of list) byId.set(String(e._id), { ...e, matchedKeys: matched.get(String(e._id)) ?? new Set() });
    }
    return [...byId.values()];
  }
}

function encodeOffset(offset: number): string {
  return Buffer.from(JSON.stringify({ o: offset })).toString('base64url');
}

function decodeOffset(cursor: string): number {
  try {
    const parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { o?: unknown };
    if (typeof parsed.o === 'number' && Number.isInteger(parsed.o) && parsed.o >= 0 && parsed.o <= 10_000) return parsed.o;
  } catch {
    // fall through to the error below
  }
  throw new ValidationError('The cursor is not valid; start again without one.', [{ path: 'query.cursor', message: 'invalid cursor' }], 'invalid_cursor');
}
