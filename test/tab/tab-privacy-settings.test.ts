/**
 * The organisation's privacy settings in the Teams host, signed in for real: an admin reaches
 * the page from the navigation and changes settings with the keyboard only; a value out of
 * bounds is marked on its field in the reader's language, with everything typed kept, and
 * fixing it saves; axe finds nothing in light, dark and high contrast (English and Dutch); a
 * plain member has no navigation entry and is refused the page.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { ApiSpec } from '../../src/http/api-spec.js';
import { createPrivacyPagesModule, type PrivacyModule } from '../../src/privacy/privacy.module.js';
import type { TeamsHost } from '../support/teams-host.js';
import { ANOUK, CHANTAL, seedPerson, TENANT, useEntraTabRig } from './entra-tab-rig.js';
import { expectNoViolationsInAnyTheme, tabUntilFocused } from './tab-fixtures.js';

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

describe('tab: privacy settings (organisation admins)', function () {
  this.timeout(240_000);
  let privacy: PrivacyModule;
  const rig = useEntraTabRig({
    routers: (modules) => {
      privacy = createPrivacyPagesModule({ config: modules.config, spec: new ApiSpec(), audit: modules.identity.audit });
      return [modules.analytics, modules.events, modules.communities, modules.consultations, privacy];
    },
    seed: async () => {
      for (const p of [ANOUK, CHANTAL]) await seedPerson(p);
    },
  });
  let host: TeamsHost | undefined;
  afterEach(async () => {
    await host?.close();
    host = undefined;
  });

  it('an admin changes settings with the keyboard; a refused value is marked, nothing typed is lost, and the fix saves', async () => {
    let tab;
    ({ host, tab } = await rig.openTab(CHANTAL));
    await tab.getByRole('link', { name: 'Privacy settings' }).waitFor();
    await tab.evaluate('window.focus()');
    await tabUntilFocused(host, tab, 'Privacy settings');
    await host.page.keyboard.press('Enter');
    await tab.getByRole('heading', { level: 1, name: 'Privacy settings' }).waitFor();
    await tab.getByTestId('privacy-settings-form').waitFor();
    assert.match(await tab.getByTestId('privacy-settings-form').innerText(), /BIO/, 'the justification is shown');

    await tabUntilFocused(host, tab, 'privacy-days-auditLog');
    await host.page.keyboard.press('ControlOrMeta+A');
    await host.page.keyboard.type('730');
    await tabUntilFocused(host, tab, 'privacy-leaver-grace');
    await host.page.keyboard.press('ControlOrMeta+A');
    await host.page.keyboard.type('400');
    await tabUntilFocused(host, tab, 'privacy-keep-text');
    await host.page.keyboard.press('Space');
    await tabUntilFocused(host, tab, 'privacy-settings-save');
    await host.page.keyboard.press('Enter');

    await tab.getByText('Enter a whole number of days from 0 to 365.').waitFor();
    assert.equal(await tab.evaluate(() => document.activeElement?.getAttribute('data-testid')), 'privacy-leaver-grace', 'focus on the field to fix');
    assert.equal(await tab.getByTestId('privacy-days-auditLog').inputValue(), '730', 'nothing typed is lost');
    assert.equal(await tab.getByTestId('privacy-leaver-grace').inputValue(), '400');
    assert.equal(await tab.getByTestId('privacy-keep-text').isChecked(), false);
    const unchanged = await privacy.settings.effective(TENANT);
    assert.deepEqual([unchanged.retentionDays.auditLog, unchanged.leaverGraceDays, unchanged.erasureKeepText], [365, 30, true], 'nothing saved');
    await expectNoViolationsInAnyTheme(host, tab, axeSource, 'privacy settings with a field error');

    await tab.getByTestId('privacy-leaver-grace').focus();
    await host.page.keyboard.press('ControlOrMeta+A');
    await host.page.keyboard.type('45');
    await host.page.keyboard.press('Enter');
    await tab.getByText('The privacy settings were saved.').waitFor({ state: 'attached' });
    const saved = await privacy.settings.effective(TENANT);
    assert.equal(saved.retentionDays.auditLog, 730);
    assert.equal(saved.leaverGraceDays, 45);
    assert.equal(saved.erasureKeepText, false);
    assert.equal(await tab.getByText('Enter a whole number of days from 0 to 365.').count(), 0);
    await expectNoViolationsInAnyTheme(host, tab, axeSource, 'privacy settings after saving');
  });

  it('is in Dutch for a Dutch reader, without axe violations', async () => {
    let tab;
    ({ host, tab } = await rig.openTab(CHANTAL, { hash: '#/admin/privacy', context: { locale: 'nl-nl' } }));
    await tab.getByRole('heading', { level: 1, name: 'Privacy-instellingen' }).waitFor();
    await tab.getByTestId('privacy-settings-form').waitFor();
    await tab.getByRole('link', { name: 'Privacy-instellingen' }).waitFor();
    assert.match(await tab.getByTestId('privacy-settings-form').innerText(), /Auditlog[\s\S]*Kies 30 tot 3.650 dagen; standaard is 365\./);
    await expectNoViolationsInAnyTheme(host, tab, axeSource, 'privacy settings in Dutch');
  });

  it('shows no entry to a plain member, and refuses the page', async () => {
    let tab;
    ({ host, tab } = await rig.openTab(ANOUK, { hash: '#/admin/privacy' }));
    await tab.getByRole('heading', { level: 1, name: 'Privacy settings' }).waitFor();
    await tab.getByTestId('error-message').waitFor();
    await tab.getByRole('link', { name: 'Home' }).waitFor();
    assert.equal(await tab.getByRole('link', { name: 'Privacy settings' }).count(), 0);
    assert.equal(await tab.getByTestId('privacy-settings-form').count(), 0);
  });
});
