/**
 * Keeps the search entries (search-entry.model.ts) in step with what they describe.
 * Capabilities call `index` after creating or changing a searchable thing and `remove`
 * after deleting it; `setHidden` follows moderation. Writes are idempotent upserts keyed by
 * (type, itemId), guarded by a unique index.
 */
import mongoose, { type Types } from 'mongoose';
import { upsertRetryingRace } from '../db/mongo-errors.js';
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

export class SearchIndex {
  async index(doc: SearchDocument): Promise<void> {
    const fields = this.entryFor(doc);
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
      hidden: doc.hidden ?? false,
      isGuest: doc.isGuest ?? false,
      guestsAllowed: doc.guestsAllowed ?? false,
    };
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
   * result need, the newest `limit`: all but `terms` (most of an entry's bytes; the lookup already says which
   * key it has) and the guest flags of people and events.
   */
  async entriesWithKey(tenantId: string, key: string, limit: number): Promise<SearchEntryRecord[]> {
    // The newest first and no more than `limit`: a very common word must not read the whole tenant.
    return SearchEntryModel.find({ tenantId, terms: key }).select(ENTRY_FIELDS).sort({ at: -1, _id: -1 }).limit(limit).lean<SearchEntryRecord[]>();
  }
}

const ENTRY_FIELDS = { type: 1, itemId: 1, communityId: 1, discussionId: 1, title: 1, snippet: 1, strongTerms: 1, at: 1, hidden: 1 } as const;

export const searchIndex = new SearchIndex();
