/**
 * The migrations of stored documents, oldest first. Each brings documents that an earlier
 * version of Meent wrote to the shape the current code expects; each must be idempotent (it
 * may be interrupted and run again), work within what FerretDB 1.24 supports (single-document
 * updates, no transactions) and only ever be added at the end: an applied id is never run
 * again, so an entry is never edited once released. A capability keeps the migration of its
 * own documents beside its model and adds it here.
 */
import { deliverySendingToClaimed } from '../notifications/delivery-migrations.js';
import { searchEntryWeeks } from '../search-index/search-index-migrations.js';

export interface Migration {
  /** Stable and unique: `YYYY-MM-DD-what` (the store records it as applied). */
  id: string;
  description: string;
  /** Brings the documents up to date; answers how many it changed. */
  up(): Promise<number>;
}

export const MIGRATIONS: readonly Migration[] = [deliverySendingToClaimed, searchEntryWeeks];
