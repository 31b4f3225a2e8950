import assert from 'node:assert/strict';
import mongoose from 'mongoose';
import request from 'supertest';
import { loadConfig } from '../../src/config/config.js';
import { createApp } from '../../src/http/app.js';
import { createLogger } from '../../src/logging/logger.js';
import { DeliveryModel } from '../../src/notifications/delivery.model.js';
import { NotificationModel } from '../../src/notifications/notification.model.js';
import { createNotificationsModule } from '../../src/notifications/notifications.module.js';
import { useTestDatabase } from '../support/database.js';
import type { RequestHandler } from 'express';
import type { Actor } from '../../src/auth/actor.js';

const TEST_TENANT_ID = '11111111-2222-4333-8444-555555555555';

/** Test only: the actor comes from a header (this file's own, so it does not depend on how others' tests authenticate). */
const actorFromHeader: RequestHandler = (req, res, next) => {
  const raw = req.get('X-Notification-Test-Actor');
  if (!raw) {
    res.status(401).end();
    return;
  }
  const spec = JSON.parse(raw) as { userId: string; isOrgAdmin?: boolean; tenantId?: string };
  req.actor = { userId: spec.userId, tenantId: spec.tenantId ?? TEST_TENANT_ID, name: spec.userId, isGuest: false, mfa: true, isOrgAdmin: spec.isOrgAdmin ?? false, roles: [] } satisfies Actor;
  next();
};

describe('notification settings and dead letters (HTTP)', () => {
  useTestDatabase('notifyroutes');
  const config = loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', AUTH_MODE: 'local' });
  const app = createApp({ config, logger: createLogger('silent'), isReady: () => Promise.resolve(true), authenticate: actorFromHeader, apiRouters: createNotificationsModule().apiRouters ?? [] });
  const as = (userId: string, extra: Record<string, unknown> = {}) => ({ 'X-Notification-Test-Actor': JSON.stringify({ userId, ...extra }) });

  beforeEach(async () => {
    await Promise.all([NotificationModel.deleteMany({}), DeliveryModel.deleteMany({}), mongoose.connection.collection('notification_preferences').deleteMany({}), mongoose.connection.collection('notification_mutes').deleteMany({})]);
  });

  it('shows the defaults to someone who never chose', async () => {
    const res = await request(app).get('/api/v1/me/notification-preferences').set(as('u1'));
    assert.equal(res.status, 200);
    assert.equal(res.body.kinds.reply, 'immediately');
    assert.equal(res.body.kinds.newDiscussion, 'daily');
    assert.equal(res.body.channel, 'chat');
    assert.equal(res.body.timeZone, 'Europe/Amsterdam');
    assert.deepEqual(res.body.mutes, []);
  });

  it('changes kinds, groups, channel and digest time for the actor only', async () => {
    const res = await request(app)
      .patch('/api/v1/me/notification-preferences')
      .set(as('u1'))
      .send({ kinds: { reply: 'daily' }, groups: { events: 'weekly' }, channel: 'activityFeed', timeZone: 'Europe/London', digestHour: 17 });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.kinds.reply, 'daily');
    assert.equal(res.body.kinds.reminder, 'weekly');
    assert.equal(res.body.channel, 'activityFeed');
    assert.equal(res.body.digestHour, 17);
    const other = await request(app).get('/api/v1/me/notification-preferences').set(as('u2'));
    assert.equal(other.body.kinds.reply, 'immediately');
  });

  it('refuses unknown kinds, cadences, fields and time zones with problem+json', async () => {
    for (const body of [{ kinds: { everything: 'off' } }, { kinds: { reply: 'hourly' } }, { colour: 'red' }, { timeZone: 'Mars/Olympus' }, { digestHour: 24 }]) {
      const res = await request(app).patch('/api/v1/me/notification-preferences').set(as('u1')).send(body);
      assert.equal(res.status, 400, JSON.stringify(body));
      assert.match(res.headers['content-type'] ?? '', /application\/problem\+json/);
    }
  });

  it('mutes and unmutes a community, twice harmlessly', async () => {
    const id = new mongoose.Types.ObjectId().toHexString();
    assert.equal((await request(app).put(`/api/v1/me/notification-mutes/community/${id}`).set(as('u1')).send({ title: 'Droogte' })).status, 204);
    assert.equal((await request(app).put(`/api/v1/me/notification-mutes/community/${id}`).set(as('u1')).send({ title: 'Droogte' })).status, 204);
    const listed = await request(app).get('/api/v1/me/notification-preferences').set(as('u1'));
    assert.deepEqual(listed.body.mutes.map((m: { targetId: string; title: string }) => [m.targetId, m.title]), [[id, 'Droogte']]);
    assert.equal((await request(app).delete(`/api/v1/me/notification-mutes/community/${id}`).set(as('u1'))).status, 204);
    assert.deepEqual((await request(app).get('/api/v1/me/notification-preferences').set(as('u1'))).body.mutes, []);
    assert.equal((await request(app).put(`/api/v1/me/notification-mutes/everything/${id}`).set(as('u1')).send({})).status, 400);
  });

  it('refuses a mute title the store cannot keep (U+0000, a lone surrogate) with a 400 problem, and mutes nothing', async () => {
    const id = new mongoose.Types.ObjectId().toHexString();
    for (const title of ['Droogte\u0000', 'half an emoji \uD83D']) {
      const res = await request(app).put(`/api/v1/me/notification-mutes/community/${id}`).set(as('u1')).send({ title });
      assert.equal(res.status, 400, res.text);
      assert.match(res.headers['content-type'] ?? '', /application\/problem\+json/);
      assert.equal(res.body.errors[0].path, 'body.title');
    }
    assert.equal(await mongoose.connection.collection('notification_mutes').countDocuments(), 0);
  });

  describe('dead letters', () => {
    async function failed(tenantId = TEST_TENANT_ID) {
      const n = await NotificationModel.create({ tenantId, recipientId: 'r', kind: 'reply', subject: { type: 'discussion', id: 'd' }, idempotencyKey: `k:${new mongoose.Types.ObjectId().toHexString()}`, status: 'failed', attempts: 5, lastError: 'transient 503' });
      await DeliveryModel.create({ key: `n:${String(n._id)}`, tenantId, recipientId: 'r', notificationIds: [n._id], state: 'failed', owner: 'w', leaseUntil: new Date() });
      await NotificationModel.updateOne({ _id: n._id }, { $set: { deliveryKey: `n:${String(n._id)}` } });
      return n;
    }

    it('are listed for organisation admins of the tenant only', async () => {
      const mine = await failed();
      await failed('another-tenant');
      const forbidden = await request(app).get('/api/v1/admin/notifications/failed').set(as('u1'));
      assert.equal(forbidden.status, 403);
      const res = await request(app).get('/api/v1/admin/notifications/failed').set(as('admin', { isOrgAdmin: true }));
      assert.equal(res.status, 200);
      assert.deepEqual(res.body.items.map((i: { id: string }) => i.id), [String(mine._id)]);
      assert.equal(res.body.items[0].attempts, 5);
      assert.equal(res.body.items[0].lastError, 'transient 503');
    });

    it('can be sent again: back in the outbox, with a fresh count and no failed delivery record', async () => {
      const n = await failed();
      const res = await request(app).post(`/api/v1/admin/notifications/${String(n._id)}/retry`).set(as('admin', { isOrgAdmin: true }));
      assert.equal(res.status, 200, res.text);
      const stored = await NotificationModel.findById(n._id).lean();
      assert.equal(stored?.status, 'pending');
      assert.equal(stored?.attempts, 0);
      assert.equal(await DeliveryModel.countDocuments({ key: `n:${String(n._id)}` }), 0);
      assert.equal((await request(app).post(`/api/v1/admin/notifications/${String(n._id)}/retry`).set(as('admin', { isOrgAdmin: true }))).status, 404);
      assert.equal((await request(app).post(`/api/v1/admin/notifications/${String(n._id)}/retry`).set(as('u1'))).status, 403);
    });
  });
});
