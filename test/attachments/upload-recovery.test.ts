/**
 * The answer to an upload's last fragment lost after Microsoft 365 made the file (issue 21):
 * the session is gone then (404), and starting again would make a second copy. Meent finds
 * the file the session made in the upload's folder and adopts it: one file in the library, one
 * attachment. Through HTTP with a real database, over the Graph drive gateway against the Graph
 * stand-in (a dropped connection and a 503 after the commit), and over the local drive store.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import request from 'supertest';
import type { Actor } from '../../src/auth/actor.js';
import { AttachmentModel } from '../../src/attachments/attachment.model.js';
import { AttachmentUploadModel } from '../../src/attachments/attachment-upload.model.js';
import { LOCAL_LIBRARY_DRIVE_ID } from '../../src/attachments/attachments.module.js';
import { UPLOAD_FRAGMENT_UNIT } from '../../src/attachments/local-drive-store.js';
import { useTestDatabase } from '../support/database.js';
import type { GraphServer, RecordedRequest } from '../support/graph-server.js';
import { actorHeader } from '../support/test-actor.js';
import { as, community, person } from '../communities/communities-fixtures.js';
import { buildAttachmentsWorld, FIXED_NOW, useGraphAttachmentsWorld, type AttachmentsWorld } from './attachments-world.js';

const sha = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

interface Uploaded {
  id: string;
  status: number;
  body: { done?: boolean; item?: { driveId: string; itemId: string } | null; code?: string };
}

/** Starts an upload and sends the file in 320 KiB fragments; the answer to the last one. */
async function uploadWhole(world: AttachmentsWorld, actor: Actor, communityId: string, name: string, file: Buffer, beforeLast?: (uploadId: string) => Promise<void>): Promise<Uploaded> {
  const started = await as(world.app, actor).post(`/communities/${communityId}/uploads`, { name, size: file.length }).expect(201);
  const id = (started.body as { id: string }).id;
  for (let offset = 0; ; offset += UPLOAD_FRAGMENT_UNIT) {
    const bytes = file.subarray(offset, Math.min(offset + UPLOAD_FRAGMENT_UNIT, file.length));
    const last = offset + bytes.length === file.length;
    if (last) await beforeLast?.(id);
    const res = await request(world.app)
      .put(`/api/v1/uploads/${id}`)
      .set('X-Test-Actor', actorHeader(actor))
      .set('Content-Type', 'application/octet-stream')
      .set('Content-Range', `bytes ${offset}-${offset + bytes.length - 1}/${file.length}`)
      .send(bytes);
    if (last || res.status !== 200) return { id, status: res.status, body: res.body as Uploaded['body'] };
  }
}

describe('an upload whose last answer was lost (the Graph drive gateway over the Graph stand-in)', function () {
  this.timeout(120_000);
  useTestDatabase('upload_recovery_graph');
  let graphNow = FIXED_NOW.getTime();
  const rig = useGraphAttachmentsWorld(() => graphNow);
  let graph: GraphServer;
  let world: AttachmentsWorld;
  before(() => {
    ({ graph, world } = rig);
  });
  afterEach(() => moveClocks(0));

  /** Meent's clock and Microsoft 365's, moved together from the fixed start. */
  function moveClocks(byMs: number): void {
    graphNow = FIXED_NOW.getTime() + byMs;
    world.setNow(new Date(graphNow));
  }

  const isUploadPut = (r: RecordedRequest) => r.method === 'PUT' && graph.drives.isUploadPath(r.path);
  const lastFragmentOf = (total: number) => (r: RecordedRequest) => isUploadPut(r) && (r.headers['content-range'] ?? '').endsWith(`-${total - 1}/${total}`);
  const libraryFiles = () => world.store.filesIn(LOCAL_LIBRARY_DRIVE_ID);

  async function author(id: string): Promise<{ actor: Actor; communityId: string }> {
    const actor = await person({ userId: id });
    graph.addUser({ id, displayName: id });
    const c = await community(world, actor, { visibility: 'closed', name: `Gebiedsproces ${id}` });
    return { actor, communityId: c.id };
  }

  it('the connection drops after Graph made the file: Meent finds that file, and the upload ends with one file and one attachment', async () => {
    const { actor, communityId } = await author('lost-drop');
    const file = randomBytes(2 * UPLOAD_FRAGMENT_UNIT + 1234);
    graph.dropConnections(1, lastFragmentOf(file.length), 'after');
    const before = graph.requests.length;

    const last = await uploadWhole(world, actor, communityId, 'Conceptnotitie Baakse Beek.pdf', file);

    assert.equal(last.status, 200, JSON.stringify(last.body));
    assert.equal(last.body.done, true);
    const item = last.body.item;
    assert.ok(item);
    assert.deepEqual(libraryFiles().map((f) => f.name), ['Conceptnotitie Baakse Beek.pdf'], 'exactly one file');
    assert.equal(sha(world.store.content('app', item.driveId, item.itemId)), sha(file));
    const sent = graph.requests.slice(before);
    assert.equal(sent.filter((r) => r.path.endsWith('/createUploadSession')).length, 1, 'one session');
    assert.deepEqual(sent.filter(lastFragmentOf(file.length)).map((r) => r.status), [0], 'the last fragment went once; its answer was lost');
    assert.deepEqual(sent.filter((r) => r.method === 'GET' && graph.drives.isUploadPath(r.path)).map((r) => r.status), [404], 'the session was gone when Meent asked');
    assert.ok(sent.some((r) => r.method === 'GET' && r.path.includes('/root:/Meent/') && r.status === 200), 'Meent looked the file up by its path');
    const record = await AttachmentUploadModel.findById(last.id).lean();
    assert.equal(record?.status, 'complete');
    assert.equal(record?.itemId, item.itemId);
    assert.match(record?.folderPath ?? '', /^Meent\/Gebiedsproces lost-drop \([0-9a-f]{6}\)$/);

    // The tab sends the last fragment again (it did not hear either): the same item, nothing new.
    const again = await request(world.app)
      .put(`/api/v1/uploads/${last.id}`)
      .set('X-Test-Actor', actorHeader(actor))
      .set('Content-Type', 'application/octet-stream')
      .set('Content-Range', `bytes ${2 * UPLOAD_FRAGMENT_UNIT}-${file.length - 1}/${file.length}`)
      .send(file.subarray(2 * UPLOAD_FRAGMENT_UNIT))
      .expect(200);
    assert.deepEqual(again.body.item, item);
    const d = await as(world.app, actor).post(`/communities/${communityId}/discussions`, { title: 'Met bijlage', body: 'x', attachments: [item] }).expect(201);
    assert.equal(d.body.attachments.length, 1);
    assert.equal(await AttachmentModel.countDocuments({ itemId: item.itemId }), 1, 'one attachment');
    assert.equal(libraryFiles().length, 1);
  });

  it('Graph answers 503 after making the file, and a file of that name was there already: the renamed file the session made is adopted, not the older one', async () => {
    const { actor, communityId } = await author('lost-503');
    const file = randomBytes(UPLOAD_FRAGMENT_UNIT + 77);
    const first = await uploadWhole(world, actor, communityId, 'Verslag.pdf', randomBytes(file.length));
    assert.equal(first.status, 200);
    const earlier = first.body.item;
    assert.ok(earlier);
    await as(world.app, actor).post(`/communities/${communityId}/discussions`, { title: 'Eerste verslag', body: 'x', attachments: [earlier] }).expect(201);
    graph.failNext({ status: 503, when: 'after', match: lastFragmentOf(file.length) });
    const filesBefore = libraryFiles().length;
    const requestsBefore = graph.requests.length;

    const second = await uploadWhole(world, actor, communityId, 'Verslag.pdf', file);

    assert.equal(second.status, 200, JSON.stringify(second.body));
    const item = second.body.item;
    assert.ok(item);
    assert.notEqual(item.itemId, earlier.itemId);
    assert.deepEqual(graph.requests.slice(requestsBefore).filter(lastFragmentOf(file.length)).map((r) => r.status), [503], 'the last fragment went once, and was answered 503 after the file was made');
    assert.equal(libraryFiles().length, filesBefore + 1, 'one file more, not two');
    assert.equal(world.store.item('app', item.driveId, item.itemId).name, 'Verslag 1.pdf');
    assert.equal(sha(world.store.content('app', item.driveId, item.itemId)), sha(file));
    await as(world.app, actor).post(`/communities/${communityId}/discussions`, { title: 'Tweede verslag', body: 'x', attachments: [item] }).expect(201);
    assert.equal(await AttachmentModel.countDocuments({ itemId: item.itemId }), 1);
  });

  it('adopts only a file it can be sure of: not one made before the upload started, nor one of another size; when two fit, or none, the person starts again', async () => {
    const { actor, communityId } = await author('lost-sure');
    const file = randomBytes(UPLOAD_FRAGMENT_UNIT + 5);
    const probe = await as(world.app, actor).post(`/communities/${communityId}/uploads`, { name: 'Probe.pdf', size: 10 }).expect(201);
    const folder = (await AttachmentUploadModel.findById(probe.body.id).lean())?.folderPath ?? '';
    await as(world.app, actor).delete(`/uploads/${probe.body.id}`).expect(204);
    const named = (name: string) => world.store.itemAtPath('app', LOCAL_LIBRARY_DRIVE_ID, `${folder}/${name}`);
    // Made an hour before the upload; and made while it ran, but of another size.
    world.store.addFile(LOCAL_LIBRARY_DRIVE_ID, folder, 'Peilbesluit.pdf', randomBytes(file.length));
    moveClocks(60 * 60_000);
    world.store.addFile(LOCAL_LIBRARY_DRIVE_ID, folder, 'Peilbesluit 2.pdf', randomBytes(file.length + 1));
    graph.dropConnections(1, lastFragmentOf(file.length), 'after');
    const adopted = await uploadWhole(world, actor, communityId, 'Peilbesluit.pdf', file);
    assert.equal(adopted.status, 200, JSON.stringify(adopted.body));
    assert.equal(adopted.body.item?.itemId, named('Peilbesluit 1.pdf').id, 'the file the session made, renamed');
    assert.equal(sha(world.store.content('app', LOCAL_LIBRARY_DRIVE_ID, named('Peilbesluit 1.pdf').id)), sha(file));

    // Someone else puts a file of that size and name in the folder while the upload runs: two fit, and Meent will not guess.
    world.store.addFile(LOCAL_LIBRARY_DRIVE_ID, folder, 'Peilbesluit 3.pdf', randomBytes(file.length));
    graph.dropConnections(1, lastFragmentOf(file.length), 'after');
    const unsure = await uploadWhole(world, actor, communityId, 'Peilbesluit.pdf', file);
    assert.equal(unsure.status, 404, JSON.stringify(unsure.body));
    assert.equal(unsure.body.code, 'upload_session_gone');
    assert.equal((await AttachmentUploadModel.findById(unsure.id).lean())?.status, 'uploading', 'it took neither');

    // The session is gone before the last fragment arrived (cancelled behind Meent's back), and nothing in the folder fits.
    for (const name of ['Peilbesluit 3.pdf', 'Peilbesluit 4.pdf']) world.store.deleteItem(LOCAL_LIBRARY_DRIVE_ID, named(name).id);
    const filesBefore = libraryFiles().length;
    const gone = await uploadWhole(world, actor, communityId, 'Peilbesluit.pdf', file, async (uploadId) => {
      const record = await AttachmentUploadModel.findById(uploadId).lean();
      graph.drives.store.cancelSession(new URL(record?.uploadUrl ?? '').pathname.split('/').at(-1) ?? '');
    });
    assert.equal(gone.status, 404);
    assert.equal(gone.body.code, 'upload_session_gone');
    assert.equal(libraryFiles().length, filesBefore);
    assert.equal(await AttachmentUploadModel.countDocuments({ userId: actor.userId, status: 'complete' }), 1, 'only the upload that was sure of its file completed');
  });
});

describe('an upload whose last answer was lost (local drive store)', function () {
  this.timeout(120_000);
  useTestDatabase('upload_recovery_local');
  let world: AttachmentsWorld;
  before(() => {
    world = buildAttachmentsWorld();
  });
  after(() => world.dispose());

  it('finds the file the session made and ends with one file', async () => {
    const actor = await person({ userId: 'lost-local' });
    const c = await community(world, actor, { visibility: 'closed' });
    const file = randomBytes(3 * UPLOAD_FRAGMENT_UNIT + 9);
    world.faults.push({ atStart: 3 * UPLOAD_FRAGMENT_UNIT, kind: 'answer_lost', times: 1 });
    const before = world.store.filesIn(LOCAL_LIBRARY_DRIVE_ID).length;
    const last = await uploadWhole(world, actor, c.id, 'Begroting 2027.xlsx', file);
    assert.equal(last.status, 200, JSON.stringify(last.body));
    assert.ok(last.body.item);
    assert.equal(world.faults[0]?.times, 0, 'the fault happened');
    assert.equal(world.store.filesIn(LOCAL_LIBRARY_DRIVE_ID).length, before + 1);
    assert.equal(sha(world.store.content('app', last.body.item.driveId, last.body.item.itemId)), sha(file));
    // The folder the upload remembers is the person's data while the upload is kept: exported, and erased with it.
    const exported = (await world.exportOf(actor))['uploads.json'] as { name: string; folder: string | null }[];
    assert.deepEqual(exported.map((u) => u.name), ['Begroting 2027.xlsx']);
    assert.match(exported[0]?.folder ?? '', /^Meent\/Community [a-z0-9]+ \([0-9a-f]{6}\)$/);
    await world.erase(actor);
    assert.equal(await AttachmentUploadModel.countDocuments({ userId: actor.userId }), 0);
  });
});
