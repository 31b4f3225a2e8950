/**
 * Headless Chromium for the tab's end-to-end tests: Debian's `chromium` package, driven by
 * playwright-core (which ships no browser of its own). A missing browser is a failure with
 * the way to fix it, never a skipped test.
 */
import { constants } from 'node:fs';
import { access } from 'node:fs/promises';
import { chromium, type Browser, type BrowserContext } from 'playwright-core';

export const CHROMIUM_PATH = '/usr/bin/chromium';

/** Quiet, offline, deterministic: no updates, sync, first-run UI or GPU. */
export const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

export async function launchChromium(): Promise<Browser> {
  try {
    await access(CHROMIUM_PATH, constants.X_OK);
  } catch {
    throw new Error(`Chromium is not installed at ${CHROMIUM_PATH}; the tab's end-to-end tests need it. Install it with: bash scripts/install-chromium.sh`);
  }
  // Chromium never runs under libfaketime (npm run test:dates): preloaded into it, the tab never
  // finishes loading, even with the clock moved by +0. Its pages get the test's clock from
  // newBrowserContext instead.
  const { LD_PRELOAD: _preload, FAKETIME: _faketime, ...env } = process.env;
  return chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: CHROMIUM_ARGS, env: env as Record<string, string> });
}

/**
 * How far the test process's clock is from the machine's (test:dates moves the test process
 * with libfaketime and says by how much here); 0 in an ordinary run.
 */
function testClockOffsetMs(): number {
  const raw = process.env.MEENT_TEST_CLOCK_OFFSET_MS;
  if (raw === undefined || raw === '') return 0;
  const offset = Number(raw);
  if (!Number.isSafeInteger(offset)) throw new Error(`MEENT_TEST_CLOCK_OFFSET_MS must be a whole number of milliseconds, not ${raw}`);
  return offset;
}

/** Moves `Date` in every frame by `offsetMs`, so the page reads the same clock as the test process. */
function shiftDate(offsetMs: number): void {
  const RealDate = Date;
  function ShiftedDate(this: unknown, ...args: unknown[]): Date | string {
    const now = new RealDate(RealDate.now() + offsetMs);
    if (!new.target) return now.toString();
    return args.length === 0 ? now : new (RealDate as unknown as new (...a: unknown[]) => Date)(...args);
  }
  ShiftedDate.prototype = RealDate.prototype;
  Object.assign(ShiftedDate, { now: () => RealDate.now() + offsetMs, parse: RealDate.parse, UTC: RealDate.UTC });
  (globalThis as { Date: unknown }).Date = ShiftedDate;
}

/** A browser context for the tab's tests: the given options, and the test process's clock in its pages. */
export async function newBrowserContext(browser: Browser, options: Parameters<Browser['newContext']>[0]): Promise<BrowserContext> {
  const context = await browser.newContext(options);
  const offsetMs = testClockOffsetMs();
  if (offsetMs !== 0) await context.addInitScript(shiftDate, offsetMs);
  return context;
}
