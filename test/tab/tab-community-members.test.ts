/**
 * A community's members page and settings in the Teams host, signed in for real. A manager,
 * with the keyboard only, goes from the community to its members page, invites a colleague
 * found by name, makes a member manager, approves a request, blocks someone and unblocks them
 * again, and searches the members; every step is on the server. The settings page changes
 * who may join and pins the community to the channel the tab is open in. axe finds nothing in
 * the three themes; the pages speak Dutch; a plain member sees no manager tools.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { CommunityModel } from '../../src/communities/community.model.js';
import { MembershipModel } from '../../src/communities/membership.model.js';
import { GraphDirectoryGateway } from '../../src/graph/directory-gateway.js';
import { createGraphClient } from '../../src/graph/graph-client.js';
import { UserModel } from '../../src/members/user.model.js';
import { startGraphServer, type GraphServer } from '../support/graph-server.js';
import type { TeamsHost } from '../support/teams-host.js';
import { actorOf, ANOUK, BRAM, CHANTAL, DIRK, seedCommunity, seedPerson, useEntraTabRig, type RigModules, type TestPerson } from './entra-tab-rig.js';
import { expectNoViolationsInAnyTheme, liveRegionSays, tabUntilFocused } from './tab-fixtures.js';

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const EVA: TestPerson = { oid: 'a1b2c3d4-0000-4000-8000-000000000005', name: 'Eva Mulder', upn: 'eva.mulder@waterschap.example', organisation: 'Gemeente Lochem' };
const CHANNEL_ID = '19:b2c3d4e5f6a1@thread.tacv2';
const GROUP_ID = 'f2c1e0d9-0000-4000-8000-00000000beef';
const seeded = { community: '' };
/** In the organisation's directory (the Graph stand-in) only: she never used Meent. */
const FEMKE = { id: 'a1b2c3d4-0000-4000-8000-0000000000f1', displayName: 'Femke de Jong', jobTitle: 'Ecoloog', mail: 'femke.dejong@waterschap.example', userPrincipalName: 'femke.dejong@waterschap.example', userType: 'Member' as const };
const organisation: { graph?: GraphServer; directory?: GraphDirectoryGateway } = {};

async function seed(modules: RigModules): Promise<void> {
  for (const p of [ANOUK, BRAM, CHANTAL, DIRK, EVA]) await seedPerson(p);
  seeded.community = await seedCommunity(modules, {
    name: 'Peilbeheer',
    visibility: 'closed',
    members: [
      { person: CHANTAL, role: 'manager' },
      { person: ANOUK, role: 'member' },
      { person: BRAM, role: 'member' },
    ],
  });
  await modules.communities.services.memberships.add(actorOf(EVA), seeded.community, { message: 'Ik werk aan het peilbesluit.' });
}

async function membership(person: TestPerson) {
  return MembershipModel.findOne({ userId: person.oid }).lean();
}

describe('tab: members page and community settings', function () {
  this.timeout(300_000);
  before(async () => {
    organisation.graph = await startGraphServer();
    organisation.graph.addUser(FEMKE);
    organisation.directory = new GraphDirectoryGateway({ graph: createGraphClient({ baseUrl: organisation.graph.baseUrl, getAccessToken: async () => 'app-token', retry: { baseDelayMs: 5, maxDelayMs: 20, maxAttempts: 2 } }) });
  });
  after(async () => {
    await organisation.graph?.stop();
  });
  const rig = useEntraTabRig({ seed, directoryFor: () => organisation.directory });
  let host: TeamsHost | undefined;
  afterEach(async () => {
    await host?.close();
    host = undefined;
  });

  it('a manager invites, promotes, approves, blocks and unblocks with the keyboard only', async () => {
    let tab;
    ({ host, tab } = await rig.openTab(CHANTAL, { hash: `#/community/${seeded.community}` }));
    await tab.getByRole('heading', { level: 1, name: 'Peilbeheer' }).waitFor();
    await tab.evaluate('window.focus()');
    await tabUntilFocused(host, tab, 'manage-members');
    await host.page.keyboard.press('Enter');
    await tab.getByRole('heading', { level: 1, name: 'Members' }).waitFor();
    await tab.getByTestId('members-active').waitFor();
    const keys = host.page.keyboard;

    // Invite a colleague found by name.
    await tabUntilFocused(host, tab, 'invite-search');
    await keys.type('dirk');
    await tab.getByTestId(`invite-${DIRK.oid}`).waitFor();
    await tabUntilFocused(host, tab, `invite-${DIRK.oid}`);
    await keys.press('Enter');
    await liveRegionSays(tab, 'Dirk Visser was invited.');
    assert.equal((await membership(DIRK))?.status, 'invited');
    await expectNoViolationsInAnyTheme(host, tab, axeSource, 'the members page with invite results');

    // Invite someone of the organisation who never used Meent, found in the directory.
    await tabUntilFocused(host, tab, 'invite-search');
    await keys.press('Control+A');
    await keys.type('femke de');
    await tab.getByTestId(`invite-${FEMKE.id}`).waitFor();
    await tabUntilFocused(host, tab, `invite-${FEMKE.id}`);
    await keys.press('Enter');
    await liveRegionSays(tab, 'Femke de Jong was invited.');
    assert.equal((await MembershipModel.findOne({ userId: FEMKE.id }).lean())?.status, 'invited');
    assert.equal((await UserModel.findOne({ userId: FEMKE.id }).lean())?.displayName, 'Femke de Jong');
    assert.ok(organisation.graph?.requests.some((r) => r.query.get('$search') === '"displayName:femke de"'));

    // Make Bram manager.
    await tabUntilFocused(host, tab, `role-${BRAM.oid}`);
    await keys.press('Enter');
    await liveRegionSays(tab, 'Bram Jansen is now a manager.');
    assert.equal((await membership(BRAM))?.role, 'manager');

    // Block Anouk: asked first, then done.
    await tabUntilFocused(host, tab, `block-${ANOUK.oid}`);
    await keys.press('Enter');
    await tab.getByRole('dialog', { name: 'Block Anouk de Vries?' }).waitFor();
    await expectNoViolationsInAnyTheme(host, tab, axeSource, 'the block dialog');
    await tabUntilFocused(host, tab, 'confirm-member-action', 6);
    await keys.press('Enter');
    await liveRegionSays(tab, 'Anouk de Vries is blocked.');
    assert.equal((await membership(ANOUK))?.status, 'blocked');
    assert.equal(await tab.getByTestId('members-active').getByText('Anouk de Vries').count(), 0, 'gone from the members');

    // The requests: approve Eva.
    await tabUntilFocused(host, tab, 'members-tab-active');
    await keys.press('ArrowRight');
    await keys.press('Enter');
    await tab.getByTestId('members-requested').waitFor();
    assert.match(await tab.getByTestId('members-requested').innerText(), /Eva Mulder[\s\S]*Ik werk aan het peilbesluit\./);
    await tabUntilFocused(host, tab, `approve-${EVA.oid}`);
    await keys.press('Enter');
    await liveRegionSays(tab, 'Eva Mulder is now a member.');
    assert.equal((await membership(EVA))?.status, 'active');

    // The blocked: unblock Anouk.
    await tabUntilFocused(host, tab, 'members-tab-requested');
    await keys.press('ArrowRight');
    await keys.press('ArrowRight');
    await keys.press('Enter');
    await tab.getByTestId('members-blocked').waitFor();
    await expectNoViolationsInAnyTheme(host, tab, axeSource, 'the blocked people');
    await tabUntilFocused(host, tab, `unblock-${ANOUK.oid}`);
    await keys.press('Enter');
    await liveRegionSays(tab, 'Anouk de Vries is no longer blocked.');
    assert.equal(await membership(ANOUK), null, 'unblocking ends the membership record');

    // Search the members.
    await tabUntilFocused(host, tab, 'members-tab-blocked');
    await keys.press('Home');
    await keys.press('Enter');
    await tab.getByTestId('members-active').waitFor();
    await tabUntilFocused(host, tab, 'members-search');
    await keys.type('bram');
    await tab.waitForFunction(() => document.querySelectorAll('[data-testid="members-active"] [data-list-item]').length === 1);
    assert.match(await tab.getByTestId('members-active').innerText(), /Bram Jansen/);
    await keys.type('zz');
    await tab.getByText('Nobody matches').waitFor();
  });

  it('changes who may join and pins the community to this channel from the settings page', async () => {
    let tab;
    ({ host, tab } = await rig.openTab(CHANTAL, { hash: `#/communities/${seeded.community}/settings`, context: { teamId: '19:team@thread.tacv2', groupId: GROUP_ID, channelId: CHANNEL_ID } }));
    await tab.getByRole('heading', { level: 1, name: 'Community settings' }).waitFor();
    await tab.getByText('The community is not pinned to a Teams channel.').waitFor();
    await tab.getByRole('radio', { name: /^Public/ }).check();
    await tab.getByTestId('settings-guests').check();
    await tab.getByTestId('settings-save').click();
    await liveRegionSays(tab, 'The settings were saved.');
    let stored = await CommunityModel.findById(seeded.community).lean();
    assert.deepEqual([stored?.visibility, stored?.guestsAllowed], ['public', true]);

    await tab.getByTestId('pin-here').click();
    await tab.getByText('The community is pinned to this channel.').first().waitFor();
    stored = await CommunityModel.findById(seeded.community).lean();
    assert.deepEqual([stored?.teamId, stored?.channelId], [GROUP_ID, CHANNEL_ID]);
    await expectNoViolationsInAnyTheme(host, tab, axeSource, 'the settings page');

    await tab.getByTestId('unpin-channel').click();
    await tab.getByText('The community is not pinned to a Teams channel.').waitFor();
    stored = await CommunityModel.findById(seeded.community).lean();
    assert.deepEqual([stored?.teamId ?? null, stored?.channelId ?? null], [null, null]);
  });

  it('speaks Dutch, and shows a plain member the list without manager tools', async () => {
    let tab;
    ({ host, tab } = await rig.openTab(CHANTAL, { hash: `#/communities/${seeded.community}/members`, context: { locale: 'nl-nl' } }));
    await tab.getByRole('heading', { level: 1, name: 'Leden' }).waitFor();
    await tab.getByRole('heading', { name: 'Mensen uitnodigen' }).waitFor();
    await tab.getByTestId('members-active').waitFor();
    await tab.getByRole('button', { name: 'Maak beheerder: Eva Mulder' }).waitFor();
    await expectNoViolationsInAnyTheme(host, tab, axeSource, 'the members page in Dutch');
    await host.close();

    ({ host, tab } = await rig.openTab(EVA, { hash: `#/communities/${seeded.community}/members` }));
    await tab.getByTestId('members-active').waitFor();
    assert.match(await tab.getByTestId('members-active').innerText(), /Chantal Bakker/);
    assert.equal(await tab.getByTestId('invite-people').count(), 0);
    assert.equal(await tab.getByTestId('members-tab-blocked').count(), 0);
    assert.equal(await tab.getByTestId(`role-${BRAM.oid}`).count(), 0);
  });
});
