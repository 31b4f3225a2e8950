/**
 * Secrets that travel in URLs (a calendar feed's token is the only credential a calendar app
 * can send). They are made here, in one shape, so that whatever records a URL (the request
 * log, the audit log of refused requests) can find and redact them by that shape, on every
 * route, without knowing the routes: any run of 43 or more URL-safe base64 characters in a
 * path segment or query value (percent-encoding decoded first; longer runs too, so a token
 * mistyped with a character added is still not written down), and every value of a query
 * parameter that names a credential (OAuth's `code`, `access_token`, ...).
 */
import { randomBytes } from 'node:crypto';

export const REDACTED = '[redacted]';

/** 32 random bytes, base64url: 43 characters. */
const SECRET = /^[A-Za-z0-9_-]{43}$/;
const SECRET_RUN = /[A-Za-z0-9_-]{43,}/g;
const CREDENTIAL_PARAMETERS = new Set(['code', 'token', 'access_token', 'id_token', 'refresh_token', 'client_secret', 'client_assertion', 'password', 'secret', 'sig']);
const MAX_DEPTH = 4;

/** A new secret for a URL (256 bits). */
export function newUrlSecret(): string {
  return randomBytes(32).toString('base64url');
}

/** Whether the text is a secret made by `newUrlSecret` (its shape). */
export function isUrlSecret(value: string): boolean {
  return SECRET.test(value);
}

/** The URL (a path with query, or a whole URL) with every secret replaced by `[redacted]`. */
export function redactUrl(url: string): string {
  const at = url.indexOf('?');
  const path = (at < 0 ? url : url.slice(0, at))
    .split('/')
    .map((segment) => redactPart(segment, false))
    .join('/');
  if (at < 0) return path;
  const query = url
    .slice(at + 1)
    .split('&')
    .map((pair) => {
      const eq = pair.indexOf('=');
      if (eq < 0) return redactPart(pair, true);
      const name = pair.slice(0, eq);
      return CREDENTIAL_PARAMETERS.has(decode(name, true).toLowerCase()) ? `${name}=${REDACTED}` : `${redactPart(name, true)}=${redactPart(pair.slice(eq + 1), true)}`;
    })
    .join('&');
  return `${path}?${query}`;
}

/** Parsed query or route parameters with every secret redacted (by shape, or by a credential's name). */
export function redactParameters(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return redactText(value);
  if (Array.isArray(value)) return depth >= MAX_DEPTH ? REDACTED : value.map((v) => redactParameters(v, depth + 1));
  if (typeof value !== 'object' || value === null) return value;
  if (depth >= MAX_DEPTH) return REDACTED;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [redactText(k), CREDENTIAL_PARAMETERS.has(k.toLowerCase()) ? REDACTED : redactParameters(v, depth + 1)]));
}

/** The request as pino's serializer wrote it, with no secret in its URL, query, parameters or Referer. */
export function redactSerializedRequest<T extends { url?: unknown; query?: unknown; params?: unknown; headers?: unknown }>(req: T): T {
  const headers = typeof req.headers === 'object' && req.headers !== null ? (req.headers as Record<string, unknown>) : undefined;
  const referer = headers?.referer;
  return {
    ...req,
    ...(typeof req.url === 'string' ? { url: redactUrl(req.url) } : {}),
    ...('query' in req ? { query: redactParameters(req.query) } : {}),
    ...('params' in req ? { params: redactParameters(req.params) } : {}),
    ...(headers && typeof referer === 'string' ? { headers: { ...headers, referer: redactUrl(referer) } } : {}),
  };
}

/** A path segment or query part; `+` is a space only in queries (form encoding). */
function redactPart(raw: string, query: boolean): string {
  const text = decode(raw, query);
  const redacted = redactText(text);
  return redacted === text ? raw : redacted;
}

function redactText(text: string): string {
  return text.replace(SECRET_RUN, REDACTED);
}

function decode(raw: string, query: boolean): string {
  try {
    return decodeURIComponent(query ? raw.replace(/\+/g, ' ') : raw);
  } catch {
    // Malformed percent-encoding: the raw text is all there is to look at.
    return raw;
  }
}
