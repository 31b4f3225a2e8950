import assert from 'node:assert/strict';
import mongoose from 'mongoose';
import { createLogger } from '../../src/logging/logger.js';
import { DeliveryModel } from '../../src/notifications/delivery.model.js';
import { NotificationModel } from '../../src/notifications/notification.model.js';
import { pruneNotifications, startNotificationRetention } from '../../src/notifications/notification-retention.js';
import { useTestDatabase } from '../support/database.js';

const DAY = 86_400_000;
const TENANT = '0d5b4a9c-8e7f-4d6a-9b5c-4e3d2c1b0a99';

describe('notification retention', () => {
  useTestDatabase('notify_retention');

  beforeEach(async () => {
    await NotificationModel.deleteMany({});
    await DeliveryModel.deleteMany({});
  });

  // Written past mongoose so the ages are the ones given (timestamps would set them to now).
  async function notification(status: string, ageDays: number): Promise<void> {
    const at = new Date(Date.now() - ageDays * DAY);
    await NotificationModel.collection.insertOne({
      tenantId: TENANT,
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
    const at = new Date(Date.now() - ageDays * DAY);
    await DeliveryModel.collection.insertOne({ key: `d-${state}-${ageDays}-${Math.random()}`, tenantId: TENANT, recipientId: 'p', notificationIds: [], state, owner: 'w', leaseUntil: at, attempts: 1, createdAt: at, updatedAt: at });
  }

  it('deletes sent and skipped notifications and finished delivery records past the retention, and nothing else', async () => {
    for (const status of ['sent', 'skipped', 'failed', 'pending', 'held', 'sending']) {
      await notification(status, 120);
      await notification(status, 10);
    }
    for (const state of ['sent', 'skipped', 'failed', 'claimed', 'sending']) {
      await delivery(state, 120);
      await delivery(state, 10);
    }

    const pruned = await pruneNotifications(new Date(Date.now() - 90 * DAY));

    assert.deepEqual(pruned, { notifications: 2, deliveries: 3 });
    const left = await NotificationModel.find({}).lean();
    const old = left.filter((n) => n.createdAt.getTime() < Date.now() - 90 * DAY).map((n) => n.status).sort();
    assert.deepEqual(old, ['failed', 'held', 'pending', 'sending'], 'dead letters and unfinished work stay, however old');
    assert.equal(left.length, 10);
    const oldRecords = (await DeliveryModel.find({}).lean()).filter((d) => (d as { updatedAt: Date }).updatedAt.getTime() < Date.now() - 90 * DAY).map((d) => d.state).sort();
    assert.deepEqual(oldRecords, ['claimed', 'sending'], 'a send in flight keeps its record');
  });

  it('runs in the worker loop, and keeps everything when the retention is 0', async () => {
    await notification('sent', 120);
    const keep = startNotificationRetention({ retentionDays: 0, logger: createLogger('silent') });
    await keep.stop();
    assert.equal(await NotificationModel.countDocuments({}), 1);

    const prune = startNotificationRetention({ retentionDays: 90, logger: createLogger('silent') });
    for (let i = 0; i < 100 && (await NotificationModel.countDocuments({})) > 0; i++) await new Promise((r) => setTimeout(r, 50));
    await prune.stop();
    assert.equal(await NotificationModel.countDocuments({}), 0);
  });
});
