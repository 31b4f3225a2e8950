/**
 * Keeps the search entries (search-entry.model.ts) in step with what they describe.
 * Capabilities call `index` after creating or changing a searchable thing and `remove`
 * after deleting it; `setHidden` follows moderation. Writes are idempotent upserts keyed by
 * (type, itemId), guarded by a unique index.
 */
import mongoose, { type Types } from 'mongoose';
import { isDuplicateKeyError, upsertRetryingRace } from '../db/mongo-errors.js';
import { SearchBucketModel, type SearchBucketRecord } from './search-bucket.model.js';
import { SearchEntryModel, type SearchEntryRecord, type SearchEntryType } from './search-entry.model.js';
import { searchKeys } from './text-analysis.js';

export interface SearchDocument {
  tenantId: string;
  type: SearchEntryType;
  itemId: string;
  communityId?: Types.ObjectId | null;
  discussionId?: Types.ObjectId | null;
  title: string;
  /** Whether the title's words make the thing match (default true; replies show their discussion's title). */
  weighTitle?: boolean;
  /** Weighed like the title (tags, a person's expertise). */
  keywords?: string[];
  /** The rest of the searchable text. */
  body?: string[];
  snippet?: string;
  at: Date;
  hidden?: boolean;
  isGuest?: boolean;
  guestsAllowed?: boolean;
}

const SNIPPET_LENGTH = 300;

const WEEK_MS = 7 * 24 * 60 * 60 * 1000;
/** Weeks per era: the lookup reads the newest era week by week, older eras whole. */
export const WEEKS_PER_ERA = 16;
/** Weeks of the newest era read at once. */
const WEEKS_AT_ONCE = 4;

/** The week of an entry's `at` (weeks since 1970; negative before). */
export function bucketOfTime(at: Date): number {
  return Math.floor(at.getTime() / WEEK_MS);
}

export function eraOfBucket(bucket: number): number {
  return Math.floor(bucket / WEEKS_PER_ERA);
}

/** A stored entry as `entryFor` builds it. */
export type SearchEntryFields = ReturnType<SearchIndex['entryFor']>;

export class SearchIndex {
  async index(doc: SearchDocument): Promise<void> {
    const fields = this.entryFor(doc);
    // The week's marker first: a lookup never meets an entry of a week it does not know.
    await this.markBuckets([fields]);
    const write = () => SearchEntryModel.replaceOne({ type: doc.type, itemId: doc.itemId }, fields, { upsert: true });
    // Two first writes at once: the loser's upsert hits the unique index; the entry exists now.
    await upsertRetryingRace(write);
  }

  /** The stored entry for a document (bulk loads insert these directly). */
  entryFor(doc: SearchDocument) {
    const strongTerms = searchKeys(doc.weighTitle === false ? undefined : doc.title, ...(doc.keywords ?? []));
    const terms = [...new Set([...strongTerms, ...searchKeys(...(doc.body ?? []))])];
    return {
      tenantId: doc.tenantId,
      type: doc.type,
      itemId: doc.itemId,
      ...(doc.communityId ? { communityId: doc.communityId } : {}),
      ...(doc.discussionId ? { discussionId: doc.discussionId } : {}),
      title: doc.title.slice(0, 300),
      snippet: (doc.snippet ?? doc.body?.join(' ') ?? '').replace(/\s+/g, ' ').trim().slice(0, SNIPPET_LENGTH),
      terms,
      strongTerms,
      at: doc.at,
      bucket: bucketOfTime(doc.at),
      era: eraOfBucket(bucketOfTime(doc.at)),
      hidden: doc.hidden ?? false,
      isGuest: doc.isGuest ?? false,
      guestsAllowed: doc.guestsAllowed ?? false,
    };
  }

  /** Inserts entries built by `entryFor` at once (bulk loads), with their weeks' markers. */
  async insertEntries(entries: readonly SearchEntryFields[]): Promise<void> {
    if (entries.length === 0) return;
    await this.markBuckets(entries);
    await SearchEntryModel.insertMany(entries, { lean: true });
  }

  /** Records the weeks these entries fall in; a week already recorded stays as it is. */
  async markBuckets(entries: readonly { tenantId: string; bucket: number }[]): Promise<void> {
    const markers = new Map<string, SearchBucketRecord>();
    for (const e of entries) markers.set(`${e.tenantId}:${e.bucket}`, { _id: `${e.tenantId}:${e.bucket}`, tenantId: e.tenantId, bucket: e.bucket });
    try {
      await SearchBucketModel.insertMany([...markers.values()], { ordered: false, lean: true });
    } catch (err) {
      // Weeks already recorded: every refused insert must be a duplicate, nothing else.
      const writeErrors = (err as { writeErrors?: { code?: number; err?: { code?: number } }[] }).writeErrors;
      const allDuplicates = Array.isArray(writeErrors) && writeErrors.length > 0 && writeErrors.every((w) => (w.code ?? w.err?.code) === 11000);
      if (!allDuplicates && !isDuplicateKeyError(err)) throw err;
    }
  }

  async remove(type: SearchEntryType, itemId: string): Promise<void> {
    await SearchEntryModel.deleteOne({ type, itemId });
  }

  async removeWhere(filter: { communityId?: Types.ObjectId; discussionId?: Types.ObjectId }): Promise<void> {
    if (!filter.communityId && !filter.discussionId) return;
    await SearchEntryModel.deleteMany(filter);
  }

  async setHidden(type: SearchEntryType, itemId: string, hidden: boolean): Promise<void> {
    await SearchEntryModel.updateOne({ type, itemId }, { $set: { hidden } });
  }

  /** Replies are shown under their discussion's title: when it changes, their entries follow (their own words, which match, do not change). */
  async retitleReplies(discussionId: Types.ObjectId, title: string): Promise<void> {
    await SearchEntryModel.updateMany({ type: 'reply', discussionId }, { $set: { title: title.slice(0, 300) } });
  }

  /** Of these discussions, the ones hidden by moderation: their replies must not surface in search either. */
  async hiddenDiscussions(discussionIds: readonly string[]): Promise<Set<string>> {
    if (discussionIds.length === 0) return new Set();
    const rows = await SearchEntryModel.find({ type: 'discussion', itemId: mongoose.trusted({ $in: [...new Set(discussionIds)] }), hidden: true }).select({ itemId: 1 }).lean<{ itemId: string }[]>();
    return new Set(rows.map((r) => r.itemId));
  }

  /**
   * The tenant's entries with this key among their terms, with what ranking and showing a
   * result need, the newest `limit` (by `at`, then `_id`): all but `terms` (most of an entry's
   * bytes; the lookup already says which key it has) and the guest flags of people and events.
   *
   * A very common word must not read the whole tenant, and FerretDB 1.24 reads every match of
   * a query before it sorts and limits (https://docs.ferretdb.io/pushdown: only filters go to
   * PostgreSQL). So the lookup walks time instead: the weeks of the newest era that hold
   * entries, a few at a time, then older eras whole, each an equality the store hands to
   * PostgreSQL's indexes, and it stops after the range in which it has `limit` entries. Every
   * range is older than the one before, so the entries kept are exactly the newest `limit`;
   * what is read is bounded by `limit` plus one range's matches, not by the tenant's history.
   */
  async entriesWithKey(tenantId: string, key: string, limit: number): Promise<SearchEntryRecord[]> {
    const weeks = (await SearchBucketModel.find({ tenantId }).select({ bucket: 1, _id: 0 }).lean<{ bucket: number }[]>()).map((w) => w.bucket).sort((a, b) => b - a);
    const newest = weeks[0];
    if (newest === undefined) return [];
    const found: SearchEntryRecord[] = [];
    const read = (filter: Record<string, unknown>) => SearchEntryModel.find({ tenantId, terms: key, ...filter }).select(ENTRY_FIELDS).lean<SearchEntryRecord[]>();
    const topEra = eraOfBucket(newest);
    const topWeeks = weeks.filter((w) => eraOfBucket(w) === topEra);
    for (let i = 0; i < topWeeks.length && found.length < limit; i += WEEKS_AT_ONCE) {
      const lists = await Promise.all(topWeeks.slice(i, i + WEEKS_AT_ONCE).map((bucket) => read({ bucket })));
      for (const list of lists) found.push(...list);
    }
    const olderEras = [...new Set(weeks.map(eraOfBucket))].filter((e) => e < topEra);
    for (const era of olderEras) {
      if (found.length >= limit) break;
      found.push(...(await read({ era })));
    }
    return found.sort(newestFirst).slice(0, limit);
  }
}

function newestFirst(a: SearchEntryRecord, b: SearchEntryRecord): number {
  return b.at.getTime() - a.at.getTime() || (String(b._id) < String(a._id) ? -1 : String(b._id) > String(a._id) ? 1 : 0);
}

const ENTRY_FIELDS = { type: 1, itemId: 1, communityId: 1, discussionId: 1, title: 1, snippet: 1, strongTerms: 1, at: 1, hidden: 1 } as const;

export const searchIndex = new SearchIndex();
