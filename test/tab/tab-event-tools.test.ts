/**
 * An event's organiser tools in the Teams host, signed in for real: the organiser of an
 * invite-only event finds a colleague by name and invites her (she gets a seat, on the
 * server), adds a co-organiser (who then has the organiser tools) and takes him off again,
 * and approves a request for an on-request event. axe finds nothing in the three themes; the
 * tools speak Dutch.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { EventModel } from '../../src/events/event.model.js';
import { RegistrationModel } from '../../src/events/registration.model.js';
import type { TeamsHost } from '../support/teams-host.js';
import { actorOf, ANOUK, BRAM, CHANTAL, DIRK, seedCommunity, seedPerson, useEntraTabRig, type RigModules } from './entra-tab-rig.js';
import { expectNoViolationsInAnyTheme, liveRegionSays } from './tab-fixtures.js';

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const DAY = 24 * 60 * 60_000;
const seeded = { inviteOnly: '', onRequest: '' };

async function seed(modules: RigModules): Promise<void> {
  for (const p of [ANOUK, BRAM, CHANTAL, DIRK]) await seedPerson(p);
  const community = await seedCommunity(modules, {
    name: 'Bodem en water',
    visibility: 'public',
    members: [
      { person: CHANTAL, role: 'manager' },
      { person: ANOUK, role: 'member' },
      { person: BRAM, role: 'member' },
      { person: DIRK, role: 'member' },
    ],
  });
  // Placed well ahead of the run, so sign-up stays open whatever the machine's clock says.
  const start = new Date(Date.now() + 20 * DAY);
  start.setUTCHours(8, 0, 0, 0);
  const { events, signups } = modules.events.services;
  const organiser = actorOf(CHANTAL);
  seeded.inviteOnly = (await events.create(organiser, { title: 'Bestuurlijk overleg peilbesluit', start, end: new Date(start.getTime() + 60 * 60_000), timeZone: 'Europe/Amsterdam', location: { name: 'Waterschapshuis' }, capacity: 10, signupMethod: 'invite' }, community)).id;
  const later = new Date(start.getTime() + DAY);
  seeded.onRequest = (await events.create(organiser, { title: 'Veldbezoek stuwen', start: later, end: new Date(later.getTime() + 2 * 60 * 60_000), timeZone: 'Europe/Amsterdam', location: { name: 'Stuw Eefde' }, capacity: 5, signupMethod: 'request' }, community)).id;
  await signups.signUp(actorOf(DIRK), seeded.onRequest, { message: 'Ik beheer de stuwen in het oosten.' });
}

describe('tab: event organiser tools', function () {
  this.timeout(240_000);
  const rig = useEntraTabRig({ seed });
  let host: TeamsHost | undefined;
  afterEach(async () => {
    await host?.close();
    host = undefined;
  });

  it('the organiser invites a colleague to an invite-only event and adds and removes a co-organiser', async () => {
    let tab;
    ({ host, tab } = await rig.openTab(CHANTAL, { hash: `#/event/${seeded.inviteOnly}` }));
    await tab.getByRole('heading', { level: 1, name: 'Bestuurlijk overleg peilbesluit' }).waitFor();
    const invitees = tab.getByTestId('event-invitees');
    await invitees.getByRole('heading', { name: 'Invite people' }).waitFor();
    await invitees.getByTestId('event-invite-search').fill('anouk');
    await invitees.getByTestId(`event-invite-${ANOUK.oid}`).click();
    await liveRegionSays(tab, 'Anouk de Vries was invited and has a seat.');
    const registration = await RegistrationModel.findOne({ eventId: seeded.inviteOnly, userId: ANOUK.oid }).lean();
    assert.equal(registration?.status, 'registered');
    await invitees.getByText('Invited').waitFor();
    await expectNoViolationsInAnyTheme(host, tab, axeSource, 'the invitees of an invite-only event');

    const organisers = tab.getByTestId('event-organisers');
    await organisers.getByTestId('organiser-list').getByText('Chantal Bakker').waitFor();
    await organisers.getByTestId('add-organiser-search').fill('bram');
    await organisers.getByTestId(`add-organiser-${BRAM.oid}`).click();
    await liveRegionSays(tab, 'Bram Jansen is now an organiser.');
    assert.deepEqual((await EventModel.findById(seeded.inviteOnly).lean())?.organizers, [CHANTAL.oid, BRAM.oid]);
    await organisers.getByTestId('organiser-list').getByText('Bram Jansen').waitFor();
    await host.close();

    ({ host, tab } = await rig.openTab(BRAM, { hash: `#/event/${seeded.inviteOnly}` }));
    await tab.getByTestId('organiser-actions').waitFor();
    await tab.getByTestId(`remove-organiser-${BRAM.oid}`).click();
    await liveRegionSays(tab, 'Bram Jansen is no longer an organiser.');
    assert.deepEqual((await EventModel.findById(seeded.inviteOnly).lean())?.organizers, [CHANTAL.oid]);
  });

  it('the organiser approves a request for an on-request event', async () => {
    let tab;
    ({ host, tab } = await rig.openTab(CHANTAL, { hash: `#/event/${seeded.onRequest}` }));
    await tab.getByRole('heading', { level: 1, name: 'Veldbezoek stuwen' }).waitFor();
    await tab.getByTestId('event-invitees').getByRole('heading', { name: 'Add attendees' }).waitFor();
    await tab.getByRole('tab', { name: /Requests/ }).click();
    await tab.getByText('Ik beheer de stuwen in het oosten.').waitFor();
    await tab.getByRole('button', { name: 'Approve Dirk Visser' }).click();
    await liveRegionSays(tab, 'Dirk Visser is signed up.');
    assert.equal((await RegistrationModel.findOne({ eventId: seeded.onRequest, userId: DIRK.oid }).lean())?.status, 'registered');
  });

  it('speaks Dutch', async () => {
    let tab;
    ({ host, tab } = await rig.openTab(CHANTAL, { hash: `#/event/${seeded.inviteOnly}`, context: { locale: 'nl-nl' } }));
    await tab.getByTestId('event-invitees').getByRole('heading', { name: 'Mensen uitnodigen' }).waitFor();
    await tab.getByTestId('event-organisers').getByRole('heading', { name: 'Organisatoren' }).waitFor();
    await expectNoViolationsInAnyTheme(host, tab, axeSource, 'the organiser tools in Dutch');
  });
});
