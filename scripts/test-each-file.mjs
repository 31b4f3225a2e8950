#!/usr/bin/env node
// Runs every test file alone, one mocha process each, to prove that no file depends on state
// another file left behind (the full suite, `npm test`, proves they also pass together).
//
//   npm run test:each                 every file under test/
//   npm run test:each -- test/bot     the files under the folders or files named
//
// Not part of CI: it starts FerretDB once per file.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

function testFiles(target) {
  if (!statSync(target).isDirectory()) return [target];
  return readdirSync(target)
    .sort()
    .flatMap((name) => (name === 'support' ? [] : name.endsWith('.test.ts') || statSync(join(target, name)).isDirectory() ? testFiles(join(target, name)) : []));
}

const targets = process.argv.slice(2);
const files = (targets.length ? targets : ['test']).flatMap(testFiles);
const started = Date.now();
const failed = [];
for (const [i, file] of files.entries()) {
  const t0 = Date.now();
  const run = spawnSync(process.execPath, ['scripts/test.mjs', '--reporter', 'dot', file], { encoding: 'utf8' });
  const seconds = ((Date.now() - t0) / 1000).toFixed(1);
  const ok = run.status === 0;
  console.log(`${ok ? 'pass' : 'FAIL'}  ${String(i + 1).padStart(3)}/${files.length}  ${seconds.padStart(6)} s  ${file}`);
  if (!ok) {
    failed.push(file);
    process.stdout.write(run.stdout.split('\n').slice(-60).join('\n') + '\n' + run.stderr.slice(-4000) + '\n');
  }
}
const minutes = ((Date.now() - started) / 60_000).toFixed(1);
console.log(`\n${files.length - failed.length} passed, ${failed.length} failed (every file alone, ${minutes} min)`);
for (const f of failed) console.log(`  failed alone: ${f}`);
process.exit(failed.length ? 1 : 0);
