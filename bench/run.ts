/**
 * Runs the benchmarks one after another, or those named, and says where each wrote its result:
 *
 *   npm run bench                       discussions, signup, fanout, tab, analytics, load
 *   npm run bench -- fanout             one (or several: `npm run bench -- signup fanout`)
 *   FANOUT_COUNT=1000 npm run bench -- fanout    (each bench's own settings pass through; see bench/README.md)
 *
 * Each bench runs in a process of its own, exactly as when it is run alone: it sets up its
 * own TLS trust, servers, and FerretDB on a temporary database of the tests' PostgreSQL (the
 * way the tests' global setup does; MEENT_TEST_POSTGRES_URL), or uses MEENT_BENCH_MONGODB_URI
 * when that is set. One shared FerretDB would save seconds but change what is measured (a
 * bench that starts FerretDB itself also prepares its PostgreSQL tables). Before the first
 * bench this checks what they need, so that a missing piece fails at once rather than after
 * the benches before it: PostgreSQL, the FerretDB binary (built once, not inside a bench's
 * timing), openssl, and Chromium for the tab bench (bash scripts/install-chromium.sh).
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const results = join(root, 'bench', 'results');
const CHROMIUM = '/usr/bin/chromium';

interface Bench {
  script: string;
  /** What it measures, for the list printed on a wrong name. */
  about: string;
  needsStore: boolean;
  /** Makes a throw-away TLS CA with openssl. */
  needsOpenssl: boolean;
  /** The result files it may write (the ones written during the run are reported). */
  writes: string[];
  /** Why it cannot run here, if it cannot. */
  missing?: () => string | undefined;
  /** Node options for its process (load forces a GC before reading the heap). */
  nodeArgs?: string[];
}

const BENCHES: Record<string, Bench> = {
  discussions: { script: 'bench/discussions/discussions.ts', about: 'feed, thread and search requests per second and latency', needsStore: true, needsOpenssl: false, writes: ['discussions.json'] },
  signup: { script: 'bench/signup/signup.ts', about: 'a burst of 1,000 sign-ups on a 100-seat event', needsStore: true, needsOpenssl: true, writes: ['signup.json'] },
  fanout: { script: 'bench/fanout/fanout.ts', about: '10,000 notifications through the Teams rate limits', needsStore: true, needsOpenssl: true, writes: ['fanout.json', 'fanout-transport.json'] },
  tab: {
    script: 'bench/tab/run.ts',
    about: "the tab's download size and time to a meaningful render in Chromium",
    needsStore: false,
    needsOpenssl: false,
    writes: ['tab.json'],
    missing: () => (existsSync(CHROMIUM) ? undefined : `Chromium is not installed at ${CHROMIUM} (bash scripts/install-chromium.sh)`),
  },
  analytics: { script: 'bench/analytics.ts', about: "the figures' summary over a generated year of a 10,000-member organisation's daily counters", needsStore: true, needsOpenssl: false, writes: ['analytics.json'] },
  load: { script: 'bench/load/load.ts', about: '80% reads / 20% writes from 50 clients for 5 minutes (BENCH_SECONDS): heap, errors, latency', needsStore: true, needsOpenssl: false, writes: ['load.json'], nodeArgs: ['--expose-gc'] },
};

const names = process.argv.slice(2).filter((a) => a !== '--');
const unknown = names.filter((n) => !(n in BENCHES));
if (unknown.length > 0) {
  process.stderr.write(`Unknown bench: ${unknown.join(', ')}. There are:\n${Object.entries(BENCHES).map(([n, b]) => `  ${n.padEnd(12)} ${b.about}`).join('\n')}\n`);
  process.exit(2);
}
const chosen = names.length > 0 ? [...new Set(names)] : Object.keys(BENCHES);

interface Outcome {
  name: string;
  status: 'ok' | 'failed' | 'skipped';
  seconds: number;
  files: string[];
  reason?: string;
}

const outcomes: Outcome[] = [];
let interrupted = false;
let current: ReturnType<typeof spawn> | undefined;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    interrupted = true;
    current?.kill(signal);
  });
}

const problems = await prerequisites(chosen.map((n) => BENCHES[n] as Bench));
for (const name of chosen) {
  const bench = BENCHES[name] as Bench;
  if (interrupted) break;
  const reason = bench.missing?.() ?? (bench.needsStore ? problems.store : undefined) ?? (bench.needsOpenssl ? problems.openssl : undefined);
  if (reason) {
    process.stdout.write(`[bench] ${name}: skipped: ${reason}\n`);
    outcomes.push({ name, status: 'skipped', seconds: 0, files: [], reason });
    continue;
  }
  process.stdout.write(`[bench] ${name}: ${bench.script}\n`);
  const started = Date.now();
  const code = await run(bench.script, bench.nodeArgs ?? []);
  const files = bench.writes.map((f) => join(results, f)).filter((f) => existsSync(f) && statSync(f).mtimeMs >= started);
  const seconds = Math.round((Date.now() - started) / 1000);
  outcomes.push({ name, status: code === 0 ? 'ok' : 'failed', seconds, files, ...(code === 0 ? {} : { reason: `exit code ${code}` }) });
  process.stdout.write(`[bench] ${name}: ${code === 0 ? 'done' : `failed (exit code ${code})`} in ${seconds} s${files.length > 0 ? `; result in ${files.map((f) => relative(root, f)).join(', ')}` : ''}\n`);
}

process.stdout.write('\n[bench] summary\n');
for (const o of outcomes) {
  const where = o.files.length > 0 ? o.files.map((f) => relative(root, f)).join(', ') : '(no result written)';
  process.stdout.write(`  ${o.name.padEnd(12)} ${o.status.padEnd(8)} ${String(o.seconds).padStart(5)} s  ${where}${o.reason ? `  ${o.reason}` : ''}\n`);
}
process.exitCode = interrupted || outcomes.some((o) => o.status !== 'ok') ? 1 : 0;

/** What the chosen benches need and this machine lacks (each a reason to skip the benches that need it). */
async function prerequisites(benches: Bench[]): Promise<{ store?: string; openssl?: string }> {
  const found: { store?: string; openssl?: string } = {};
  if (benches.some((b) => b.needsOpenssl) && spawnSync('openssl', ['version'], { stdio: 'ignore' }).status !== 0) {
    found.openssl = 'openssl is not installed (the bench makes a throw-away TLS CA with it)';
  }
  if (benches.some((b) => b.needsStore) && !process.env.MEENT_BENCH_MONGODB_URI) {
    try {
      const { createTemporaryPostgresDatabase } = await import('../test/support/postgres.js');
      await (await createTemporaryPostgresDatabase()).drop();
      const { installFerretDb } = await import('../src/db/ferretdb-server.js');
      await installFerretDb((line) => process.stdout.write(`[bench] ${line}\n`));
    } catch (err) {
      found.store = (err as Error).message.split('\n')[0];
    }
  }
  return found;
}

/** Runs a bench script with tsx in a process of its own; answers its exit code. */
function run(script: string, nodeArgs: string[]): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', join(root, script)], { cwd: root, env: process.env, stdio: 'inherit' });
    current = child;
    child.on('error', () => resolve(1));
    child.on('exit', (code, signal) => {
      current = undefined;
      resolve(code ?? (signal ? 1 : 0));
    });
  });
}
