/**
 * Sign-up benchmark: the burst of 1,000 sign-ups (distinct people, 1,000 connections, one
 * request each, autocannon) on a 100-seat event through the real HTTP app on FerretDB 1.24
 * (PostgreSQL backend, as in tests), then 200 repeated sign-ups of people already in. It
 * reports sign-ups per second, p50/p99 latency, overbooked seats and duplicate registrations
 * (both must be 0), and the number of Microsoft Graph requests the calendar outbox needs to
 * put 100 members into one Outlook event (against the local Graph stand-in; 100 one by one
 * would be 100). Writes bench/results/signup.json.
 *
 *   npx tsx bench/signup/signup.ts
 *   MEENT_BENCH_MONGODB_URI=mongodb://... npx tsx bench/signup/signup.ts   (another store)
 *
 * Requests are authenticated with the test-only actor header (test/support/test-actor.ts),
 * so the numbers are of the sign-up path, not of token validation. It makes its own
 * throw-away TLS CA for the Graph stand-in (trusted through NODE_EXTRA_CA_CERTS, which Node
 * reads only at start, so it re-runs itself once).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import type { RequestHandler } from 'express';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { cpus, loadavg, platform, release, tmpdir, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const SEATS = 100;
const BURST = 1000;
const REPEATS = 200;
const MEMBERS_INTO_OUTLOOK = 100;

if (!process.env.MEENT_BENCH_TLS_DIR) {
  const dir = mkdtempSync(join(tmpdir(), 'meent-bench-ca-'));
  const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
  openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '2', '-subj', '/CN=Meent Bench CA', '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign');
  openssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=localhost');
  writeFileSync(join(dir, 'san.ext'), 'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n');
  openssl('x509', '-req', '-in', 'server.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'server.crt', '-days', '2', '-extfile', 'san.ext');
  const child = spawnSync(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url)], {
    stdio: 'inherit',
    env: { ...process.env, MEENT_BENCH_TLS_DIR: dir, MEENT_TEST_TLS_DIR: dir, NODE_EXTRA_CA_CERTS: join(dir, 'ca.crt'), NODE_ENV: 'test' },
  });
  rmSync(dir, { recursive: true, force: true });
  process.exit(child.status ?? 1);
}

/** The parts of autocannon 8 used here (the package ships no types; see also bench/discussions/autocannon.d.ts). */
interface RawRequest {
  method?: string;
  path?: string;
  headers?: Record<string, string>;
  body?: string;
}
interface Histogram {
  p50: number;
  p90: number;
  p99: number;
  max: number;
}
interface CannonResult {
  duration: number;
  latency: Histogram;
  non2xx: number;
  errors: number;
  timeouts: number;
}
type Cannon = (options: {
  url: string;
  connections: number;
  amount: number;
  /** Seconds before a request counts as timed out. */
  timeout: number;
  requests: (RawRequest & { setupRequest: (request: RawRequest) => RawRequest })[];
}) => Promise<CannonResult>;

await run();

async function run(): Promise<void> {
  const autocannon = (await import('autocannon')).default as unknown as Cannon;
  const mongoose = (await import('mongoose')).default;
  const { loadConfig } = await import('../../src/config/config.js');
  const { connectDatabase, disconnectDatabase, syncAllIndexes } = await import('../../src/db/connection.js');
  const { startFerretDb } = await import('../../src/db/ferretdb-server.js');
  const { storeCapabilities } = await import('../../src/db/store-capabilities.js');
  const { createApp } = await import('../../src/http/app.js');
  const { ApiSpec } = await import('../../src/http/api-spec.js');
  const { createLogger } = await import('../../src/logging/logger.js');
  const { createEventsServices } = await import('../../src/events/events.module.js');
  const { calendarFeedRouter, eventsRouter } = await import('../../src/events/events.routes.js');
  const { RegistrationModel, SeatClaimModel } = await import('../../src/events/registration.model.js');
  const { EventModel } = await import('../../src/events/event.model.js');
  const { UserModel } = await import('../../src/members/user.model.js');
  const { GraphCalendarGateway } = await import('../../src/graph/calendar-gateway.js');
  const { createGraphClient } = await import('../../src/graph/graph-client.js');
  const { startGraphServer } = await import('../../test/support/graph-server.js');
  const { createTemporaryPostgresDatabase } = await import('../../test/support/postgres.js');
  const { actorHeader, testActor, testAuthenticate, TEST_TENANT } = await import('../../test/support/test-actor.js');

  const log = (line: string) => process.stdout.write(`[signup] ${line}\n`);
  const logger = createLogger('silent');
  const given = process.env.MEENT_BENCH_MONGODB_URI;
  const postgres = given ? undefined : await createTemporaryPostgresDatabase();
  const stateDir = mkdtempSync(join(tmpdir(), 'meent-bench-ferretdb-'));
  const ferret = postgres ? await startFerretDb({ backend: { kind: 'postgresql', url: postgres.url }, stateDir, onProgress: (l) => log(l) }) : undefined;
  const graph = await startGraphServer({ validToken: 'bench-app-token' });
  try {
    await connectDatabase({ uri: given ?? ferret?.uri ?? '', dbName: `signup_${Date.now()}`, maxPoolSize: 10 });
    await syncAllIndexes();
    const config = loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', PUBLIC_URL: 'https://meent.bench' });
    const gateway = new GraphCalendarGateway({ graph: createGraphClient({ baseUrl: graph.baseUrl, getAccessToken: async () => 'bench-app-token', retry: { baseDelayMs: 50, maxDelayMs: 500 } }) });
    const services = createEventsServices({ config, logger, calendarGateway: gateway });
    // As a real token does, the actor carries the person's user principal name.
    const authenticate: RequestHandler = (req, res, next) =>
      testAuthenticate(req, res, (error?: unknown) => {
        if (!error && req.actor) req.actor = { ...req.actor, userPrincipalName: `${req.actor.userId}@bench.example` };
        next(error);
      });
    const app = createApp({ config, logger, isReady: async () => true, authenticate, apiRouters: [eventsRouter(new ApiSpec(), services)], publicRouters: [calendarFeedRouter(services)] });
    const server = app.listen(0, '127.0.0.1', 2048);
    await new Promise((resolve) => server.once('listening', resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

    // ---- the burst ----
    const organiser = testActor({ userId: 'bench-organiser', name: 'Bench Organiser', isOrgAdmin: true });
    await UserModel.create({ tenantId: TEST_TENANT, userId: organiser.userId, displayName: organiser.name, mail: 'organiser@bench.example', isOrgAdmin: true });
    graph.addUser({ id: organiser.userId, displayName: organiser.name, mail: 'organiser@bench.example' });
    const start = new Date(Date.now() + 14 * 24 * 3_600_000);
    const event = await services.events.create({ ...organiser, email: 'organiser@bench.example' }, {
      title: 'Mestwetgeving 2027',
      start,
      end: new Date(start.getTime() + 2 * 3_600_000),
      timeZone: 'Europe/Amsterdam',
      online: true,
      capacity: SEATS,
    });
    let next = 0;
    const signUpPath = `/api/v1/events/${event.id}/registrations`;
    log(`${BURST} sign-ups at once for ${SEATS} seats`);
    const burst = await autocannon({
      url: base,
      connections: BURST,
      amount: BURST,
      timeout: 120,
      requests: [
        {
          method: 'POST',
          path: signUpPath,
          setupRequest: (req) => ({ ...req, headers: { ...req.headers, 'content-type': 'application/json', 'x-test-actor': actorHeader({ userId: `farmer-${next++}`, name: `Boer ${next}` }) }, body: '{}' }),
        },
      ],
    });
    log(`burst: ${burst.duration.toFixed(2)} s, p50 ${burst.latency.p50} ms, p99 ${burst.latency.p99} ms, non-2xx ${burst.non2xx}, errors ${burst.errors}`);

    let again = 0;
    const repeats = await autocannon({
      url: base,
      connections: REPEATS,
      amount: REPEATS,
      timeout: 120,
      requests: [
        {
          method: 'POST',
          path: signUpPath,
          setupRequest: (req) => ({ ...req, headers: { ...req.headers, 'content-type': 'application/json', 'x-test-actor': actorHeader({ userId: `farmer-${(again++ * 5) % BURST}` }) }, body: '{}' }),
        },
      ],
    });
    await services.allocator.idle();

    const eventId = new mongoose.Types.ObjectId(event.id);
    const registrations = await RegistrationModel.find({ eventId }).lean();
    const registered = registrations.filter((r) => r.status === 'registered').length;
    const waitlisted = registrations.filter((r) => r.status === 'waitlisted').length;
    const distinctPeople = new Set(registrations.map((r) => r.userId)).size;
    const claims = await SeatClaimModel.countDocuments({ eventId });
    const stored = await EventModel.findById(eventId).lean();

    // ---- Graph: 100 members into one Outlook event ----
    await services.outbox.drainUntilIdle();
    const outlookEvent = await services.events.create({ ...organiser, email: 'organiser@bench.example' }, { title: 'Bodemleven', start, end: new Date(start.getTime() + 3_600_000), timeZone: 'Europe/Amsterdam', online: true, capacity: 150 });
    await services.outbox.drainUntilIdle();
    const members = Array.from({ length: MEMBERS_INTO_OUTLOOK }, (_, i) => ({ ...testActor({ userId: `member-${i}`, name: `Lid ${i}` }), email: `lid${i}@waterschap.example` }));
    await Promise.all(members.map((m) => services.signups.signUp(m, outlookEvent.id)));
    await services.allocator.idle();
    const before = graph.requests.length;
    const syncStarted = performance.now();
    await services.outbox.drainUntilIdle();
    const syncMs = performance.now() - syncStarted;
    const sent = graph.requests.slice(before);
    const outlookId = (await EventModel.findById(outlookEvent.id).lean())?.calendar?.eventId ?? '';
    const outlookAttendees = ((graph.event(organiser.userId, outlookId)?.attendees ?? []) as unknown[]).length;

    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));

    const result = {
      benchmark: 'signup',
      date: new Date().toISOString(),
      node: process.version,
      machine: { platform: `${platform()} ${release()}`, cpus: cpus().length, cpuModel: cpus()[0]?.model ?? 'unknown', memoryGiB: Number((totalmem() / 2 ** 30).toFixed(1)), loadAverage1m: Number((loadavg()[0] ?? 0).toFixed(2)) },
      store: `${storeCapabilities().product} ${storeCapabilities().version}`,
      burst: {
        signUps: BURST,
        seats: SEATS,
        connections: BURST,
        durationSeconds: Number(burst.duration.toFixed(2)),
        signUpsPerSecond: Number((BURST / burst.duration).toFixed(1)),
        latencyMs: { p50: burst.latency.p50, p90: burst.latency.p90, p99: burst.latency.p99, max: burst.latency.max },
        non2xx: burst.non2xx,
        errors: burst.errors,
        timeouts: burst.timeouts,
      },
      repeatedSignUps: { requests: REPEATS, non2xx: repeats.non2xx, errors: repeats.errors, latencyMs: { p50: repeats.latency.p50, p99: repeats.latency.p99 } },
      outcome: {
        registered,
        waitlisted,
        seatClaims: claims,
        overbookedSeats: Math.max(0, registered - SEATS),
        duplicates: registrations.length - distinctPeople,
        countsShown: stored?.counts,
      },
      graph: {
        membersPutIntoOneEvent: MEMBERS_INTO_OUTLOOK,
        requests: sent.length,
        httpRequests: sent.filter((r) => r.via === 'http').length,
        oneByOneWouldBe: MEMBERS_INTO_OUTLOOK,
        attendeesInOutlook: outlookAttendees,
        syncMilliseconds: Math.round(syncMs),
        calls: sent.map((r) => `${r.method} ${r.path.replace(/\/events\/[^/]+/, '/events/{id}')} ${r.status ?? ''}`),
      },
    };
    mkdirSync(join(root, 'bench', 'results'), { recursive: true });
    writeFileSync(join(root, 'bench', 'results', 'signup.json'), `${JSON.stringify(result, null, 2)}\n`);
    log(JSON.stringify(result, null, 2));
    if (result.outcome.overbookedSeats !== 0 || result.outcome.duplicates !== 0 || burst.non2xx !== 0 || repeats.non2xx !== 0) process.exitCode = 1;
    await mongoose.connection.dropDatabase();
    await disconnectDatabase();
  } finally {
    await graph.stop();
    await ferret?.stop();
    await postgres?.drop();
    rmSync(stateDir, { recursive: true, force: true });
  }
}
