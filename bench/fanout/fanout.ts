/**
 * Fan-out benchmark: 10,000 notifications to 10,000 people through the whole delivery path
 * (outbox -> claims -> rate governor -> botbuilder CloudAdapter -> HTTPS -> the local Bot
 * Framework connector), with two delivery instances sharing the budget, the connector
 * enforcing Teams' limits (per conversation and per app per tenant) and answering 10% of
 * sends with 429 + Retry-After. It reports the achieved rate as a fraction of the limit,
 * duplicates and losses, and writes bench/results/fanout.json.
 *
 *   npx tsx bench/fanout/fanout.ts            (real limits: 50 per second; about 4 minutes)
 *   FANOUT_RATE=200 npx tsx bench/fanout/fanout.ts    (scaled tenant limit, for a quick run)
 *   FANOUT_COUNT=2000 ...                      (fewer notifications)
 *   MEENT_BENCH_MONGODB_URI=mongodb://... ... (use that store instead of starting FerretDB)
 *   FANOUT_MODE=transport ...                  (the rate governor and the bot transport alone, without the
 *                                               database: shows what the governor achieves when the store is
 *                                               not the bottleneck; written to bench/results/fanout-transport.json)
 *
 * It makes its own throw-away TLS CA (trusted through NODE_EXTRA_CA_CERTS, which Node reads
 * only at start, so it re-runs itself once), a temporary PostgreSQL database and FerretDB.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, platform, release, tmpdir, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');

if (!process.env.MEENT_BENCH_TLS_DIR) {
  // First run: make the CA and a localhost certificate, then run again with the CA trusted.
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

if (process.env.FANOUT_MODE === 'transport') await runTransport();
else await run();

/**
 * Transport only: every person gets one message through RateGovernor + BotMessenger
 * (botbuilder CloudAdapter over HTTPS) to the connector enforcing the limits, 10% answered 429.
 * A throttled send pauses its conversation lane for Retry-After and goes again after a
 * jittered wait, as NotificationDelivery does; no database is involved.
 */
async function runTransport(): Promise<void> {
  const count = Number(process.env.FANOUT_COUNT ?? 10_000);
  const tenantRate = Number(process.env.FANOUT_RATE ?? 50);
  const { CloudAdapter } = await import('botbuilder');
  const { RateGovernor, limitsFromConfig } = await import('../../src/notifications/rate-governor.js');
  const { DeliveryError } = await import('../../src/notifications/messenger.js');
  const { BotMessenger } = await import('../../bot/bot-messenger.js');
  const { NotificationCards } = await import('../../bot/notification-cards.js');
  const { tabLinks } = await import('../../bot/ports.js');
  const { botAuthentication } = await import('../../test/support/bot-auth.js');
  const { startBotConnector } = await import('../../test/support/bot-connector.js');
  const { startIdentityProvider } = await import('../../test/support/identity-provider.js');
  const { NotificationPreferences } = await import('../../src/notifications/notification-preferences.js');
  const mongoose = (await import('mongoose')).default;
  const idp = await startIdentityProvider();
  const connector = await startBotConnector({ validToken: (token) => idp.issuedAccessTokens.has(token) });
  try {
    const tenantId = randomUUID();
    const bot = { botId: randomUUID(), password: 'bench-secret-0123456789', tenantId };
    const messenger = new BotMessenger(new CloudAdapter(botAuthentication(idp, bot)), bot.botId);
    const governor = new RateGovernor({ limits: limitsFromConfig({ conversationPerSecond: 7, tenantPerSecond: tenantRate, activityFeedPerSecond: 5 }) });
    const renderer = new NotificationCards(tabLinks('https://meent.example'));
    const prefs = new NotificationPreferences().defaults();
    connector.enforceLimits({ perConversation: [{ count: 7, windowMs: 1_000 }, { count: 8, windowMs: 2_000 }], global: [{ count: tenantRate, windowMs: 1_000 }], retryAfterSeconds: 1 });
    connector.throttleRandomly(0.1, 1);
    const people = Array.from({ length: count }, () => connector.addConversation({ tenantId, conversationType: 'personal' }).id);
    let next = 0;
    const started = Date.now();
    const worker = async () => {
      while (next < people.length) {
        const conversationId = people[next++] as string;
        const message = renderer.message({ _id: new mongoose.Types.ObjectId(), tenantId, recipientId: conversationId, kind: 'eventChanged', subject: { type: 'event', id: 'e' }, data: { eventTitle: 'Kennissessie drones' }, idempotencyKey: conversationId, status: 'pending', attempts: 0, createdAt: new Date(), updatedAt: new Date() } as never, prefs);
        const ref = { channelId: 'msteams', serviceUrl: connector.serviceUrl, conversation: { id: conversationId, tenantId }, bot: { id: `28:${bot.botId}` } };
        const lanes = [{ kind: 'conversation' as const, conversationId }, { kind: 'tenant' as const, tenantId }];
        for (let attempt = 1; attempt <= 10; attempt++) {
          await governor.acquire(lanes);
          try {
            await messenger.sendToConversation(ref, message);
            break;
          } catch (err) {
            if (!(err instanceof DeliveryError) || (err.failure !== 'throttled' && err.failure !== 'transient')) throw err;
            if (err.failure === 'throttled') governor.pause(lanes[0] as never, err.retryAfterMs ?? 1000);
            await new Promise((r) => setTimeout(r, (err.retryAfterMs ?? 1000) * (1 + 0.25 * Math.random())));
          }
        }
      }
    };
    await Promise.all(Array.from({ length: 32 }, worker));
    const sends = connector.requests.filter((r) => r.operation === 'replyToActivity' || r.operation === 'sendToConversation');
    const seconds = (Math.max(...sends.map((r) => r.at)) - Math.min(...sends.map((r) => r.at))) / 1000;
    const perConversation = new Map<string, number>();
    for (const a of connector.activities) perConversation.set(a.conversationId, (perConversation.get(a.conversationId) ?? 0) + 1);
    const result = {
      benchmark: 'fanout-transport',
      date: new Date().toISOString(),
      node: process.version,
      messages: count,
      limits: { tenantPerSecond: tenantRate, perConversation: '7/1s, 8/2s', scaled: tenantRate !== 50 },
      injected: { throttledFraction: 0.1, retryAfterSeconds: 1, throttled: connector.injectedThrottles },
      durationSeconds: Number(seconds.toFixed(2)),
      wallSeconds: Number(((Date.now() - started) / 1000).toFixed(2)),
      requests: sends.length,
      delivered: connector.activities.length,
      requestRateFractionOfLimit: Number((sends.length / seconds / tenantRate).toFixed(3)),
      deliveredRateFractionOfLimit: Number((connector.activities.length / seconds / tenantRate).toFixed(3)),
      peakRequestsInAnySecond: peak(sends.map((r) => r.at), 1_000),
      overLimit429s: connector.overLimit,
      duplicates: [...perConversation.values()].reduce((sum, n) => sum + Math.max(0, n - 1), 0),
      losses: people.filter((id) => !perConversation.has(id)).length,
    };
    mkdirSync(join(root, 'bench', 'results'), { recursive: true });
    writeFileSync(join(root, 'bench', 'results', 'fanout-transport.json'), `${JSON.stringify(result, null, 2)}\n`);
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  } finally {
    await connector.stop();
    await idp.stop();
  }
}

async function run(): Promise<void> {
  const count = Number(process.env.FANOUT_COUNT ?? 10_000);
  const tenantRate = Number(process.env.FANOUT_RATE ?? 50);
  const throttledFraction = 0.1;
  const retryAfterSeconds = 1;
  const instances = 2;

  const mongoose = (await import('mongoose')).default;
  const { CloudAdapter } = await import('botbuilder');
  const { connectDatabase, disconnectDatabase } = await import('../../src/db/connection.js');
  const { startFerretDb } = await import('../../src/db/ferretdb-server.js');
  const { createLogger } = await import('../../src/logging/logger.js');
  const { ConversationReferenceModel } = await import('../../src/notifications/conversation-reference.model.js');
  const { NotificationModel } = await import('../../src/notifications/notification.model.js');
  const { DeliveryModel } = await import('../../src/notifications/delivery.model.js');
  const { LotModel } = await import('../../src/notifications/notification-lot.model.js');
  const { enqueueNotifications } = await import('../../src/notifications/notification-outbox.js');
  const { NotificationDelivery } = await import('../../src/notifications/notification-delivery.js');
  const { startNotificationWorker } = await import('../../src/notifications/notification-worker.js');
  const { communityLookup } = await import('../../src/communities/community-lookup.js');
  const { RateGovernor, limitsFromConfig } = await import('../../src/notifications/rate-governor.js');
  await import('../../src/notifications/notification-preference.model.js');
  await import('../../src/db/lease.js');
  const { BotMessenger } = await import('../../bot/bot-messenger.js');
  const { NotificationCards } = await import('../../bot/notification-cards.js');
  const { tabLinks } = await import('../../bot/ports.js');
  const { botAuthentication } = await import('../../test/support/bot-auth.js');
  const { startBotConnector } = await import('../../test/support/bot-connector.js');
  const { startIdentityProvider } = await import('../../test/support/identity-provider.js');
  const { createTemporaryPostgresDatabase } = await import('../../test/support/postgres.js');

  const log = (line: string) => process.stdout.write(`[fanout] ${line}\n`);
  const given = process.env.MEENT_BENCH_MONGODB_URI;
  const postgres = given ? undefined : await createTemporaryPostgresDatabase();
  const stateDir = mkdtempSync(join(tmpdir(), 'meent-bench-ferretdb-'));
  const ferret = postgres ? await startFerretDb({ backend: { kind: 'postgresql', url: postgres.url }, stateDir, onProgress: (l) => log(l) }) : undefined;
  const idp = await startIdentityProvider();
  const connector = await startBotConnector({ validToken: (token) => idp.issuedAccessTokens.has(token) });
  try {
    await connectDatabase({ uri: given ?? ferret?.uri ?? '', dbName: `fanout_${Date.now()}`, maxPoolSize: 10 });
    const tenantId = randomUUID();
    const bot = { botId: randomUUID(), password: 'bench-secret-0123456789', tenantId };

    log(`setting up ${count} people with the app installed`);
    const people = Array.from({ length: count }, () => randomUUID());
    const conversations = new Map<string, string>();
    const refs = people.map((userId) => {
      const conversation = connector.addConversation({ tenantId, conversationType: 'personal', user: { id: `29:${userId}`, aadObjectId: userId } });
      conversations.set(userId, conversation.id);
      return {
        tenantId,
        key: `user:${userId}`,
        scope: 'personal',
        userId,
        state: 'active',
        installedAt: new Date(),
        reference: { channelId: 'msteams', serviceUrl: connector.serviceUrl, conversation: { id: conversation.id, conversationType: 'personal', tenantId }, bot: { id: `28:${bot.botId}`, name: 'Meent' }, user: { id: `29:${userId}`, aadObjectId: userId } },
      };
    });
    for (let i = 0; i < refs.length; i += 1000) await ConversationReferenceModel.insertMany(refs.slice(i, i + 1000));
    const eventId = new mongoose.Types.ObjectId().toHexString();
    for (let i = 0; i < people.length; i += 1000) {
      await enqueueNotifications(
        people.slice(i, i + 1000).map((userId) => ({
          tenantId,
          recipientId: userId,
          kind: 'eventChanged' as const,
          subject: { type: 'event' as const, id: eventId },
          data: { eventTitle: 'Kennissessie drones', startsAt: '2030-04-01T12:00:00Z', endsAt: '2030-04-01T14:00:00Z', timeZone: 'Europe/Amsterdam' },
          idempotencyKey: `bench:${eventId}:${userId}`,
        })),
      );
    }

    // Teams' limits, enforced by the connector; 10% of sends throttled on top.
    connector.enforceLimits({ perConversation: [{ count: 7, windowMs: 1_000 }, { count: 8, windowMs: 2_000 }], global: [{ count: tenantRate, windowMs: 1_000 }], retryAfterSeconds: 1 });
    connector.throttleRandomly(throttledFraction, retryAfterSeconds);

    const adapter = new CloudAdapter(botAuthentication(idp, bot));

    const logger = createLogger('warn');
    const governors = Array.from({ length: instances }, () => new RateGovernor({ limits: limitsFromConfig({ conversationPerSecond: 7, tenantPerSecond: tenantRate, activityFeedPerSecond: 5 }) }));
    // Where each instance's time went, summed by an observer the bench hands in (see DeliveryPhase).
    const timings = Array.from({ length: instances }, () => ({ takingLots: 0, waitingForLots: 0, governor: 0, channel: 0, records: 0, marking: 0 }));
    const deliveries = Array.from(
      { length: instances },
      (_, i) =>
        new NotificationDelivery({
          observer: { spent: (phase, ms) => void ((timings[i] as Record<typeof phase, number>)[phase] += ms) },
          renderer: new NotificationCards(tabLinks('https://meent.example')),
          messenger: new BotMessenger(adapter, bot.botId),
          governor: governors[i] as InstanceType<typeof RateGovernor>,
          logger,
          owner: `bench-${i}`,
          concurrency: 24,
          maxAttempts: 10,
          communities: communityLookup,
        }),
    );
    const workers = deliveries.map((delivery) => startNotificationWorker(delivery, { logger, intervalMs: 250 }));

    log(`delivering ${count} notifications with ${instances} instances; limit ${tenantRate}/s per tenant, ${throttledFraction * 100}% answered 429 (Retry-After ${retryAfterSeconds}s)`);
    const { monitorEventLoopDelay } = await import('node:perf_hooks');
    const loopDelay = monitorEventLoopDelay({ resolution: 10 });
    loopDelay.enable();
    const started = Date.now();
    const loadAtStart = loadavg()[0] ?? 0;
    // Watch the connector (free) rather than the database (a count is a full scan on FerretDB
    // and would compete with the workers); ask the database only once everything seems sent.
    for (;;) {
      await new Promise((r) => setTimeout(r, 2_000));
      const delivered = connector.activities.length;
      process.stdout.write(`[fanout] ${((Date.now() - started) / 1000).toFixed(0)}s: ${delivered} delivered, ${connector.requests.length} requests, budget shared by ${governors.map((g) => g.currentShare).join('/')}\n`);
      if (delivered >= count) {
        const open = await NotificationModel.countDocuments({ status: mongoose.trusted({ $in: ['pending', 'held', 'sending'] }) });
        const inFlight = (await DeliveryModel.countDocuments({ state: mongoose.trusted({ $in: ['claimed', 'sending'] }) })) + (await LotModel.countDocuments({}));
        if (open === 0 && inFlight === 0) break;
      }
      if (Date.now() - started > 30 * 60_000) throw new Error('the fan-out did not finish in 30 minutes');
    }
    await Promise.all(workers.map((w) => w.stop()));
    loopDelay.disable();

    // The connector's view: first and last accepted send bound the delivery window.
    const sends = connector.requests.filter((r) => r.operation === 'replyToActivity' || r.operation === 'sendToConversation');
    const first = Math.min(...sends.map((r) => r.at));
    const last = Math.max(...sends.map((r) => r.at));
    const seconds = Math.max(0.001, (last - first) / 1000);
    const perConversation = new Map<string, number>();
    for (const a of connector.activities) perConversation.set(a.conversationId, (perConversation.get(a.conversationId) ?? 0) + 1);
    let duplicates = 0;
    let losses = 0;
    for (const userId of people) {
      const n = perConversation.get(conversations.get(userId) ?? '') ?? 0;
      if (n === 0) losses++;
      if (n > 1) duplicates += n - 1;
    }
    const statuses = await NotificationModel.aggregate<{ _id: string; n: number }>([{ $group: { _id: '$status', n: { $sum: 1 } } }]);
    const peakPerSecond = peak(sends.map((r) => r.at), 1_000);
    const result = {
      benchmark: 'fanout',
      date: new Date().toISOString(),
      node: process.version,
      machine: {
        platform: `${platform()} ${release()}`,
        cpus: cpus().length,
        cpuModel: cpus()[0]?.model.trim() ?? 'unknown',
        memoryGiB: Number((totalmem() / 2 ** 30).toFixed(1)),
        node: process.version,
        loadAverage1m: { atStart: Number(loadAtStart.toFixed(2)), atEnd: Number((loadavg()[0] ?? 0).toFixed(2)) },
      },
      store: 'ferretdb v1.24.2 on postgresql',
      notifications: count,
      people: count,
      instances,
      limits: { tenantPerSecond: tenantRate, perConversation: '7/1s, 8/2s', scaled: tenantRate !== 50, note: tenantRate !== 50 ? `tenant limit scaled from 50/s to ${tenantRate}/s for a shorter run` : 'the documented Teams limits, unscaled' },
      injected: { throttledFraction, retryAfterSeconds, throttled: connector.injectedThrottles },
      durationSeconds: Number(seconds.toFixed(2)),
      requests: sends.length,
      delivered: connector.activities.length,
      requestsPerSecond: Number((sends.length / seconds).toFixed(2)),
      deliveredPerSecond: Number((connector.activities.length / seconds).toFixed(2)),
      requestRateFractionOfLimit: Number((sends.length / seconds / tenantRate).toFixed(3)),
      deliveredRateFractionOfLimit: Number((connector.activities.length / seconds / tenantRate).toFixed(3)),
      // The connector counts an injected 429 against the limit like any request, so this is the most a run can deliver.
      deliveredRateCeilingFractionOfLimit: Number((1 - throttledFraction).toFixed(3)),
      peakRequestsInAnySecond: peakPerSecond,
      overLimit429s: connector.overLimit,
      // The bench's own process (both instances and the connector) was this late to run callbacks: a busy machine shows here.
      // Where the instances' time went (ms summed over concurrent sends; see DeliveryPhase).
      instanceTimings: timings,
      eventLoopDelayMs: { p50: Number((loopDelay.percentile(50) / 1e6).toFixed(1)), p99: Number((loopDelay.percentile(99) / 1e6).toFixed(1)), max: Number((loopDelay.max / 1e6).toFixed(1)) },
      duplicates,
      losses,
      notificationStatuses: Object.fromEntries(statuses.map((s) => [s._id, s.n])),
    };
    mkdirSync(join(root, 'bench', 'results'), { recursive: true });
    writeFileSync(join(root, 'bench', 'results', 'fanout.json'), `${JSON.stringify(result, null, 2)}\n`);
    log(JSON.stringify(result, null, 2));
    await mongoose.connection.dropDatabase();
    await disconnectDatabase();
  } finally {
    await connector.stop();
    await idp.stop();
    await ferret?.stop();
    await postgres?.drop();
    rmSync(stateDir, { recursive: true, force: true });
  }
}

function peak(times: number[], windowMs: number): number {
  const sorted = [...times].sort((a, b) => a - b);
  let best = 0;
  let start = 0;
  for (let end = 0; end < sorted.length; end++) {
    while ((sorted[start] ?? 0) <= (sorted[end] ?? 0) - windowMs) start++;
    best = Math.max(best, end - start + 1);
  }
  return best;
}
