/**
 * An `express-rate-limit` store on MongoDB, so that every instance behind the load balancer
 * counts against the same limit (an in-memory store would let each of N instances allow the
 * full limit, N times in all, and forget everything on restart). Fixed windows: one counter
 * document per key and window, incremented with an upsert (serialised per counter where the
 * store needs it, see src/db/atomic-update.ts); expired windows are swept by the store, at
 * most once per window, since FerretDB has no TTL indexes.
 */
import mongoose from 'mongoose';
import type { ClientRateLimitInfo, Options, Store } from 'express-rate-limit';
import type { Logger } from 'pino';
import { atomicUpdate } from '../db/atomic-update.js';
import { RateLimitCounterModel } from './rate-limit-counter.model.js';

export class MongoRateLimitStore implements Store {
  readonly localKeys = false;
  readonly prefix: string;
  private windowMs = 60_000;
  private lastSweep = 0;
  private readonly now: () => number;
  private readonly logger: Pick<Logger, 'warn'> | undefined;

  constructor(options: { prefix: string; now?: () => number; logger?: Pick<Logger, 'warn'> }) {
    this.prefix = options.prefix;
    this.now = options.now ?? Date.now;
    this.logger = options.logger;
  }

  init(options: Options): void {
    this.windowMs = options.windowMs;
  }

  async get(key: string): Promise<ClientRateLimitInfo | undefined> {
    const { windowStart, resetTime } = this.window();
    const doc = await RateLimitCounterModel.findOne({ key: this.keyFor(key), windowStart }).lean();
    return doc ? { totalHits: doc.hits, resetTime } : undefined;
  }

  async increment(key: string): Promise<ClientRateLimitInfo> {
    const { windowStart, resetTime } = this.window();
    const counterKey = this.keyFor(key);
    // Serialised where the store does not apply updates atomically (FerretDB): a limit that
    // loses increments under a burst of parallel requests would let the burst through.
    const doc = await atomicUpdate(
      RateLimitCounterModel,
      { key: counterKey, windowStart },
      { $inc: { hits: 1 }, $setOnInsert: { expiresAt: resetTime } },
      { upsert: true, lockKey: `rate_limit_counters:${counterKey}:${windowStart.getTime()}` },
    );
    // At most once per window per instance, so awaiting it costs one request in many.
    await this.sweep();
    return { totalHits: doc?.hits ?? 1, resetTime };
  }

  async decrement(key: string): Promise<void> {
    const { windowStart } = this.window();
    const counterKey = this.keyFor(key);
    await atomicUpdate(RateLimitCounterModel, { key: counterKey, windowStart, hits: mongoose.trusted({ $gt: 0 }) }, { $inc: { hits: -1 } }, { lockKey: `rate_limit_counters:${counterKey}:${windowStart.getTime()}` });
  }

  async resetKey(key: string): Promise<void> {
    await RateLimitCounterModel.deleteMany({ key: this.keyFor(key) });
  }

  async resetAll(): Promise<void> {
    await RateLimitCounterModel.deleteMany({ key: mongoose.trusted({ $regex: `^${escapeRegex(this.prefix)}` }) });
  }

  private keyFor(key: string): string {
    return `${this.prefix}${key}`.slice(0, 200);
  }

  private window(): { windowStart: Date; resetTime: Date } {
    const start = Math.floor(this.now() / this.windowMs) * this.windowMs;
    return { windowStart: new Date(start), resetTime: new Date(start + this.windowMs) };
  }

  /** Deletes windows that have ended; a failure is logged and the next sweep tries again. */
  private async sweep(): Promise<void> {
    const now = this.now();
    if (now - this.lastSweep < this.windowMs) return;
    this.lastSweep = now;
    try {
      await RateLimitCounterModel.deleteMany({ expiresAt: mongoose.trusted({ $lt: new Date(now) }) });
    } catch (err) {
      this.logger?.warn({ err }, 'could not delete expired rate-limit windows');
    }
  }
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
