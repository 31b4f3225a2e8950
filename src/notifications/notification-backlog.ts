/**
 * How many notifications wait to go out: `pending` (not yet sent) and `sending` (claimed by a
 * worker). Digests `held` until their time are not late and do not count. Operations watch it
 * as a gauge (src/telemetry/); a backlog that keeps growing means delivery is stuck or throttled.
 */
import mongoose from 'mongoose';
import { NotificationModel } from './notification.model.js';

export function countWaitingNotifications(): Promise<number> {
  // The { status, createdAt } index answers this without reading documents.
  return NotificationModel.countDocuments({ status: mongoose.trusted({ $in: ['pending', 'sending'] }) });
}
