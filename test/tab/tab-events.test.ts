/**
 * Events in the tab, end to end against the real events API with real SSO tokens: a member
 * signs up and a later one is waitlisted when the session is full (both announced through
 * the live region), signing up with the keyboard alone, the list and month views, the
 * organiser's attendee list, and the Dutch event page.
 */
import assert from 'node:assert/strict';
import type { Frame } from 'playwright-core';
import { RegistrationModel } from '../../src/events/registration.model.js';
import type { TeamsHost } from '../support/teams-host.js';
import { actorOf, ANOUK, BRAM, CHANTAL, DIRK, seedCommunity, seedPerson, useEntraTabRig, type RigModules } from './entra-tab-rig.js';

const DAY = 24 * 3_600_000;

interface Seeded {
  communityId: string;
  fullSoon: string;
  fullSoonStart: Date;
  roomy: string;
}

const seeded = {} as Seeded;

async function seed(modules: RigModules): Promise<void> {
  for (const p of [ANOUK, BRAM, CHANTAL, DIRK]) await seedPerson(p);
  seeded.communityId = await seedCommunity(modules, {
    name: 'Bodem en water',
    visibility: 'public',
    members: [
      { person: CHANTAL, role: 'manager' },
      { person: ANOUK, role: 'member' },
      { person: BRAM, role: 'member' },
      { person: DIRK, role: 'member' },
    ],
  });
  const start = new Date(Date.now() + 10 * DAY);
  start.setUTCHours(8, 0, 0, 0);
  const organiser = actorOf(CHANTAL);
  const full = await modules.events.services.events.create(
    organiser,
    { title: 'Kennissessie drainage', description: 'Wat werkt bij **natte percelen**?', start, end: new Date(start.getTime() + 90 * 60_000), timeZone: 'Europe/Amsterdam', location: { name: 'Gemeentehuis, zaal 3' }, capacity: 1, waitlist: true },
    seeded.communityId,
  );
  seeded.fullSoon = full.id;
  seeded.fullSoonStart = start;
  const later = new Date(start.getTime() + 2 * DAY);
  const roomy = await modules.events.services.events.create(
    organiser,
    { title: 'Spreekuur peilbeheer', start: later, end: new Date(later.getTime() + 60 * 60_000), timeZone: 'Europe/Amsterdam', online: true, capacity: 20 },
    seeded.communityId,
  );
  seeded.roomy = roomy.id;
}

async function liveRegionSays(tab: Frame, text: string): Promise<void> {
  await tab.waitForFunction((t) => document.querySelector('[data-testid="live-region"]')?.textContent === t, text);
}

describe('tab: events with real sign-in', function () {
  this.timeout(90_000);
  const rig = useEntraTabRig({ seed });
  let host: TeamsHost | undefined;

  afterEach(async () => {
    await host?.close();
    host = undefined;
  });

  it('a member signs up for the last seat; a later one is put on the waitlist, each told through the live region', async () => {
    const anouk = await rig.openTab(ANOUK, { hash: `#/event/${seeded.fullSoon}` });
    host = anouk.host;
    await anouk.tab.getByRole('heading', { level: 1, name: 'Kennissessie drainage' }).waitFor();
    assert.equal(await anouk.tab.getByTestId('seats').innerText(), '1 of 1 seats left.');
    await anouk.tab.getByTestId('sign-up').click();
    await liveRegionSays(anouk.tab, 'You are signed up. 0 seats left.');
    assert.equal(await anouk.tab.getByTestId('signup-status').innerText(), 'You are signed up.');
    assert.equal(await anouk.tab.getByTestId('seats').innerText(), '0 of 1 seats left.');
    assert.ok(await anouk.tab.getByTestId('cancel-sign-up').isVisible(), 'the way to cancel is offered');
    await anouk.host.screenshot('event-signed-up-light');
    await anouk.host.close();

    const bram = await rig.openTab(BRAM, { hash: `#/event/${seeded.fullSoon}` });
    host = bram.host;
    await bram.tab.getByRole('heading', { level: 1, name: 'Kennissessie drainage' }).waitFor();
    const button = bram.tab.getByTestId('sign-up');
    assert.equal(await button.innerText(), 'Join the waitlist');
    await button.click();
    await liveRegionSays(bram.tab, 'The session is full: you are number 1 on the waitlist.');
    assert.equal(await bram.tab.getByTestId('signup-status').innerText(), 'The session is full: you are number 1 on the waitlist.');
    assert.match(await bram.tab.getByTestId('seats').innerText(), /1 person on the waitlist/);
    await bram.host.screenshot('event-waitlisted-light');

    const stored = await RegistrationModel.find({ eventId: seeded.fullSoon }).lean();
    assert.deepEqual(
      Object.fromEntries(stored.map((r) => [r.userId, r.status])),
      { [ANOUK.oid]: 'registered', [BRAM.oid]: 'waitlisted' },
    );
  });

  it('signs up with the keyboard alone: focus moves to the outcome, with a visible focus ring', async () => {
    ({ host } = await rig.openTab(DIRK, { hash: `#/event/${seeded.roomy}` }));
    const tab = await host.tab();
    await tab.getByRole('heading', { level: 1, name: 'Spreekuur peilbeheer' }).waitFor();
    await tab.evaluate('window.focus()');
    let reached = false;
    for (let i = 0; i < 40 && !reached; i++) {
      await host.page.keyboard.press('Tab');
      reached = (await tab.evaluate(`document.activeElement?.getAttribute('data-testid')`)) === 'sign-up';
    }
    assert.ok(reached, 'the Sign up button is reachable with Tab');
    await host.page.keyboard.press('Enter');
    await liveRegionSays(tab, 'You are signed up. 19 seats left.');
    const focused = (await tab.evaluate(`(() => { const el = document.activeElement; const s = getComputedStyle(el); return { id: el.getAttribute('data-testid'), outline: s.outlineStyle, width: parseFloat(s.outlineWidth) }; })()`)) as {
      id: string;
      outline: string;
      width: number;
    };
    assert.equal(focused.id, 'signup-status', 'focus moved to the sign-up outcome');
    assert.equal(focused.outline, 'solid');
    assert.ok(focused.width >= 2);
    await host.screenshot('event-keyboard-signed-up');

    // Tab goes on to the cancel button; Enter cancels, and that is announced as well.
    await host.page.keyboard.press('Tab');
    assert.equal(await tab.evaluate(`document.activeElement?.getAttribute('data-testid')`), 'cancel-sign-up');
    await host.page.keyboard.press('Enter');
    await liveRegionSays(tab, 'Your sign-up was cancelled.');
    assert.equal((await RegistrationModel.findOne({ eventId: seeded.roomy, userId: DIRK.oid }).lean())?.status, 'cancelled');
  });

  it('lists upcoming events by day, filters on my sign-ups, and shows them in the month view', async () => {
    ({ host } = await rig.openTab(ANOUK, { hash: '#/events' }));
    const tab = await host.tab();
    const list = tab.getByTestId('events-list');
    await list.waitFor();
    assert.deepEqual(await list.getByTestId('event-summary').getByRole('heading').allInnerTexts(), ['Kennissessie drainage', 'Spreekuur peilbeheer']);

    await tab.getByTestId('events-mine').check();
    await tab.waitForFunction(() => document.querySelectorAll('[data-testid="event-summary"]').length === 1);
    assert.deepEqual(await tab.getByTestId('event-summary').getByRole('heading').allInnerTexts(), ['Kennissessie drainage']);

    await tab.getByTestId('events-month-tab').click();
    const month = tab.getByTestId('events-month');
    await month.waitFor();
    const start = seeded.fullSoonStart;
    const title = month.getByRole('heading', { level: 2 });
    await month.locator('table[aria-busy="false"]').waitFor();
    // The view opens on the browser's current month; the session is 10 days ahead, so it is in
    // this month or the next, whatever today is. Count the months in the browser's own calendar.
    const monthsAhead = await tab.evaluate((iso) => {
      const at = new Date(iso);
      const now = new Date();
      return (at.getFullYear() - now.getFullYear()) * 12 + at.getMonth() - now.getMonth();
    }, start.toISOString());
    assert.ok(monthsAhead === 0 || monthsAhead === 1, `the session is ${monthsAhead} months ahead`);
    for (let i = 0; i < monthsAhead; i++) {
      const shown = await title.innerText();
      await tab.getByRole('button', { name: 'Next month' }).click();
      await tab.waitForFunction((before) => document.querySelector('[data-testid="events-month"] h2')?.textContent !== before, shown);
      await month.locator('table[aria-busy="false"]').waitFor();
    }
    assert.equal(await month.getByRole('link', { name: /Kennissessie drainage/ }).count(), 1, `the event of ${start.toDateString()} is in the calendar`);
    await host.screenshot('events-month-light');
  });

  it('shows the organiser the attendee list, waitlist first-come first-served, with the export', async () => {
    ({ host } = await rig.openTab(CHANTAL, { hash: `#/event/${seeded.fullSoon}` }));
    const tab = await host.tab();
    await tab.getByTestId('organiser-actions').waitFor();
    const attendees = tab.getByTestId('attendee-list');
    await attendees.waitFor();
    assert.match(await attendees.innerText(), /Anouk de Vries/);
    await tab.getByRole('tab', { name: 'Waitlist (1)' }).click();
    await tab.getByTestId('attendee-list').getByText('1. Bram Jansen').waitFor();

    const download = host.page.waitForEvent('download');
    await tab.getByTestId('export-attendees').click();
    const file = await download;
    assert.match(file.suggestedFilename(), /^attendees-kennissessie-drainage\.csv$/);
    await host.screenshot('event-organiser-light');
  });

  it('downloads the .ics invitation with the user’s own token', async () => {
    ({ host } = await rig.openTab(ANOUK, { hash: `#/event/${seeded.fullSoon}` }));
    const tab = await host.tab();
    await tab.getByTestId('add-to-calendar').waitFor();
    const download = host.page.waitForEvent('download');
    await tab.getByTestId('add-to-calendar').click();
    const file = await download;
    assert.match(file.suggestedFilename(), /\.ics$/);
    const path = await file.path();
    const { readFileSync } = await import('node:fs');
    const text = readFileSync(path, 'utf8');
    assert.match(text, /BEGIN:VCALENDAR/);
    assert.match(text, /SUMMARY:Kennissessie drainage/);
  });

  it('speaks Dutch on the event page, with times in the user’s time zone', async () => {
    ({ host } = await rig.openTab(BRAM, { hash: `#/event/${seeded.fullSoon}`, context: { locale: 'nl-nl' } }));
    const tab = await host.tab();
    await tab.getByRole('heading', { level: 1, name: 'Kennissessie drainage' }).waitFor();
    assert.equal(await tab.getByTestId('signup-status').innerText(), 'De sessie is vol: je bent nummer 1 op de wachtlijst.');
    assert.equal(await tab.getByTestId('cancel-sign-up').innerText(), 'Van de wachtlijst af');
    const when = await tab.locator('dd time').first().innerText();
    // Dutch weekday and month names, 24-hour clock.
    assert.match(when, /^(maandag|dinsdag|woensdag|donderdag|vrijdag|zaterdag|zondag) \d{1,2} [a-z]+ \d{4}/);
    await host.screenshot('event-nl');
  });
});
