/**
 * The audit log: first sign-ins, denied requests (the reason, never the token), role
 * changes, and whatever else a capability records. Readable by organisation admins only,
 * newest first, per tenant.
 */
import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import type { Actor } from '../auth/actor.js';
import type { DeniedRequest } from '../auth/authenticate.js';
import { definePolicy, orgAdmin } from '../auth/authorize.js';
import type { Page } from '../db/pagination.js';
import { redactUrl } from '../logging/url-secrets.js';
import type { AuditEntryRecord } from './audit-entry.model.js';
import type { AuditRepository, NewAuditEntry } from './audit.repository.js';
import { clockOf, type Clock } from '../time/clock.js';

export type { DeniedRequest, NewAuditEntry };

/** A stored entry as admins read it: what was recorded, how often, first and last time. */
export interface AuditEntryView extends Omit<NewAuditEntry, 'details'> {
  id: string;
  details?: Record<string, unknown>;
  count: number;
  at: string;
  lastAt: string;
}

export const auditPolicy = definePolicy<'audit.read'>({
  'audit.read': { allow: orgAdmin, message: 'Only organisation admins may read the audit log.' },
});

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export class AuditLog {
  private readonly repository: AuditRepository;
  private readonly logger: Pick<Logger, 'warn' | 'error'>;
  private readonly now: Clock;
  private readonly denialWindowMs: number;

  constructor(deps: { repository: AuditRepository; logger: Pick<Logger, 'warn' | 'error'>; now?: Clock; denialWindowMs?: number }) {
    this.repository = deps.repository;
    this.logger = deps.logger;
    this.now = clockOf(deps);
    this.denialWindowMs = deps.denialWindowMs ?? 5 * 60 * 1000;
  }

  async record(entry: NewAuditEntry): Promise<void> {
    await this.repository.insert(entry, this.now());
  }

  /**
   * Records a denied request. Occurrences with the same tenant, reason, user, address and
   * path within one window add up in one entry, so the log stays small under attack.
   */
  async recordDenied(denied: DeniedRequest): Promise<void> {
    const at = this.now();
    const window = Math.floor(at.getTime() / this.denialWindowMs);
    // A refused request's URL may carry a secret (a calendar feed's token): never stored.
    const path = denied.path === undefined ? undefined : redactUrl(denied.path).slice(0, 200);
    const key = createHash('sha256')
      .update(JSON.stringify(['access.denied', denied.tenantId, denied.reason, denied.actorId ?? '', denied.ip ?? '', denied.method ?? '', path ?? '', window]))
      .digest('hex');
    const claimed = denied.claimedTenantId !== undefined && GUID.test(denied.claimedTenantId) ? denied.claimedTenantId.toLowerCase() : undefined;
    await this.repository.addOccurrence(
      key,
      {
        tenantId: denied.tenantId,
        kind: 'access.denied',
        reason: denied.reason,
        ...(denied.actorId !== undefined ? { actorId: denied.actorId } : {}),
        ...(denied.ip !== undefined ? { ip: denied.ip } : {}),
        ...(denied.method !== undefined ? { method: denied.method } : {}),
        ...(path !== undefined ? { path } : {}),
        ...(claimed !== undefined && claimed !== denied.tenantId ? { details: { claimedTenantId: claimed } } : {}),
      },
      at,
    );
  }

  /** Like `recordDenied`, but a failure to write is logged instead of thrown: a denial must stay a denial. */
  async recordDeniedQuietly(denied: DeniedRequest): Promise<void> {
    try {
      await this.recordDenied(denied);
    } catch (err) {
      this.logger.error({ err, reason: denied.reason }, 'could not write the audit entry of a denied request');
    }
  }

  /** A page of the actor's tenant's log, newest first (organisation admins only). */
  async list(actor: Actor, options: { kind?: string; cursor?: string; limit?: number }): Promise<Page<AuditEntryView>> {
    auditPolicy.authorize(actor, 'audit.read', {});
    const page = await this.repository.page(actor.tenantId, options);
    return { items: page.items.map(toView), ...(page.nextCursor !== undefined ? { nextCursor: page.nextCursor } : {}) };
  }
}

function toView(entry: AuditEntryRecord): AuditEntryView {
  const view: AuditEntryView = {
    id: String(entry._id),
    tenantId: entry.tenantId,
    kind: entry.kind,
    count: entry.count ?? 1,
    at: entry.createdAt.toISOString(),
    lastAt: (entry.lastAt ?? entry.createdAt).toISOString(),
  };
  for (const field of ['actorId', 'subjectId', 'reason', 'ip', 'method', 'path'] as const) {
    const value = entry[field];
    if (typeof value === 'string') view[field] = value;
  }
  if (entry.details && typeof entry.details === 'object') view.details = entry.details as Record<string, unknown>;
  return view;
}
