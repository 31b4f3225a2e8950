/**
 * Rate limits on writes (POST, PUT, PATCH, DELETE) and, much higher, on reads: per address,
 * applied before authentication, and per signed-in person, applied after it. Over a limit
 * the answer is 429 problem+json with `Retry-After`. Reads are limited too because a read
 * can be expensive (a search, a member list) and unauthenticated reads are free to send.
 * Writes that do not arrive as HTTP writes of the person (the Teams bot's card actions, which
 * Microsoft posts to /api/messages) take from the same per-person budget through `perPerson`;
 * writes a capability bounds itself (an upload's fragments) are left to it (`boundedElsewhere`).
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
  /** Reads per person per window; 0 (default) turns the limit off. */
  readsPerUser?: number;
  /** Reads per address per window; 0 (default) turns the limit off. */
  readsPerIp?: number;
  /**
   * `mongo` (default): shared by every instance. `memory`: this process only, for a single
   * instance without a database (a deployment of N instances would allow N times the limit).
   */
  store?: 'mongo' | 'memory';
  /** Paths (as requested, without query) neither limit applies to. */
  exemptPaths?: string[];
  /**
   * Writes that a capability bounds itself, which the per-person write limit does not count
   * (an upload's fragments, bounded by their session: upload-fragment-writes.ts). Asked only for
   * a signed-in person's writes; it may take from the capability's own allowance.
   */
  boundedElsewhere?: (req: Request, now: Date) => Promise<boolean>;
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
  const isExemptPath = (req: Request) => exempt.has(req.originalUrl.split('?')[0] ?? '');
  const isRead = (req: Request) => SAFE_METHODS.has(req.method);
  // IPv6 clients usually hold a whole /56 or /64; counting single addresses would let one client rotate through them.
  const byAddress = (req: Request) => ipKeyGenerator(req.ip ?? 'unknown', 56);
  const byPerson = (req: Request) => personKey(req.actor);
  const limiter = (name: string, store: Store, limit: number, reads: boolean, key: (req: Request) => string, needsActor: boolean, boundedElsewhere?: (req: Request) => Promise<boolean>): RequestHandler =>
    rateLimit({
      ...common,
      ...(reads ? { handler: readsHandler } : {}),
      limit,
      identifier: name,
      store,
      skip: async (req) => limit <= 0 || isRead(req) !== reads || isExemptPath(req) || (needsActor && req.actor === undefined) || (boundedElsewhere !== undefined && (await boundedElsewhere(req))),
      keyGenerator: key,
    });
  const readsHandler = ((req, _res, next) => {
    next(new RateLimitedError(retryAfterSeconds(req, options.windowMs, options.now), 'Too many requests in a short time; wait a moment and try again.'));
  }) as RequestHandler;
  const bounded = options.boundedElsewhere;
  const clock = options.now ?? Date.now;
  // One store for the person's writes over HTTP and elsewhere: `rateLimit` hands it the window (init), and the counters are the same.
  const userWrites = makeStore('user:');
  const perIp = both(
    limiter('writes-per-address', makeStore('ip:'), options.perIp, false, byAddress, false),
    limiter('reads-per-address', makeStore('ip-reads:'), options.readsPerIp ?? 0, true, byAddress, false),
  );
  const perUser = both(
    limiter('writes-per-person', userWrites, options.perUser, false, byPerson, true, bounded ? (req) => bounded(req, new Date(clock())) : undefined),
    limiter('reads-per-person', makeStore('user-reads:'), options.readsPerUser ?? 0, true, byPerson, true),
  );
  const perPerson: PersonWriteLimit = {
    async take(person) {
      if (options.perUser <= 0) return;
      const { totalHits, resetTime } = await userWrites.increment(personKey(person));
      if (totalHits > options.perUser) throw new RateLimitedError(secondsUntil(resetTime, options.windowMs, options.now), TOO_MANY);
    },
  };
  return { perIp, perUser, perPerson };
}

/** The two limiters in turn (only one of them counts a given request: reads and writes skip each other's). */
function both(first: RequestHandler, second: RequestHandler): RequestHandler {
  return (req, res, next) => {
    Promise.resolve(
      first(req, res, (err?: unknown) => {
        if (err !== undefined) return next(err);
        Promise.resolve(second(req, res, next)).catch(next);
      }),
    ).catch(next);
  };
}

function retryAfterSeconds(req: Request, windowMs: number, now?: () => number): number {
  return secondsUntil((req as Request & { rateLimit?: { resetTime?: Date } }).rateLimit?.resetTime, windowMs, now);
}

function secondsUntil(reset: Date | undefined, windowMs: number, now: () => number = Date.now): number {
  const ms = reset !== undefined ? reset.getTime() - now() : windowMs;
  return Math.max(1, Math.ceil(ms / 1000));
}
