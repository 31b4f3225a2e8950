/**
 * A FerretDB process that a test owns outright, on a PostgreSQL database of its own, so that it
 * can be killed (SIGKILL, no goodbye to its clients) and started again on the same port: the
 * store going away under a running Meent (test/reliability/). The run's shared FerretDB
 * (global-setup.ts) is never touched, and neither is the machine's PostgreSQL server.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { canConnect, freeLoopbackPort, installFerretDb } from '../../src/db/ferretdb-server.js';
import { createTemporaryPostgresDatabase, type TemporaryPostgresDatabase } from './postgres.js';

export interface OwnedFerretDb {
  /** `mongodb://127.0.0.1:<port>/` (the same for every start). */
  uri: string;
  port: number;
  postgresUrl: string;
  /** Kills the FerretDB process with SIGKILL and waits until it is gone. */
  kill(): Promise<void>;
  /** Starts it again on the same port; resolves once it accepts connections. */
  restart(): Promise<void>;
  /** Stops it and drops its PostgreSQL database. */
  dispose(): Promise<void>;
}

const alive = new Set<ChildProcess>();
// A crashed or interrupted test run leaves no FerretDB behind.
process.once('exit', () => {
  for (const child of alive) child.kill('SIGKILL');
});

export async function startOwnedFerretDb(): Promise<OwnedFerretDb> {
  const binary = await installFerretDb();
  const postgres: TemporaryPostgresDatabase = await createTemporaryPostgresDatabase();
  const stateDir = mkdtempSync(join(tmpdir(), 'meent-owned-ferretdb-'));
  const port = await freeLoopbackPort();
  let child: ChildProcess | undefined;

  const start = async () => {
    const started = spawn(
      binary,
      [`--handler=postgresql`, `--postgresql-url=${postgres.url}`, `--listen-addr=127.0.0.1:${port}`, `--state-dir=${stateDir}`, '--telemetry=disable', '--debug-addr=-', '--log-level=error', '--log-format=json'],
      { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, GOGC: '800', GOMEMLIMIT: '512MiB' } },
    );
    let stderr = '';
    started.stderr?.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
    alive.add(started);
    started.once('exit', () => alive.delete(started));
    child = started;
    // The port was just given up by the killed process; the new one may need a moment to bind it.
    const deadline = Date.now() + 20_000;
    while (!(await canConnect(port))) {
      if (started.exitCode !== null) throw new Error(`FerretDB exited with ${started.exitCode} before it listened:\n${stderr}`);
      if (Date.now() > deadline) throw new Error(`FerretDB did not listen on ${port} within 20 s:\n${stderr}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };

  const kill = async () => {
    const running = child;
    child = undefined;
    if (!running || running.exitCode !== null || running.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      running.once('exit', () => resolve());
      running.kill('SIGKILL');
    });
  };

  await start();
  return {
    uri: `mongodb://127.0.0.1:${port}/`,
    port,
    postgresUrl: postgres.url,
    kill,
    restart: start,
    async dispose() {
      await kill();
      await postgres.drop();
      rmSync(stateDir, { recursive: true, force: true });
    },
  };
}
