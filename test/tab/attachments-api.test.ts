/**
 * The tab's upload client (tab/src/api/attachments-api.ts) against the real attachments routes
 * over the local drive store: fragments of the server's size with Content-Range, a fragment
 * the server could not pass on resumed from where the upload stands (one file, whole), and an
 * aborted upload deleted on the server.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { AttachmentUploadModel } from '../../src/attachments/attachment-upload.model.js';
import { LOCAL_LIBRARY_DRIVE_ID } from '../../src/attachments/attachments.module.js';
import { ApiProblem } from '../../tab/src/api/api-problem.js';
import { FRAGMENT_UNIT, uploadFile } from '../../tab/src/api/attachments-api.js';
import type { Actor } from '../../src/auth/actor.js';
import { useTabOnLocalWorld, type AttachmentsWorld, type TabOnWorld } from '../attachments/attachments-world.js';
import { community, person } from '../communities/communities-fixtures.js';
import { useTestDatabase } from '../support/database.js';

describe('tab: uploading a file through the attachments API', function () {
  this.timeout(60_000);
  useTestDatabase('tabupload');
  const rig = useTabOnLocalWorld();
  let world: AttachmentsWorld;
  let tab: TabOnWorld;
  const ranges: string[] = [];
  beforeEach(() => {
    ({ world, tab } = rig);
  });

  const clientAs = (actor: Actor) => tab.clientAs(actor, (_url, init) => void (init.method === 'PUT' && ranges.push(init.headers.get('Content-Range') ?? '')));

  it('sends 320 KiB-multiple fragments, resumes after a fragment the server could not pass on, and makes one whole file', async () => {
    const author = await person({ userId: 'tab-up-author' });
    const c = await community(world, author, { visibility: 'closed' });
    const bytes = randomBytes(7_000_000);
    const fragment = 10 * FRAGMENT_UNIT;
    // Refused twice at the second fragment: more than the server retries, so the tab gets a 503.
    world.faults.push({ atStart: fragment, kind: 'refused', times: 2 });
    ranges.length = 0;
    const progress: number[] = [];
    const file = Object.assign(new Blob([bytes], { type: 'application/pdf' }), { name: 'Verslag.pdf' });
    const done = await uploadFile(clientAs(author), c.id, file, { onProgress: (sent) => progress.push(sent), retryDelayMs: () => 0 });

    assert.equal(done.driveId, LOCAL_LIBRARY_DRIVE_ID);
    assert.deepEqual(ranges, [`bytes 0-${fragment - 1}/7000000`, `bytes ${fragment}-${2 * fragment - 1}/7000000`, `bytes ${fragment}-${2 * fragment - 1}/7000000`, `bytes ${2 * fragment}-6999999/7000000`]);
    assert.deepEqual(progress, [0, fragment, fragment, 2 * fragment, 7_000_000]);
    const stored = world.store.filesIn(LOCAL_LIBRARY_DRIVE_ID).filter((f) => f.name === 'Verslag.pdf');
    assert.equal(stored.length, 1, 'one file');
    assert.ok(world.store.content('app', done.driveId, done.itemId).equals(bytes), 'the whole file, in order');
  });

  it('gives up after failures in a row and deletes the upload on the server', async () => {
    const author = await person({ userId: 'tab-up-giveup' });
    const c = await community(world, author, { visibility: 'closed' });
    world.faults.push({ atStart: 0, kind: 'refused', times: 100 });
    const file = Object.assign(new Blob([randomBytes(400_000)]), { name: 'Kapot.pdf' });
    await assert.rejects(uploadFile(clientAs(author), c.id, file, { retryDelayMs: () => 0, maxFailures: 2 }), (e: unknown) => e instanceof ApiProblem && e.status === 503);
    world.faults.length = 0;
    assert.equal(await AttachmentUploadModel.countDocuments({ userId: 'tab-up-giveup' }), 0, 'nothing half stays');
  });

  it('cancels on the server when aborted', async () => {
    const author = await person({ userId: 'tab-up-cancel' });
    const c = await community(world, author, { visibility: 'closed' });
    const controller = new AbortController();
    const file = Object.assign(new Blob([randomBytes(5_000_000)]), { name: 'Afgebroken.pdf' });
    const upload = uploadFile(clientAs(author), c.id, file, { signal: controller.signal, onProgress: (sent) => (sent > 0 ? controller.abort() : undefined) });
    await assert.rejects(upload);
    assert.equal(await AttachmentUploadModel.countDocuments({ userId: 'tab-up-cancel' }), 0, 'the upload is gone');
    assert.equal(world.store.filesIn(LOCAL_LIBRARY_DRIVE_ID).filter((f) => f.name === 'Afgebroken.pdf').length, 0);
  });

  it('refuses a file over the limit before sending a byte, in a problem the tab knows', async () => {
    const author = await person({ userId: 'tab-up-large' });
    const c = await community(world, author, { visibility: 'closed' });
    ranges.length = 0;
    const huge = { name: 'Groot.mp4', size: 300 * 1024 * 1024, type: '', slice: () => new Blob([]) } as unknown as Blob & { name: string };
    await assert.rejects(uploadFile(clientAs(author), c.id, huge), (e: unknown) => e instanceof ApiProblem && e.code === 'file_too_large');
    assert.deepEqual(ranges, []);
  });
});
