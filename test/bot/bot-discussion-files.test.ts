/**
 * The bot's discussion card over the real services with files (issue 21): the port hands the
 * discussion's files and those of the replies it shows to the card, a file that vanished
 * without its address, so the card offers "Open" only where the file still opens.
 */
import assert from 'node:assert/strict';
import { discussionView } from '../../bot/card-views.js';
import { ServiceDiscussionsPort } from '../../bot/discussions-port.js';
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
});
