/**
 * Inviting by e-mail on an invite-only event's page (issue 14), in the Teams host, signed in
 * for real, against the local Graph. The organiser opens the page at the guests' landing URL
 * (`#/events/<id>`), and with the keyboard only pastes an address of a person of the tenant,
 * a new guest and a malformed one, sends, reads each outcome in words, sees the person among
 * the attendees and withdraws the guest's pending invitation; every step is on the server.
 * axe finds nothing in the three themes. A plain member sees no such section.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { sharedAuditLog } from '../../src/audit/audit.port.js';
import { RegistrationModel } from '../../src/events/registration.model.js';
import { ApiSpec } from '../../src/http/api-spec.js';
import { InvitationModel } from '../../src/invitations/invitation.model.js';
import { InvitationService } from '../../src/invitations/invitation.service.js';
import { invitationsRouter } from '../../src/invitations/invitations.routes.js';
import { createLogger } from '../../src/logging/logger.js';
import { simulatedGateway, type SimulatedTime } from '../invitations/simulated-gateway.js';
import { startGraphServer, type GraphServer } from '../support/graph-server.js';
import type { TeamsHost } from '../support/teams-host.js';
import { ANOUK, CHANTAL, actorOf, seedCommunity, seedPerson, useEntraTabRig, type RigModules } from './entra-tab-rig.js';
import { expectNoViolationsInAnyTheme, liveRegionSays, tabUntilFocused } from './tab-fixtures.js';

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const GRAPH_TOKEN = 'graph-app-token-tab-event-invitations-0123456789';
const DAY = 86_400_000;
const seeded = { event: '' };

describe('tab: invitations by e-mail to an event', function () {
  this.timeout(300_000);
  let graph: GraphServer;
  // Simulated time for Graph's pacing: nothing here waits on the real clock.
  const sim: SimulatedTime = { ms: 5_000_000 };
  before(async () => {
    graph = await startGraphServer({ validToken: GRAPH_TOKEN, now: () => sim.ms });
  });
  after(async () => {
    await graph?.stop();
  });

  const rig = useEntraTabRig({
    seed: async (modules: RigModules) => {
      for (const p of [ANOUK, CHANTAL]) await seedPerson(p);
      const community = await seedCommunity(modules, { name: 'Burgerpanel', visibility: 'closed', guestsAllowed: true, members: [{ person: CHANTAL, role: 'manager' }, { person: ANOUK, role: 'member' }] });
      // Ten days ahead of now: the page shows sign-up as open; nothing asserted depends on the date.
      const start = new Date(Date.now() + 10 * DAY);
      const event = await modules.events.services.events.create(
        actorOf(CHANTAL),
        { title: 'Sessie burgerpanel', start, end: new Date(start.getTime() + 90 * 60_000), timeZone: 'Europe/Amsterdam', location: { name: 'Gemeentehuis' }, signupMethod: 'invite', capacity: 10, guestsAllowed: true },
        community,
      );
      seeded.event = event.id;
    },
    routers: (m) => {
      const invitations = new InvitationService({
        memberships: m.communities.services.memberships,
        signups: m.events.services.signups,
        audit: sharedAuditLog({ logger: createLogger('silent') }),
        gatewayFor: () => simulatedGateway(graph, GRAPH_TOKEN, sim),
        guestsAllowed: true,
        publicUrl: 'https://meent.example',
      });
      return [m.analytics, m.events, m.communities, m.consultations, { apiRouters: [invitationsRouter(new ApiSpec(), { invitations })] }];
    },
  });
  let host: TeamsHost | undefined;
  afterEach(async () => {
    await host?.close();
    host = undefined;
  });

  it('an organiser invites by keyboard only in Dutch, reads the outcomes and withdraws the guest’s invitation', async () => {
    const femke = graph.addUser({ mail: 'femke.smit@waterschap.example', displayName: 'Femke Smit' });
    let tab;
    ({ host, tab } = await rig.openTab(CHANTAL, { hash: `#/events/${seeded.event}`, context: { locale: 'nl-nl' } }));
    await tab.getByRole('heading', { level: 1, name: 'Sessie burgerpanel' }).waitFor();
    await tab.getByTestId('event-email-invitations').getByRole('heading', { level: 2, name: 'Uitnodigen per e-mail' }).waitFor();
    await tab.getByText('Nog geen uitnodigingen').waitFor();
    await expectNoViolationsInAnyTheme(host, tab, axeSource, 'the event page with its invitations section');

    await tab.evaluate('window.focus()');
    const keys = host.page.keyboard;
    await tabUntilFocused(host, tab, 'invite-addresses');
    await keys.type('femke.smit@waterschap.example; boer.jansen@boerderij.example');
    await keys.press('Enter');
    await keys.type('geen-adres');
    await tabUntilFocused(host, tab, 'invite-send', 4);
    await keys.press('Enter');
    await liveRegionSays(tab, 'Uitnodigingen verwerkt: 3 adressen. Hieronder staat per adres hoe het afliep.');

    const outcomes = await tab.getByTestId('invite-outcomes').innerText();
    assert.match(outcomes, /femke\.smit@waterschap\.example\s+Aangemeld voor de bijeenkomst; er is een plaats\./);
    assert.match(outcomes, /boer\.jansen@boerderij\.example\s+Uitgenodigd als gast; er komt een e-mail van Microsoft\./);
    assert.match(outcomes, /geen-adres\s+Geen geldig e-mailadres\./);
    assert.equal(await tab.getByTestId('invite-addresses').inputValue(), '', 'the sent text is cleared');
    assert.equal((await RegistrationModel.findOne({ eventId: seeded.event, userId: femke.id }).lean())?.status, 'registered');
    // The attendee list, read again with the event, names her.
    await tab.getByTestId('attendee-list').getByText('Femke Smit').waitFor();
    await tab.getByTestId('invitations-list').waitFor();
    await expectNoViolationsInAnyTheme(host, tab, axeSource, 'the outcomes and the event invitations');

    const guest = await InvitationModel.findOne({ eventId: seeded.event, email: 'boer.jansen@boerderij.example' }).lean();
    assert.equal(guest?.state, 'pending');
    await tabUntilFocused(host, tab, `withdraw-${String(guest?._id)}`);
    await keys.press('Enter');
    await liveRegionSays(tab, 'De uitnodiging aan boer.jansen@boerderij.example is ingetrokken.');
    assert.equal((await InvitationModel.findById(guest?._id).lean())?.state, 'withdrawn');
    await tab.getByTestId(`invitation-${String(guest?._id)}`).getByText(/^Ingetrokken/).waitFor();
  });

  it('shows a plain member of the community no invitation section', async () => {
    let tab;
    ({ host, tab } = await rig.openTab(ANOUK, { hash: `#/event/${seeded.event}` }));
    await tab.getByRole('heading', { level: 1, name: 'Sessie burgerpanel' }).waitFor();
    await tab.getByTestId('signup-status').getByText('This session is by invitation only.').waitFor();
    assert.equal(await tab.getByTestId('event-email-invitations').count(), 0);
  });
});
