/**
 * Fuzzing the whole API (issue 18, the reliability suite): requests generated from the
 * OpenAPI document at /api/v1/openapi.json, over every operation it lists, against the whole
 * application in entra mode (real tokens from the local identity provider, real HTTP, the
 * real store), in a world with real data: two communities (one secret) with a discussion,
 * replies, an event with a registration and a report, and another tenant's community with
 * the same, so that ids in paths and bodies can be valid as well as wrong.
 *
 * Each request is broken in one way (see fuzz-cases.ts) and sent as a member, a guest, a
 * person of another tenant, or someone without a valid identity. Every answer must be below
 * 500, and every 4xx an `application/problem+json` of the project's problem format
 * (src/http/problem.ts). Refused requests must write nothing: the store (every collection,
 * every document's hash) is compared before and after each batch of requests of one
 * operation. When requests of a batch were accepted and the store changed, the new state is
 * taken as it is and the batch's refused requests are sent again, in a batch of their own, so
 * that every refusal is checked in a batch where nothing was accepted or nothing changed.
 * The one write a refusal makes on purpose is left out of the comparison: the audit log's
 * record of the denial (`access.denied`). Analytics, written behind, are flushed before each look
 * at the store, so that an accepted request's page views and actions land in its own batch.
 *
 * The generator is seeded (MEENT_FUZZ_SEED to choose another seed); the seed is printed, and
 * the same seed gives the same requests. MEENT_FUZZ_FAULTS=<file> writes every fault found there.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import type { AnalyticsModule } from '../../src/analytics/analytics.module.js';
import { buildApplication, type Application } from '../../src/composition.js';
import { loadConfig } from '../../src/config/config.js';
import { listen, type RunningServer } from '../../src/http/server.js';
import { createLogger } from '../../src/logging/logger.js';
import { useTestDatabase } from '../support/database.js';
import { startGraphServer, type GraphServer } from '../support/graph-server.js';
import { TEST_APP_ID_URI, TEST_CLIENT_ID, TEST_CLIENT_SECRET, TEST_HOME_TENANT, TEST_PARTNER_TENANT, entraEnvironment } from '../support/identity-app.js';
import { startIdentityProvider, type IdentityProvider } from '../support/identity-provider.js';
import { CaseGenerator, describeCase, operationsOf, type Category, type FuzzCase, type Identity, type Operation, type WorldIds } from './fuzz-cases.js';
import { Random } from './random.js';
import { RawHttpClient, type RawResponse } from './raw-http.js';
import { snapshotStore, storeDifferences, type StoreSnapshot } from './store-snapshot.js';

const SEED = Number(process.env.MEENT_FUZZ_SEED ?? 0x4d65656e);
/**
 * Cases in all, shared out over the document's operations (at least 60 each): well over 10,000
 * requests however many operations there are. Fixed per operation it grew with every new route
 * (119 operations made 17,000 requests, 139 s alone and over its timeout beside another test file).
 */
const TOTAL_CASES = 12_000;
const MIN_CASES_PER_OPERATION = 60;
/**
 * Cases an operation may well accept: it ignores what is wrong with them (a stray body or query
 * parameter, a body it does not read), or they are wrong only in being odd (text, ids of
 * something else that exists). The rest should always be refused.
 */
const ACCEPTANCE_TIERS: ReadonlyArray<ReadonlySet<Category>> = [
  new Set(['plausible', 'stray-body', 'query-extra', 'content-type']),
  new Set(['body-unicode', 'body-invalid-utf8', 'body-wrong-id', 'body-wrong-type', 'path-id', 'query-unicode', 'query-wrong-type', 'query-operator']),
];
/** Requests in flight at once. */
const CONCURRENCY = 8;

interface Person {
  oid: string;
  name: string;
  tenantId: string;
  guest?: boolean;
}

function person(name: string, tenantId = TEST_HOME_TENANT, guest = false): Person {
  return { oid: randomUUID(), name, tenantId, guest };
}

/** What is wrong with a 4xx answer as a problem document (RFC 9457, src/http/problem.ts), if anything. */
function problemFault(res: RawResponse): string | undefined {
  const type = String(res.headers['content-type'] ?? '');
  if (!type.startsWith('application/problem+json')) return `content type "${type}", not application/problem+json`;
  let body: Record<string, unknown>;
  try {
    body = JSON.parse(res.text) as Record<string, unknown>;
  } catch {
    return 'the body is not JSON';
  }
  if (body.status !== res.status) return `status ${String(body.status)} in the body, ${res.status} on the wire`;
  if (typeof body.code !== 'string' || !/^[a-z][a-z0-9_]*$/.test(body.code)) return `code ${JSON.stringify(body.code)}`;
  if (body.type !== `https://meent.app/problems/${body.code}`) return `type ${JSON.stringify(body.type)}`;
  if (typeof body.title !== 'string' || body.title === '') return 'no title';
  if (body.detail !== undefined && typeof body.detail !== 'string') return 'a detail that is not text';
  if (/MongoServerError|E11000|CastError|ValidationError:|\n\s+at /.test(res.text)) return 'internals in the answer';
  return undefined;
}

describe('API fuzzing (whole application, real tokens, real store)', function () {
  useTestDatabase('api_fuzz');
  let idp: IdentityProvider;
  let graph: GraphServer;
  let application: Application;
  let server: RunningServer;
  let client: RawHttpClient;
  let operations: Operation[];
  const manager = person('Marieke Manager');
  const member = person('Mia Member');
  const guest = person('Gijs Gast', TEST_HOME_TENANT, true);
  const partnerManager = person('Pieter Partner', TEST_PARTNER_TENANT);
  const outsider = person('Olga Outsider', TEST_PARTNER_TENANT);
  const authorization = new Map<Identity, string | undefined>();
  const tokens = new Map<Person, string>();

  async function tokenOf(p: Person, extra: { expiresIn?: number } = {}): Promise<string> {
    return idp.userToken({ tenantId: p.tenantId, oid: p.oid, name: p.name, upn: `${p.oid.slice(0, 8)}@example.nl`, apiClientId: TEST_CLIENT_ID, apiAppIdUri: TEST_APP_ID_URI, ...(p.guest ? { acct: 1 as const } : {}), ...extra });
  }

  /** A well-formed JSON request as someone (for building the world). */
  async function api(p: Person, method: string, path: string, body?: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
    let token = tokens.get(p);
    if (!token) {
      token = await tokenOf(p);
      tokens.set(p, token);
    }
    const res = await client.send({
      method,
      path: `/api/v1${path}`,
      headers: { Authorization: `Bearer ${token}`, ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}) },
      ...(body !== undefined ? { body: Buffer.from(JSON.stringify(body), 'utf8') } : {}),
    });
    await application.identity.whenIdle();
    // A started data export runs on in the background; its writes are not a refused request's.
    await application.privacy.exports.idle();
    return { status: res.status, body: res.text ? (JSON.parse(res.text) as Record<string, unknown>) : {} };
  }

  async function created(p: Person, path: string, body: unknown): Promise<string> {
    const res = await api(p, 'POST', path, body);
    assert.ok(res.status === 201 || res.status === 200, `${path}: ${res.status} ${JSON.stringify(res.body)}`);
    assert.equal(typeof res.body.id, 'string', `${path} answers an id`);
    return res.body.id as string;
  }

  async function joined(p: Person, communityId: string): Promise<void> {
    const res = await api(p, 'POST', `/communities/${communityId}/members`, {});
    assert.ok(res.status < 300 || res.status === 409, `join ${communityId}: ${res.status} ${JSON.stringify(res.body)}`);
  }

  let ids: WorldIds;
  let home: { community: string };
  let partner: { community: string };

  before(async function () {
    this.timeout(120_000);
    idp = await startIdentityProvider();
    graph = await startGraphServer();
    // Graph on the person's behalf (profiles, photos): the app exchanges their token.
    idp.registerClient({ clientId: TEST_CLIENT_ID, appIdUri: TEST_APP_ID_URI, secret: TEST_CLIENT_SECRET });
    for (const p of [manager, member, guest, partnerManager, outsider]) graph.addUser({ id: p.oid, displayName: p.name });
    graph.setPhoto(member.oid, Buffer.from('GIF89a\x01\x00\x01\x00\x00\x00\x00;', 'latin1'), 'image/gif');
    // Rate limits off: ten thousand requests from one address would be throttled after the first few.
    const config = loadConfig(entraEnvironment(idp.baseUrl, graph.baseUrl, { RATE_LIMIT_USER_WRITES: '0', RATE_LIMIT_IP_WRITES: '0', RATE_LIMIT_USER_READS: '0', RATE_LIMIT_IP_READS: '0' }));
    application = await buildApplication(config, createLogger('silent'), { identity: { rateLimitStore: 'memory' } });
    server = await listen(application.app, { port: 0, host: '127.0.0.1', shutdownTimeoutMs: 5_000, logger: createLogger('silent') });
    client = new RawHttpClient(new URL(`http://127.0.0.1:${server.port}`), CONCURRENCY);

    const doc = await client.send({ method: 'GET', path: '/api/v1/openapi.json' });
    assert.equal(doc.status, 200);
    operations = operationsOf(JSON.parse(doc.text));
    assert.ok(operations.length >= 70, `${operations.length} operations`);

    // The world: everyone signs in once, then the home tenant's data and the partner's.
    for (const p of [manager, member, guest, partnerManager, outsider]) assert.equal((await api(p, 'GET', '/me')).status, 200, `${p.name} signs in`);
    const A = await created(manager, '/communities', { name: 'Peilbeheer', visibility: 'public', guestsAllowed: true, tags: ['water'] });
    const S = await created(manager, '/communities', { name: 'Vertrouwelijk', visibility: 'secret' });
    for (const p of [member, guest]) await joined(p, A);
    const D = await created(manager, `/communities/${A}/discussions`, { title: 'Welke pomp?', body: 'Wie weet het?', kind: 'question', tags: ['water'] });
    const DS = await created(manager, `/communities/${S}/discussions`, { title: 'Geheim', body: 'Alleen voor ons.' });
    const R1 = await created(manager, `/discussions/${D}/replies`, { body: 'Een zonnepomp.' });
    const R2 = await created(member, `/discussions/${D}/replies`, { body: 'Wij ook.', parentId: R1 });
    const E = await created(manager, `/communities/${A}/events`, { title: 'Kennissessie', start: '2031-05-06T09:00:00+02:00', end: '2031-05-06T11:00:00+02:00', timeZone: 'Europe/Amsterdam', guestsAllowed: true, location: { name: 'Gemeentehuis' } });
    assert.ok((await api(member, 'POST', `/events/${E}/registrations`, {})).status < 300, 'the member signs up');
    const report = await created(member, '/reports', { targetType: 'reply', targetId: R1, reason: 'spam', text: 'reclame' });
    assert.ok((await api(member, 'POST', '/me/calendar-feed')).status < 300, 'the member has a calendar feed');

    const O = await created(partnerManager, '/communities', { name: 'Partneroverleg', visibility: 'public' });
    await joined(outsider, O);
    const DO = await created(partnerManager, `/communities/${O}/discussions`, { title: 'Partnervraag', body: 'Vraag.' });
    const RO = await created(partnerManager, `/discussions/${DO}/replies`, { body: 'Antwoord.' });
    const EO = await created(partnerManager, `/communities/${O}/events`, { title: 'Partnersessie', start: '2031-05-07T09:00:00+02:00', end: '2031-05-07T10:00:00+02:00', online: true });
    const reportO = await created(outsider, '/reports', { targetType: 'reply', targetId: RO, reason: 'abuse' });

    home = { community: A };
    partner = { community: O };
    ids = {
      community: { own: [A, S], foreign: [O] },
      discussion: { own: [D, DS], foreign: [DO] },
      reply: { own: [R1, R2], foreign: [RO] },
      event: { own: [E], foreign: [EO] },
      report: { own: [report], foreign: [reportO] },
      user: { own: [manager.oid, member.oid, guest.oid], foreign: [partnerManager.oid, outsider.oid] },
      deadLetter: { own: [], foreign: [] },
      chat: { own: ['19:meeting_ZnV6eg@thread.v2'], foreign: [] },
    };

    const memberToken = await tokenOf(member);
    authorization.set('member', `Bearer ${memberToken}`);
    authorization.set('guest', `Bearer ${await tokenOf(guest)}`);
    authorization.set('outsider', `Bearer ${await tokenOf(outsider)}`);
    authorization.set('none', undefined);
    authorization.set('foreignTenant', `Bearer ${await tokenOf({ ...member, tenantId: randomUUID() })}`);
    authorization.set('expired', `Bearer ${await tokenOf(member, { expiresIn: -600 })}`);
    const [header, payload] = memberToken.split('.');
    authorization.set('tampered', `Bearer ${header}.${Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(payload ?? '', 'base64url').toString('utf8')), roles: ['Meent.Admin'] })).toString('base64url')}.${memberToken.split('.')[2]}`);
  });

  after(async () => {
    client?.close();
    await server?.close();
    await application?.close();
    await graph?.stop();
    await idp?.stop();
  });

  it('answers every broken request with a 4xx problem (never a 5xx) and writes nothing when it refuses', async function () {
    this.timeout(420_000);
    const started = performance.now();
    console.log(`      api fuzz: seed ${SEED} (MEENT_FUZZ_SEED=${SEED} repeats this run)`);
    const generator = new CaseGenerator(new Random(SEED), ids);
    const statuses = new Map<number, number>();
    const covered = new Set<string>();
    const faults: string[] = [];
    let sent = 0;
    let resent = 0;
    let refusedChecked = 0;
    let comparisons = 0;
    let writesFromRefused = 0;

    // A refusal writes one thing on purpose: the audit log's record of the denial.
    const snapshot = async (): Promise<StoreSnapshot> => {
      await application.identity.whenIdle();
      await application.privacy.exports.idle();
      // Analytics are written behind (every few seconds): the earlier batches' page views and actions go in now, not during the next batch.
      for (const m of application.modules) if (m instanceof Object && 'recorder' in m) await (m as AnalyticsModule).recorder.flush();
      return snapshotStore({ audit_entries: { kind: { $ne: 'access.denied' } } });
    };

    const send = async (c: FuzzCase): Promise<RawResponse> => {
      const auth = authorization.get(c.identity);
      const headers = { ...(auth !== undefined ? { Authorization: auth } : {}), ...c.headers };
      try {
        return await client.send({ method: c.method, path: `/api/v1${c.path}`, headers, ...(c.body !== undefined ? { body: c.body } : {}) });
      } catch (err) {
        return { status: 0, headers: {}, text: `no answer: ${(err as Error).message}` };
      }
    };

    /** Sends the cases, `CONCURRENCY` at a time; the answers in the order of the cases. */
    const sendAll = async (cases: FuzzCase[]): Promise<RawResponse[]> => {
      const answers: RawResponse[] = new Array<RawResponse>(cases.length);
      let next = 0;
      const worker = async () => {
        for (let at = next++; at < cases.length; at = next++) answers[at] = await send(cases[at] as FuzzCase);
      };
      await Promise.all(Array.from({ length: CONCURRENCY }, worker));
      return answers;
    };

    // The comparison sees a write (an accepted reaction), and its undoing.
    let before = await snapshot();
    const reaction = `/discussions/${ids.discussion.own[0]}/reactions/like`;
    assert.ok((await api(member, 'PUT', reaction)).status < 300);
    assert.notDeepEqual(storeDifferences(before, await snapshot()), [], 'a write is seen');
    assert.ok((await api(member, 'DELETE', reaction)).status < 300);
    before = await snapshot();

    const casesPerOperation = Math.max(MIN_CASES_PER_OPERATION, Math.ceil(TOTAL_CASES / operations.length));
    for (const operation of operations) {
      const cases = generator.casesFor(operation, casesPerOperation);
      // Batches from the cases most often accepted to those never meant to be, so that few refusals share a batch with an accepted write.
      const batches = [...ACCEPTANCE_TIERS.map((tier) => cases.filter((c) => tier.has(c.category))), cases.filter((c) => !ACCEPTANCE_TIERS.some((tier) => tier.has(c.category)))];
      let leftCommunity = false;
      let erasedSomeone = false;
      for (let batch of batches) {
        let again = false;
        while (batch.length > 0) {
          const answers = await sendAll(batch);
          const refused: FuzzCase[] = [];
          let accepted = 0;
          for (const [i, res] of answers.entries()) {
            const c = batch[i] as FuzzCase;
            sent++;
            if (again) resent++;
            covered.add(operation.key);
            statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
            if (res.status >= 500 || res.status < 100) faults.push(`${res.status} ${res.text.slice(0, 300)}\n        for ${describeCase(c)}`);
            else if (res.status >= 400) {
              const fault = problemFault(res);
              if (fault) faults.push(`${res.status} not a problem (${fault}): ${res.text.slice(0, 200)}\n        for ${describeCase(c)}`);
              refused.push(c);
            } else {
              accepted++;
              if (operation.key === 'DELETE /communities/{id}/members/{userId}') leftCommunity = true;
              if (operation.key === 'DELETE /me') erasedSomeone = true;
            }
          }
          const after = await snapshot();
          const differences = storeDifferences(before, after);
          before = after;
          if (erasedSomeone) {
            // An accepted "erase me": the person's token still works, so their next request (a
            // refused one included) makes them known again. They come back now, before the refused
            // requests are checked on their own, as a person signing in again after erasure would.
            for (const p of [manager, member, guest, partnerManager, outsider]) await api(p, 'GET', '/me');
            for (const p of [member, guest]) await joined(p, home.community);
            await joined(outsider, partner.community);
            before = await snapshot();
            erasedSomeone = false;
          }
          if (accepted > 0 && differences.length > 0) {
            // Accepted requests changed the store: the refused ones go again, in a batch of their own.
            batch = refused;
            again = true;
            continue;
          }
          // Nothing was accepted, or nothing changed at all: so no refused request wrote.
          comparisons++;
          refusedChecked += refused.length;
          if (differences.length > 0) {
            writesFromRefused++;
            faults.push(`writes from refused requests of ${operation.key}: ${differences.join('; ')}\n        among ${refused.map(describeCase).slice(0, 10).join('\n        ')}`);
          }
          batch = [];
        }
      }
      if (leftCommunity) {
        // A fuzzing actor left its community (an accepted DELETE of its own membership): back in for the next operation.
        for (const p of [member, guest]) await joined(p, home.community);
        await joined(outsider, partner.community);
        before = await snapshot();
      }
    }

    const seconds = (performance.now() - started) / 1000;
    const byStatus = [...statuses.entries()]
      .sort(([a], [b]) => a - b)
      .map(([status, n]) => `${status}: ${n}`)
      .join(', ');
    const serverErrors = [...statuses.entries()].filter(([status]) => status >= 500 || status < 100).reduce((n, [, k]) => n + k, 0);
    console.log(
      `      api fuzz: ${sent} requests (${resent} of them refusals sent again to be checked on their own); statuses ${byStatus}; 5xx: ${serverErrors}; ` +
        `${covered.size}/${operations.length} operations; ${refusedChecked} refusals in ${comparisons} store comparisons, writes from refused requests: ${writesFromRefused}; ${seconds.toFixed(1)} s; seed ${SEED}`,
    );
    if (process.env.MEENT_FUZZ_FAULTS) writeFileSync(process.env.MEENT_FUZZ_FAULTS, faults.join('\n'));
    assert.deepEqual(faults.slice(0, 25), [], `${faults.length} faults`);
    assert.deepEqual(
      operations.map((o) => o.key).filter((key) => !covered.has(key)),
      [],
      'every operation of the document was fuzzed',
    );
    assert.ok(sent >= 10_000, `${sent} requests`);
  });
});
