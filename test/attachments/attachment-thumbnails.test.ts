/**
 * A file card's thumbnail from Meent's own route (GET /api/v1/attachments/{id}/thumbnail)
 * through HTTP with a real database: over the Graph drive gateway against the Graph stand-in
 * (Graph's 302 to the thumbnail's own URL, which gets no bearer token), and in local mode over
 * the local drive store. Only people who may open the file get it, anyone else the 404 of a file
 * that does not exist; a vanished file or thumbnail is "no longer available"; what Graph answers
 * is passed on only as an image of a bounded size, and the API's view names the route, on the
 * tab's own origin. The tab's loader reads it with the API's credential.
 */
import assert from 'node:assert/strict';
import request from 'supertest';
import type { Actor } from '../../src/auth/actor.js';
import { AttachmentModel } from '../../src/attachments/attachment.model.js';
import { MAX_THUMBNAIL_BYTES } from '../../src/attachments/attachment-thumbnail.js';
import { loadThumbnail, readAttachment, thumbnailIdOf } from '../../tab/src/api/attachments-api.js';
import { as, community, person } from '../communities/communities-fixtures.js';
import { useTestDatabase } from '../support/database.js';
import type { GraphServer } from '../support/graph-server.js';
import { solidPng } from '../support/png.js';
import { FIXED_NOW, useGraphAttachmentsWorld, useTabOnLocalWorld, type AttachmentsWorld, type TabOnWorld } from './attachments-world.js';

const MAP = solidPng(64, 48, 0x2e7d32);

/** A discussion by `author` in a new community with `file` attached; the attachment's view. */
async function discussionWithFile(world: AttachmentsWorld, manager: Actor, author: Actor, file: { driveId: string; itemId: string }, options: Parameters<typeof community>[2] = {}) {
  const c = await community(world, manager, { visibility: 'closed', ...options, members: [author, ...(options.members ?? [])] });
  const d = await as(world.app, author).post(`/communities/${c.id}/discussions`, { title: 'Met kaart', body: 'Zie de kaart.', attachments: [file] }).expect(201);
  return { communityId: c.id, discussionId: d.body.id as string, attachment: d.body.attachments[0] as { id: string; thumbnailUrl: string | null; available: boolean } };
}

const thumbnailOf = (world: AttachmentsWorld, actor: Actor, attachmentId: string) => as(world.app, actor).get(`/attachments/${attachmentId}/thumbnail`).buffer(true);

describe('attachment thumbnails (HTTP, real database, the Graph drive gateway over the Graph stand-in)', function () {
  this.timeout(120_000);
  useTestDatabase('attachment-thumbnails');
  const rig = useGraphAttachmentsWorld();
  let graph: GraphServer;
  let world: AttachmentsWorld;
  beforeEach(() => {
    ({ graph, world } = rig);
  });
  afterEach(() => {
    graph.drives.thumbnailFault = undefined;
  });

  /** People Graph's directory knows (it invites no one else). */
  async function people(prefix: string, specs: Record<string, { isGuest?: boolean; isOrgAdmin?: boolean }>): Promise<Record<string, Actor>> {
    const out: Record<string, Actor> = {};
    for (const [role, spec] of Object.entries(specs)) {
      graph.addUser({ id: `${prefix}-${role}`, displayName: role });
      out[role] = await person({ userId: `${prefix}-${role}`, ...spec });
    }
    return out;
  }

  it('gives a reader the image through Graph’s redirect, typed, bounded, privately cached and never sniffed; the thumbnail host gets no bearer token', async () => {
    const p = await people('rd', { manager: {}, author: {}, reader: {} });
    const png = world.ownFile(p.author!, 'Kaart Baakse Beek.png', MAP);
    const pdf = world.ownFile(p.author!, 'Programma.pdf');
    const c = await community(world, p.manager!, { visibility: 'closed', members: [p.author!, p.reader!] });
    const d = await as(world.app, p.author!).post(`/communities/${c.id}/discussions`, { title: 'Kaart', body: 'x', attachments: [png, pdf] }).expect(201);
    const [image, document] = d.body.attachments as { id: string; thumbnailUrl: string }[];
    const before = graph.requests.length;
    const res = await thumbnailOf(world, p.reader!, image!.id).expect(200);
    assert.deepEqual(res.body, MAP, 'the image itself is its thumbnail, byte for byte');
    assert.equal(res.headers['content-type'], 'image/png');
    assert.equal(res.headers['content-length'], String(MAP.length));
    assert.equal(res.headers['cache-control'], 'private, max-age=300');
    assert.equal(res.headers['x-content-type-options'], 'nosniff');
    assert.equal(res.headers['cross-origin-resource-policy'], 'same-origin');
    // One call to Graph, answered 302; then the thumbnail's own URL, without Graph's bearer token.
    const calls = graph.requests.slice(before);
    const content = calls.find((r) => r.path === `/v1.0/drives/${encodeURIComponent(png.driveId)}/items/${png.itemId}/thumbnails/0/medium/content`);
    assert.equal(content?.status, 302);
    assert.match(content?.headers.authorization ?? '', /^Bearer /);
    const fetched = calls.find((r) => r.path.startsWith('/_thumbnails/'));
    assert.equal(fetched?.status, 200);
    assert.equal(fetched?.headers.authorization, undefined, 'the bearer token stays with Graph');
    // A document's thumbnail is a rendered page, an image all the same.
    const page = await thumbnailOf(world, p.reader!, document!.id).expect(200);
    assert.equal(page.headers['content-type'], 'image/png');
    assert.equal(page.body.subarray(1, 4).toString('ascii'), 'PNG');
  });

  it('answers 404 to a non-member of a closed community, a guest where guests are not admitted and an admin who only oversees, exactly as for a file that does not exist', async () => {
    const p = await people('nr', { manager: {}, author: {}, outsider: {}, guest: { isGuest: true }, admin: { isOrgAdmin: true } });
    const file = world.ownFile(p.author!, 'Kaart.png', MAP);
    const { communityId, attachment } = await discussionWithFile(world, p.manager!, p.author!, file, { guestsAllowed: true, members: [p.guest!] });
    await thumbnailOf(world, p.guest!, attachment.id).expect(200);
    await as(world.app, p.manager!).patch(`/communities/${communityId}`, { guestsAllowed: false }).expect(200);
    const missing = await thumbnailOf(world, p.author!, '0123456789abcdef01234567').expect(404);
    assert.equal(missing.body.code, 'attachment_not_found');
    for (const who of ['outsider', 'guest', 'admin'] as const) {
      const refused = await thumbnailOf(world, p[who]!, attachment.id).expect(404);
      assert.deepEqual({ ...refused.body, instance: undefined, requestId: undefined }, { ...missing.body, instance: undefined, requestId: undefined }, `${who}: the same answer as a file that does not exist`);
    }
    // The admin reads the post (to oversee it) and sees its card; its content stays with its readers.
    const seen = await as(world.app, p.admin!).get(`/discussions/${(await AttachmentModel.findById(attachment.id).lean())?.targetId}`).expect(200);
    assert.equal(seen.body.attachments[0].id, attachment.id);
  });

  it('a file that vanished, or that has no thumbnail, is "no longer available"; after the reconciliation the card offers none', async () => {
    const p = await people('gone', { manager: {}, author: {} });
    const png = world.ownFile(p.author!, 'Weg.png', MAP);
    const { discussionId, attachment } = await discussionWithFile(world, p.manager!, p.author!, png);
    assert.ok(attachment.thumbnailUrl);
    world.store.deleteItem(png.driveId, png.itemId);
    const gone = await thumbnailOf(world, p.manager!, attachment.id).expect(404);
    assert.equal(gone.body.code, 'thumbnail_unavailable');
    assert.match(gone.body.detail, /no longer available/);
    world.setNow(new Date(FIXED_NOW.getTime() + 60_000));
    try {
      await world.attachments.reconcile(1000);
    } finally {
      world.setNow(FIXED_NOW);
    }
    const view = await as(world.app, p.manager!).get(`/discussions/${discussionId}`).expect(200);
    assert.equal(view.body.attachments[0].available, false);
    assert.equal(view.body.attachments[0].thumbnailUrl, null);
    assert.equal((await thumbnailOf(world, p.manager!, attachment.id).expect(404)).body.code, 'thumbnail_unavailable');

    // A text file has no thumbnail: the card offers none, and the route says so.
    const text = world.ownFile(p.author!, 'Notities.txt');
    const plain = await discussionWithFile(world, p.manager!, p.author!, text);
    assert.equal(plain.attachment.thumbnailUrl, null);
    assert.equal((await thumbnailOf(world, p.manager!, plain.attachment.id).expect(404)).body.code, 'thumbnail_unavailable');
  });

  it('refuses what is not an image, and a thumbnail larger than the bound, declared or not; nothing of it is passed on', async () => {
    const p = await people('bad', { manager: {}, author: {} });
    const png = world.ownFile(p.author!, 'Kaart.png', MAP);
    const { attachment } = await discussionWithFile(world, p.manager!, p.author!, png);
    for (const contentType of ['text/html; charset=utf-8', 'image/svg+xml', 'application/octet-stream']) {
      graph.drives.thumbnailFault = { contentType };
      const refused = await thumbnailOf(world, p.author!, attachment.id).expect(404);
      assert.equal(refused.body.code, 'thumbnail_not_an_image', contentType);
      assert.equal(refused.headers['content-type'], 'application/problem+json; charset=utf-8');
    }
    graph.drives.thumbnailFault = { bytes: MAX_THUMBNAIL_BYTES + 1 };
    assert.equal((await thumbnailOf(world, p.author!, attachment.id).expect(404)).body.code, 'thumbnail_too_large');
    // Undeclared, the bound holds while the bytes pass: the answer is cut off, never whole.
    graph.drives.thumbnailFault = { bytes: 3 * MAX_THUMBNAIL_BYTES, chunked: true };
    const cut = await thumbnailOf(world, p.author!, attachment.id).then(
      (res) => ({ status: res.status, bytes: (res.body as Buffer).length }),
      () => ({ status: 0, bytes: 0 }),
    );
    assert.equal(cut.status, 0, `the connection is cut, not answered (${cut.status}, ${cut.bytes} bytes)`);
    graph.drives.thumbnailFault = undefined;
    await thumbnailOf(world, p.author!, attachment.id).expect(200);
  });

  it('the view names Meent’s route on the tab’s own origin, never Graph’s address; the reconciliation brings a late thumbnail to the card', async () => {
    const p = await people('view', { manager: {}, author: {} });
    const png = world.ownFile(p.author!, 'Kaart.png', MAP);
    const { discussionId, attachment } = await discussionWithFile(world, p.manager!, p.author!, png);
    assert.equal(attachment.thumbnailUrl, `/api/v1/attachments/${attachment.id}/thumbnail`);
    const origin = 'https://meent.contoso.nl';
    assert.equal(new URL(attachment.thumbnailUrl!, origin).origin, origin, 'same origin as the page that shows it');
    const view = await as(world.app, p.author!).get(`/discussions/${discussionId}`).expect(200);
    assert.doesNotMatch(JSON.stringify(view.body), /_thumbnails|tempauth/, 'no Graph thumbnail address in the view');
    // Stored: Graph's address, as the issue allows (the export shows it).
    const stored = await AttachmentModel.findById(attachment.id).lean();
    assert.match(stored?.thumbnailUrl ?? '', /\/_thumbnails\/.*\/medium\?tempauth=/);

    // Graph had no thumbnail yet when the file was attached (it makes them later).
    await AttachmentModel.updateOne({ _id: stored?._id }, { $set: { thumbnailUrl: null } });
    assert.equal((await as(world.app, p.author!).get(`/discussions/${discussionId}`).expect(200)).body.attachments[0].thumbnailUrl, null);
    world.setNow(new Date(FIXED_NOW.getTime() + 60_000));
    try {
      await world.attachments.reconcile(1000);
    } finally {
      world.setNow(FIXED_NOW);
    }
    assert.equal((await as(world.app, p.author!).get(`/discussions/${discussionId}`).expect(200)).body.attachments[0].thumbnailUrl, `/api/v1/attachments/${attachment.id}/thumbnail`);
  });
});

describe('attachment thumbnails in local mode (the local drive store)', function () {
  this.timeout(60_000);
  useTestDatabase('attachment-thumbnails-local');
  const rig = useTabOnLocalWorld();
  let world: AttachmentsWorld;
  let tab: TabOnWorld;
  beforeEach(() => {
    ({ world, tab } = rig);
  });

  it('serves an image attached from the local OneDrive as its own thumbnail, to its readers only', async () => {
    const manager = await person({ userId: 'lo-manager' });
    const author = await person({ userId: 'lo-author' });
    const outsider = await person({ userId: 'lo-outsider' });
    const png = world.ownFile(author, 'Luchtfoto.png', MAP);
    const { attachment } = await discussionWithFile(world, manager, author, png);
    const res = await thumbnailOf(world, manager, attachment.id).expect(200);
    assert.deepEqual(res.body, MAP);
    assert.equal(res.headers['content-type'], 'image/png');
    assert.equal(res.headers['cache-control'], 'private, max-age=300');
    assert.equal(res.headers['x-content-type-options'], 'nosniff');
    assert.equal((await thumbnailOf(world, outsider, attachment.id).expect(404)).body.code, 'attachment_not_found');
    // An image larger than the bound shows the type icon instead.
    const big = world.ownFile(author, 'Groot.png', Buffer.concat([MAP, Buffer.alloc(MAX_THUMBNAIL_BYTES)]));
    const large = await discussionWithFile(world, manager, author, big);
    assert.equal((await thumbnailOf(world, manager, large.attachment.id).expect(404)).body.code, 'thumbnail_too_large');
    const unauthenticated = await request(world.app).get(`/api/v1/attachments/${attachment.id}/thumbnail`);
    assert.equal(unauthenticated.status, 401);
  });

  it('a hidden discussion: its moderator sees the card but not the thumbnail, its author keeps it, the other readers get it back when it is shown again', async () => {
    const manager = await person({ userId: 'hd-manager' });
    const author = await person({ userId: 'hd-author' });
    const reader = await person({ userId: 'hd-reader' });
    const png = world.ownFile(author, 'Foto.png', MAP);
    const { discussionId, attachment } = await discussionWithFile(world, manager, author, png, { members: [reader] });
    await thumbnailOf(world, reader, attachment.id).expect(200);
    await as(world.app, manager).put(`/discussions/${discussionId}/hidden`).expect(200);
    const moderated = await as(world.app, manager).get(`/discussions/${discussionId}`).expect(200);
    assert.equal(moderated.body.attachments[0].id, attachment.id, 'the moderator sees the card');
    assert.equal((await thumbnailOf(world, manager, attachment.id).expect(404)).body.code, 'attachment_not_found');
    assert.equal((await thumbnailOf(world, reader, attachment.id).expect(404)).body.code, 'attachment_not_found');
    await thumbnailOf(world, author, attachment.id).expect(200);
    await as(world.app, manager).delete(`/discussions/${discussionId}/hidden`).expect(200);
    await thumbnailOf(world, reader, attachment.id).expect(200);
  });

  it('the tab loads a thumbnail with the API’s credential, and never an address on another origin', async () => {
    const manager = await person({ userId: 'tl-manager' });
    const author = await person({ userId: 'tl-author' });
    const png = world.ownFile(author, 'Kaart.png', MAP);
    const { attachment } = await discussionWithFile(world, manager, author, png);
    const file = readAttachment(attachment);
    const id = thumbnailIdOf(file);
    assert.equal(id, attachment.id);
    const seen: string[] = [];
    const blob = await loadThumbnail(tab.clientAs(manager, (url) => void seen.push(url)), id!);
    assert.equal(blob?.type, 'image/png');
    assert.deepEqual(Buffer.from(await blob!.arrayBuffer()), MAP);
    assert.deepEqual(seen.map((url) => new URL(url).pathname), [`/api/v1/attachments/${attachment.id}/thumbnail`]);
    for (const thumbnailUrl of ['https://contoso.sharepoint.com/_thumbnails/x/medium', `//evil.example/api/v1/attachments/${attachment.id}/thumbnail`, `/api/v1/attachments/${attachment.id}/thumbnail/../../me`]) {
      assert.equal(thumbnailIdOf({ available: true, thumbnailUrl }), null, thumbnailUrl);
    }
    assert.equal(thumbnailIdOf({ available: false, thumbnailUrl: attachment.thumbnailUrl }), null, 'nothing for a file no longer available');
  });
});
