/**
 * Installs (once, through scripts/install-ferretdb.sh) and runs a FerretDB server on a free
 * loopback port, for local mode (SQLite backend under `.data/`) and tests (PostgreSQL
 * backend on the machine's PostgreSQL). Production points MONGODB_URI at its own store and
 * never comes here.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export type FerretDbBackend = { kind: 'sqlite'; directory: string } | { kind: 'postgresql'; url: string };

export interface FerretDbServer {
  /** `mongodb://127.0.0.1:<port>/` without a database name. */
  uri: string;
  port: number;
  stop(): Promise<void>;
}

export interface StartFerretDbOptions {
  backend: FerretDbBackend;
  stateDir: string;
  /** Receives progress lines (install, start) meant for a person watching. */
  onProgress?: (line: string) => void;
  startTimeoutMs?: number;
}

const here = dirname(fileURLToPath(import.meta.url));

/** Returns the path of the FerretDB binary, building it first when it is not cached yet. */
export async function installFerretDb(onProgress: (line: string) => void = () => {}): Promise<string> {
  // From src/db (tsx) the project root is two levels up; from dist/src/db three.
  const script = [join(here, '..', '..', 'scripts', 'install-ferretdb.sh'), join(here, '..', '..', '..', 'scripts', 'install-ferretdb.sh')].find((c) => existsSync(c));
  if (!script) throw new Error('scripts/install-ferretdb.sh not found');
  return new Promise((resolvePath, reject) => {
    const child = spawn('bash', [script], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => {
      stderr = (stderr + d.toString()).slice(-8000);
      for (const line of d.toString().split('\n')) if (line.trim()) onProgress(line.trimEnd());
    });
    child.on('error', reject);
    child.on('exit', (code) => {
      const path = stdout.trim().split('\n').pop();
      if (code === 0 && path) resolvePath(path);
      else reject(new Error(`Installing FerretDB failed (exit ${code}):\n${stderr}`));
    });
  });
}

export async function freeLoopbackPort(): Promise<number> {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', rej);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      srv.close(() => res(port));
    });
  });
}

// FerretDB must not outlive us, even when we are killed without a chance to stop it (an
// interrupted test run, a crashed dev server): this shell runs it and watches our pid.
const WATCHDOG = `
parent=$1; shift
"$@" &
child=$!
trap 'kill -TERM $child 2>/dev/null' TERM INT
while kill -0 "$parent" 2>/dev/null && kill -0 "$child" 2>/dev/null; do sleep 1 & wait $!; done
kill -TERM "$child" 2>/dev/null
wait "$child"
`;

/**
 * Go runtime settings for the FerretDB we start. FerretDB 1.24 turns every document it reads
 * into a tree of small objects (PostgreSQL JSON -> its own types -> BSON), so it spends much
 * of its time in Go's garbage collector: reading a page of 50 discussions cost it ~30 ms of CPU
 * with the default GOGC=100 and ~18 ms with GOGC=800 (measured here, same queries, same data).
 * A larger GOGC lets its heap grow to a few hundred MB instead of collecting constantly;
 * GOMEMLIMIT makes Go collect harder again before the heap passes 512 MiB. FerretDB has no
 * flag of its own that helps: its only pushdown switches (`--test-disable-pushdown`,
 * `--test-enable-nested-pushdown`) turn pushdown off or extend it to dotted paths, and it has
 * no sort or index pushdown to switch on (see ferretdb-postgres-indexes.ts for the indexes).
 * A GOGC or GOMEMLIMIT already in our environment wins.
 */
const GO_RUNTIME: Record<string, string> = {
  GOGC: process.env.GOGC ?? '800',
  GOMEMLIMIT: process.env.GOMEMLIMIT ?? '512MiB',
};

export async function startFerretDb(options: StartFerretDbOptions): Promise<FerretDbServer> {
  const progress = options.onProgress ?? (() => {});
  const binary = await installFerretDb(progress);
  mkdirSync(options.stateDir, { recursive: true });
  let backendArgs: string[];
  if (options.backend.kind === 'sqlite') {
    mkdirSync(options.backend.directory, { recursive: true });
    backendArgs = ['--handler=sqlite', `--sqlite-url=file:${resolve(options.backend.directory)}/`];
  } else {
    backendArgs = ['--handler=postgresql', `--postgresql-url=${options.backend.url}`];
  }

  // A port can be taken between our probe and FerretDB's bind; try a few.
  let lastError: Error | undefined;
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freeLoopbackPort();
    const args = [
      ...backendArgs,
      `--listen-addr=127.0.0.1:${port}`,
      `--state-dir=${resolve(options.stateDir)}`,
      // These machines are offline, and we report usage nowhere.
      '--telemetry=disable',
      '--debug-addr=-',
      '--log-level=warn',
      '--log-format=json',
    ];
    const child = spawn('bash', ['-c', WATCHDOG, 'meent-ferretdb', String(process.pid), binary, ...args], {
      stdio: ['ignore', 'ignore', 'pipe'],
      detached: true,
      env: { ...process.env, ...GO_RUNTIME },
    });
    let stderr = '';
    child.stderr?.on('data', (d: Buffer) => {
      stderr = (stderr + d.toString()).slice(-8000);
    });
    try {
      await waitUntilListening(child, port, options.startTimeoutMs ?? 30_000, () => stderr);
      progress(`FerretDB listening on 127.0.0.1:${port} (${options.backend.kind})`);
      return { uri: `mongodb://127.0.0.1:${port}/`, port, stop: () => stopProcess(child) };
    } catch (err) {
      lastError = err as Error;
      await stopProcess(child);
    }
  }
  throw lastError ?? new Error('FerretDB did not start');
}

async function waitUntilListening(child: ChildProcess, port: number, timeoutMs: number, stderr: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let exited: number | null | undefined;
  child.once('exit', (code) => (exited = code));
  while (Date.now() < deadline) {
    if (exited !== undefined) throw new Error(`FerretDB exited with code ${exited} before it listened:\n${stderr()}`);
    if (await canConnect(port)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`FerretDB did not listen on port ${port} within ${timeoutMs} ms:\n${stderr()}`);
}

/** True when something accepts a TCP connection on the loopback port. */
export function canConnect(port: number): Promise<boolean> {
  return new Promise((res) => {
    const socket = connect({ port, host: '127.0.0.1' });
    socket.once('connect', () => {
      socket.destroy();
      res(true);
    });
    socket.once('error', () => res(false));
  });
}

function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((res) => {
    // The watchdog and FerretDB share a process group (detached): kill both if they linger.
    const kill = setTimeout(() => {
      if (child.pid) process.kill(-child.pid, 'SIGKILL');
    }, 5000);
    child.once('exit', () => {
      clearTimeout(kill);
      res();
    });
    child.kill('SIGTERM');
  });
}
