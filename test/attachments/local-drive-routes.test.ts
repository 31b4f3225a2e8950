import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Express } from 'express';
import request from 'supertest';
import { createAttachments } from '../../src/attachments/attachments.module.js';
import { LocalDriveGateway } from '../../src/attachments/local-drive-gateway.js';
import { LocalDriveStore, type StoredItem } from '../../src/attachments/local-drive-store.js';
import { encodeRfc5987, localDriveRouter } from '../../src/attachments/local-drive.routes.js';
import { createIdentity } from '../../src/composition.js';
import { loadConfig } from '../../src/config/config.js';
import { ApiSpec } from '../../src/http/api-spec.js';
import { createApp } from '../../src/http/app.js';
import { DEMO_PEOPLE, type DemoPerson } from '../../src/local/demo-people.js';
import { createLogger } from '../../src/logging/logger.js';
import { useTestDatabase } from '../support/database.js';

const SECRET = 'a-session-secret-of-at-least-32-characters';
const NOW = new Date('2026-12-01T09:00:00Z');
const env = { NODE_ENV: 'test', LOG_LEVEL: 'silent', AUTH_MODE: 'local', SESSION_SECRET: SECRET, RATE_LIMIT_USER_READS: '0', RATE_LIMIT_IP_READS: '0' };

const employees = DEMO_PEOPLE.filter((p) => !p.isGuest);
const owner = employees[0]!;
const reader = employees[1]!;
const colleague = employees[2]!;
const guest = DEMO_PEOPLE.find((p) => p.isGuest)!;

/** The session cookie the local sign-in sets, signed as cookie-parser signs it. */
function sessionOf(person: DemoPerson): string {
  const value = `${person.id}.${Math.floor(NOW.getTime() / 1000)}`;
  const signature = createHmac('sha256', SECRET).update(value).digest('base64').replace(/=+$/, '');
  return `meent_session=${encodeURIComponent(`s:${value}.${signature}`)}`;
}

describe('local mode: files of the local drive open for the people they are shared with', () => {
  useTestDatabase('localdrive');
  let directory: string;
  let store: LocalDriveStore;
  let app: Express;
  const config = loadConfig(env);

  beforeEach(() => {
    directory = mkdtempSync(join(tmpdir(), 'meent-local-drive-'));
    store = new LocalDriveStore(directory, () => NOW);
    const logger = createLogger('silent');
    const identity = createIdentity({ config, logger, now: () => NOW, rateLimitStore: 'memory', directoryFor: () => undefined });
    app = createApp({
      config,
      logger,
      isReady: () => Promise.resolve(true),
      networkPolicy: identity.networkPolicy,
      authenticate: identity.authenticate,
      publicRouters: [...identity.publicRouters, localDriveRouter({ store, authenticate: identity.authenticate })],
    });
  });
  afterEach(() => rmSync(directory, { recursive: true, force: true }));

  function ownFile(name: string, content: string): StoredItem {
    return store.addFile(store.oneDriveOf(owner.id).id, '', name, Buffer.from(content), owner.id);
  }
  const get = (path: string, person?: DemoPerson) => {
    const req = request(app).get(path).set('Host', '127.0.0.1');
    return person ? req.set('Cookie', sessionOf(person)) : req;
  };
  const pathOf = (item: StoredItem) => `/local-drive/${encodeURIComponent(item.driveId)}/${item.id}`;

  it('gives the owner and an invited reader the bytes, inline under the file name, typed by the name and sandboxed', async () => {
    const item = ownFile("Notulen (concept) 'v2'.txt", 'De vergadering begon om negen uur.');
    store.invite('app', item.driveId, item.id, [reader.id], ['read']);
    for (const person of [owner, reader]) {
      const res = await get(pathOf(item), person).buffer(true).expect(200);
      assert.equal(res.text, 'De vergadering begon om negen uur.', person.displayName);
      assert.equal(res.headers['content-type'], 'text/plain');
      assert.equal(res.headers['content-disposition'], `inline; filename*=UTF-8''Notulen%20%28concept%29%20%27v2%27.txt`);
      assert.equal(res.headers['x-content-type-options'], 'nosniff');
      assert.match(res.headers['content-security-policy'] ?? '', /^sandbox;/);
      assert.match(res.headers['cache-control'] ?? '', /private/);
    }
    assert.equal(encodeRfc5987('Begroting 2027 – één*.xlsx'), 'Begroting%202027%20%E2%80%93%20%C3%A9%C3%A9n%2A.xlsx');
  });

  it('answers 404 to an outsider, as for a file that does not exist; and to a guest, whom an organisation link does not reach', async () => {
    const item = ownFile('Begroting.txt', 'geheim');
    const outsider = await get(pathOf(item), colleague).expect(404);
    assert.doesNotMatch(outsider.text, /geheim/);
    await get(`/local-drive/${encodeURIComponent(item.driveId)}/NOSUCHITEM`, colleague).expect(404);

    store.createOrganizationLink('app', item.driveId, item.id);
    assert.equal((await get(pathOf(item), colleague).buffer(true).expect(200)).text, 'geheim', 'the organisation link reaches a person of the tenant');
    await get(pathOf(item), guest).expect(404);
    store.invite('app', item.driveId, item.id, [guest.id], ['read']);
    await get(pathOf(item), guest).expect(200);
  });

  it('answers 401 without a session, and never shows the bytes', async () => {
    const item = ownFile('Begroting.txt', 'geheim');
    const res = await get(pathOf(item)).expect(401);
    assert.doesNotMatch(res.text, /geheim/);
    const forged = await request(app).get(pathOf(item)).set('Host', '127.0.0.1').set('Cookie', `meent_session=${encodeURIComponent(`s:${owner.id}.${Math.floor(NOW.getTime() / 1000)}.forged`)}`);
    assert.equal(forged.status, 401);
  });

  it('serves an uploaded HTML (or SVG) file in a sandbox: no script runs in Meent’s origin', async () => {
    const html = ownFile('uitnodiging.html', '<script>fetch("/api/v1/me")</script>');
    const res = await get(pathOf(html), owner).buffer(true).expect(200);
    assert.equal(res.headers['content-type'], 'text/html');
    const csp = (res.headers['content-security-policy'] ?? '').split(';').map((d) => d.trim());
    assert.ok(csp.includes('sandbox'), 'a bare sandbox: no allow-scripts, allow-same-origin, forms or pop-ups');
    assert.ok(csp.includes("default-src 'none'"));
    assert.equal(res.headers['x-content-type-options'], 'nosniff');
    const svg = await get(pathOf(ownFile('logo.svg', '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>')), owner).expect(200);
    assert.match(svg.headers['content-security-policy'] ?? '', /^sandbox;/);
  });

  it('an image is its own thumbnail; a document has none here, and the gateway offers none', async () => {
    const png = ownFile('kaart.png', 'PNGBYTES');
    const pdf = ownFile('handout.pdf', '%PDF-1.7');
    const thumb = await get(`${pathOf(png)}/thumbnail`, owner).buffer(true).expect(200);
    assert.equal(thumb.headers['content-type'], 'image/png');
    await get(`${pathOf(pdf)}/thumbnail`, owner).expect(404);
    const opened = await get(pathOf(pdf), owner).expect(200);
    assert.equal(opened.headers['content-type'], 'application/pdf');
    assert.doesNotMatch(opened.headers['content-security-policy'] ?? '', /sandbox/, 'Chromium shows no PDF in a sandboxed document');
    assert.match(opened.headers['content-security-policy'] ?? '', /default-src 'none'/);
    const gateway = new LocalDriveGateway(store, { userId: owner.id }, config.publicUrl);
    assert.equal((await gateway.getItem(png.driveId, png.id))?.thumbnailUrl, `${config.publicUrl}${pathOf(png)}/thumbnail`);
    assert.equal((await gateway.getItem(pdf.driveId, pdf.id))?.thumbnailUrl, null);
    assert.equal((await gateway.getItem(pdf.driveId, pdf.id))?.webUrl, `${config.publicUrl}${pathOf(pdf)}`);
  });

  it('is mounted in local mode only', () => {
    const logger = createLogger('silent');
    const dataDir = mkdtempSync(join(tmpdir(), 'meent-local-data-'));
    try {
      const authenticate = () => undefined;
      const local = createAttachments({ config: { ...config, dataDir }, logger, spec: new ApiSpec(), authenticate });
      assert.equal(local.publicRouters.length, 1);
      const graph = createAttachments({ config: { ...config, dataDir }, logger, spec: new ApiSpec(), authenticate, graphCredentials: { appToken: () => Promise.resolve('t') } as never });
      assert.equal(graph.publicRouters.length, 0);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
