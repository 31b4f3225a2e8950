/**
 * From verified token claims to the `Actor`, and the organisation's sign-in policies that
 * apply to every request: whether guests may use Meent at all (`GUESTS_ALLOWED`) and whose
 * sign-ins must have used multi-factor authentication (`REQUIRE_MFA`).
 */
import type { Config } from '../config/config.js';
import type { Actor } from './actor.js';
import { AuthenticationFailedError } from './auth-errors.js';
import type { EntraAccessClaims } from './token-validator.js';

const GUID_IN_TEXT = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i;

/**
 * The actor a verified token stands for. A guest is recognised by any of: the optional claim
 * `acct` = 1, `#EXT#` in the user principal name (B2B), or an `idp` naming another tenant or a
 * non-Entra provider (the account lives elsewhere; `idp` equals the issuer for the tenant's
 * own people). https://learn.microsoft.com/en-us/entra/identity-platform/access-token-claims-reference
 */
export function actorFromClaims(claims: EntraAccessClaims, adminRole: string): Actor {
  const upn = claims.upn ?? claims.preferred_username ?? claims.unique_name;
  const idpTenant = claims.idp === undefined ? undefined : (GUID_IN_TEXT.exec(claims.idp)?.[0]?.toLowerCase() ?? 'external');
  const fromElsewhere = idpTenant !== undefined && idpTenant !== claims.tid.toLowerCase();
  const isGuest = claims.acct === 1 || (upn?.toUpperCase().includes('#EXT#') ?? false) || fromElsewhere;
  const roles = claims.roles ?? [];
  return {
    userId: claims.oid.toLowerCase(),
    tenantId: claims.tid.toLowerCase(),
    homeTenantId: idpTenant !== undefined && idpTenant !== 'external' ? idpTenant : claims.tid.toLowerCase(),
    name: claims.name ?? upn ?? 'Unknown',
    ...(upn !== undefined ? { userPrincipalName: upn } : {}),
    ...(claims.email !== undefined ? { email: claims.email } : {}),
    isGuest,
    // `amr` is only in v1.0 access tokens; a v2.0 token never proves MFA (see .env.example).
    mfa: claims.amr?.includes('mfa') ?? false,
    isOrgAdmin: roles.includes(adminRole),
    roles,
  };
}

export type SignInPolicy = Pick<Config, 'guestsAllowed' | 'requireMfa'>;

/** Throws `AuthenticationFailedError` when the organisation's policy refuses this actor. */
export function enforceSignInPolicy(actor: Actor, policy: SignInPolicy): void {
  if (actor.isGuest && !policy.guestsAllowed) throw new AuthenticationFailedError('guests_not_allowed');
  if (!actor.mfa && mfaRequiredFor(actor, policy.requireMfa)) throw new AuthenticationFailedError('mfa_required');
}

/** `admins`: organisation admins; `members`: everyone but guests, and admins; `all`: everyone. */
export function mfaRequiredFor(actor: Actor, requireMfa: Config['requireMfa']): boolean {
  switch (requireMfa) {
    case 'none':
      return false;
    case 'admins':
      return actor.isOrgAdmin;
    case 'members':
      return !actor.isGuest || actor.isOrgAdmin;
    case 'all':
      return true;
  }
}
