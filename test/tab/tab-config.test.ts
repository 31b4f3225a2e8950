/**
 * The configuration page of the channel, chat and meeting tab, driven through the Teams
 * host's save flow: the choice is saved with `settings.setSettings`, Save is enabled only
 * for a complete choice, and a failed save keeps the input and shows the API's message next
 * to the field.
 */
import assert from 'node:assert/strict';
import { TeamsHost } from '../support/teams-host.js';
import { communitiesStandIn, identityStandIn, useTabRig } from './tab-fixtures.js';

const CHANNEL_ID = '19:a1b2c3d4e5f6@thread.tacv2';
const GROUP_ID = 'f2c1e0d9-0000-4000-8000-00000000abcd';

describe('tab configuration page', function () {
  this.timeout(60_000);
  const identity = identityStandIn();
  const communities = communitiesStandIn();
  const rig = useTabRig(() => ({ authenticate: identity.authenticate, apiRouters: [identity.meRouter, communities.router] }));
  let host: TeamsHost | undefined;

  afterEach(async () => {
    await host?.close();
    host = undefined;
  });

  async function openConfig(options: { locale?: string; meetingId?: string } = {}) {
    host = await TeamsHost.open(rig.browser, {
      tabUrl: rig.server.tabUrl('#/config'),
      token: identity.token,
      context: { frameContext: 'settings', teamId: '19:team@thread.tacv2', groupId: GROUP_ID, channelId: CHANNEL_ID, ...options },
    });
    const tab = await host.tab();
    await tab.getByRole('heading', { level: 1 }).waitFor();
    return { host, tab };
  }

  it('saves the chosen community through the host, with Save enabled only once one is chosen', async () => {
    const { host, tab } = await openConfig();
    const select = tab.getByTestId('community-select');
    await select.waitFor();
    assert.ok(await tab.getByText('this channel').count(), 'the page names where the tab goes');
    assert.equal((await host.state()).validity, false, 'Save is disabled before a choice');
    assert.ok((await host.state()).registered.includes('save'), 'the page handles Save');
    await host.screenshot('config-channel');

    await select.selectOption({ label: 'Mestbeleid waterschap' });
    await host.page.waitForFunction('window.teamsHost.state.validity === true');

    const outcome = await host.save();
    assert.deepEqual(outcome, { ok: true });
    const { settings } = await host.state();
    const url = `${rig.server.origin}/tab/index.html#/community/6650a1b2c3d4e5f601234568`;
    assert.deepEqual(settings, { entityId: 'community-6650a1b2c3d4e5f601234568', contentUrl: url, websiteUrl: url, suggestedDisplayName: 'Mestbeleid waterschap' });
  });

  it('creates a new community: an invalid name is shown next to the field, nothing typed is lost, and a corrected save succeeds', async () => {
    const createdBefore = communities.created.length;
    const { host, tab } = await openConfig();
    await tab.getByRole('radio', { name: 'A new community' }).check();
    const name = tab.getByTestId('community-name');
    const description = tab.getByTestId('community-description');
    await name.fill('Ni');
    await description.fill('Metingen van nitraat in oppervlaktewater');
    await tab.getByRole('radio', { name: /^Secret/ }).check();
    await host.page.waitForFunction('window.teamsHost.state.validity === true');

    const failed = await host.save();
    assert.deepEqual(failed, { ok: false, reason: 'The tab could not be saved.' });
    const message = tab.getByText('Use at least 3 characters.');
    await message.waitFor();
    assert.equal(await name.getAttribute('aria-invalid'), 'true');
    const describedBy = (await name.getAttribute('aria-describedby')) ?? '';
    const messageId = await message.getAttribute('id');
    assert.ok(messageId && describedBy.split(' ').includes(messageId), 'the message is tied to the field');
    assert.equal(await name.inputValue(), 'Ni', 'the name is kept');
    assert.equal(await description.inputValue(), 'Metingen van nitraat in oppervlaktewater', 'the description is kept');
    assert.ok(await tab.getByRole('radio', { name: /^Secret/ }).isChecked(), 'the visibility is kept');
    assert.equal(await tab.evaluate('document.activeElement.getAttribute("data-testid")'), 'community-name', 'focus moved to the field to fix');
    assert.equal((await host.state()).settings, undefined, 'nothing was saved in Teams');
    await host.screenshot('config-invalid-name');

    await name.fill('Nitraat meten');
    const saved = await host.save();
    assert.deepEqual(saved, { ok: true });
    const { settings } = await host.state();
    assert.equal((settings as { contentUrl: string }).contentUrl, `${rig.server.origin}/tab/index.html#/community/6650a1b2c3d4e5f60123ffff`);
    assert.equal((settings as { suggestedDisplayName: string }).suggestedDisplayName, 'Nitraat meten');
    assert.deepEqual(communities.created.slice(createdBefore), [
      { name: 'Ni', visibility: 'secret', description: 'Metingen van nitraat in oppervlaktewater', teamId: GROUP_ID, channelId: CHANNEL_ID },
      { name: 'Nitraat meten', visibility: 'secret', description: 'Metingen van nitraat in oppervlaktewater', teamId: GROUP_ID, channelId: CHANNEL_ID },
    ]);
  });

  it('does not create the community twice when Teams fails to store the tab and the user saves again', async () => {
    const createdBefore = communities.created.length;
    const { host, tab } = await openConfig({ meetingId: 'MCMxOTptZWV0aW5n' });
    assert.ok(await tab.getByText('this meeting').count());
    await tab.getByRole('radio', { name: 'A new community' }).check();
    await tab.getByTestId('community-name').fill('Kennissessie drainage');
    await host.failSetSettings(true);

    assert.equal((await host.save()).ok, false);
    await tab.getByTestId('error-message').waitFor();

    await host.failSetSettings(false);
    assert.deepEqual(await host.save(), { ok: true });
    assert.equal(communities.created.length - createdBefore, 1, 'one POST /communities for two saves');
  });

  it('speaks Dutch on the configuration page', async () => {
    const { tab } = await openConfig({ locale: 'nl-nl' });
    await tab.getByRole('heading', { level: 1, name: 'Een community aan dit tabblad koppelen' }).waitFor();
    assert.ok(await tab.getByRole('radio', { name: 'Een nieuwe community' }).count());
    assert.ok(await tab.getByText('dit kanaal').count());
  });
});
