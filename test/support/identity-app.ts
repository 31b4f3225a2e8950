/**
 * The Meent HTTP app with the identity layer wired as in production, for HTTP tests:
 * `createApp` + `createIdentity` from an environment (parsed by the real config loader), a
 * silent logger, and a clock tests can move.
 */
import type { Express, Router } from 'express';
import { createIdentity, type Identity, type IdentityOptions } from '../../src/composition.js';
import { loadConfig, type Config } from '../../src/config/config.js';
import { createApp } from '../../src/http/app.js';
import { createLogger } from '../../src/logging/logger.js';

export interface IdentityApp {
  app: Express;
  identity: Identity;
  config: Config;
}

export const TEST_HOME_TENANT = '5b1f6c0e-3a1d-4f2e-9c8b-7a6d5e4f3a21';
export const TEST_PARTNER_TENANT = 'c3d2e1f0-4b5a-4c6d-8e7f-0a1b2c3d4e5f';
export const TEST_CLIENT_ID = '8e2d4c6a-1b3f-4e5d-8c7b-9a0f1e2d3c4b';
export const TEST_APP_ID_URI = `api://meent.example.nl/${TEST_CLIENT_ID}`;
export const TEST_CLIENT_SECRET = 'test-secret-value-0123456789';

/** An environment for `AUTH_MODE=entra` against the local identity provider and Graph. */
export function entraEnvironment(authorityHost: string, graphBaseUrl: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    AUTH_MODE: 'entra',
    ENTRA_TENANT_ID: TEST_HOME_TENANT,
    ENTRA_CLIENT_ID: TEST_CLIENT_ID,
    ENTRA_CLIENT_SECRET: TEST_CLIENT_SECRET,
    ENTRA_APP_ID_URI: TEST_APP_ID_URI,
    ENTRA_AUTHORITY_HOST: authorityHost,
    ENTRA_ALLOWED_TENANTS: TEST_PARTNER_TENANT,
    GRAPH_BASE_URL: graphBaseUrl,
    ...extra,
  };
}

/** `extraApiRouters` stand in for capabilities' routers (mounted after the identity's own). */
export function buildIdentityApp(env: Record<string, string>, options: Omit<IdentityOptions, 'config' | 'logger'> & { extraApiRouters?: Router[] } = {}): IdentityApp {
  const { extraApiRouters = [], ...identityOptions } = options;
  const config = loadConfig(env);
  const logger = createLogger('silent');
  const identity = createIdentity({ config, logger, ...identityOptions });
  const app = createApp({
    config,
    logger,
    isReady: () => Promise.resolve(true),
    networkPolicy: identity.networkPolicy,
    authenticate: identity.authenticate,
    apiRouters: [...identity.apiRouters, ...extraApiRouters],
    publicRouters: identity.publicRouters,
  });
  return { app, identity, config };
}
