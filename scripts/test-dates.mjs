#!/usr/bin/env node
// Runs test suites with the clock moved: libfaketime from Debian moves the test process and
// the openssl that makes the test CA; Chromium hangs under libfaketime, so the tab's pages get
// the same moved clock from test/support/browser.ts (MEENT_TEST_CLOCK_OFFSET_MS); FerretDB is
// a static Go binary and keeps the real clock, which it does not use for anything we store.
// Proves that no test's outcome hangs on today's date: month and year ends, weekdays, and the
// nights before the daylight-saving switches, in Europe/Amsterdam.
//
//   npm run test:dates                       the tab and events suites on every date below
//   npm run test:dates -- test/bot           other files or folders instead
//   MEENT_TEST_DATES=year-end,monday npm run test:dates
//
// Not part of CI: it runs the chosen suites once per date.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const DATES = [
  { name: 'spring-dst-eve', at: '2027-03-27T23:30:00+01:00', why: 'the night before summer time starts (CET to CEST)' },
  { name: 'autumn-dst-eve', at: '2027-10-30T23:30:00+02:00', why: 'the night before summer time ends (CEST to CET)' },
  { name: 'year-end', at: '2026-12-31T23:30:00+01:00', why: 'half an hour before the year ends' },
  { name: 'february-end', at: '2027-02-28T12:00:00+01:00', why: 'the last day of a 28-day month' },
  { name: 'monday', at: '2027-01-04T09:00:00+01:00', why: 'a Monday morning (weeks start on Monday)' },
  { name: 'sunday', at: '2027-01-10T23:30:00+01:00', why: 'a Sunday, late (the last day of a week)' },
];
const TIME_ZONE = 'Europe/Amsterdam';
const LIBRARIES = ['/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1', '/usr/lib/aarch64-linux-gnu/faketime/libfaketime.so.1'];

function libfaketime() {
  let found = LIBRARIES.find((p) => existsSync(p));
  if (found) return found;
  console.log('Installing libfaketime with apt-get (first time only)...');
  const sudo = process.getuid?.() === 0 ? [] : ['sudo'];
  const run = (args) => execFileSync(sudo[0] ?? args[0], sudo.length ? args : args.slice(1), { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  run(['apt-get', 'update', '-qq']);
  run(['apt-get', 'install', '-y', '-qq', 'libfaketime']);
  found = LIBRARIES.find((p) => existsSync(p));
  if (!found) throw new Error(`libfaketime installed, but none of ${LIBRARIES.join(', ')} exists`);
  return found;
}

function testFiles(targets) {
  const files = [];
  for (const target of targets) {
    if (statSync(target).isDirectory()) {
      for (const name of readdirSync(target).sort()) if (name.endsWith('.test.ts')) files.push(join(target, name));
    } else files.push(target);
  }
  return files;
}

const library = libfaketime();
const targets = process.argv.slice(2);
const files = testFiles(targets.length ? targets : ['test/tab', 'test/events']);
const only = process.env.MEENT_TEST_DATES?.split(',').map((s) => s.trim()).filter(Boolean);
const dates = only ? DATES.filter((d) => only.includes(d.name)) : DATES;
if (dates.length === 0) throw new Error(`MEENT_TEST_DATES names none of: ${DATES.map((d) => d.name).join(', ')}`);

const results = [];
for (const date of dates) {
  // A relative offset (in seconds) moves every process by the same amount, whenever it starts.
  const offset = Math.round((Date.parse(date.at) - Date.now()) / 1000);
  const env = {
    ...process.env,
    TZ: TIME_ZONE,
    LD_PRELOAD: library,
    FAKETIME: `${offset >= 0 ? '+' : ''}${offset}`,
    // Timers and timeouts keep the real monotonic clock.
    DONT_FAKE_MONOTONIC: '1',
    // Chromium is not preloaded (it never finishes loading the tab under libfaketime): its
    // pages get the same moved clock from test/support/browser.ts.
    MEENT_TEST_CLOCK_OFFSET_MS: String(offset * 1000),
  };
  // Check that the clock really moved, so that a broken preload cannot pass silently.
  const seen = execFileSync(process.execPath, ['-e', 'console.log(new Date().toISOString())'], { env }).toString().trim();
  if (Math.abs(Date.parse(seen) - Date.parse(date.at)) > 10 * 60_000) throw new Error(`libfaketime did not move the clock to ${date.at}: the child saw ${seen}`);
  console.log(`\n=== ${date.name}: ${date.at} (${TIME_ZONE}), ${date.why}; ${files.length} files ===`);
  const started = Date.now();
  const run = spawnSync(process.execPath, ['scripts/test.mjs', '--reporter', 'dot', ...files], { env, stdio: 'inherit' });
  results.push({ ...date, ok: run.status === 0, seconds: Math.round((Date.now() - started) / 1000) });
}

console.log('\nDates run:');
for (const r of results) console.log(`  ${r.ok ? 'pass' : 'FAIL'}  ${r.name.padEnd(15)} ${r.at}  ${r.seconds} s`);
process.exit(results.every((r) => r.ok) ? 0 : 1);
