/**
 * The configuration page of the channel, chat and meeting tab, driven through the Teams
 * host's save flow against the real communities API (signed in for real): the choice is
 * saved with `settings.setSettings`, Save is enabled only for a complete choice, a new or
 * chosen community is pinned to the team and channel, and a failed save keeps the input and shows
 * the API's message next to the field.
 */
import assert from 'node:assert/strict';
import { CommunityModel } from '../../src/communities/community.model.js';
import type { TeamsHost } from '../support/teams-host.js';
import { ANOUK, CHANTAL, seedCommunity, seedPerson, useEntraTabRig } from './entra-tab-rig.js';

const CHANNEL_ID = '19:a1b2c3d4e5f6@thread.tacv2';
const GROUP_ID = 'f2c1e0d9-0000-4000-8000-00000000abcd';

describe('tab configuration page', function () {
  this.timeout(60_000);
  const ids = { mestbeleid: '' };
  const rig = useEntraTabRig({
    seed: async (modules) => {
      for (const p of [ANOUK, CHANTAL]) await seedPerson(p);
      await seedCommunity(modules, { name: 'Bodem en water', visibility: 'public', members: [{ person: CHANTAL, role: 'manager' }] });
      ids.mestbeleid = await seedCommunity(modules, { name: 'Mestbeleid waterschap', visibility: 'closed', members: [{ person: CHANTAL, role: 'manager' }] });
      // Visible to Chantal, but not hers: not offered for pinning.
      await seedCommunity(modules, { name: 'Klimaatadaptatie', visibility: 'public', members: [{ person: ANOUK, role: 'manager' }] });
    },
  });
  let host: TeamsHost | undefined;

  afterEach(async () => {
    await host?.close();
    host = undefined;
  });

  async function openConfig(options: { locale?: string; meetingId?: string } = {}) {
    const opened = await rig.openTab(CHANTAL, { hash: '#/config', context: { frameContext: 'settings', teamId: '19:team@thread.tacv2', groupId: GROUP_ID, channelId: CHANNEL_ID, ...options } });
    host = opened.host;
    await opened.tab.getByRole('heading', { level: 1 }).waitFor();
    return opened;
  }

  it('saves the chosen community through the host, with Save enabled only once one is chosen', async () => {
    const { host, tab } = await openConfig();
    const select = tab.getByTestId('community-select');
    await select.waitFor();
    assert.ok(await tab.getByText('this channel').count(), 'the page names where the tab goes');
    assert.equal((await host.state()).validity, false, 'Save is disabled before a choice');
    assert.ok((await host.state()).registered.includes('save'), 'the page handles Save');
    await host.screenshot('config-channel');

    assert.deepEqual((await select.locator('option').allInnerTexts()).slice(1).sort(), ['Bodem en water', 'Mestbeleid waterschap'], 'only communities Chantal belongs to');
    await select.selectOption({ label: 'Mestbeleid waterschap' });
    await host.page.waitForFunction('window.teamsHost.state.validity === true');

    const outcome = await host.save();
    assert.deepEqual(outcome, { ok: true });
    const { settings } = await host.state();
    const url = `${rig.server.origin}/tab/index.html#/community/${ids.mestbeleid}`;
    assert.deepEqual(settings, { entityId: `community-${ids.mestbeleid}`, contentUrl: url, websiteUrl: url, suggestedDisplayName: 'Mestbeleid waterschap' });
    const pinned = await CommunityModel.findById(ids.mestbeleid).lean();
    assert.deepEqual([pinned?.teamId, pinned?.channelId], [GROUP_ID, CHANNEL_ID], 'the chosen community is pinned to the channel, as a new one is');
  });

  it('creates a new community: an invalid name is shown next to the field, nothing typed is lost, and a corrected save succeeds', async () => {
    const { host, tab } = await openConfig();
    await tab.getByRole('radio', { name: 'A new community' }).check();
    const name = tab.getByTestId('community-name');
    const description = tab.getByTestId('community-description');
    // A pasted name with a control character in it: the API refuses it, for the name field.
    await name.fill('Ni\u0007');
    await description.fill('Metingen van nitraat in oppervlaktewater');
    await tab.getByRole('radio', { name: /^Secret/ }).check();
    await host.page.waitForFunction('window.teamsHost.state.validity === true');

    const failed = await host.save();
    assert.deepEqual(failed, { ok: false, reason: 'The tab could not be saved.' });
    const message = tab.getByText('This cannot hold control characters (such as a pasted tab or bell).');
    await message.waitFor();
    assert.equal(await name.getAttribute('aria-invalid'), 'true');
    const describedBy = (await name.getAttribute('aria-describedby')) ?? '';
    const messageId = await message.getAttribute('id');
    assert.ok(messageId && describedBy.split(' ').includes(messageId), 'the message is tied to the field');
    assert.equal(await name.inputValue(), 'Ni\u0007', 'the name is kept');
    assert.equal(await description.inputValue(), 'Metingen van nitraat in oppervlaktewater', 'the description is kept');
    assert.ok(await tab.getByRole('radio', { name: /^Secret/ }).isChecked(), 'the visibility is kept');
    assert.equal(await tab.evaluate('document.activeElement.getAttribute("data-testid")'), 'community-name', 'focus moved to the field to fix');
    assert.equal((await host.state()).settings, undefined, 'nothing was saved in Teams');
    await host.screenshot('config-invalid-name');

    await name.fill('Nitraat meten');
    const saved = await host.save();
    assert.deepEqual(saved, { ok: true });
    const { settings } = await host.state();
    const stored = await CommunityModel.find({ name: /^Ni/ }).lean();
    assert.equal(stored.length, 1, 'the refused attempt stored nothing');
    const community = stored[0]!;
    assert.deepEqual(
      { name: community.name, visibility: community.visibility, description: community.description?.source, teamId: community.teamId, channelId: community.channelId },
      { name: 'Nitraat meten', visibility: 'secret', description: 'Metingen van nitraat in oppervlaktewater', teamId: GROUP_ID, channelId: CHANNEL_ID },
    );
    assert.equal((settings as { contentUrl: string }).contentUrl, `${rig.server.origin}/tab/index.html#/community/${String(community._id)}`);
    assert.equal((settings as { suggestedDisplayName: string }).suggestedDisplayName, 'Nitraat meten');
  });

  it('does not create the community twice when Teams fails to store the tab and the user saves again', async () => {
    const { host, tab } = await openConfig({ meetingId: 'MCMxOTptZWV0aW5n' });
    assert.ok(await tab.getByText('this meeting').count());
    await tab.getByRole('radio', { name: 'A new community' }).check();
    await tab.getByTestId('community-name').fill('Kennissessie drainage');
    await host.failSetSettings(true);

    assert.equal((await host.save()).ok, false);
    await tab.getByTestId('error-message').waitFor();

    await host.failSetSettings(false);
    assert.deepEqual(await host.save(), { ok: true });
    assert.equal(await CommunityModel.countDocuments({ name: 'Kennissessie drainage' }), 1, 'one community for two saves');
  });

  it('speaks Dutch on the configuration page', async () => {
    const { tab } = await openConfig({ locale: 'nl-nl' });
    await tab.getByRole('heading', { level: 1, name: 'Een community aan dit tabblad koppelen' }).waitFor();
    assert.ok(await tab.getByRole('radio', { name: 'Een nieuwe community' }).count());
    assert.ok(await tab.getByText('dit kanaal').count());
  });
});
