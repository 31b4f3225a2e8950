import assert from 'node:assert/strict';
import type { Actor } from '../../src/auth/actor.js';
import { EventModel } from '../../src/events/event.model.js';
import type { EventsServices } from '../../src/events/events.module.js';
import { NotificationModel } from '../../src/notifications/notification.model.js';
import { useTestDatabase } from '../support/database.js';
import { clearEvents, DAY, eventInput, person, services, syncEventIndexes, testClock, type TestClock } from './events-fixtures.js';

const HOUR = 3_600_000;
const MINUTE = 60_000;

describe('event reminders', () => {
  useTestDatabase('event_reminders');
  let clock: TestClock;
  let s: EventsServices;
  let admin: Actor;
  let a: Actor;
  let b: Actor;

  before(async () => {
    await syncEventIndexes();
    admin = await person('admin', { isOrgAdmin: true });
    a = await person('a');
    b = await person('b');
  });
  beforeEach(async () => {
    await clearEvents();
    clock = testClock();
    s = services(clock);
  });

  async function reminders(): Promise<[string, number, string, string][]> {
    const rows = await NotificationModel.find({ kind: 'reminder' }).sort({ recipientId: 1, 'data.minutesBefore': -1 }).lean();
    return rows.map((n) => [n.recipientId, Number(n.data.minutesBefore), String(n.data.startsAt), n.status]);
  }

  /** An event starting `hours` from now with `a` and `b` registered. */
  async function eventIn(hours: number, overrides = {}) {
    const start = new Date(clock.now().getTime() + hours * HOUR);
    const event = await s.events.create(admin, eventInput(clock, { start, end: new Date(start.getTime() + HOUR), ...overrides }));
    await s.signups.signUp(a, event.id);
    await s.signups.signUp(b, event.id);
    await s.allocator.idle();
    return event;
  }

  it('writes the 24-hour and the 1-hour reminder once each, to everyone registered', async () => {
    const event = await eventIn(30);
    assert.deepEqual((await s.reminders.run()).intents, 0, 'nothing due 30 hours ahead');
    clock.advance(6 * HOUR + MINUTE);
    assert.equal((await s.reminders.run()).intents, 2);
    assert.equal((await s.reminders.run()).intents, 0, 'a second pass writes nothing new');
    clock.advance(23 * HOUR);
    await s.reminders.run();
    assert.deepEqual(await reminders(), [
      ['a', 1440, event.start, 'pending'],
      ['a', 60, event.start, 'pending'],
      ['b', 1440, event.start, 'pending'],
      ['b', 60, event.start, 'pending'],
    ]);
  });

  it('sends only the nearest reminder when several are due at once, and respects the event\'s own offsets', async () => {
    await eventIn(0.5);
    await eventIn(3, { reminderMinutes: [180, 30] });
    await s.reminders.run();
    const rows = await reminders();
    assert.deepEqual(rows.map((r) => r[1]).sort(), [180, 180, 60, 60].sort(), 'the 24-hour one is stale half an hour before; 180 is this event\'s own');
  });

  it('never sends a stale reminder for a rescheduled event: waiting ones are withdrawn, new ones follow the new time', async () => {
    const event = await eventIn(23);
    await s.reminders.run();
    assert.equal((await reminders()).length, 2);
    const later = new Date(new Date(event.start).getTime() + 2 * DAY);
    await s.events.update(admin, event.id, { start: later, end: new Date(later.getTime() + HOUR) });
    assert.deepEqual((await reminders()).map((r) => r[3]), ['skipped', 'skipped'], 'the reminders for the old time are withdrawn');
    clock.advance(22 * HOUR + 30 * MINUTE);
    assert.equal((await s.reminders.run()).intents, 0, 'nothing at the old 1-hour mark');
    clock.advance(25 * HOUR);
    assert.equal((await s.reminders.run()).intents, 2, 'the new 24-hour mark');
    const fresh = (await reminders()).filter((r) => r[3] === 'pending');
    assert.deepEqual(fresh.map((r) => [r[1], r[2]]), [[1440, later.toISOString()], [1440, later.toISOString()]]);
  });

  it('sends nothing for a cancelled event and withdraws what was waiting', async () => {
    const event = await eventIn(20);
    await s.reminders.run();
    await s.events.cancel(admin, event.id);
    assert.deepEqual((await reminders()).map((r) => r[3]), ['skipped', 'skipped']);
    clock.advance(19 * HOUR + 30 * MINUTE);
    assert.equal((await s.reminders.run()).intents, 0);
  });

  it('marks events that have ended as completed', async () => {
    const event = await eventIn(2);
    clock.advance(4 * HOUR);
    assert.equal(await s.reminders.completePast(), 1);
    assert.equal((await EventModel.findById(event.id).lean())?.status, 'completed');
  });
});
