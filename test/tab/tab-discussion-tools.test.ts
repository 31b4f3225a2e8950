/**
 * The discussion tools in the Teams host, signed in for real: a manager pins a discussion and
 * closes it with a conclusion (a refused conclusion keeps its text), and a member then sees
 * the conclusion at the top of the thread and in the discussion's entry in her home feed; a
 * member edits her reply (the "edited" marker opens the history with the earlier text) and
 * deletes it; the accepted answer of a question stands at the top. axe finds nothing in the
 * three themes, and the tools speak Dutch to a Dutch reader.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { DiscussionModel } from '../../src/discussions/discussion.model.js';
import { ReplyModel } from '../../src/discussions/reply.model.js';
import type { TeamsHost } from '../support/teams-host.js';
import { actorOf, ANOUK, BRAM, CHANTAL, seedCommunity, seedPerson, useEntraTabRig, type RigModules } from './entra-tab-rig.js';
import { expectNoViolationsInAnyTheme } from './tab-fixtures.js';

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const seeded = { community: '', talk: '', question: '', answer: '', myReply: '' };

async function seed(modules: RigModules): Promise<void> {
  for (const p of [ANOUK, BRAM, CHANTAL]) await seedPerson(p);
  seeded.community = await seedCommunity(modules, {
    name: 'Bodem en water',
    visibility: 'public',
    members: [
      { person: CHANTAL, role: 'manager' },
      { person: ANOUK, role: 'member' },
      { person: BRAM, role: 'member' },
    ],
  });
  const { discussions, replies } = modules.communities.services;
  seeded.talk = (await discussions.create(actorOf(BRAM), seeded.community, { kind: 'discussion', title: 'Ervaringen met natte zomers', body: 'Hoe gingen jullie om met de natte zomer?' })).id;
  const question = await discussions.create(actorOf(BRAM), seeded.community, { kind: 'question', title: 'Welke pomp voor peilgestuurde drainage?', body: 'Wie heeft een aanrader?' });
  seeded.question = question.id;
  seeded.answer = (await replies.create(actorOf(ANOUK), question.id, { body: 'Wij gebruiken een zonnepomp.' })).id;
  await discussions.acceptAnswer(actorOf(BRAM), question.id, seeded.answer);
  seeded.myReply = (await replies.create(actorOf(ANOUK), seeded.talk, { body: 'Wij hebben de stuwen eerder opgezet.' })).id;
}

describe('tab: closing, pinning and changing replies', function () {
  this.timeout(240_000);
  const rig = useEntraTabRig({ seed });
  let host: TeamsHost | undefined;
  afterEach(async () => {
    await host?.close();
    host = undefined;
  });

  it('a manager pins and closes with a conclusion; a member sees it at the top of the thread and in her feed', async () => {
    let tab;
    ({ host, tab } = await rig.openTab(CHANTAL, { hash: `#/discussion/${seeded.talk}` }));
    await tab.getByRole('heading', { level: 1, name: 'Ervaringen met natte zomers' }).waitFor();
    await tab.getByTestId('pin-discussion').click();
    await tab.getByTestId('pin-discussion').getByText('Unpin').waitFor();
    assert.equal((await DiscussionModel.findById(seeded.talk).lean())?.pinned, true, 'pinned on the server');

    // A conclusion over the limit is refused: the dialog stays, the text is kept.
    await tab.getByTestId('close-discussion').click();
    const tooLong = 'x'.repeat(20_001);
    await tab.getByTestId('conclusion-input').fill(tooLong.slice(0, 20_000));
    await tab.getByTestId('conclusion-input').evaluate((el, v) => {
      // maxLength stops typing; the server's own limit is what this checks.
      (el as HTMLTextAreaElement).removeAttribute('maxlength');
      const setter = Object.getOwnPropertyDescriptor(HTMLTextAreaElement.prototype, 'value')?.set;
      setter?.call(el, v);
      el.dispatchEvent(new Event('input', { bubbles: true }));
    }, tooLong);
    await tab.getByTestId('confirm-close').click();
    await tab.getByText('At most 20,000 characters.').waitFor();
    assert.equal((await tab.getByTestId('conclusion-input').inputValue()).length, 20_001, 'the text is kept');
    assert.equal((await DiscussionModel.findById(seeded.talk).lean())?.status, 'open', 'nothing changed');

    await tab.getByTestId('conclusion-input').fill('We zetten de stuwen **voortaan** in mei op.');
    await expectNoViolationsInAnyTheme(host, tab, axeSource, 'the close dialog');
    await tab.getByTestId('confirm-close').click();
    await tab.getByTestId('conclusion').waitFor();
    assert.match(await tab.getByTestId('conclusion-body').innerHTML(), /<strong>voortaan<\/strong>/);
    await tab.getByTestId('reopen-discussion').waitFor();
    // The dialog hides the page from assistive technology until it has gone.
    await tab.getByRole('dialog').waitFor({ state: 'detached' });
    assert.equal(await tab.getByTestId('composer').count(), 0, 'no replies to a closed discussion');
    await expectNoViolationsInAnyTheme(host, tab, axeSource, 'a closed discussion');
    await host.close();

    ({ host, tab } = await rig.openTab(ANOUK));
    const entry = tab.getByTestId('feed-list').locator('li', { hasText: 'Ervaringen met natte zomers' });
    await entry.waitFor();
    assert.match(await entry.getByTestId('feed-conclusion').innerText(), /Conclusion: We zetten de stuwen voortaan in mei op\./);
    await entry.getByRole('link', { name: 'Ervaringen met natte zomers' }).click();
    await tab.getByTestId('conclusion').waitFor();
    assert.match(await tab.getByTestId('conclusion').innerText(), /Conclusion[\s\S]*voortaan in mei/);
    assert.equal(await tab.getByTestId('close-discussion').count(), 0, 'a plain member cannot close it');
    assert.equal(await tab.getByTestId('reopen-discussion').count(), 0);
    assert.equal(await tab.getByTestId('pin-discussion').count(), 0);
  });

  it('a member edits her reply, reads the history behind "edited", and deletes it; the accepted answer stands at the top', async () => {
    let tab;
    ({ host, tab } = await rig.openTab(ANOUK, { hash: `#/discussion/${seeded.question}` }));
    await tab.getByTestId('accepted-answer').waitFor();
    await tab.getByTestId('accepted-answer-body').waitFor();
    assert.match(await tab.getByTestId('accepted-answer').innerText(), /Accepted answer[\s\S]*Answered by Anouk de Vries[\s\S]*zonnepomp/);
    await expectNoViolationsInAnyTheme(host, tab, axeSource, 'a question with its accepted answer');
    await host.close();

    // A closed discussion takes no edits; this one is reopened for the member's part.
    await rig.modules.communities.services.discussions.update(actorOf(CHANTAL), seeded.talk, { status: 'open' });
    ({ host, tab } = await rig.openTab(ANOUK, { hash: `#/discussion/${seeded.talk}` }));
    const mine = tab.locator(`#reply-${seeded.myReply}`);
    await mine.waitFor();
    assert.equal(await mine.getByTestId('edited-marker').count(), 0);
    await mine.getByTestId('edit-reply').click();
    await mine.getByTestId('reply-edit-body').fill('Wij hebben de stuwen al in april opgezet.');
    await expectNoViolationsInAnyTheme(host, tab, axeSource, 'editing a reply');
    await mine.getByTestId('save-reply').click();
    await mine.getByTestId('reply-editor').waitFor({ state: 'detached', timeout: 10_000 }).catch(async (err: unknown) => {
      throw new Error(`the editor stayed open: ${await mine.innerText()}`, { cause: err });
    });
    await mine.getByText('Wij hebben de stuwen al in april opgezet.').waitFor();
    const stored = await ReplyModel.findById(seeded.myReply).lean();
    assert.equal(stored?.body?.source, 'Wij hebben de stuwen al in april opgezet.');

    await mine.getByTestId('edited-marker').click();
    const history = tab.getByTestId('reply-history');
    await history.waitFor();
    assert.match(await history.innerText(), /Now[\s\S]*al in april[\s\S]*Until[\s\S]*Wij hebben de stuwen eerder opgezet\./);
    await expectNoViolationsInAnyTheme(host, tab, axeSource, 'the edit history');
    await tab.getByRole('button', { name: 'Close' }).click();
    await history.waitFor({ state: 'detached' });

    await mine.getByTestId('delete-reply').click();
    await tab.getByTestId('confirm-delete-reply').click();
    await mine.getByText('This reply was removed.').waitFor();
    assert.equal((await ReplyModel.findById(seeded.myReply).lean())?.removed, true);
    assert.equal(await mine.getByTestId('edit-reply').count(), 0);
  });

  it('speaks Dutch to a Dutch reader', async () => {
    let tab;
    ({ host, tab } = await rig.openTab(CHANTAL, { hash: `#/discussion/${seeded.question}`, context: { locale: 'nl-nl' } }));
    await tab.getByTestId('close-discussion').getByText('Sluiten met een conclusie').waitFor();
    await tab.getByTestId('pin-discussion').getByText('Vastzetten').waitFor();
    await tab.getByTestId('accepted-answer').getByText('Geaccepteerd antwoord').waitFor();
    await expectNoViolationsInAnyTheme(host, tab, axeSource, 'the tools in Dutch');
  });
});
