/**
 * The consent pop-up's server side (AUTH_MODE=entra). When the API answers
 * `consent_required`, `interaction_required` or `step_up_required`, the tab opens a Teams
 * pop-up on `/tab/index.html#/auth/start`, which comes here:
 *
 *   GET /auth/consent?reason=&loginHint=&tenantId=
 *       -> 302 to Entra's authorize endpoint (authorization code flow, prompt=consent, or
 *          prompt=login for a step-up), with a one-time `state` that is also set in a
 *          short-lived httpOnly SameSite=Lax cookie (so any instance can check it: no
 *          server-side memory)
 *   GET /auth/consent/callback?code=&state=   (or ?error=&error_description=&state=)
 *       -> 302 to /tab/index.html#/auth/end?result=success, or ?result=failure&reason=<code>
 *
 * Consent is recorded by Entra when the user accepts; Meent does not need the code itself
 * (Graph calls keep using the on-behalf-of flow), so the callback only checks that the
 * answer belongs to the pop-up this browser started.
 * https://learn.microsoft.com/en-us/entra/identity-platform/v2-oauth2-auth-code-flow
 * https://learn.microsoft.com/en-us/microsoftteams/platform/tabs/how-to/authentication/tab-sso-graph-api
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import cookieParser from 'cookie-parser';
import { Router, type CookieOptions, type Response } from 'express';

/** Why the tab asked; anything else is treated as `consent_required`. */
export const CONSENT_REASONS = ['consent_required', 'interaction_required', 'step_up_required', 'mfa_required'] as const;
export type ConsentReason = (typeof CONSENT_REASONS)[number];

export const CONSENT_PATH = '/auth/consent';
export const CONSENT_CALLBACK_PATH = '/auth/consent/callback';
/** Where the pop-up ends: the tab page that reports the outcome to Teams (tab/src/pages/auth-popup-page.tsx). */
export const CONSENT_END_PATH = '/tab/index.html#/auth/end';
/** Long enough to read a consent screen and sign in with MFA; short enough to be useless later. */
export const CONSENT_STATE_MAX_AGE_MS = 10 * 60 * 1000;

export interface ConsentRoutesDeps {
  /** Meent's public origin (PUBLIC_URL); the redirect URI registered with Entra lives under it. */
  publicUrl: string;
  /** ENTRA_AUTHORITY_HOST, without a trailing slash. */
  authorityHost: string;
  clientId: string;
  homeTenantId: string;
  /** ENTRA_ALLOWED_TENANTS: other tenants whose users may consent. */
  allowedTenants: readonly string[];
  /** GRAPH_BASE_URL: the resource whose delegated permissions the app asks for. */
  graphBaseUrl: string;
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** A UPN or e-mail address as Teams gives it in `loginHint`; anything odder is dropped. */
const LOGIN_HINT = /^[^\s<>"']{1,256}$/;
/** OAuth error codes are ASCII words; keep the reason we pass to the tab to that. */
const ERROR_CODE = /^[a-z0-9_]{1,64}$/i;

/** The state cookie's name: `__Host-` (no Domain, Path=/, Secure) wherever Meent runs on https. */
export function consentStateCookieName(secure: boolean): string {
  return secure ? '__Host-meent_consent_state' : 'meent_consent_state';
}

function single(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function sameSecret(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

export function consentRouter(deps: ConsentRoutesDeps): Router {
  const router = Router();
  const publicUrl = deps.publicUrl.replace(/\/+$/, '');
  const secure = new URL(publicUrl).protocol === 'https:';
  const cookieName = consentStateCookieName(secure);
  const cookieOptions: CookieOptions = { httpOnly: true, sameSite: 'lax', secure, path: '/', maxAge: CONSENT_STATE_MAX_AGE_MS };
  const { maxAge: _maxAge, ...clearOptions } = cookieOptions;
  const allowedTenants = new Set([deps.homeTenantId, ...deps.allowedTenants].map((t) => t.toLowerCase()));

  const end = (res: Response, outcome: { result: 'success' } | { result: 'failure'; reason: string }) => {
    res.clearCookie(cookieName, clearOptions);
    const params = new URLSearchParams(outcome.result === 'success' ? { result: 'success' } : { result: 'failure', reason: outcome.reason });
    res.redirect(302, `${CONSENT_END_PATH}?${params.toString()}`);
  };

  router.get(CONSENT_PATH, (req, res) => {
    res.setHeader('Cache-Control', 'no-store');
    const given = single(req.query.reason);
    const reason: ConsentReason = CONSENT_REASONS.find((r) => r === given) ?? 'consent_required';
    const tenantHint = single(req.query.tenantId);
    let tenant = deps.homeTenantId;
    if (tenantHint !== undefined && tenantHint !== '') {
      // A tenant Meent does not serve cannot consent to it; say so instead of asking Entra.
      if (!GUID.test(tenantHint) || !allowedTenants.has(tenantHint.toLowerCase())) {
        end(res, { result: 'failure', reason: 'tenant_not_allowed' });
        return;
      }
      tenant = tenantHint.toLowerCase();
    }

    const state = randomBytes(32).toString('base64url');
    res.cookie(cookieName, state, cookieOptions);
    const authorize = new URL(`${deps.authorityHost}/${tenant}/oauth2/v2.0/authorize`);
    authorize.searchParams.set('client_id', deps.clientId);
    authorize.searchParams.set('response_type', 'code');
    authorize.searchParams.set('response_mode', 'query');
    authorize.searchParams.set('redirect_uri', `${publicUrl}${CONSENT_CALLBACK_PATH}`);
    // `.default`: the delegated Graph permissions configured on the app registration.
    authorize.searchParams.set('scope', `openid profile offline_access ${deps.graphBaseUrl.replace(/\/+$/, '')}/.default`);
    // A step-up (MFA) needs a fresh interactive sign-in; everything else needs the consent screen.
    authorize.searchParams.set('prompt', reason === 'step_up_required' || reason === 'mfa_required' || reason === 'interaction_required' ? 'login' : 'consent');
    authorize.searchParams.set('state', state);
    const loginHint = single(req.query.loginHint);
    if (loginHint && LOGIN_HINT.test(loginHint)) authorize.searchParams.set('login_hint', loginHint);
    res.redirect(302, authorize.toString());
  });

  router.get(CONSENT_CALLBACK_PATH, cookieParser(), (req, res) => {
    res.setHeader('Cache-Control', 'no-store');
    // The code is in this URL: it must not travel on in a Referer header.
    res.setHeader('Referrer-Policy', 'no-referrer');
    const expected = single((req.cookies as Record<string, unknown> | undefined)?.[cookieName]);
    const state = single(req.query.state);
    if (!expected || !state || !sameSecret(expected, state)) {
      end(res, { result: 'failure', reason: 'state_mismatch' });
      return;
    }
    const error = single(req.query.error);
    if (error !== undefined) {
      end(res, { result: 'failure', reason: ERROR_CODE.test(error) ? error : 'consent_failed' });
      return;
    }
    if (!single(req.query.code)) {
      end(res, { result: 'failure', reason: 'no_code' });
      return;
    }
    end(res, { result: 'success' });
  });

  return router;
}
