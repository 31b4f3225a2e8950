/**
 * Writes notification intents to the outbox (the `notifications` collection). Every
 * capability that changes something someone should hear about calls `enqueueNotifications`
 * after its own write has succeeded. Each intent carries an idempotency key, so enqueueing
 * the same intent twice (a retried request, a replayed job) stores it once: the unique
 * index rejects the duplicate and the rejection is ignored here. An intent for the actor
 * themselves is dropped (nobody is told about their own action).
 */
import { isDuplicateKeyError } from '../db/mongo-errors.js';
import { NotificationModel, type NotificationKind, type NotificationSubjectType } from './notification.model.js';

export interface NotificationIntent {
  tenantId: string;
  recipientId: string;
  kind: NotificationKind;
  subject: { type: NotificationSubjectType; id: string };
  actorId?: string;
  data?: Record<string, string | number | boolean | null>;
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
export async function enqueueNotifications(intents: NotificationIntent[]): Promise<number> {
  const wanted = dedupe(intents.filter((i) => i.recipientId !== i.actorId));
  if (wanted.length === 0) return 0;
  const docs = wanted.map((i) => ({
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
    const inserted = await NotificationModel.insertMany(docs, { ordered: false });
    return inserted.length;
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

function dedupe(intents: NotificationIntent[]): NotificationIntent[] {
  const seen = new Set<string>();
  return intents.filter((i) => (seen.has(i.idempotencyKey) ? false : (seen.add(i.idempotencyKey), true)));
}
