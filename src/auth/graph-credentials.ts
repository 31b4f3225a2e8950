/**
 * Microsoft Graph access tokens: on a user's behalf (the on-behalf-of flow, exchanging the
 * Teams SSO token the tab sent), and as the app itself for background work (client
 * credentials), both through `@azure/identity` with a client secret or a certificate and the
 * authority from `ENTRA_AUTHORITY_HOST`. Tokens are cached until shortly before they expire.
 * With a user-assigned managed identity (`MANAGED_IDENTITY_CLIENT_ID`, App Service), app-only
 * tokens for the home tenant are the identity's own (ManagedIdentityCredential, which reads App
 * Service's IDENTITY_ENDPOINT and IDENTITY_HEADER:
 * https://learn.microsoft.com/en-us/azure/app-service/overview-managed-identity#rest-endpoint-reference);
 * and without a secret or certificate, the app registration signs in with the identity's token
 * as a federated client assertion (workload identity federation), on behalf of a person and in
 * other tenants: https://learn.microsoft.com/en-us/entra/workload-id/workload-identity-federation-config-app-trust-managed-identity
 * An Entra answer that the user must consent or sign in interactively becomes
 * `ConsentRequiredError` (`consent_required` / `interaction_required`), which the tab acts on.
 * https://learn.microsoft.com/en-us/entra/identity-platform/v2-oauth2-on-behalf-of-flow
 */
import { createHash } from 'node:crypto';
import {
  ClientAssertionCredential,
  ClientCertificateCredential,
  ClientSecretCredential,
  ManagedIdentityCredential,
  OnBehalfOfCredential,
  type AccessToken,
  type TokenCredential,
} from '@azure/identity';
import { DomainError } from '../errors/domain-errors.js';
import { GraphUnavailableError } from '../graph/graph-errors.js';
import { ConsentRequiredError } from './auth-errors.js';

export interface GraphCredentialsOptions {
  /** The home tenant (`ENTRA_TENANT_ID`); app-only tokens are for it unless told otherwise. */
  tenantId: string;
  clientId: string;
  clientSecret?: string;
  /** PEM file with the private key and the certificate. */
  clientCertificatePath?: string;
  /** The client id of a user-assigned managed identity (App Service): app-only tokens of the home tenant come from it. */
  managedIdentityClientId?: string;
  /** `ENTRA_AUTHORITY_HOST`. */
  authorityHost: string;
  /** Default `https://graph.microsoft.com/.default`. */
  scope?: string;
  /** Tokens are used until this long before they expire. Default 5 minutes. */
  refreshMarginMs?: number;
  /** At most this many on-behalf-of tokens are kept. Default 5,000. */
  maxCachedTokens?: number;
  now?: () => number;
}

interface CachedToken {
  token: string;
  expiresAt: number;
}

/** The audience of a managed identity's token used as a federated credential (public cloud). */
const FEDERATED_TOKEN_AUDIENCE = 'api://AzureADTokenExchange/.default';

/** Entra error codes that mean "the user has to do something first". */
const CONSENT_CODES = new Set([65001, 65004, 65005]);
const INTERACTION_CODES = new Set([50076, 50079, 50158, 50072, 53003, 50105, 50097]);

export class GraphCredentials {
  private readonly cache = new Map<string, CachedToken>();
  private readonly inflight = new Map<string, Promise<string>>();
  private readonly appCredentials = new Map<string, TokenCredential>();
  private readonly managedIdentity: TokenCredential | undefined;
  private readonly scope: string;
  private readonly refreshMarginMs: number;
  private readonly maxCachedTokens: number;
  private readonly now: () => number;

  constructor(private readonly options: GraphCredentialsOptions) {
    if (!options.clientSecret && !options.clientCertificatePath && !options.managedIdentityClientId) throw new Error('GraphCredentials needs a client secret, a certificate or a managed identity');
    this.managedIdentity = options.managedIdentityClientId ? new ManagedIdentityCredential({ clientId: options.managedIdentityClientId }) : undefined;
    this.scope = options.scope ?? 'https://graph.microsoft.com/.default';
    this.refreshMarginMs = options.refreshMarginMs ?? 5 * 60 * 1000;
    this.maxCachedTokens = options.maxCachedTokens ?? 5_000;
    this.now = options.now ?? Date.now;
  }

  /** A Graph token for the user whose API token `userAssertion` is, in their tenant. */
  onBehalfOf(tenantId: string, userAssertion: string): Promise<string> {
    // The cache key holds a hash of the assertion, never the token itself.
    const key = `obo:${tenantId}:${createHash('sha256').update(userAssertion).digest('base64url')}`;
    return this.cached(key, () => {
      const common = {
        tenantId,
        clientId: this.options.clientId,
        userAssertionToken: userAssertion,
        authorityHost: this.options.authorityHost,
        // The authority is configured, not discovered: no call to login.microsoft.com to validate it.
        disableInstanceDiscovery: true,
      };
      const credential = this.options.clientCertificatePath
        ? new OnBehalfOfCredential({ ...common, certificatePath: this.options.clientCertificatePath })
        : this.options.clientSecret
          ? new OnBehalfOfCredential({ ...common, clientSecret: this.options.clientSecret })
          : new OnBehalfOfCredential({ ...common, getAssertion: this.federatedAssertion() });
      return credential.getToken(this.scope);
    });
  }

  /** A Graph token for the app itself (application permissions), for background work. */
  appToken(tenantId: string = this.options.tenantId): Promise<string> {
    return this.cached(`app:${tenantId}`, () => this.appCredential(tenantId).getToken(this.scope));
  }

  private appCredential(tenantId: string): TokenCredential {
    let credential = this.appCredentials.get(tenantId);
    if (!credential) {
      const common = { authorityHost: this.options.authorityHost, disableInstanceDiscovery: true };
      credential =
        // The identity lives in the home tenant only; elsewhere the app registration signs in.
        this.managedIdentity && tenantId === this.options.tenantId
          ? this.managedIdentity
          : this.options.clientCertificatePath
            ? new ClientCertificateCredential(tenantId, this.options.clientId, this.options.clientCertificatePath, common)
            : this.options.clientSecret
              ? new ClientSecretCredential(tenantId, this.options.clientId, this.options.clientSecret, common)
              : new ClientAssertionCredential(tenantId, this.options.clientId, this.federatedAssertion(), common);
      this.appCredentials.set(tenantId, credential);
    }
    return credential;
  }

  /**
   * The managed identity's token for Entra's token exchange audience: the app registration's
   * client assertion when it trusts the identity as a federated credential.
   */
  private federatedAssertion(): () => Promise<string> {
    const identity = this.managedIdentity;
    return async () => {
      if (!identity) throw new Error('No managed identity to sign the app registration in with');
      const token = await identity.getToken(FEDERATED_TOKEN_AUDIENCE);
      if (!token?.token) throw new Error('The managed identity returned no token');
      return token.token;
    };
  }

  private async cached(key: string, acquire: () => Promise<AccessToken | null>): Promise<string> {
    const hit = this.cache.get(key);
    if (hit && hit.expiresAt - this.refreshMarginMs > this.now()) return hit.token;
    const pending = this.inflight.get(key);
    if (pending) return pending;
    const loading = (async () => {
      try {
        let token: AccessToken | null;
        try {
          token = await acquire();
        } catch (error) {
          throw toDomainError(error, this.scope);
        }
        if (!token?.token) throw new GraphUnavailableError(undefined, 'graph_unauthorized', 'Meent could not sign in to Microsoft 365.');
        this.store(key, { token: token.token, expiresAt: token.expiresOnTimestamp });
        return token.token;
      } finally {
        this.inflight.delete(key);
      }
    })();
    this.inflight.set(key, loading);
    return loading;
  }

  private store(key: string, value: CachedToken): void {
    this.cache.delete(key);
    this.cache.set(key, value);
    if (this.cache.size <= this.maxCachedTokens) return;
    const now = this.now();
    for (const [k, v] of this.cache) {
      if (v.expiresAt - this.refreshMarginMs <= now) this.cache.delete(k);
    }
    // Still full: drop the oldest (Maps iterate in insertion order).
    while (this.cache.size > this.maxCachedTokens) {
      const oldest = this.cache.keys().next().value;
      if (oldest === undefined) break;
      this.cache.delete(oldest);
    }
  }
}

/**
 * What `@azure/identity` threw -> a domain error. It wraps MSAL's error (`errorCode`,
 * `subError`, the `AADSTS` code in the message, a `claims` challenge) somewhere in the
 * `cause` chain; we look through it.
 */
export function toDomainError(error: unknown, scope: string): DomainError {
  if (error instanceof DomainError) return error;
  const found = { consent: false, interaction: false, claims: undefined as string | undefined };
  let current: unknown = error;
  for (let depth = 0; depth < 5 && typeof current === 'object' && current !== null; depth++) {
    const e = current as { errorCode?: unknown; subError?: unknown; suberror?: unknown; message?: unknown; claims?: unknown; errorResponse?: { error?: unknown; errorDescription?: unknown }; cause?: unknown };
    const codes = [e.errorCode, e.subError, e.suberror, e.errorResponse?.error].filter((c): c is string => typeof c === 'string');
    const text = [e.message, e.errorResponse?.errorDescription].filter((t): t is string => typeof t === 'string').join(' ');
    const aadsts = [...text.matchAll(/AADSTS(\d+)/g)].map((m) => Number(m[1]));
    if (codes.includes('consent_required') || aadsts.some((c) => CONSENT_CODES.has(c))) found.consent = true;
    if (codes.some((c) => c === 'interaction_required' || c === 'login_required') || aadsts.some((c) => INTERACTION_CODES.has(c))) found.interaction = true;
    if (typeof e.claims === 'string' && e.claims.length > 0 && e.claims.length < 4096) found.claims = e.claims;
    current = e.cause;
  }
  const scopes = [scope];
  if (found.consent) return withCause(new ConsentRequiredError('consent_required', scopes, found.claims), error);
  if (found.interaction) return withCause(new ConsentRequiredError('interaction_required', scopes, found.claims), error);
  return withCause(new GraphUnavailableError(undefined, 'graph_unauthorized', 'Meent could not sign in to Microsoft 365.'), error);
}

function withCause<E extends Error>(target: E, cause: unknown): E {
  target.cause = cause;
  return target;
}
