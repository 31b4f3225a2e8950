/**
 * The profile page's "Your data" in Chromium inside the Teams host, signed in for real: the
 * export is started with the keyboard, shows its progress and offers the ZIP (downloaded with
 * the person's own token); "Delete my account" opens a dialog that lists what will happen,
 * Escape backs out, and confirming deletes the account. axe finds no violation in the light,
 * dark and high-contrast themes, with the download offered and with the dialog open.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Frame } from 'playwright-core';
import { personalDataContributors } from '../../src/composition.js';
import { ApiSpec } from '../../src/http/api-spec.js';
import { createLogger } from '../../src/logging/logger.js';
import { UserModel } from '../../src/members/user.model.js';
import { createPrivacyModule } from '../../src/privacy/privacy.module.js';
import type { TeamsHost, TeamsTheme } from '../support/teams-host.js';
import { actorOf, ANOUK, CHANTAL, seedCommunity, seedPerson, useEntraTabRig } from './entra-tab-rig.js';
import { axeViolations } from './tab-fixtures.js';

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const THEMES: readonly TeamsTheme[] = ['default', 'dark', 'contrast'];

async function noViolationsInAnyTheme(host: TeamsHost, tab: Frame, where: string): Promise<void> {
  for (const theme of THEMES) {
    await host.setTheme(theme);
    await tab.locator(`[data-theme="${theme}"]`).first().waitFor();
    const violations = await axeViolations(tab, axeSource);
    assert.deepEqual(violations, [], `axe violations on ${where} (${theme}):\n${JSON.stringify(violations, null, 2)}`);
  }
}

/** Presses Tab until the element with this test id has the focus (at most `max` times). */
async function tabTo(host: TeamsHost, tab: Frame, testId: string, max = 60): Promise<void> {
  for (let i = 0; i < max; i++) {
    await host.page.keyboard.press('Tab');
    if ((await tab.evaluate(() => document.activeElement?.getAttribute('data-testid') ?? null)) === testId) return;
  }
  assert.fail(`the keyboard never reached ${testId}`);
}

describe('tab: export my data and delete my account', function () {
  this.timeout(180_000);
  const dataDir = mkdtempSync(join(tmpdir(), 'meent-tab-privacy-'));
  after(() => rmSync(dataDir, { recursive: true, force: true }));
  const rig = useEntraTabRig({
    routers: (modules) => {
      const privacy = createPrivacyModule({
        config: { dataDir },
        logger: createLogger('silent'),
        spec: new ApiSpec(),
        audit: modules.identity.audit,
        contributors: personalDataContributors({ allocator: modules.events.services.allocator, forgetUser: (t, u) => modules.identity.users.forget(t, u) }),
      });
      return [modules.events, modules.communities, privacy];
    },
    seed: async (modules) => {
      for (const p of [ANOUK, CHANTAL]) await seedPerson(p);
      const communityId = await seedCommunity(modules, { name: 'Bodem en water', visibility: 'public', members: [{ person: CHANTAL, role: 'manager' }, { person: ANOUK, role: 'member' }] });
      await modules.communities.services.discussions.create(actorOf(ANOUK), communityId, { kind: 'discussion', title: 'Natte percelen', body: 'Wie heeft ervaring met drainage?' });
    },
  });
  let host: TeamsHost | undefined;
  afterEach(async () => {
    await host?.close();
    host = undefined;
  });

  it('starts the export from the keyboard, shows progress and offers the ZIP', async () => {
    let tab: Frame;
    ({ host, tab } = await rig.openTab(ANOUK, { hash: '#/profile' }));
    await tab.getByRole('heading', { level: 2, name: 'Your data' }).waitFor();
    await tabTo(host, tab, 'export-start');
    await host.page.keyboard.press('Enter');
    const download = tab.getByTestId('export-download');
    await download.waitFor({ timeout: 60_000 });
    assert.match(await tab.getByTestId('privacy-section').innerText(), /Available until/);
    // Screen readers heard it (the tab's one polite live region).
    await tab.locator('[aria-live="polite"]', { hasText: 'Your data export is ready to download.' }).waitFor({ state: 'attached' });
    await noViolationsInAnyTheme(host, tab, 'profile with the export ready');

    const saved = host.page.waitForEvent('download');
    await download.focus();
    await host.page.keyboard.press('Enter');
    const file = await saved;
    assert.match(file.suggestedFilename(), /^meent-export-\d{4}-\d{2}-\d{2}\.zip$/);
    await host.screenshot('profile-export-ready');
  });

  it('asks before deleting, says what will happen, and deletes the account when confirmed', async () => {
    let tab: Frame;
    ({ host, tab } = await rig.openTab(ANOUK, { hash: '#/profile' }));
    await tab.getByRole('heading', { level: 2, name: 'Your data' }).waitFor();
    await tabTo(host, tab, 'delete-account');
    await host.page.keyboard.press('Enter');
    const dialog = tab.getByRole('dialog', { name: 'Delete your account?' });
    await dialog.waitFor();
    const said = await dialog.innerText();
    for (const what of ['This cannot be undone', 'Your profile, photo and notification settings are deleted', 'seat goes to the first person on the waitlist', '"Former member"', 'make someone else manager first']) assert.ok(said.includes(what), `the dialog says: ${what}`);
    await noViolationsInAnyTheme(host, tab, 'the delete dialog');
    await host.screenshot('profile-delete-dialog');

    await host.page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    assert.equal(await UserModel.countDocuments({ userId: ANOUK.oid }), 1, 'backing out deletes nothing');

    await tab.getByTestId('delete-account').focus();
    await host.page.keyboard.press('Enter');
    await dialog.waitFor();
    await tabTo(host, tab, 'delete-account-confirm', 10);
    await host.page.keyboard.press('Enter');
    await tab.getByTestId('account-deleted').waitFor();
    assert.equal(await UserModel.countDocuments({ userId: ANOUK.oid }), 0, 'the account is gone');
    await noViolationsInAnyTheme(host, tab, 'profile after deletion');
  });
});
