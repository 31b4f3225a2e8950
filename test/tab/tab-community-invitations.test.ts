/**
 * The invitations page (issue 14) in the Teams host, signed in for real, against the local
 * Graph (users lookup and POST /invitations). A manager, in Dutch and with the keyboard only,
 * goes from the members page to the invitations page, pastes two addresses of people of the
 * tenant, one new guest and one malformed address, sends, reads each outcome in words,
 * withdraws one invitation and sends another again; every step is on the server. axe finds
 * nothing in the three themes. An admin turns installing the app off on the settings page.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { sharedAuditLog } from '../../src/audit/audit.port.js';
import { meentGraphClient } from '../../src/graph/graph-client.js';
import { GraphGuestInvitationsGateway } from '../../src/graph/guest-invitations-gateway.js';
import { ApiSpec } from '../../src/http/api-spec.js';
import { InvitationModel } from '../../src/invitations/invitation.model.js';
import { InvitationService } from '../../src/invitations/invitation.service.js';
import { invitationsRouter } from '../../src/invitations/invitations.routes.js';
import { createLogger } from '../../src/logging/logger.js';
import { reachSettingsRouter } from '../../src/notifications/reach-settings.routes.js';
import { ReachSettingsModel } from '../../src/notifications/reach-settings.model.js';
import { TeamsReach } from '../../src/notifications/teams-reach.js';
import { startGraphServer, type GraphServer } from '../support/graph-server.js';
import type { TeamsHost } from '../support/teams-host.js';
import { ANOUK, CHANTAL, TENANT, seedCommunity, seedPerson, useEntraTabRig, type RigModules } from './entra-tab-rig.js';
import { expectNoViolationsInAnyTheme, liveRegionSays, tabUntilFocused } from './tab-fixtures.js';

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const GRAPH_TOKEN = 'graph-app-token-tab-invitations-0123456789';
const seeded = { community: '' };

describe('tab: invitations by e-mail', function () {
  this.timeout(300_000);
  let graph: GraphServer;
  // Simulated time for Graph's pacing: nothing here waits on the real clock.
  let sim = 5_000_000;
  before(async () => {
    graph = await startGraphServer({ validToken: GRAPH_TOKEN, now: () => sim });
  });
  after(async () => {
    await graph?.stop();
  });

  const rig = useEntraTabRig({
    seed: async (modules: RigModules) => {
      for (const p of [ANOUK, CHANTAL]) await seedPerson(p);
      seeded.community = await seedCommunity(modules, { name: 'Burgerpanel', visibility: 'closed', guestsAllowed: true, members: [{ person: CHANTAL, role: 'manager' }, { person: ANOUK, role: 'member' }] });
    },
    routers: (m) => {
      const gateway = new GraphGuestInvitationsGateway({
        graph: meentGraphClient({ baseUrl: graph.baseUrl, getAccessToken: async () => GRAPH_TOKEN }),
        now: () => sim,
        sleep: async (ms) => {
          sim += ms;
        },
      });
      const invitations = new InvitationService({ memberships: m.communities.services.memberships, audit: sharedAuditLog({ logger: createLogger('silent') }), gatewayFor: () => gateway, guestsAllowed: true, publicUrl: 'https://meent.example' });
      // On by the deployment's default, but with no catalogue app id and no mailbox: what the admin page must say.
      const reach = new TeamsReach({ addresses: async () => null, autoInstall: true });
      const audit = sharedAuditLog({ logger: createLogger('silent') });
      return [m.analytics, m.events, m.communities, m.consultations, { apiRouters: [invitationsRouter(new ApiSpec(), { invitations }), reachSettingsRouter(new ApiSpec(), { reach, audit })] }];
    },
  });
  let host: TeamsHost | undefined;
  afterEach(async () => {
    await host?.close();
    host = undefined;
  });

  it('a manager invites by keyboard only in Dutch, reads the outcomes, withdraws one and sends one again', async () => {
    graph.addUser({ mail: 'femke.smit@waterschap.example', displayName: 'Femke Smit' });
    graph.addUser({ mail: 'gerrit.bos@waterschap.example', displayName: 'Gerrit Bos' });
    let tab;
    ({ host, tab } = await rig.openTab(CHANTAL, { hash: `#/communities/${seeded.community}/members`, context: { locale: 'nl-nl' } }));
    await tab.getByRole('heading', { level: 1, name: 'Leden' }).waitFor();
    await tab.evaluate('window.focus()');
    const keys = host.page.keyboard;
    await tabUntilFocused(host, tab, 'invite-by-email-link');
    await keys.press('Enter');
    await tab.getByRole('heading', { level: 1, name: 'Uitnodigen per e-mail' }).waitFor();
    await tab.getByText('Nog geen uitnodigingen').waitFor();
    await expectNoViolationsInAnyTheme(host, tab, axeSource, 'the empty invitations page');

    await tabUntilFocused(host, tab, 'invite-addresses');
    await keys.type('femke.smit@waterschap.example; gerrit.bos@waterschap.example');
    await keys.press('Enter');
    await keys.type('boer.jansen@boerderij.example, geen-adres');
    await tabUntilFocused(host, tab, 'invite-send', 4);
    await keys.press('Enter');
    await liveRegionSays(tab, 'Uitnodigingen verwerkt: 4 adressen. Hieronder staat per adres hoe het afliep.');

    const outcomes = await tab.getByTestId('invite-outcomes').innerText();
    assert.match(outcomes, /femke\.smit@waterschap\.example\s+Uitgenodigd als lid van de organisatie\./);
    assert.match(outcomes, /gerrit\.bos@waterschap\.example\s+Uitgenodigd als lid van de organisatie\./);
    assert.match(outcomes, /boer\.jansen@boerderij\.example\s+Uitgenodigd als gast; er komt een e-mail van Microsoft\./);
    assert.match(outcomes, /geen-adres\s+Geen geldig e-mailadres\./);
    assert.equal(await tab.getByTestId('invite-addresses').inputValue(), '', 'the sent text is cleared');
    await tab.getByTestId('invitations-list').waitFor();
    await expectNoViolationsInAnyTheme(host, tab, axeSource, 'the outcomes and the invitations');

    const stored = await InvitationModel.find({ communityId: seeded.community }).lean();
    assert.deepEqual(stored.map((i) => i.state).sort(), ['pending', 'pending', 'pending']);
    const femke = stored.find((i) => i.email === 'femke.smit@waterschap.example');
    const guest = stored.find((i) => i.email === 'boer.jansen@boerderij.example');
    assert.ok(femke && guest);

    // Withdraw Femke's invitation.
    await tabUntilFocused(host, tab, `withdraw-${String(femke._id)}`);
    await keys.press('Enter');
    await liveRegionSays(tab, 'De uitnodiging aan femke.smit@waterschap.example is ingetrokken.');
    assert.equal((await InvitationModel.findById(femke._id).lean())?.state, 'withdrawn');
    await tab.getByTestId(`invitation-${String(femke._id)}`).getByText(/^Ingetrokken/).waitFor();

    // Send the guest's invitation again.
    await tabUntilFocused(host, tab, `resend-${String(guest._id)}`);
    await keys.press('Enter');
    await tab.waitForFunction(() => document.querySelector('[data-testid="live-region"]')?.textContent?.startsWith('Uitnodiging aan boer.jansen@boerderij.example: '));
    // Sending again invites anew: the invitation gets a new id, the count goes on.
    const again = await InvitationModel.findOne({ communityId: seeded.community, email: 'boer.jansen@boerderij.example' }).lean();
    assert.deepEqual([again?.state, again?.sends], ['pending', 2]);
    await tab.getByTestId(`invitation-${String(again?._id)}`).getByText(/2 keer verstuurd/).waitFor();
  });

  it('keeps the pasted text when sending is refused', async () => {
    let tab;
    ({ host, tab } = await rig.openTab(CHANTAL, { hash: `#/communities/${seeded.community}/invitations` }));
    await tab.getByRole('heading', { level: 1, name: 'Invite by e-mail' }).waitFor();
    const tooMany = Array.from({ length: 201 }, (_, i) => `p${i}@x.example`).join('\n');
    await tab.getByTestId('invite-addresses').fill(tooMany);
    await tab.getByTestId('invite-send').click();
    await tab.getByTestId('invite-by-email').getByTestId('error-message').waitFor();
    await tab.getByText('At most 200 addresses at a time. Split the list and send the rest afterwards.').waitFor();
    assert.equal(await tab.getByTestId('invite-addresses').inputValue(), tooMany);
  });

  it('shows a plain member no invitation tools', async () => {
    let tab;
    ({ host, tab } = await rig.openTab(ANOUK, { hash: `#/communities/${seeded.community}/invitations` }));
    await tab.getByText('Only the managers of this community invite people by e-mail.').waitFor();
    assert.equal(await tab.getByTestId('invite-by-email').count(), 0);
  });

  it('an organisation admin turns installing the app off on the settings page, by keyboard', async () => {
    let tab;
    ({ host, tab } = await rig.openTab(CHANTAL, { hash: '#/admin/settings' }));
    await tab.getByRole('heading', { name: 'Reaching people without the app' }).waitFor();
    await tab.getByText(/no app id of the organisation’s app catalogue is configured/).waitFor();
    await tab.getByText(/get no message: no mailbox is configured/).waitFor();
    assert.equal(await tab.getByTestId('reach-auto-install').isChecked(), true, 'the deployment default');
    await tab.evaluate('window.focus()');
    await tabUntilFocused(host, tab, 'reach-auto-install');
    await host.page.keyboard.press('Space');
    await liveRegionSays(tab, 'The setting for installing the app was saved.');
    assert.equal((await ReachSettingsModel.findOne({ tenantId: TENANT }).lean())?.autoInstall, false);
    assert.equal(await tab.getByTestId('reach-auto-install').isChecked(), false);
    await expectNoViolationsInAnyTheme(host, tab, axeSource, 'the admin settings with the reach switch');
  });
});
