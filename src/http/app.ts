/**
 * The express application: security headers, request ids and JSON logs, body limits, the
 * health endpoints, the API under /api/v1, the bot endpoint, the tab's static files, and
 * the one error handler. Capabilities hand in their routers; nothing here knows a rule.
 */
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import express, { type Express, type RequestHandler, type Router } from 'express';
import { pinoHttp } from 'pino-http';
import type { Logger } from 'pino';
import type { Config } from '../config/config.js';
import { NotFoundError } from '../errors/domain-errors.js';
import { redactSerializedRequest } from '../logging/url-secrets.js';
import { problemErrorHandler, sendProblem } from './problem.js';
import { refuseUnstorableText } from './refuse-unstorable-text.js';
import { securityHeaders } from './security-headers.js';
import { requestTelemetry } from '../telemetry/request-telemetry.js';

/** What a capability hands to the HTTP app (the composition root gathers them into `AppDependencies`). */
export interface CapabilityModule {
  apiRouters?: Router[];
  publicRouters?: Router[];
  networkPolicy?: RequestHandler[];
  authenticate?: RequestHandler;
  botHandler?: RequestHandler;
  /** Closed on shutdown, in reverse order of creation. */
  close?: () => Promise<void>;
}

export interface AppDependencies {
  config: Config;
  logger: Logger;
  /** True when the database answers; /readyz reports it. */
  isReady: () => Promise<boolean>;
  /** Runs before every route but /healthz and /readyz (IP allow-list, per-address write limit). */
  networkPolicy?: RequestHandler[];
  /** Establishes `req.actor` for /api/v1 (401 when absent or invalid). */
  authenticate?: RequestHandler;
  /** Routers mounted under /api/v1 after authentication. */
  apiRouters?: Router[];
  /** Routes mounted at the root before the API (e.g. the local sign-in pages). */
  publicRouters?: Router[];
  /** The Bot Framework endpoint handler for POST /api/messages. */
  botHandler?: RequestHandler;
  /** Folder with the built tab; served under /tab. */
  tabDirectory?: string;
}

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,64}$/;

export function createApp(deps: AppDependencies): Express {
  const { config, logger } = deps;
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', config.trustProxy);
  app.set('etag', false);

  app.use(
    pinoHttp({
      logger,
      // Accept a caller's request id only when it is well-formed; otherwise make one.
      genReqId: (req, res) => {
        const given = req.headers['x-request-id'];
        const id = typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
        res.setHeader('X-Request-Id', id);
        return id;
      },
      autoLogging: { ignore: (req) => req.url === '/healthz' || req.url === '/readyz' },
      // A calendar app can only send its credential in the URL: no URL is logged with a secret in it.
      serializers: { req: redactSerializedRequest },
      customLogLevel: (_req, res, err) => (err || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'info'),
    }),
  );
  app.use(securityHeaders(config.authMode === 'entra' ? { identityProviderOrigin: new URL(config.entra.authorityHost).origin } : {}));
  // A span and a duration per request (a no-op unless telemetry is configured; src/telemetry/).
  app.use(requestTelemetry());

  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get('/readyz', async (_req, res) => {
    const ready = await deps.isReady().catch(() => false);
    res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'unavailable', database: ready ? 'reachable' : 'unreachable' });
  });

  // Everything below the health endpoints: the API, the tab, the sign-in pages, calendar feeds,
  // and whatever is added later (the bot endpoint is exempted inside the policy, by path).
  for (const policy of deps.networkPolicy ?? []) app.use(policy);

  if (deps.botHandler) {
    app.post('/api/messages', express.json({ limit: '1mb' }), deps.botHandler);
  }

  const bodyLimit = config.maxBodyBytes;
  app.use(express.json({ limit: bodyLimit, strict: true, type: ['application/json', 'application/*+json'] }));
  app.use(express.urlencoded({ extended: false, limit: bodyLimit, parameterLimit: 100 }));
  app.use(refuseUnstorableText);

  for (const router of deps.publicRouters ?? []) app.use(router);

  const api = express.Router();
  api.use((_req, res, next) => {
    // API answers are personal: never cached by a proxy or the browser.
    res.setHeader('Cache-Control', 'no-store');
    next();
  });
  if (deps.authenticate) api.use(deps.authenticate);
  for (const router of deps.apiRouters ?? []) api.use(router);
  app.use('/api/v1', api);

  if (deps.tabDirectory && existsSync(deps.tabDirectory)) {
    const tabDir = deps.tabDirectory;
    // Vite names assets by content hash, so they never change; everything else is revalidated.
    app.use('/tab/assets', express.static(join(tabDir, 'assets'), { maxAge: '365d', immutable: true, fallthrough: false }));
    app.use('/tab', express.static(tabDir, { index: 'index.html', cacheControl: false, setHeaders: (res) => res.setHeader('Cache-Control', 'no-cache') }));
    // Client-side routes (deep links) all load the single page.
    app.get(/^\/tab(\/.*)?$/, (_req, res) => {
      res.setHeader('Cache-Control', 'no-cache');
      res.sendFile(join(tabDir, 'index.html'));
    });
    app.get('/', (_req, res) => res.redirect(302, '/tab/'));
  }

  app.use((req, _res, next) => next(new NotFoundError(`No resource at ${req.method} ${req.path}.`, 'route_not_found')));
  app.use(problemErrorHandler(logger));
  return app;
}

export { sendProblem };
