/**
 * Microsoft 365 Agents Playground (`@microsoft/m365agentsplayground`) as a child process, for
 * the bot's end-to-end test: the same CLI `npm run playground` starts, on a free port, with
 * telemetry off (the test runs offline) and in a temporary working directory (it reads an
 * optional `.m365agentsplayground.yml` from there; the test wants its defaults).
 *
 * What the playground serves (read from its bundled server, version 0.2.28):
 * - `GET /` the chat page; `GET /_internal/v1/config` the mocked tenant, user and chats;
 * - `POST /_debug/conversation/:id/installation` (the page calls it on load) sends the bot
 *   `installationUpdate` and `conversationUpdate`;
 * - `POST /_conversation/v1/conversations/:id/messages` a message typed by the user;
 * - `POST /_conversation/v1/invoke` a card action (`adaptiveCard/action`), answered with the
 *   bot's invoke response;
 * - `/_connector/v3/...` the mocked Bot Framework connector the bot replies to;
 * - WebSocket `/_ws_conversation/v1/conversations/stream`: `{ action: 'createMessage', message }`
 *   for every activity the bot sends; `/_ws/log/stream` the log panel.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface AgentsPlayground {
  /** http://127.0.0.1:<port> */
  origin: string;
  /** Everything it printed (for failure messages). */
  output(): string;
  stop(): Promise<void>;
}

/** A port nobody listens on right now (the playground falls back to a random one if taken; we read the one it reports). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (typeof address !== 'object' || address === null) throw new Error('could not find a free port');
  return address.port;
}

export async function startAgentsPlayground(options: { appEndpoint: string; timeoutMs?: number }): Promise<AgentsPlayground> {
  const cli = createRequire(import.meta.url).resolve('@microsoft/m365agentsplayground/cli.js');
  const cwd = mkdtempSync(join(tmpdir(), 'meent-playground-'));
  const port = await freePort();
  const child = spawn(process.execPath, [cli, '--app-endpoint', options.appEndpoint, '--channel-id', 'msteams', '--port', String(port), '--disable-telemetry'], {
    cwd,
    env: { ...process.env, NODE_OPTIONS: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const listening = new Promise<number>((resolve, reject) => {
    const onData = (d: Buffer) => {
      out += d.toString();
      const match = /Listening on (\d+)/.exec(out);
      if (match?.[1]) resolve(Number(match[1]));
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code, signal) => reject(new Error(`Agents Playground exited (${code ?? signal}) before listening:\n${out}`)));
    setTimeout(() => reject(new Error(`Agents Playground did not listen within ${options.timeoutMs ?? 20_000} ms:\n${out}`)), options.timeoutMs ?? 20_000).unref();
  });
  const stop = async () => {
    await stopChild(child);
    rmSync(cwd, { recursive: true, force: true });
  };
  try {
    const actualPort = await listening;
    return { origin: `http://127.0.0.1:${actualPort}`, output: () => out, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
}
