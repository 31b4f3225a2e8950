#!/usr/bin/env node
// `npm start` (and `npm run worker`, `npm run seed`): builds what is missing or stale, then
// runs Meent. Arguments (--worker, --seed) are passed on.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const newest = (dir) => {
  let t = 0;
  if (!existsSync(dir)) return t;
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) t = Math.max(t, statSync(join(entry.parentPath ?? entry.path, entry.name)).mtimeMs);
  }
  return t;
};
const mtime = (file) => (existsSync(file) ? statSync(file).mtimeMs : 0);
const run = (what, args) => {
  console.log(`Building ${what}...`);
  execFileSync(process.execPath, args, { cwd: root, stdio: 'inherit' });
};

const serverEntry = join(root, 'dist', 'src', 'main.js');
const serverSources = Math.max(newest(join(root, 'src')), newest(join(root, 'bot')));
if (mtime(serverEntry) < serverSources) {
  run('the server (tsc)', [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.build.json']);
}
const tabEntry = join(root, 'dist', 'tab', 'index.html');
if (existsSync(join(root, 'tab', 'index.html')) && mtime(tabEntry) < newest(join(root, 'tab'))) {
  run('the tab (vite)', [join(root, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--config', 'tab/vite.config.ts', '--logLevel', 'warn']);
}

const { main } = await import(pathToFileURL(serverEntry).href);
await main(process.argv.slice(2));
