/**
 * Process entry: `node dist/src/main.js` serves the API, bot and tab; `--worker` runs the
 * background loop alone; `--seed` fills an empty database with the demo organisation.
 */
import { appGraphCredentials } from './auth/app-graph-credentials.js';
import { buildApplication, seedDemoOrganisation, startWorker } from './composition.js';
import { ConfigError, loadConfig, type Config } from './config/config.js';
import { withEnvironmentFiles } from './config/env-files.js';
import { projectRoot, tabBuildDirectory } from './config/paths.js';
import { listen } from './http/server.js';
import { createLogger, type Logger } from './logging/logger.js';
import { openStore } from './db/open-store.js';
import { countWaitingNotifications } from './notifications/notification-backlog.js';
import { startTelemetry } from './telemetry/telemetry.js';
import { runMigrations } from './migrations/run-migrations.js';

type Mode = 'server' | 'worker' | 'seed';

export async function main(argv: string[]): Promise<void> {
  const mode: Mode = argv.includes('--worker') ? 'worker' : argv.includes('--seed') ? 'seed' : 'server';
  let config: Config;
  try {
    config = loadConfig(withEnvironmentFiles(process.env, projectRoot));
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(78); // EX_CONFIG
    }
    throw err;
  }
  const logger = createLogger(config.logLevel);
  const store = await openStore(config, logger);
  // Traces and metrics when configured (APPLICATIONINSIGHTS_CONNECTION_STRING or OTEL_EXPORTER_OTLP_ENDPOINT); nothing otherwise.
  const telemetry = await startTelemetry({ config, logger, notificationBacklog: countWaitingNotifications });
  // Stored documents written by an earlier version are brought up to date before anything reads them (once, under a lease).
  await runMigrations({ logger });
  const stops: Array<() => Promise<void>> = [];
  const shutdown = onceAsync(async (signal: string) => {
    logger.info({ signal }, 'stopping');
    for (const stop of stops.reverse()) await stop().catch((err: unknown) => logger.error({ err }, 'error while stopping'));
    await store.close();
    await telemetry?.shutdown().catch((err: unknown) => logger.warn({ err }, 'telemetry did not shut down cleanly'));
    process.exit(0);
  });
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  process.once('SIGINT', () => void shutdown('SIGINT'));

  if (mode === 'seed') {
    const result = await seedDemoOrganisation({ logger, config });
    logger.info(result, result.created ? 'demo organisation seeded' : 'demo organisation already present; nothing changed');
    await store.close();
    return;
  }
  if (config.localMode && mode === 'server') {
    const result = await seedDemoOrganisation({ logger, config });
    if (result.created) logger.info(result, 'empty database: seeded the demo organisation');
  }

  // One Graph credential (and token cache) for the process, whether it serves, works or both.
  const graphCredentials = appGraphCredentials(config);
  const worker = await startWorker({ config, logger, graphCredentials });
  stops.push(() => worker.stop());
  if (mode === 'worker') {
    logger.info('worker running; stop with Ctrl+C');
    return;
  }

  const application = await buildApplication(config, logger, { tabDirectory: tabBuildDirectory, identity: { graphCredentials } });
  const running = await listen(application.app, { port: config.port, host: config.host, shutdownTimeoutMs: config.shutdownTimeoutMs, logger });
  stops.push(() => application.close(), () => running.close());
  printWelcome(config, running.port, logger);
}

function printWelcome(config: Config, port: number, logger: Logger): void {
  const origin = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;
  logger.info({ url: origin }, 'Meent is listening');
  if (config.localMode) {
    process.stdout.write(
      [
        '',
        `  Meent is running in local mode at ${origin}`,
        `    Sign in as a demo person:  ${origin}/auth/local`,
        `    The tab:                   ${origin}/tab/`,
        `    Health:                    ${origin}/readyz`,
        `    Bot endpoint (Agents Playground, npm run playground): ${origin}/api/messages`,
        '',
      ].join('\n') + '\n',
    );
  }
}

function onceAsync<A extends unknown[]>(fn: (...args: A) => Promise<void>): (...args: A) => Promise<void> {
  let running: Promise<void> | undefined;
  return (...args) => (running ??= fn(...args));
}

// Run when executed directly (`node dist/src/main.js`); scripts/start.mjs imports and calls main().
if (process.argv[1] && import.meta.url === (await import('node:url')).pathToFileURL(process.argv[1]).href) {
  await main(process.argv.slice(2));
}
