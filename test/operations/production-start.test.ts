/**
 * Meent as App Service runs it: NODE_ENV=production, AUTH_MODE=entra, no client secret at all,
 * a user-assigned managed identity (MANAGED_IDENTITY_CLIENT_ID, and App Service's
 * IDENTITY_ENDPOINT + IDENTITY_HEADER pointing at the local identity provider's MSI endpoint),
 * the bot as BOT_TYPE=UserAssignedMSI. The process starts, runs the migrations, answers /readyz,
 * and its background work calls Graph with the managed identity's token.
 * https://learn.microsoft.com/en-us/azure/app-service/overview-managed-identity#rest-endpoint-reference
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import mongoose from 'mongoose';
import { useTestDatabase, testMongoUri } from '../support/database.js';
import { startGraphServer, type GraphServer } from '../support/graph-server.js';
import { startIdentityProvider, type IdentityProvider } from '../support/identity-provider.js';

const TENANT = '5c4a3b2d-1e0f-4a9b-8c7d-6e5f4a3b2c1d';
const APP_ID = 'b1c2d3e4-f5a6-4b7c-8d9e-0f1a2b3c4d5e';
const IDENTITY_CLIENT_ID = 'a9b8c7d6-e5f4-4a3b-9c2d-1e0f9a8b7c6d';

describe('production start with a managed identity', function () {
  this.timeout(90_000);
  const database = useTestDatabase('prod_start');
  let idp: IdentityProvider;
  let graph: GraphServer;
  let child: ChildProcess | undefined;
  let output = '';

  before(async () => {
    idp = await startIdentityProvider();
    idp.registerManagedIdentity({ clientId: IDENTITY_CLIENT_ID, tenantId: TENANT });
    // Graph accepts only what the identity provider handed out (so a made-up token gets 401).
    graph = await startGraphServer({ validToken: (token) => idp.issuedAccessTokens.has(token) });
    graph.addUser({ displayName: 'Anouk de Vries' });
  });
  after(async () => {
    if (child && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child?.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
    await graph.stop();
    await idp.stop();
  });

  function start(env: Record<string, string>): Promise<string> {
    const uri = new URL(testMongoUri());
    uri.pathname = `/${database.name}`;
    const { MEENT_TEST_MONGODB_URI: _ignored, ...inherited } = process.env;
    child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      cwd: process.cwd(),
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        // NODE_EXTRA_CA_CERTS stays: the test CA that the stand-ins' certificates come from.
        ...inherited,
        NODE_ENV: 'production',
        AUTH_MODE: 'entra',
        HOST: '127.0.0.1',
        PORT: '0',
        LOG_LEVEL: 'info',
        PUBLIC_URL: 'https://meent.example.org',
        MONGODB_URI: uri.toString(),
        ENTRA_TENANT_ID: TENANT,
        ENTRA_CLIENT_ID: APP_ID,
        ENTRA_APP_ID_URI: `api://meent.example.org/${APP_ID}`,
        ENTRA_AUTHORITY_HOST: idp.baseUrl,
        GRAPH_BASE_URL: graph.baseUrl,
        MANAGED_IDENTITY_CLIENT_ID: IDENTITY_CLIENT_ID,
        IDENTITY_ENDPOINT: idp.managedIdentityEndpoint,
        IDENTITY_HEADER: idp.identityHeader,
        BOT_ID: IDENTITY_CLIENT_ID,
        BOT_TYPE: 'UserAssignedMSI',
        BOT_TENANT_ID: TENANT,
        ORGANISATION_NAME: 'Waterschap Test',
        ORGANISATION_CONTACT: 'https://waterschap.example/privacy',
        PRIVACY_OFFICER_CONTACT: 'https://waterschap.example/fg',
        ...env,
      },
    });
    const running = child;
    running.stderr?.on('data', (d: Buffer) => (output = (output + d.toString()).slice(-6000)));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`Meent did not start within 60 s:\n${output}`)), 60_000);
      let buffered = '';
      running.stdout?.on('data', (d: Buffer) => {
        buffered += d.toString();
        output = (output + d.toString()).slice(-6000);
        for (const line of buffered.split('\n').slice(0, -1)) {
          const entry = parseJson(line);
          if (entry?.msg === 'Meent is listening' && typeof entry.url === 'string') {
            clearTimeout(timer);
            resolve(entry.url);
          }
        }
        buffered = buffered.slice(buffered.lastIndexOf('\n') + 1);
      });
      running.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`Meent exited with ${code} before listening:\n${output}`));
      });
    });
  }

  it('is ready, has migrated, and calls Graph with the managed identity token (no client secret anywhere)', async () => {
    const db = mongoose.connection.db;
    assert.ok(db);
    // A person of the home tenant is known, so the leavers job asks Graph for the tenant's user changes at once.
    await db.collection('users').insertOne({ tenantId: TENANT, userId: randomUUID(), displayName: 'Anouk de Vries', createdAt: new Date(), updatedAt: new Date() });
    const origin = await start({});

    const ready = await fetch(`${origin}/readyz`);
    assert.equal(ready.status, 200, output);
    assert.deepEqual(await ready.json(), { status: 'ready', database: 'reachable' });
    assert.ok(await db.collection('migrations').findOne({ _id: '2026-12-07-delivery-sending-to-claimed' as unknown as mongoose.Types.ObjectId }), 'the migrations ran at start');

    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline && !graph.requests.some((r) => r.path.startsWith('/v1.0/users/delta') && r.status === 200)) await new Promise((r) => setTimeout(r, 100));
    const delta = graph.requests.find((r) => r.path.startsWith('/v1.0/users/delta'));
    assert.ok(delta, `Graph was called:\n${output}`);
    assert.equal(delta.status, 200);
    const token = /^Bearer (.+)$/.exec(delta.headers.authorization ?? '')?.[1] ?? '';
    assert.ok(idp.managedIdentityTokens.has(token), 'the Graph call carried a token of the managed identity endpoint');

    // App Service's contract: api-version 2019-08-01, the user-assigned identity's client id, the header secret, Graph as the resource.
    const msi = idp.managedIdentityRequests.find((r) => r.status === 200);
    assert.deepEqual(msi && { clientId: msi.clientId, apiVersion: msi.apiVersion, headerOk: msi.headerOk, resource: msi.resource }, { clientId: IDENTITY_CLIENT_ID, apiVersion: '2019-08-01', headerOk: true, resource: graph.baseUrl });
    // No client-credentials grant with a secret was made: there is none.
    assert.deepEqual(idp.tokenRequests.filter((r) => r.clientAuth === 'secret'), []);
    // Nothing secret in the logs: neither the identity header nor a token.
    assert.ok(!output.includes(idp.identityHeader));
    assert.ok(!output.includes(token));
  });
});

function parseJson(line: string): Record<string, unknown> | undefined {
  try {
    return JSON.parse(line) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}
