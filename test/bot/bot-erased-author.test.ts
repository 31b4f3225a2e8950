/**
 * The bot's discussion card after an author was erased: through the bot's own port over the
 * real services, the erased author of the discussion and of a reply shows as "Former member"
 * in an English card and "Voormalig lid" in a Dutch one (the API's name is in the
 * organisation's language only).
 */
import assert from 'node:assert/strict';
import { discussionView } from '../../bot/card-views.js';
import { ServiceDiscussionsPort } from '../../bot/discussions-port.js';
import { tabLinks } from '../../bot/ports.js';
import { NotificationCards } from '../../bot/notification-cards.js';
import { textsFor } from '../../bot/texts.js';
import type { CommunitiesModule } from '../../src/composition.js';
import { NotificationModel, type NotificationRecord } from '../../src/notifications/notification.model.js';
import { NotificationPreferences } from '../../src/notifications/notification-preferences.js';
import { markdownTexts } from '../support/adaptive-cards.js';
import { useTestDatabase } from '../support/database.js';
import { TEST_HOME_TENANT } from '../support/identity-app.js';
import { actorOf, ok, person, usePrivacyRig } from '../privacy/privacy-fixtures.js';

describe('bot cards name an erased author in the card\'s language', function () {
  this.timeout(120_000);
  useTestDatabase('bot_erased_author');
  const rig = usePrivacyRig();

  it('English "Former member", Dutch "Voormalig lid", for the discussion and a reply', async () => {
    const manager = person('Mirjam Manager');
    const subject = person('Erik Erased');
    const communityId = ok(await rig.api(manager, 'post', '/communities', { name: 'Grondwater', visibility: 'public' }), 201).body.id as string;
    ok(await rig.api(subject, 'post', `/communities/${communityId}/members`, {}), 201);
    const discussionId = ok(await rig.api(subject, 'post', `/communities/${communityId}/discussions`, { title: 'Peilbuizen', body: 'Wie leest ze af?' }), 201).body.id as string;
    ok(await rig.api(subject, 'post', `/discussions/${discussionId}/replies`, { body: 'Aanvulling: ook in de winter.' }), 201);
    ok(await rig.api(manager, 'post', `/discussions/${discussionId}/replies`, { body: 'De gemeente.' }), 201);
    // The manager is told of the subject's reply to the manager's own discussion.
    const managersId = ok(await rig.api(manager, 'post', `/communities/${communityId}/discussions`, { title: 'Maaibeleid', body: 'Wanneer maaien we?' }), 201).body.id as string;
    ok(await rig.api(subject, 'post', `/discussions/${managersId}/replies`, { body: 'In juni.' }), 201);
    assert.deepEqual(await rig.application.privacy.erasure.erase(TEST_HOME_TENANT, subject.oid, { by: 'self' }), { status: 'erased' });

    const services = rig.application.modules.find((m): m is CommunitiesModule => 'services' in m && 'discussions' in (m as CommunitiesModule).services)!.services;
    const summary = await new ServiceDiscussionsPort(services).get(actorOf(manager), discussionId);
    assert.equal(summary.authorErased, true);
    for (const [language, former, other] of [['en', 'Former member', 'Voormalig lid'], ['nl', 'Voormalig lid', 'Former member']] as const) {
      const shown = markdownTexts(discussionView({ t: textsFor(language), language, links: tabLinks('https://meent.example') }, summary)).join('\n');
      assert.ok(shown.includes(`${former} · `), `${language} byline: ${shown}`);
      assert.ok(shown.includes(`**${former}**: Aanvulling`), `${language} reply: ${shown}`);
      assert.ok(shown.includes(`**${manager.name}**: De gemeente.`), `${language} another author: ${shown}`);
      assert.ok(!shown.includes(other) && !shown.includes(subject.name), `${language}: ${shown}`);
    }

    // The manager's notification of the erased person's reply: the actor too, in the reader's language.
    const told = await NotificationModel.findOne({ recipientId: manager.oid, kind: 'reply' }).lean<NotificationRecord>();
    assert.ok(told, 'the manager was told of the reply');
    assert.equal((told.data as Record<string, unknown>).actorErased, true);
    for (const [language, former, other] of [['en', 'Former member', 'Voormalig lid'], ['nl', 'Voormalig lid', 'Former member']] as const) {
      const card = new NotificationCards(tabLinks('https://meent.example')).message(told, { ...new NotificationPreferences().defaults(), locale: language }).attachments?.[0];
      const shown = markdownTexts(card).join('\n');
      assert.ok(shown.includes(former) && !shown.includes(other) && !shown.includes(subject.name), `${language} notification: ${shown}`);
    }
  });
});
