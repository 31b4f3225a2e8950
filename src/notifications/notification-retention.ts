/**
 * Old notifications go: the outbox and its delivery records otherwise only grow, and on
 * FerretDB every lot read scans the collection. The privacy capability's retention job runs
 * this rule per tenant with the organisation's "notification deliveries" period (default
 * NOTIFY_RETENTION_DAYS, 90 days), in bounded batches: sent and skipped notifications and
 * finished delivery records older than it are deleted; dead letters (`failed`) stay until an
 * admin has dealt with them, and nothing pending, held or being sent is touched.
 */
import type { RetentionRule } from '../personal-data/retention.port.js';
import { purgeSettled } from './notifications.repository.js';

export const notificationRetentionRule: RetentionRule = {
  kind: 'notificationDeliveries',
  purge: (tenantId, before, limit) => purgeSettled(tenantId, before, limit),
};
