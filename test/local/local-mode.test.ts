import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Starts Meent the way `npm start` does (local mode, own FerretDB on SQLite) in a child process. */
function startMeent(env: NodeJS.ProcessEnv): { child: ChildProcess; output: () => string; origin: Promise<string> } {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    env: { ...process.env, NODE_ENV: 'development', PORT: '0', LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const origin = new Promise<string>((resolve, reject) => {
    const onData = (d: Buffer) => {
      out += d.toString();
      const match = /running in local mode at (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (match?.[1]) resolve(match[1]);
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => reject(new Error(`Meent exited with ${code}:\n${out}`)));
  });
  return { child, output: () => out, origin };
}

function exitOf(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

describe('local mode (npm start)', function () {
  this.timeout(120_000);
  let dataDir: string;
  before(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'meent-local-'));
  });
  after(() => rmSync(dataDir, { recursive: true, force: true }));

  it('starts its own FerretDB, seeds the demo organisation, answers /readyz, and stops cleanly on SIGTERM', async () => {
    const meent = startMeent({ DATA_DIR: dataDir });
    const origin = await meent.origin;
    const ready = await fetch(`${origin}/readyz`);
    assert.equal(ready.status, 200);
    assert.deepEqual(await ready.json(), { status: 'ready', database: 'reachable' });
    const signIn = await fetch(`${origin}/auth/local`);
    assert.equal(signIn.status, 200);
    assert.match(await signIn.text(), /Sanne de Vries/, 'the sign-in page lists the seeded demo people');
    meent.child.kill('SIGTERM');
    assert.equal(await exitOf(meent.child), 0);
    await assert.rejects(fetch(`${origin}/healthz`), 'nothing listens any more');
  });

  it('keeps its data and does not seed twice', async () => {
    const meent = startMeent({ DATA_DIR: dataDir, LOG_LEVEL: 'info' });
    const origin = await meent.origin;
    assert.equal((await fetch(`${origin}/readyz`)).status, 200);
    assert.doesNotMatch(meent.output(), /seeded the demo organisation/);
    meent.child.kill('SIGTERM');
    assert.equal(await exitOf(meent.child), 0);
  });

  it('refuses to start with NODE_ENV=production, naming the variable', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      env: { ...process.env, NODE_ENV: 'production', AUTH_MODE: 'local', PUBLIC_URL: 'https://meent.example.org', DATA_DIR: dataDir },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let err = '';
    child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
    assert.equal(await exitOf(child), 78);
    assert.match(err, /AUTH_MODE must be entra when NODE_ENV=production/);
  });
});
