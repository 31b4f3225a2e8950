/**
 * Writes notification intents to the outbox (the `notifications` collection). Every
 * capability that changes something someone should hear about calls `enqueueNotifications`
 * after its own write has succeeded. Each intent carries an idempotency key, so enqueueing
 * the same intent twice (a retried request, a replayed job) stores it once: the unique
 * index rejects the duplicate and the rejection is ignored here. An intent for the actor
 * themselves is dropped (nobody is told about their own action).
 *
 * The intents of one call are written in lots of up to `lotSize` (notification-lot.model.ts),
 * the unit the delivery worker claims. The lot is written first: a crash between the two
 * writes leaves an empty lot (which the worker deletes), never notifications no lot names.
 *
 * The cards say who did it ("Pieter replied to ..."): an intent with an actor but no
 * `actorName` gets the actor's display name from the people Meent knows, here, once for every
 * producer. It is kept with the notification, so the notification's retention, the
 * recipient's export and the actor's erasure (which scrubs their name) cover it.
 */
import { isDuplicateKeyError } from '../db/mongo-errors.js';
import type { NotificationKind, NotificationSubjectType } from './notification.model.js';
import { PeopleRepository } from '../members/people.repository.js';
import { insertNotifications, openLot } from './notifications.repository.js';

/** Notifications per lot: a worker sends one lot in a few seconds at the Teams rate, so lots spread over instances. */
export const DEFAULT_LOT_SIZE = 100;

/**
 * A file a notification's card lists (a reply's): what the card shows and where "Open" goes
 * (null: no longer available when the reply was written). Kept with the notification, so its
 * retention and the person's export and erasure cover it.
 */
export interface NotificationFile {
  name: string;
  size: number;
  url: string | null;
}

/** A card lists at most this many of a post's files; `fileCount` says how many there are. */
export const NOTIFICATION_FILES = 3;

export interface NotificationIntent {
  tenantId: string;
  recipientId: string;
  kind: NotificationKind;
  subject: { type: NotificationSubjectType; id: string };
  actorId?: string;
  data?: Record<string, string | number | boolean | null | NotificationFile[]>;
  /** Stable for "the same news to the same person", e.g. `reply:<replyId>:<recipientId>`. */
  idempotencyKey: string;
  notBefore?: Date;
}

/** The port services depend on; tests may hand in a recording fake. */
export interface NotificationOutbox {
  enqueue(intents: NotificationIntent[]): Promise<number>;
}

/**
 * Stores the intents; returns how many were new. Unordered insert, so one duplicate does not
 * stop the rest; duplicate-key errors are expected and ignored, any other error is thrown.
 */
export async function enqueueNotifications(intents: NotificationIntent[], options: { lotSize?: number } = {}): Promise<number> {
  const wanted = await withActorNames(dedupe(intents.filter((i) => i.recipientId !== i.actorId)));
  const lotSize = Math.max(1, options.lotSize ?? DEFAULT_LOT_SIZE);
  let stored = 0;
  for (let i = 0; i < wanted.length; i += lotSize) stored += await enqueueLot(wanted.slice(i, i + lotSize));
  return stored;
}

async function enqueueLot(wanted: NotificationIntent[]): Promise<number> {
  if (wanted.length === 0) return 0;
  // Due at once unless every intent waits (the epoch, not the clock: "now" is the worker's to judge).
  const dueAt = new Date(Math.min(...wanted.map((i) => i.notBefore?.getTime() ?? 0)));
  const lot = await openLot(dueAt);
  const docs = wanted.map((i) => ({
    lot,
    tenantId: i.tenantId,
    recipientId: i.recipientId,
    kind: i.kind,
    subject: i.subject,
    ...(i.actorId !== undefined ? { actorId: i.actorId } : {}),
    data: i.data ?? {},
    idempotencyKey: i.idempotencyKey,
    status: 'pending' as const,
    ...(i.notBefore !== undefined ? { notBefore: i.notBefore } : {}),
  }));
  try {
    return await insertNotifications(docs);
  } catch (err) {
    const writeErrors = (err as { writeErrors?: unknown[] }).writeErrors;
    if (isDuplicateKeyError(err) && !Array.isArray(writeErrors)) return 0;
    if (Array.isArray(writeErrors) && writeErrors.every((e) => isDuplicateKeyError(e) || isDuplicateKeyError((e as { err?: unknown }).err))) {
      const insertedDocs = (err as { insertedDocs?: unknown[] }).insertedDocs;
      return Array.isArray(insertedDocs) ? insertedDocs.length : docs.length - writeErrors.length;
    }
    throw err;
  }
}

/** The outbox as a port, for services that take it in their constructor. */
export const notificationOutbox: NotificationOutbox = { enqueue: enqueueNotifications };

const people = new PeopleRepository();

/** The intents, each with its actor's display name where it names an actor and no name (one read per tenant). */
async function withActorNames(intents: NotificationIntent[]): Promise<NotificationIntent[]> {
  const unnamed = intents.filter((i) => i.actorId !== undefined && typeof i.data?.actorName !== 'string');
  if (unnamed.length === 0) return intents;
  const names = new Map<string, string>();
  for (const tenantId of new Set(unnamed.map((i) => i.tenantId))) {
    const found = await people.findMany(tenantId, [...new Set(unnamed.filter((i) => i.tenantId === tenantId).map((i) => i.actorId as string))]);
    for (const [userId, user] of found) if (user.displayName) names.set(`${tenantId}\u0000${userId}`, user.displayName.slice(0, 120));
  }
  return intents.map((i) => {
    const name = i.actorId !== undefined && typeof i.data?.actorName !== 'string' ? names.get(`${i.tenantId}\u0000${i.actorId}`) : undefined;
    return name === undefined ? i : { ...i, data: { ...i.data, actorName: name } };
  });
}

function dedupe(intents: NotificationIntent[]): NotificationIntent[] {
  const seen = new Set<string>();
  return intents.filter((i) => (seen.has(i.idempotencyKey) ? false : (seen.add(i.idempotencyKey), true)));
}
