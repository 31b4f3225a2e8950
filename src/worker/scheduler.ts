/**
 * The one periodic loop every background job runs on: a pass, then a pause of `everyMs` (or
 * straight on when the pass says more work is waiting), until stopped. A failed pass is
 * logged and the loop goes on; passes never overlap; `stop()` wakes a pausing loop and
 * resolves once the pass in progress has finished.
 */
import type { Logger } from 'pino';
import { withLease } from '../db/lease.js';

export interface PeriodicJob {
  /** Finishes the pass in progress, then stops. */
  stop(): Promise<void>;
  /** Resolves after the next complete pass. */
  drained(): Promise<void>;
}

export interface PeriodicJobOptions {
  /** Pause between passes. */
  everyMs: number;
  /** One pass; answering true means more is waiting, so the next pass starts at once. */
  run: () => Promise<boolean | void>;
  logger: Pick<Logger, 'error'>;
  /** Logged with the error of a failed pass. */
  failureMessage: string;
  /** The first pass waits for this (e.g. the instance registering itself first). */
  startAfter?: Promise<unknown>;
  /** Only one instance runs a pass at a time: each pass is taken under this lease, and skipped while another instance holds it. */
  lease?: { key: string; ms: number };
}

export function startPeriodicJob(options: PeriodicJobOptions): PeriodicJob {
  let stopped = false;
  let wake: (() => void) | undefined;
  let waiters: (() => void)[] = [];
  const pass = options.lease ? leased(options.lease, options.run) : options.run;
  const loop = (async () => {
    await options.startAfter;
    while (!stopped) {
      let more = false;
      try {
        more = (await pass()) === true;
      } catch (err) {
        options.logger.error({ err }, options.failureMessage);
      }
      const done = waiters;
      waiters = [];
      for (const resolve of done) resolve();
      if (stopped) break;
      await pause(more ? 0 : options.everyMs, (w) => (wake = w));
      wake = undefined;
    }
  })();
  return {
    async stop() {
      stopped = true;
      wake?.();
      await loop;
    },
    drained: () => new Promise<void>((resolve) => waiters.push(resolve)),
  };
}

/** A job that does nothing (a job switched off by configuration). */
export function idleJob(): PeriodicJob {
  return { stop: () => Promise.resolve(), drained: () => Promise.resolve() };
}

function leased(lease: { key: string; ms: number }, run: () => Promise<boolean | void>): () => Promise<boolean | void> {
  return async () => (await withLease(lease.key, lease.ms, run)) ?? false;
}

function pause(ms: number, onWake: (wake: () => void) => void): Promise<void> {
  return new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    onWake(() => {
      clearTimeout(timer);
      resolve();
    });
  });
}
