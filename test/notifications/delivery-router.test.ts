import assert from 'node:assert/strict';
import mongoose from 'mongoose';
import { digestKeyOf, isChannelPost, sendKeyOf } from '../../src/notifications/delivery-keys.js';
import { routeNotification } from '../../src/notifications/delivery-router.js';
import { deliveryKeyOf, type NotificationRecord } from '../../src/notifications/notification.model.js';
import { NotificationPreferences, type EffectivePreferences } from '../../src/notifications/notification-preferences.js';

const NOW = new Date('2030-03-04T10:00:00Z');

function notification(kind: string, data: Record<string, unknown> = {}): NotificationRecord {
  return { _id: new mongoose.Types.ObjectId(), tenantId: 't', recipientId: 'p', kind, subject: { type: 'discussion', id: 'd1' }, data, status: 'pending' } as unknown as NotificationRecord;
}

function prefs(change: (p: EffectivePreferences) => void = () => undefined): EffectivePreferences {
  const p = new NotificationPreferences().defaults();
  change(p);
  return p;
}

describe('the delivery router', () => {
  it('posts an announced event to its community channel, whatever the recipient prefers', () => {
    const n = notification('eventAnnounced');
    assert.deepEqual(routeNotification(n, prefs((p) => (p.channel = 'activityFeed')), undefined, NOW), { send: 'channel', key: `c:${String(n._id)}` });
  });

  it('sends a personal notification on the recipient’s channel, skips it when off, holds it for a digest', () => {
    const n = notification('reply');
    assert.deepEqual(routeNotification(n, prefs((p) => (p.channel = 'activityFeed')), undefined, NOW), { send: 'activityFeed', key: `n:${String(n._id)}` });
    assert.deepEqual(routeNotification(n, prefs((p) => (p.kinds.reply = 'off')), undefined, NOW), { skip: 'off' });
    const held = routeNotification(n, prefs((p) => (p.kinds.reply = 'daily')), undefined, NOW);
    assert.ok('hold' in held && held.hold.dueAt.getTime() > NOW.getTime());
  });

  it('skips a muted notification, but never one of a kind that cannot be muted', () => {
    const muted = new Set(['discussion:d1', 'community:c1']);
    assert.deepEqual(routeNotification(notification('reply'), prefs(), muted, NOW), { skip: 'muted' });
    assert.ok('send' in routeNotification(notification('reply'), prefs(), new Set(['discussion:other']), NOW), 'another discussion muted');
    const changed = notification('eventChanged', { communityId: 'c1' });
    assert.deepEqual(routeNotification(changed, prefs(), muted, NOW), { send: 'chat', key: `n:${String(changed._id)}` }, 'an event change reaches its registrants even when muted');
  });

  it('builds every delivery key in one place', () => {
    const n = notification('reply');
    const post = notification('eventAnnounced');
    assert.equal(isChannelPost('eventAnnounced'), true);
    assert.equal(sendKeyOf(n), `n:${String(n._id)}`);
    assert.equal(sendKeyOf(post), `c:${String(post._id)}`);
    assert.equal(deliveryKeyOf(post), sendKeyOf(post));
    assert.equal(deliveryKeyOf({ ...n, deliveryKey: 'd:t:p:2030-03-04' }), 'd:t:p:2030-03-04');
    assert.equal(digestKeyOf('t', 'p', '2030-03-04'), 'd:t:p:2030-03-04');
  });
});
