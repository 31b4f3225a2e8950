/**
 * Consultations in the tab, end to end in Chromium against the real consultations API (with
 * the communities' real services and real SSO tokens): a member answers a questionnaire with
 * the keyboard alone, a required question left empty shows its field error and takes focus,
 * a manager sees the results with a data table beside each chart and the conclusion on top,
 * the council report prints to one A4 page, a quick poll is started from the community page,
 * home lists what I still have to answer, and axe finds nothing on the list, form, answer and results pages in light, dark and high
 * contrast, in English and Dutch.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Frame } from 'playwright-core';
import { createConsultationsModule, type ConsultationsModule } from '../../src/consultations/consultations.module.js';
import { createConsultationSchema } from '../../src/consultations/consultation.schemas.js';
import { createLogger } from '../../src/logging/logger.js';
import type { TeamsHost, TeamsTheme } from '../support/teams-host.js';
import { actorOf, ANOUK, BRAM, CHANTAL, DIRK, seedCommunity, seedPerson, useEntraTabRig, type RigModules } from './entra-tab-rig.js';
import { axeViolations } from './tab-fixtures.js';

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const THEMES: readonly TeamsTheme[] = ['default', 'dark', 'contrast'];
const DAY = 24 * 3_600_000;

const seeded = { communityId: '', open: '', closed: '', draft: '' };
let consultations: ConsultationsModule;

async function seed(modules: RigModules): Promise<void> {
  for (const p of [ANOUK, BRAM, CHANTAL, DIRK]) await seedPerson(p);
  seeded.communityId = await seedCommunity(modules, {
    name: 'Panel Rijn en IJssel',
    visibility: 'closed',
    members: [
      { person: CHANTAL, role: 'manager' },
      { person: ANOUK, role: 'member' },
      { person: BRAM, role: 'member' },
      { person: DIRK, role: 'member' },
    ],
  });
  const service = consultations.services.consultations;
  const manager = actorOf(CHANTAL);
  const open = await service.create(
    manager,
    seeded.communityId,
    createConsultationSchema.parse({
      title: 'Bufferstroken langs watergangen',
      introduction: 'Wij willen weten hoe u over **bufferstroken** denkt.',
      closesAt: new Date(Date.now() + 30 * DAY).toISOString(),
      timeZone: 'Europe/Amsterdam',
      anonymous: true,
      resultsVisibility: 'afterResponse',
      status: 'open',
      questions: [
        { id: 'q1', kind: 'singleChoice', text: 'Hoe breed moet een bufferstrook zijn?', required: true, options: [{ id: 'o1', label: '2 meter' }, { id: 'o2', label: '5 meter' }, { id: 'o3', label: '10 meter' }] },
        { id: 'q2', kind: 'multipleChoice', text: 'Wat mag er op de strook groeien?', required: false, minChoices: 1, maxChoices: 2, options: [{ id: 'o1', label: 'Gras' }, { id: 'o2', label: 'Bloemen' }, { id: 'o3', label: 'Struiken' }] },
        { id: 'q3', kind: 'scale', text: 'Bufferstroken helpen de waterkwaliteit.', required: false, scale: { min: 1, max: 5, minLabel: 'Oneens', maxLabel: 'Eens' } },
        { id: 'q4', kind: 'ranking', text: 'Wat weegt het zwaarst?', required: false, options: [{ id: 'o1', label: 'Waterkwaliteit' }, { id: 'o2', label: 'Biodiversiteit' }, { id: 'o3', label: 'Opbrengst' }] },
        { id: 'q5', kind: 'yesNo', text: 'Wilt u meedenken over de uitvoering?', required: false },
        { id: 'q6', kind: 'shortText', text: 'Wat wilt u nog kwijt?', required: false },
      ],
    }),
  );
  seeded.open = open.id;

  const closed = await service.create(
    manager,
    seeded.communityId,
    createConsultationSchema.parse({
      title: 'Maaibeleid bermen',
      introduction: 'Hoe vaak maaien we de bermen langs de watergangen?',
      timeZone: 'Europe/Amsterdam',
      anonymous: false,
      resultsVisibility: 'afterClose',
      status: 'open',
      questions: [
        { id: 'q1', kind: 'singleChoice', text: 'Hoe vaak per jaar maaien?', required: true, options: [{ id: 'o1', label: 'Eén keer' }, { id: 'o2', label: 'Twee keer' }] },
        { id: 'q2', kind: 'scale', text: 'Hoe tevreden bent u nu?', required: true, scale: { min: 0, max: 10, minLabel: 'Helemaal niet', maxLabel: 'Zeer' } },
        { id: 'q3', kind: 'ranking', text: 'Wat is het belangrijkst?', required: true, options: [{ id: 'o1', label: 'Bloemen' }, { id: 'o2', label: 'Veiligheid' }, { id: 'o3', label: 'Kosten' }] },
        { id: 'q4', kind: 'longText', text: 'Toelichting', required: false },
      ],
    }),
  );
  seeded.closed = closed.id;
  const answer = (person: typeof BRAM, choice: string, value: number, ranking: string[], text?: string) =>
    service.respond(actorOf(person), closed.id, {
      answers: [{ questionId: 'q1', optionId: choice }, { questionId: 'q2', value }, { questionId: 'q3', ranking }, ...(text ? [{ questionId: 'q4', text }] : [])],
    });
  await answer(BRAM, 'o2', 7, ['o1', 'o2', 'o3'], 'Meer bloemen langs de sloot.');
  await answer(DIRK, 'o2', 8, ['o2', 'o1', 'o3']);
  await answer(ANOUK, 'o1', 4, ['o1', 'o3', 'o2'], 'Eén keer is genoeg.');
  await service.close(manager, closed.id);
  await service.conclude(manager, closed.id, { text: 'We maaien **twee keer** per jaar en zaaien bloemen in.' });

  const draft = await service.create(
    manager,
    seeded.communityId,
    createConsultationSchema.parse({
      title: 'Peilbesluit 2031 (concept)',
      status: 'draft',
      questions: [
        { id: 'q1', kind: 'yesNo', text: 'Steunt u een hoger zomerpeil?', required: true },
        { id: 'q2', kind: 'multipleChoice', text: 'Welke gebieden?', required: false, maxChoices: 2, options: [{ id: 'o1', label: 'Noord' }, { id: 'o2', label: 'Zuid' }] },
        { id: 'q3', kind: 'scale', text: 'Hoe urgent?', required: false, scale: { min: 1, max: 5 } },
        { id: 'q4', kind: 'ranking', text: 'Volgorde', required: false, options: [{ id: 'o1', label: 'A' }, { id: 'o2', label: 'B' }] },
        { id: 'q5', kind: 'longText', text: 'Uitleg', required: false, maxLength: 1000 },
      ],
    }),
  );
  seeded.draft = draft.id;
}

/** Waits until the page has its heading and nothing is loading any more. */
async function settled(tab: Frame): Promise<void> {
  await tab.getByRole('heading', { level: 1 }).first().waitFor();
  await tab.waitForFunction(() => document.querySelector('[data-testid="loading-skeleton"], [aria-busy="true"]') === null);
}

interface Focused {
  tag: string;
  type: string | null;
  /** The accessible name as a user would hear it: aria-label, the label, or the text. */
  name: string;
  checked: boolean;
}

async function focused(tab: Frame): Promise<Focused> {
  return (await tab.evaluate(`(() => {
    const el = document.activeElement;
    const label = el.getAttribute('aria-label') || (el.labels && el.labels[0] ? el.labels[0].innerText : '') || el.innerText || '';
    return { tag: el.tagName.toLowerCase(), type: el.getAttribute('type'), name: label.trim(), checked: el.checked === true };
  })()`)) as Focused;
}

/** Presses Tab until focus is on what `want` describes; fails after `max` presses. */
async function tabTo(host: TeamsHost, tab: Frame, want: (f: Focused) => boolean, what: string, max = 20): Promise<Focused> {
  const seen: string[] = [];
  for (let i = 0; i < max; i++) {
    await host.page.keyboard.press('Tab');
    const f = await focused(tab);
    if (want(f)) return f;
    seen.push(`${f.tag}[${f.type ?? ''}] ${f.name}`);
  }
  throw new Error(`Tab never reached ${what}; it went through:\n${seen.join('\n')}`);
}

const named = (name: string) => (f: Focused) => f.name === name;

/**
 * Prints what the tab shows with Chromium's `page.pdf()`. The tab is a frame of another origin
 * inside the Teams host, and Chromium prints only top-level pages (its DevTools `printToPDF`
 * is not offered on such a frame), so the rendered document — its DOM and every CSS rule in
 * force, the print rules included — is copied into a page of its own, without scripts, and
 * printed there.
 */
async function printed(host: TeamsHost, tab: Frame): Promise<Buffer> {
  const snapshot = (await tab.evaluate(`(() => {
    const css = Array.from(document.styleSheets).map((sheet) => {
      try { return Array.from(sheet.cssRules).map((rule) => rule.cssText).join('\\n'); } catch { return ''; }
    }).join('\\n');
    const body = document.body.cloneNode(true);
    body.querySelectorAll('script, style, link').forEach((el) => el.remove());
    return { css, body: body.outerHTML, lang: document.documentElement.lang, htmlStyle: document.documentElement.getAttribute('style') || '' };
  })()`)) as { css: string; body: string; lang: string; htmlStyle: string };
  const page = await host.context.newPage();
  try {
    await page.setContent(`<!doctype html><html lang="${snapshot.lang}" style="${snapshot.htmlStyle}"><head><meta charset="utf-8"><style>${snapshot.css}</style></head>${snapshot.body}</html>`);
    return await page.pdf({ preferCSSPageSize: true, printBackground: true });
  } finally {
    await page.close();
  }
}

async function expectNoViolations(tab: Frame, where: string): Promise<void> {
  const violations = await axeViolations(tab, axeSource);
  assert.deepEqual(violations, [], `axe violations on ${where}:\n${JSON.stringify(violations, null, 2)}`);
}

/** The texts of a table's body rows, cell by cell. */
async function tableRows(tab: Frame, questionText: string): Promise<string[][]> {
  const section = tab.locator('[data-testid="question-result"]', { hasText: questionText });
  return section.locator('[data-testid="result-table"] tbody tr').evaluateAll((rows) => rows.map((r) => Array.from(r.children).map((c) => (c as HTMLElement).innerText.trim())));
}

describe('tab: consultations', function () {
  this.timeout(120_000);
  const rig = useEntraTabRig({
    routers: (m) => {
      consultations = createConsultationsModule({ logger: createLogger('silent') });
      return [m.events, m.communities, consultations];
    },
    seed,
  });
  let host: TeamsHost | undefined;

  afterEach(async function () {
    if (this.currentTest?.state === 'failed' && host) {
      // What the page showed and logged, for whoever reads the failure.
      await host.screenshot(`failed-consultations-${(this.currentTest.title.match(/[a-z]+/gi) ?? []).slice(0, 4).join('-')}`).catch(() => undefined);
      if (host.errors.length > 0) console.error(host.errors.join('\n'));
    }
    await host?.close();
    host = undefined;
  });

  it('a member answers the whole questionnaire with the keyboard alone, and the anonymous key stays on the device', async () => {
    let tab: Frame;
    ({ host, tab } = await rig.openTab(ANOUK, { hash: `#/consultations/${seeded.open}` }));
    await settled(tab);
    await tab.getByTestId('questionnaire').waitFor();
    const keys = host.page.keyboard;

    // Single choice: Tab enters the radio group on its first option; the arrow key moves and chooses.
    await tabTo(host, tab, named('2 meter'), 'the first option of question 1');
    await keys.press('ArrowDown');
    assert.deepEqual(await focused(tab), { tag: 'input', type: 'radio', name: '5 meter', checked: true });

    // Multiple choice: Space ticks a box, Tab goes to the next.
    await tabTo(host, tab, named('Gras'), 'the first checkbox');
    await keys.press('Space');
    await keys.press('Tab');
    assert.equal((await focused(tab)).name, 'Bloemen');
    await keys.press('Space');
    assert.equal(await tab.getByText('2 chosen.').count(), 1, 'the count of choices follows');

    // Scale: a radio group with the end labels on its ends.
    await tabTo(host, tab, named('1 – Oneens'), 'the scale');
    await keys.press('Space');
    for (let i = 0; i < 3; i++) await keys.press('ArrowRight');
    assert.deepEqual(await focused(tab), { tag: 'input', type: 'radio', name: '4', checked: true });

    // Ranking: "Move down" moves the option and keeps focus on it; its new place is announced.
    await tabTo(host, tab, named('Move down: Waterkwaliteit'), 'the ranking');
    await keys.press('Enter');
    await tab.waitForFunction(() => document.querySelector('[data-testid="live-region"]')?.textContent === 'Waterkwaliteit: now 2 of 3.');
    assert.equal((await focused(tab)).name, 'Move down: Waterkwaliteit', 'focus stays on the moved option');
    await keys.press('Enter');
    const order = await tab.getByTestId('ranking-item').evaluateAll((items) => items.map((i) => (i as HTMLElement).innerText.split('\n')[0]!.trim()));
    assert.deepEqual(order, ['1. Biodiversiteit', '2. Opbrengst', '3. Waterkwaliteit']);

    await tabTo(host, tab, named('Yes'), 'yes/no');
    await keys.press('Space');
    await tabTo(host, tab, (f) => f.tag === 'input' && f.name.startsWith('6.'), 'the text field');
    await keys.type('Meer bloemen graag');
    assert.equal(await tab.getByText('18 of 200 characters').count(), 1, 'the counter follows the text');

    await tabTo(host, tab, named('Send my answers'), 'the submit button');
    await keys.press('Enter');

    const status = tab.getByTestId('answered-status');
    await status.waitFor();
    await tab.waitForFunction(() => document.activeElement?.getAttribute('data-testid') === 'answered-status');
    assert.match(await status.innerText(), /You answered/);

    // Results show to those who answered, with their tables.
    await tab.getByTestId('results').waitFor();
    assert.deepEqual(await tableRows(tab, 'Hoe breed'), [
      ['2 meter', '0', '0%'],
      ['5 meter', '1', '100%'],
      ['10 meter', '0', '0%'],
    ]);
    const ranking = await tableRows(tab, 'Wat weegt het zwaarst?');
    assert.deepEqual(ranking.map((r) => r[0]), ['Biodiversiteit', 'Opbrengst', 'Waterkwaliteit'], 'a ranking is listed best first');

    // Changing the anonymous answer loads it with the key. (In this frame the browser denies
    // storage to the tab, a third party under the Teams origin, so the key lives in memory for
    // the visit; consultations-browser.test.ts shows it kept on the device.)
    await tab.getByTestId('change-answers').click();
    await tab.getByTestId('questionnaire').waitFor();
    assert.equal(await tab.getByRole('radio', { name: '5 meter' }).isChecked(), true, 'my answer, loaded back with the key');
  });

  it('a required question left empty shows its field error, announced, with focus on it', async () => {
    let tab: Frame;
    ({ host, tab } = await rig.openTab(DIRK, { hash: `#/consultations/${seeded.open}` }));
    await settled(tab);
    await tab.getByTestId('questionnaire').waitFor();
    await tab.getByRole('checkbox', { name: 'Struiken' }).check();
    await tab.getByTestId('questionnaire-submit').click();

    const error = tab.getByTestId('question-q1').getByTestId('question-error');
    await error.waitFor();
    assert.equal(await error.innerText(), 'Answer this question: it is required.');
    assert.equal(await tab.getByTestId('question-q1').getAttribute('aria-invalid'), 'true');
    const describedBy = (await tab.getByTestId('question-q1').getAttribute('aria-describedby')) ?? '';
    assert.ok(describedBy.split(' ').includes((await error.getAttribute('id')) ?? '-'), 'the message describes the question');
    await tab.waitForFunction(() => document.querySelector('[data-testid="live-region"]')?.textContent?.startsWith('Questions to check: 1'));
    assert.deepEqual(await focused(tab), { tag: 'input', type: 'radio', name: '2 meter', checked: false });
    assert.equal(await tab.getByTestId('question-error').count(), 1, 'only the empty required question is marked');
  });

  it('a manager sees the conclusion on top and the results with a data table beside each chart', async () => {
    let tab: Frame;
    ({ host, tab } = await rig.openTab(CHANTAL, { hash: `#/consultations/${seeded.closed}` }));
    await settled(tab);
    await tab.getByTestId('results').waitFor();

    const order = await tab.evaluate(() => {
      const conclusion = document.querySelector('[data-testid="conclusion"]');
      const results = document.querySelector('[data-testid="results-section"]');
      const facts = document.querySelector('dl');
      return Boolean(conclusion && results && facts && conclusion.compareDocumentPosition(facts) & Node.DOCUMENT_POSITION_FOLLOWING && conclusion.compareDocumentPosition(results) & Node.DOCUMENT_POSITION_FOLLOWING);
    });
    assert.ok(order, 'the conclusion stands above the facts and the results');
    assert.match(await tab.getByTestId('conclusion').innerText(), /twee keer/);

    assert.match(await tab.getByTestId('response-rate').innerText(), /75%: 3 of 4 answered/);
    assert.equal(await tab.getByTestId('result-chart').count(), 3, 'a chart per question with figures');
    assert.equal(await tab.getByTestId('result-table').count(), 3, 'and a table beside each');
    assert.equal(await tab.locator('[data-testid="result-chart"][aria-hidden="true"]').count(), 3, 'screen readers read the tables, not the drawings');
    assert.deepEqual(await tableRows(tab, 'Hoe vaak per jaar'), [
      ['Eén keer', '1', '33.3%'],
      ['Twee keer', '2', '66.7%'],
    ]);
    const scale = tab.locator('[data-testid="question-result"]', { hasText: 'Hoe tevreden' });
    assert.match(await scale.innerText(), /mean 6\.33/);
    assert.deepEqual((await tableRows(tab, 'Hoe tevreden')).find((r) => r[0] === '8'), ['8', '1', '33.3%']);
    assert.deepEqual(await tableRows(tab, 'Wat is het belangrijkst?'), [
      ['Bloemen', '1.33'],
      ['Veiligheid', '2'],
      ['Kosten', '2.67'],
    ]);
    const headers = await tab.locator('[data-testid="result-table"] thead th').evaluateAll((ths) => ths.map((th) => th.getAttribute('scope')));
    assert.ok(headers.length > 0 && headers.every((s) => s === 'col'));
    // Open answers of a named consultation, with their authors, paged apart.
    const texts = await tab.getByTestId('open-answers').innerText();
    assert.match(texts, /Meer bloemen langs de sloot\./);
    assert.match(texts, /Eén keer is genoeg\./);
  });

  it('the council report prints to one A4 page', async () => {
    // The closed one (4 questions, a conclusion) and the open one (6 questions of every kind).
    for (const id of [seeded.closed, seeded.open]) {
      let tab: Frame;
      ({ host, tab } = await rig.openTab(CHANTAL, { hash: `#/consultations/${id}/report` }));
      await settled(tab);
      await tab.getByTestId('report-response-rate').waitFor();
      if (id === seeded.closed) assert.match(await tab.getByTestId('council-report').innerText(), /twee keer/);
      const pdf = await printed(host, tab);
      const pages = pdf.toString('latin1').match(/\/Type\s*\/Page\b(?!s)/g)?.length ?? 0;
      assert.equal(pages, 1, `the report of ${id} printed to ${pages} pages`);
      const box = /\/MediaBox\s*\[\s*0\s+0\s+([\d.]+)\s+([\d.]+)\s*\]/.exec(pdf.toString('latin1'));
      assert.ok(box, 'the PDF has a page size');
      // A4 is 595 x 842 points.
      assert.ok(Math.abs(Number(box[1]) - 595) < 2 && Math.abs(Number(box[2]) - 842) < 2, `page size ${box[1]} x ${box[2]}`);
      await host.screenshot(`consultation-report-${id === seeded.closed ? 'closed' : 'open'}`);
      await host.close();
      host = undefined;
    }
  });

  it('a manager prepares a consultation in the form (its field errors under the fields), opens, closes and concludes it', async () => {
    let tab: Frame;
    ({ host, tab } = await rig.openTab(CHANTAL, { hash: `#/community/${seeded.communityId}/new-consultation` }));
    await settled(tab);
    const form = tab.getByTestId('consultation-form');
    // Nothing typed: the API's messages stand under the title and the first option, and focus goes there.
    await tab.getByTestId('consultation-save-draft').click();
    await form.locator('[aria-invalid="true"]').first().waitFor();
    assert.equal(await tab.evaluate(() => document.activeElement?.getAttribute('data-testid')), 'consultation-title');

    await tab.getByTestId('consultation-title').fill('Zwemwater in de Berkel');
    await tab.getByTestId('question-text').fill('Zwemt u in de Berkel?');
    await tab.getByTestId('question-kind').selectOption('yesNo');
    await tab.getByTestId('add-question').click();
    const second = tab.getByTestId('question-editor').nth(1);
    await second.getByTestId('question-text').fill('Waar precies?');
    await second.getByTestId('option-label').nth(0).fill('Bij Eibergen');
    await second.getByTestId('option-label').nth(1).fill('Bij Zutphen');
    // The second question goes first, with its own button.
    await second.getByRole('button', { name: 'Move up: question 2' }).click();
    assert.equal(await tab.getByTestId('question-editor').nth(0).getByTestId('question-text').inputValue(), 'Waar precies?');
    await tab.getByTestId('consultation-save-draft').click();

    await tab.getByRole('heading', { level: 1, name: 'Zwemwater in de Berkel' }).waitFor();
    assert.equal(await tab.getByTestId('consultation-status').innerText(), 'Draft');
    await tab.getByTestId('open-consultation').click();
    await tab.getByTestId('questionnaire').waitFor();
    assert.equal(await tab.getByTestId('consultation-status').innerText(), 'Open');
    const legends = await tab.locator('[data-testid="questionnaire"] legend').allInnerTexts();
    assert.deepEqual(legends.map((l) => l.replace(/\s*\*.*$/s, '')), ['1. Waar precies?', '2. Zwemt u in de Berkel?']);

    await tab.getByTestId('close-consultation').click();
    await tab.getByTestId('close-confirm').click();
    await tab.getByTestId('conclusion-form').waitFor();
    assert.equal(await tab.getByTestId('consultation-status').innerText(), 'Closed');
    await tab.getByTestId('conclusion-text').fill('We plaatsen **twee** zwemsteigers.');
    await tab.getByTestId('publish-conclusion').click();
    const conclusion = tab.getByTestId('conclusion');
    await conclusion.waitFor();
    assert.match(await conclusion.innerText(), /We plaatsen twee zwemsteigers\./);
    assert.equal(await tab.getByTestId('conclusion-form').count(), 0, 'written once');
  });

  it('a manager starts a quick poll from the community page in two clicks, and stays there', async () => {
    let tab: Frame;
    ({ host, tab } = await rig.openTab(CHANTAL, { hash: `#/community/${seeded.communityId}?tab=consultations` }));
    await settled(tab);
    await tab.getByTestId('quick-poll').click();
    await tab.getByTestId('quick-poll-question').fill('Zullen we de excursie in mei doen?');
    await tab.getByTestId('quick-poll-option-0').fill('Ja, in mei');
    await tab.getByTestId('quick-poll-option-1').fill('Liever in juni');
    await tab.getByTestId('quick-poll-launch').click();
    await tab.getByTestId('quick-poll-created').waitFor();
    // Once the dialog is gone, the page is no longer hidden from screen readers, and focus is on
    // the way to the new poll.
    await tab.getByRole('dialog').waitFor({ state: 'detached' });
    await tab.waitForFunction(() => document.activeElement?.getAttribute('data-testid') === 'quick-poll-open' && document.querySelector('#root[aria-hidden]') === null);
    await tab.getByTestId('quick-poll-open').click();
    await tab.getByRole('heading', { level: 1, name: 'Zullen we de excursie in mei doen?' }).waitFor();
    const id = /#\/consultations\/([^/?]+)/.exec(await tab.evaluate(() => window.location.hash))?.[1];
    assert.ok(id);
    const poll = await consultations.services.consultations.get(actorOf(CHANTAL), id);
    assert.equal(poll.quickPoll, true);
    assert.equal(poll.status, 'open');
    assert.deepEqual(poll.questions.map((q) => [q.kind, q.options?.map((o) => o.label)]), [['singleChoice', ['Ja, in mei', 'Liever in juni']]]);
    await tab.getByRole('radio', { name: 'Liever in juni' }).waitFor();
  });

  it('home lists the consultations I still have to answer', async () => {
    let tab: Frame;
    ({ host, tab } = await rig.openTab(BRAM));
    await settled(tab);
    const list = tab.getByTestId('to-answer-list');
    await list.waitFor();
    const text = await list.innerText();
    assert.match(text, /Bufferstroken langs watergangen/);
    assert.doesNotMatch(text, /Maaibeleid/, 'a closed one is not to answer');
  });

  for (const locale of ['en-us', 'nl-nl']) {
    it(`the list, form, answer, results and report pages have no axe violations in any theme (${locale})`, async function () {
      this.timeout(600_000);
      let tab: Frame;
      ({ host, tab } = await rig.openTab(CHANTAL, { hash: '#/', context: { locale } }));
      const pages = [
        `#/community/${seeded.communityId}?tab=consultations`,
        `#/community/${seeded.communityId}/new-consultation`,
        `#/consultations/${seeded.draft}/edit`,
        `#/consultations/${seeded.draft}`,
        `#/consultations/${seeded.open}`,
        `#/consultations/${seeded.closed}`,
        `#/consultations/${seeded.closed}/report`,
      ];
      for (const hash of pages) {
        await tab.evaluate((h) => {
          window.location.hash = h;
        }, hash);
        await settled(tab);
        if (hash.endsWith(seeded.open)) await tab.getByTestId('questionnaire').waitFor();
        if (hash.endsWith(seeded.closed)) await tab.getByTestId('results').waitFor();
        for (const theme of THEMES) {
          await host.setTheme(theme);
          await tab.locator(`[data-theme="${theme}"]`).first().waitFor();
          await expectNoViolations(tab, `${hash} (${theme}, ${locale})`);
        }
      }
      // The quick poll's dialog, over the community page.
      await tab.evaluate((h) => {
        window.location.hash = h;
      }, `#/community/${seeded.communityId}?tab=consultations`);
      await settled(tab);
      await tab.getByTestId('quick-poll').click();
      await tab.getByRole('dialog').waitFor();
      for (const theme of THEMES) {
        await host.setTheme(theme);
        await tab.locator(`[data-theme="${theme}"]`).first().waitFor();
        await expectNoViolations(tab, `quick poll dialog (${theme}, ${locale})`);
      }
    });
  }
});
