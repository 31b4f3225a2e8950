/**
 * The one place where Microsoft Graph failures become domain errors. Messages are our own:
 * Graph's error text can name mailboxes, tenants and internal identifiers, so it never
 * reaches a user; the original error stays on `cause` for the server log.
 */
import { GraphClientError, GraphError } from '@microsoft/microsoft-graph-client';
import {
  ConflictError,
  DomainError,
  ForbiddenError,
  NotFoundError,
  UnavailableError,
  ValidationError,
} from '../errors/domain-errors.js';
import { parseRetryAfter } from './graph-retry.js';

/** Graph is throttling, failing or unreachable. `retryAfterMs` is Graph's own advice, when it gave one. */
export class GraphUnavailableError extends UnavailableError {
  readonly retryAfterMs: number | undefined;
  constructor(retryAfterMs?: number, code = 'graph_unavailable', message = 'Microsoft 365 is not available right now; try again shortly.') {
    super(message, code);
    this.retryAfterMs = retryAfterMs;
  }
}

/** The domain error for a Graph HTTP status (a whole call, or one `$batch` sub-response). */
export function errorForGraphStatus(status: number, retryAfterMs?: number): DomainError {
  if (status === 403) return new ForbiddenError('Microsoft 365 does not allow Meent to do this.', 'graph_forbidden');
  if (status === 404 || status === 410) return new NotFoundError('The item was not found in Microsoft 365.', 'graph_not_found');
  if (status === 409 || status === 412) return new ConflictError('The item was changed in Microsoft 365 at the same time; try again.', 'graph_conflict');
  if (status === 401) return new GraphUnavailableError(undefined, 'graph_unauthorized', 'Meent could not sign in to Microsoft 365.');
  if (status === 429 || status >= 500 || status < 100) return new GraphUnavailableError(retryAfterMs);
  if (status >= 400) return new ValidationError('Microsoft 365 did not accept the request.', [], 'graph_invalid_request');
  return new GraphUnavailableError(retryAfterMs);
}

/**
 * Map anything a Graph call threw. Domain errors (e.g. from the access-token function:
 * consent required) pass through unchanged; errors that did not come from Graph (our own
 * bugs) are returned as they are, never dressed up as an outage.
 */
export function toDomainError(error: unknown): unknown {
  if (error instanceof DomainError) return error;
  if (error instanceof GraphClientError) {
    // Raised before any request went out: the access-token function failed (see graph-client.ts).
    const original: unknown = error.customError;
    if (original instanceof DomainError) return original;
    return withCause(new GraphUnavailableError(undefined, 'graph_unavailable', 'Meent could not sign in to Microsoft 365.'), original ?? error);
  }
  if (error instanceof GraphError) {
    // statusCode -1: no answer at all (connection reset, timeout, DNS).
    const retryAfterMs = parseRetryAfter(error.headers?.get('retry-after'), Date.now());
    return withCause(errorForGraphStatus(error.statusCode, retryAfterMs), error);
  }
  return error;
}

/** Run a Graph call and throw domain errors only. */
export async function withGraphErrors<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw toDomainError(error);
  }
}

/** Run a Graph read of one thing, as `withGraphErrors`; null when Graph says it is not there. */
export async function withGraphErrorsOrNull<T>(call: () => Promise<T>): Promise<T | null> {
  try {
    return await withGraphErrors(call);
  } catch (error) {
    if (isGraphNotFound(error)) return null;
    throw error;
  }
}

/** Whether an error from `withGraphErrors` is a "not found". */
export function isGraphNotFound(error: unknown): boolean {
  return error instanceof NotFoundError && error.code === 'graph_not_found';
}

function withCause<E extends Error>(error: E, cause: unknown): E {
  error.cause = cause;
  return error;
}
