/**
 * The authentication middleware of /api/v1: establishes `req.actor` from a Teams SSO token
 * (`AUTH_MODE=entra`) or the demo session (`AUTH_MODE=local`), applies the sign-in policies,
 * records the person (first sight, role changes), and audits every denial: the reason, the
 * address and the path, never the token. A denied request writes nothing else.
 */
import type { Request, RequestHandler } from 'express';
import type { Logger } from 'pino';
import { withDelegatedAccess, type Actor } from './actor.js';
import { AuthenticationFailedError } from './auth-errors.js';
import type { GraphCredentials } from './graph-credentials.js';
import { actorFromClaims, enforceSignInPolicy, type SignInPolicy } from './sign-in-policy.js';
import type { TokenValidator } from './token-validator.js';

/** Finds out who sent a request, or throws `AuthenticationFailedError`. */
export type ActorStrategy = (req: Request) => Promise<Actor>;

/** A refused request, as the audit log records it. */
export interface DeniedRequest {
  /** The tenant whose admins should see it: the verified tenant, else the home tenant. */
  tenantId: string;
  reason: string;
  ip?: string;
  method?: string;
  path?: string;
  /** The verified user, when the identity was known (e.g. a guest refused by policy). */
  actorId?: string;
  /** The tenant a rejected token claimed, unverified (only a GUID is kept). */
  claimedTenantId?: string;
}

/** Where refused requests are recorded (the audit log); never throws. */
export interface DenialRecorder {
  recordDeniedQuietly(denied: DeniedRequest): Promise<void>;
}

export interface AuthenticateDeps {
  strategy: ActorStrategy;
  /** Records the person on each authenticated request (first sight, role changes). */
  onAuthenticated: (actor: Actor) => Promise<void>;
  audit: DenialRecorder;
  /** Where denials that cannot be tied to a verified tenant are logged. */
  homeTenantId: string;
  logger: Pick<Logger, 'info' | 'warn' | 'error'>;
  /** Tracks background work (audit writes after the response) so shutdown and tests can wait for it. */
  track?: (work: Promise<unknown>) => void;
}

export function authenticateRequests(deps: AuthenticateDeps): RequestHandler {
  return async (req, res, next) => {
    const path = req.originalUrl.split('?')[0] ?? '';
    let actor: Actor;
    try {
      actor = await deps.strategy(req);
    } catch (error) {
      if (error instanceof AuthenticationFailedError) {
        await deps.audit.recordDeniedQuietly({
          tenantId: error.verified?.tenantId ?? deps.homeTenantId,
          reason: error.reason,
          ...(error.verified ? { actorId: error.verified.userId } : {}),
          ...(error.claimedTenantId !== undefined ? { claimedTenantId: error.claimedTenantId } : {}),
          ...(req.ip !== undefined ? { ip: req.ip } : {}),
          method: req.method,
          path,
        });
      }
      next(error);
      return;
    }
    await deps.onAuthenticated(actor);
    req.actor = actor;
    // Requests the capabilities' policies refuse are audited too, once the answer is out.
    res.once('finish', () => {
      if (res.statusCode !== 403) return;
      const work = deps.audit.recordDeniedQuietly({ tenantId: actor.tenantId, reason: 'forbidden', actorId: actor.userId, ...(req.ip !== undefined ? { ip: req.ip } : {}), method: req.method, path });
      deps.track?.(work);
    });
    next();
  };
}

export interface EntraStrategyDeps {
  validator: TokenValidator;
  adminRole: string;
  policy: SignInPolicy;
  /** When given, actors get `delegated` access to Graph (on-behalf-of). */
  credentials?: GraphCredentials;
}

/** `Authorization: Bearer <Teams SSO token>` -> the actor, or `AuthenticationFailedError`. */
export function entraStrategy(deps: EntraStrategyDeps): ActorStrategy {
  return async (req) => {
    const token = bearerToken(req.get('authorization'));
    let actor: Actor;
    try {
      actor = actorFromClaims(await deps.validator.validate(token), deps.adminRole);
    } catch (error) {
      if (error instanceof AuthenticationFailedError) error.claimedTenantId = unverifiedTenant(token);
      throw error;
    }
    try {
      enforceSignInPolicy(actor, deps.policy);
    } catch (error) {
      if (error instanceof AuthenticationFailedError) error.verified = { tenantId: actor.tenantId, userId: actor.userId };
      throw error;
    }
    const credentials = deps.credentials;
    if (!credentials) return actor;
    return withDelegatedAccess(actor, { graphToken: () => credentials.onBehalfOf(actor.tenantId, token) });
  };
}

/** RFC 6750 section 2.1: `Bearer` then one b64token. */
export function bearerToken(header: string | undefined): string {
  if (header === undefined || header.trim() === '') throw new AuthenticationFailedError('missing_token');
  const match = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i.exec(header);
  if (!match?.[1]) {
    if (!/^Bearer\b/i.test(header)) throw new AuthenticationFailedError('missing_token');
    throw new AuthenticationFailedError('malformed_token');
  }
  return match[1];
}

/** The `tid` a token claims, for the audit log only (never trusted for anything else). */
function unverifiedTenant(token: string): string | undefined {
  try {
    const payload = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as { tid?: unknown };
    return typeof payload.tid === 'string' ? payload.tid : undefined;
  } catch {
    // Not even a readable payload: there is no claimed tenant to record.
    return undefined;
  }
}
