/**
 * From verified token claims to the `Actor`, and the organisation's sign-in policies that
 * apply to every request: whether guests may use Meent at all (`GUESTS_ALLOWED`) and whose
 * sign-ins must have used multi-factor authentication (`REQUIRE_MFA`); and the same policies,
 * with the network (`IP_ALLOWLIST`), for people acting through the Teams bot.
 */
import type { Config } from '../config/config.js';
import { ForbiddenError } from '../errors/domain-errors.js';
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

export type BotSignInPolicy = SignInPolicy & Pick<Config, 'ipAllowlist' | 'teamsConditionalAccess'>;

/**
 * Throws `ForbiddenError` when the organisation's policy refuses a person acting through the
 * Teams bot. Meent does not see that person's sign-in: a bot activity is a Bot Framework token
 * naming them (https://learn.microsoft.com/en-us/azure/bot-service/rest-api/bot-framework-rest-connector-authentication),
 * without their authentication methods (`amr`), and it reaches Meent from Microsoft's
 * addresses, never from the person's network. So neither `REQUIRE_MFA` nor `IP_ALLOWLIST` can
 * be checked on a bot activity. What replaces them is the organisation's Conditional Access on
 * Microsoft Teams (multi-factor sign-in, named locations); when it says so
 * (`TEAMS_CONDITIONAL_ACCESS`), the bot acts. When it does not, the bot refuses the people
 * `REQUIRE_MFA` covers (`mfa_unverifiable`; `admins` covers nobody here, since nobody acts as an
 * admin in the bot), and everyone while `IP_ALLOWLIST` is set (`network_unverifiable`).
 */
export function enforceBotSignInPolicy(actor: Actor, policy: BotSignInPolicy): void {
  if (actor.isGuest && !policy.guestsAllowed) throw new ForbiddenError('Guests cannot use Meent in this organisation.', 'guests_not_allowed');
  if (policy.teamsConditionalAccess) return;
  if (mfaRequiredFor(actor, policy.requireMfa)) throw new ForbiddenError('Your organisation requires multi-factor sign-in for Meent, which a bot activity cannot show.', 'mfa_unverifiable');
  if (policy.ipAllowlist.length > 0) throw new ForbiddenError('Your organisation allows Meent only from its own networks, which a bot activity cannot show.', 'network_unverifiable');
}
