/**
 * Retrying Microsoft Graph calls. Graph answers 429 (throttled), 503 and 504 when it is
 * overloaded; the documented remedy is to wait the number of seconds in `Retry-After` and
 * try again, and to back off exponentially when no `Retry-After` is given
 * (https://learn.microsoft.com/en-us/graph/throttling). The same policy serves single calls
 * (the `GraphRetryHandler` middleware) and `$batch` sub-requests (`graph-batch.ts`).
 *
 * Why our own middleware rather than the SDK's `RetryHandler` (which does read Retry-After):
 * the SDK's handler does not retry a request whose connection was reset (fetch rejects and
 * the error passes straight through), it replays a POST after a 504 although Graph may have
 * applied it, and it has no per-attempt timeout. A hung socket or a dropped connection is
 * the common failure between a data centre and Graph, so all three matter here.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Context, Middleware, MiddlewareOptions } from '@microsoft/microsoft-graph-client';
import { recordGraphCall } from '../telemetry/meent-metrics.js';

export interface RetryPolicy {
  /** Attempts in total, the first included. */
  maxAttempts: number;
  /** First backoff step when Graph sends no Retry-After; doubles with each retry. */
  baseDelayMs: number;
  /** Upper bound of one computed backoff step. */
  maxDelayMs: number;
  /**
   * The longest Retry-After we wait for inside one call. A longer one is not waited out: the
   * call fails at once with `GraphUnavailableError.retryAfterMs` so that a caller with a
   * durable queue (the outbox) can schedule the retry instead of holding a request open.
   */
  maxRetryAfterMs: number;
  /** Time allowed for one attempt, headers and body. */
  attemptTimeoutMs: number;
}

export const defaultRetryPolicy: Readonly<RetryPolicy> = Object.freeze({
  maxAttempts: 4,
  baseDelayMs: 1_000,
  maxDelayMs: 30_000,
  maxRetryAfterMs: 60_000,
  attemptTimeoutMs: 30_000,
});

export function resolveRetryPolicy(overrides: Partial<RetryPolicy> = {}): RetryPolicy {
  const policy = { ...defaultRetryPolicy, ...overrides };
  if (!Number.isInteger(policy.maxAttempts) || policy.maxAttempts < 1) throw new RangeError('maxAttempts must be an integer of at least 1');
  for (const key of ['baseDelayMs', 'maxDelayMs', 'maxRetryAfterMs', 'attemptTimeoutMs'] as const) {
    if (!Number.isFinite(policy[key]) || policy[key] < 0) throw new RangeError(`${key} must be a non-negative number`);
  }
  return policy;
}

/** What a retry is about to do; for logging (and for tests to see the chosen delay). */
export interface RetryEvent {
  /** The attempt that just failed (1 for the first). */
  attempt: number;
  delayMs: number;
  /** The HTTP status that caused the retry, or undefined after a transport failure. */
  status: number | undefined;
  /** Whether the delay came from Graph's Retry-After rather than our backoff. */
  fromRetryAfter: boolean;
  method: string;
  /** The request path, without the query (which may hold e-mail addresses). */
  path: string;
  /** True for a `$batch` round that resends only its throttled sub-requests. */
  batch?: boolean;
}

export type RetryListener = (event: RetryEvent) => void;

/** 429 and 503 mean Graph did not process the request, so any request may be sent again. */
export function isThrottleStatus(status: number): boolean {
  return status === 429 || status === 503;
}

/** Statuses that Graph's throttling guidance says to retry. */
export function isRetryableStatus(status: number): boolean {
  return status === 429 || status === 503 || status === 504;
}

/**
 * Milliseconds to wait according to a `Retry-After` value: delay-seconds or an HTTP date
 * (RFC 9110 section 10.2.3). Undefined when the header is absent or unreadable.
 */
export function parseRetryAfter(value: string | null | undefined, nowMs: number): number | undefined {
  if (value === null || value === undefined) return undefined;
  const text = value.trim();
  if (text === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(text)) return Math.ceil(Number(text) * 1000);
  // Every HTTP-date form names the month; without one, Date.parse would read "-5" as a year.
  if (!/[A-Za-z]{3}/.test(text)) return undefined;
  const at = Date.parse(text);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - nowMs);
}

/**
 * Exponential backoff with "equal jitter": half the step is fixed, half random, so that many
 * clients throttled at once do not come back in the same instant.
 */
export function backoffDelayMs(retryNumber: number, policy: Pick<RetryPolicy, 'baseDelayMs' | 'maxDelayMs'>, random: () => number = Math.random): number {
  const step = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, retryNumber - 1));
  return Math.round(step / 2 + random() * (step / 2));
}

/**
 * Middleware option marking a POST as safe to send twice, e.g. creating an event with a
 * `transactionId` (Graph then returns the event made by the first attempt). Without it a
 * POST is not repeated after a transport failure or a 504, where Graph may have applied it.
 */
export class ReplaySafe implements MiddlewareOptions {
  readonly replaySafe = true;
}

const replaySafeMethods = new Set(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE', 'PATCH']);

/**
 * Retries 429/503 always, 504 and transport failures (reset connections, timeouts) only
 * for requests that may be replayed. PATCH counts as replayable because this gateway only
 * sends absolute values (a whole attendee list, a new subject), never increments.
 */
export class GraphRetryHandler implements Middleware {
  private next: Middleware | undefined;

  constructor(
    private readonly policy: RetryPolicy,
    private readonly onRetry?: RetryListener,
  ) {}

  setNext(next: Middleware): void {
    this.next = next;
  }

  async execute(context: Context): Promise<void> {
    const next = this.next;
    if (!next) throw new Error('GraphRetryHandler must be followed by another middleware');
    const options = (context.options ??= {});
    const method = (options.method ?? 'GET').toUpperCase();
    const replaySafe = replaySafeMethods.has(method) || context.middlewareControl?.getMiddlewareOptions(ReplaySafe) !== undefined;
    const path = requestPath(context.request);
    setClientRequestId(options);
    const callerSignal = options.signal ?? undefined;

    for (let attempt = 1; ; attempt++) {
      context.response = undefined;
      const timeout = AbortSignal.timeout(this.policy.attemptTimeoutMs);
      options.signal = callerSignal ? AbortSignal.any([callerSignal, timeout]) : timeout;
      let failure: unknown;
      let failed = false;
      try {
        await next.execute(context);
      } catch (error) {
        if (callerSignal?.aborted) throw error;
        failure = error;
        failed = true;
      }
      const response = context.response as Response | undefined;
      const status = failed ? undefined : response?.status;
      recordGraphCall(status, path);
      const retryable = failed ? replaySafe : status !== undefined && (isThrottleStatus(status) || (status === 504 && replaySafe));
      if (!retryable || attempt >= this.policy.maxAttempts) {
        if (failed) throw failure;
        return;
      }
      const retryAfterMs = parseRetryAfter(response?.headers.get('retry-after'), Date.now());
      // Graph asks for a longer pause than a request should hold: hand the answer back so
      // the caller sees a GraphUnavailableError carrying retryAfterMs.
      if (retryAfterMs !== undefined && retryAfterMs > this.policy.maxRetryAfterMs) return;
      const delayMs = retryAfterMs ?? backoffDelayMs(attempt, this.policy);
      this.onRetry?.({ attempt, delayMs, status, fromRetryAfter: retryAfterMs !== undefined, method, path });
      // Read and drop the failed answer so its connection goes back to the pool.
      if (response?.body) await response.arrayBuffer();
      await sleep(delayMs);
    }
  }
}

function requestPath(request: Context['request']): string {
  const url = typeof request === 'string' ? request : request.url;
  try {
    return new URL(url).pathname;
  } catch {
    return url.split('?')[0] ?? url;
  }
}

/**
 * One `client-request-id` for all attempts of a logical request, so that Microsoft support
 * can follow the retries of one call (https://learn.microsoft.com/en-us/graph/best-practices-concept).
 */
function setClientRequestId(options: RequestInit): void {
  const headers = options.headers;
  if (headers instanceof Headers) {
    if (!headers.has('client-request-id')) headers.set('client-request-id', crypto.randomUUID());
  } else if (Array.isArray(headers)) {
    if (!headers.some(([name]) => name?.toLowerCase() === 'client-request-id')) headers.push(['client-request-id', crypto.randomUUID()]);
  } else {
    const record: Record<string, string> = (options.headers as Record<string, string> | undefined) ?? {};
    if (!Object.keys(record).some((name) => name.toLowerCase() === 'client-request-id')) record['client-request-id'] = crypto.randomUUID();
    options.headers = record;
  }
}
