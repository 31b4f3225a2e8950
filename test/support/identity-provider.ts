/**
 * A local Microsoft Entra ID (and Bot Framework token service) over HTTPS for tests. It
 * publishes what Meent and `@azure/identity` read from Entra, with Entra's documented shapes:
 *
 *   GET  /{tid}/v2.0/.well-known/openid-configuration   v2.0 metadata (issuer {origin}/{tid}/v2.0)
 *   GET  /{tid}/.well-known/openid-configuration        v1.0 metadata (issuer https://sts.windows.net/{tid}/)
 *   GET  /{tid}/discovery/v2.0/keys, /common/discovery/keys   the signing keys (JWKS), shared by all tenants
 *   POST /{tid}/oauth2/v2.0/token                       client_credentials and the on-behalf-of grant
 *                                                        (urn:ietf:params:oauth:grant-type:jwt-bearer)
 *   GET  /{tid}/oauth2/v2.0/authorize                   the sign-in and consent screen, answered at once as a
 *                                                        user who accepts (or declines, `authorizeAnswer`):
 *                                                        302 to redirect_uri with code and state (or error)
 *   GET  /msi/token                                     App Service's managed identity endpoint (IDENTITY_ENDPOINT,
 *                                                        X-IDENTITY-HEADER = IDENTITY_HEADER, api-version 2019-08-01,
 *                                                        resource, client_id of a user-assigned identity)
 *   GET  /{tid}/oauth2/v2.0/authorize, POST /{tid}/oauth2/v2.0/token (authorization_code with PKCE,
 *        refresh_token), GET /{tid}/oauth2/v2.0/logout   the browser sign-in of a single-page
 *                                                        application (idp-browser-sign-in.ts)
 *   GET  /botframework/v1/.well-known/openidconfiguration, /botframework/v1/keys
 *                                                        the Bot Framework channel's metadata and keys
 *
 * It signs real RS256 tokens with real keys (jose), in the v1.0 and v2.0 shapes Entra uses for
 * Teams SSO tokens, rotates keys on request, checks client secrets and certificate assertions
 * of registered clients, checks the user assertion of an on-behalf-of request (signature,
 * audience, expiry), records every request, and can be told to answer the next token request
 * with an Entra error such as `consent_required`.
 *
 * Sources: https://learn.microsoft.com/en-us/entra/identity-platform/access-token-claims-reference,
 * https://learn.microsoft.com/en-us/entra/identity-platform/v2-oauth2-on-behalf-of-flow,
 * https://learn.microsoft.com/en-us/azure/bot-service/rest-api/bot-framework-rest-connector-authentication,
 * https://learn.microsoft.com/en-us/azure/app-service/overview-managed-identity#rest-endpoint-reference,
 * https://learn.microsoft.com/en-us/entra/workload-id/workload-identity-federation-config-app-trust-managed-identity
 */
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  SignJWT,
  calculateJwkThumbprint,
  createLocalJWKSet,
  decodeProtectedHeader,
  exportJWK,
  exportSPKI,
  generateKeyPair,
  importJWK,
  importX509,
  jwtVerify,
  type JWK,
  type JWTPayload,
} from 'jose';
import { BrowserSignIn, type Answer, type BrowserAccount } from './idp-browser-sign-in.js';
import { testTlsCredentials } from './tls.js';

/** The Teams desktop/web client that asks for SSO tokens (its well-known client id). */
export const TEAMS_CLIENT_ID = '1fec8e78-bce4-4aaf-ab1b-5451cc387264';
export const GRAPH_APP_ID = '00000003-0000-0000-c000-000000000000';
export const BOT_FRAMEWORK_ISSUER = 'https://api.botframework.com';

export interface SigningKey {
  kid: string;
  privateKey: CryptoKey;
  publicJwk: JWK;
}

export interface UserTokenOptions {
  tenantId: string;
  /** `1` (v1.0 shape: iss sts.windows.net, aud the App ID URI, upn, amr) or `2` (v2.0 shape: aud the client id, preferred_username). Default 1. */
  version?: 1 | 2;
  /** Default: a new GUID. */
  oid?: string;
  name?: string;
  upn?: string;
  /** `aud`; default the registered API's App ID URI (v1) or client id (v2). */
  audience?: string;
  /** `scp`, space-separated; default `access_as_user`. */
  scope?: string | null;
  roles?: string[];
  /** `amr` (v1 tokens only); default ['pwd', 'mfa']. */
  amr?: string[] | null;
  /** Optional claim `acct`: 0 member, 1 guest. */
  acct?: 0 | 1;
  /** `idp` claim: the home tenant's issuer, for guests. */
  idp?: string;
  /** Lifetime in seconds from now; negative for an expired token. Default 3600. */
  expiresIn?: number;
  /** Seconds from now for `nbf` (positive: not yet valid). Default -300 as Entra does. */
  notBefore?: number;
  /** Claims to add or override. */
  extra?: Record<string, unknown>;
  /** Sign with this key instead of the active one (e.g. a key the IdP never published). */
  key?: SigningKey;
}

export interface RegisteredClient {
  clientId: string;
  /** The API's App ID URI (`api://host/clientId`); on-behalf-of assertions may carry it as `aud`. */
  appIdUri?: string;
  secret?: string;
  /** PEM certificate whose private key signs the client's assertions. */
  certificatePem?: string;
  /**
   * A federated identity credential: the managed identity (principal id, and the tenant whose
   * issuer signs its tokens) whose tokens for api://AzureADTokenExchange this client accepts as
   * its client assertion, in any tenant it asks a token for.
   */
  trustedManagedIdentity?: { principalId: string; tenantId: string };
  /** Redirect URIs registered on the `spa` platform: the browser sign-in (code + PKCE, no secret). */
  spaRedirectUris?: string[];
}

/** A user-assigned managed identity the MSI endpoint hands tokens of. */
export interface ManagedIdentity {
  clientId: string;
  principalId: string;
  tenantId: string;
}

export interface ManagedIdentityRequestRecord {
  clientId: string | null;
  resource: string | null;
  apiVersion: string | null;
  /** Whether X-IDENTITY-HEADER carried IDENTITY_HEADER. */
  headerOk: boolean;
  status: number;
}

/** The audience of managed identity tokens used as federated credentials. */
export const TOKEN_EXCHANGE_AUDIENCE = 'api://AzureADTokenExchange';

export interface TokenFault {
  /** OAuth `error`: e.g. `invalid_grant` with suberror `consent_required`, or `interaction_required`. */
  error: string;
  suberror?: string;
  errorCodes?: number[];
  description?: string;
  /** A claims challenge (JSON text), as Entra returns for Conditional Access. */
  claims?: string;
  status?: number;
  /** How many token requests fail (default 1). */
  times?: number;
}

export interface TokenRequestRecord {
  tenantId: string;
  grantType: string;
  clientId: string | undefined;
  /** `secret`, `assertion` or `none`. */
  clientAuth: 'secret' | 'assertion' | 'none';
  scope: string | undefined;
  /** `oid` of the user assertion (on-behalf-of). */
  userOid?: string;
  status: number;
  error?: string;
}

/** An authorization request (the consent pop-up), as the authorize endpoint received it. */
export interface AuthorizeRequestRecord {
  tenantId: string;
  params: Record<string, string>;
}

export interface RecordedIdpRequest {
  method: string;
  path: string;
}

export interface BotTokenOptions {
  /** `aud`: the bot's app id. */
  audience: string;
  serviceUrl?: string;
  issuer?: string;
  expiresIn?: number;
  key?: SigningKey;
  extra?: Record<string, unknown>;
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const JWT_BEARER = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
const CLIENT_ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

export async function createSigningKey(): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
  const publicJwk = await exportJWK(publicKey);
  // Entra's kid is the certificate thumbprint; the JWK thumbprint is as good a stable id.
  const kid = await calculateJwkThumbprint(publicJwk);
  return { kid, privateKey, publicJwk: { ...publicJwk, kid, use: 'sig', alg: 'RS256' } };
}

export class IdentityProvider {
  /** Every HTTP request received, in order. */
  readonly requests: RecordedIdpRequest[] = [];
  /** Every token endpoint request, with what it asked for and how it was answered. */
  readonly tokenRequests: TokenRequestRecord[] = [];
  /** Access tokens handed out by the token endpoint (for a Graph stand-in to accept). */
  readonly issuedAccessTokens = new Set<string>();
  /** Lifetime of tokens from the token endpoint, in seconds. */
  tokenLifetimeSeconds = 3599;
  /** Every request to the authorize endpoint. */
  readonly authorizeRequests: AuthorizeRequestRecord[] = [];
  /** How the simulated user answers the consent screen. */
  authorizeAnswer: 'accept' | 'decline' = 'accept';
  /** Every request to the managed identity endpoint. */
  readonly managedIdentityRequests: ManagedIdentityRequestRecord[] = [];
  /** Access tokens the managed identity endpoint handed out (a subset of `issuedAccessTokens`). */
  readonly managedIdentityTokens = new Set<string>();
  /** The secret App Service puts in IDENTITY_HEADER (rotated by the platform; fixed per stand-in here). */
  readonly identityHeader = randomUUID();
  private readonly managedIdentities = new Map<string, ManagedIdentity>();

  private keys: SigningKey[] = [];
  private activeKid = '';
  private botKeys: SigningKey[] = [];
  private readonly clients = new Map<string, RegisteredClient>();
  private faults: (TokenFault & { remaining: number })[] = [];
  private readonly refusedUsers = new Map<string, TokenFault>();

  /** The browser sign-in (authorization code with PKCE, refresh tokens, sign-out) of SPA clients. */
  readonly browser: BrowserSignIn;

  private constructor(
    private readonly server: Server,
    readonly baseUrl: string,
  ) {
    this.browser = new BrowserSignIn({
      baseUrl,
      issuerV1: (t) => this.issuerV1(t),
      issuerV2: (t) => this.issuerV2(t),
      sign: (claims) => this.sign(claims),
      spaRedirectUris: (clientId) => {
        const client = this.clients.get(clientId);
        return client ? (client.spaRedirectUris ?? []) : undefined;
      },
      tokenLifetimeSeconds: () => this.tokenLifetimeSeconds,
      issued: (token) => this.issuedAccessTokens.add(token),
    });
  }

  /** The person at the keyboard: who signs in at the next browser authorization request. */
  signInAs(account: BrowserAccount | undefined): void {
    this.browser.account = account;
  }

  static async start(): Promise<IdentityProvider> {
    const { key, cert } = testTlsCredentials();
    const holder: { instance?: IdentityProvider } = {};
    const server = createServer({ key, cert }, (req, res) => {
      const instance = holder.instance;
      if (!instance) {
        res.destroy();
        return;
      }
      instance.handle(req, res).catch((error: unknown) => {
        res.destroy(error instanceof Error ? error : new Error(String(error)));
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    const { port } = server.address() as AddressInfo;
    const instance = new IdentityProvider(server, `https://127.0.0.1:${port}`);
    await instance.rotateKeys();
    instance.botKeys = [await createSigningKey()];
    holder.instance = instance;
    return instance;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve, reject) => this.server.close((error) => (error ? reject(error) : resolve())));
  }

  /** Forget recorded requests, faults and issued tokens (keys and clients stay). */
  reset(): void {
    this.requests.length = 0;
    this.tokenRequests.length = 0;
    this.issuedAccessTokens.clear();
    this.faults = [];
    this.refusedUsers.clear();
    this.tokenLifetimeSeconds = 3599;
    this.authorizeRequests.length = 0;
    this.authorizeAnswer = 'accept';
    this.managedIdentityRequests.length = 0;
    this.managedIdentityTokens.clear();
    this.browser.reset();
  }

  // ---- keys ----

  /** Publish a new signing key and sign with it from now on; `retireOld` drops the previous ones from the JWKS. */
  async rotateKeys(options: { retireOld?: boolean } = {}): Promise<SigningKey> {
    const key = await createSigningKey();
    this.keys = options.retireOld ? [key] : [...this.keys, key];
    this.activeKid = key.kid;
    return key;
  }

  get activeKey(): SigningKey {
    const key = this.keys.find((k) => k.kid === this.activeKid);
    if (!key) throw new Error('The identity provider has no active key');
    return key;
  }

  /** The active key's public key in PEM (SPKI), e.g. to forge an HS256 token "signed with the public key". */
  async activePublicKeyPem(): Promise<string> {
    const publicKey = await importJWK(this.activeKey.publicJwk, 'RS256', { extractable: true });
    return exportSPKI(publicKey as CryptoKey);
  }

  jwks(): { keys: JWK[] } {
    return { keys: this.keys.map((k) => k.publicJwk) };
  }

  // ---- issuers ----

  issuerV2(tenantId: string): string {
    return `${this.baseUrl}/${tenantId}/v2.0`;
  }

  /** Entra's v1.0 issuer is always on sts.windows.net, whichever host serves the metadata. */
  issuerV1(tenantId: string): string {
    return `https://sts.windows.net/${tenantId}/`;
  }

  tokenEndpoint(tenantId: string): string {
    return `${this.baseUrl}/${tenantId}/oauth2/v2.0/token`;
  }

  // ---- managed identities ----

  /** IDENTITY_ENDPOINT for a process that should get its managed identity's tokens here. */
  get managedIdentityEndpoint(): string {
    return `${this.baseUrl}/msi/token`;
  }

  registerManagedIdentity(identity: Omit<ManagedIdentity, 'principalId'> & { principalId?: string }): ManagedIdentity {
    const registered = { ...identity, principalId: identity.principalId ?? randomUUID() };
    this.managedIdentities.set(registered.clientId, registered);
    return registered;
  }

  // ---- clients ----

  registerClient(client: RegisteredClient): void {
    this.clients.set(client.clientId, client);
  }

  /** The next token request(s) get this Entra error instead of a token. */
  failNextToken(fault: TokenFault): void {
    this.faults.push({ ...fault, remaining: fault.times ?? 1 });
  }

  /**
   * Every on-behalf-of exchange for this user is refused with `fault` until `reset()`: missing
   * consent or an unmet Conditional Access policy is a condition of the user, which Entra
   * answers the same way each time, not a fault of one request. (A one-shot fault here let the
   * background profile refresh take the refusal and the next exchange succeed.)
   */
  refuseOnBehalfOf(userOid: string, fault: Omit<TokenFault, 'times'>): void {
    this.refusedUsers.set(userOid, fault);
  }

  // ---- tokens ----

  /** A Teams SSO access token for the API, as Entra issues it (v1.0 or v2.0 shape). */
  async userToken(options: UserTokenOptions & { apiClientId: string; apiAppIdUri: string }): Promise<string> {
    const version = options.version ?? 1;
    const now = Math.floor(Date.now() / 1000);
    const oid = options.oid ?? randomUUID();
    const name = options.name ?? 'Test Gebruiker';
    const upn = options.upn ?? `${oid.slice(0, 8)}@waterschap.example`;
    const common: Record<string, unknown> = {
      aud: options.audience ?? (version === 1 ? options.apiAppIdUri : options.apiClientId),
      iss: version === 1 ? this.issuerV1(options.tenantId) : this.issuerV2(options.tenantId),
      iat: now,
      nbf: now + (options.notBefore ?? -300),
      exp: now + (options.expiresIn ?? 3600),
      aio: randomUUID().replace(/-/g, ''),
      name,
      oid,
      rh: '0.AAAA',
      sub: randomUUID().replace(/-/g, ''),
      tid: options.tenantId,
      uti: randomUUID().replace(/-/g, '').slice(0, 22),
    };
    if (options.scope !== null) common.scp = options.scope ?? 'access_as_user';
    if (options.roles) common.roles = options.roles;
    if (options.acct !== undefined) common.acct = options.acct;
    if (options.idp !== undefined) common.idp = options.idp;
    const claims: Record<string, unknown> =
      version === 1
        ? {
            ...common,
            acr: '1',
            appid: TEAMS_CLIENT_ID,
            appidacr: '0',
            ...(options.amr === null ? {} : { amr: options.amr ?? ['pwd', 'mfa'] }),
            ipaddr: '192.0.2.10',
            unique_name: upn,
            upn,
            ver: '1.0',
          }
        : { ...common, azp: TEAMS_CLIENT_ID, azpacr: '0', preferred_username: upn, ver: '2.0' };
    return this.sign({ ...claims, ...options.extra }, options.key ?? this.activeKey, version === 1);
  }

  /** Sign any claims with a key (default the active one), RS256, kid in the header. */
  async sign(claims: JWTPayload, key: SigningKey = this.activeKey, withX5t = false): Promise<string> {
    return new SignJWT(claims)
      .setProtectedHeader({ typ: 'JWT', alg: 'RS256', kid: key.kid, ...(withX5t ? { x5t: key.kid } : {}) })
      .sign(key.privateKey);
  }

  // ---- Bot Framework ----

  get botOpenIdMetadataUrl(): string {
    return `${this.baseUrl}/botframework/v1/.well-known/openidconfiguration`;
  }

  /** A token as the Bot Framework channel (Teams) sends with each activity. */
  async botToken(options: BotTokenOptions): Promise<string> {
    const now = Math.floor(Date.now() / 1000);
    const claims: JWTPayload = {
      serviceurl: options.serviceUrl ?? 'https://smba.trafficmanager.net/emea/',
      nbf: now - 300,
      exp: now + (options.expiresIn ?? 3600),
      iss: options.issuer ?? BOT_FRAMEWORK_ISSUER,
      aud: options.audience,
      ...options.extra,
    };
    const key = options.key ?? this.botKeys[0];
    if (!key) throw new Error('no bot key');
    return new SignJWT(claims).setProtectedHeader({ typ: 'JWT', alg: 'RS256', kid: key.kid, x5t: key.kid }).sign(key.privateKey);
  }

  // ---- HTTP ----

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.baseUrl);
    const method = (req.method ?? 'GET').toUpperCase();
    this.requests.push({ method, path: url.pathname });
    const body = await readBody(req);
    const segments = url.pathname.split('/').filter(Boolean);

    if (method === 'GET' && url.pathname === '/botframework/v1/.well-known/openidconfiguration') {
      return json(res, 200, {
        issuer: BOT_FRAMEWORK_ISSUER,
        authorization_endpoint: 'https://invalid.botframework.com',
        jwks_uri: `${this.baseUrl}/botframework/v1/keys`,
        id_token_signing_alg_values_supported: ['RS256'],
        token_endpoint_auth_methods_supported: ['private_key_jwt'],
      });
    }
    if (method === 'GET' && url.pathname === '/botframework/v1/keys') {
      // The channel's keys carry endorsements: the channels each key may sign for.
      return json(res, 200, { keys: this.botKeys.map((k) => ({ ...k.publicJwk, x5t: k.kid, endorsements: ['msteams', 'webchat', 'directline', 'emulator'] })) });
    }

    if (method === 'GET' && url.pathname === '/msi/token') return this.managedIdentityToken(req, res, url.searchParams);

    const [tenant, ...rest] = segments;
    if (tenant === undefined || !(GUID.test(tenant) || tenant === 'common' || tenant === 'organizations')) {
      return json(res, 400, entraError('invalid_tenant', 90002, `Tenant '${tenant ?? ''}' not found.`));
    }
    const path = rest.join('/');
    const origin = typeof req.headers.origin === 'string' ? req.headers.origin : undefined;
    // Entra serves its metadata and keys to any origin (a browser app reads them cross-origin).
    const anyOrigin = { 'Access-Control-Allow-Origin': '*' };
    if (method === 'GET' && path === 'v2.0/.well-known/openid-configuration') return json(res, 200, this.metadataV2(tenant), anyOrigin);
    if (method === 'GET' && path === '.well-known/openid-configuration') return json(res, 200, this.metadataV1(tenant), anyOrigin);
    if (method === 'GET' && (path === 'discovery/v2.0/keys' || path === 'discovery/keys')) return json(res, 200, this.jwks(), anyOrigin);
    if (method === 'OPTIONS' && path === 'oauth2/v2.0/token') return send(res, this.browser.preflight(origin));
    if (method === 'POST' && path === 'oauth2/v2.0/token') {
      const form = new URLSearchParams(body.toString('utf8'));
      const browserAnswer = await this.browser.token(tenant, form, origin);
      if (browserAnswer) return send(res, browserAnswer);
      return this.token(res, tenant, form);
    }
    if (method === 'GET' && path === 'oauth2/v2.0/authorize') {
      if (this.clients.has(url.searchParams.get('client_id') ?? '') && this.browser.handles(url.searchParams)) return send(res, this.browser.authorize(tenant, url.searchParams));
      return this.authorize(res, tenant, url.searchParams);
    }
    if (method === 'GET' && path === 'oauth2/v2.0/logout') return send(res, this.browser.logout(tenant, url.searchParams));
    return json(res, 404, entraError('not_found', 0, `No such endpoint: ${method} ${url.pathname}`));
  }

  private metadataV2(tenant: string): Record<string, unknown> {
    const base = `${this.baseUrl}/${tenant}`;
    return {
      token_endpoint: `${base}/oauth2/v2.0/token`,
      token_endpoint_auth_methods_supported: ['client_secret_post', 'private_key_jwt', 'client_secret_basic'],
      jwks_uri: `${base}/discovery/v2.0/keys`,
      response_modes_supported: ['query', 'fragment', 'form_post'],
      subject_types_supported: ['pairwise'],
      id_token_signing_alg_values_supported: ['RS256'],
      response_types_supported: ['code', 'id_token', 'code id_token', 'id_token token'],
      scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
      issuer: this.issuerV2(tenant),
      request_uri_parameter_supported: false,
      userinfo_endpoint: `${this.baseUrl}/oidc/userinfo`,
      authorization_endpoint: `${base}/oauth2/v2.0/authorize`,
      device_authorization_endpoint: `${base}/oauth2/v2.0/devicecode`,
      http_logout_supported: true,
      frontchannel_logout_supported: true,
      end_session_endpoint: `${base}/oauth2/v2.0/logout`,
      claims_supported: ['sub', 'iss', 'aud', 'exp', 'iat', 'auth_time', 'acr', 'nonce', 'preferred_username', 'name', 'tid', 'ver', 'at_hash', 'c_hash', 'email'],
      kerberos_endpoint: `${base}/kerberos`,
      tenant_region_scope: 'EU',
      cloud_instance_name: 'microsoftonline.com',
      cloud_graph_host_name: 'graph.windows.net',
      msgraph_host: 'graph.microsoft.com',
      rbac_url: 'https://pas.windows.net',
    };
  }

  private metadataV1(tenant: string): Record<string, unknown> {
    const base = `${this.baseUrl}/${tenant}`;
    return {
      token_endpoint: `${base}/oauth2/token`,
      jwks_uri: `${this.baseUrl}/common/discovery/keys`,
      issuer: this.issuerV1(tenant),
      authorization_endpoint: `${base}/oauth2/authorize`,
      id_token_signing_alg_values_supported: ['RS256'],
      response_types_supported: ['code', 'id_token', 'code id_token', 'token id_token', 'token'],
      tenant_region_scope: 'EU',
      cloud_instance_name: 'microsoftonline.com',
    };
  }

  /**
   * The authorization endpoint: Entra shows its sign-in and consent screens here; the
   * stand-in answers at once as the user would. Unknown clients and requests without a
   * redirect URI get an error page, as Entra shows one (it never redirects to an unchecked URI).
   * https://learn.microsoft.com/en-us/entra/identity-platform/v2-oauth2-auth-code-flow#request-an-authorization-code
   */
  private authorize(res: ServerResponse, tenantId: string, query: URLSearchParams): void {
    this.authorizeRequests.push({ tenantId, params: Object.fromEntries(query) });
    const clientId = query.get('client_id') ?? '';
    const redirectUri = query.get('redirect_uri') ?? '';
    if (!this.clients.has(clientId)) return json(res, 400, entraError('unauthorized_client', 700016, `Application with identifier '${clientId}' was not found in the directory '${tenantId}'.`));
    if (!/^https:\/\//.test(redirectUri) && !/^http:\/\/(localhost|127\.0\.0\.1)[:/]/.test(redirectUri)) return json(res, 400, entraError('invalid_request', 90014, "The request must contain a valid 'redirect_uri'."));
    const back = new URL(redirectUri);
    const state = query.get('state');
    if (query.get('response_type') !== 'code') {
      back.searchParams.set('error', 'unsupported_response_type');
    } else if (this.authorizeAnswer === 'decline') {
      back.searchParams.set('error', 'access_denied');
      back.searchParams.set('error_description', 'AADSTS65004: User declined to consent to access the app.');
    } else {
      back.searchParams.set('code', `M.C5_BAY.2.U.${randomUUID()}`);
    }
    if (state !== null) back.searchParams.set('state', state);
    res.writeHead(302, { Location: back.toString(), 'Cache-Control': 'no-store' });
    res.end();
  }

  /**
   * App Service's local token endpoint: GET with api-version 2019-08-01, `resource`, and for a
   * user-assigned identity `client_id`; the X-IDENTITY-HEADER header must carry IDENTITY_HEADER.
   * The answer's `expires_on` is seconds since the epoch, as a string.
   */
  private async managedIdentityToken(req: IncomingMessage, res: ServerResponse, query: URLSearchParams): Promise<void> {
    const record: ManagedIdentityRequestRecord = {
      clientId: query.get('client_id'),
      resource: query.get('resource'),
      apiVersion: query.get('api-version'),
      headerOk: req.headers['x-identity-header'] === this.identityHeader,
      status: 0,
    };
    this.managedIdentityRequests.push(record);
    const answer = (status: number, body: Record<string, unknown>) => {
      record.status = status;
      json(res, status, body);
    };
    if (!record.headerOk) return answer(401, { statusCode: 401, message: 'Unauthorized: X-IDENTITY-HEADER is missing or wrong.' });
    if (record.apiVersion !== '2019-08-01') return answer(400, { statusCode: 400, message: 'Unsupported api-version.' });
    if (!record.resource) return answer(400, { statusCode: 400, message: 'Required query variable resource is missing.' });
    // Several user-assigned identities: the caller must say which; none registered under that id: 400.
    const identity = record.clientId ? this.managedIdentities.get(record.clientId) : this.managedIdentities.size === 1 ? [...this.managedIdentities.values()][0] : undefined;
    if (!identity) return answer(400, { statusCode: 400, message: 'No Managed Identity found for specified ClientId/ResourceId/PrincipalId.' });
    const resource = record.resource.replace(/\/+$/, '');
    const now = Math.floor(Date.now() / 1000);
    const accessToken = await this.sign({
      aud: resource,
      iss: this.issuerV1(identity.tenantId),
      iat: now,
      nbf: now - 300,
      exp: now + this.tokenLifetimeSeconds,
      appid: identity.clientId,
      oid: identity.principalId,
      sub: identity.principalId,
      tid: identity.tenantId,
      idtyp: 'app',
      roles: resource === TOKEN_EXCHANGE_AUDIENCE ? [] : ['User.Read.All'],
      ver: '1.0',
      xms_mirid: `/subscriptions/00000000-0000-0000-0000-000000000000/resourcegroups/meent/providers/Microsoft.ManagedIdentity/userAssignedIdentities/meent`,
    });
    this.issuedAccessTokens.add(accessToken);
    this.managedIdentityTokens.add(accessToken);
    return answer(200, { access_token: accessToken, expires_on: String(now + this.tokenLifetimeSeconds), resource, token_type: 'Bearer', client_id: identity.clientId });
  }

  private async token(res: ServerResponse, tenantId: string, form: URLSearchParams): Promise<void> {
    const grantType = form.get('grant_type') ?? '';
    const clientId = form.get('client_id') ?? undefined;
    const scope = form.get('scope') ?? undefined;
    const record: TokenRequestRecord = {
      tenantId,
      grantType,
      clientId,
      clientAuth: form.has('client_secret') ? 'secret' : form.has('client_assertion') ? 'assertion' : 'none',
      scope,
      status: 0,
    };
    this.tokenRequests.push(record);
    const answer = (status: number, body: Record<string, unknown>) => {
      record.status = status;
      if (typeof body.error === 'string') record.error = body.error;
      json(res, status, body);
    };

    const client = clientId ? this.clients.get(clientId) : undefined;
    if (!clientId || !client) {
      return answer(400, entraError('unauthorized_client', 700016, `Application with identifier '${clientId ?? ''}' was not found in the directory '${tenantId}'.`));
    }
    const clientProblem = await this.checkClientAuthentication(client, tenantId, form);
    if (clientProblem) return answer(401, clientProblem);

    let userClaims: JWTPayload | undefined;
    if (grantType === JWT_BEARER) {
      if (form.get('requested_token_use') !== 'on_behalf_of') return answer(400, entraError('invalid_request', 900144, "The request body must contain the following parameter: 'requested_token_use'."));
      const assertion = form.get('assertion');
      if (!assertion) return answer(400, entraError('invalid_request', 900144, "The request body must contain the following parameter: 'assertion'."));
      try {
        userClaims = await this.verifyUserAssertion(assertion, tenantId, client);
      } catch (error) {
        return answer(400, entraError('invalid_grant', 50013, `AADSTS50013: Assertion failed signature validation or is not valid. ${(error as Error).message}`));
      }
      record.userOid = typeof userClaims.oid === 'string' ? userClaims.oid : undefined;
    } else if (grantType === 'client_credentials') {
      if (!scope?.trim().endsWith('/.default')) return answer(400, entraError('invalid_scope', 1002012, 'The provided value for scope is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier.'));
    } else {
      return answer(400, entraError('unsupported_grant_type', 70003, `The app requested an unsupported grant type '${grantType}'.`));
    }

    const refusal = record.userOid ? this.refusedUsers.get(record.userOid) : undefined;
    const oneShot = refusal ? undefined : this.faults.find((f) => f.remaining > 0);
    if (oneShot) oneShot.remaining--;
    const fault = refusal ?? oneShot;
    if (fault) {
      return answer(fault.status ?? 400, {
        ...entraError(fault.error, fault.errorCodes?.[0] ?? 0, fault.description ?? `AADSTS${fault.errorCodes?.[0] ?? 0}: ${fault.error}`),
        error_codes: fault.errorCodes ?? [],
        ...(fault.suberror ? { suberror: fault.suberror } : {}),
        ...(fault.claims ? { claims: fault.claims } : {}),
      });
    }

    const resource = resourceOf(scope);
    const now = Math.floor(Date.now() / 1000);
    const claims: JWTPayload = {
      aud: resource,
      iss: this.issuerV1(tenantId),
      iat: now,
      nbf: now - 300,
      exp: now + this.tokenLifetimeSeconds,
      appid: clientId,
      tid: tenantId,
      ver: '1.0',
      uti: randomUUID().replace(/-/g, '').slice(0, 22),
    };
    if (userClaims) {
      Object.assign(claims, { oid: userClaims.oid, name: userClaims.name, upn: userClaims.upn ?? userClaims.preferred_username, scp: delegatedScopes(scope), idtyp: 'user' });
    } else {
      Object.assign(claims, { oid: randomUUID(), roles: ['User.Read.All'], idtyp: 'app' });
    }
    const accessToken = await this.sign(claims);
    this.issuedAccessTokens.add(accessToken);
    return answer(200, {
      token_type: 'Bearer',
      scope: userClaims ? (scope ?? '') : resource + '/.default',
      expires_in: this.tokenLifetimeSeconds,
      ext_expires_in: this.tokenLifetimeSeconds,
      access_token: accessToken,
    });
  }

  private async checkClientAuthentication(client: RegisteredClient, tenantId: string, form: URLSearchParams): Promise<Record<string, unknown> | undefined> {
    const secret = form.get('client_secret');
    if (secret !== null) {
      if (client.secret !== undefined && secret === client.secret) return undefined;
      return entraError('invalid_client', 7000215, 'Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID.');
    }
    const assertion = form.get('client_assertion');
    if (assertion !== null && form.get('client_assertion_type') === CLIENT_ASSERTION_TYPE && client.trustedManagedIdentity) {
      // A federated identity credential: the assertion is a token of the trusted managed identity for the exchange audience.
      try {
        const trusted = client.trustedManagedIdentity;
        const { payload } = await jwtVerify(assertion, createLocalJWKSet(this.jwks()), { algorithms: ['RS256'], audience: TOKEN_EXCHANGE_AUDIENCE, issuer: [this.issuerV1(trusted.tenantId), this.issuerV2(trusted.tenantId)] });
        if (payload.sub !== trusted.principalId) throw new Error('the subject is not the trusted managed identity');
        return undefined;
      } catch (error) {
        return entraError('invalid_client', 700213, `No matching federated identity record found for presented assertion. ${(error as Error).message}`);
      }
    }
    if (assertion !== null && form.get('client_assertion_type') === CLIENT_ASSERTION_TYPE) {
      if (!client.certificatePem) return entraError('invalid_client', 700027, 'Client assertion contains an invalid signature: no certificate is registered.');
      try {
        const { alg } = decodeProtectedHeader(assertion);
        if (alg !== 'RS256' && alg !== 'PS256') throw new Error(`algorithm ${alg ?? ''}`);
        const key = await importX509(client.certificatePem, alg);
        // The assertion names the token endpoint as audience, and the client as issuer and subject.
        const { payload } = await jwtVerify(assertion, key, { audience: this.tokenEndpoint(tenantId), issuer: client.clientId, subject: client.clientId, algorithms: ['RS256', 'PS256'], clockTolerance: 300 });
        if (typeof payload.exp !== 'number') throw new Error('no exp');
        return undefined;
      } catch (error) {
        return entraError('invalid_client', 700027, `Client assertion failed signature validation. ${(error as Error).message}`);
      }
    }
    return entraError('invalid_client', 7000218, "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.");
  }

  private async verifyUserAssertion(assertion: string, tenantId: string, client: RegisteredClient): Promise<JWTPayload> {
    const audiences = [client.clientId, ...(client.appIdUri ? [client.appIdUri] : [])];
    const { payload } = await jwtVerify(assertion, createLocalJWKSet(this.jwks()), {
      algorithms: ['RS256'],
      audience: audiences,
      issuer: [this.issuerV1(tenantId), this.issuerV2(tenantId)],
    });
    if (payload.tid !== tenantId) throw new Error('tenant mismatch');
    return payload;
  }
}

export function startIdentityProvider(): Promise<IdentityProvider> {
  return IdentityProvider.start();
}

/** A self-signed client certificate (PEM with key and certificate, as `@azure/identity` reads it). */
export interface ClientCertificate {
  /** File holding the private key and the certificate. */
  path: string;
  certificatePem: string;
  remove(): void;
}

export function createClientCertificate(commonName = 'meent-test-client'): ClientCertificate {
  const dir = mkdtempSync(join(tmpdir(), 'meent-client-cert-'));
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'key.pem', '-out', 'cert.pem', '-days', '2', '-subj', `/CN=${commonName}`], { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
  const certificatePem = readFileSync(join(dir, 'cert.pem'), 'utf8');
  const path = join(dir, 'client.pem');
  writeFileSync(path, readFileSync(join(dir, 'key.pem'), 'utf8') + certificatePem);
  return { path, certificatePem, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

function resourceOf(scope: string | undefined): string {
  const first = (scope ?? '').split(' ').find((s) => s.startsWith('https://') || s.startsWith('api://')) ?? 'https://graph.microsoft.com/.default';
  const url = first.replace(/\/[^/]*$/, '');
  return url === '' ? 'https://graph.microsoft.com' : url;
}

function delegatedScopes(scope: string | undefined): string {
  const named = (scope ?? '')
    .split(' ')
    .filter((s) => s.startsWith('https://') || s.startsWith('api://'))
    .map((s) => s.replace(/^.*\//, ''));
  // `.default` stands for the scopes the app was consented to.
  return named.flatMap((s) => (s === '.default' ? ['User.Read', 'User.ReadBasic.All', 'Calendars.ReadWrite'] : [s])).join(' ');
}

function entraError(error: string, code: number, description: string): Record<string, unknown> {
  return {
    error,
    error_description: description.startsWith('AADSTS') ? description : `AADSTS${code}: ${description}`,
    error_codes: [code],
    timestamp: new Date().toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z'),
    trace_id: randomUUID(),
    correlation_id: randomUUID(),
  };
}

function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(text), 'Cache-Control': 'no-store', ...headers });
  res.end(text);
}

function send(res: ServerResponse, answer: Answer): void {
  if (answer.body !== undefined && typeof answer.body !== 'string') return json(res, answer.status, answer.body, answer.headers);
  res.writeHead(answer.status, answer.headers);
  res.end(answer.body);
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
