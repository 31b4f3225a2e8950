// npm run build:deploy: the folder App Service runs (zip-deployed by `atk deploy` and by the
// release workflow): deploy/ with the compiled server and bot (dist/src, dist/bot), the built
// tab (dist/tab), package.json and package-lock.json, and the production dependencies the server
// and bot import (npm install --omit=dev at the locked versions). It prints the folder's size and writes it to deploy/build-info.json.
// App Service starts it with `node dist/src/main.js` (infra/azure.bicep, appCommandLine).
//
//   node scripts/build-deploy.mjs [--skip-build] [--out <dir>]
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const args = process.argv.slice(2);
const outIndex = args.indexOf('--out');
const out = resolve(root, outIndex >= 0 ? args[outIndex + 1] : 'deploy');

function run(command, commandArgs, cwd) {
  const result = spawnSync(command, commandArgs, { cwd, stdio: 'inherit', env: { ...process.env, NODE_ENV: 'production' } });
  if (result.status !== 0) {
    console.error(`build-deploy: ${command} ${commandArgs.join(' ')} failed (${result.status ?? result.signal})`);
    process.exit(1);
  }
}

if (!args.includes('--skip-build')) run('npm', ['run', 'build'], root);
for (const required of ['dist/src/main.js', 'dist/tab/index.html']) {
  if (!existsSync(join(root, required))) {
    console.error(`build-deploy: ${required} is missing; run npm run build first`);
    process.exit(1);
  }
}

rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
// Only what runs: the compiled server and bot (with their card templates) and the built tab.
for (const part of ['src', 'bot', 'tab']) cpSync(join(root, 'dist', part), join(out, 'dist', part), { recursive: true });
cpSync(join(root, 'package-lock.json'), join(out, 'package-lock.json'));
// The tab's packages (React, Fluent UI, teams-js, msal-browser) are bundled into dist/tab by
// Vite; the server never loads them (Fluent UI's icons alone are 300 MB). Keep the dependencies
// the compiled server and bot import, found in their code, so the list cannot go stale.
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const imported = importedPackages([join(out, 'dist', 'src'), join(out, 'dist', 'bot')]);
const kept = Object.fromEntries(Object.entries(pkg.dependencies).filter(([name]) => imported.has(name)));
const dropped = Object.keys(pkg.dependencies).filter((name) => !(name in kept));
writeFileSync(join(out, 'package.json'), JSON.stringify({ ...pkg, scripts: { start: 'node dist/src/main.js' }, dependencies: kept, devDependencies: {} }, null, 2) + '\n');
console.log(`build-deploy: leaving out what only the tab's bundle uses: ${dropped.join(', ') || 'nothing'}`);
// Production dependencies at the locked versions; no install scripts (nothing of ours needs one).
run('npm', ['install', '--omit=dev', '--ignore-scripts', '--no-audit', '--no-fund', '--prefer-offline'], out);

const { bytes, files } = measure(out);
const info = { sizeBytes: bytes, sizeMiB: Math.round((bytes / 1024 / 1024) * 10) / 10, files, node: '>=20.19.0', start: 'node dist/src/main.js', builtAt: new Date().toISOString() };
writeFileSync(join(out, 'build-info.json'), JSON.stringify(info, null, 2) + '\n');
console.log(`build-deploy: ${out} is ${info.sizeMiB} MiB in ${files} files (production dependencies only)`);

/** Package names that `import ... from '<pkg>'` / `import('<pkg>')` name in the .js files under `dirs`. */
function importedPackages(dirs) {
  const names = new Set();
  const visit = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) visit(path);
      else if (entry.name.endsWith('.js')) {
        for (const m of readFileSync(path, 'utf8').matchAll(/(?:from|import)\s*\(?\s*['"]([^'"./][^'"]*)['"]/g)) {
          const spec = m[1];
          if (spec.startsWith('node:')) continue;
          names.add(spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]);
        }
      }
    }
  };
  for (const dir of dirs) visit(dir);
  return names;
}

function measure(dir) {
  let total = 0;
  let count = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      const sub = measure(path);
      total += sub.bytes;
      count += sub.files;
    } else if (entry.isFile()) {
      total += statSync(path).size;
      count++;
    }
  }
  return { bytes: total, files: count };
}
