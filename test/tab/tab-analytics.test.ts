/**
 * The figures dashboard in the Teams host, signed in for real, over three months of generated
 * activity (the demo seed's generator): reached from the navigation and used with the keyboard
 * only, no axe violation in light, dark and high contrast, and no entry for a plain member.
 * The tab's own page views reach the beacon and are stored without the person.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Frame } from 'playwright-core';
import { AnalyticsEventModel } from '../../src/analytics/analytics-event.model.js';
import { writeGeneratedActivity } from '../../src/analytics/generated-activity.js';
import type { TeamsHost, TeamsTheme } from '../support/teams-host.js';
import { actorOf, ANOUK, BRAM, CHANTAL, seedCommunity, seedPerson, TENANT, useEntraTabRig, type RigModules } from './entra-tab-rig.js';
import { axeViolations } from './tab-fixtures.js';

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const THEMES: readonly TeamsTheme[] = ['default', 'dark', 'contrast'];
const COMMUNITY = 'Bodem en water';

async function seed(modules: RigModules): Promise<void> {
  for (const p of [ANOUK, BRAM, CHANTAL]) await seedPerson(p);
  const communityId = await seedCommunity(modules, { name: COMMUNITY, visibility: 'secret', members: [{ person: ANOUK, role: 'manager' }, { person: BRAM, role: 'member' }] });
  const discussion = await modules.communities.services.discussions.create(actorOf(ANOUK), communityId, { kind: 'question', title: 'Wat werkt bij natte percelen?', body: 'Ervaringen?', tags: [] });
  const start = new Date(Date.now() + 7 * 24 * 3_600_000);
  const event = await modules.events.services.events.create(actorOf(ANOUK), { title: 'Kennissessie drainage', description: 'Natte percelen', start, end: new Date(start.getTime() + 90 * 60_000), timeZone: 'Europe/Amsterdam', location: { name: 'Gemeentehuis' } }, communityId);
  await writeGeneratedActivity({ tenantId: TENANT, places: [{ communityId, discussionIds: [discussion.id], eventIds: [event.id] }], until: new Date(), days: 91 });
}

async function settled(tab: Frame): Promise<void> {
  await tab.getByRole('heading', { level: 1 }).first().waitFor();
  await tab.waitForFunction(() => document.querySelector('[data-testid="loading-skeleton"], [aria-busy="true"]') === null);
  await tab.locator('figure svg').first().waitFor();
}

async function activeTestId(tab: Frame): Promise<string | null> {
  return (await tab.evaluate('document.activeElement && (document.activeElement.getAttribute("data-testid") || document.activeElement.textContent)')) as string | null;
}

/** Presses Tab until the element with this test id (or text) has focus. */
async function tabTo(host: TeamsHost, tab: Frame, target: string, most = 40): Promise<void> {
  for (let i = 0; i < most; i++) {
    await host.page.keyboard.press('Tab');
    if ((await activeTestId(tab)) === target) return;
  }
  throw new Error(`Tab never reached ${target}`);
}

async function expectNoViolations(tab: Frame, where: string): Promise<void> {
  const violations = await axeViolations(tab, axeSource);
  assert.deepEqual(violations, [], `axe violations on ${where}:\n${JSON.stringify(violations, null, 2)}`);
}

describe('tab: figures dashboard', function () {
  this.timeout(300_000);
  const rig = useEntraTabRig({ seed });
  let host: TeamsHost | undefined;

  afterEach(async () => {
    await host?.close();
    host = undefined;
  });

  it('a manager reaches the figures with the keyboard, chooses the community and downloads the CSV', async () => {
    ({ host } = await rig.openTab(ANOUK));
    const tab = await host.tab();
    await tab.getByRole('heading', { level: 1, name: `Welcome, ${ANOUK.name}` }).waitFor();
    await tab.getByRole('link', { name: 'Figures' }).waitFor();
    await tab.evaluate('window.focus()');
    await tabTo(host, tab, 'Figures');
    await host.page.keyboard.press('Enter');
    await tab.getByRole('heading', { level: 1, name: 'Figures' }).waitFor();
    await settled(tab);
    assert.match((await tab.getByTestId('analytics-report').textContent()) ?? '', /my communities/);
    const visits = (await tab.getByTestId('figure-visits').locator('dd').first().textContent()) ?? '';
    assert.match(visits, /^\d[\d,]*$/, `visits shown as a number, not "${visits}"`);
    assert.equal(await tab.getByTestId('figure-consultationResponseRate').locator('dd').first().textContent(), '—');
    // Each chart has its table: 28 days, a row each.
    assert.equal(await tab.locator('figure').first().locator('tbody tr').count(), 28);
    assert.equal(await tab.getByRole('link', { name: 'Wat werkt bij natte percelen?' }).count(), 1);

    await tabTo(host, tab, 'analytics-community');
    await host.page.keyboard.press('ArrowDown');
    await tab.getByTestId('analytics-report').filter({ hasText: COMMUNITY }).waitFor();
    await tabTo(host, tab, 'analytics-period');
    await host.page.keyboard.press('ArrowDown');
    await tab.locator('figure').first().locator('tbody tr').nth(40).waitFor();
    await tabTo(host, tab, 'analytics-export');
    const download = host.page.waitForEvent('download');
    await host.page.keyboard.press('Enter');
    const file = await download;
    assert.match(file.suggestedFilename(), /^analytics-.*\.csv$/);
    await tab.getByText('The figures were downloaded.').waitFor({ state: 'attached' });
    await expectNoViolations(tab, 'dashboard after keyboard use');

    // The tab's page views went to the beacon (sent on hide) and are stored without the person.
    await tab.evaluate(() => Object.defineProperty(document, 'visibilityState', { value: 'hidden', configurable: true }));
    await tab.evaluate(() => document.dispatchEvent(new Event('visibilitychange')));
    const stored = async () => {
      await rig.modules.analytics.recorder.flush();
      return AnalyticsEventModel.find({ kind: 'view' }).lean();
    };
    let views = await stored();
    for (let i = 0; i < 50 && !views.some((v) => v.page === 'analytics'); i++) {
      await new Promise((r) => setTimeout(r, 100));
      views = await stored();
    }
    assert.deepEqual([...new Set(views.map((v) => v.page))].sort(), ['analytics', 'home']);
    assert.ok(!JSON.stringify(views).includes(ANOUK.oid));
  });

  it('has no axe violations in light, dark and high contrast, for a manager and an admin', async () => {
    for (const person of [ANOUK, CHANTAL]) {
      ({ host } = await rig.openTab(person, { hash: '#/analytics' }));
      const tab = await host.tab();
      await settled(tab);
      if (person === CHANTAL) assert.match((await tab.getByTestId('analytics-report').textContent()) ?? '', /the organisation/);
      for (const theme of THEMES) {
        await host.setTheme(theme);
        await tab.locator(`[data-theme="${theme}"]`).waitFor();
        await expectNoViolations(tab, `#/analytics as ${person.name} (${theme})`);
        if (person === ANOUK) await host.screenshot(`analytics-${theme === 'default' ? 'light' : theme}`);
      }
      await host.close();
      host = undefined;
    }
  });

  it('shows no figures entry to a plain member, and refuses the page', async () => {
    ({ host } = await rig.openTab(BRAM, { hash: '#/analytics' }));
    const tab = await host.tab();
    await tab.getByRole('heading', { level: 1, name: 'Figures' }).waitFor();
    await tab.getByTestId('error-message').waitFor();
    await tab.getByRole('link', { name: 'Home' }).waitFor();
    assert.equal(await tab.getByRole('link', { name: 'Figures' }).count(), 0);
  });
});
