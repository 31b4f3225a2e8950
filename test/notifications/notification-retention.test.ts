import assert from 'node:assert/strict';
import mongoose from 'mongoose';
import { createLogger } from '../../src/logging/logger.js';
import { DeliveryModel } from '../../src/notifications/delivery.model.js';
import { NotificationModel } from '../../src/notifications/notification.model.js';
import { notificationRetentionRule } from '../../src/notifications/notification-retention.js';
import { PrivacySettingsService } from '../../src/privacy/privacy-settings.service.js';
import { RetentionRegistry, runRetentionPass } from '../../src/privacy/retention.js';
import { useTestDatabase } from '../support/database.js';

const DAY = 86_400_000;
const NOW = new Date('2026-03-01T12:00:00Z');
const TENANT = '0d5b4a9c-8e7f-4d6a-9b5c-4e3d2c1b0a99';
const OTHER_TENANT = '1e6c5bad-9f80-4e7b-8c6d-5f4e3d2c1b00';

describe('notification retention', () => {
  useTestDatabase('notify_retention');

  beforeEach(async () => {
    await NotificationModel.deleteMany({});
    await DeliveryModel.deleteMany({});
  });

  // Written past mongoose so the ages are the ones given (timestamps would set them to now).
  async function notification(status: string, ageDays: number, tenantId = TENANT): Promise<void> {
    const at = new Date(NOW.getTime() - ageDays * DAY);
    await NotificationModel.collection.insertOne({
      tenantId,
      recipientId: `person-${status}-${ageDays}`,
      kind: 'reply',
      subject: { type: 'discussion', id: new mongoose.Types.ObjectId().toHexString() },
      data: {},
      idempotencyKey: `k-${status}-${ageDays}-${Math.random()}`,
      status,
      createdAt: at,
      updatedAt: at,
    });
  }

  async function delivery(state: string, ageDays: number): Promise<void> {
    const at = new Date(NOW.getTime() - ageDays * DAY);
    await DeliveryModel.collection.insertOne({ key: `d-${state}-${ageDays}-${Math.random()}`, tenantId: TENANT, recipientId: 'p', notificationIds: [], state, owner: 'w', leaseUntil: at, attempts: 1, createdAt: at, updatedAt: at });
  }

  it("deletes the tenant's sent and skipped notifications and finished delivery records past the retention, and nothing else", async () => {
    for (const status of ['sent', 'skipped', 'failed', 'pending', 'held', 'sending']) {
      await notification(status, 120);
      await notification(status, 10);
    }
    for (const state of ['sent', 'skipped', 'failed', 'claimed', 'sending']) {
      await delivery(state, 120);
      await delivery(state, 10);
    }
    await notification('sent', 120, OTHER_TENANT);

    const pruned = await notificationRetentionRule.purge(TENANT, new Date(NOW.getTime() - 90 * DAY), 100);

    assert.equal(pruned, 5, 'two notifications and three delivery records');
    const left = await NotificationModel.find({ tenantId: TENANT }).lean();
    const old = left.filter((n) => n.createdAt.getTime() < NOW.getTime() - 90 * DAY).map((n) => n.status).sort();
    assert.deepEqual(old, ['failed', 'held', 'pending', 'sending'], 'dead letters and unfinished work stay, however old');
    assert.equal(left.length, 10);
    const oldRecords = (await DeliveryModel.find({}).lean()).filter((d) => (d as { updatedAt: Date }).updatedAt.getTime() < NOW.getTime() - 90 * DAY).map((d) => d.state).sort();
    assert.deepEqual(oldRecords, ['claimed', 'sending'], 'a send in flight keeps its record');
    assert.equal(await NotificationModel.countDocuments({ tenantId: OTHER_TENANT }), 1, "another tenant's are its own business");
  });

  it('removes no more than the limit in one call', async () => {
    for (let i = 0; i < 4; i++) await notification('sent', 100 + i);
    for (let i = 0; i < 3; i++) await delivery('sent', 100 + i);
    assert.equal(await notificationRetentionRule.purge(TENANT, new Date(NOW.getTime() - 90 * DAY), 5), 5);
    assert.equal((await NotificationModel.countDocuments({})) + (await DeliveryModel.countDocuments({})), 2);
  });

  it('runs in the retention pass with the configured default, and keeps everything when it is 0', async () => {
    await notification('sent', 120);
    const registry = new RetentionRegistry().register(notificationRetentionRule);
    const audit = { record: () => Promise.resolve() };
    const pass = (defaultDays: number) =>
      runRetentionPass({ registry, settings: new PrivacySettingsService({ audit, defaultDays: { notificationDeliveries: defaultDays } }), tenants: () => Promise.resolve([TENANT]), logger: createLogger('silent'), now: () => NOW });
    await pass(0);
    assert.equal(await NotificationModel.countDocuments({}), 1);
    await pass(150);
    assert.equal(await NotificationModel.countDocuments({}), 1, 'younger than 150 days');
    await pass(90);
    assert.equal(await NotificationModel.countDocuments({}), 0);
  });
});
