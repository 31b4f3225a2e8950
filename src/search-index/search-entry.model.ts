/**
 * One searchable thing (a community, discussion, reply, event or person) as the search
 * sees it: its stemmed keys (text-analysis.ts) in a multikey-indexed array, the keys of its
 * title and tags apart (they weigh more), a short text to show, and what decides who may
 * see it (community, hidden). Kept beside the source documents by `SearchIndex`; slim on
 * purpose, because FerretDB reads whole documents.
 */
import mongoose, { Schema, type InferSchemaType } from 'mongoose';
import { versionStamped } from '../db/read-cache.js';
import { stampedBySearchTenant } from '../db/read-scopes.js';

export const SEARCH_ENTRY_TYPES = ['community', 'discussion', 'reply', 'event', 'person', 'consultation'] as const;
export type SearchEntryType = (typeof SEARCH_ENTRY_TYPES)[number];

const searchEntrySchema = new Schema(
  {
    tenantId: { type: String, required: true, maxlength: 64 },
    type: { type: String, enum: SEARCH_ENTRY_TYPES, required: true },
    /** The id of the thing (ObjectId as hex, or a user id for people). */
    itemId: { type: String, required: true, maxlength: 64 },
    /** The community whose visibility rules apply (absent for people and organisation-wide events). */
    communityId: { type: Schema.Types.ObjectId },
    /** For replies: the discussion to open. */
    discussionId: { type: Schema.Types.ObjectId },
    title: { type: String, default: '', maxlength: 300 },
    snippet: { type: String, default: '', maxlength: 400 },
    /** Every key of the thing (title, body, tags, ...). */
    terms: { type: [String], default: [] },
    /** Keys of the title and tags: a match there weighs more. */
    strongTerms: { type: [String], default: [] },
    /** For recency: when the thing was created or (events) takes place. */
    at: { type: Date, required: true },
    /** The week of `at` and its era (search-index.ts walks them from the newest). */
    bucket: { type: Number, required: true },
    era: { type: Number, required: true },
    hidden: { type: Boolean, default: false },
    /** People: guests are found only by those who share a community with them. */
    isGuest: { type: Boolean, default: false },
    /** Organisation-wide events: whether guests may see them. */
    guestsAllowed: { type: Boolean, default: false },
  },
  { timestamps: false, versionKey: false },
);
searchEntrySchema.index({ type: 1, itemId: 1 }, { unique: true });
// The lookup asks for a key within a week or an era (search-index.ts).
searchEntrySchema.index({ tenantId: 1, terms: 1, bucket: 1 });
searchEntrySchema.index({ tenantId: 1, terms: 1, era: 1 });

export type SearchEntryRecord = InferSchemaType<typeof searchEntrySchema> & { _id: mongoose.Types.ObjectId; type: SearchEntryType };

// Writes move the read caches' stamps (read-cache.ts).
versionStamped(searchEntrySchema, stampedBySearchTenant('SearchEntry'));
export const SearchEntryModel = mongoose.model('SearchEntry', searchEntrySchema, 'search_entries');
