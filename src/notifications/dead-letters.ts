/**
 * The dead-letter list: notifications delivery gave up on (`failed`) after its bounded
 * attempts. Organisation admins see them for their tenant and may send one again, which
 * puts it back in the outbox with a fresh count, in a lot of its own (and forgets the failed
 * delivery record, so the worker can claim it anew).
 */
import mongoose from 'mongoose';
import type { Actor } from '../auth/actor.js';
import type { Page } from '../db/pagination.js';
import { ForbiddenError, NotFoundError } from '../errors/domain-errors.js';
import { sendKeyOf } from './delivery-keys.js';
import { failedPage, findFailed, forgetFailedDeliveries, openLot, requeueFailed, type NotificationRecord } from './notifications.repository.js';

export interface DeadLetterView {
  id: string;
  recipientId: string;
  kind: string;
  subject: { type: string; id: string };
  attempts: number;
  lastError: string | null;
  createdAt: Date;
  failedAt: Date;
}

export class DeadLetters {
  async list(actor: Actor, query: { cursor?: string; limit?: number }): Promise<Page<DeadLetterView>> {
    assertAdmin(actor);
    const page = await failedPage(actor.tenantId, {
      ...(query.limit !== undefined ? { limit: query.limit } : {}),
      ...(query.cursor !== undefined ? { cursor: query.cursor } : {}),
    });
    return { items: page.items.map(view), ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}) };
  }

  async retry(actor: Actor, id: string): Promise<DeadLetterView> {
    assertAdmin(actor);
    if (!mongoose.isValidObjectId(id)) throw notFound();
    const failed = await findFailed(actor.tenantId, id);
    if (!failed) throw notFound();
    await forgetFailedDeliveries([...(failed.deliveryKey ? [failed.deliveryKey] : []), sendKeyOf(failed)]);
    // Its old lot is gone (done lots are deleted): a new one, written first (see notification-outbox.ts).
    const lot = await openLot(new Date(0));
    // Guarded on `failed`: two admins retrying at once put it back once.
    const updated = await requeueFailed(failed._id, lot);
    if (!updated) throw notFound();
    return view(updated);
  }
}

function view(n: NotificationRecord): DeadLetterView {
  return {
    id: String(n._id),
    recipientId: n.recipientId,
    kind: n.kind,
    subject: { type: n.subject.type, id: n.subject.id },
    attempts: n.attempts ?? 0,
    lastError: n.lastError ?? null,
    createdAt: n.createdAt,
    failedAt: n.updatedAt,
  };
}

function assertAdmin(actor: Actor): void {
  if (!actor.isOrgAdmin) throw new ForbiddenError('Only organisation admins see failed notifications.', 'admin_only');
}

function notFound(): NotFoundError {
  return new NotFoundError('There is no such failed notification.', 'dead_letter_not_found');
}
