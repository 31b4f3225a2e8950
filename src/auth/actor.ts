/**
 * Who is acting: derived from a validated token (or the local demo sign-in) at the edge and
 * handed to every service. Services never see a request or a bot turn.
 */
export interface Actor {
  /** Entra object id (`oid`), or a demo person's id in local mode. */
  userId: string;
  /** The tenant the user signed in to (`tid`). */
  tenantId: string;
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
}

declare module 'express-serve-static-core' {
  interface Request {
    actor?: Actor;
  }
}
