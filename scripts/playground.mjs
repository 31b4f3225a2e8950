#!/usr/bin/env node
// `npm run playground`: Microsoft 365 Agents Playground against the local bot endpoint.
// Start Meent first (`npm start`, local mode: the bot accepts unauthenticated activities there).
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const cli = require.resolve('@microsoft/m365agentsplayground/cli.js');
const endpoint = process.env.MEENT_BOT_ENDPOINT ?? `http://127.0.0.1:${process.env.PORT ?? 3978}/api/messages`;
const child = spawn(process.execPath, [cli, '--app-endpoint', endpoint, '--channel-id', 'msteams', ...process.argv.slice(2)], { stdio: 'inherit' });
child.on('exit', (code) => process.exit(code ?? 0));
