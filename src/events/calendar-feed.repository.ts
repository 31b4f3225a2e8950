/**
 * The calendar-feed store. A person has at most one feed; every write to it runs under the
 * person's feed lock key (creating and replacing race with revoking and with polls marking
 * the feed used), so the writes are atomic on FerretDB too.
 */
import { atomicUpdate } from '../db/atomic-update.js';
import { documentLocks } from '../db/document-lock.js';
import { storeCapabilities } from '../db/store-capabilities.js';
import { CalendarFeedModel, type CalendarFeedRecord } from './calendar-feed.model.js';

export async function findFeedOf(tenantId: string, userId: string): Promise<CalendarFeedRecord | null> {
  return CalendarFeedModel.findOne({ tenantId, userId }).lean<CalendarFeedRecord>();
}

export async function findFeedByTokenHash(tokenHash: string): Promise<CalendarFeedRecord | null> {
  return CalendarFeedModel.findOne({ tokenHash }).lean<CalendarFeedRecord>();
}

/** Creates the person's feed, or replaces its token. */
export async function issueFeed(tenantId: string, userId: string, tokenHash: string, issuedAt: Date): Promise<void> {
  await atomicUpdate(CalendarFeedModel, { tenantId, userId }, { $set: { tokenHash, issuedAt, lastUsedAt: null } }, { upsert: true, lockKey: feedLockKey(tenantId, userId) });
}

/** Records a poll, unless the token was replaced meanwhile. */
export async function markFeedUsed(feed: Pick<CalendarFeedRecord, '_id' | 'tenantId' | 'userId' | 'tokenHash'>, at: Date): Promise<void> {
  await atomicUpdate(CalendarFeedModel, { _id: feed._id, tokenHash: feed.tokenHash }, { $set: { lastUsedAt: at } }, { lockKey: feedLockKey(feed.tenantId, feed.userId) });
}

/** Revokes the person's feed; true when there was one. */
export async function deleteFeedOf(tenantId: string, userId: string): Promise<boolean> {
  const run = async () => (await CalendarFeedModel.deleteOne({ tenantId, userId })).deletedCount > 0;
  if (!storeCapabilities().needsWriteSerialisation) return run();
  return documentLocks.withLock(feedLockKey(tenantId, userId), run);
}

function feedLockKey(tenantId: string, userId: string): string {
  return `${CalendarFeedModel.collection.collectionName}:${tenantId}:${userId}`;
}
