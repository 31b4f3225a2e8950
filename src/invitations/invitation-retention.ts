/**
 * Withdrawn and failed invitations go after the organisation's "invitations" period (30 days
 * by default, retention-kinds.ts), counted from `closedAt`: they hold an e-mail address that
 * only served to show the manager what went wrong and to re-send. Pending invitations stay
 * (the person may still accept), and accepted ones no longer hold an address (it is removed
 * on acceptance), so neither is touched. The privacy capability's retention job calls this
 * per tenant in bounded batches.
 */
import mongoose from 'mongoose';
import { deleteOldestBatch } from '../db/bounded-delete.js';
import type { RetentionRule } from '../personal-data/retention.port.js';
import { InvitationModel } from './invitation.model.js';

export function purgeClosedInvitations(tenantId: string, closedBefore: Date, limit: number): Promise<number> {
  return deleteOldestBatch(InvitationModel, { tenantId, state: mongoose.trusted({ $in: ['withdrawn', 'failed'] }), closedAt: mongoose.trusted({ $lt: closedBefore }) }, 'closedAt', limit);
}

export const invitationRetentionRule: RetentionRule = {
  kind: 'invitations',
  purge: purgeClosedInvitations,
};
