/**
 * JSON batching: many Graph requests in few HTTP round trips. Graph takes at most 20
 * requests per `$batch` (https://learn.microsoft.com/en-us/graph/json-batching), evaluates
 * each against its throttling limits on its own, and answers each with its own status, so a
 * batch that succeeded as a whole can hold throttled sub-requests. Those, and only those,
 * are sent again after the longest `Retry-After` among them (the approach of cal.com's
 * Office 365 calendar service).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { GraphClient } from './graph-client.js';
import { GraphUnavailableError, withGraphErrors } from './graph-errors.js';
import { backoffDelayMs, isRetryableStatus, parseRetryAfter, ReplaySafe } from './graph-retry.js';

/** Graph's limit of requests in one `$batch`. */
export const MAX_BATCH_REQUESTS = 20;

export type BatchMethod = 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';

export interface BatchRequest {
  /** Unique among all requests given to one `runBatch` call. */
  id: string;
  method: BatchMethod;
  /** Relative to the version root, e.g. `/users/{id}/events/{eventId}`. */
  url: string;
  headers?: Record<string, string>;
  /** JSON body; `Content-Type: application/json` is added when absent. */
  body?: unknown;
}

export interface BatchResponse {
  id: string;
  status: number;
  headers: Record<string, string>;
  /** Parsed JSON, a base64 string for binary content, or undefined (204). */
  body: unknown;
}

export interface BatchOptions {
  /**
   * The POST sub-requests may be sent twice (they carry a transactionId, or are actions that
   * tolerate it). Then the envelope itself is retried after a dropped connection or a 504.
   */
  replaySafe?: boolean;
}

/**
 * Send `requests` in batches of 20, one batch at a time, and return every response in the
 * order of `requests`. Sub-requests answered 429, 503 or 504 are resent, alone, up to the
 * client's `retryPolicy.maxAttempts` rounds; a sub-request still failing after that is
 * returned with its failing status for the caller to act on (see `errorForGraphStatus`).
 * A failure of a whole batch throws a domain error.
 *
 * Batches go out one after another, not in parallel: Outlook allows 4 concurrent requests
 * per mailbox (https://learn.microsoft.com/en-us/graph/throttling-limits#outlook-service-limits)
 * and the sub-requests of one batch already count against that.
 */
export async function runBatch(graph: GraphClient, requests: readonly BatchRequest[], options: BatchOptions = {}): Promise<BatchResponse[]> {
  const ids = new Set<string>();
  for (const request of requests) {
    if (ids.has(request.id)) throw new Error(`Duplicate batch request id: ${request.id}`);
    ids.add(request.id);
  }
  const replaySafe = options.replaySafe === true || requests.every((r) => r.method !== 'POST');
  const results = new Map<string, BatchResponse>();
  for (let start = 0; start < requests.length; start += MAX_BATCH_REQUESTS) {
    const chunk = requests.slice(start, start + MAX_BATCH_REQUESTS);
    for (const response of await runChunk(graph, chunk, replaySafe)) results.set(response.id, response);
  }
  return requests.map((request) => {
    const response = results.get(request.id);
    if (!response) throw new GraphUnavailableError(undefined, 'graph_unavailable', 'Microsoft 365 left part of a request unanswered.');
    return response;
  });
}

async function runChunk(graph: GraphClient, chunk: readonly BatchRequest[], replaySafe: boolean): Promise<BatchResponse[]> {
  const settled: BatchResponse[] = [];
  let pending = chunk;
  for (let round = 1; ; round++) {
    const answered = await postBatch(graph, pending, replaySafe);
    const retry: BatchResponse[] = [];
    for (const response of answered) {
      if (isRetryableStatus(response.status) && round < graph.retryPolicy.maxAttempts) retry.push(response);
      else settled.push(response);
    }
    if (retry.length === 0) return settled;

    const now = Date.now();
    const advised = retry.map((r) => parseRetryAfter(header(r.headers, 'retry-after'), now)).filter((ms): ms is number => ms !== undefined);
    const retryAfterMs = advised.length > 0 ? Math.max(...advised) : undefined;
    if (retryAfterMs !== undefined && retryAfterMs > graph.retryPolicy.maxRetryAfterMs) {
      // Longer than we hold a call open: return them throttled, the caller schedules the rest.
      settled.push(...retry);
      return settled;
    }
    const delayMs = retryAfterMs ?? backoffDelayMs(round, graph.retryPolicy);
    graph.onRetry?.({ attempt: round, delayMs, status: retry[0]?.status, fromRetryAfter: retryAfterMs !== undefined, method: 'POST', path: '/$batch', batch: true });
    await sleep(delayMs);
    const again = new Set(retry.map((r) => r.id));
    pending = pending.filter((r) => again.has(r.id));
  }
}

async function postBatch(graph: GraphClient, requests: readonly BatchRequest[], replaySafe: boolean): Promise<BatchResponse[]> {
  const body = { requests: requests.map(toWire) };
  const answer: unknown = await withGraphErrors(() =>
    graph
      .api('/$batch')
      .middlewareOptions(replaySafe ? [new ReplaySafe()] : [])
      .post(body),
  );
  const responses = readResponses(answer);
  const sent = new Set(requests.map((r) => r.id));
  const seen = new Set<string>();
  for (const response of responses) {
    if (!sent.has(response.id) || seen.has(response.id)) throw malformed();
    seen.add(response.id);
  }
  if (seen.size !== sent.size) throw malformed();
  return responses;
}

function toWire(request: BatchRequest): Record<string, unknown> {
  const wire: Record<string, unknown> = { id: request.id, method: request.method, url: request.url };
  const headers = { ...request.headers };
  if (request.body !== undefined) {
    if (header(headers, 'content-type') === undefined) headers['Content-Type'] = 'application/json';
    wire.body = request.body;
  }
  if (Object.keys(headers).length > 0) wire.headers = headers;
  return wire;
}

function readResponses(answer: unknown): BatchResponse[] {
  if (typeof answer !== 'object' || answer === null || !Array.isArray((answer as { responses?: unknown }).responses)) throw malformed();
  return (answer as { responses: unknown[] }).responses.map((item) => {
    if (typeof item !== 'object' || item === null) throw malformed();
    const r = item as Record<string, unknown>;
    if (typeof r.id !== 'string' || typeof r.status !== 'number') throw malformed();
    const headers: Record<string, string> = {};
    if (typeof r.headers === 'object' && r.headers !== null) {
      for (const [name, value] of Object.entries(r.headers)) if (typeof value === 'string') headers[name] = value;
    }
    return { id: r.id, status: r.status, headers, body: r.body };
  });
}

function header(headers: Record<string, string>, name: string): string | undefined {
  const key = Object.keys(headers).find((k) => k.toLowerCase() === name);
  return key === undefined ? undefined : headers[key];
}

function malformed(): GraphUnavailableError {
  return new GraphUnavailableError(undefined, 'graph_unavailable', 'Microsoft 365 answered with something Meent does not understand.');
}
