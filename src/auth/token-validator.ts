/**
 * Validates the Teams SSO access tokens the tab sends (`Authorization: Bearer`), v1.0 and
 * v2.0: tenant on the allow-list (checked before anything is fetched), RS256 signature
 * against the tenant's published keys, issuer from the tenant's OpenID metadata (never from
 * the token), audience, expiry and not-before with at most 5 minutes' skew, and the
 * `access_as_user` scope. https://learn.microsoft.com/en-us/entra/identity-platform/access-tokens#validate-tokens
 */
import { decodeJwt, decodeProtectedHeader, errors, jwtVerify } from 'jose';
import { z } from 'zod';
import { AuthenticationFailedError, type RejectionReason } from './auth-errors.js';
import type { OpenIdKeys } from './openid-keys.js';

export interface TokenValidatorOptions {
  keys: OpenIdKeys;
  /** `ENTRA_TENANT_ID`: always allowed. */
  homeTenantId: string;
  /** `ENTRA_ALLOWED_TENANTS`. */
  allowedTenants: string[];
  /** `ENTRA_APP_ID_URI` (v1.0 tokens) and `ENTRA_CLIENT_ID` (v2.0 tokens). */
  audiences: string[];
  /**
   * The client apps whose tokens are accepted (`azp` in v2.0 tokens, `appid` in v1.0): a token
   * for Meent's API that another app obtained (any app the user consented to can ask for one)
   * is refused. Default: the Microsoft 365 clients that host a Teams tab.
   */
  allowedClientApps?: readonly string[];
  /** Default `access_as_user`, the scope Teams SSO asks for. */
  requiredScope?: string;
  /** Default 300 (5 minutes). */
  clockToleranceSeconds?: number;
  now?: () => number;
}

const guid = z.string().regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i);

/** The claims Meent reads, after the signature is verified. */
const claimsSchema = z.object({
  oid: guid,
  tid: guid,
  ver: z.enum(['1.0', '2.0']),
  name: z.string().max(256).optional(),
  upn: z.string().max(256).optional(),
  unique_name: z.string().max(256).optional(),
  preferred_username: z.string().max(256).optional(),
  email: z.string().max(320).optional(),
  scp: z.string().max(4096).optional(),
  roles: z.array(z.string().max(256)).max(200).optional(),
  amr: z.array(z.string().max(64)).max(50).optional(),
  acct: z.number().int().optional(),
  idp: z.string().max(512).optional(),
  idtyp: z.string().max(32).optional(),
  azp: z.string().max(64).optional(),
  appid: z.string().max(64).optional(),
});

/**
 * The Microsoft 365 clients that get SSO tokens for a tab, the IDs Microsoft tells tab apps to
 * pre-authorize: https://learn.microsoft.com/en-us/microsoftteams/platform/tabs/how-to/authentication/tab-sso-register-aad
 * (Teams desktop/mobile, Teams web, Microsoft 365 web, desktop and mobile (also Outlook desktop),
 * Outlook web, Outlook mobile).
 */
export const MICROSOFT_365_TAB_CLIENTS: readonly string[] = [
  '1fec8e78-bce4-4aaf-ab1b-5451cc387264',
  '5e3ce6c0-2b1f-4285-8d4b-75ee78787346',
  '4765445b-32c6-49b0-83e6-1d93765276ca',
  '0ec893e0-5785-4de6-99da-4ed124e5296c',
  'd3590ed6-52b3-4102-aeff-aad2292ab01c',
  'bc59ab01-8403-45c6-8796-ac3ef710b3e3',
  '27922004-5251-4030-b22d-91ecd9a37ea4',
];

export type EntraAccessClaims = z.infer<typeof claimsSchema>;

/** Larger than any token Entra issues for an app (even with group claims it switches to an overage claim). */
const MAX_TOKEN_LENGTH = 16 * 1024;

export class TokenValidator {
  private readonly allowedTenants: Set<string>;
  private readonly requiredScope: string;
  private readonly allowedClients: ReadonlySet<string>;
  private readonly clockTolerance: number;
  private readonly now: () => number;

  constructor(private readonly options: TokenValidatorOptions) {
    this.allowedTenants = new Set([options.homeTenantId, ...options.allowedTenants].map((t) => t.toLowerCase()));
    this.requiredScope = options.requiredScope ?? 'access_as_user';
    this.allowedClients = new Set((options.allowedClientApps ?? MICROSOFT_365_TAB_CLIENTS).map((c) => c.toLowerCase()));
    this.clockTolerance = options.clockToleranceSeconds ?? 300;
    this.now = options.now ?? Date.now;
  }

  /** The verified claims, or `AuthenticationFailedError` with the reason. */
  async validate(token: string): Promise<EntraAccessClaims> {
    if (token.length > MAX_TOKEN_LENGTH || token.split('.').length !== 3) throw reject('malformed_token');
    let alg: string | undefined;
    let unverified: Record<string, unknown>;
    try {
      alg = decodeProtectedHeader(token).alg;
      unverified = decodeJwt(token);
    } catch {
      throw reject('malformed_token');
    }
    // Entra signs with RS256 only; refusing anything else up front also closes the
    // `alg: none` and HS256-with-the-public-key tricks.
    if (alg !== 'RS256') throw reject('unsupported_algorithm');

    // The tenant decides which metadata we fetch, so it is checked first: tokens naming any
    // other tenant cost us nothing and make no outgoing request.
    const tid = unverified.tid;
    if (typeof tid !== 'string' || !guid.safeParse(tid).success) throw reject('invalid_claims');
    if (!this.allowedTenants.has(tid.toLowerCase())) throw reject('tenant_not_allowed');
    const version = unverified.ver === '1.0' ? 1 : unverified.ver === '2.0' ? 2 : undefined;
    if (version === undefined) throw reject('invalid_claims');

    const metadata = await this.options.keys.metadataFor(tid, version);
    let payload: Record<string, unknown>;
    try {
      ({ payload } = await jwtVerify(token, this.options.keys.keyResolver(metadata.jwksUri), {
        algorithms: ['RS256'],
        issuer: metadata.issuer.replace('{tenantid}', tid),
        audience: this.options.audiences,
        clockTolerance: this.clockTolerance,
        requiredClaims: ['exp', 'nbf', 'iss', 'aud', 'tid', 'oid'],
        currentDate: new Date(this.now()),
      }));
    } catch (error) {
      throw reject(reasonFor(error), error);
    }

    const parsed = claimsSchema.safeParse(payload);
    if (!parsed.success || parsed.data.tid.toLowerCase() !== tid.toLowerCase()) throw reject('invalid_claims');
    const claims = parsed.data;
    // App-only tokens (client credentials) have roles but no scp: they do not act for a person.
    const scopes = (claims.scp ?? '').split(' ');
    if (claims.idtyp === 'app' || !scopes.includes(this.requiredScope)) throw reject('missing_scope');
    const client = (claims.ver === '2.0' ? claims.azp : claims.appid)?.toLowerCase();
    if (client === undefined || !this.allowedClients.has(client)) throw reject('client_not_allowed');
    return claims;
  }
}

function reject(reason: RejectionReason, cause?: unknown): AuthenticationFailedError {
  const error = new AuthenticationFailedError(reason);
  if (cause !== undefined) error.cause = cause;
  return error;
}

function reasonFor(error: unknown): RejectionReason {
  if (error instanceof errors.JWTExpired) return 'token_expired';
  if (error instanceof errors.JWTClaimValidationFailed) {
    if (error.claim === 'nbf') return 'token_not_yet_valid';
    if (error.claim === 'iss') return 'wrong_issuer';
    if (error.claim === 'aud') return 'wrong_audience';
    return 'invalid_claims';
  }
  if (error instanceof errors.JWSSignatureVerificationFailed) return 'invalid_signature';
  if (error instanceof errors.JWKSNoMatchingKey) return 'unknown_signing_key';
  if (error instanceof errors.JOSEAlgNotAllowed) return 'unsupported_algorithm';
  if (error instanceof errors.JOSEError) return 'malformed_token';
  // Anything else (the authority unreachable) is not the token's fault: let it through as is.
  throw error;
}
