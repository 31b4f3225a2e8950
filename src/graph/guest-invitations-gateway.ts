/**
 * Inviting many people by e-mail address: finding who is already in the tenant (member or
 * guest) and inviting the others as Entra B2B guests. `GuestInvitationsGateway` is the port
 * the invitations capability owns; `GraphGuestInvitationsGateway` speaks Microsoft Graph:
 *
 * - lookups: `GET /users?$filter=mail eq '..' or userPrincipalName eq '..'` as `$batch`
 *   sub-requests, 20 a batch (https://learn.microsoft.com/en-us/graph/json-batching);
 * - invitations: `POST /invitations` (https://learn.microsoft.com/en-us/graph/api/invitation-post,
 *   application permission `User.Invite.All`), also batched, and paced: the invitation manager
 *   takes 150 requests per 5 seconds per tenant for all apps together
 *   (https://learn.microsoft.com/en-us/graph/throttling-limits#invitation-manager-service-limits),
 *   so Meent lets out at most `maxInvitesPerWindow` (default 100) per 5 seconds and leaves the
 *   rest to other apps. Throttled sub-requests are resent after their Retry-After by `runBatch`.
 *
 * Each invitation's answer comes back on its own: one address refused (policy, a blocked
 * domain) does not fail the others.
 */
import type { Invitation, User } from '@microsoft/microsoft-graph-types';
import { runBatch, MAX_BATCH_REQUESTS, type BatchRequest, type BatchResponse } from './graph-batch.js';
import type { GraphClient } from './graph-client.js';
import { fromGraphUser, odataString, type DirectoryUser } from './directory-gateway.js';
import { errorForGraphStatus } from './graph-errors.js';
import { parseRetryAfter } from './graph-retry.js';

/** What Graph said about one invitation, in Meent's words (`code` is stable; the tab words it). */
export type InviteAnswer =
  | { ok: true; userId: string; status: 'PendingAcceptance' | 'Completed' | string }
  | { ok: false; code: InviteRefusal; status: number };

/**
 * - `refused_by_policy`: 403, the tenant's external collaboration settings or a conditional policy refuse it;
 * - `address_refused`: 400, Graph does not accept the address (a blocked domain, not a mailbox);
 * - `throttled`: still 429/503 after the retries; re-send later;
 * - `graph_failed`: anything else.
 */
export type InviteRefusal = 'refused_by_policy' | 'address_refused' | 'throttled' | 'graph_failed';

export interface GuestInvite {
  email: string;
  /** Where the guest lands after redeeming (the community or event in the tab). */
  redirectUrl: string;
  language: 'nl' | 'en';
  /** The inviter's note, in the invitation e-mail. */
  message?: string;
}

export interface GuestInvitationsGateway {
  /** The people among `emails` (lower case) whom the tenant knows, by address; absent ones are not there. */
  findByEmail(emails: readonly string[]): Promise<Map<string, DirectoryUser>>;
  /** One answer per invite, in order. */
  invite(invites: readonly GuestInvite[]): Promise<InviteAnswer[]>;
}

export interface GuestInvitationsOptions {
  graph: GraphClient;
  /** Invitations let out per 5 seconds (default 100; Graph's limit for the whole tenant is 150). */
  maxInvitesPerWindow?: number;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

const LOOKUP_FIELDS = ['id', 'displayName', 'jobTitle', 'department', 'mail', 'officeLocation', 'userPrincipalName', 'userType'];
const INVITE_WINDOW_MS = 5_000;

export class GraphGuestInvitationsGateway implements GuestInvitationsGateway {
  private readonly graph: GraphClient;
  private readonly maxPerWindow: number;
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;
  /** When each invitation left, for the 5-second window. */
  private readonly sent: number[] = [];

  constructor(options: GuestInvitationsOptions) {
    this.graph = options.graph;
    this.maxPerWindow = Math.max(1, Math.min(150, options.maxInvitesPerWindow ?? 100));
    this.now = options.now ?? Date.now;
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  }

  async findByEmail(emails: readonly string[]): Promise<Map<string, DirectoryUser>> {
    const requests: BatchRequest[] = emails.map((email, i) => {
      const literal = odataString(email);
      // Percent-encoded: an address may hold '+', '&' or '#'.
      const filter = encodeURIComponent(`mail eq ${literal} or userPrincipalName eq ${literal}`);
      return { id: String(i), method: 'GET', url: `/users?$filter=${filter}&$select=${LOOKUP_FIELDS.join(',')}&$top=1` };
    });
    const responses = await runBatch(this.graph, requests);
    const found = new Map<string, DirectoryUser>();
    responses.forEach((response, i) => {
      const email = emails[i];
      if (email === undefined) return;
      if (response.status !== 200) throw lookupFailed(response);
      const first = (response.body as { value?: User[] } | undefined)?.value?.[0];
      if (first) found.set(email, fromGraphUser(first));
    });
    return found;
  }

  async invite(invites: readonly GuestInvite[]): Promise<InviteAnswer[]> {
    const answers: InviteAnswer[] = [];
    for (let start = 0; start < invites.length; start += MAX_BATCH_REQUESTS) {
      const chunk = invites.slice(start, start + MAX_BATCH_REQUESTS);
      await this.roomFor(chunk.length);
      const requests: BatchRequest[] = chunk.map((invite, i) => ({ id: String(start + i), method: 'POST', url: '/invitations', body: toWire(invite) }));
      // Sending an invitation twice is harmless (Graph answers with the same guest), so the envelope may be retried.
      const responses = await runBatch(this.graph, requests, { replaySafe: true });
      answers.push(...responses.map(fromWire));
    }
    return answers;
  }

  /** Waits until `count` more invitations fit in the 5-second window, then counts them. */
  private async roomFor(count: number): Promise<void> {
    for (;;) {
      const t = this.now();
      while (this.sent.length > 0 && (this.sent[0] ?? 0) <= t - INVITE_WINDOW_MS) this.sent.shift();
      if (this.sent.length + count <= this.maxPerWindow) {
        for (let i = 0; i < count; i++) this.sent.push(t);
        return;
      }
      const oldestNeeded = this.sent[this.sent.length + count - this.maxPerWindow - 1] ?? t;
      await this.sleep(Math.max(1, oldestNeeded + INVITE_WINDOW_MS - t));
    }
  }
}

/** Our invite -> the body Graph documents for `POST /invitations`. */
export function toWire(invite: GuestInvite): Invitation {
  return {
    invitedUserEmailAddress: invite.email,
    inviteRedirectUrl: invite.redirectUrl,
    sendInvitationMessage: true,
    invitedUserMessageInfo: {
      messageLanguage: invite.language === 'nl' ? 'nl-NL' : 'en-US',
      // Graph allows a customised body of up to 2,000 characters (https://learn.microsoft.com/en-us/graph/api/resources/invitedusermessageinfo).
      ...(invite.message ? { customizedMessageBody: invite.message.slice(0, 2000) } : {}),
    },
  };
}

/** One sub-response -> our answer; the one place that knows Graph's invitation shape. */
export function fromWire(response: BatchResponse): InviteAnswer {
  if (response.status === 201 || response.status === 200) {
    const body = response.body as Invitation | undefined;
    const userId = body?.invitedUser?.id;
    if (typeof userId !== 'string' || userId === '') return { ok: false, code: 'graph_failed', status: response.status };
    return { ok: true, userId, status: body?.status ?? 'PendingAcceptance' };
  }
  if (response.status === 403) return { ok: false, code: 'refused_by_policy', status: 403 };
  if (response.status === 400) return { ok: false, code: 'address_refused', status: 400 };
  if (response.status === 429 || response.status === 503 || response.status === 504) return { ok: false, code: 'throttled', status: response.status };
  return { ok: false, code: 'graph_failed', status: response.status };
}

function lookupFailed(response: BatchResponse): Error {
  const retryAfter = Object.entries(response.headers).find(([name]) => name.toLowerCase() === 'retry-after')?.[1];
  return errorForGraphStatus(response.status, parseRetryAfter(retryAfter, Date.now()));
}
