/**
 * The audit log is kept for the organisation's "audit log" period (default a year; see
 * src/personal-data/retention-kinds.ts for why), then removed by the privacy retention job in
 * bounded batches.
 */
import type { RetentionRule } from '../personal-data/retention.port.js';
import { AuditRepository } from './audit.repository.js';

export function auditRetentionRule(repository: AuditRepository = new AuditRepository()): RetentionRule {
  return { kind: 'auditLog', purge: (tenantId, before, limit) => repository.purgeOlderThan(tenantId, before, limit) };
}
