/**
 * The retention job with a fake clock: a backlog of 2,500 old audit entries goes in bounded
 * batches over passes, newer entries and other tenants' (with a longer period) stay, and the
 * job runs under its lease, one instance at a time.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { AuditEntryModel } from '../../src/audit/audit-entry.model.js';
import { auditRetentionRule } from '../../src/audit/audit-retention.js';
import { releaseLease, takeLease } from '../../src/db/lease.js';
import { createLogger } from '../../src/logging/logger.js';
import { PrivacySettingsModel } from '../../src/privacy/privacy-settings.model.js';
import { PrivacySettingsService } from '../../src/privacy/privacy-settings.service.js';
import { RetentionRegistry, runRetentionPass, startRetentionJob, type RetentionRule } from '../../src/privacy/retention.js';
import { useTestDatabase } from '../support/database.js';

const DAY = 86_400_000;
const NOW = new Date('2027-01-15T03:00:00Z');
const TENANT = '2f3e4d5c-6b7a-4988-9a0b-1c2d3e4f5a6b';
const PATIENT_TENANT = '3a4b5c6d-7e8f-4091-a2b3-c4d5e6f7a8b9';
const logger = createLogger('silent');

async function auditEntries(tenantId: string, count: number, ageDays: number): Promise<void> {
  const at = new Date(NOW.getTime() - ageDays * DAY);
  const docs = Array.from({ length: count }, (_, i) => ({ tenantId, kind: 'user.first_sign_in', subjectId: `u-${ageDays}-${i}`, count: 1, aggregationKey: randomUUID(), createdAt: at, updatedAt: at, lastAt: at }));
  // Past mongoose, so the ages are the ones given.
  for (let i = 0; i < docs.length; i += 500) await AuditEntryModel.collection.insertMany(docs.slice(i, i + 500));
}

describe('retention (fake clock)', function () {
  this.timeout(60_000);
  useTestDatabase('retention');
  const audit = { record: () => Promise.resolve() };
  const settings = new PrivacySettingsService({ audit, now: () => NOW });
  const tenants = () => Promise.resolve([TENANT, PATIENT_TENANT]);

  /** The audit rule, recording every call's limit and answer. */
  function recordingAuditRule(): { rule: RetentionRule; calls: { tenantId: string; limit: number; removed: number }[] } {
    const real = auditRetentionRule();
    const calls: { tenantId: string; limit: number; removed: number }[] = [];
    return {
      calls,
      rule: {
        kind: 'auditLog',
        async purge(tenantId, before, limit) {
          const removed = await real.purge(tenantId, before, limit);
          calls.push({ tenantId, limit, removed });
          return removed;
        },
      },
    };
  }

  beforeEach(async () => {
    await Promise.all([AuditEntryModel.deleteMany({}), PrivacySettingsModel.deleteMany({})]);
    await auditEntries(TENANT, 2500, 400);
    await auditEntries(TENANT, 10, 30);
    await auditEntries(PATIENT_TENANT, 20, 400);
    // The patient tenant keeps its audit log two years.
    await PrivacySettingsModel.create({ tenantId: PATIENT_TENANT, retentionDays: { auditLog: 730 } });
  });

  it('purges 2,500 old entries in bounded batches over passes, keeping the newer ones and a longer-kept tenant', async () => {
    const { rule, calls } = recordingAuditRule();
    const registry = new RetentionRegistry().register(rule);
    const pass = () => runRetentionPass({ registry, settings, tenants, logger, now: () => NOW, batchSize: 1000, maxBatchesPerPass: 2 });

    const first = await pass();
    assert.deepEqual([first.purged.auditLog, first.batches, first.more], [2000, 2, true], 'the pass stops at its bound and says more is waiting');
    const second = await pass();
    assert.deepEqual([second.purged.auditLog, second.more], [500, false]);
    assert.deepEqual(
      calls.map((c) => [c.tenantId === TENANT ? 'tenant' : 'patient', c.limit, c.removed]),
      [['tenant', 1000, 1000], ['tenant', 1000, 1000], ['tenant', 1000, 500], ['patient', 1000, 0]],
    );
    assert.equal(await AuditEntryModel.countDocuments({ tenantId: TENANT }), 10, 'the 30-day-old entries stay');
    assert.equal(await AuditEntryModel.countDocuments({ tenantId: PATIENT_TENANT }), 20, 'kept 730 days there');

    const third = await pass();
    assert.equal(third.purged.auditLog, 0);
  });

  it('a year later by the clock, the newer entries go too', async () => {
    const registry = new RetentionRegistry().register(auditRetentionRule());
    const later = new Date(NOW.getTime() + 365 * DAY);
    for (let i = 0; i < 5; i++) await runRetentionPass({ registry, settings, tenants, logger, now: () => later, batchSize: 1000 });
    assert.equal(await AuditEntryModel.countDocuments({ tenantId: TENANT }), 0);
    assert.equal(await AuditEntryModel.countDocuments({ tenantId: PATIENT_TENANT }), 0, '765 days old by then: past the 730 days there too');
  });

  it('runs as a worker job under its lease: while another instance holds it, nothing is purged', async () => {
    const held = await takeLease('privacy:retention', 'another-instance', 60_000);
    assert.ok(held);
    const registry = new RetentionRegistry().register(auditRetentionRule());
    const job = startRetentionJob({ registry, settings, tenants, logger, now: () => NOW, batchSize: 1000, everyMs: 3_600_000 });
    await job.drained();
    await job.stop();
    assert.equal(await AuditEntryModel.countDocuments({ tenantId: TENANT }), 2510);

    await releaseLease(held);
    const free = startRetentionJob({ registry, settings, tenants, logger, now: () => NOW, batchSize: 1000, maxBatchesPerPass: 1, everyMs: 3_600_000 });
    // One batch a pass: passes follow each other at once while more is waiting.
    for (let i = 0; i < 4; i++) await free.drained();
    await free.stop();
    assert.equal(await AuditEntryModel.countDocuments({ tenantId: TENANT }), 10);
  });
});
