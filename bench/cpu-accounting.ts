/**
 * Where a request's CPU goes: the CPU time of this process (the app, and autocannon's load
 * generation, which shares it), of the FerretDB server and of the PostgreSQL backends serving
 * it, read from /proc around a measured run, and a sampling profile of this process (node's
 * inspector) summed by what the code is (driver, mongoose, express, Meent, autocannon, GC).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import pg from 'pg';

const TICKS_PER_SECOND = 100; // USER_HZ on Linux

function cpuMsOfPid(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // utime and stime are fields 14 and 15 of stat; after the ")" they are the 12th and 13th.
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_SECOND;
  } catch {
    return 0;
  }
}

/** The FerretDB process listening on this port (found by its command line). */
export function ferretDbPid(port: number): number | undefined {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmd = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      if (cmd.includes(`--listen-addr=127.0.0.1:${port}`) && !cmd.startsWith('bash')) return Number(entry);
    } catch {
      // gone meanwhile
    }
  }
  return undefined;
}

/** The PostgreSQL backends connected to the database of this URL. */
export async function postgresPids(url: string): Promise<number[]> {
  const parsed = new URL(url);
  const database = parsed.pathname.slice(1);
  for (const name of [...parsed.searchParams.keys()]) if (name.startsWith('pool_')) parsed.searchParams.delete(name);
  const client = new pg.Client({ connectionString: parsed.toString() });
  await client.connect();
  try {
    const rows = await client.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [database]);
    return rows.rows.map((r) => r.pid);
  } finally {
    await client.end();
  }
}

export interface StoreProcesses {
  ferretDbPort?: number;
  postgresUrl?: string;
}

export interface CpuSplit {
  /** This process: the app and autocannon. */
  nodeMs: number;
  ferretDbMs: number;
  postgresMs: number;
}

/** Starts counting; the returned function answers the CPU time spent since, by process. */
export async function startCpuAccounting(store: StoreProcesses): Promise<() => Promise<CpuSplit>> {
  const ferret = store.ferretDbPort ? ferretDbPid(store.ferretDbPort) : undefined;
  const pgBefore = new Map<number, number>();
  if (store.postgresUrl) for (const pid of await postgresPids(store.postgresUrl)) pgBefore.set(pid, cpuMsOfPid(pid));
  const ferretBefore = ferret ? cpuMsOfPid(ferret) : 0;
  const nodeBefore = process.cpuUsage();
  return async () => {
    const node = process.cpuUsage(nodeBefore);
    const pgNow = store.postgresUrl ? await postgresPids(store.postgresUrl) : [];
    let postgresMs = 0;
    for (const pid of pgNow) postgresMs += cpuMsOfPid(pid) - (pgBefore.get(pid) ?? 0);
    return { nodeMs: Math.round((node.user + node.system) / 1000), ferretDbMs: Math.round(ferret ? cpuMsOfPid(ferret) - ferretBefore : 0), postgresMs: Math.round(postgresMs) };
  };
}

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}

const CATEGORIES: [string, RegExp][] = [
  ['autocannon (load generator, not the app)', /node_modules\/(autocannon|hdr-histogram|reinterval|retimer|http-parser-js)/],
  ['mongodb driver and bson', /node_modules\/(mongodb|bson|mongodb-connection-string-url)\//],
  ['mongoose', /node_modules\/(mongoose|kareem|mpath|mquery|sift)\//],
  ['express, router, body parsing', /node_modules\/(express|router|body-parser|finalhandler|send|serve-static|qs|raw-body|type-is|content-type|on-finished|path-to-regexp)\//],
  ['zod (input and output schemas)', /node_modules\/zod\//],
  ['pino (logging)', /node_modules\/pino/],
  ['lru-cache', /node_modules\/lru-cache\//],
  ['meent src/', /\/src\//],
  ['other node_modules', /node_modules\//],
  ['node internals (net, http, streams)', /^node:/],
];

/** A sampling CPU profile of this process while `work` runs, summed by category and by function. */
export async function profileWhile<T>(work: () => Promise<T>): Promise<{ result: T; profile: Record<string, unknown> }> {
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 500 });
  await session.post('Profiler.start');
  const result = await work();
  const { profile } = (await session.post('Profiler.stop')) as unknown as { profile: { nodes: ProfileNode[]; samples: number[] } };
  session.disconnect();
  const byNode = new Map<number, ProfileNode>(profile.nodes.map((n) => [n.id, n]));
  const counts = new Map<number, number>();
  for (const s of profile.samples) counts.set(s, (counts.get(s) ?? 0) + 1);
  const total = profile.samples.length || 1;
  const byCategory = new Map<string, number>();
  const byFunction = new Map<string, number>();
  for (const [id, hits] of counts) {
    const node = byNode.get(id);
    if (!node) continue;
    const { functionName, url, lineNumber } = node.callFrame;
    let category = 'other';
    if (functionName === '(garbage collector)') category = 'garbage collection';
    else if (functionName === '(idle)' || functionName === '(program)') category = functionName === '(idle)' ? 'idle' : 'program (native, unattributed)';
    else category = CATEGORIES.find(([, re]) => re.test(url))?.[0] ?? (url === '' ? 'native' : 'other');
    byCategory.set(category, (byCategory.get(category) ?? 0) + hits);
    const short = url.replace(/^.*node_modules\//, '').replace(/^.*\/src\//, 'src/');
    const key = `${functionName || '(anonymous)'} ${short}:${lineNumber + 1}`;
    byFunction.set(key, (byFunction.get(key) ?? 0) + hits);
  }
  const percent = (n: number) => Math.round((n / total) * 1000) / 10;
  return {
    result,
    profile: {
      samples: total,
      selfTimePercentByCategory: Object.fromEntries([...byCategory].sort((a, b) => b[1] - a[1]).map(([k, v]) => [k, percent(v)])),
      topFunctionsSelfPercent: Object.fromEntries([...byFunction].sort((a, b) => b[1] - a[1]).slice(0, 12).map(([k, v]) => [k, percent(v)])),
    },
  };
}
