/**
 * Authentication assembled from configuration: network policy (IP allow-list, per-address
 * write limit) and authentication of /api/v1 (Teams SSO tokens, or the local demo session,
 * then the per-person write limit), the consent pop-up routes in entra mode, and how the tab
 * signs in outside Teams (`/auth/browser-config`). The
 * composition root hands in the audit log, the people directory, the local session and the
 * write limits.
 */
import type { RequestHandler, Router } from 'express';
import type { Logger } from 'pino';
import type { Config } from '../config/config.js';
import type { Actor } from './actor.js';
import { authenticateRequests, entraStrategy, type ActorStrategy, type DenialRecorder } from './authenticate.js';
import { browserSignInRouter } from './browser-sign-in.routes.js';
import { consentRouter } from './consent.routes.js';
import type { GraphCredentials } from './graph-credentials.js';
import { IpAllowlist, ipAllowlistMiddleware } from './ip-allowlist.js';
import { OpenIdKeys } from './openid-keys.js';
import { MICROSOFT_365_TAB_CLIENTS, TokenValidator } from './token-validator.js';
import { localOnly } from './local-only.js';

export interface AuthenticationOptions {
  config: Config;
  logger: Logger;
  now: () => Date;
  /** The tenant whose admins see denials of requests that carry no tenant (the IP allow-list). */
  homeTenantId: string;
  audit: DenialRecorder;
  /** The people directory's `signedIn`: every authenticated request. */
  onAuthenticated: (actor: Actor) => Promise<void>;
  /** Graph tokens for on-behalf-of access (entra mode). */
  graphCredentials?: GraphCredentials;
  /** Local mode: the demo session, a signed cookie verified with this secret. */
  localSession?: { strategy: ActorStrategy; withSignedCookies: (verify: RequestHandler) => RequestHandler };
  /** The write rate limits: per address before authentication, per person after it. */
  writeLimits: { perIp: RequestHandler; perUser: RequestHandler };
  /** Tracks background work (audit writes after the response). */
  track: (work: Promise<unknown>) => void;
}

export interface Authentication {
  /** For `createApp`'s `networkPolicy`: runs before every route but the health endpoints. */
  networkPolicy: RequestHandler[];
  /** For `createApp`'s `authenticate`. */
  authenticate: RequestHandler;
  /** The consent pop-up routes (entra mode). */
  publicRouters: Router[];
}

/** The bot endpoint has its own authentication (Bot Framework tokens) and Microsoft's addresses. */
export const BOT_ENDPOINT = '/api/messages';

export function createAuthentication(options: AuthenticationOptions): Authentication {
  const { config, logger, now, audit, homeTenantId } = options;
  const limits = options.writeLimits;
  const networkPolicy: RequestHandler[] = [];
  if (config.localMode) networkPolicy.push(localOnly({ trustsProxy: config.trustProxy !== 0 }));
  const allowlist = new IpAllowlist(config.ipAllowlist);
  if (!allowlist.isOpen) {
    networkPolicy.push(
      ipAllowlistMiddleware({
        allowlist,
        exempt: [BOT_ENDPOINT],
        onDenied: (denied) =>
          audit.recordDeniedQuietly({ tenantId: homeTenantId, reason: 'ip_not_allowed', ...(denied.ip !== undefined ? { ip: denied.ip } : {}), method: denied.method, path: denied.path }),
      }),
    );
  }
  networkPolicy.push(limits.perIp);

  let strategy: ActorStrategy;
  const publicRouters: Router[] = [];
  if (config.authMode === 'entra') {
    const clientId = required(config.entra.clientId, 'ENTRA_CLIENT_ID');
    const validator = new TokenValidator({
      keys: new OpenIdKeys({ authorityHost: config.entra.authorityHost, now: () => now().getTime() }),
      homeTenantId,
      allowedTenants: config.entra.allowedTenants,
      audiences: [required(config.entra.appIdUri, 'ENTRA_APP_ID_URI'), clientId],
      // Meent's own client id: the tab's browser sign-in (msal-browser) asks for tokens as Meent itself.
      allowedClientApps: [...MICROSOFT_365_TAB_CLIENTS, clientId, ...config.entra.allowedClientApps],
      now: () => now().getTime(),
    });
    strategy = entraStrategy({
      validator,
      adminRole: config.adminRole,
      policy: { guestsAllowed: config.guestsAllowed, requireMfa: config.requireMfa },
      ...(options.graphCredentials ? { credentials: options.graphCredentials } : {}),
    });
    // The tab's consent pop-up (when Graph needs consent or a step-up sign-in).
    publicRouters.push(
      consentRouter({ publicUrl: config.publicUrl, authorityHost: config.entra.authorityHost, clientId, homeTenantId, allowedTenants: config.entra.allowedTenants, graphBaseUrl: config.graphBaseUrl }),
      browserSignInRouter({
        publicUrl: config.publicUrl,
        entra: { authorityHost: config.entra.authorityHost, tenant: config.entra.browserTenant ?? homeTenantId, clientId, appIdUri: required(config.entra.appIdUri, 'ENTRA_APP_ID_URI') },
      }),
    );
  } else {
    if (!options.localSession) throw new Error('AUTH_MODE=local needs the local demo session');
    strategy = options.localSession.strategy;
    publicRouters.push(browserSignInRouter({ publicUrl: config.publicUrl }));
  }

  const verify = authenticateRequests({ strategy, onAuthenticated: options.onAuthenticated, audit, homeTenantId, logger, track: options.track });
  // The demo session is a signed cookie: parse and verify cookies first.
  const authenticateActor = config.authMode === 'entra' || !options.localSession ? verify : options.localSession.withSignedCookies(verify);
  // Authentication, then the per-person write limit (it needs req.actor). Called by hand, so
  // a rejected promise is passed on to the error handler here rather than by express.
  const authenticate: RequestHandler = (req, res, next) => {
    Promise.resolve(
      authenticateActor(req, res, (err?: unknown) => {
        if (err !== undefined) {
          next(err);
          return;
        }
        Promise.resolve(limits.perUser(req, res, next)).catch(next);
      }),
    ).catch(next);
  };
  return { networkPolicy, authenticate, publicRouters };
}

/** A setting the configuration schema already insists on in entra mode; this keeps the types honest. */
export function required(value: string | undefined, name: string): string {
  if (!value) throw new Error(`${name} is required when AUTH_MODE=entra`);
  return value;
}
