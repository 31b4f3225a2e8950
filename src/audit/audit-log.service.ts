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
import type { AuditFilter, AuditRepository, NewAuditEntry } from './audit.repository.js';
import { csvFile, type CsvFile } from '../content/csv.js';
import { MAX_PAGE_SIZE } from '../db/pagination.js';
import { clockOf, type Clock } from '../time/clock.js';

export type { AuditFilter, DeniedRequest, NewAuditEntry };

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

/** Distinct denial entries per tenant and window before the rest share one overflow entry (per instance). */
export const MAX_DENIAL_ENTRIES = 1000;

/**
 * Which distinct keys were seen per scope (tenant and window), up to a limit: past it, new
 * keys are refused and known ones still admitted. Only the current and the previous window's
 * scopes are kept, so memory stays bounded too.
 */
class DistinctPerWindow {
  private readonly scopes = new Map<string, Set<string>>();

  constructor(private readonly limit: number) {}

  admit(scope: string, key: string): boolean {
    let seen = this.scopes.get(scope);
    if (!seen) {
      seen = new Set();
      this.scopes.set(scope, seen);
      // Scopes are made in time order: beyond a few, the oldest belong to windows that are over.
      while (this.scopes.size > 64) this.scopes.delete(this.scopes.keys().next().value as string);
    }
    if (seen.has(key)) return true;
    if (seen.size >= this.limit) return false;
    seen.add(key);
    return true;
  }
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export class AuditLog {
  private readonly repository: AuditRepository;
  private readonly logger: Pick<Logger, 'warn' | 'error'>;
  private readonly now: Clock;
  private readonly denialWindowMs: number;
  private readonly denialKeys: DistinctPerWindow;

  constructor(deps: { repository: AuditRepository; logger: Pick<Logger, 'warn' | 'error'>; now?: Clock; denialWindowMs?: number; maxDenialEntries?: number }) {
    this.repository = deps.repository;
    this.logger = deps.logger;
    this.now = clockOf(deps);
    this.denialWindowMs = deps.denialWindowMs ?? 5 * 60 * 1000;
    this.denialKeys = new DistinctPerWindow(deps.maxDenialEntries ?? MAX_DENIAL_ENTRIES);
  }

  async record(entry: NewAuditEntry): Promise<void> {
    await this.repository.insert(entry, this.now());
  }

  /**
   * Records a denied request. Occurrences with the same tenant, reason, user and address
   * within one window add up in one entry; the path is not part of the key (100,000 made-up
   * paths would otherwise be 100,000 entries), the entry keeps the first one as a sample.
   * Past `MAX_DENIAL_ENTRIES` entries of a tenant in one window (an attack from many
   * addresses), further ones add up in a single overflow entry per reason: the log's size
   * per window is bounded whatever an attacker sends.
   */
  async recordDenied(denied: DeniedRequest): Promise<void> {
    const at = this.now();
    const window = Math.floor(at.getTime() / this.denialWindowMs);
    // A refused request's URL may carry a secret (a calendar feed's token): never stored.
    const path = denied.path === undefined ? undefined : redactUrl(denied.path).slice(0, 200);
    const who = [denied.actorId ?? '', denied.ip ?? ''];
    const overflow = !this.denialKeys.admit(`${denied.tenantId}:${window}`, JSON.stringify([denied.reason, ...who]));
    const key = createHash('sha256')
      .update(JSON.stringify(['access.denied', denied.tenantId, denied.reason, ...(overflow ? ['*overflow*'] : who), window]))
      .digest('hex');
    const claimed = denied.claimedTenantId !== undefined && GUID.test(denied.claimedTenantId) ? denied.claimedTenantId.toLowerCase() : undefined;
    await this.repository.addOccurrence(
      key,
      {
        tenantId: denied.tenantId,
        kind: 'access.denied',
        reason: denied.reason,
        ...(!overflow && denied.actorId !== undefined ? { actorId: denied.actorId } : {}),
        ...(!overflow && denied.ip !== undefined ? { ip: denied.ip } : {}),
        ...(denied.method !== undefined ? { method: denied.method } : {}),
        ...(path !== undefined ? { path } : {}),
        ...(overflow ? { details: { overflow: true } } : claimed !== undefined && claimed !== denied.tenantId ? { details: { claimedTenantId: claimed } } : {}),
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

  /** A page of the actor's tenant's log, newest first, filtered by kind, person and period (organisation admins only). */
  async list(actor: Actor, options: AuditFilter & { cursor?: string; limit?: number }): Promise<Page<AuditEntryView>> {
    auditPolicy.authorize(actor, 'audit.read', {});
    const page = await this.repository.page(actor.tenantId, options);
    return { items: page.items.map(toView), ...(page.nextCursor !== undefined ? { nextCursor: page.nextCursor } : {}) };
  }

  /**
   * The filtered log as CSV, newest first, at most `MAX_AUDIT_EXPORT_ROWS` entries (read in
   * pages of the usual size, so no single query is unbounded); the export itself is recorded.
   */
  async exportCsv(actor: Actor, filter: AuditFilter): Promise<CsvFile> {
    auditPolicy.authorize(actor, 'audit.read', {});
    const rows: string[][] = [];
    let cursor: string | undefined;
    do {
      const page = await this.repository.page(actor.tenantId, { ...filter, limit: MAX_PAGE_SIZE, ...(cursor !== undefined ? { cursor } : {}) });
      for (const entry of page.items.map(toView)) {
        if (rows.length >= MAX_AUDIT_EXPORT_ROWS) break;
        rows.push([entry.at, entry.lastAt, entry.kind, entry.actorId ?? '', entry.subjectId ?? '', entry.reason ?? '', String(entry.count), entry.method ?? '', entry.path ?? '', entry.ip ?? '', entry.details ? JSON.stringify(entry.details) : '']);
      }
      cursor = page.nextCursor;
    } while (cursor !== undefined && rows.length < MAX_AUDIT_EXPORT_ROWS);
    await this.record({ tenantId: actor.tenantId, kind: 'audit.exported', actorId: actor.userId, details: { rows: rows.length } });
    return csvFile('audit', this.now().toISOString().slice(0, 10), AUDIT_CSV_HEADERS, rows);
  }
}

/** The most entries one CSV export holds; a longer period is exported in parts. */
export const MAX_AUDIT_EXPORT_ROWS = 10_000;

const AUDIT_CSV_HEADERS = ['at', 'lastAt', 'kind', 'actorId', 'subjectId', 'reason', 'count', 'method', 'path', 'ip', 'details'] as const;

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
