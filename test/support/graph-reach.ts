/**
 * The local Graph's endpoints for reaching people (issue 14), to their public contracts:
 *
 *   POST /v1.0/invitations                              https://learn.microsoft.com/en-us/graph/api/invitation-post
 *        201 with the invitation (`invitedUser.id` the guest's object id; a new Guest user is made,
 *        an existing guest is invited again under the same id); 400 for an address Graph does not
 *        take or an existing member; 403 when the tenant's external collaboration settings refuse
 *        the domain (`refuseInvitesTo`); 429 with Retry-After over 150 requests per 5 seconds
 *        (https://learn.microsoft.com/en-us/graph/throttling-limits#invitation-manager-service-limits)
 *        when `enforceInviteLimit` is on.
 *   POST /v1.0/users/{id}/teamwork/installedApps        https://learn.microsoft.com/en-us/graph/api/userteamwork-post-installedapps
 *        201 installed; 409 already installed; 403 refused by the app permission policy
 *        (`refuseInstallFor`); 404 for an unknown user; 400 for an app not in the catalogue.
 *   GET  /v1.0/users/{id}/teamwork/installedApps        the user's installations (Meent's, when installed)
 *   POST /v1.0/users/{id | upn}/sendMail                https://learn.microsoft.com/en-us/graph/api/user-sendmail
 *        202; 404 for an unknown mailbox; 403 ErrorAccessDenied for a mailbox the app may not use (`denyMailbox`).
 *
 * 429 with Retry-After for any of them comes from the server's `failNext`. The state lives
 * here; `graph-server.ts` routes to it.
 */
import { randomUUID } from 'node:crypto';

/** A user as this module needs it from the server's directory. */
export interface ReachUser {
  id: string;
  mail: string | null;
  userPrincipalName: string;
  userType: 'Member' | 'Guest';
}

export interface ReachDirectory {
  find(idOrUpn: string): ReachUser | undefined;
  findByMail(mail: string): ReachUser | undefined;
  addGuest(input: { mail: string; displayName: string }): ReachUser;
}

export interface ReachAnswer {
  status: number;
  body?: Record<string, unknown>;
  error?: { code: string; message: string };
  retryAfter?: number;
}

export interface SentInvitation {
  email: string;
  userId: string;
  redirectUrl: string;
  language: string | undefined;
  at: number;
}

export interface SentMail {
  mailbox: string;
  to: string[];
  subject: string;
  content: string;
}

const INVITE_WINDOW_MS = 5_000;
const INVITE_LIMIT = 150;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export class GraphReach {
  readonly invitations: SentInvitation[] = [];
  readonly mails: SentMail[] = [];
  /** Installs of the app that succeeded (201), by user id. */
  readonly installs: string[] = [];
  /** Called after each successful install (a test plays Teams: the bot's installationUpdate). */
  onInstalled: ((userId: string) => void) | undefined;

  private readonly catalogApps = new Set<string>();
  private readonly installed = new Set<string>();
  private readonly refusedInstalls = new Set<string>();
  private readonly refusedDomains = new Set<string>();
  private readonly deniedMailboxes = new Set<string>();
  private inviteLimit = false;
  /** Arrival times of invitation requests, for the 5-second window. */
  private inviteTimes: number[] = [];

  reset(): void {
    this.invitations.length = 0;
    this.mails.length = 0;
    this.installs.length = 0;
    this.onInstalled = undefined;
    this.catalogApps.clear();
    this.installed.clear();
    this.refusedInstalls.clear();
    this.refusedDomains.clear();
    this.deniedMailboxes.clear();
    this.inviteLimit = false;
    this.inviteTimes = [];
  }

  /** An app in the tenant's catalogue (its teamsApp id). */
  addCatalogApp(id: string): void {
    this.catalogApps.add(id);
  }

  /** The app is installed for the user (as if they had added it). */
  markInstalled(userId: string): void {
    this.installed.add(userId);
  }

  isInstalled(userId: string): boolean {
    return this.installed.has(userId);
  }

  /** The app permission policy keeps the app from this user: installs answer 403. */
  refuseInstallFor(userId: string): void {
    this.refusedInstalls.add(userId);
  }

  /** External collaboration settings refuse guests from this domain: invitations answer 403. */
  refuseInvitesTo(domain: string): void {
    this.refusedDomains.add(domain.toLowerCase());
  }

  denyMailbox(mailbox: string): void {
    this.deniedMailboxes.add(mailbox.toLowerCase());
  }

  /** Answer invitations over 150 per 5 seconds (the server's clock) with 429. */
  enforceInviteLimit(on = true): void {
    this.inviteLimit = on;
  }

  invite(body: unknown, directory: ReachDirectory, at: number): ReachAnswer {
    if (this.inviteLimit) {
      this.inviteTimes = this.inviteTimes.filter((t) => t > at - INVITE_WINDOW_MS);
      if (this.inviteTimes.length >= INVITE_LIMIT) {
        const oldest = this.inviteTimes[0] ?? at;
        return { status: 429, error: { code: 'TooManyRequests', message: 'Too many requests.' }, retryAfter: Math.max(1, Math.ceil((oldest + INVITE_WINDOW_MS - at) / 1000)) };
      }
      this.inviteTimes.push(at);
    }
    const input = asRecord(body);
    const email = input.invitedUserEmailAddress;
    const redirectUrl = input.inviteRedirectUrl;
    if (typeof email !== 'string' || !EMAIL.test(email)) return badRequest('The invited user email address is invalid.');
    if (typeof redirectUrl !== 'string' || !/^https?:\/\//.test(redirectUrl)) return badRequest('The invite redirect URL is required and must be absolute.');
    const messageInfo = input.invitedUserMessageInfo === undefined ? {} : asRecord(input.invitedUserMessageInfo);
    const language = messageInfo.messageLanguage;
    if (language !== undefined && (typeof language !== 'string' || !/^[a-z]{2}(-[A-Z]{2})?$/.test(language))) return badRequest('The message language is not valid.');
    const body2 = messageInfo.customizedMessageBody;
    if (body2 !== undefined && (typeof body2 !== 'string' || body2.length > 2000)) return badRequest('The customized message body is not valid.');
    const domain = email.split('@')[1]?.toLowerCase() ?? '';
    if (this.refusedDomains.has(domain)) return { status: 403, error: { code: 'Forbidden', message: 'Guest invitations are not allowed for this domain by the external collaboration settings.' } };
    const existing = directory.findByMail(email);
    if (existing?.userType === 'Member') return badRequest('The invited user already exists in the directory as a member.');
    const user = existing ?? directory.addGuest({ mail: email, displayName: typeof input.invitedUserDisplayName === 'string' ? input.invitedUserDisplayName : email });
    this.invitations.push({ email, userId: user.id, redirectUrl, language: typeof language === 'string' ? language : undefined, at });
    return {
      status: 201,
      body: {
        '@odata.context': 'https://graph.microsoft.com/v1.0/$metadata#invitations/$entity',
        id: randomUUID(),
        inviteRedeemUrl: `https://login.microsoftonline.com/redeem?rd=${randomUUID()}`,
        invitedUserDisplayName: null,
        invitedUserType: 'Guest',
        invitedUserEmailAddress: email,
        sendInvitationMessage: input.sendInvitationMessage === true,
        resetRedemption: false,
        inviteRedirectUrl: redirectUrl,
        status: 'PendingAcceptance',
        invitedUser: { id: user.id },
      },
    };
  }

  install(userIdOrUpn: string, body: unknown, directory: ReachDirectory): ReachAnswer {
    const user = directory.find(userIdOrUpn);
    if (!user) return { status: 404, error: { code: 'NotFound', message: `User '${userIdOrUpn}' was not found.` } };
    const bind = asRecord(body)['teamsApp@odata.bind'];
    const appId = typeof bind === 'string' ? /\/appCatalogs\/teamsApps\/([^/?#]+)$/.exec(bind)?.[1] : undefined;
    if (!appId || !this.catalogApps.has(decodeURIComponent(appId))) return badRequest('The teamsApp@odata.bind does not name an app in the catalog.');
    if (this.refusedInstalls.has(user.id)) return { status: 403, error: { code: 'Forbidden', message: 'App installation is blocked by the app permission policy.' } };
    if (this.installed.has(user.id)) return { status: 409, error: { code: 'Conflict', message: 'The app is already installed for this user.' } };
    this.installed.add(user.id);
    this.installs.push(user.id);
    const hook = this.onInstalled;
    if (hook) setImmediate(() => hook(user.id));
    return { status: 201 };
  }

  listInstalled(userIdOrUpn: string, directory: ReachDirectory): ReachAnswer {
    const user = directory.find(userIdOrUpn);
    if (!user) return { status: 404, error: { code: 'NotFound', message: `User '${userIdOrUpn}' was not found.` } };
    const value = this.installed.has(user.id) ? [...this.catalogApps].slice(0, 1).map((appId) => ({ id: Buffer.from(`${user.id}##${appId}`).toString('base64url'), teamsApp: { id: appId } })) : [];
    return { status: 200, body: { value } };
  }

  sendMail(mailboxIdOrUpn: string, body: unknown, directory: ReachDirectory): ReachAnswer {
    const mailbox = directory.find(mailboxIdOrUpn);
    if (!mailbox) return { status: 404, error: { code: 'ErrorInvalidUser', message: `The requested user '${mailboxIdOrUpn}' is invalid.` } };
    if (this.deniedMailboxes.has(mailbox.userPrincipalName.toLowerCase())) return { status: 403, error: { code: 'ErrorAccessDenied', message: 'Access is denied. Check credentials and try again.' } };
    const input = asRecord(body);
    const message = input.message === undefined ? undefined : asRecord(input.message);
    if (!message) return badRequest('Empty Payload. JSON content expected.');
    const recipients = Array.isArray(message.toRecipients) ? message.toRecipients : [];
    const to = recipients.map((r) => asRecord(asRecord(r).emailAddress).address).filter((a): a is string => typeof a === 'string' && EMAIL.test(a));
    if (to.length === 0 || to.length !== recipients.length) return { status: 400, error: { code: 'ErrorInvalidRecipients', message: 'At least one recipient is not valid.' } };
    const content = asRecord(message.body).content;
    const contentType = asRecord(message.body).contentType;
    if (typeof content !== 'string' || (contentType !== 'text' && contentType !== 'html' && contentType !== 'Text' && contentType !== 'HTML')) return badRequest('The message body is not valid.');
    if (typeof message.subject !== 'string') return badRequest('The message subject is not valid.');
    this.mails.push({ mailbox: mailbox.userPrincipalName, to, subject: message.subject, content });
    return { status: 202 };
  }
}

function asRecord(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

function badRequest(message: string): ReachAnswer {
  return { status: 400, error: { code: 'BadRequest', message } };
}
