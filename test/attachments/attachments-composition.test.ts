/**
 * Attachments in the whole application (issue 21), as the composition root wires them, with
 * real tokens from the identity stand-in and the Graph stand-in's drives: an upload's fragments
 * are bounded by its session instead of the per-person write limit meant for posts, and a
 * guest's first sign-in (the authentication's own hook) shares with them at once the file of
 * the organisation-wide event they were invited to. The clock is frozen when the application
 * starts, so the write limit's window cannot turn during a test.
 */
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import request from 'supertest';
import { AttachmentUploadModel } from '../../src/attachments/attachment-upload.model.js';
import { FRAGMENT_RETRIES } from '../../src/attachments/upload-fragment-writes.js';
import { UPLOAD_FRAGMENT_UNIT } from '../../src/attachments/local-drive-store.js';
import { buildApplication, type Application } from '../../src/composition.js';
import { loadConfig } from '../../src/config/config.js';
import { createLogger } from '../../src/logging/logger.js';
import { useTestDatabase } from '../support/database.js';
import { startGraphServer, type GraphServer } from '../support/graph-server.js';
import { TEST_APP_ID_URI, TEST_CLIENT_ID, TEST_CLIENT_SECRET, TEST_HOME_TENANT, entraEnvironment } from '../support/identity-app.js';
import { startIdentityProvider, type IdentityProvider } from '../support/identity-provider.js';

const LIBRARY = 'b!meent-composition-library';
const WRITES = 4;
const DAY = 24 * 3_600_000;

interface Person {
  oid: string;
  name: string;
  admin?: boolean;
  guest?: boolean;
}

describe('attachments in the whole application (real tokens, the Graph stand-in)', function () {
  this.timeout(120_000);
  useTestDatabase('attachments_composition');
  let idp: IdentityProvider;
  let graph: GraphServer;
  let application: Application;
  let frozen: Date;

  before(async () => {
    idp = await startIdentityProvider();
    graph = await startGraphServer();
    idp.registerClient({ clientId: TEST_CLIENT_ID, appIdUri: TEST_APP_ID_URI, secret: TEST_CLIENT_SECRET });
    graph.drives.addLibrary(LIBRARY);
    frozen = new Date();
    const config = loadConfig(entraEnvironment(idp.baseUrl, graph.baseUrl, { RATE_LIMIT_USER_WRITES: String(WRITES), RATE_LIMIT_IP_WRITES: '0', ATTACHMENTS_LIBRARY_DRIVE_ID: LIBRARY }));
    application = await buildApplication(config, createLogger('silent'), { identity: { now: () => frozen } });
  });
  after(async () => {
    await application.close();
    await graph.stop();
    await idp.stop();
  });

  function someone(name: string, options: { admin?: boolean; guest?: boolean } = {}): Person {
    const p = { oid: randomUUID(), name, ...options };
    graph.addUser({ id: p.oid, displayName: name, ...(options.guest ? { userType: 'Guest' } : {}) });
    return p;
  }

  async function bearer(p: Person): Promise<string> {
    const token = await idp.userToken({
      tenantId: TEST_HOME_TENANT,
      oid: p.oid,
      name: p.name,
      upn: p.guest ? `${p.oid.slice(0, 8)}_adviesbureau.example#EXT#@contoso.onmicrosoft.com` : `${p.oid.slice(0, 8)}@waterschap.example`,
      apiClientId: TEST_CLIENT_ID,
      apiAppIdUri: TEST_APP_ID_URI,
      ...(p.admin ? { roles: ['Meent.Admin'] } : {}),
      ...(p.guest ? { acct: 1 as const } : {}),
    });
    return `Bearer ${token}`;
  }

  async function api(p: Person, method: 'get' | 'post' | 'patch' | 'delete', path: string, body?: object) {
    const res = await request(application.app)[method](`/api/v1${path}`).set('Authorization', await bearer(p)).send(body);
    await application.identity.whenIdle();
    return res;
  }

  async function fragment(p: Person, uploadId: string, start: number, bytes: Buffer, total: number) {
    return request(application.app)
      .put(`/api/v1/uploads/${uploadId}`)
      .set('Authorization', await bearer(p))
      .set('Content-Type', 'application/octet-stream')
      .set('Content-Range', `bytes ${start}-${start + bytes.length - 1}/${total}`)
      .send(bytes);
  }

  it('an upload of more fragments than the write limit allows writes goes through; the person’s other writes are limited as before, and fragments to someone else’s upload are refused and counted', async () => {
    const author = someone('Anna Auteur');
    const stranger = someone('Sam Vreemd');
    const created = await api(author, 'post', '/communities', { name: `Gebiedsproces ${randomUUID().slice(0, 6)}`, visibility: 'closed' });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const communityId = created.body.id as string;

    // Twice as many fragments as the person has writes, in the smallest fragments a session takes.
    const file = randomBytes(2 * WRITES * UPLOAD_FRAGMENT_UNIT + 100);
    const started = await api(author, 'post', `/communities/${communityId}/uploads`, { name: 'Bijlage gebiedsproces.pdf', size: file.length });
    assert.equal(started.status, 201, JSON.stringify(started.body));
    let last: request.Response | undefined;
    for (let offset = 0; offset < file.length; offset += UPLOAD_FRAGMENT_UNIT) {
      last = await fragment(author, started.body.id, offset, file.subarray(offset, Math.min(offset + UPLOAD_FRAGMENT_UNIT, file.length)), file.length);
      assert.equal(last.status, 200, `fragment at ${offset}: ${JSON.stringify(last.body)}`);
    }
    assert.equal(last?.body.done, true);
    assert.equal(graph.drives.store.filesIn(LIBRARY).length, 1);

    // Two writes so far (the community, the upload's start): two more, then the limit, as before.
    const posted = await api(author, 'post', `/communities/${communityId}/discussions`, { title: 'Met bijlage', body: 'x', attachments: [last?.body.item] });
    assert.equal(posted.status, 201, JSON.stringify(posted.body));
    const small = await api(author, 'post', `/communities/${communityId}/uploads`, { name: 'Klein.pdf', size: 10 });
    assert.equal(small.status, 201);
    const limited = await api(author, 'post', `/communities/${communityId}/discussions`, { title: 'Nog een', body: 'x' });
    assert.equal(limited.status, 429);
    assert.equal(limited.body.code, 'rate_limited');

    // Someone else's fragments to that upload: refused as before, and counted as their writes.
    for (let i = 0; i < WRITES; i++) assert.equal((await fragment(stranger, small.body.id, 0, Buffer.alloc(10), 10)).status, 404);
    assert.equal((await fragment(stranger, small.body.id, 0, Buffer.alloc(10), 10)).status, 429);

    // The session bounds the person's own: a fragment of a 10-byte file plus the retries, then each counts (and the budget is spent).
    const allowance = 1 + FRAGMENT_RETRIES;
    for (let i = 0; i < allowance; i++) assert.equal((await fragment(author, small.body.id, 5, Buffer.alloc(5), 10)).status, 409, `out of step ${i}`);
    assert.equal((await fragment(author, small.body.id, 5, Buffer.alloc(5), 10)).status, 429);
    assert.equal((await AttachmentUploadModel.findById(small.body.id).lean())?.fragmentsLeft, 0);
  });

  it('a guest invited by e-mail to an invite-only organisation-wide event can open its file from their first sign-in on, without the reconciliation', async () => {
    const admin = someone('Ada Admin', { admin: true });
    const file = graph.drives.addOwnFile(admin.oid, 'Programma regiodag.pdf');
    const start = new Date(frozen.getTime() + 10 * DAY);
    const event = await api(admin, 'post', '/events', {
      title: 'Regiodag water',
      start: start.toISOString(),
      end: new Date(start.getTime() + 3 * 3_600_000).toISOString(),
      timeZone: 'Europe/Amsterdam',
      location: { name: 'Provinciehuis' },
      signupMethod: 'invite',
      guestsAllowed: true,
      attachments: [{ driveId: file.driveId, itemId: file.id }],
    });
    assert.equal(event.status, 201, JSON.stringify(event.body));
    const invited = await api(admin, 'post', `/events/${event.body.id}/invitations`, { addresses: 'gast@adviesbureau.example' });
    assert.deepEqual(invited.body.outcomes?.map((o: { outcome: string }) => o.outcome), ['invited_guest'], JSON.stringify(invited.body));
    const guestId = graph.reach.invitations.find((i) => i.email === 'gast@adviesbureau.example')?.userId ?? '';
    const holders = () => graph.drives.store.permissionsOf('app', file.driveId, file.id).flatMap((p) => (p.userId ? [p.userId] : []));
    assert.ok(!holders().includes(guestId), 'nothing before the guest signs in');

    const guest: Person = { oid: guestId, name: 'Gert Gast', guest: true };
    const me = await api(guest, 'get', '/me');
    assert.equal(me.status, 200, JSON.stringify(me.body));
    assert.equal(me.body.isGuest, true);
    assert.ok(holders().includes(guestId), 'shared with the guest at their first sign-in');
    const seen = await api(guest, 'get', `/events/${event.body.id}`);
    assert.equal(seen.status, 200);
    assert.equal(seen.body.attachments[0]?.name, 'Programma regiodag.pdf');
  });
});
