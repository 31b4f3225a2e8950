/**
 * Sign-up benchmark: the burst of 1,000 sign-ups (distinct people, 1,000 connections, one
 * request each, autocannon) on a 100-seat event through the real HTTP app on FerretDB 1.24
 * (PostgreSQL backend, as in tests), then 200 repeated sign-ups of people already in. It
 * reports sign-ups per second, p50/p99 latency, overbooked seats and duplicate registrations
 * (both must be 0), and the number of Microsoft Graph requests the calendar outbox needs to
 * put 100 members into one Outlook event (against the local Graph stand-in; 100 one by one
 * would be 100). Then the sustained rates the scale goal asks for (issue 19): sign-ups from
 * distinct people for SUSTAINED_SECONDS at SUSTAINED_CONNECTIONS clients on one event, and
 * spread over 20 events, each checked for every invariant (0 overbooked, 0 duplicates, seat
 * numbers unique and within capacity, the waitlist exactly in arrival order, the counts shown
 * equal to the rows), with the CPU each process spent per sign-up; and the same number of
 * clients writing what one sign-up writes, one by one, with the mongodb driver (the raw store),
 * so that the ratio can be read on another machine. Writes bench/results/signup.json.
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
const SUSTAINED_SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const SUSTAINED_CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 100);
const SPREAD_EVENTS = 20;
/** Seats per event in the sustained runs: some runs fill them and go on to the waitlist. */
const SUSTAINED_SEATS = 2000;
const SPREAD_SEATS = 200;
/** Events of other organisations and earlier years in the store during the sustained runs. */
const OTHER_EVENTS = Number(process.env.BENCH_OTHER_EVENTS ?? 5000);

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
  requests: { total: number; average: number };
  '2xx': number;
  latency: Histogram;
  non2xx: number;
  errors: number;
  timeouts: number;
}
type Cannon = (options: {
  url: string;
  connections: number;
  amount?: number;
  /** Seconds to run (instead of `amount`). */
  duration?: number;
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
    await connectDatabase({ uri: given ?? ferret?.uri ?? '', dbName: `signup_${Date.now()}`, maxPoolSize: 10, ...(postgres ? { ferretDbPostgresUrl: postgres.url } : {}) });
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

    // ---- sustained: one event, then 20 events, then the raw store doing the same writes ----
    const { profileWhile, startCpuAccounting } = await import('../cpu-accounting.js');
    // Store operations the app sends, by collection and method (mongoose's debug hook sees every model call).
    const operations = new Map<string, number>();
    mongoose.set('debug', (collection: string, method: string) => operations.set(`${collection}.${method}`, (operations.get(`${collection}.${method}`) ?? 0) + 1));
    const processes = { ...(ferret ? { ferretDbPort: ferret.port } : {}), ...(postgres ? { postgresUrl: postgres.url } : {}) };
    const newEvent = (title: string, capacity: number) => services.events.create({ ...organiser, email: 'organiser@bench.example' }, { title, start, end: new Date(start.getTime() + 3_600_000), timeZone: 'Europe/Amsterdam', online: true, capacity, waitlist: true });
    const perSignUp = (cpu: { nodeMs: number; ferretDbMs: number; postgresMs: number }, n: number) => {
      const r = (ms: number) => Math.round((ms / Math.max(1, n)) * 100) / 100;
      return { node: r(cpu.nodeMs), ferretDb: r(cpu.ferretDbMs), postgres: r(cpu.postgresMs), total: r(cpu.nodeMs + cpu.ferretDbMs + cpu.postgresMs) };
    };
    /** Every invariant of one event's registrations, counted from the rows. */
    const invariantsOf = async (id: string, capacity: number) => {
      const rows = await RegistrationModel.find({ eventId: new mongoose.Types.ObjectId(id) }).lean();
      const seated = rows.filter((r) => r.status === 'registered');
      const waiting = rows.filter((r) => r.status === 'waitlisted').sort((a, b) => a.queue - b.queue);
      const seats = seated.map((r) => r.seat);
      const claims = await SeatClaimModel.find({ eventId: new mongoose.Types.ObjectId(id) }).lean();
      const shown = (await EventModel.findById(id).lean())?.counts;
      const lastSeated = Math.max(0, ...seated.map((r) => r.seq));
      return {
        registered: seated.length,
        waitlisted: waiting.length,
        overbooked: Math.max(0, seated.length - capacity),
        duplicates: rows.length - new Set(rows.map((r) => r.userId)).size,
        seatsNotUniqueOrOutOfRange: seats.length - new Set(seats.filter((x) => typeof x === 'number' && x >= 1 && x <= capacity)).size,
        seatClaimsWithoutRegistration: claims.filter((c) => !seated.some((r) => String(r._id) === String(c.registrationId) && r.seat === c.seat)).length,
        // Arrival order: the line is by arrival, and everyone in it arrived after everyone seated (nobody left).
        waitlistOutOfOrder: waiting.filter((r, i) => (i > 0 && r.seq <= (waiting[i - 1]?.seq ?? -1)) || r.seq < lastSeated).length,
        countsShownDiffer: shown?.registered !== seated.length || shown?.waitlisted !== waiting.length,
      };
    };
    const broken = (inv: Awaited<ReturnType<typeof invariantsOf>>) => inv.overbooked + inv.duplicates + inv.seatsNotUniqueOrOutOfRange + inv.seatClaimsWithoutRegistration + inv.waitlistOutOfOrder + (inv.countsShownDiffer ? 1 : 0);
    const sustained = async (label: string, events: { id: string; capacity: number }[]) => {
      let n = 0;
      log(`${label}: ${SUSTAINED_CONNECTIONS} clients for ${SUSTAINED_SECONDS} s over ${events.length} event(s)`);
      await services.allocator.idle();
      operations.clear();
      const stop = await startCpuAccounting(processes);
      const { result, profile } = await profileWhile(() => autocannon({
        url: base,
        connections: SUSTAINED_CONNECTIONS,
        duration: SUSTAINED_SECONDS,
        timeout: 60,
        requests: [
          {
            method: 'POST',
            path: '/',
            setupRequest: (req) => {
              const i = n++;
              const target = events[i % events.length] as { id: string };
              return { ...req, path: `/api/v1/events/${target.id}/registrations`, headers: { ...req.headers, 'content-type': 'application/json', 'x-test-actor': actorHeader({ userId: `${label}-${i}`, name: `Inwoner ${i}` }) }, body: '{}' };
            },
          },
        ],
      }));
      await services.allocator.idle();
      const cpu = await stop();
      const ops = [...operations].sort((a, b) => b[1] - a[1]);
      const perEvent = await Promise.all(events.map((e) => invariantsOf(e.id, e.capacity)));
      const signedUp = perEvent.reduce((sum, inv) => sum + inv.registered + inv.waitlisted, 0);
      const figures = {
        events: events.length,
        seatsPerEvent: events[0]?.capacity,
        otherEventsInTheStore: OTHER_EVENTS,
        connections: SUSTAINED_CONNECTIONS,
        durationSeconds: Number(result.duration.toFixed(2)),
        signUpsPerSecond: Number((result['2xx'] / result.duration).toFixed(1)),
        answered2xx: result['2xx'],
        signUpsStored: signedUp,
        latencyMs: { p50: result.latency.p50, p90: result.latency.p90, p99: result.latency.p99, max: result.latency.max },
        non2xx: result.non2xx,
        errors: result.errors,
        timeouts: result.timeouts,
        cpuMsPerSignUp: perSignUp(cpu, result['2xx']),
        storeOperationsPerSignUp: Object.fromEntries(ops.map(([k, v]) => [k, Math.round((v / Math.max(1, result['2xx'])) * 1000) / 1000])),
        profile,
        invariants: {
          registered: perEvent.reduce((a, i) => a + i.registered, 0),
          waitlisted: perEvent.reduce((a, i) => a + i.waitlisted, 0),
          overbooked: perEvent.reduce((a, i) => a + i.overbooked, 0),
          duplicates: perEvent.reduce((a, i) => a + i.duplicates, 0),
          seatsNotUniqueOrOutOfRange: perEvent.reduce((a, i) => a + i.seatsNotUniqueOrOutOfRange, 0),
          seatClaimsWithoutRegistration: perEvent.reduce((a, i) => a + i.seatClaimsWithoutRegistration, 0),
          waitlistOutOfOrder: perEvent.reduce((a, i) => a + i.waitlistOutOfOrder, 0),
          eventsWhoseCountsDiffer: perEvent.filter((i) => i.countsShownDiffer).length,
        },
        broken: perEvent.reduce((a, i) => a + broken(i), 0),
      };
      const { profile: _profile, ...shown } = figures;
      log(JSON.stringify(shown));
      return figures;
    };
    /** What one sign-up writes when written alone (its registration, its seat claim, the event's counts), with the mongodb driver. */
    const rawStore = async (label: string, eventIds: string[]) => {
      const db = mongoose.connection.db;
      if (!db) throw new Error('no database');
      const registrations = db.collection('bench_raw_registrations');
      const claims = db.collection('bench_raw_seat_claims');
      const counters = db.collection('bench_raw_events');
      await counters.insertMany(eventIds.map((id) => ({ _id: new mongoose.Types.ObjectId(id), registered: 0 })));
      const stop = await startCpuAccounting(processes);
      const latencies: number[] = [];
      let n = 0;
      const started = performance.now();
      const until = started + SUSTAINED_SECONDS * 1000;
      await Promise.all(
        Array.from({ length: SUSTAINED_CONNECTIONS }, async () => {
          while (performance.now() < until) {
            const i = n++;
            const eventId = new mongoose.Types.ObjectId(eventIds[i % eventIds.length]);
            const t = performance.now();
            const registrationId = new mongoose.Types.ObjectId();
            await registrations.insertOne({ _id: registrationId, tenantId: TEST_TENANT, eventId, userId: `${label}-raw-${i}`, displayName: `Inwoner ${i}`, status: 'registered', seq: i, queue: i, seat: i, createdAt: new Date() });
            await claims.insertOne({ tenantId: TEST_TENANT, eventId, seat: i, registrationId });
            await counters.updateOne({ _id: eventId }, { $inc: { registered: 1 } });
            latencies.push(performance.now() - t);
          }
        }),
      );
      const seconds = (performance.now() - started) / 1000;
      const cpu = await stop();
      latencies.sort((a, b) => a - b);
      const q = (p: number) => Math.round(latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] ?? 0);
      const figures = {
        what: 'per sign-up, one by one: insertOne registration, insertOne seat claim, updateOne the event\'s count ($inc); no lock, no batching, no checks',
        connections: SUSTAINED_CONNECTIONS,
        signUpsPerSecond: Number((latencies.length / seconds).toFixed(1)),
        latencyMs: { p50: q(0.5), p99: q(0.99) },
        cpuMsPerSignUp: perSignUp(cpu, latencies.length),
      };
      log(`${label} raw store: ${JSON.stringify(figures)}`);
      return figures;
    };
    /**
     * The store's ceiling for this data model: the documents sign-ups must leave (a registration
     * and a seat claim each, the event's counts once per 100) written in bulk by the driver, with
     * nothing else: no HTTP, no lock, no reads. No design on this store signs people up faster.
     */
    const rawStoreCeiling = async () => {
      const db = mongoose.connection.db;
      if (!db) throw new Error('no database');
      const registrations = db.collection('bench_ceiling_registrations');
      const claims = db.collection('bench_ceiling_seat_claims');
      const counters = db.collection('bench_ceiling_events');
      const eventId = new mongoose.Types.ObjectId();
      await counters.insertOne({ _id: eventId, registered: 0 });
      const stop = await startCpuAccounting(processes);
      const started = performance.now();
      let written = 0;
      const until = started + SUSTAINED_SECONDS * 1000;
      // Two writers, as the app's rounds overlap with the next round's reads.
      await Promise.all(
        [0, 1].map(async (lane) => {
          while (performance.now() < until) {
            const ids = Array.from({ length: 100 }, () => new mongoose.Types.ObjectId());
            const base = written;
            written += 100;
            await registrations.insertMany(ids.map((_id, i) => ({ _id, tenantId: TEST_TENANT, eventId, userId: `ceiling-${lane}-${base + i}`, displayName: `Inwoner ${base + i}`, status: 'registered', seq: base + i, queue: base + i, seat: base + i, createdAt: new Date() })));
            await claims.insertMany(ids.map((registrationId, i) => ({ tenantId: TEST_TENANT, eventId, seat: base + i, registrationId })));
            await counters.updateOne({ _id: eventId }, { $inc: { registered: 100 } });
          }
        }),
      );
      const seconds = (performance.now() - started) / 1000;
      const cpu = await stop();
      const figures = {
        what: 'the documents of 100 sign-ups at a time (insertMany 100 registrations, insertMany 100 seat claims, one updateOne of the counts), two writers, mongodb driver; nothing else',
        signUpsPerSecond: Number((written / seconds).toFixed(1)),
        cpuMsPerSignUp: perSignUp(cpu, written),
      };
      log(`store ceiling: ${JSON.stringify(figures)}`);
      return figures;
    };
    // A store in use holds the events of years and of other organisations; a round of sign-ups
    // must cost the same with them (FerretDB reads every document of a collection for a filter
    // it cannot hand to PostgreSQL, such as `$in`).
    await EventModel.collection.insertMany(
      Array.from({ length: OTHER_EVENTS }, (_, i) => ({
        tenantId: `other-${i % 40}`,
        title: `Eerdere bijeenkomst ${i}`,
        start: new Date(Date.UTC(2024, 0, 1) + i * 3_600_000),
        end: new Date(Date.UTC(2024, 0, 1) + i * 3_600_000 + 3_600_000),
        capacity: 100,
        counts: { registered: 40, waitlisted: 0, requested: 0 },
        allocation: { lastSeq: 40, dirty: false },
      })),
    );
    const oneEvent = await newEvent('Omgevingsvisie 2040: inloopavond', SUSTAINED_SEATS);
    const sustainedOne = await sustained('one', [{ id: oneEvent.id, capacity: SUSTAINED_SEATS }]);
    const spread = await Promise.all(Array.from({ length: SPREAD_EVENTS }, (_, i) => newEvent(`Kennissessie ${i + 1}`, SPREAD_SEATS)));
    const sustainedSpread = await sustained('spread', spread.map((e) => ({ id: e.id, capacity: SPREAD_SEATS })));
    const rawOne = await rawStore('one', [oneEvent.id]);
    const rawSpread = await rawStore('spread', spread.map((e) => e.id));
    const ceiling = await rawStoreCeiling();

    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));

    const result = {
      benchmark: 'signup',
      date: new Date().toISOString(),
      node: process.version,
      machine: { platform: `${platform()} ${release()}`, cpus: cpus().length, cpuModel: cpus()[0]?.model ?? 'unknown', memoryGiB: Number((totalmem() / 2 ** 30).toFixed(1)), loadAverage1m: Number((loadavg()[0] ?? 0).toFixed(2)) },
      store: `${storeCapabilities().product} ${storeCapabilities().version}${postgres ? ' (PostgreSQL backend)' : ''}`,
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
      goals: { oneEvent: 'at least 400 sign-ups/s sustained on one event, every invariant kept', spreadOver20Events: 'at least 1,000 sign-ups/s over 20 events' },
      sustained: {
        oneEvent: sustainedOne,
        spreadOver20Events: sustainedSpread,
        rawStore: { oneEvent: rawOne, spreadOver20Events: rawSpread, ceilingOfTheStore: ceiling },
        appOverRawStore: {
          oneEvent: Number((sustainedOne.signUpsPerSecond / Math.max(0.1, rawOne.signUpsPerSecond)).toFixed(2)),
          spreadOver20Events: Number((sustainedSpread.signUpsPerSecond / Math.max(0.1, rawSpread.signUpsPerSecond)).toFixed(2)),
        },
        howToRead: 'signUpsPerSecond counts answered sign-ups (2xx) over the run; cpuMsPerSignUp is CPU by process (node includes autocannon); appOverRawStore above 1 means the app signs people up faster than the store takes the same writes one by one',
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
    if (result.outcome.overbookedSeats !== 0 || result.outcome.duplicates !== 0 || burst.non2xx !== 0 || repeats.non2xx !== 0 || sustainedOne.broken !== 0 || sustainedSpread.broken !== 0 || sustainedOne.non2xx + sustainedSpread.non2xx !== 0) process.exitCode = 1;
    await mongoose.connection.dropDatabase();
    await disconnectDatabase();
  } finally {
    await graph.stop();
    await ferret?.stop();
    await postgres?.drop();
    rmSync(stateDir, { recursive: true, force: true });
  }
}
