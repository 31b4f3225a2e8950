/**
 * What capabilities write to the audit log, without knowing it: who did what to which
 * subject, with a few facts. Details hold ids, names of settings and counts; never an e-mail
 * address, a token or a message text (the log outlives the data it points at).
 */
import type { Logger } from 'pino';
import { AuditLog } from './audit-log.service.js';
import { AuditRepository } from './audit.repository.js';

export interface AuditSink {
  record(entry: { tenantId: string; kind: string; actorId?: string; subjectId?: string; details?: Record<string, string | number | boolean | null> }): Promise<void>;
}

/**
 * The audit log on its shared collection, for a capability built without the composition
 * root's (the worker, the seed, tests): entries land in the same place either way.
 */
export function sharedAuditLog(deps: { logger: Pick<Logger, 'warn' | 'error'>; now?: () => Date }): AuditSink {
  return new AuditLog({ repository: new AuditRepository(), logger: deps.logger, ...(deps.now ? { now: deps.now } : {}) });
}
