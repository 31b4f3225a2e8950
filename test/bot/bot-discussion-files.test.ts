/**
 * The bot's discussion card over the real services with files (issue 21): the port hands the
 * discussion's files and those of the replies it shows to the card, a file that vanished
 * without its address, so the card offers "Open" only where the file still opens.
 */
import assert from 'node:assert/strict';
import { discussionView } from '../../bot/card-views.js';
import { ServiceDiscussionsPort } from '../../bot/discussions-port.js';
import { NotificationCards } from '../../bot/notification-cards.js';
import { NotificationModel } from '../../src/notifications/notification.model.js';
import { NotificationPreferences } from '../../src/notifications/notification-preferences.js';
import { notificationsPersonalData } from '../../src/notifications/notifications-personal-data.js';
import { tabLinks } from '../../bot/ports.js';
import { textsFor } from '../../bot/texts.js';
import type { Actor } from '../../src/auth/actor.js';
import { assertValidCard, markdownTexts } from '../support/adaptive-cards.js';
import { useTestDatabase } from '../support/database.js';
import { buildAttachmentsWorld, type AttachmentsWorld } from '../attachments/attachments-world.js';
import { community, person } from '../communities/communities-fixtures.js';

describe('bot: files on the discussion card (real services, local drives)', function () {
  this.timeout(60_000);
  useTestDatabase('botfiles');
  let world: AttachmentsWorld;
  before(() => {
    world = buildAttachmentsWorld();
  });
  after(() => world.dispose());

  function ownFile(owner: Actor, name: string) {
    const item = world.store.addFile(world.store.oneDriveOf(owner.userId).id, '', name, Buffer.alloc(48_000, 1), owner.userId);
    return { driveId: item.driveId, itemId: item.id };
  }

  it("lists the discussion's files and the shown replies' files, with 'Open' only for those still there", async () => {
    const author = await person({ userId: 'bf-author', name: 'Bram Jansen' });
    const member = await person({ userId: 'bf-member', name: 'Anouk de Vries' });
    const c = await community(world, author, { visibility: 'closed', members: [member] });
    const { discussions, replies } = world.module.services;
    const note = ownFile(author, 'Conceptnotitie.docx');
    const d = await discussions.create(author, c.id, { kind: 'discussion', title: 'Conceptnotitie', body: 'Zie bijlage.', attachments: [note] });
    const answer = ownFile(member, 'Reactie waterschap.docx');
    await replies.create(member, d.id, { body: 'Onze reactie.', attachments: [answer] });
    world.store.deleteItem(answer.driveId, answer.itemId);
    await world.attachments.markUnavailable(answer);

    const port = new ServiceDiscussionsPort({ communities: world.module.services.communities, discussions, replies });
    const summary = await port.get(member, d.id);
    assert.deepEqual(
      summary.files?.map((f) => [f.name, f.url === null ? null : typeof f.url]),
      [
        ['Conceptnotitie.docx', 'string'],
        ['Reactie waterschap.docx', null],
      ],
    );

    const card = discussionView({ t: textsFor('en'), language: 'en', links: tabLinks('https://meent.example') }, summary);
    assertValidCard(card, 'discussion with files');
    const opens = JSON.stringify(card).match(/"Action\.OpenUrl","title":"Open","tooltip":"Open [^"]+"/g) ?? [];
    assert.deepEqual(opens, ['"Action.OpenUrl","title":"Open","tooltip":"Open Conceptnotitie.docx"'], 'one "Open", for the file that is still there');
    assert.ok(markdownTexts(card).includes('No longer available'));
  });

  it("a reply's notification carries its first files (name, size, link) and how many there are; the card lists them", async () => {
    const author = await person({ userId: 'bn-author', name: 'Bram Jansen' });
    const member = await person({ userId: 'bn-member', name: 'Anouk de Vries' });
    const c = await community(world, author, { visibility: 'closed', members: [member] });
    const { discussions, replies } = world.module.services;
    const d = await discussions.create(author, c.id, { kind: 'discussion', title: 'Veldbezoek', body: 'Wie heeft foto’s?' });
    const files = ['Kaart [concept].pdf', 'Foto 1.jpg', 'Foto 2.jpg', 'Foto 3.jpg'].map((name) => ownFile(member, name));
    const plain = await replies.create(member, d.id, { body: 'Zonder bijlage.' });
    const reply = await replies.create(member, d.id, { body: 'De foto’s.', attachments: files });

    const bare = await NotificationModel.findOne({ kind: 'reply', recipientId: author.userId, 'subject.id': plain.id }).lean();
    assert.ok(bare);
    assert.equal('files' in (bare.data ?? {}), false, 'no file keys without files');
    const record = await NotificationModel.findOne({ kind: 'reply', recipientId: author.userId, 'subject.id': reply.id }).lean();
    assert.ok(record);
    const data = record.data as { files: { name: string; size: number; url: string | null }[]; fileCount: number };
    assert.equal(data.fileCount, 4);
    assert.deepEqual(data.files.map((f) => [f.name, f.size, typeof f.url]), [
      ['Kaart [concept].pdf', 48_000, 'string'],
      ['Foto 1.jpg', 48_000, 'string'],
      ['Foto 2.jpg', 48_000, 'string'],
    ]);
    assert.deepEqual(Object.keys(data.files[0]!).sort(), ['name', 'size', 'url'], 'the least the card needs: no drive ids, no author, no thumbnails');

    const card = new NotificationCards(tabLinks('https://meent.example')).message(record as never, { ...new NotificationPreferences().defaults(), locale: 'en' }).attachments?.[0];
    assertValidCard(card, 'reply notification with files');
    const texts = markdownTexts(card);
    assert.match(JSON.stringify(card), /Anouk de Vries replied to \\"Veldbezoek\\"/, `the card names the discussion the services stored: ${JSON.stringify(card).match(/.{40}replied to.{20}/)?.[0]}`);
    assert.ok(texts.includes('Kaart \\[concept\\].pdf'), 'a file name is escaped as what people wrote');
    const opens = JSON.stringify(card).match(/"tooltip":"Open [^"]+"/g) ?? [];
    assert.equal(opens.length, 3);
    assert.ok(texts.includes('and 1 more file'), JSON.stringify(texts));

    // The recipient's export has them with the notification; erasing the replier takes their files off others' cards.
    const contributor = notificationsPersonalData();
    const subjectOf = (p: Actor) => ({ tenantId: p.tenantId, userId: p.userId, names: [p.name], emails: [], pseudonym: `pseudonym:${p.userId}` });
    const exported: unknown[] = [];
    for (const file of contributor.files.filter((f) => f.name === 'notifications.json')) for await (const r of file.records(subjectOf(author))) exported.push(r);
    assert.ok(JSON.stringify(exported).includes('Kaart [concept].pdf'));
    await contributor.erase(subjectOf(member), { keepText: true });
    const after = await NotificationModel.findById(record._id).lean();
    assert.equal(after?.data?.files, undefined);
    assert.equal(after?.data?.fileCount, undefined);
    assert.equal(after?.data?.actorErased, true);
  });
});
