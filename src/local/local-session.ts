/**
 * The session of local mode: a signed (HMAC, cookie-parser), httpOnly, SameSite=Lax cookie
 * naming the demo person one signed in as, and when. Local mode only: production signs in
 * with Teams SSO tokens.
 */
import type { CookieOptions, Request, RequestHandler, Response } from 'express';
import cookieParser from 'cookie-parser';
import type { Actor } from '../auth/actor.js';
import { AuthenticationFailedError } from '../auth/auth-errors.js';
import { ForbiddenError } from '../errors/domain-errors.js';
import { findDemoPerson, type DemoPerson } from './demo-people.js';

export const SESSION_COOKIE = 'meent_session';
/** A demo session lasts a working day. */
export const SESSION_MAX_AGE_MS = 12 * 60 * 60 * 1000;

export const SIGN_IN_PATH = '/auth/local';
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
const sessionChallenge = { scheme: 'Session', signInUrl: SIGN_IN_PATH } as const;

export function sessionCookieOptions(secure: boolean): CookieOptions {
  return { signed: true, httpOnly: true, sameSite: 'lax', secure, path: '/', maxAge: SESSION_MAX_AGE_MS };
}

/** Parses (and verifies the signatures of) cookies with the session secret, then runs `next`. */
export function withSignedCookies(secret: string, handler: RequestHandler): RequestHandler {
  const parse = cookieParser(secret);
  return (req, res, next) => {
    parse(req, res, (err?: unknown) => {
      if (err) {
        next(err);
        return;
      }
      void Promise.resolve(handler(req, res, next)).catch(next);
    });
  };
}

export function startSession(res: Response, person: DemoPerson, secure: boolean, now: Date = new Date()): void {
  res.cookie(SESSION_COOKIE, `${person.id}.${Math.floor(now.getTime() / 1000)}`, sessionCookieOptions(secure));
}

export function endSession(res: Response, secure: boolean): void {
  // Neither maxAge (clearCookie sets an expiry in the past) nor signed (it would sign the empty value).
  const { maxAge: _maxAge, signed: _signed, ...options } = sessionCookieOptions(secure);
  res.clearCookie(SESSION_COOKIE, options);
}

/** The demo person of a valid, unexpired session cookie; `AuthenticationFailedError` otherwise. */
export function sessionPerson(req: Request, now: Date = new Date()): DemoPerson {
  // A cookie whose signature does not verify is `false` in signedCookies.
  const value: unknown = (req.signedCookies as Record<string, unknown> | undefined)?.[SESSION_COOKIE];
  if (typeof value !== 'string') throw new AuthenticationFailedError('no_session', sessionChallenge);
  const match = /^([0-9a-f-]{36})\.(\d{1,12})$/.exec(value);
  if (!match?.[1] || !match[2]) throw new AuthenticationFailedError('no_session', sessionChallenge);
  const issuedAt = Number(match[2]) * 1000;
  if (now.getTime() - issuedAt > SESSION_MAX_AGE_MS || issuedAt - now.getTime() > 60_000) throw new AuthenticationFailedError('no_session', sessionChallenge);
  const person = findDemoPerson(match[1]);
  if (!person) throw new AuthenticationFailedError('unknown_person', sessionChallenge);
  return person;
}

export function actorForDemoPerson(person: DemoPerson, adminRole: string): Actor {
  return {
    userId: person.id,
    tenantId: person.tenantId,
    homeTenantId: person.homeTenantId,
    name: person.displayName,
    userPrincipalName: person.userPrincipalName,
    email: person.mail,
    isGuest: person.isGuest,
    // The demo sign-in stands in for a full Entra sign-in, MFA included.
    mfa: true,
    isOrgAdmin: person.isOrgAdmin,
    roles: person.isOrgAdmin ? [adminRole] : [],
  };
}

/**
 * Cookies ride along on requests other sites make, so a state-changing request must come
 * from our own pages: its `Origin` (or, without one, `Sec-Fetch-Site`) must say so.
 * SameSite=Lax alone is not enough here: another app on another localhost port is
 * "same-site".
 */
/** PUBLIC_URL's origin; for a loopback PUBLIC_URL also the other loopback names of that port (localhost, 127.0.0.1, [::1]). */
export function ownOrigins(publicUrl: string): Set<string> {
  const url = new URL(publicUrl);
  const origins = new Set([url.origin]);
  const loopback = ['localhost', '127.0.0.1', '[::1]'];
  if (loopback.includes(url.hostname)) for (const host of loopback) origins.add(`${url.protocol}//${host}${url.port ? `:${url.port}` : ''}`);
  return origins;
}

export function assertSameOrigin(req: Request, publicUrl: string): void {
  if (SAFE_METHODS.has(req.method)) return;
  const origin = req.get('origin');
  if (origin !== undefined) {
    // Our own origins only, never one derived from the request's Host header: a page on a
    // name that resolves to 127.0.0.1 (DNS rebinding) sends a matching Origin and Host.
    if (ownOrigins(publicUrl).has(origin)) return;
    throw new ForbiddenError('This request did not come from Meent itself.', 'cross_site_request');
  }
  const site = req.get('sec-fetch-site');
  if (site !== undefined && site !== 'same-origin' && site !== 'none') {
    throw new ForbiddenError('This request did not come from Meent itself.', 'cross_site_request');
  }
}
