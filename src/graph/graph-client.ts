/**
 * The Microsoft Graph client every gateway uses: `@microsoft/microsoft-graph-client` with a
 * middleware chain of our choosing (access token -> retry -> fetch), pointed at a
 * configurable base URL (`GRAPH_BASE_URL`; tests use their local Graph) and API version v1.0.
 */
import {
  AuthenticationHandler,
  Client,
  GraphClientError,
  HTTPMessageHandler,
  type AuthenticationProvider,
  type GraphRequest,
} from '@microsoft/microsoft-graph-client';
import { GraphRetryHandler, resolveRetryPolicy, type RetryListener, type RetryPolicy } from './graph-retry.js';

export const GRAPH_VERSION = 'v1.0';

/** What gateways need from Graph: requests, the versioned root, and the retry policy. */
export interface GraphClient {
  /** A request for a path under the versioned root (`/users/{id}`), or an absolute URL under it (an `@odata.nextLink`). */
  api(path: string): GraphRequest;
  /** e.g. `https://graph.microsoft.com/v1.0`; links Graph hands back must start with it. */
  readonly root: string;
  readonly retryPolicy: RetryPolicy;
  readonly onRetry: RetryListener | undefined;
}

export interface GraphClientOptions {
  /** Origin of Graph, e.g. config.graphBaseUrl (`https://graph.microsoft.com`). */
  baseUrl: string;
  /**
   * Returns a Graph access token; called once per logical request (retries reuse it), so
   * it should cache (the on-behalf-of and app credentials of `src/auth/` do).
   */
  getAccessToken: () => Promise<string>;
  retry?: Partial<RetryPolicy>;
  onRetry?: RetryListener;
}

export function createGraphClient(options: GraphClientOptions): GraphClient {
  const base = new URL(options.baseUrl);
  // The SDK attaches the token only to https hosts it recognises, and parses absolute links
  // as https://host/version/path; an origin without a path keeps both true.
  if (base.protocol !== 'https:') throw new Error(`The Graph base URL must be https: ${options.baseUrl}`);
  if (base.pathname !== '/' || base.search !== '') throw new Error(`The Graph base URL must be an origin without a path: ${options.baseUrl}`);
  const baseUrl = base.origin;
  const retryPolicy = resolveRetryPolicy(options.retry);

  const authProvider: AuthenticationProvider = {
    getAccessToken: async () => {
      let token: string;
      try {
        token = await options.getAccessToken();
      } catch (error) {
        // A GraphClientError passes through the SDK untouched (anything else is re-wrapped as
        // a GraphError with status -1), so the original, e.g. "consent required", survives to
        // toDomainError.
        throw clientError('Could not obtain a Microsoft Graph access token', error);
      }
      if (typeof token !== 'string' || token.trim() === '') throw clientError('The access-token function returned no token', undefined);
      return token;
    },
  };

  const client = Client.initWithMiddleware({
    baseUrl,
    defaultVersion: GRAPH_VERSION,
    customHosts: new Set([base.hostname]),
    middleware: [new AuthenticationHandler(authProvider), new GraphRetryHandler(retryPolicy, options.onRetry), new HTTPMessageHandler()],
  });

  return {
    api: (path: string) => client.api(path),
    root: `${baseUrl}/${GRAPH_VERSION}`,
    retryPolicy,
    onRetry: options.onRetry,
  };
}

/**
 * Meent's one retry setting for Graph: a few quick tries, and a long Retry-After is waited out
 * by the caller's own durable schedule (the calendar outbox's dueAt, the follow-up's next try,
 * the person's next request), not inside a call.
 */
export const GRAPH_RETRY: Partial<RetryPolicy> = { maxAttempts: 3, maxRetryAfterMs: 10_000, attemptTimeoutMs: 30_000 };

export interface MeentGraphClientOptions {
  baseUrl: string;
  /** The app's token in a tenant, or a person's (on-behalf-of). */
  getAccessToken: () => Promise<string>;
  onRetry?: RetryListener;
  /**
   * One attempt only, for a caller whose own governor owns retries and Retry-After (the
   * notification delivery's rate governor counts every request it lets out).
   */
  singleAttempt?: boolean;
}

/** The one factory of Meent's Graph clients: the configured base URL, a token source, the one retry setting. */
export function meentGraphClient(options: MeentGraphClientOptions): GraphClient {
  return createGraphClient({
    baseUrl: options.baseUrl,
    getAccessToken: options.getAccessToken,
    retry: options.singleAttempt ? { maxAttempts: 1 } : GRAPH_RETRY,
    ...(options.onRetry ? { onRetry: options.onRetry } : {}),
  });
}

function clientError(message: string, cause: unknown): GraphClientError {
  const error = new GraphClientError(message);
  error.customError = cause;
  return error;
}

/** A path segment for a Graph URL: ids and user principal names (guests have `#EXT#`) escaped. */
export function segment(value: string): string {
  return encodeURIComponent(value);
}
