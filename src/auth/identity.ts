/**
 * The identity layer, assembled from configuration: network policy (IP allow-list, per-address
 * write limit), authentication of /api/v1 (Teams SSO tokens or the local demo session, sign-in
 * policies, per-person write limit), the people directory, the audit log, Graph credentials,
 * and their routes (GET /me, GET /me/photo, GET /audit, the local sign-in page). The
 * composition root hands the parts to `createApp`.
 */
import { randomBytes } from 'node:crypto';
import type { RequestHandler, Router } from 'express';
import type { Logger } from 'pino';
import { AuditRepository } from '../audit/audit.repository.js';
import { AuditLog } from '../audit/audit-log.service.js';
import { auditRouter } from '../audit/audit.routes.js';
import type { Config } from '../config/config.js';
import { GraphDirectoryGateway, type DirectoryGateway } from '../graph/directory-gateway.js';
import { createGraphClient } from '../graph/graph-client.js';
import { ApiSpec } from '../http/api-spec.js';
import { writeRateLimits } from '../http/write-rate-limits.js';
import { DEMO_TENANT_ID } from '../local/demo-people.js';
import { localSignInRouter } from '../local/local-sign-in.routes.js';
import { actorForDemoPerson, assertSameOrigin, sessionPerson, withSignedCookies } from '../local/local-session.js';
import { meRouter } from '../members/me.routes.js';
import { UserDirectoryRepository } from '../members/user-directory.repository.js';
import { UserDirectoryService } from '../members/user-directory.service.js';
import type { Actor } from './actor.js';
import { authenticateRequests, entraStrategy, type ActorStrategy } from './authenticate.js';
import { consentRouter } from './consent.routes.js';
import { GraphCredentials } from './graph-credentials.js';
import { IpAllowlist, ipAllowlistMiddleware } from './ip-allowlist.js';
import { OpenIdKeys } from './openid-keys.js';
import { TokenValidator } from './token-validator.js';

export interface IdentityOptions {
  config: Config;
  logger: Logger;
  now?: () => Date;
  /** Replaces the Graph directory used for profiles and photos (default: built from config). */
  directoryFor?: (actor: Actor) => DirectoryGateway | undefined;
  /** Where the write rate limits count (default `mongo`, shared by all instances). */
  rateLimitStore?: 'mongo' | 'memory';
  /** The API description the routes are declared on (one for the whole API). */
  spec?: ApiSpec;
}

export interface Identity {
  /** For `createApp`'s `networkPolicy`: runs before /api, /tab and /auth. */
  networkPolicy: RequestHandler[];
  /** For `createApp`'s `authenticate`. */
  authenticate: RequestHandler;
  /** GET /me, GET /me/photo, GET /audit. */
  apiRouters: Router[];
  /** The local sign-in page (local mode), the consent pop-up routes (entra mode). */
  publicRouters: Router[];
  audit: AuditLog;
  users: UserDirectoryService;
  /** Graph tokens (on-behalf-of and app-only); undefined in local mode. */
  graphCredentials: GraphCredentials | undefined;
  /** The directory as the app itself, for background work; undefined in local mode. */
  appDirectory(tenantId?: string): DirectoryGateway | undefined;
  /** Resolves when background work (Graph refreshes, late audit writes) has finished. */
  whenIdle(): Promise<void>;
}

/** The bot endpoint has its own authentication (Bot Framework tokens) and Microsoft's addresses. */
const BOT_ENDPOINT = '/api/messages';

export function createIdentity(options: IdentityOptions): Identity {
  const { config, logger } = options;
  const now = options.now ?? (() => new Date());
  const pending = new Set<Promise<unknown>>();
  const track = (work: Promise<unknown>) => {
    pending.add(work);
    void work.finally(() => pending.delete(work));
  };

  const audit = new AuditLog({ repository: new AuditRepository(), logger, now });
  const graphCredentials = config.authMode === 'entra' ? createGraphCredentials(config) : undefined;
  const graphDirectory = (getAccessToken: () => Promise<string>) => new GraphDirectoryGateway({ graph: createGraphClient({ baseUrl: config.graphBaseUrl, getAccessToken }) });
  const appDirectory = (tenantId?: string) => (graphCredentials ? graphDirectory(() => graphCredentials.appToken(tenantId)) : undefined);
  const directoryFor =
    options.directoryFor ??
    ((actor: Actor) => {
      const delegated = actor.delegated;
      // On the person's behalf where we can (least privilege), as the app otherwise.
      if (delegated) return graphDirectory(() => delegated.graphToken());
      return appDirectory(actor.tenantId);
    });
  const users = new UserDirectoryService({ repository: new UserDirectoryRepository(), audit, directoryFor, logger, adminRole: config.adminRole, now });

  const limits = writeRateLimits({
    windowMs: config.rateLimits.windowMs,
    perUser: config.rateLimits.userWrites,
    perIp: config.rateLimits.ipWrites,
    store: options.rateLimitStore ?? 'mongo',
    exemptPaths: [BOT_ENDPOINT],
    logger,
    now: () => now().getTime(),
  });

  const networkPolicy: RequestHandler[] = [];
  const allowlist = new IpAllowlist(config.ipAllowlist);
  const homeTenantId = config.authMode === 'entra' ? required(config.entra.tenantId, 'ENTRA_TENANT_ID') : DEMO_TENANT_ID;
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
  let sessionSecret: string | undefined;
  const publicRouters: Router[] = [];
  if (config.authMode === 'entra') {
    const clientId = required(config.entra.clientId, 'ENTRA_CLIENT_ID');
    const validator = new TokenValidator({
      keys: new OpenIdKeys({ authorityHost: config.entra.authorityHost, now: () => now().getTime() }),
      homeTenantId,
      allowedTenants: config.entra.allowedTenants,
      audiences: [required(config.entra.appIdUri, 'ENTRA_APP_ID_URI'), clientId],
      now: () => now().getTime(),
    });
    strategy = entraStrategy({
      validator,
      adminRole: config.adminRole,
      policy: { guestsAllowed: config.guestsAllowed, requireMfa: config.requireMfa },
      ...(graphCredentials ? { credentials: graphCredentials } : {}),
    });
    // The tab's consent pop-up (when Graph needs consent or a step-up sign-in).
    publicRouters.push(
      consentRouter({ publicUrl: config.publicUrl, authorityHost: config.entra.authorityHost, clientId, homeTenantId, allowedTenants: config.entra.allowedTenants, graphBaseUrl: config.graphBaseUrl }),
    );
  } else {
    // Without SESSION_SECRET, a secret made per process: sessions then end when Meent restarts.
    const secret = config.sessionSecret ?? randomBytes(32).toString('hex');
    if (!config.sessionSecret) logger.info('SESSION_SECRET is not set: local sessions use a per-process secret and end on restart');
    sessionSecret = secret;
    strategy = async (req) => {
      assertSameOrigin(req, config.publicUrl);
      return actorForDemoPerson(sessionPerson(req, now()), config.adminRole);
    };
    publicRouters.push(localSignInRouter({ secret, publicUrl: config.publicUrl, adminRole: config.adminRole, onSignIn: (actor) => users.signedIn(actor), now }));
  }

  const verify = authenticateRequests({ strategy, onAuthenticated: (actor) => users.signedIn(actor), audit, homeTenantId, logger, track });
  // The demo session is a signed cookie: parse and verify cookies first.
  const authenticateActor = sessionSecret === undefined ? verify : withSignedCookies(sessionSecret, verify);
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

  const spec = options.spec ?? new ApiSpec();
  return {
    networkPolicy,
    authenticate,
    apiRouters: [meRouter(spec, { users }), auditRouter(spec, { audit })],
    publicRouters,
    audit,
    users,
    graphCredentials,
    appDirectory,
    async whenIdle() {
      await users.whenIdle();
      await Promise.allSettled([...pending]);
    },
  };
}

function createGraphCredentials(config: Config): GraphCredentials {
  return new GraphCredentials({
    tenantId: required(config.entra.tenantId, 'ENTRA_TENANT_ID'),
    clientId: required(config.entra.clientId, 'ENTRA_CLIENT_ID'),
    ...(config.entra.clientCertificatePath ? { clientCertificatePath: config.entra.clientCertificatePath } : { clientSecret: required(config.entra.clientSecret, 'ENTRA_CLIENT_SECRET') }),
    authorityHost: config.entra.authorityHost,
    // The resource is Graph wherever GRAPH_BASE_URL points (national clouds have their own host).
    scope: `${config.graphBaseUrl}/.default`,
  });
}

function required(value: string | undefined, name: string): string {
  // The configuration schema already insists on these in entra mode; this keeps the types honest.
  if (!value) throw new Error(`${name} is required when AUTH_MODE=entra`);
  return value;
}
