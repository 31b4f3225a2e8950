/**
 * The real Meent HTTP app serving the built tab (dist/tab), for the tab's end-to-end tests,
 * with whatever API routers a test hands in. Served over HTTPS (the test CA's localhost
 * certificate), because Teams only loads https tabs and the Teams SDK refuses non-https URLs
 * for the authentication pop-up. Builds the tab first when dist/tab is missing or older than
 * the tab's sources (one Vite build per test run at most).
 */
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Express, RequestHandler, Router } from 'express';
import { loadConfig, type Config } from '../../src/config/config.js';
import { createApp } from '../../src/http/app.js';
import { createLogger, type Logger } from '../../src/logging/logger.js';
import { testTlsCredentials } from './tls.js';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const TAB_SOURCE_DIR = join(repoRoot, 'tab');
export const TAB_DIST_DIR = join(repoRoot, 'dist', 'tab');

function newestSourceTime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestSourceTime(path) : statSync(path).mtimeMs);
  }
  return newest;
}

/** What the tab imports from the core (the language rule, the Markdown syntax), which a build must also follow. */
const SHARED_SOURCES = [join(repoRoot, 'src', 'content', 'language.ts'), join(repoRoot, 'src', 'content', 'markdown-syntax.ts')];

/** True when dist/tab is missing or any file under tab/ (or shared with it) is newer than the built index.html. */
export function tabBuildIsStale(): boolean {
  const index = join(TAB_DIST_DIR, 'index.html');
  if (!existsSync(index)) return true;
  const newest = Math.max(newestSourceTime(TAB_SOURCE_DIR), ...SHARED_SOURCES.map((file) => statSync(file).mtimeMs));
  return newest > statSync(index).mtimeMs;
}

let building: Promise<void> | undefined;

/** Runs `vite build --config tab/vite.config.ts` when the build is stale. */
export function ensureTabBuilt(): Promise<void> {
  if (!tabBuildIsStale()) return Promise.resolve();
  building ??= new Promise<void>((resolve, reject) => {
    const vite = spawn(process.execPath, [join(repoRoot, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--config', 'tab/vite.config.ts', '--logLevel', 'warn'], {
      cwd: repoRoot,
      // Mocha runs with NODE_ENV=test; Vite would then bundle React's development build.
      env: { ...process.env, NODE_ENV: 'production' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    vite.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    vite.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    vite.on('error', reject);
    vite.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`npm run build:tab failed (exit ${code}):\n${output}`))));
  }).finally(() => {
    building = undefined;
  });
  return building;
}

export interface TabServer {
  origin: string;
  /** `${origin}/tab/index.html` plus an optional query and route, e.g. tabUrl('#/events'). */
  tabUrl(suffix?: string): string;
  close(): Promise<void>;
}

export interface TabServerOptions {
  /** Default: local mode on loopback. The real identity layer needs its own (e.g. AUTH_MODE=entra). */
  config?: Config;
  networkPolicy?: RequestHandler[];
  authenticate?: RequestHandler;
  apiRouters?: Router[];
  publicRouters?: Router[];
  /** The app's logger (request logs); default silent. */
  logger?: Logger;
}

/**
 * Starts the server. `options` may be a function of the server's origin, for apps whose
 * configuration must name it (PUBLIC_URL: the consent redirect URI, links in invitations).
 */
export async function startTabServer(options: TabServerOptions | ((origin: string) => TabServerOptions | Promise<TabServerOptions>) = {}): Promise<TabServer> {
  const tls = testTlsCredentials();
  // The app is built once the origin is known; until then the server answers 503.
  const holder: { app?: Express } = {};
  const server = createServer({ key: tls.key, cert: tls.cert }, (req, res) => {
    if (holder.app) holder.app(req, res);
    else res.writeHead(503).end();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const origin = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const resolved = typeof options === 'function' ? await options(origin) : options;
  const config = resolved.config ?? loadConfig({ NODE_ENV: 'test', AUTH_MODE: 'local', LOG_LEVEL: 'silent', HOST: '127.0.0.1', PORT: '0' });
  holder.app = createApp({
    config,
    logger: resolved.logger ?? createLogger('silent'),
    isReady: () => Promise.resolve(true),
    networkPolicy: resolved.networkPolicy,
    authenticate: resolved.authenticate,
    apiRouters: resolved.apiRouters,
    publicRouters: resolved.publicRouters,
    tabDirectory: TAB_DIST_DIR,
  });
  return {
    origin,
    tabUrl: (suffix = '#/') => `${origin}/tab/index.html${suffix}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
