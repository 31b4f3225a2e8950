/**
 * The drive port over Microsoft Graph (graph-drive-gateway.ts) against the local Graph's drive
 * endpoints (test/support/graph-drives.ts): every method as a person and as the app, paging,
 * throttling and outages, sharing permissions granted and taken back by id, and resumable
 * uploads through faults, expiry and fragments out of step.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { ForbiddenError, NotFoundError, ValidationError } from '../../src/errors/domain-errors.js';
import { meentGraphClient } from '../../src/graph/graph-client.js';
import { GraphUnavailableError } from '../../src/graph/graph-errors.js';
import type { RetryEvent } from '../../src/graph/graph-retry.js';
import { GraphDriveGateway } from '../../src/attachments/graph-drive-gateway.js';
import type { DriveCaller } from '../../src/attachments/local-drive-store.js';
import { UPLOAD_FRAGMENT_UNIT } from '../../src/attachments/local-drive-store.js';
import { DEFAULT_FRAGMENT_BYTES, sendFragment, uploadWhole } from '../../src/attachments/resumable-upload.js';
import { startGraphServer, type GraphServer, type RecordedRequest } from '../support/graph-server.js';
import { solidPng } from '../support/png.js';

const START = Date.parse('2026-12-01T09:00:00Z');
const OWNER = '7a1f0000-0000-4000-8000-000000000001';
const READER = '7a1f0000-0000-4000-8000-000000000002';
const OTHER = '7a1f0000-0000-4000-8000-000000000003';
const STRANGER = '7a1f0000-0000-4000-8000-000000000004';
const LIBRARY = 'b!meent-library-under-test';

describe('GraphDriveGateway against the Graph stand-in', function () {
  this.timeout(120_000);
  let server: GraphServer;
  let now = START;
  let retries: RetryEvent[] = [];

  before(async () => {
    server = await startGraphServer({ now: () => now });
  });
  after(async () => {
    await server.stop();
  });
  beforeEach(() => {
    server.reset();
    now = START;
    retries = [];
    server.addUser({ id: OWNER, displayName: 'Ilse Eigenaar' });
    server.addUser({ id: READER, displayName: 'Ruud Lezer' });
    server.addUser({ id: OTHER, displayName: 'Olga Ander' });
    server.addUser({ id: STRANGER, displayName: 'Sam Vreemd' });
  });

  /** The gateway with a token that acts as `caller`, through Meent's one Graph client factory. */
  function gatewayAs(caller: DriveCaller | { token: string }): GraphDriveGateway {
    const token = typeof caller === 'object' && 'token' in caller ? caller.token : server.drives.tokenFor(caller);
    return new GraphDriveGateway({ graph: meentGraphClient({ baseUrl: server.baseUrl, getAccessToken: () => Promise.resolve(token), onRetry: (event) => void retries.push(event) }) });
  }

  const driveRequests = (predicate: (r: RecordedRequest) => boolean = () => true) => server.requests.filter((r) => !r.path.startsWith('/v1.0/users') && predicate(r));
  const isPut = (r: RecordedRequest) => r.method === 'PUT' && server.drives.isUploadPath(r.path);
  const startsAt = (offset: number) => (r: RecordedRequest) => isPut(r) && (r.headers['content-range'] ?? '').startsWith(`bytes ${offset}-`);

  describe('reading', () => {
    it('reads an item with the fields Meent keeps and its thumbnail, as the owner, a reader it was shared with and the app; a stranger and a vanished item read as null', async () => {
      const file = server.drives.addOwnFile(OWNER, 'Conceptnotitie Baakse Beek.docx', Buffer.alloc(1234), 'Projecten');
      const owner = gatewayAs({ userId: OWNER });
      const info = await owner.getItem(file.driveId, file.id);
      assert.ok(info);
      assert.equal(info.name, 'Conceptnotitie Baakse Beek.docx');
      assert.equal(info.size, 1234);
      assert.equal(info.mimeType, 'application/vnd.openxmlformats-officedocument.wordprocessingml.document');
      assert.equal(info.folder, false);
      assert.equal(info.driveId, file.driveId);
      assert.match(info.webUrl, /^https:\/\/.+Projecten\/Conceptnotitie%20Baakse%20Beek\.docx$/);
      assert.match(info.thumbnailUrl ?? '', /\/medium\?tempauth=[\w-]+$/);
      assert.equal(info.lastModifiedAt, new Date(START).toISOString());
      const [get] = driveRequests();
      assert.equal(get?.path, `/v1.0/drives/${file.driveId}/items/${file.id}`);
      assert.equal(get?.query.get('$expand'), 'thumbnails');
      assert.deepEqual(get?.query.get('$select')?.split(',').sort(), ['file', 'folder', 'id', 'lastModifiedDateTime', 'name', 'parentReference', 'size', 'webUrl']);

      // Graph does not tell a stranger an item exists: 404, which the port reads as null.
      assert.equal(await gatewayAs({ userId: STRANGER }).getItem(file.driveId, file.id), null);
      assert.equal(driveRequests().at(-1)?.status, 404);
      server.drives.store.invite('app', file.driveId, file.id, [READER], ['read']);
      assert.equal((await gatewayAs({ userId: READER }).getItem(file.driveId, file.id))?.itemId, file.id);
      assert.equal((await gatewayAs('app').getItem(file.driveId, file.id))?.itemId, file.id);
      // A text file has no thumbnail; a folder reads as a folder.
      const text = server.drives.addOwnFile(OWNER, 'leesmij.txt');
      assert.equal((await owner.getItem(text.driveId, text.id))?.thumbnailUrl, null);
      const folder = server.drives.store.itemAtPath('app', file.driveId, 'Projecten');
      assert.deepEqual(await owner.getItem(folder.driveId, folder.id).then((i) => [i?.folder, i?.mimeType, i?.size]), [true, null, 0]);

      server.drives.store.deleteItem(file.driveId, file.id);
      assert.equal(await owner.getItem(file.driveId, file.id), null, 'a vanished item reads as null');
      assert.equal(await gatewayAs('app').getItem(file.driveId, file.id), null);
    });

    it('reads a thumbnail through Graph’s 302 to its own URL (no bearer token there), as the stand-in lists it; none for a text file, a stranger or a vanished item; an outage is unavailable', async () => {
      const image = solidPng(20, 10);
      const png = server.drives.addOwnFile(OWNER, 'Kaart.png', image);
      const app = gatewayAs('app');
      const read = async (found: Awaited<ReturnType<GraphDriveGateway['thumbnail']>>) => {
        assert.ok(found);
        const chunks: Buffer[] = [];
        for await (const chunk of found.body) chunks.push(chunk as Buffer);
        return { contentType: found.contentType, length: found.length, bytes: Buffer.concat(chunks) };
      };
      assert.deepEqual(await read(await app.thumbnail(png.driveId, png.id)), { contentType: 'image/png', length: image.length, bytes: image });
      const [content, bytes] = driveRequests().slice(-2);
      assert.equal(content?.path, `/v1.0/drives/${png.driveId}/items/${png.id}/thumbnails/0/medium/content`);
      assert.equal(content?.status, 302);
      assert.ok(bytes && server.drives.isThumbnailPath(bytes.path));
      assert.equal(bytes.headers.authorization, undefined);
      // The stand-in's listing (driveitem-list-thumbnails) names the same URL the redirect went to.
      const listed = (await (await fetch(`${server.baseUrl}/v1.0/drives/${png.driveId}/items/${png.id}/thumbnails`, { headers: { Authorization: `Bearer ${server.drives.tokenFor('app')}` } })).json()) as { value: { id: string; medium: { url: string } }[] };
      assert.equal(listed.value[0]?.id, '0');
      assert.equal(new URL(listed.value[0]?.medium.url ?? '').pathname, bytes.path);
      // A document's thumbnail is a rendered page.
      const docx = server.drives.addOwnFile(OWNER, 'Notitie.docx');
      assert.equal((await read(await gatewayAs({ userId: OWNER }).thumbnail(docx.driveId, docx.id))).contentType, 'image/png');

      const text = server.drives.addOwnFile(OWNER, 'leesmij.txt');
      assert.equal(await app.thumbnail(text.driveId, text.id), null, 'no thumbnail');
      assert.equal(await gatewayAs({ userId: STRANGER }).thumbnail(png.driveId, png.id), null, 'Graph tells a stranger nothing');
      server.drives.store.deleteItem(docx.driveId, docx.id);
      assert.equal(await app.thumbnail(docx.driveId, docx.id), null, 'vanished');
      server.failNext({ status: 503, times: 3, match: (r) => r.path.endsWith('/thumbnails/0/medium/content') });
      await assert.rejects(app.thumbnail(png.driveId, png.id), (e: unknown) => e instanceof GraphUnavailableError);
      server.failNext({ status: 503, times: 1, match: (r) => server.drives.isThumbnailPath(r.path) });
      await assert.rejects(app.thumbnail(png.driveId, png.id), (e: unknown) => e instanceof GraphUnavailableError, 'the thumbnail host down');
    });

    it('acts as the person a delegated JWT names (oid with scp), and as the app for an app-only one', async () => {
      const file = server.drives.addOwnFile(OWNER, 'Begroting.xlsx');
      const jwt = (claims: Record<string, unknown>) => ['eyJhbGciOiJSUzI1NiJ9', Buffer.from(JSON.stringify(claims)).toString('base64url'), 'c2ln'].join('.');
      assert.equal((await gatewayAs({ token: jwt({ oid: OWNER, scp: 'Files.ReadWrite.All', idtyp: 'user' }) }).getItem(file.driveId, file.id))?.name, 'Begroting.xlsx');
      assert.equal(await gatewayAs({ token: jwt({ oid: STRANGER, scp: 'Files.ReadWrite.All', idtyp: 'user' }) }).getItem(file.driveId, file.id), null);
      assert.equal((await gatewayAs({ token: jwt({ oid: randomBytes(8).toString('hex'), roles: ['Files.ReadWrite.All'], idtyp: 'app' }) }).getItem(file.driveId, file.id))?.name, 'Begroting.xlsx');
      // A token that names nobody is refused, not read as anyone.
      await assert.rejects(gatewayAs({ token: 'opaque-token-of-nobody' }).getItem(file.driveId, file.id), (e: unknown) => e instanceof GraphUnavailableError && e.code === 'graph_unauthorized');
    });

    it('searches the person’s OneDrive across pages, doubles quotes in q, leaves out folders and what they cannot read', async () => {
      server.drives.pageSize = 2;
      for (const n of [1, 2, 3, 4, 5]) server.drives.addOwnFile(OWNER, `Peilbesluit deel ${n}.pdf`);
      server.drives.addOwnFile(OWNER, 'Notulen.docx');
      server.drives.addOwnFile(STRANGER, 'Peilbesluit geheim.pdf');
      const owner = gatewayAs({ userId: OWNER });
      const found = await owner.search('peilbesluit');
      assert.deepEqual(found.map((i) => i.name).sort(), [1, 2, 3, 4, 5].map((n) => `Peilbesluit deel ${n}.pdf`));
      const searches = driveRequests((r) => r.path.startsWith('/v1.0/me/drive/root/search'));
      assert.equal(searches.length, 3, 'three pages of two');
      assert.equal(searches[0]?.path, "/v1.0/me/drive/root/search(q='peilbesluit')");
      assert.ok(searches[1]?.query.get('$skiptoken'), 'the next page is asked by @odata.nextLink');

      server.drives.addOwnFile(OWNER, "Reactie 'definitief' Zuiderveld.docx");
      assert.deepEqual((await owner.search("'definitief'")).map((i) => i.name), ["Reactie 'definitief' Zuiderveld.docx"]);
      assert.equal(driveRequests().at(-1)?.path, "/v1.0/me/drive/root/search(q='''definitief''')");
      // The app has no OneDrive: /me is refused.
      await assert.rejects(gatewayAs('app').search('peilbesluit'), (e: unknown) => e instanceof ValidationError && e.code === 'graph_invalid_request');
    });

    it('lists the OneDrive root and a folder’s children across pages; a folder the person cannot read is not found', async () => {
      server.drives.pageSize = 2;
      const drive = server.drives.store.oneDriveOf(OWNER).id;
      for (const n of [1, 2, 3]) server.drives.addOwnFile(OWNER, `Bijlage ${n}.pdf`, Buffer.from('x'), 'Gebiedsproces');
      server.drives.addOwnFile(OWNER, 'Los.pdf');
      server.drives.addOwnFile(OWNER, 'Nog een.pdf');
      const owner = gatewayAs({ userId: OWNER });
      const root = await owner.children();
      assert.deepEqual(root.map((i) => [i.name, i.folder]), [['Gebiedsproces', true], ['Los.pdf', false], ['Nog een.pdf', false]]);
      assert.ok(root.every((i) => i.driveId === drive));
      const folder = root.find((i) => i.folder);
      assert.ok(folder);
      const inside = await owner.children({ driveId: folder.driveId, itemId: folder.itemId });
      assert.deepEqual(inside.map((i) => i.name), ['Bijlage 1.pdf', 'Bijlage 2.pdf', 'Bijlage 3.pdf']);
      assert.equal(driveRequests((r) => r.path === `/v1.0/drives/${drive}/items/${folder.itemId}/children`).length, 2);
      await assert.rejects(gatewayAs({ userId: STRANGER }).children({ driveId: folder.driveId, itemId: folder.itemId }), (e: unknown) => e instanceof NotFoundError && e.code === 'graph_not_found');
    });

    it('waits out throttling on search and children (Retry-After honoured), retries a 503, and gives up as unavailable when Graph stays down', async () => {
      server.drives.pageSize = 2;
      for (const n of [1, 2, 3]) server.drives.addOwnFile(OWNER, `Waterplan ${n}.pdf`);
      const owner = gatewayAs({ userId: OWNER });
      server.failNext({ status: 429, retryAfter: 1, match: (r) => r.path.startsWith('/v1.0/me/drive/root/search') });
      assert.equal((await owner.search('waterplan')).length, 3);
      assert.deepEqual(retries.map((r) => [r.status, r.delayMs, r.fromRetryAfter]), [[429, 1000, true]]);

      retries = [];
      // The second page of children fails once with 503: retried, and the walk completes.
      server.failNext({ status: 503, match: (r) => r.path === '/v1.0/me/drive/root/children' && r.query.has('$skiptoken') });
      assert.equal((await owner.children()).length, 3);
      assert.deepEqual(retries.map((r) => r.status), [503]);

      server.failNext({ status: 429, retryAfter: 1, times: 10, match: (r) => r.path === '/v1.0/me/drive/root/children' });
      await assert.rejects(owner.children(), (e: unknown) => e instanceof GraphUnavailableError && e.code === 'graph_unavailable');
      server.failNext({ status: 503, times: 10, match: (r) => r.path.startsWith('/v1.0/me/drive/root/search') });
      await assert.rejects(owner.search('waterplan'), (e: unknown) => e instanceof GraphUnavailableError);
    });
  });

  describe('sharing', () => {
    it('invites people by object id for read, signed in and without e-mail, records each permission id, and takes them back by id', async () => {
      const file = server.drives.addOwnFile(OWNER, 'Notitie.docx');
      const owner = gatewayAs({ userId: OWNER });
      const granted = await owner.invite(file.driveId, file.id, [READER, OTHER]);
      assert.deepEqual([...granted.keys()].sort(), [READER, OTHER].sort());
      const invite = driveRequests((r) => r.path.endsWith('/invite'))[0];
      assert.deepEqual(invite?.body, { recipients: [{ objectId: READER }, { objectId: OTHER }], roles: ['read'], requireSignIn: true, sendInvitation: false });
      const listed = await owner.permissions(file.driveId, file.id);
      assert.deepEqual(listed.map((p) => [p.userId, p.roles, p.linkScope, p.inherited]).sort(), [[READER, ['read'], null, false], [OTHER, ['read'], null, false]].sort());
      assert.deepEqual(new Set(listed.map((p) => p.id)), new Set(granted.values()));
      assert.ok(await gatewayAs({ userId: READER }).getItem(file.driveId, file.id), 'the invited person can open it');
      // Inviting again answers the same permission (nothing doubled).
      assert.equal((await owner.invite(file.driveId, file.id, [READER])).get(READER), granted.get(READER));

      // The app takes one back by its id: gone from the item, and the person can no longer open it.
      const app = gatewayAs('app');
      await app.deletePermission(file.driveId, file.id, granted.get(READER) ?? '');
      assert.equal(driveRequests().at(-1)?.method, 'DELETE');
      assert.equal(driveRequests().at(-1)?.status, 204);
      assert.deepEqual((await app.permissions(file.driveId, file.id)).map((p) => p.userId), [OTHER]);
      assert.equal(await gatewayAs({ userId: READER }).getItem(file.driveId, file.id), null);
      // Already gone: not an error.
      await app.deletePermission(file.driveId, file.id, granted.get(READER) ?? '');
      assert.equal(driveRequests().at(-1)?.status, 404);
    });

    it('refuses sharing by someone who may only read, and an invitation of someone Graph cannot resolve', async () => {
      const file = server.drives.addOwnFile(OWNER, 'Vertrouwelijk.docx');
      server.drives.store.invite('app', file.driveId, file.id, [READER], ['read']);
      const reader = gatewayAs({ userId: READER });
      await assert.rejects(reader.invite(file.driveId, file.id, [OTHER]), (e: unknown) => e instanceof ForbiddenError && e.code === 'graph_forbidden');
      await assert.rejects(reader.createOrganizationLink(file.driveId, file.id), (e: unknown) => e instanceof ForbiddenError && e.code === 'graph_forbidden');
      const [permission] = server.drives.store.permissionsOf('app', file.driveId, file.id);
      await assert.rejects(reader.deletePermission(file.driveId, file.id, permission?.id ?? ''), (e: unknown) => e instanceof ForbiddenError);
      await assert.rejects(gatewayAs({ userId: OWNER }).invite(file.driveId, file.id, ['not-a-user-of-this-tenant']), (e: unknown) => e instanceof ValidationError && e.code === 'graph_invalid_request');
      assert.deepEqual(server.drives.store.permissionsOf('app', file.driveId, file.id).map((p) => p.userId), [READER], 'nothing changed');
      // A person who was given write may share.
      server.drives.store.invite('app', file.driveId, file.id, [OTHER], ['write']);
      const ids = await gatewayAs({ userId: OTHER }).invite(file.driveId, file.id, [STRANGER]);
      assert.ok(ids.get(STRANGER));
    });

    it('makes an organisation view link, never an anonymous one, answers the same link again, and lists inherited permissions as inherited', async () => {
      const file = server.drives.addOwnFile(OWNER, 'Jaarplan.pdf', Buffer.from('x'), 'Plannen');
      const owner = gatewayAs({ userId: OWNER });
      const link = await owner.createOrganizationLink(file.driveId, file.id);
      assert.equal(await owner.createOrganizationLink(file.driveId, file.id), link, 'the existing link of that type and scope');
      const links = driveRequests((r) => r.path.endsWith('/createLink'));
      assert.deepEqual(links.map((r) => r.body), [{ type: 'view', scope: 'organization' }, { type: 'view', scope: 'organization' }]);
      assert.deepEqual(links.map((r) => r.status), [201, 200]);
      const [permission] = await owner.permissions(file.driveId, file.id);
      assert.deepEqual(permission, { id: link, roles: ['read'], userId: null, linkScope: 'organization', inherited: false });
      assert.ok(await gatewayAs({ userId: STRANGER }).getItem(file.driveId, file.id), 'anyone in the organisation can open it');

      const folder = server.drives.store.itemAtPath('app', file.driveId, 'Plannen');
      server.drives.store.invite('app', folder.driveId, folder.id, [READER], ['read']);
      const all = await owner.permissions(file.driveId, file.id);
      assert.deepEqual(all.map((p) => [p.userId, p.inherited]).sort(), [[null, false], [READER, true]].sort());

      await gatewayAs('app').deletePermission(file.driveId, file.id, link);
      assert.equal(await gatewayAs({ userId: STRANGER }).getItem(file.driveId, file.id), null);
    });

    it('finds a team’s document library for the app; an unknown group is not found', async () => {
      const team = server.addTeam({ displayName: 'Waterkwaliteit', members: [{ userId: OWNER, roles: ['owner'] }] });
      const app = gatewayAs('app');
      assert.equal(await app.groupDriveId(team.id), server.drives.store.groupDrive(team.id).id);
      assert.equal(driveRequests().at(-1)?.query.get('$select'), 'id');
      await assert.rejects(app.groupDriveId('00000000-0000-4000-8000-0000000000ff'), (e: unknown) => e instanceof NotFoundError && e.code === 'graph_not_found');
      await assert.rejects(gatewayAs({ userId: STRANGER }).groupDriveId(team.id), (e: unknown) => e instanceof NotFoundError);
    });
  });

  describe('uploads', () => {
    beforeEach(() => server.drives.addLibrary(LIBRARY));

    it('uploads into a folder path through a session: fragments without a bearer token, progress, the item at the end, a second file of that name renamed, and cancel', async () => {
      const app = gatewayAs('app');
      const target = { driveId: LIBRARY, folderPath: 'Meent/Waterbeheer (a1b2c3)' };
      const session = await app.createUploadSession(target, 'Verslag 12-11.pdf');
      const create = driveRequests()[0];
      assert.equal(create?.path, `/v1.0/drives/${LIBRARY}/root:/Meent/Waterbeheer%20(a1b2c3)/Verslag%2012-11.pdf:/createUploadSession`);
      assert.deepEqual(create?.body, { item: { '@microsoft.graph.conflictBehavior': 'rename', name: 'Verslag 12-11.pdf' } });
      assert.equal(session.expiresAt, new Date(START + 24 * 3600_000).toISOString());
      const file = randomBytes(UPLOAD_FRAGMENT_UNIT + 100);
      const first = await app.uploadChunk(session, 0, file.length, file.subarray(0, UPLOAD_FRAGMENT_UNIT));
      assert.deepEqual(first, { done: false, nextOffset: UPLOAD_FRAGMENT_UNIT });
      assert.deepEqual(await app.uploadStatus(session), { nextOffset: UPLOAD_FRAGMENT_UNIT });
      const last = await app.uploadChunk(session, UPLOAD_FRAGMENT_UNIT, file.length, file.subarray(UPLOAD_FRAGMENT_UNIT));
      assert.ok(last.done);
      assert.equal(last.item.name, 'Verslag 12-11.pdf');
      assert.equal(last.item.size, file.length);
      assert.equal(last.item.driveId, LIBRARY);
      const puts = driveRequests(isPut);
      assert.deepEqual(puts.map((r) => [r.headers['content-range'], r.headers.authorization, r.status]), [
        [`bytes 0-${UPLOAD_FRAGMENT_UNIT - 1}/${file.length}`, undefined, 202],
        [`bytes ${UPLOAD_FRAGMENT_UNIT}-${file.length - 1}/${file.length}`, undefined, 201],
      ]);
      assert.deepEqual(server.drives.store.content('app', LIBRARY, last.item.itemId), file);
      assert.equal(server.drives.store.itemAtPath('app', LIBRARY, 'Meent/Waterbeheer (a1b2c3)/Verslag 12-11.pdf').id, last.item.itemId);

      const again = await app.createUploadSession(target, 'Verslag 12-11.pdf');
      const second = await app.uploadChunk(again, 0, 3, Buffer.from('abc'));
      assert.ok(second.done);
      assert.equal(second.item.name, 'Verslag 12-11 1.pdf', 'conflictBehavior rename keeps the first');

      const cancelled = await app.createUploadSession(target, 'Afgebroken.pdf');
      await app.uploadChunk(cancelled, 0, 2 * UPLOAD_FRAGMENT_UNIT, Buffer.alloc(UPLOAD_FRAGMENT_UNIT));
      await app.cancelUpload(cancelled);
      assert.equal(driveRequests().at(-1)?.status, 204);
      await app.cancelUpload(cancelled);
      await assert.rejects(app.uploadStatus(cancelled), (e: unknown) => e instanceof NotFoundError && e.code === 'upload_session_gone');
      assert.equal(server.drives.store.filesIn(LIBRARY).length, 2);
    });

    it('uploads 30 MB in 320 KiB-multiple fragments through a 503, a 429 with Retry-After and a lost answer, resumes in the same session, and makes exactly one file', async () => {
      const app = gatewayAs('app');
      const file = randomBytes(30 * 1024 * 1024);
      const session = await app.createUploadSession({ driveId: LIBRARY, folderPath: 'Meent/Groot' }, 'Gebiedsproces.pdf');
      const f = DEFAULT_FRAGMENT_BYTES;
      server.failNext({ status: 503, match: startsAt(2 * f) });
      server.failNext({ status: 429, retryAfter: 2, match: startsAt(5 * f) });
      // The eighth fragment arrives, but its answer is lost: Meent must not send it twice.
      server.dropConnections(1, startsAt(7 * f), 'after');
      const waits: number[] = [];
      const item = await uploadWhole(app, session, file.length, (start, end) => Promise.resolve(file.subarray(start, end)), { sleep: (ms) => Promise.resolve(void waits.push(ms)), baseDelayMs: 10 });

      assert.equal(item.size, file.length);
      assert.equal(server.drives.store.filesIn(LIBRARY).length, 1, 'exactly one file');
      const stored = server.drives.store.content('app', LIBRARY, item.itemId);
      assert.equal(createHash('sha256').update(stored).digest('hex'), createHash('sha256').update(file).digest('hex'));
      assert.deepEqual(waits, [10, 2000, 10], 'backoff after the 503 and the lost answer, Graph’s Retry-After after the 429');
      const puts = driveRequests(isPut);
      const ranges = puts.map((r) => /^bytes (\d+)-(\d+)\/(\d+)$/.exec(r.headers['content-range'] ?? '')).map((m) => [Number(m?.[1]), Number(m?.[2])] as const);
      for (const [start, end] of ranges.slice(0, -1)) assert.equal((end - start + 1) % UPLOAD_FRAGMENT_UNIT, 0, 'every fragment but the last is a multiple of 320 KiB');
      assert.deepEqual(puts.map((r) => r.status).filter((s) => s !== 202), [503, 429, 0, 201]);
      assert.equal(ranges.filter(([start]) => start === 7 * f).length, 1, 'the fragment whose answer was lost was not sent again');
      assert.equal(driveRequests((r) => r.method === 'GET' && server.drives.isUploadPath(r.path)).length, 3, 'Meent asked the session where it stood after each fault');
      assert.equal(driveRequests((r) => r.path.endsWith('/createUploadSession')).length, 1, 'one session');
    });

    it('finds items by path under a library’s root, and a folder’s children by its path, with when each was made; nothing there reads as null or none', async () => {
      const app = gatewayAs('app');
      const file = server.drives.store.addFile(LIBRARY, 'Meent/Water & bodem (a1b2c3)', 'Verslag 12-11.pdf', Buffer.from('verslag'));
      now = START + 60_000;
      const later = server.drives.store.addFile(LIBRARY, 'Meent/Water & bodem (a1b2c3)', 'Verslag 12-11 1.pdf', Buffer.from('ander verslag'));
      const found = await app.itemAtPath(LIBRARY, 'Meent/Water & bodem (a1b2c3)/Verslag 12-11.pdf');
      assert.deepEqual([found?.itemId, found?.name, found?.size, found?.createdAt], [file.id, 'Verslag 12-11.pdf', 7, new Date(START).toISOString()]);
      assert.equal(driveRequests().at(-1)?.path, `/v1.0/drives/${LIBRARY}/root:/Meent/Water%20%26%20bodem%20(a1b2c3)/Verslag%2012-11.pdf`);
      assert.ok(driveRequests().at(-1)?.query.get('$select')?.split(',').includes('createdDateTime'));
      const children = await app.childrenAtPath(LIBRARY, 'Meent/Water & bodem (a1b2c3)');
      assert.deepEqual(children.map((c) => [c.itemId, c.createdAt]).sort((a, b) => String(a[1]).localeCompare(String(b[1]))), [[file.id, new Date(START).toISOString()], [later.id, new Date(START + 60_000).toISOString()]]);
      assert.equal(driveRequests().at(-1)?.path, `/v1.0/drives/${LIBRARY}/root:/Meent/Water%20%26%20bodem%20(a1b2c3):/children`);
      assert.equal(await app.itemAtPath(LIBRARY, 'Meent/Water & bodem (a1b2c3)/Bestaat niet.pdf'), null);
      assert.deepEqual(await app.childrenAtPath(LIBRARY, 'Meent/Geen map'), []);
      assert.deepEqual(driveRequests().slice(-2).map((r) => r.status), [404, 404]);
      // A person finds only what they may read.
      assert.equal(await gatewayAs({ userId: STRANGER }).itemAtPath(LIBRARY, 'Meent/Water & bodem (a1b2c3)/Verslag 12-11.pdf'), null);
    });

    it('retries a fault while asking the session where it stands, as it retries the fragment', async () => {
      const app = gatewayAs('app');
      const file = randomBytes(3 * UPLOAD_FRAGMENT_UNIT);
      const session = await app.createUploadSession({ driveId: LIBRARY, folderPath: 'Meent' }, 'Status.pdf');
      server.failNext({ status: 503, match: startsAt(UPLOAD_FRAGMENT_UNIT) });
      server.failNext({ status: 503, match: (r) => r.method === 'GET' && server.drives.isUploadPath(r.path) });
      const waits: number[] = [];
      const item = await uploadWhole(app, session, file.length, (start, end) => Promise.resolve(file.subarray(start, end)), { fragmentBytes: UPLOAD_FRAGMENT_UNIT, sleep: (ms) => Promise.resolve(void waits.push(ms)), baseDelayMs: 10 });
      assert.deepEqual(server.drives.store.content('app', LIBRARY, item.itemId), file);
      assert.equal(server.drives.store.filesIn(LIBRARY).length, 1);
      assert.deepEqual(waits, [10, 20], 'exponential backoff across the failed fragment and the failed status request');
    });

    it('reads an expired session (404) as upload_session_gone and a fragment out of step (416) as upload_out_of_step', async () => {
      const app = gatewayAs('app');
      const total = 3 * UPLOAD_FRAGMENT_UNIT;
      const bytes = randomBytes(total);
      const session = await app.createUploadSession({ driveId: LIBRARY, folderPath: 'Meent' }, 'Stap.pdf');
      await app.uploadChunk(session, 0, total, bytes.subarray(0, UPLOAD_FRAGMENT_UNIT));
      // Sent again (the sender thought it lost): Graph answers 416; the port says out of step.
      await assert.rejects(app.uploadChunk(session, 0, total, bytes.subarray(0, UPLOAD_FRAGMENT_UNIT)), (e: unknown) => e instanceof ValidationError && e.code === 'upload_out_of_step');
      assert.equal(driveRequests(isPut).at(-1)?.status, 416);
      // Skipping ahead is out of step too; through sendFragment, which asks where the session stands and will not leave a gap.
      await assert.rejects(app.uploadChunk(session, 2 * UPLOAD_FRAGMENT_UNIT, total, bytes.subarray(2 * UPLOAD_FRAGMENT_UNIT)), (e: unknown) => e instanceof ValidationError && e.code === 'upload_out_of_step');
      await assert.rejects(sendFragment(app, session, 2 * UPLOAD_FRAGMENT_UNIT, total, bytes.subarray(2 * UPLOAD_FRAGMENT_UNIT), { sleep: () => Promise.resolve() }), (e: unknown) => e instanceof ValidationError && e.code === 'upload_out_of_step');
      // A resend of what arrived already is recognised and moves on without a second copy.
      assert.deepEqual(await sendFragment(app, session, 0, total, bytes.subarray(0, UPLOAD_FRAGMENT_UNIT), { sleep: () => Promise.resolve() }), { done: false, nextOffset: UPLOAD_FRAGMENT_UNIT });
      assert.equal(server.drives.store.sessionBytes(new URL(session.uploadUrl).pathname.split('/').at(-1) ?? ''), UPLOAD_FRAGMENT_UNIT);

      // A day later the session has expired: 404, which means start again.
      now = START + 24 * 3600_000 + 1;
      await assert.rejects(app.uploadChunk(session, UPLOAD_FRAGMENT_UNIT, total, bytes.subarray(UPLOAD_FRAGMENT_UNIT, 2 * UPLOAD_FRAGMENT_UNIT)), (e: unknown) => e instanceof NotFoundError && e.code === 'upload_session_gone');
      assert.equal(driveRequests(isPut).at(-1)?.status, 404);
      await assert.rejects(app.uploadStatus(session), (e: unknown) => e instanceof NotFoundError && e.code === 'upload_session_gone');
      await assert.rejects(sendFragment(app, session, UPLOAD_FRAGMENT_UNIT, total, bytes.subarray(UPLOAD_FRAGMENT_UNIT, 2 * UPLOAD_FRAGMENT_UNIT), { sleep: () => Promise.resolve() }), (e: unknown) => e instanceof NotFoundError && e.code === 'upload_session_gone');
      assert.equal(server.drives.store.filesIn(LIBRARY).length, 0);
    });

    it('the stand-in holds uploads to the contract: no bearer token on the upload URL, its secret required, fragments of 320 KiB multiples, one total', async () => {
      const app = gatewayAs('app');
      const session = await app.createUploadSession({ driveId: LIBRARY, folderPath: '' }, 'Regels.pdf');
      const put = (url: string, range: string, body: Uint8Array<ArrayBuffer>, headers: Record<string, string> = {}) => fetch(url, { method: 'PUT', headers: { 'Content-Range': range, ...headers }, body });
      assert.equal((await put(session.uploadUrl, 'bytes 0-9/20', new Uint8Array(10), { Authorization: 'Bearer x' })).status, 401);
      assert.equal((await put(session.uploadUrl.replace(/tempauth=[^&]+/, 'tempauth=guess'), 'bytes 0-9/20', new Uint8Array(10))).status, 401);
      assert.equal((await put(session.uploadUrl, 'bytes 0-9/20', new Uint8Array(10))).status, 400, 'not a multiple of 320 KiB and not the last');
      assert.equal((await put(session.uploadUrl, `bytes 0-${UPLOAD_FRAGMENT_UNIT - 1}/${2 * UPLOAD_FRAGMENT_UNIT}`, new Uint8Array(UPLOAD_FRAGMENT_UNIT))).status, 202);
      assert.equal((await put(session.uploadUrl, `bytes ${UPLOAD_FRAGMENT_UNIT}-${UPLOAD_FRAGMENT_UNIT + 9}/${UPLOAD_FRAGMENT_UNIT + 10}`, new Uint8Array(10))).status, 400, 'the total changed');
      // A person may not upload into a library that is not theirs.
      await assert.rejects(gatewayAs({ userId: OWNER }).createUploadSession({ driveId: LIBRARY, folderPath: '' }, 'X.pdf'), (e: unknown) => e instanceof ForbiddenError);
      await assert.rejects(app.createUploadSession({ driveId: 'b!no-such-drive', folderPath: '' }, 'X.pdf'), (e: unknown) => e instanceof NotFoundError);
    });
  });
});
