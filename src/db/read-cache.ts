/**
 * A bounded, shared cache for what the read path re-reads on every request and what rarely
 * changes (community documents, a person's memberships, the newest buckets of a community's
 * discussions and activity, a thread's reply buckets, search postings), validated by version
 * stamps (version-stamps.ts).
 *
 * What it caches are store records, never decisions: every request still runs the policy over
 * them for its own actor, so no key can let one person see what another may. Keys name the
 * tenant wherever the record is tenant-scoped.
 *
 * Freshness:
 * - On the instance that wrote: at once. The write's stamp is set in the store and in this
 *   instance before the write returns (a model hook, `versionStamped`), so the writer's next read
 *   sees a new stamp and reads again (read-your-writes).
 * - On other instances: a stamp read from the store is trusted for `stampFreshMs` (default
 *   1,000 ms) and then read again, in one query for all of a request's scopes, shared by every
 *   request waiting for it. So another instance serves a value at most `stampFreshMs` plus one
 *   store round trip older than the write that replaced it. A stamp in use is read again from
 *   half that age on, in the background, so requests rarely wait for the store at all.
 *
 * Memory: the values live in an `lru-cache` bounded by an estimate of their size in bytes
 * (`maxBytes`, default 64 MiB), the stamps in one bounded by count. Cached values are frozen:
 * a caller that changed one would change it for every later reader, and should copy instead.
 *
 * Which instance's cache a piece of code uses: the one set for the current async context
 * (`runWithReadCache`, used by tests that run two app instances in one process), otherwise the
 * process's own (`configureReadCache`).
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { LRUCache } from 'lru-cache';
import type { Schema } from 'mongoose';
import { readStamps, stampScope, writeStamps } from './version-stamps.js';

export interface ReadCacheOptions {
  enabled?: boolean;
  /** How long a stamp read from the store is trusted: the bound on staleness across instances. */
  stampFreshMs?: number;
  /** Upper bound of the cached values' estimated size. */
  maxBytes?: number;
  /** Upper bound of the number of stamps held. */
  maxStamps?: number;
  /** A monotonic clock in milliseconds (tests pass their own). */
  now?: () => number;
}

interface StampEntry {
  v: string;
  at: number;
  /** The local write generation it was set in (a store read older than a local write must not undo it). */
  generation: number;
}

interface ValueEntry {
  signature: string;
  value: unknown;
}

export interface ReadCacheStats {
  hits: number;
  misses: number;
  stampReads: number;
  stampWrites: number;
  entries: number;
  bytes: number;
  maxBytes: number;
}

export const DEFAULT_STAMP_FRESH_MS = 1000;
export const DEFAULT_MAX_BYTES = 64 * 1024 * 1024;

export class ReadCache {
  readonly enabled: boolean;
  readonly stampFreshMs: number;
  readonly maxBytes: number;
  private readonly now: () => number;
  private readonly values: LRUCache<string, ValueEntry>;
  private readonly stamps: LRUCache<string, StampEntry>;
  private readonly pendingStamps = new Map<string, Promise<string>>();
  private readonly pendingLoads = new Map<string, Promise<unknown>>();
  private generation = 0;
  private counters = { hits: 0, misses: 0, stampReads: 0, stampWrites: 0 };

  constructor(options: ReadCacheOptions = {}) {
    this.enabled = options.enabled ?? true;
    this.stampFreshMs = options.stampFreshMs ?? DEFAULT_STAMP_FRESH_MS;
    this.maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
    this.now = options.now ?? (() => performance.now());
    this.values = new LRUCache<string, ValueEntry>({ maxSize: this.maxBytes, sizeCalculation: (entry) => estimateBytes(entry.value) });
    this.stamps = new LRUCache<string, StampEntry>({ max: options.maxStamps ?? 100_000 });
  }

  /**
   * The value under `key`, read with `load` when absent or when one of `scopes` has a new
   * stamp since it was read. Concurrent misses of one key share one load.
   */
  async get<T>(key: string, scopes: readonly string[], load: () => Promise<T>): Promise<T> {
    if (!this.enabled) return load();
    const signature = (await this.currentStamps(scopes)).join('|');
    const hit = this.values.get(key);
    if (hit && hit.signature === signature) {
      this.counters.hits++;
      return hit.value as T;
    }
    this.counters.misses++;
    const flight = `${key}\n${signature}`;
    let pending = this.pendingLoads.get(flight);
    if (!pending) {
      pending = load()
        .then((value) => {
          deepFreeze(value);
          // Set under the stamps read before the load: a write during the load moved them, so
          // this entry is already outdated for the next reader, never taken for current.
          this.values.set(key, { signature, value });
          return value;
        })
        .finally(() => this.pendingLoads.delete(flight));
      this.pendingLoads.set(flight, pending);
    }
    return pending as Promise<T>;
  }

  /** Gives the scopes new stamps in the store and here (after the write they stand for). */
  async bump(scopes: readonly string[]): Promise<void> {
    const unique = [...new Set(scopes)];
    if (unique.length === 0) return;
    this.generation++;
    // Set here first as well: a read of this instance that starts during the store write
    // must not reuse what it cached before the write.
    for (const key of unique) this.stamps.set(key, { v: `local-${this.generation}`, at: this.now(), generation: this.generation });
    const written = await writeStamps(unique);
    this.counters.stampWrites++;
    const generation = ++this.generation;
    for (const [key, v] of written) this.stamps.set(key, { v, at: this.now(), generation });
  }

  stats(): ReadCacheStats {
    return { ...this.counters, entries: this.values.size, bytes: this.values.calculatedSize, maxBytes: this.maxBytes };
  }

  /** Forgets every value and stamp (a test that changes the store behind the app's back). */
  clear(): void {
    this.values.clear();
    this.stamps.clear();
  }

  private async currentStamps(scopes: readonly string[]): Promise<string[]> {
    const now = this.now();
    const stale: string[] = [];
    for (const key of scopes) {
      const entry = this.stamps.get(key);
      // Read again from half its freshness on, in the background: the requests meanwhile are
      // answered under the stamp they have (still within the bound), so a busy instance never
      // waits for a stamp read. Waiting on one per scope and second cost the thread page
      // its p99 (requests queued behind a store round trip).
      if ((!entry || now - entry.at >= this.stampFreshMs / 2) && !this.pendingStamps.has(key)) stale.push(key);
    }
    if (stale.length > 0) {
      const startedIn = this.generation;
      this.counters.stampReads++;
      const read = readStamps(stale).then((values) => {
        const at = this.now();
        for (const [key, v] of values) {
          const current = this.stamps.get(key);
          if (current && current.generation > startedIn) continue;
          this.stamps.set(key, { v, at, generation: startedIn });
        }
        return values;
      });
      for (const key of stale) {
        const one = read.then((values) => values.get(key) ?? '').finally(() => this.pendingStamps.delete(key));
        // A read ahead may have no one waiting for it; a failure reaches those who do.
        one.catch(() => undefined);
        this.pendingStamps.set(key, one);
      }
    }
    return Promise.all(
      scopes.map(async (key) => {
        const entry = this.stamps.get(key);
        if (entry && this.now() - entry.at < this.stampFreshMs) return entry.v;
        const pending = this.pendingStamps.get(key);
        if (pending) {
          await pending;
          return this.stamps.get(key)?.v ?? '';
        }
        return entry?.v ?? '';
      }),
    );
  }
}

/** A rough size in bytes (UTF-16 JSON), computed once per cached value, on a miss. */
export function estimateBytes(value: unknown): number {
  try {
    return Math.max(64, 2 * (JSON.stringify(value)?.length ?? 0));
  } catch {
    return 1024;
  }
}

/** Freezes plain objects and arrays (not ObjectIds, Dates or buffers, whose insides are theirs). */
function deepFreeze(value: unknown): void {
  if (value === null || typeof value !== 'object' || Object.isFrozen(value)) return;
  const proto = Object.getPrototypeOf(value) as unknown;
  if (!Array.isArray(value) && proto !== Object.prototype && proto !== null) return;
  Object.freeze(value);
  for (const inner of Object.values(value as Record<string, unknown>)) deepFreeze(inner);
}

const contextCache = new AsyncLocalStorage<ReadCache>();
let processCache = new ReadCache();

/** The read cache of the current instance. */
/**
 * What a reader derives from a cached value (the search keys of a cached list, say), built
 * once per cached version, not per request: keyed by the frozen value itself, so a new version
 * gets its own and an old one is collected with its value.
 */
export function derivedOnce<V extends object, D>(derive: (value: V) => D): (value: V) => D {
  const derived = new WeakMap<V, D>();
  return (value) => {
    let found = derived.get(value);
    if (found === undefined) {
      found = derive(value);
      derived.set(value, found);
    }
    return found;
  };
}

export function readCache(): ReadCache {
  return contextCache.getStore() ?? processCache;
}

/** Sets the process's read cache (at start, from the configuration). */
export function configureReadCache(options: ReadCacheOptions): ReadCache {
  processCache = new ReadCache(options);
  return processCache;
}

/** Runs `work` (and everything it starts) against `cache` instead of the process's. */
export function runWithReadCache<T>(cache: ReadCache, work: () => T): T {
  return contextCache.run(cache, work);
}

// ---- the write side: stamps bumped by the models themselves ----

type FieldGetter = (field: string) => unknown;

export interface VersionStampedOptions {
  /** The model's name (the scope of writes that name no narrower one). */
  model: string;
  /**
   * The scopes of a document, from its fields; null when a field it needs is not known
   * (a filter by `_id` alone), and then the model's whole scope is bumped instead.
   */
  scopes: (get: FieldGetter) => string[] | null;
  /** Fields a scope is made of: an update that sets one of them bumps the whole model too. */
  fields: readonly string[];
  /**
   * Fields no cached reader of the model uses: an update that sets only these (and
   * `updatedAt`) bumps nothing. Each write costs a stamp upsert, so frequent bookkeeping
   * writes (an event's sign-up counts, twice per batch of sign-ups) stay free of it.
   */
  unreadFields?: readonly string[];
}

/** A scope field's values in a filter: plain values or `$in`; null for anything else. */
export function filterValues(value: unknown): string[] | null {
  if (value === undefined || value === null) return null;
  if (typeof value === 'string') return [value];
  if (typeof value === 'object') {
    const inList = (value as { $in?: unknown }).$in;
    if (Array.isArray(inList)) return inList.map((v) => String(v));
    if ('_bsontype' in value || value instanceof Date) return [String(value)];
    return null;
  }
  return [String(value)];
}

/**
 * Registers hooks on a schema so that every write through its model (create, insertMany,
 * save, update*, replace*, delete*, findOneAnd*) bumps the stamps of the scopes it touched,
 * before the write's promise resolves. Writes that bypass mongoose (`Model.collection`) are
 * not seen: the read path's collections are written through their models only.
 */
export function versionStamped(schema: Schema, options: VersionStampedOptions): void {
  const whole = stampScope.wholeModel(options.model);
  const scopesOf = (get: FieldGetter): string[] => options.scopes(get) ?? [whole];
  const bump = (scopes: string[]) => readCache().bump(scopes);

  schema.post('save', async function (doc: unknown) {
    await bump(scopesOf(fieldsOf(doc)));
  });
  schema.post('insertMany', async function (docs: unknown) {
    await bump((Array.isArray(docs) ? docs : [docs]).flatMap((doc) => scopesOf(fieldsOf(doc))));
  });
  schema.post(['findOneAndUpdate', 'findOneAndReplace', 'findOneAndDelete'], async function (this: QueryLike, res: unknown) {
    const doc = res && typeof res === 'object' && 'value' in res && 'ok' in res ? (res as { value: unknown }).value : res;
    const scopes: string[] = [];
    if (doc && typeof doc === 'object') {
      scopes.push(...scopesOf(fieldsOf(doc)));
    } else if (!this.getOptions().upsert) {
      return; // nothing matched: nothing was written
    } else {
      scopes.push(...scopesFromFilter(this, options, whole));
    }
    if (updateSetsScopeField(this.getUpdate(), options.fields)) scopes.push(whole);
    await bump(scopes);
  });
  schema.post(['updateOne', 'updateMany', 'replaceOne', 'deleteOne', 'deleteMany'], async function (this: QueryLike, res: unknown) {
    if (options.unreadFields && updatesOnly(this.getUpdate(), options.unreadFields)) return;
    const r = (res ?? {}) as { matchedCount?: number; modifiedCount?: number; upsertedCount?: number; deletedCount?: number };
    const wrote = (r.modifiedCount ?? 0) > 0 || (r.upsertedCount ?? 0) > 0 || (r.deletedCount ?? 0) > 0 || (r.matchedCount ?? 0) > 0;
    if (!wrote) return;
    const scopes = scopesFromFilter(this, options, whole);
    if (updateSetsScopeField(this.getUpdate(), options.fields)) scopes.push(whole);
    await bump(scopes);
  });
}

/** A document's fields, whether a mongoose document or a plain (lean) object. */
function fieldsOf(doc: unknown): FieldGetter {
  if (doc && typeof (doc as { get?: unknown }).get === 'function') return (f) => (doc as { get(f: string): unknown }).get(f);
  return (f) => (doc as Record<string, unknown> | null)?.[f];
}

interface QueryLike {
  getFilter(): Record<string, unknown>;
  getUpdate(): Record<string, unknown> | null;
  getOptions(): { upsert?: boolean };
}

function scopesFromFilter(query: QueryLike, options: VersionStampedOptions, whole: string): string[] {
  const filter = query.getFilter();
  const update = query.getUpdate() ?? {};
  const inserted = { ...((update.$setOnInsert as Record<string, unknown> | undefined) ?? {}) };
  // Each value of each scope field in the filter (or of an upsert's insert): every combination
  // would be exact, but a field with several values is rare; the first field with more than
  // one falls back to the whole model.
  const values: Record<string, string> = {};
  for (const field of options.fields) {
    const found = filterValues(filter[field] ?? inserted[field]);
    if (!found || found.length !== 1) {
      if (found && found.length === 0) return [];
      if (found && found.length > 1) return [whole];
      continue;
    }
    values[field] = found[0] as string;
  }
  return options.scopes((f) => values[f]) ?? [whole];
}

/** Whether an update sets nothing but these fields (dotted paths under them included) and `updatedAt`. */
function updatesOnly(update: Record<string, unknown> | null, fields: readonly string[]): boolean {
  if (!update || Object.keys(update).length === 0) return false;
  for (const [op, body] of Object.entries(update)) {
    if (op !== '$set' || !body || typeof body !== 'object') return false;
    for (const path of Object.keys(body)) {
      if (path !== 'updatedAt' && !fields.some((f) => path === f || path.startsWith(`${f}.`))) return false;
    }
  }
  return true;
}

function updateSetsScopeField(update: Record<string, unknown> | null, fields: readonly string[]): boolean {
  if (!update) return false;
  const touched = new Set<string>();
  for (const [op, body] of Object.entries(update)) {
    if (op.startsWith('$')) {
      if (op === '$setOnInsert' || !body || typeof body !== 'object') continue;
      for (const k of Object.keys(body)) touched.add(k);
    } else {
      touched.add(op); // a replacement document
    }
  }
  return fields.some((f) => touched.has(f));
}
