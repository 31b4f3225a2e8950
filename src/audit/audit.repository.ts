/** Storage of the audit log; the only module that touches `AuditEntryModel`. */
import { randomUUID } from 'node:crypto';
import mongoose from 'mongoose';
import { deleteOldestBatch } from '../db/bounded-delete.js';
import { upsertRetryingRace } from '../db/mongo-errors.js';
import { findPage, type Page } from '../db/pagination.js';
import { AuditEntryModel, type AuditEntryRecord } from './audit-entry.model.js';

export interface NewAuditEntry {
  tenantId: string;
  kind: string;
  actorId?: string;
  subjectId?: string;
  reason?: string;
  ip?: string;
  method?: string;
  path?: string;
  details?: Record<string, string | number | boolean | null>;
}

export class AuditRepository {
  /** At most `limit` of the tenant's entries created before `before`, oldest first (retention). */
  async purgeOlderThan(tenantId: string, before: Date, limit: number): Promise<number> {
    return deleteOldestBatch(AuditEntryModel, { tenantId, createdAt: mongoose.trusted({ $lt: before }) }, 'createdAt', limit);
  }

  async insert(entry: NewAuditEntry, at: Date): Promise<void> {
    // The service's clock dates the entry (not the database's), so a period filter sees what the service saw.
    await AuditEntryModel.create({ ...entry, count: 1, createdAt: at, lastAt: at, aggregationKey: randomUUID() });
  }

  /**
   * Adds one occurrence to the entry with this key, creating it on first occurrence. Not
   * serialised (unlike src/db/atomic-update.ts): on FerretDB, simultaneous occurrences may be
   * counted as fewer; the entry itself is never lost (unique key), and a lock per denied
   * request would make a flood of forged requests three times as expensive for us.
   */
  async addOccurrence(aggregationKey: string, entry: NewAuditEntry, at: Date): Promise<void> {
    const upsert = () =>
      AuditEntryModel.updateOne(
        { aggregationKey },
        { $inc: { count: 1 }, $set: { lastAt: at }, $setOnInsert: { ...entry, aggregationKey } },
        // The schema's default for `count` would collide with $inc on insert.
        { upsert: true, setDefaultsOnInsert: false },
      );
    // Two first occurrences at once: one insert wins the unique key, the other becomes an update.
    await upsertRetryingRace(upsert);
  }

  async page(tenantId: string, options: AuditFilter & { cursor?: string; limit?: number }): Promise<Page<AuditEntryRecord>> {
    return findPage<AuditEntryRecord>(AuditEntryModel as never, {
      filter: auditFilter(tenantId, options),
      sortField: 'createdAt',
      ...(options.cursor !== undefined ? { cursor: options.cursor } : {}),
      ...(options.limit !== undefined ? { limit: options.limit } : {}),
    });
  }
}

/** What admins filter the log by: a kind (`access.denied`) or a group of kinds (`community`), a person (who acted or whom it is about), a period. */
export interface AuditFilter {
  kind?: string;
  person?: string;
  from?: Date;
  to?: Date;
}

/** The filter as a query; values were validated at the edge (kinds are `[a-z_.]`, so the prefix needs no escaping). */
function auditFilter(tenantId: string, f: AuditFilter): Record<string, unknown> {
  const and: Record<string, unknown>[] = [{ tenantId }];
  if (f.kind !== undefined) and.push(f.kind.includes('.') ? { kind: f.kind } : { kind: mongoose.trusted({ $regex: `^${f.kind.replace(/[^a-z_]/g, '')}\\.` }) });
  if (f.person !== undefined) and.push({ $or: [{ actorId: f.person }, { subjectId: f.person }] });
  if (f.from !== undefined || f.to !== undefined) {
    and.push({ createdAt: mongoose.trusted({ ...(f.from !== undefined ? { $gte: f.from } : {}), ...(f.to !== undefined ? { $lt: f.to } : {}) }) });
  }
  return and.length === 1 ? { tenantId } : { $and: and };
}
