import assert from 'node:assert/strict';
import { nextDigestSlot } from '../../src/notifications/digest-schedule.js';

describe('digest schedule', () => {
  const zone = 'Europe/Amsterdam';

  it('daily: the next digest hour, today when it is still ahead, else tomorrow', () => {
    assert.deepEqual(nextDigestSlot('daily', new Date('2025-03-04T06:30:00Z'), zone, 8), { cadence: 'daily', period: 'daily:2025-03-04', dueAt: new Date('2025-03-04T07:00:00Z') });
    assert.equal(nextDigestSlot('daily', new Date('2025-03-04T07:00:00Z'), zone, 8).period, 'daily:2025-03-05', 'exactly at the hour: that digest is going out, so the next one');
  });

  it('follows daylight saving time (08:00 local is 07:00 UTC in winter, 06:00 UTC in summer)', () => {
    const slot = nextDigestSlot('daily', new Date('2025-03-29T12:00:00Z'), zone, 8);
    assert.equal(slot.period, 'daily:2025-03-30');
    assert.equal(slot.dueAt.toISOString(), '2025-03-30T06:00:00.000Z');
  });

  it('weekly: Monday at the digest hour', () => {
    const slot = nextDigestSlot('weekly', new Date('2025-03-05T10:00:00Z'), zone, 8); // a Wednesday
    assert.equal(slot.period, 'weekly:2025-03-10');
    assert.equal(slot.dueAt.toISOString(), '2025-03-10T07:00:00.000Z');
    assert.equal(nextDigestSlot('weekly', new Date('2025-03-10T06:59:00Z'), zone, 8).period, 'weekly:2025-03-10');
    assert.equal(nextDigestSlot('weekly', new Date('2025-03-10T07:00:00Z'), zone, 8).period, 'weekly:2025-03-17');
  });

  it('uses the person\'s own zone and hour', () => {
    const slot = nextDigestSlot('daily', new Date('2025-07-01T20:00:00Z'), 'America/New_York', 18);
    assert.equal(slot.period, 'daily:2025-07-01');
    assert.equal(slot.dueAt.toISOString(), '2025-07-01T22:00:00.000Z');
  });
});
