/**
 * The browser sign-in of the local identity provider (test/support/identity-provider.ts): what
 * a single-page application (`@azure/msal-browser`) needs from Microsoft Entra ID, to its
 * public contract, so that msal-browser runs against it unchanged.
 *
 *   GET  /{tenant}/oauth2/v2.0/authorize   for a redirect URI registered as `spa`: the person at the
 *                                          keyboard (`signInAs`) signs in; PKCE (S256) is required;
 *                                          a one-time code is sent back in the fragment or query
 *   POST /{tenant}/oauth2/v2.0/token       grant_type=authorization_code (code_verifier checked
 *                                          against the code_challenge, redirect_uri and client must
 *                                          match, the code is single-use and short-lived) and
 *                                          grant_type=refresh_token; both only as cross-origin
 *                                          requests (an `Origin` header), answered with CORS headers
 *   GET  /{tenant}/oauth2/v2.0/logout      ends the session and goes to post_logout_redirect_uri
 *
 * Tokens: a v1.0 access token for the API (the default `accessTokenAcceptedVersion`), with
 * `appid` the SPA's client id; a v2.0 ID token with the request's `nonce`; `client_info`
 * (uid, utid) when asked for; an opaque refresh token.
 *
 * Sources:
 * https://learn.microsoft.com/en-us/entra/identity-platform/v2-oauth2-auth-code-flow (SPA redirect
 *   URIs, PKCE, the Origin header and AADSTS9002327, refresh tokens for SPAs expire after 24 hours),
 * https://learn.microsoft.com/en-us/entra/identity-platform/v2-oauth2-auth-code-flow#refresh-the-access-token,
 * https://learn.microsoft.com/en-us/entra/identity-platform/v2-protocols-oidc#send-a-sign-out-request,
 * https://learn.microsoft.com/en-us/entra/identity-platform/id-token-claims-reference,
 * https://learn.microsoft.com/en-us/entra/identity-platform/reference-error-codes (501481, 50148,
 *   9002327, 50020), https://learn.microsoft.com/en-us/entra/external-id/user-properties (guests:
 *   `#EXT#` user principal names, signing in to the inviting tenant).
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { JWTPayload } from 'jose';

/** A person who can sign in in the browser: an account in a home tenant, perhaps a guest in others. */
export interface BrowserAccount {
  oid: string;
  name: string;
  /** The user principal name in the home tenant (`gita@adviesbureau.example`). */
  upn: string;
  homeTenantId: string;
  /** Tenants that invited this person as a B2B guest: there they have another object id. */
  guestIn?: Record<string, { oid: string; upn?: string }>;
  /** App roles in the tenant they sign in to. */
  roles?: string[];
}

/** An authorization request of the browser flow, as the stand-in received it (no secrets). */
export interface BrowserAuthorizeRecord {
  tenantId: string;
  clientId: string;
  redirectUri: string;
  responseMode: string;
  codeChallengeMethod: string | undefined;
  scope: string;
  hasState: boolean;
  hasNonce: boolean;
}

export interface BrowserTokenRecord {
  grantType: 'authorization_code' | 'refresh_token';
  origin: string | undefined;
  status: number;
  error?: string;
  /** `AADSTS` code of a refusal, e.g. 501481 (PKCE) or 9002327 (no Origin). */
  errorCode?: number;
}

export interface LogoutRecord {
  tenantId: string;
  postLogoutRedirectUri: string | undefined;
}

interface PendingCode {
  clientId: string;
  redirectUri: string;
  codeChallenge: string;
  tenantId: string;
  account: BrowserAccount;
  scope: string;
  nonce: string | undefined;
  expiresAt: number;
}

interface Grant {
  clientId: string;
  tenantId: string;
  account: BrowserAccount;
  scope: string;
}

export interface BrowserSignInDeps {
  baseUrl: string;
  issuerV1(tenantId: string): string;
  issuerV2(tenantId: string): string;
  sign(claims: JWTPayload): Promise<string>;
  /** The client's registered SPA redirect URIs, or undefined for an unknown client. */
  spaRedirectUris(clientId: string): readonly string[] | undefined;
  tokenLifetimeSeconds(): number;
  /** Every access token handed out (the Graph stand-in accepts them). */
  issued(accessToken: string): void;
}

export interface Answer {
  status: number;
  headers: Record<string, string>;
  body?: Record<string, unknown> | string;
}

/** Entra's codes live for about ten minutes (the auth code flow page); one is plenty for a test. */
const CODE_LIFETIME_MS = 10 * 60 * 1000;
const ORGANIZATIONS = new Set(['organizations', 'common']);

export class BrowserSignIn {
  /** Who signs in at the next authorization request (the person at the keyboard). */
  account: BrowserAccount | undefined;
  readonly authorizeRecords: BrowserAuthorizeRecord[] = [];
  readonly tokenRecords: BrowserTokenRecord[] = [];
  readonly logoutRecords: LogoutRecord[] = [];
  private readonly codes = new Map<string, PendingCode>();
  private readonly refreshTokens = new Map<string, Grant>();
  /** The client of the browser session (the last grant), for a logout request that names none. */
  private sessionClientId: string | undefined;

  constructor(private readonly deps: BrowserSignInDeps) {}

  reset(): void {
    this.account = undefined;
    this.authorizeRecords.length = 0;
    this.tokenRecords.length = 0;
    this.logoutRecords.length = 0;
    this.codes.clear();
    this.refreshTokens.clear();
    this.sessionClientId = undefined;
  }

  /** True when this authorization request is the browser flow (its redirect URI is registered as `spa`). */
  handles(query: URLSearchParams): boolean {
    const uris = this.deps.spaRedirectUris(query.get('client_id') ?? '');
    return uris !== undefined && uris.includes(query.get('redirect_uri') ?? '');
  }

  /** The authorize endpoint for a SPA redirect URI. */
  authorize(tenant: string, query: URLSearchParams): Answer {
    const clientId = query.get('client_id') ?? '';
    const redirectUri = query.get('redirect_uri') ?? '';
    const responseMode = query.get('response_mode') ?? 'fragment';
    const method = query.get('code_challenge_method') ?? undefined;
    const challenge = query.get('code_challenge') ?? '';
    const scope = query.get('scope') ?? '';
    const state = query.get('state');
    const nonce = query.get('nonce') ?? undefined;
    this.authorizeRecords.push({ tenantId: tenant, clientId, redirectUri, responseMode, codeChallengeMethod: method, scope, hasState: state !== null, hasNonce: nonce !== undefined });

    const back = (params: Record<string, string>): Answer => {
      const all = new URLSearchParams(params);
      if (state !== null) all.set('state', state);
      const target = new URL(redirectUri);
      if (responseMode === 'query') target.search = all.toString();
      else target.hash = all.toString();
      return { status: 302, headers: { Location: target.toString(), 'Cache-Control': 'no-store' } };
    };
    if (query.get('response_type') !== 'code') return back({ error: 'unsupported_response_type', error_description: 'AADSTS70005: response_type must be code.' });
    // PKCE is required for SPA redirect URIs, and only S256 is accepted by this stand-in (as msal sends).
    if (method !== 'S256' || !/^[A-Za-z0-9_-]{43}$/.test(challenge)) {
      return back({ error: 'invalid_request', error_description: 'AADSTS50149: Invalid Code_Challenge_method parameter or missing code_challenge (PKCE is required for single-page applications).' });
    }
    const account = this.account;
    if (!account) return { status: 400, headers: { 'Content-Type': 'text/html; charset=utf-8' }, body: '<!doctype html><title>Sign in</title><p>No test account signs in (call signInAs first).</p>' };
    const tenantId = ORGANIZATIONS.has(tenant) ? account.homeTenantId : tenant;
    if (tenantId !== account.homeTenantId && !account.guestIn?.[tenantId]) {
      // Entra shows this on its own page and does not redirect.
      return { status: 400, headers: { 'Content-Type': 'text/html; charset=utf-8' }, body: `<!doctype html><title>Sign in</title><p>AADSTS50020: User account '${account.upn}' from identity provider does not exist in tenant '${tenantId}'.</p>` };
    }
    const code = `1.A${randomBytes(48).toString('base64url')}`;
    this.codes.set(code, { clientId, redirectUri, codeChallenge: challenge, tenantId, account, scope, nonce, expiresAt: Date.now() + CODE_LIFETIME_MS });
    return back({ code, client_info: clientInfo(account, tenantId), session_state: randomUUID() });
  }

  /** The token endpoint for the browser grants; undefined when the request is not one of them. */
  async token(tenant: string, form: URLSearchParams, origin: string | undefined): Promise<Answer | undefined> {
    const grantType = form.get('grant_type');
    if (grantType !== 'authorization_code' && grantType !== 'refresh_token') return undefined;
    const clientId = form.get('client_id') ?? '';
    const uris = this.deps.spaRedirectUris(clientId);
    if (uris === undefined) return undefined;
    const record: BrowserTokenRecord = { grantType, origin, status: 0 };
    this.tokenRecords.push(record);
    const refuse = (status: number, error: string, code: number, description: string): Answer => {
      record.status = status;
      record.error = error;
      record.errorCode = code;
      return { status, headers: cors(origin), body: entraError(error, code, description) };
    };
    if (origin === undefined) return refuse(400, 'invalid_request', 9002327, "Tokens issued for the 'Single-Page Application' client-type may only be redeemed via cross-origin requests.");
    if (form.has('client_secret') || form.has('client_assertion')) return refuse(401, 'invalid_client', 700025, 'Client is public so neither client_assertion nor client_secret should be presented.');

    let grant: Grant;
    let nonce: string | undefined;
    if (grantType === 'authorization_code') {
      const code = form.get('code') ?? '';
      const pending = this.codes.get(code);
      // A code is redeemed once: a second redemption fails like an unknown one.
      this.codes.delete(code);
      if (!pending || pending.expiresAt < Date.now()) return refuse(400, 'invalid_grant', 70008, 'The provided authorization code or refresh token has expired due to inactivity, or was already redeemed.');
      if (pending.clientId !== clientId) return refuse(400, 'invalid_grant', 70000, 'The provided authorization code was issued to another client.');
      if (pending.redirectUri !== form.get('redirect_uri')) return refuse(400, 'invalid_grant', 50148, "The redirect_uri does not match the one used in the authorization request.");
      const verifier = form.get('code_verifier') ?? '';
      if (!/^[A-Za-z0-9._~-]{43,128}$/.test(verifier) || createHash('sha256').update(verifier).digest('base64url') !== pending.codeChallenge) {
        return refuse(400, 'invalid_grant', 501481, 'The Code_Verifier does not match the code_challenge supplied in the authorization request.');
      }
      grant = { clientId, tenantId: pending.tenantId, account: pending.account, scope: pending.scope };
      nonce = pending.nonce;
    } else {
      const known = this.refreshTokens.get(form.get('refresh_token') ?? '');
      if (!known || known.clientId !== clientId) return refuse(400, 'invalid_grant', 70008, 'The provided authorization code or refresh token has expired due to inactivity.');
      grant = { ...known, scope: form.get('scope') ?? known.scope };
    }
    const tenantId = ORGANIZATIONS.has(tenant) ? grant.tenantId : tenant;
    if (tenantId !== grant.tenantId) return refuse(400, 'invalid_grant', 50020, 'The grant was issued for another tenant.');

    const body = await this.tokens(grant, nonce, form.get('client_info') === '1');
    this.sessionClientId = clientId;
    record.status = 200;
    return { status: 200, headers: cors(origin), body };
  }

  /** The end-session endpoint: forget the person's grants, then back to the app. */
  logout(tenant: string, query: URLSearchParams): Answer {
    const postLogout = query.get('post_logout_redirect_uri') ?? undefined;
    this.logoutRecords.push({ tenantId: tenant, postLogoutRedirectUri: postLogout });
    // The post-logout URI must be one the app registered (the session's app, when the request names none).
    const clientId = query.get('client_id') ?? this.sessionClientId;
    const allowed = postLogout !== undefined && clientId !== undefined && (this.deps.spaRedirectUris(clientId) ?? []).includes(postLogout);
    for (const [token, grant] of this.refreshTokens) {
      if (grant.account === this.account) this.refreshTokens.delete(token);
    }
    this.sessionClientId = undefined;
    if (!allowed) return { status: 200, headers: { 'Content-Type': 'text/html; charset=utf-8' }, body: '<!doctype html><title>Signed out</title><p>You signed out of your account.</p>' };
    return { status: 302, headers: { Location: postLogout, 'Cache-Control': 'no-store' } };
  }

  /** CORS preflight of the token endpoint. */
  preflight(origin: string | undefined): Answer {
    return { status: 204, headers: { ...cors(origin), 'Access-Control-Allow-Methods': 'POST, OPTIONS', 'Access-Control-Allow-Headers': 'content-type', 'Access-Control-Max-Age': '600' } };
  }

  private async tokens(grant: Grant, nonce: string | undefined, withClientInfo: boolean): Promise<Record<string, unknown>> {
    const { account, tenantId, clientId } = grant;
    const guest = tenantId !== account.homeTenantId;
    const oid = guest ? (account.guestIn?.[tenantId]?.oid ?? account.oid) : account.oid;
    // A guest's user principal name in the inviting tenant: user_domain#EXT#@tenant.
    const upn = guest ? (account.guestIn?.[tenantId]?.upn ?? `${account.upn.replace('@', '_')}#EXT#@${tenantId.slice(0, 8)}.onmicrosoft.example`) : account.upn;
    const now = Math.floor(Date.now() / 1000);
    const lifetime = this.deps.tokenLifetimeSeconds();
    const apiScopes = grant.scope.split(' ').filter((s) => s.startsWith('api://') || s.startsWith('https://'));
    const resource = apiScopes[0]?.replace(/\/[^/]*$/, '');
    const common = { tid: tenantId, oid, name: account.name, iat: now, nbf: now - 300, exp: now + lifetime, uti: randomUUID().replace(/-/g, '').slice(0, 22) };
    const body: Record<string, unknown> = { token_type: 'Bearer', scope: apiScopes.join(' '), expires_in: lifetime, ext_expires_in: lifetime };
    if (resource) {
      const access = await this.deps.sign({
        ...common,
        aud: resource,
        iss: this.deps.issuerV1(tenantId),
        appid: clientId,
        appidacr: '0',
        acr: '1',
        amr: ['pwd', 'mfa'],
        scp: apiScopes.map((s) => s.replace(/^.*\//, '')).join(' '),
        sub: randomUUID().replace(/-/g, ''),
        upn,
        unique_name: upn,
        ver: '1.0',
        ...(guest ? { acct: 1, idp: `https://sts.windows.net/${account.homeTenantId}/` } : {}),
        ...(account.roles ? { roles: account.roles } : {}),
      });
      this.deps.issued(access);
      body.access_token = access;
    }
    if (grant.scope.split(' ').includes('openid')) {
      body.id_token = await this.deps.sign({
        ...common,
        aud: clientId,
        iss: this.deps.issuerV2(tenantId),
        sub: createHash('sha256').update(`${oid}:${clientId}`).digest('base64url'),
        preferred_username: upn,
        ver: '2.0',
        ...(nonce !== undefined ? { nonce } : {}),
      });
    }
    if (grant.scope.split(' ').includes('offline_access')) {
      const refresh = `0.A${randomBytes(96).toString('base64url')}`;
      this.refreshTokens.set(refresh, { ...grant });
      body.refresh_token = refresh;
      // SPA refresh tokens live 24 hours (the auth code flow page).
      body.refresh_token_expires_in = 86_400;
    }
    if (withClientInfo) body.client_info = clientInfo(account, tenantId);
    return body;
  }
}

/** `client_info`: base64url JSON with the account's object id and home tenant (MSAL's account key). */
function clientInfo(account: BrowserAccount, tenantId: string): string {
  const guest = tenantId !== account.homeTenantId;
  const uid = guest ? (account.guestIn?.[tenantId]?.oid ?? account.oid) : account.oid;
  return Buffer.from(JSON.stringify({ uid, utid: tenantId })).toString('base64url');
}

/** Entra answers the token endpoint's cross-origin requests for SPA clients with the caller's origin. */
function cors(origin: string | undefined): Record<string, string> {
  return origin === undefined ? { 'Cache-Control': 'no-store' } : { 'Access-Control-Allow-Origin': origin, Vary: 'Origin', 'Cache-Control': 'no-store' };
}

function entraError(error: string, code: number, description: string): Record<string, unknown> {
  return {
    error,
    error_description: `AADSTS${code}: ${description}`,
    error_codes: [code],
    timestamp: new Date().toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z'),
    trace_id: randomUUID(),
    correlation_id: randomUUID(),
  };
}
