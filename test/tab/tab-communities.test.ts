/**
 * Communities and discussions in the tab, end to end against the real API with real SSO
 * tokens: a guest cannot find a secret community (not in the list, not in search, not by
 * its address); asking to join and a manager approving; a reply with an @mention (the person
 * is notified); replying and accepting an answer with the keyboard alone; reactions and
 * following shown at once and put back when the server refuses; a failed reply keeps its text;
 * "who knows about" finds a person by the expertise on their profile.
 */
import assert from 'node:assert/strict';
import type { Frame } from 'playwright-core';
import { MembershipModel } from '../../src/communities/membership.model.js';
import { DiscussionModel } from '../../src/discussions/discussion.model.js';
import { FollowModel } from '../../src/discussions/follow.model.js';
import { ReactionModel } from '../../src/discussions/reaction.model.js';
import { ReplyModel } from '../../src/discussions/reply.model.js';
import { NotificationModel } from '../../src/notifications/notification.model.js';
import type { TeamsHost } from '../support/teams-host.js';
import { actorOf, ANOUK, BRAM, CHANTAL, DIRK, GITA, seedCommunity, seedPerson, useEntraTabRig, type RigModules } from './entra-tab-rig.js';

const seeded = { open: '', secret: '', closed: '', question: '', answerByAnouk: '', talk: '' };

async function seed(modules: RigModules): Promise<void> {
  for (const p of [ANOUK, BRAM, CHANTAL, DIRK, GITA]) await seedPerson(p);
  seeded.open = await seedCommunity(modules, {
    name: 'Bodem en water',
    visibility: 'public',
    guestsAllowed: true,
    description: 'Kennis delen over bodem en water.',
    members: [
      { person: CHANTAL, role: 'manager' },
      { person: ANOUK, role: 'member' },
      { person: BRAM, role: 'member' },
      { person: DIRK, role: 'member' },
      { person: GITA, role: 'member' },
    ],
  });
  seeded.secret = await seedCommunity(modules, {
    name: 'Vertrouwelijk overleg',
    visibility: 'secret',
    description: 'Vertrouwelijke zaken van het drainageteam.',
    members: [
      { person: CHANTAL, role: 'manager' },
      { person: ANOUK, role: 'member' },
    ],
  });
  seeded.closed = await seedCommunity(modules, { name: 'Klimaatadaptatie', visibility: 'closed', members: [{ person: CHANTAL, role: 'manager' }] });
  const { discussions, replies } = modules.communities.services;
  const question = await discussions.create(actorOf(BRAM), seeded.open, { kind: 'question', title: 'Welke pomp voor peilgestuurde drainage?', body: 'Wie heeft een **aanrader**?', tags: ['drainage'] });
  seeded.question = question.id;
  seeded.answerByAnouk = (await replies.create(actorOf(ANOUK), question.id, { body: 'Wij gebruiken een zonnepomp.' })).id;
  seeded.talk = (await discussions.create(actorOf(CHANTAL), seeded.open, { kind: 'discussion', title: 'Ervaringen met natte zomers', body: 'Hoe gingen jullie om met de natte zomer?' })).id;
}

async function liveRegionSays(tab: Frame, text: string): Promise<void> {
  await tab.waitForFunction((t) => document.querySelector('[data-testid="live-region"]')?.textContent === t, text);
}

/** Waits (briefly) for focus to arrive; the assertion after it says what was expected if it did not. */
async function focusSettles(tab: Frame, arrived: (arg: string) => boolean, arg = ''): Promise<void> {
  await tab.waitForFunction(arrived, arg, { timeout: 5_000 }).catch(() => undefined);
}

async function activeTestId(tab: Frame): Promise<string | null> {
  return tab.evaluate(() => document.activeElement?.getAttribute('data-testid') ?? null);
}

const problem503 = { status: 503, contentType: 'application/problem+json', body: JSON.stringify({ type: 'about:blank', title: 'Service Unavailable', status: 503, code: 'unavailable', detail: 'The store is not reachable.' }) };

describe('tab: communities and discussions with real sign-in', function () {
  this.timeout(90_000);
  const rig = useEntraTabRig({ seed });
  let host: TeamsHost | undefined;

  afterEach(async () => {
    await host?.close();
    host = undefined;
  });

  it('a guest cannot find a secret community: not listed, not in search, not at its address', async () => {
    // A member sees it (so the checks below can fail).
    ({ host } = await rig.openTab(ANOUK, { hash: '#/communities' }));
    const memberList = (await host.tab()).getByTestId('communities-list');
    await memberList.waitFor();
    assert.ok((await memberList.getByRole('heading').allInnerTexts()).includes('Vertrouwelijk overleg'));
    await host.close();

    ({ host } = await rig.openTab(GITA, { hash: '#/communities' }));
    const tab = await host.tab();
    const list = tab.getByTestId('communities-list');
    await list.waitFor();
    const names = await list.getByRole('heading').allInnerTexts();
    assert.ok(names.includes('Bodem en water'), `the guest sees her own community: ${names.join(', ')}`);
    assert.ok(!names.includes('Vertrouwelijk overleg'), 'the secret community is not listed');
    await host.screenshot('communities-guest-light');

    await tab.evaluate(() => {
      window.location.hash = '#/search?q=vertrouwelijk';
    });
    await tab.getByText('Nothing found for “vertrouwelijk”').waitFor();

    await tab.evaluate((id) => {
      window.location.hash = `#/community/${id}`;
    }, seeded.secret);
    const error = tab.getByTestId('error-message');
    await error.waitFor();
    assert.equal(await error.getAttribute('data-code'), 'community_not_found', 'a secret community is "not found", never "forbidden"');
    await error.getByText('Not found').waitFor();
    assert.equal(await tab.getByText('Vertrouwelijk overleg').count(), 0);
  });

  it('asks to join a closed community; a manager approves the request', async () => {
    ({ host } = await rig.openTab(BRAM, { hash: '#/communities' }));
    let tab = await host.tab();
    await tab.getByTestId('communities-list').waitFor();
    await tab.getByRole('button', { name: 'Ask to join Klimaatadaptatie' }).click();
    await liveRegionSays(tab, 'Your request to join Klimaatadaptatie was sent to its managers.');
    assert.equal((await MembershipModel.findOne({ userId: BRAM.oid, communityId: seeded.closed }).lean())?.status, 'requested');
    await host.close();

    ({ host } = await rig.openTab(CHANTAL, { hash: `#/community/${seeded.closed}?tab=requests` }));
    tab = await host.tab();
    await tab.getByTestId('request-list').waitFor();
    await tab.getByRole('button', { name: `Approve ${BRAM.name}` }).click();
    await liveRegionSays(tab, `${BRAM.name} is now a member.`);
    assert.equal((await MembershipModel.findOne({ userId: BRAM.oid, communityId: seeded.closed }).lean())?.status, 'active');
  });

  it('replies with an @mention picked from the list; the person mentioned is notified', async () => {
    ({ host } = await rig.openTab(ANOUK, { hash: `#/discussion/${seeded.talk}` }));
    const tab = await host.tab();
    await tab.getByRole('heading', { level: 1, name: 'Ervaringen met natte zomers' }).waitFor();
    const body = tab.getByTestId('reply-body');
    await body.click();
    await body.pressSequentially('Goed punt. @Dir');
    const options = tab.getByTestId('mention-list').getByRole('option');
    await options.first().waitFor();
    assert.match(await options.first().innerText(), /Dirk Visser/);
    assert.equal(await body.getAttribute('aria-activedescendant'), await options.first().getAttribute('id'), 'the highlighted person is announced');
    await host.screenshot('reply-mention-picker-light');
    await host.page.keyboard.press('Enter');
    await liveRegionSays(tab, 'Dirk Visser mentioned.');
    await body.pressSequentially('wat denk jij?');
    assert.equal(await body.inputValue(), 'Goed punt. @Dirk Visser wat denk jij?');

    await tab.getByRole('tab', { name: 'Preview' }).click();
    await tab.getByTestId('reply-body-preview').getByText('Goed punt. @Dirk Visser wat denk jij?').waitFor();
    await tab.getByRole('tab', { name: 'Write' }).click();

    await tab.getByTestId('post-reply').click();
    await liveRegionSays(tab, 'Your reply was posted.');
    const posted = tab.getByTestId('reply').filter({ hasText: '@Dirk Visser wat denk jij?' });
    await posted.waitFor();
    // The live region speaks as the reply is rendered; focus moves in the effect right after.
    await focusSettles(tab, () => document.activeElement?.getAttribute('data-testid') === 'reply');
    assert.equal(await tab.evaluate(() => document.activeElement?.getAttribute('data-testid')), 'reply', 'focus moved to the new reply');
    assert.equal(await tab.getByTestId('reply-body').inputValue(), '', 'the composer is empty again');

    const stored = await ReplyModel.findOne({ discussionId: seeded.talk, authorId: ANOUK.oid }).lean();
    assert.deepEqual(stored?.mentions, [DIRK.oid]);
    const notified = await NotificationModel.find({ recipientId: DIRK.oid, kind: 'mention' }).lean();
    assert.equal(notified.length, 1, 'Dirk is told he was mentioned');
  });

  it('replies and accepts an answer with the keyboard alone', async () => {
    ({ host } = await rig.openTab(BRAM, { hash: `#/discussion/${seeded.question}` }));
    const tab = await host.tab();
    await tab.getByRole('heading', { level: 1, name: 'Welke pomp voor peilgestuurde drainage?' }).waitFor();
    await tab.getByTestId('reply-list').waitFor();
    await tab.evaluate(() => window.focus());
    for (let i = 0; i < 80 && (await activeTestId(tab)) !== 'reply-body'; i++) await host.page.keyboard.press('Tab');
    assert.equal(await activeTestId(tab), 'reply-body', 'the composer is reachable with Tab');
    await host.page.keyboard.type('Dank voor de tip, wij gaan het proberen.');
    await host.page.keyboard.press('Control+Enter');
    await liveRegionSays(tab, 'Your reply was posted.');
    await focusSettles(tab, () => /Dank voor de tip/.test(document.activeElement?.textContent ?? ''));
    const newReply = await tab.evaluate(() => document.activeElement?.textContent ?? '');
    assert.match(newReply, /Dank voor de tip/, 'focus moved to the new reply');

    // Back up to Anouk's reply and accept it.
    const acceptAnouk = `Accept as answer: the reply of ${ANOUK.name}`;
    for (let i = 0; i < 40 && (await tab.evaluate(() => document.activeElement?.getAttribute('aria-label') ?? '')) !== acceptAnouk; i++) await host.page.keyboard.press('Shift+Tab');
    assert.equal(await tab.evaluate(() => document.activeElement?.getAttribute('aria-label')), acceptAnouk);
    // Fluent draws its keyboard focus ring on elements it marks as focus-visible.
    assert.ok(await tab.evaluate(() => document.activeElement?.hasAttribute('data-fui-focus-visible')), 'the focused button shows its focus ring');
    await host.page.keyboard.press('Enter');
    await liveRegionSays(tab, `The reply of ${ANOUK.name} is now the accepted answer.`);
    await focusSettles(tab, (id: string) => document.activeElement?.id === id, `reply-${seeded.answerByAnouk}`);
    assert.equal(await tab.evaluate(() => document.activeElement?.id), `reply-${seeded.answerByAnouk}`, 'focus moved to the accepted reply');
    await tab.locator(`#reply-${seeded.answerByAnouk}`).getByTestId('answer-badge').waitFor();
    assert.equal(String((await DiscussionModel.findById(seeded.question).lean())?.acceptedReplyId), seeded.answerByAnouk);
    await host.screenshot('discussion-answer-accepted');
  });

  it('shows a reaction and following at once, and puts a reaction back when the server refuses it', async () => {
    ({ host } = await rig.openTab(BRAM, { hash: `#/discussion/${seeded.talk}` }));
    const tab = await host.tab();
    await tab.getByRole('heading', { level: 1, name: 'Ervaringen met natte zomers' }).waitFor();
    const opening = tab.getByRole('group', { name: 'Reactions to the discussion' });
    const thanks = opening.getByRole('button', { name: /^Thanks/ });
    const saved = host.page.waitForResponse((r) => r.url().endsWith('/reactions/thanks') && r.request().method() === 'PUT');
    await thanks.click();
    assert.equal(await thanks.getAttribute('aria-pressed'), 'true');
    assert.equal(await thanks.innerText(), 'Thanks 1');
    assert.equal((await saved).status(), 200);
    assert.equal(await ReactionModel.countDocuments({ targetId: seeded.talk, userId: BRAM.oid, kind: 'thanks' }), 1, 'stored');

    // The server refuses the next one: the button goes back, and the user is told.
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => (release = resolve));
    await host.context.route('**/api/v1/discussions/*/reactions/agree', async (route) => {
      await held;
      await route.fulfill(problem503);
    });
    const agree = opening.getByRole('button', { name: /^Agree/ });
    await agree.click();
    assert.equal(await agree.getAttribute('aria-pressed'), 'true', 'shown at once, before the server answers');
    assert.equal(await agree.innerText(), 'Agree 1');
    release();
    await liveRegionSays(tab, 'Your reaction could not be saved.');
    assert.equal(await agree.getAttribute('aria-pressed'), 'false', 'put back');
    assert.equal(await agree.innerText(), 'Agree');
    await tab.getByTestId('error-message').getByText('Meent is temporarily unavailable').waitFor();
    await host.context.unroute('**/api/v1/discussions/*/reactions/agree');

    const follow = tab.getByTestId('follow');
    assert.equal(await follow.innerText(), 'Follow');
    const followed = host.page.waitForResponse((r) => r.url().endsWith('/follow') && r.request().method() === 'PUT');
    await follow.click();
    assert.equal(await follow.innerText(), 'Following');
    await liveRegionSays(tab, 'You follow this discussion: you will hear about new replies.');
    assert.equal((await followed).status(), 200);
    assert.equal(await FollowModel.countDocuments({ discussionId: seeded.talk, userId: BRAM.oid }), 1);
  });

  it('keeps the text of a reply that could not be posted, and posts it on "Try again"', async () => {
    ({ host } = await rig.openTab(DIRK, { hash: `#/discussion/${seeded.talk}` }));
    const tab = await host.tab();
    await tab.getByRole('heading', { level: 1, name: 'Ervaringen met natte zomers' }).waitFor();
    await host.context.route('**/api/v1/discussions/*/replies', (route) => (route.request().method() === 'POST' ? route.fulfill(problem503) : route.fallback()));
    const body = tab.getByTestId('reply-body');
    await body.fill('Wij hebben extra gemalen ingezet.');
    await tab.getByTestId('post-reply').click();
    await liveRegionSays(tab, 'Your reply was not posted. Your text is kept: try again.');
    assert.equal(await body.inputValue(), 'Wij hebben extra gemalen ingezet.', 'nothing typed is lost');
    assert.equal(await activeTestId(tab), 'reply-body', 'focus is back in the text');

    await host.context.unroute('**/api/v1/discussions/*/replies');
    await tab.getByTestId('composer').getByRole('button', { name: 'Try again' }).click();
    await liveRegionSays(tab, 'Your reply was posted.');
    await tab.getByTestId('reply').filter({ hasText: 'Wij hebben extra gemalen ingezet.' }).waitFor();
    assert.equal(await ReplyModel.countDocuments({ discussionId: seeded.talk, authorId: DIRK.oid }), 1, 'posted once');
  });

  it('finds who knows about a topic from the expertise on their profile', async () => {
    ({ host } = await rig.openTab(DIRK, { hash: '#/profile' }));
    let tab = await host.tab();
    const expertise = tab.getByTestId('profile-expertise');
    await expertise.waitFor();
    assert.equal(await expertise.inputValue(), 'drainage, peilbeheer');
    await expertise.fill('drainage, peilbeheer, grondwater');
    await tab.getByTestId('profile-save').click();
    await liveRegionSays(tab, 'Your profile was saved.');
    await host.close();

    ({ host } = await rig.openTab(ANOUK, { hash: '#/people?expertise=grondwater' }));
    tab = await host.tab();
    const experts = tab.getByTestId('experts-list');
    await experts.waitFor();
    assert.deepEqual(await experts.getByTestId('person-summary').getByRole('link').allInnerTexts(), [DIRK.name]);
    assert.match(await experts.innerText(), /Lists it as expertise/);
    await host.screenshot('people-who-knows');
  });
});
