/**
 * The channel post that announces a community event offers the sign-up button only when the
 * events service's sign-up window rule does (the allocator refuses an invite-only event's
 * self sign-up, so its card has no button).
 */
import assert from 'node:assert/strict';
import { NotificationCards } from '../../bot/notification-cards.js';
import { tabLinks } from '../../bot/ports.js';
import type { Actor } from '../../src/auth/actor.js';
import { NotificationModel, type NotificationRecord } from '../../src/notifications/notification.model.js';
import { useTestDatabase } from '../support/database.js';
import { clearEvents, community, eventInput, person, PUBLIC_URL, services, syncEventIndexes, testClock } from '../events/events-fixtures.js';

describe('the event announcement card', () => {
  useTestDatabase('announcement_card');
  let manager: Actor;
  let communityId: string;

  before(async () => {
    await syncEventIndexes();
    await clearEvents();
    manager = await person('manager', { name: 'Mark Manager' });
    communityId = await community('Droogte', 'public', [{ userId: 'manager', role: 'manager' }]);
  });

  async function announcementCard(signupMethod: 'open' | 'invite'): Promise<string> {
    const clock = testClock();
    const event = await services(clock).events.create(manager, eventInput(clock, { signupMethod, title: `Sessie ${signupMethod}` }), communityId);
    const announced = await NotificationModel.findOne({ kind: 'eventAnnounced', 'subject.id': event.id }).lean<NotificationRecord>();
    assert.ok(announced, 'the event was announced');
    return JSON.stringify(new NotificationCards(tabLinks(PUBLIC_URL)).channelPost(announced).attachments?.[0]);
  }

  it('has no sign-up button for an invite-only event', async () => {
    assert.ok(!(await announcementCard('invite')).includes('"event.signUp"'));
  });

  it('has the sign-up button for an open event', async () => {
    assert.ok((await announcementCard('open')).includes('"event.signUp"'));
  });
});
