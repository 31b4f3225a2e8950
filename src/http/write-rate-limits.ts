/**
 * Rate limits on writes (POST, PUT, PATCH, DELETE): one per address, applied before
 * authentication, and one per signed-in person, applied after it. Over the limit the answer
 * is 429 problem+json with `Retry-After`. Reads are not limited here. Writes that do not
 * arrive as HTTP writes of the person (the Teams bot's card actions, which Microsoft posts to
 * /api/messages) take from the same per-person budget through `perPerson`.
 *
 * The counters live in MongoDB (`MongoRateLimitStore`) so that all instances share them. The
 * per-address limit is generous on purpose: a municipality's whole office often reaches us
 * from one address (NAT); the per-person limit is the one that bites.
 */
import type { Request, RequestHandler } from 'express';
import { ipKeyGenerator, MemoryStore, rateLimit, type Store } from 'express-rate-limit';
import type { Logger } from 'pino';
import type { Actor } from '../auth/actor.js';
import { RateLimitedError } from '../errors/domain-errors.js';
import { MongoRateLimitStore } from './mongo-rate-limit-store.js';

export interface WriteRateLimitOptions {
  windowMs: number;
  /** Writes per person per window; 0 turns the limit off. */
  perUser: number;
  /** Writes per address per window; 0 turns the limit off. */
  perIp: number;
  /**
   * `mongo` (default): shared by every instance. `memory`: this process only, for a single
   * instance without a database (a deployment of N instances would allow N times the limit).
   */
  store?: 'mongo' | 'memory';
  /** Paths (as requested, without query) neither limit applies to. */
  exemptPaths?: string[];
  logger: Pick<Logger, 'warn' | 'error'>;
  now?: () => number;
}

/** The per-person write limit outside HTTP: the same counter as the API's, so a person has one budget however they write. */
export interface PersonWriteLimit {
  /** Counts one write by the person; over the limit, throws `RateLimitedError` with the seconds to wait. */
  take(person: Pick<Actor, 'tenantId' | 'userId'>): Promise<void>;
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
const TOO_MANY = 'Too many changes in a short time; wait a moment and try again.';

const personKey = (person: Pick<Actor, 'tenantId' | 'userId'> | undefined) => `${person?.tenantId ?? ''}:${person?.userId ?? ''}`;

export function writeRateLimits(options: WriteRateLimitOptions): { perIp: RequestHandler; perUser: RequestHandler; perPerson: PersonWriteLimit } {
  const makeStore = (prefix: string): Store =>
    options.store === 'memory' ? new MemoryStore() : new MongoRateLimitStore({ prefix, logger: options.logger, ...(options.now ? { now: options.now } : {}) });
  const logger = {
    warn: (error: unknown, message?: string) => options.logger.warn({ err: error }, message ?? 'rate limiter warning'),
    error: (error: unknown, message?: string) => options.logger.error({ err: error }, message ?? 'rate limiter error'),
  };
  const common = {
    windowMs: options.windowMs,
    standardHeaders: 'draft-8' as const,
    legacyHeaders: false,
    logger,
    // We decide whom to believe about addresses (TRUST_PROXY); a spoofed X-Forwarded-For
    // from an untrusted hop is expected and ignored, not a misconfiguration to report.
    validate: { xForwardedForHeader: false, trustProxy: false },
    handler: ((req, _res, next) => {
      next(new RateLimitedError(retryAfterSeconds(req, options.windowMs, options.now), TOO_MANY));
    }) as RequestHandler,
  };
  const exempt = new Set(options.exemptPaths ?? []);
  const isExempt = (req: Request) => SAFE_METHODS.has(req.method) || exempt.has(req.originalUrl.split('?')[0] ?? '');
  const perIp = rateLimit({
    ...common,
    limit: options.perIp,
    identifier: 'writes-per-address',
    store: makeStore('ip:'),
    skip: (req) => options.perIp <= 0 || isExempt(req),
    // IPv6 clients usually hold a whole /56 or /64; counting single addresses would let one client rotate through them.
    keyGenerator: (req) => ipKeyGenerator(req.ip ?? 'unknown', 56),
  });
  // One store for both: `rateLimit` hands it the window (init), and the counters are the same.
  const userStore = makeStore('user:');
  const perUser = rateLimit({
    ...common,
    limit: options.perUser,
    identifier: 'writes-per-person',
    store: userStore,
    skip: (req) => options.perUser <= 0 || isExempt(req) || req.actor === undefined,
    keyGenerator: (req) => personKey(req.actor),
  });
  const perPerson: PersonWriteLimit = {
    async take(person) {
      if (options.perUser <= 0) return;
      const { totalHits, resetTime } = await userStore.increment(personKey(person));
      if (totalHits > options.perUser) throw new RateLimitedError(secondsUntil(resetTime, options.windowMs, options.now), TOO_MANY);
    },
  };
  return { perIp, perUser, perPerson };
}

function retryAfterSeconds(req: Request, windowMs: number, now?: () => number): number {
  return secondsUntil((req as Request & { rateLimit?: { resetTime?: Date } }).rateLimit?.resetTime, windowMs, now);
}

function secondsUntil(reset: Date | undefined, windowMs: number, now: () => number = Date.now): number {
  const ms = reset !== undefined ? reset.getTime() - now() : windowMs;
  return Math.max(1, Math.ceil(ms / 1000));
}
