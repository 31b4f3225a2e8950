#!/usr/bin/env node
// `npm run playground`: Microsoft 365 Agents Playground against the local bot endpoint.
// Start Meent first (`npm start`, local mode: the bot accepts unauthenticated activities there),
// then open the page at the port the playground reports ("Listening on <port>", default 56150).
// The endpoint follows Meent's own settings: HOST and PORT from the environment, else from
// env/.env.local.user and env/.env.local, as `npm start` reads them. Telemetry to Microsoft is
// off. Arguments go to the playground's CLI (`npm run playground -- --help`) and win over these
// defaults: e.g. `-- --app-endpoint <url>`, `-- --port 56151`, `-- --disable-telemetry false`.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'dotenv';

const require = createRequire(import.meta.url);
const root = fileURLToPath(new URL('..', import.meta.url));
const fromFiles = {};
for (const name of ['.env.local', '.env.local.user']) {
  const path = join(root, 'env', name);
  if (existsSync(path)) Object.assign(fromFiles, parse(readFileSync(path)));
}
const setting = (name) => process.env[name] ?? fromFiles[name];
const host = setting('HOST') ?? '127.0.0.1';
// Meent listens on HOST; a wildcard address is reachable on loopback.
const reachable = host === '0.0.0.0' ? '127.0.0.1' : host === '::' ? '::1' : host;
const endpoint = `http://${reachable.includes(':') ? `[${reachable}]` : reachable}:${setting('PORT') ?? 3978}/api/messages`;

const args = process.argv.slice(2);
// yargs collects a repeated option into an array: add a default only when the caller gave none.
const given = (...names) => args.some((a) => names.some((n) => a === n || a.startsWith(`${n}=`)));
const defaults = [
  ...(given('-e', '--app-endpoint') ? [] : ['--app-endpoint', endpoint]),
  ...(given('-c', '--channel-id') ? [] : ['--channel-id', 'msteams']),
  ...(given('--disable-telemetry', '--dt') ? [] : ['--disable-telemetry']),
];
const cli = require.resolve('@microsoft/m365agentsplayground/cli.js');
if (!given('-e', '--app-endpoint')) console.log(`Agents Playground for the bot at ${endpoint}`);
const child = spawn(process.execPath, [cli, ...defaults, ...args], { stdio: 'inherit' });
const forward = (signal) => child.kill(signal);
process.on('SIGINT', forward);
process.on('SIGTERM', forward);
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
