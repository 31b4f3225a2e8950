/**
 * Who is acting: derived from a validated token (or the local demo sign-in) at the edge and
 * handed to every service. Services never see a request or a bot turn.
 */
export interface Actor {
  /** Entra object id (`oid`), or a demo person's id in local mode. */
  userId: string;
  /** The tenant the user signed in to (`tid`); the organisation whose data the actor works in. */
  tenantId: string;
  /**
   * The tenant the account itself lives in: the same as `tenantId` for the organisation's own
   * people, the guest's home tenant for B2B guests (from the token's `idp`), when known.
   */
  homeTenantId?: string;
  name: string;
  userPrincipalName?: string;
  email?: string;
  /** A B2B guest or an account from another tenant. */
  isGuest: boolean;
  /** Whether the sign-in used multi-factor authentication (`amr` contains `mfa`). */
  mfa: boolean;
  /** Holds the organisation admin app role (`ADMIN_ROLE`). */
  isOrgAdmin: boolean;
  /** App roles from the token. */
  roles: string[];
  /**
   * Microsoft Graph on this person's behalf (the on-behalf-of flow), when the actor came with
   * a user token; absent in local mode and for the bot. Not enumerable, so that it is never
   * serialised or logged with the actor.
   */
  readonly delegated?: DelegatedAccess;
}

/** Access to Microsoft Graph as the signed-in person. */
export interface DelegatedAccess {
  /** A Graph access token for this person (cached until shortly before it expires). */
  graphToken(): Promise<string>;
}

/** The actor with `delegated` attached as a non-enumerable property. */
export function withDelegatedAccess(actor: Actor, access: DelegatedAccess): Actor {
  const copy = { ...actor };
  Object.defineProperty(copy, 'delegated', { value: access, enumerable: false, writable: false, configurable: false });
  return copy;
}

declare module 'express-serve-static-core' {
  interface Request {
    actor?: Actor;
  }
}

/** What Meent stores of a person that an actor is made of (a user record, or less). */
export interface StoredPerson {
  userId: string;
  tenantId: string;
  displayName: string;
  userPrincipalName?: string | null;
  mail?: string | null;
  isGuest?: boolean | null;
  isOrgAdmin?: boolean | null;
}

/**
 * The actor a stored person is when Meent acts, or asks the policy, on their behalf without a
 * request of theirs (the meeting follow-up, an automatic link, "may this person read it?").
 * No MFA and no app roles: nothing a token would have said is assumed.
 */
export function actorOfPerson(person: StoredPerson): Actor {
  return {
    userId: person.userId,
    tenantId: person.tenantId,
    name: person.displayName,
    ...(person.userPrincipalName ? { userPrincipalName: person.userPrincipalName } : {}),
    ...(person.mail ? { email: person.mail } : {}),
    isGuest: person.isGuest === true,
    mfa: false,
    isOrgAdmin: person.isOrgAdmin === true,
    roles: [],
  };
}
