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
import type { SearchHitView, SearchQuery, SearchResultType } from './search.schemas.js';
import { analyseQuery, type QueryWord } from '../search-index/text-analysis.js';
import { clockOf, type Clock } from '../time/clock.js';
import { derivedOnce, readCache } from '../db/read-cache.js';
import { stampScope } from '../db/version-stamps.js';

export const RECENCY_WEIGHT = 1;
const DAY_MS = 24 * 60 * 60 * 1000;
/** More candidates than this per key are not read (very common words); the newest are kept. */
const MAX_CANDIDATES_PER_KEY = 2000;

type MatchedEntry = SearchEntryRecord & {
  /** The query's keys among the entry's terms. */
  matchedKeys: ReadonlySet<string>;
};

/** An entry as ranking reads it: its keys as sets, its ids as strings (converted once per cached version, not per request). */
type PreparedEntry = MatchedEntry & { strong: ReadonlySet<string>; community: string | null; discussion: string | null };

interface CachedEntries {
  entries: ReadonlyArray<SearchEntryRecord & { matchedKeys: readonly string[] }>;
  hiddenDiscussions: readonly string[];
}

/** The cached entries' sets, built once per cached version, not per request. */
const prepare = derivedOnce((found: CachedEntries): { entries: PreparedEntry[]; hiddenDiscussions: ReadonlySet<string> } => ({
  entries: found.entries.map((e) => ({
    ...e,
    matchedKeys: new Set(e.matchedKeys),
    strong: new Set(e.strongTerms),
    community: e.communityId ? String(e.communityId) : null,
    discussion: e.discussionId ? String(e.discussionId) : null,
  })),
  hiddenDiscussions: new Set(found.hiddenDiscussions),
}));

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
    const [{ entries, hiddenDiscussions }, events, people] = await Promise.all([
      wants('community') || wants('discussion') || wants('reply') ? this.cachedEntriesFor(actor, words) : Promise.resolve({ entries: [], hiddenDiscussions: new Set<string>() }),
      wants('event') ? matchingEvents(actor, words, visibility.readable) : Promise.resolve([]),
      wants('person') ? this.deps.people.search(actor, words, 50) : Promise.resolve([]),
    ]);

    const candidates: Candidate[] = [];
    for (const e of entries) {
      if (!wants(e.type) || e.type === 'person' || e.type === 'event') continue;
      const communityId = e.community;
      if (!communityId) continue;
      if (e.type === 'community' ? !visibility.visible.has(communityId) : !visibility.readable.has(communityId) || e.hidden) continue;
      if (e.type === 'reply' && hiddenDiscussions.has(e.discussion ?? '')) continue;
      candidates.push({
        type: e.type,
        id: e.itemId,
        title: e.title,
        snippet: e.snippet,
        communityId,
        discussionId: e.discussion,
        at: e.at,
        weights: words.map((w) => (w.keys.some((k) => e.strong.has(k)) ? 3 : w.keys.some((k) => e.matchedKeys.has(k)) ? 1 : 0)),
      });
    }
    for (const e of events) candidates.push({ type: 'event', id: e.id, title: e.title, snippet: e.snippet, communityId: e.communityId, discussionId: null, at: e.at, weights: e.weights });
    for (const p of people) {
      candidates.push({
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

    const scored = rank(candidates, words, this.now());
    const page = scored.slice(offset, offset + limit);
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
      ...(offset + limit < scored.length ? { nextCursor: encodeOffset(offset + limit) } : {}),
      words: words.map((w) => w.word),
    };
  }

  /**
   * The entries with the query's keys and the hidden discussions among theirs, through the read
   * cache (shared by everyone in the tenant searching for the same keys; what the actor may see
   * is decided above, per request). Any write of a search entry of the tenant renews it.
   */
  private async cachedEntriesFor(actor: Actor, words: QueryWord[]): Promise<{ entries: readonly PreparedEntry[]; hiddenDiscussions: ReadonlySet<string> }> {
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

/** Orders candidates by the score described at the top of this file. Exported for the ranking tests. */
export function rank<C extends { weights: number[]; at: Date; type: string; id: string }>(candidates: C[], words: QueryWord[], now: Date): Array<{ c: C; score: number }> {
  const n = candidates.length;
  const df = words.map((_, i) => candidates.filter((c) => (c.weights[i] ?? 0) > 0).length);
  const scored = candidates.map((c) => {
    let text = 0;
    let matched = 0;
    c.weights.forEach((w, i) => {
      if (w > 0) {
        matched++;
        text += w * Math.log(1 + n / Math.max(1, df[i] ?? 1));
      }
    });
    const coverage = matched / Math.max(1, words.length);
    const ageDays = c.type === 'person' ? Infinity : Math.abs(now.getTime() - c.at.getTime()) / DAY_MS;
    const recency = Number.isFinite(ageDays) ? RECENCY_WEIGHT / (1 + ageDays / 30) : 0;
    return { c, score: text * (0.5 + 0.5 * coverage) + recency };
  });
  scored.sort((a, b) => b.score - a.score || b.c.at.getTime() - a.c.at.getTime() || (a.c.id < b.c.id ? -1 : 1));
  return scored;
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
