/**
 * WCAG 2.1 AA checks of the tab inside the Teams host, signed in for real (see
 * entra-tab-rig.ts) with content in the store: axe-core finds no violation on any page in
 * the light, dark and high-contrast themes (as an organiser, who sees the most controls),
 * and the keyboard reaches the skip link and the navigation with a visible focus indicator.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Frame } from 'playwright-core';
import type { TeamsHost, TeamsTheme } from '../support/teams-host.js';
import { actorOf, ANOUK, BRAM, CHANTAL, GITA, seedCommunity, seedPerson, useEntraTabRig, type RigModules } from './entra-tab-rig.js';
import { axeViolations } from './tab-fixtures.js';

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const THEMES: readonly TeamsTheme[] = ['default', 'dark', 'contrast'];

const seeded = { communityId: '', eventId: '', discussionId: '' };

async function seed(modules: RigModules): Promise<void> {
  for (const p of [ANOUK, CHANTAL, GITA]) await seedPerson(p);
  seeded.communityId = await seedCommunity(modules, {
    name: 'Bodem en water',
    visibility: 'closed',
    description: 'Kennis delen over **bodem**, water en drainage.',
    tags: ['bodem', 'drainage'],
    members: [
      { person: CHANTAL, role: 'manager' },
      { person: ANOUK, role: 'member' },
    ],
  });
  const { discussions, replies, memberships, moderation } = modules.communities.services;
  const question = await discussions.create(actorOf(ANOUK), seeded.communityId, { kind: 'question', title: 'Wat werkt bij natte percelen?', body: 'Wie heeft ervaring met **peilgestuurde drainage**?', tags: ['drainage'] });
  seeded.discussionId = question.id;
  const answer = await replies.create(actorOf(CHANTAL), question.id, { body: 'Bij ons werkt het goed op klei; zie de [handreiking](https://example.org/handreiking).' });
  await replies.create(actorOf(ANOUK), question.id, { body: 'Dank je!', parentId: answer.id });
  await discussions.acceptAnswer(actorOf(ANOUK), question.id, answer.id);
  // Something for the managers' queues: a request to join, and a report.
  await seedPerson(BRAM);
  await memberships.add(actorOf(BRAM), seeded.communityId, { message: 'Ik werk aan nitraat in oppervlaktewater.' });
  await moderation.report(actorOf(ANOUK), { targetType: 'reply', targetId: answer.id, reason: 'other', text: 'Bevat een telefoonnummer.' });
  const start = new Date(Date.now() + 7 * 24 * 3_600_000);
  const event = await modules.events.services.events.create(
    actorOf(CHANTAL),
    { title: 'Kennissessie drainage', description: 'Wat werkt bij **natte percelen**?', start, end: new Date(start.getTime() + 90 * 60_000), timeZone: 'Europe/Amsterdam', location: { name: 'Gemeentehuis, zaal 3' }, capacity: 12, signupMethod: 'request' },
    seeded.communityId,
  );
  seeded.eventId = event.id;
  await modules.events.services.signups.signUp(actorOf(ANOUK), event.id, { message: 'Graag, ik werk aan drainage in Achterhoek.' });
}

/** Every routed page (an organiser sees the most controls on each). */
function pages(): string[] {
  const c = seeded.communityId;
  const e = seeded.eventId;
  return [
    '#/',
    '#/communities',
    '#/communities/new',
    `#/community/${c}`,
    `#/community/${c}?tab=events`,
    `#/community/${c}?tab=members`,
    `#/community/${c}?tab=about`,
    `#/community/${c}?tab=requests`,
    `#/community/${c}?tab=reports`,
    `#/community/${c}/edit`,
    `#/community/${c}/new-discussion`,
    `#/discussion/${seeded.discussionId}`,
    '#/events',
    '#/events?view=month',
    '#/events/new',
    `#/event/${e}`,
    `#/event/${e}/edit`,
    '#/people',
    `#/people/${ANOUK.oid}`,
    '#/people?expertise=drainage',
    '#/search',
    '#/search?q=drainage',
    '#/profile',
    '#/analytics',
    '#/no-such-page',
  ];
}

/** Waits until the page has its heading and nothing is loading any more. */
async function settled(tab: Frame): Promise<void> {
  await tab.getByRole('heading', { level: 1 }).first().waitFor();
  await tab.waitForFunction(() => document.querySelector('[data-testid="loading-skeleton"], [aria-busy="true"]') === null);
}

function artifactName(hash: string): string {
  return hash.replace(/^#\//, '').replace(/\?.*$/, (q) => `-${q.replace(/[^a-z]+/gi, '')}`).replace(/[0-9a-f]{24}|[0-9a-f-]{36}/g, 'id').replace(/[^a-z-]+/gi, '-').replace(/-+$/, '') || 'home';
}

async function expectNoViolations(tab: Frame, where: string): Promise<void> {
  const violations = await axeViolations(tab, axeSource);
  assert.deepEqual(violations, [], `axe violations on ${where}:\n${JSON.stringify(violations, null, 2)}`);
}

interface FocusInfo {
  testId: string | null;
  text: string;
  tag: string;
  ariaCurrent: string | null;
  outlineStyle: string;
  outlineWidth: number;
  top: number;
  left: number;
}

async function focused(tab: Frame): Promise<FocusInfo> {
  return (await tab.evaluate(`(() => {
    const el = document.activeElement;
    const style = getComputedStyle(el);
    const rect = el.getBoundingClientRect();
    return {
      testId: el.getAttribute('data-testid'),
      text: el.innerText || '',
      tag: el.tagName.toLowerCase(),
      ariaCurrent: el.getAttribute('aria-current'),
      outlineStyle: style.outlineStyle,
      outlineWidth: parseFloat(style.outlineWidth),
      top: rect.top,
      left: rect.left,
    };
  })()`)) as FocusInfo;
}

describe('tab accessibility', function () {
  this.timeout(120_000);
  const rig = useEntraTabRig({ seed });
  let host: TeamsHost | undefined;

  afterEach(async () => {
    await host?.close();
    host = undefined;
  });

  it('the axe check finds a violation when there is one', async () => {
    ({ host } = await rig.openTab(ANOUK));
    const tab = await host.tab();
    await tab.getByRole('heading', { level: 1, name: `Welcome, ${ANOUK.name}` }).waitFor();
    await tab.evaluate(`document.getElementById('main-content').append(Object.assign(document.createElement('img'), { src: 'data:image/gif;base64,R0lGODlhAQABAAAAACw=' }))`);
    const violations = await axeViolations(tab, axeSource);
    assert.deepEqual(
      violations.map((v) => v.id),
      ['image-alt'],
    );
  });

  it('every page has no axe violations in light, dark and high contrast', async function () {
    this.timeout(600_000);
    ({ host } = await rig.openTab(CHANTAL));
    const tab = await host.tab();
    for (const hash of pages()) {
      await tab.evaluate((h) => {
        window.location.hash = h;
      }, hash);
      await settled(tab).catch(async (error: unknown) => {
        await host?.screenshot(`failed-${artifactName(hash)}`);
        throw new Error(`${hash} did not settle: ${String(error)}\n${host?.errors.join('\n') ?? ''}`);
      });
      for (const theme of THEMES) {
        await host.setTheme(theme);
        await tab.locator(`[data-theme="${theme}"]`).waitFor();
        await expectNoViolations(tab, `${hash} (${theme})`);
        if (theme !== 'contrast') await host.screenshot(`page-${artifactName(hash)}-${theme === 'default' ? 'light' : theme}`);
      }
    }
  });

  it('dialogs, the attendee requests and the guest’s view have no axe violations', async () => {
    ({ host } = await rig.openTab(CHANTAL, { hash: `#/event/${seeded.eventId}`, context: { theme: 'dark' } }));
    const tab = await host.tab();
    await settled(tab);
    await tab.getByRole('tab', { name: 'Requests (1)' }).click();
    await tab.getByRole('button', { name: 'Approve Anouk de Vries' }).waitFor();
    await expectNoViolations(tab, 'event requests (dark)');
    await tab.getByRole('button', { name: 'Cancel event' }).click();
    const dialog = tab.getByRole('dialog');
    await dialog.waitFor();
    for (const theme of THEMES) {
      await host.setTheme(theme);
      await tab.locator(`[data-theme="${theme}"]`).first().waitFor();
      await expectNoViolations(tab, `cancel dialog (${theme})`);
    }
    await host.screenshot('event-cancel-dialog');
    await host.close();

    ({ host } = await rig.openTab(GITA, { hash: '#/communities', context: { theme: 'contrast' } }));
    const guestTab = await host.tab();
    await settled(guestTab);
    await expectNoViolations(guestTab, 'communities as a guest (contrast)');
  });

  it('the configuration page and the side panel have no axe violations in any theme', async () => {
    for (const frameContext of ['settings', 'sidePanel'] as const) {
      ({ host } = await rig.openTab(CHANTAL, {
        hash: frameContext === 'settings' ? '#/config' : `#/community/${seeded.communityId}`,
        context: { frameContext, channelId: '19:general@thread.tacv2', entityId: `community-${seeded.communityId}` },
      }));
      const tab = await host.tab();
      await settled(tab);
      if (frameContext === 'settings') await tab.getByTestId('community-select').waitFor();
      for (const theme of THEMES) {
        await host.setTheme(theme);
        await tab.locator(`[data-theme="${theme}"]`).waitFor();
        await expectNoViolations(tab, `${frameContext} (${theme})`);
      }
      await host.screenshot(`${frameContext}-contrast`);
      await host.close();
      host = undefined;
    }
  });

  it('Tab reaches the skip link first, then the navigation, each with a visible focus indicator', async () => {
    ({ host } = await rig.openTab(ANOUK));
    const tab = await host.tab();
    await tab.getByRole('heading', { level: 1, name: `Welcome, ${ANOUK.name}` }).waitFor();

    // Start where Teams leaves focus when the user moves into the tab: at the top of its document.
    await tab.evaluate('window.focus()');
    const skipLink = tab.getByTestId('skip-link');
    const hiddenTop = (await skipLink.boundingBox())?.y ?? 0;
    assert.ok(hiddenTop < 0, 'the skip link is off screen until focused');

    await host.page.keyboard.press('Tab');
    const skip = await focused(tab);
    assert.equal(skip.testId, 'skip-link', `the first Tab stop is the skip link, not ${JSON.stringify(skip)}`);
    assert.equal(skip.text, 'Skip to main content');
    assert.ok(skip.top >= 0, 'the focused skip link is on screen');
    assert.equal(skip.outlineStyle, 'solid');
    assert.ok(skip.outlineWidth >= 2, `focus outline is ${skip.outlineWidth}px`);
    await host.screenshot('keyboard-skip-link');

    const navTexts: string[] = [];
    for (let i = 0; i < 6; i++) {
      await host.page.keyboard.press('Tab');
      const link = await focused(tab);
      assert.equal(link.tag, 'a');
      assert.equal(link.outlineStyle, 'solid', `${link.text} shows its focus`);
      assert.ok(link.outlineWidth >= 2);
      if (i === 0) assert.equal(link.ariaCurrent, 'page', 'Home is marked as the current page');
      navTexts.push(link.text);
    }
    assert.deepEqual(navTexts, ['Home', 'Communities', 'Events', 'People', 'Search', 'My profile']);

    // Enter follows the focused link (My profile); focus moves to the new page's heading.
    await host.page.keyboard.press('Enter');
    await tab.getByRole('heading', { level: 1, name: 'My profile' }).waitFor();
    await tab.waitForFunction(() => document.activeElement?.tagName === 'H1');

    // The skip link's Enter moves focus into the main region, without changing the route.
    await skipLink.focus();
    assert.equal((await focused(tab)).testId, 'skip-link');
    await host.page.keyboard.press('Enter');
    assert.equal(await tab.evaluate('document.activeElement.id'), 'main-content');
    assert.equal(await tab.evaluate('location.hash'), '#/profile', 'the skip link did not change the route');
  });
});
