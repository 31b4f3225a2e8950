/**
 * Migrations of the notifications capability's stored documents (run at start by
 * src/migrations/run-migrations.ts; the list of all of them is src/migrations/migrations.ts).
 */
import { DeliveryModel } from './delivery.model.js';

/**
 * Delivery records of digests written by versions before the claim rework carry state
 * 'sending'; the current code writes 'claimed' for the same thing (delivery.model.ts).
 * Rewriting them lets 'sending' leave the enum in a later release.
 */
export const deliverySendingToClaimed = {
  id: '2026-12-07-delivery-sending-to-claimed',
  description: "Delivery records in the old state 'sending' become 'claimed', which the current code writes for the same thing.",
  async up(): Promise<number> {
    const result = await DeliveryModel.updateMany({ state: 'sending' }, { $set: { state: 'claimed' } });
    return result.modifiedCount;
  },
};
