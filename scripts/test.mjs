#!/usr/bin/env node
// Runs mocha with a throw-away test CA trusted by Node (NODE_EXTRA_CA_CERTS is read only at
// process start, hence this wrapper). Arguments are passed on to mocha.
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const dir = mkdtempSync(join(tmpdir(), 'meent-test-ca-'));
const openssl = (...args) => execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
try {
  openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '2', '-subj', '/CN=Meent Test CA', '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign');
  openssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=localhost');
  writeFileSync(join(dir, 'san.ext'), 'subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1\nextendedKeyUsage=serverAuth\n');
  openssl('x509', '-req', '-in', 'server.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'server.crt', '-days', '2', '-extfile', 'san.ext');
} catch (err) {
  console.error(`Could not create the test CA with openssl: ${err.stderr?.toString() ?? err}`);
  process.exit(1);
}

// With no test files named, run them all (mocha would add a configured spec to named files),
// two files at a time: one file keeps the 2-core machine only about two-thirds busy (it waits on
// FerretDB, PostgreSQL and Chromium). Files share nothing (each has its own database), and the
// tab is built once in the global setup. Named files run one after another, as written.
const args = process.argv.slice(2);
const namesFiles = args.some((a) => a.endsWith('.ts') || a.includes('/'));
const jobs = process.env.MEENT_TEST_JOBS ?? '2';
const mochaArgs = namesFiles ? args : [...args, ...(jobs === '1' ? [] : ['--parallel', '--jobs', jobs]), ...testFilesSlowestFirst()];
const mocha = spawn(process.execPath, [join('node_modules', 'mocha', 'bin', 'mocha.js'), ...mochaArgs], {
  stdio: 'inherit',
  env: { ...process.env, NODE_ENV: 'test', MEENT_TEST_TLS_DIR: dir, NODE_EXTRA_CA_CERTS: join(dir, 'ca.crt') },
});
/**
 * Every test file, the slowest first (test/slowest-files.json, from a measured run), then the
 * rest in name order: the workers take files in this order, so a long file no longer starts
 * last and leaves one worker running alone at the end.
 */
function testFilesSlowestFirst() {
  const all = readdirSync('test', { recursive: true })
    .map((f) => join('test', String(f)).split('\\').join('/'))
    .filter((f) => f.endsWith('.test.ts'))
    .sort();
  const seconds = JSON.parse(readFileSync(join('test', 'slowest-files.json'), 'utf8')).files;
  const slow = all.filter((f) => f in seconds).sort((a, b) => seconds[b] - seconds[a]);
  return [...slow, ...all.filter((f) => !(f in seconds))];
}

const forward = (signal) => mocha.kill(signal);
process.on('SIGINT', forward);
process.on('SIGTERM', forward);
mocha.on('exit', (code, signal) => {
  rmSync(dir, { recursive: true, force: true });
  process.exit(code ?? (signal ? 1 : 0));
});
