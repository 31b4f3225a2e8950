/**
 * The errors of the identity layer. Each is a domain error with a stable code; the ones a
 * client must act on carry a `WWW-Authenticate` challenge and problem extension members
 * (see `ProblemExtras` in src/errors/domain-errors.ts). Messages never echo the token.
 */
import { ForbiddenError, UnauthorizedError, type ProblemExtras } from '../errors/domain-errors.js';

/** Why a request was not authenticated; recorded in the audit log, never the token itself. */
export type RejectionReason =
  | 'missing_token'
  | 'malformed_token'
  | 'unsupported_algorithm'
  | 'invalid_signature'
  | 'unknown_signing_key'
  | 'token_expired'
  | 'token_not_yet_valid'
  | 'wrong_issuer'
  | 'wrong_audience'
  | 'tenant_not_allowed'
  | 'client_not_allowed'
  | 'missing_scope'
  | 'invalid_claims'
  | 'guests_not_allowed'
  | 'mfa_required'
  | 'no_session'
  | 'unknown_person';

/** The code and message a client sees for each reason: precise where the client can act on it, generic otherwise. */
const publicFace = {
  missing_token: ['unauthenticated', 'Sign in first: send a Teams SSO token as Authorization: Bearer <token>.'],
  malformed_token: ['invalid_token', 'The access token is not valid.'],
  unsupported_algorithm: ['invalid_token', 'The access token is not valid.'],
  invalid_signature: ['invalid_token', 'The access token is not valid.'],
  unknown_signing_key: ['invalid_token', 'The access token is not valid.'],
  wrong_issuer: ['invalid_token', 'The access token is not valid.'],
  wrong_audience: ['invalid_token', 'The access token is not valid.'],
  invalid_claims: ['invalid_token', 'The access token is not valid.'],
  token_not_yet_valid: ['invalid_token', 'The access token is not valid yet.'],
  token_expired: ['token_expired', 'The access token has expired; get a new one.'],
  missing_scope: ['insufficient_scope', 'The access token was not issued for Meent (access_as_user is missing).'],
  client_not_allowed: ['invalid_token', 'The access token was not issued to a Microsoft 365 app that may open Meent.'],
  tenant_not_allowed: ['tenant_not_allowed', 'Your organisation is not allowed to use this Meent. Ask its administrator to add your tenant.'],
  guests_not_allowed: ['guests_not_allowed', 'Guest accounts may not use Meent in this organisation. Ask a member of the organisation if you need access.'],
  mfa_required: ['step_up_required', 'Sign in again with multi-factor authentication to continue.'],
  no_session: ['unauthenticated', 'Sign in first.'],
  unknown_person: ['unauthenticated', 'Sign in again: your session names someone Meent does not know.'],
  // Literal types, so test/errors/problem-codes.test.ts finds the codes.
} as const satisfies Record<RejectionReason, readonly [code: string, message: string]>;

/** A request without a valid identity (kind `unauthenticated`), with the RFC 6750 challenge the HTTP edge sends. */
export class AuthenticationFailedError extends UnauthorizedError implements ProblemExtras {
  readonly reason: RejectionReason;
  readonly wwwAuthenticate: string;
  problemExtensions?: Record<string, unknown>;

  /** Set by the authenticator once the token was verified (policy refusals), or from the unverified token. */
  verified?: { tenantId: string; userId: string };
  claimedTenantId?: string;

  constructor(reason: RejectionReason, options: { scheme?: 'Bearer' | 'Session'; signInUrl?: string } = {}) {
    const [code, message] = publicFace[reason];
    super(message, code);
    this.reason = reason;
    const scheme = options.scheme ?? 'Bearer';
    if (reason === 'missing_token' || reason === 'no_session') {
      // RFC 6750 section 3.1: a request without credentials gets no error code.
      this.wwwAuthenticate = `${scheme} realm="meent"`;
    } else if (reason === 'mfa_required') {
      // RFC 9470 (OAuth 2.0 Step Up Authentication Challenge).
      this.wwwAuthenticate = `${scheme} realm="meent", error="insufficient_user_authentication", error_description="A multi-factor sign-in is required"`;
      this.problemExtensions = { stepUp: { required: 'mfa' } };
    } else if (reason === 'missing_scope') {
      this.wwwAuthenticate = `${scheme} realm="meent", error="insufficient_scope", scope="access_as_user"`;
    } else {
      this.wwwAuthenticate = `${scheme} realm="meent", error="invalid_token", error_description="${code}"`;
    }
    if (options.signInUrl !== undefined) this.problemExtensions = { ...this.problemExtensions, signInUrl: options.signInUrl };
  }
}

/**
 * Microsoft 365 needs the user to consent (or to sign in interactively, e.g. for Conditional
 * Access) before Meent may call Graph on their behalf. The tab answers by asking for consent.
 */
export class ConsentRequiredError extends ForbiddenError implements ProblemExtras {
  readonly problemExtensions: Record<string, unknown>;

  constructor(kind: 'consent_required' | 'interaction_required', scopes: string[], claims?: string) {
    super(
      kind === 'consent_required'
        ? 'Meent needs your consent to use Microsoft 365 on your behalf.'
        : 'Microsoft 365 asks you to sign in again before Meent can continue.',
      kind,
    );
    this.problemExtensions = { scopes, ...(claims ? { claims } : {}) };
  }
}
