/**
 * Headless Chromium for the tab's end-to-end tests: Debian's `chromium` package, driven by
 * playwright-core (which ships no browser of its own). A missing browser is a failure with
 * the way to fix it, never a skipped test.
 */
import { constants } from 'node:fs';
import { access } from 'node:fs/promises';
import { chromium, type Browser } from 'playwright-core';

export const CHROMIUM_PATH = '/usr/bin/chromium';

/** Quiet, offline, deterministic: no updates, sync, first-run UI or GPU. */
export const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

export async function launchChromium(): Promise<Browser> {
  try {
    await access(CHROMIUM_PATH, constants.X_OK);
  } catch {
    throw new Error(`Chromium is not installed at ${CHROMIUM_PATH}; the tab's end-to-end tests need it. Install it with: bash scripts/install-chromium.sh`);
  }
  return chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: CHROMIUM_ARGS });
}
