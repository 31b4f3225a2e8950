/**
 * Files in a discussion (issue 21) in the Teams host, signed in for real, with the attachments
 * capability over the local drive store as local mode has it. A member, with the keyboard
 * alone, opens a folder of her OneDrive and attaches a file from it, uploads a new file (its
 * second fragment refused once: the tab asks where the upload stands and carries on), sees a
 * file over the limit and one of a blocked type refused in words, hears the progress, and
 * posts: the reply shows both file cards and the server holds both. Once the OneDrive file
 * is deleted and the reconciliation has seen it, its card says "No longer available". axe
 * finds nothing in the three themes, and a Dutch reader gets it all in Dutch.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Router } from 'express';
import { Types } from 'mongoose';
import type { Frame } from 'playwright-core';
import { LOCAL_LIBRARY_DRIVE_ID } from '../../src/attachments/attachments.module.js';
import { ReplyModel } from '../../src/discussions/reply.model.js';
import { solidPng } from '../support/png.js';
import type { TeamsHost } from '../support/teams-host.js';
import { actorOf, ANOUK, BRAM, CHANTAL, seedCommunity, seedPerson, useEntraTabRig, type RigModules } from './entra-tab-rig.js';
import { expectNoViolationsInAnyTheme, tabUntilFocused } from './tab-fixtures.js';

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const seeded = { community: '', discussion: '', mapDiscussion: '', mine: { driveId: '', itemId: '' } };
/** A real image, so that the browser has something to decode: 64 x 48 pixels. */
const MAP = solidPng(64, 48, 0x2e7d32);
/** 4,000,000 bytes: two fragments of the server's 3.125 MiB (the first is 81% of it). */
const UPLOAD_BYTES = 4_000_000;

/** Refuses the second fragment of the next upload once (Graph down for a moment), and counts the status reads. */
const faults = { refuseSecondFragment: 0, statusReads: 0 };
function faultRouter(): Router {
  const router = Router();
  router.put('/uploads/:id', (req, res, next) => {
    const start = Number(/^bytes (\d+)-/.exec(req.headers['content-range'] ?? '')?.[1] ?? 0);
    if (start > 0 && faults.refuseSecondFragment > 0) {
      faults.refuseSecondFragment -= 1;
      res.status(503).type('application/problem+json').json({ type: 'about:blank', title: 'Service Unavailable', status: 503, code: 'graph_unavailable' });
      return;
    }
    next();
  });
  router.get('/uploads/:id', (_req, _res, next) => {
    faults.statusReads += 1;
    next();
  });
  return router;
}

async function seed(modules: RigModules): Promise<void> {
  for (const p of [ANOUK, BRAM, CHANTAL]) await seedPerson(p);
  seeded.community = await seedCommunity(modules, {
    name: 'Gebiedsproces Baakse Beek',
    visibility: 'closed',
    members: [
      { person: CHANTAL, role: 'manager' },
      { person: ANOUK, role: 'member' },
      { person: BRAM, role: 'member' },
    ],
  });
  const store = modules.attachments!.store;
  const note = store.addFile(store.oneDriveOf(BRAM.oid).id, 'Notities', 'Conceptnotitie gebiedsproces Baakse Beek.docx', Buffer.alloc(48_000, 7), BRAM.oid);
  const mine = store.addFile(store.oneDriveOf(ANOUK.oid).id, 'Baakse Beek', 'Reactie waterschap.docx', Buffer.alloc(21_000, 3), ANOUK.oid);
  store.addFile(store.oneDriveOf(ANOUK.oid).id, '', 'Begroting 2027.xlsx', Buffer.alloc(9_000, 1), ANOUK.oid);
  store.addFile(store.oneDriveOf(CHANTAL.oid).id, '', 'Programma informatieavond.pdf', Buffer.alloc(12_000, 5), CHANTAL.oid);
  seeded.mine = { driveId: mine.driveId, itemId: mine.id };
  /** A discussion by Bram with one file. */
  const bramsDiscussion = async (title: string, body: string, file: { driveId: string; id: string }) =>
    (await modules.communities.services.discussions.create(actorOf(BRAM), seeded.community, { kind: 'discussion', title, body, attachments: [{ driveId: file.driveId, itemId: file.id }] })).id;
  // In Bram's OneDrive: the tests browse Anouk's and Chantal's, and count what they find there.
  const map = store.addFile(store.oneDriveOf(BRAM.oid).id, '', 'Kaart beekdal.png', MAP, BRAM.oid);
  seeded.mapDiscussion = await bramsDiscussion('Kaart van het beekdal', 'De kaart met de nieuwe meanders.', map);
  seeded.discussion = await bramsDiscussion('Conceptnotitie gebiedsproces Baakse Beek: reacties vóór 15 december', 'De conceptnotitie staat hieronder.', note);
}

/** Everything the tab's live region said, in order (a MutationObserver in the tab). */
async function recordAnnouncements(tab: Frame): Promise<void> {
  await tab.evaluate(() => {
    const region = document.querySelector('[data-testid="live-region"]');
    const said: string[] = [];
    (window as unknown as { said: string[] }).said = said;
    new MutationObserver(() => {
      const text = region?.textContent ?? '';
      if (text && said.at(-1) !== text) said.push(text);
    }).observe(region!, { childList: true, subtree: true, characterData: true });
  });
}

const announced = (tab: Frame) => tab.evaluate(() => (window as unknown as { said: string[] }).said);

async function waitForAnnouncement(tab: Frame, text: string): Promise<void> {
  await tab.waitForFunction((t) => (window as unknown as { said: string[] }).said.includes(t), text, { timeout: 20_000 }).catch(async (err: unknown) => {
    throw new Error(`never announced "${text}"; said: ${JSON.stringify(await announced(tab))}`, { cause: err });
  });
}

describe('tab: files in a discussion', function () {
  this.timeout(300_000);
  const rig = useEntraTabRig({ seed, attachments: true, env: { ATTACHMENTS_MAX_MB: '5', ATTACHMENTS_LIBRARY_DRIVE_ID: LOCAL_LIBRARY_DRIVE_ID }, extraApiRouters: () => [faultRouter()] });
  let host: TeamsHost | undefined;
  afterEach(async () => {
    await host?.close();
    host = undefined;
  });

  it('a member attaches a OneDrive file and uploads a new one with the keyboard alone; the reply shows both; a vanished file is no longer available', async () => {
    let tab: Frame;
    ({ host, tab } = await rig.openTab(ANOUK, { hash: `#/discussion/${seeded.discussion}` }));
    await tab.getByRole('heading', { level: 1, name: /Conceptnotitie gebiedsproces/ }).waitFor();
    // The discussion's own file, from Bram's OneDrive.
    const opening = tab.getByTestId('discussion-files').getByTestId('file-card');
    await opening.waitFor();
    assert.match(await opening.innerText(), /Conceptnotitie gebiedsproces Baakse Beek\.docx[\s\S]*Word document · 48 kB · Added by Bram Jansen[\s\S]*Changed/);
    assert.equal(await opening.getByRole('link', { name: 'Open Conceptnotitie gebiedsproces Baakse Beek.docx (opens in a new tab)' }).getAttribute('target'), '_blank');
    await recordAnnouncements(tab);

    await tab.evaluate('window.focus()');
    const keys = host.page.keyboard;
    await tabUntilFocused(host, tab, 'reply-body');
    await keys.type('Mijn reactie en een verslag van het veldbezoek.');
    await tabUntilFocused(host, tab, 'attach-files-button');
    await keys.press('Enter');
    const dialog = tab.getByRole('dialog', { name: 'Attach files' });
    await dialog.waitFor();

    // My OneDrive: open the folder, attach its file.
    await dialog.getByTestId('drive-items').waitFor();
    await tabUntilFocused(host, tab, 'Baakse Beek');
    await keys.press('Enter');
    await waitForAnnouncement(tab, 'Folder Baakse Beek: 1 item.');
    assert.equal(await tab.evaluate(() => document.activeElement?.getAttribute('data-testid')), 'drive-place', 'focus lands on the folder it opened');
    await tabUntilFocused(host, tab, 'Attach');
    await keys.press('Enter');
    await waitForAnnouncement(tab, 'Reactie waterschap.docx attached.');

    // Upload: to the upload tab, then the file input, all by keyboard. The file chooser is
    // awaited from here: Playwright turns on its interception when the wait starts, without
    // waiting for the framed tab's process to confirm, so a wait started with the key press
    // could miss the chooser (it did once, on a loaded machine).
    const chooserOpened = host.page.waitForEvent('filechooser', { timeout: 60_000 });
    await tabUntilFocused(host, tab, 'attach-tab-drive');
    await keys.press('ArrowRight');
    await keys.press('Enter');
    await dialog.getByTestId('upload-input').waitFor();
    await tabUntilFocused(host, tab, 'upload-input');
    faults.refuseSecondFragment = 1;
    await keys.press('Space');
    const chooser = await chooserOpened;
    await chooser.setFiles([
      { name: 'Verslag veldbezoek.pdf', mimeType: 'application/pdf', buffer: Buffer.alloc(UPLOAD_BYTES, 5) },
      { name: 'Luchtfoto Baakse Beek.tif', mimeType: 'image/tiff', buffer: Buffer.alloc(6 * 1024 * 1024, 2) },
      { name: 'opschonen.exe', mimeType: 'application/octet-stream', buffer: Buffer.alloc(1_000, 1) },
    ]);
    // The bar stands at the first fragment while the second is refused and the tab waits to resume.
    await dialog.locator('[role="progressbar"][aria-valuenow="81"]').waitFor();
    assert.equal(await dialog.getByRole('progressbar', { name: 'Uploading Verslag veldbezoek.pdf' }).count(), 1, 'the bar is named after its file');
    await waitForAnnouncement(tab, 'Verslag veldbezoek.pdf uploaded and attached.');
    const said = await announced(tab);
    assert.ok(said.includes('Uploading 3 files…'), JSON.stringify(said));
    assert.ok(said.includes('Verslag veldbezoek.pdf: 81% uploaded.'), JSON.stringify(said));
    assert.ok(faults.statusReads >= 1, 'the tab asked where the upload stood before resuming');
    assert.equal(faults.refuseSecondFragment, 0);
    // Refused in words, by the file's name.
    await dialog.getByText('Luchtfoto Baakse Beek.tif was not uploaded.').waitFor();
    await dialog.getByText('The file is larger than Meent uploads. Share it from OneDrive or SharePoint instead.').waitFor();
    await dialog.getByText('opschonen.exe was not uploaded.').waitFor();
    await dialog.getByText('Files of this type cannot be attached.').waitFor();
    await expectNoViolationsInAnyTheme(host, tab, axeSource, 'the attach dialog after uploads');
    await host.setTheme('default');
    await tab.locator('[data-theme="default"]').first().waitFor();

    await keys.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    const chosen = tab.getByTestId('reply-attach-files').getByTestId('chosen-file');
    assert.deepEqual((await chosen.allInnerTexts()).map((s) => s.split('\n')[0]), ['Reactie waterschap.docx', 'Verslag veldbezoek.pdf']);
    // One uploaded file in the library, not two (the refused fragment was not sent twice).
    assert.deepEqual(rig.modules.attachments!.store.filesIn(LOCAL_LIBRARY_DRIVE_ID).map((f) => [f.name, f.size]), [['Verslag veldbezoek.pdf', UPLOAD_BYTES]]);

    await tabUntilFocused(host, tab, 'post-reply');
    await keys.press('Enter');
    await waitForAnnouncement(tab, 'Your reply was posted.');
    const reply = await ReplyModel.findOne({ discussionId: new Types.ObjectId(seeded.discussion) }).sort({ createdAt: -1 }).lean();
    assert.ok(reply, 'the reply is on the server');
    const stored = (await rig.modules.attachments!.service.viewsOf('reply', [reply._id])).get(String(reply._id)) ?? [];
    assert.deepEqual(stored.map((f) => f.name), ['Reactie waterschap.docx', 'Verslag veldbezoek.pdf']);
    const cards = tab.locator(`#reply-${String(reply._id)}`).getByTestId('file-card');
    await cards.nth(1).waitFor();
    assert.deepEqual(await cards.getByTestId('file-name').allInnerTexts(), ['Reactie waterschap.docx', 'Verslag veldbezoek.pdf']);
    assert.equal(await cards.getByTestId('file-open').count(), 2);
    assert.equal(await tab.getByTestId('reply-attach-files').getByTestId('chosen-file').count(), 0, 'the composer is empty again');

    // Her OneDrive file is deleted; the reconciliation notices.
    rig.modules.attachments!.store.deleteItem(seeded.mine.driveId, seeded.mine.itemId);
    await rig.modules.attachments!.service.reconcile(50);
    await host.close();
    ({ host, tab } = await rig.openTab(ANOUK, { hash: `#/discussion/${seeded.discussion}` }));
    const again = tab.locator(`#reply-${String(reply._id)}`).getByTestId('file-card');
    await again.nth(1).waitFor();
    assert.match(await again.nth(0).innerText(), /Reactie waterschap\.docx[\s\S]*No longer available/);
    assert.equal(await again.nth(0).getByRole('link').count(), 0, 'no link to a file that is gone');
    assert.equal(await again.nth(1).getByRole('link', { name: 'Open Verslag veldbezoek.pdf (opens in a new tab)' }).count(), 1);
    await expectNoViolationsInAnyTheme(host, tab, axeSource, 'a thread with file cards');
  });

  it('a file card shows its thumbnail from Meent’s own route under the tab’s real CSP, which refuses an image from another origin', async () => {
    let tab: Frame;
    ({ host, tab } = await rig.openTab(ANOUK, { hash: `#/discussion/${seeded.mapDiscussion}` }));
    const card = tab.getByTestId('discussion-files').getByTestId('file-card');
    await card.waitFor();
    const thumbnail = card.getByTestId('file-thumbnail');
    await thumbnail.waitFor();
    await tab.waitForFunction(() => {
      const img = document.querySelector<HTMLImageElement>('[data-testid="file-thumbnail"]');
      return img !== null && img.complete && img.naturalWidth > 0;
    });
    const shown = await thumbnail.evaluate((img: HTMLImageElement) => ({ src: img.src, width: img.naturalWidth, height: img.naturalHeight, alt: img.getAttribute('alt'), hidden: img.closest('[aria-hidden="true"]') !== null }));
    assert.deepEqual({ ...shown, src: shown.src.slice(0, 5) }, { src: 'blob:', width: 64, height: 48, alt: '', hidden: true }, 'decoded; decoration beside the file’s name');
    assert.match(await card.innerText(), /Kaart beekdal\.png/);
    // The policy the tab runs under admits its own origin and blob:, and refuses anything else (Graph's thumbnail addresses).
    const policy = await tab.evaluate(async () => (await fetch(window.location.href, { cache: 'no-store' })).headers.get('content-security-policy') ?? '');
    assert.match(policy, /img-src 'self' data: blob:(;|$)/);
    const refused = await tab.evaluate(
      () =>
        new Promise<string>((resolve) => {
          const img = document.createElement('img');
          img.alt = '';
          document.addEventListener(
            'securitypolicyviolation',
            (e) => {
              img.remove();
              resolve(e.effectiveDirective);
            },
            { once: true },
          );
          img.src = 'https://contoso.sharepoint.com/_thumbnails/kaart/medium';
          document.body.append(img);
        }),
    );
    assert.equal(refused, 'img-src');
    assert.deepEqual(host.errors.filter((e) => /Content Security Policy/.test(e) && !e.includes('contoso.sharepoint.com')), [], 'the thumbnail itself broke no rule');
    await expectNoViolationsInAnyTheme(host, tab, axeSource, 'a file card with a thumbnail');
  });

  it('a new discussion takes a file found by searching my OneDrive', async () => {
    let tab: Frame;
    ({ host, tab } = await rig.openTab(ANOUK, { hash: `#/community/${seeded.community}/new-discussion` }));
    await tab.getByTestId('discussion-title').fill('Begroting 2027 van het gebiedsproces');
    await tab.getByTestId('discussion-body').fill('De begroting staat in de bijlage.');
    await recordAnnouncements(tab);
    await tab.getByTestId('attach-files-button').click();
    const dialog = tab.getByRole('dialog', { name: 'Attach files' });
    await dialog.getByTestId('drive-search').fill('begroting');
    await dialog.getByTestId('drive-search').press('Enter');
    await waitForAnnouncement(tab, '1 item found.');
    assert.equal(await tab.getByTestId('discussion-form').count(), 1, 'searching did not submit the form around the dialog');
    await dialog.getByRole('button', { name: 'Attach Begroting 2027.xlsx' }).click();
    await dialog.getByRole('button', { name: 'Attached: Begroting 2027.xlsx' }).waitFor();
    await expectNoViolationsInAnyTheme(host, tab, axeSource, 'searching my OneDrive');
    await dialog.getByTestId('attach-done').click();
    await dialog.waitFor({ state: 'detached' });
    await tab.getByTestId('discussion-save').click();
    await tab.getByRole('heading', { level: 1, name: 'Begroting 2027 van het gebiedsproces' }).waitFor();
    const card = tab.getByTestId('discussion-files').getByTestId('file-card');
    await card.waitFor();
    assert.match(await card.innerText(), /Begroting 2027\.xlsx[\s\S]*Excel workbook · 9 kB · Added by Anouk de Vries/);
  });

  it('an organiser attaches a OneDrive file to a new community event with the keyboard; the event page shows its card', async () => {
    let tab: Frame;
    ({ host, tab } = await rig.openTab(CHANTAL, { hash: `#/events/new?communityId=${seeded.community}` }));
    await tab.getByTestId('event-title').fill('Informatieavond Baakse Beek');
    // Fixed times far ahead: nothing here depends on today's date.
    await tab.getByTestId('event-start').fill('2030-03-11T19:30');
    await tab.getByTestId('event-end').fill('2030-03-11T21:30');
    await tab.getByTestId('event-location').fill('Dorpshuis Baak');
    assert.equal(await tab.getByTestId('attach-drive-only').count(), 0, 'a community event can take uploads too');
    await recordAnnouncements(tab);
    await tab.getByTestId('event-title').focus();
    const keys = host.page.keyboard;
    await tabUntilFocused(host, tab, 'attach-files-button');
    await keys.press('Enter');
    const dialog = tab.getByRole('dialog', { name: 'Attach files' });
    await dialog.getByTestId('drive-items').waitFor();
    assert.equal(await dialog.getByTestId('attach-tab-upload').count(), 1);
    await tabUntilFocused(host, tab, 'Attach');
    assert.equal(await tab.evaluate(() => document.activeElement?.getAttribute('aria-label')), 'Attach Programma informatieavond.pdf');
    await keys.press('Enter');
    await waitForAnnouncement(tab, 'Programma informatieavond.pdf attached.');
    await tabUntilFocused(host, tab, 'attach-done');
    await keys.press('Enter');
    await dialog.waitFor({ state: 'detached' });
    assert.deepEqual((await tab.getByTestId('event-attach-files').getByTestId('chosen-file').allInnerTexts()).map((s) => s.split('\n')[0]), ['Programma informatieavond.pdf']);
    await tabUntilFocused(host, tab, 'event-save');
    await keys.press('Enter');
    await tab.getByRole('heading', { level: 1, name: 'Informatieavond Baakse Beek' }).waitFor();
    const card = tab.getByTestId('event-files').getByTestId('file-card');
    await card.waitFor();
    assert.match(await card.innerText(), /Programma informatieavond\.pdf[\s\S]*PDF · 12 kB · Added by Chantal/);
    await expectNoViolationsInAnyTheme(host, tab, axeSource, 'an event with a file card');

    // An organisation-wide event has no community library: only my OneDrive, and the form says why.
    await tab.evaluate(() => {
      window.location.hash = '#/events/new';
    });
    await tab.getByTestId('event-title').waitFor();
    assert.match(await tab.getByTestId('attach-drive-only').innerText(), /uploading a new file needs a community’s document library/);
    assert.equal(await tab.getByTestId('event-attach-files').getAttribute('aria-describedby'), await tab.getByTestId('attach-drive-only').getAttribute('id'));
    await tab.getByTestId('attach-files-button').click();
    const driveOnly = tab.getByRole('dialog', { name: 'Attach files' });
    await driveOnly.getByTestId('drive-items').waitFor();
    assert.equal(await driveOnly.getByTestId('attach-tab-upload').count(), 0, 'no upload tab');
    assert.match(await driveOnly.innerText(), /Choose files from your OneDrive\. Everyone who can read the post can open them\./);
  });

  it('speaks Dutch to a Dutch reader', async () => {
    let tab: Frame;
    // A reply of her own whose file was deleted since.
    const store = rig.modules.attachments!.store;
    const gone = store.addFile(store.oneDriveOf(CHANTAL.oid).id, '', 'Oude planning.docx', Buffer.alloc(2_000, 4), CHANTAL.oid);
    await rig.modules.communities.services.replies.create(actorOf(CHANTAL), seeded.discussion, { body: 'De oude planning.', attachments: [{ driveId: gone.driveId, itemId: gone.id }] });
    store.deleteItem(gone.driveId, gone.id);
    await rig.modules.attachments!.service.reconcile(50);
    ({ host, tab } = await rig.openTab(ANOUK, { hash: `#/discussion/${seeded.discussion}`, context: { locale: 'nl-nl' } }));
    const opening = tab.getByTestId('discussion-files').getByTestId('file-card');
    await opening.waitFor();
    assert.match(await opening.innerText(), /Word-document · 48 kB · Toegevoegd door Bram Jansen[\s\S]*Gewijzigd[\s\S]*Openen/);
    await tab.getByText('Niet meer beschikbaar').first().waitFor();
    await tab.getByTestId('attach-files-button').first().click();
    const dialog = tab.getByRole('dialog', { name: 'Bestanden bijvoegen' });
    await dialog.waitFor();
    await dialog.getByRole('tab', { name: 'Mijn OneDrive' }).waitFor();
    await dialog.getByRole('button', { name: 'Map Baakse Beek openen' }).waitFor();
    await expectNoViolationsInAnyTheme(host, tab, axeSource, 'the attach dialog in Dutch');
  });
});
