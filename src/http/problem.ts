/**
 * The single mapping from errors to `application/problem+json` (RFC 9457). A domain error's
 * kind decides its HTTP status (the one table from kinds to statuses, `statusOfKind`); its
 * code and message are kept. Anything else becomes a 500 with a reference id and no
 * internal detail.
 */
import type { ErrorRequestHandler, Response } from 'express';
import type { Logger } from 'pino';
import { isStoreUnreachableError, STORE_RETRY_AFTER_SECONDS, storeUnavailableError } from '../db/mongo-errors.js';
import { DomainError, fieldCodeOf, RateLimitedError, type ErrorDetail, type ErrorKind, type ProblemExtras } from '../errors/domain-errors.js';

export interface ProblemBody {
  type: string;
  title: string;
  status: number;
  code: string;
  detail?: string;
  instance?: string;
  errors?: ErrorDetail[];
  requestId?: string;
  [extension: string]: unknown;
}

/** The HTTP status of each kind of domain error; nowhere else maps kinds to statuses. */
const statusOfKind: Record<ErrorKind, number> = {
  invalid: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  too_large: 413,
  rate_limited: 429,
  unavailable: 503,
};

/** The HTTP status a domain error is answered with. */
export function httpStatusOf(error: DomainError): number {
  return statusOfKind[error.kind];
}

const titles: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

/**
 * What an error may add to its problem document: extension members (RFC 9457 section 3.2),
 * e.g. what the client must do next, and the `WWW-Authenticate` challenge of a 401
 * (RFC 6750 section 3). Standard members cannot be overridden by extensions.
 */
export type { ProblemExtras };

export interface ProblemInput {
  status: number;
  code: string;
  title?: string;
  detail?: string;
  instance?: string;
  errors?: ErrorDetail[];
  requestId?: string;
  extensions?: Record<string, unknown>;
}

export function sendProblem(res: Response, problem: ProblemInput): void {
  const { extensions, ...standard } = problem;
  const body: ProblemBody = {
    ...extensions,
    ...standard,
    type: `https://meent.app/problems/${problem.code}`,
    title: problem.title ?? titles[problem.status] ?? 'Error',
  };
  res.status(problem.status).type('application/problem+json').json(body);
}

/**
 * Client errors raised by express itself and its body parsers, before any route runs: they
 * follow http-errors (a 4xx `status`, `expose` set, a `type` when the body parser knows what
 * went wrong, e.g. a body that does not decompress has none), or, for a path parameter that is
 * not percent-encoded UTF-8, the router's URIError with `status` 400.
 */
interface ExpressClientError {
  status: number;
  type?: unknown;
}

function expressClientError(err: unknown): ExpressClientError | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const { status, expose } = err as { status?: unknown; expose?: unknown };
  if (typeof status !== 'number' || status < 400 || status > 499) return undefined;
  return expose === true || err instanceof URIError ? { status, type: (err as { type?: unknown }).type } : undefined;
}

/** What the body parser's errors become, by `type`. */
const bodyParserProblems = {
  'entity.too.large': [413, 'payload_too_large', 'The request body is too large.'],
  'entity.parse.failed': [400, 'malformed_json', 'The request body is not valid JSON.'],
  'encoding.unsupported': [415, 'unsupported_encoding', 'The request body encoding is not supported.'],
  'charset.unsupported': [415, 'unsupported_charset', 'The request body charset is not supported.'],
  'entity.verify.failed': [400, 'invalid_body', 'The request body could not be read.'],
  'request.aborted': [400, 'request_aborted', 'The request was aborted.'],
  'request.size.invalid': [400, 'invalid_body', 'The request body could not be read.'],
} as const satisfies Record<string, readonly [number, string, string]>;

/** Status, code and detail; the codes are literal types, so test/errors/problem-codes.test.ts finds them. */
type ClientProblem = (typeof bodyParserProblems)[keyof typeof bodyParserProblems] | readonly [number, 'malformed_url' | 'not_found' | 'invalid_request', string];

function clientProblem(err: unknown, error: ExpressClientError): ClientProblem {
  const known = typeof error.type === 'string' && Object.hasOwn(bodyParserProblems, error.type) ? bodyParserProblems[error.type as keyof typeof bodyParserProblems] : undefined;
  if (known) return known;
  if (err instanceof URIError) return [400, 'malformed_url', 'The request URL is not valid: a percent-encoded part of it is not UTF-8.'];
  // E.g. a missing file under /tab/assets (the static middleware does not fall through).
  if (error.status === 404) return [404, 'not_found', 'There is nothing at this address.'];
  // E.g. a body sent with Content-Encoding gzip that does not decompress.
  return [error.status, 'invalid_request', 'The request could not be read.'];
}

export function problemErrorHandler(logger: Logger): ErrorRequestHandler {
  return (thrown: unknown, req, res, next) => {
    if (res.headersSent) {
      next(thrown);
      return;
    }
    const requestId = String(req.id ?? '');
    const instance = req.originalUrl.split('?')[0];
    let err = thrown;
    if (!(thrown instanceof DomainError) && isStoreUnreachableError(thrown)) {
      // The store is down or restarting: a 503 the client may retry, not a 500 (and never the driver's text).
      (req.log ?? logger).warn({ err: thrown, requestId }, 'the store could not be reached');
      res.setHeader('Retry-After', String(STORE_RETRY_AFTER_SECONDS));
      err = storeUnavailableError();
    }
    if (err instanceof DomainError) {
      if (err instanceof RateLimitedError) res.setHeader('Retry-After', String(err.retryAfterSeconds));
      const extras = err as DomainError & ProblemExtras;
      if (typeof extras.wwwAuthenticate === 'string') res.setHeader('WWW-Authenticate', extras.wwwAuthenticate);
      if (err.kind === 'unauthenticated' && !res.getHeader('WWW-Authenticate')) {
        res.setHeader('WWW-Authenticate', `Bearer error="invalid_token", error_description="${err.code}"`);
      }
      sendProblem(res, {
        status: httpStatusOf(err),
        code: err.code,
        detail: err.message,
        instance,
        requestId,
        ...(err.details.length > 0 ? { errors: err.details.map((d) => ({ ...d, code: fieldCodeOf(d) })) } : {}),
        ...(extras.problemExtensions ? { extensions: extras.problemExtensions } : {}),
      });
      return;
    }
    const clientError = expressClientError(err);
    if (clientError) {
      const [status, code, detail] = clientProblem(err, clientError);
      sendProblem(res, { status, code, detail, instance, requestId });
      return;
    }
    req.log?.error({ err }, 'unhandled error');
    if (!req.log) logger.error({ err, requestId }, 'unhandled error');
    sendProblem(res, {
      status: 500,
      code: 'internal_error',
      detail: `Something went wrong on our side. Quote reference ${requestId} if you contact support.`,
      instance,
      requestId,
    });
  };
}
