/**
 * The organisation's directory as Meent needs it: a person's profile and photo, and finding
 * a person by e-mail address. `DirectoryGateway` is the port the domain owns;
 * `GraphDirectoryGateway` reads Microsoft Graph's `/users` and maps its wire type in
 * `fromGraphUser`.
 */
import { ResponseType } from '@microsoft/microsoft-graph-client';
import type { User } from '@microsoft/microsoft-graph-types';
import { NotFoundError, ValidationError } from '../errors/domain-errors.js';
import { segment, type GraphClient } from './graph-client.js';
import { errorForGraphStatus, GraphUnavailableError, withGraphErrors, withGraphErrorsOrNull } from './graph-errors.js';
import { parseRetryAfter } from './graph-retry.js';

export interface DirectoryUser {
  /** The Entra object id (`oid`). */
  id: string;
  displayName: string | null;
  jobTitle: string | null;
  department: string | null;
  mail: string | null;
  officeLocation: string | null;
  userPrincipalName: string | null;
  /** `Member` for the organisation's own people, `Guest` for B2B guests; null when Graph does not say. */
  userType: 'Member' | 'Guest' | null;
}

export interface UserPhoto {
  contentType: string;
  bytes: Uint8Array;
}

export interface DirectoryGateway {
  /** The person, or null when the directory has no such user. */
  getUser(id: string): Promise<DirectoryUser | null>;
  /** The person's photo, or null when they have none (or do not exist). */
  getUserPhoto(id: string): Promise<UserPhoto | null>;
  /** The person whose mail or user principal name is `email` (case-insensitive), or null. */
  findUserByEmail(email: string): Promise<DirectoryUser | null>;
  /**
   * People of the organisation (and its guests) whose display name has words starting with
   * the words of `text`, at most `limit`; also those who never used Meent. No e-mail addresses.
   */
  searchUsers(text: string, limit: number): Promise<DirectorySearchHit[]>;
}

/** A person found by name in the directory: only what a picker shows (no e-mail address). */
export type DirectorySearchHit = Pick<DirectoryUser, 'id' | 'displayName' | 'jobTitle' | 'department' | 'userType'>;

/** A name search answers at most this many people (Graph allows `$top` up to 999 for users). */
export const maxSearchHits = 25;

/** One user in Graph's `users` delta: still there (with its type), or removed from the tenant. */
export interface DirectoryUserChange {
  id: string;
  /**
   * `changed`: deleted, restorable from the tenant's recycle bin for 30 days; `deleted`:
   * permanently deleted; null: the user exists (created, changed or restored).
   * https://learn.microsoft.com/en-us/graph/api/user-delta
   */
  removed: 'changed' | 'deleted' | null;
  userType: 'Member' | 'Guest' | null;
}

export interface DirectoryChanges {
  changes: DirectoryUserChange[];
  /** Graph no longer had the previous round's state (410): this is a full round, removals in between are not in it. */
  reset?: boolean;
  /** Where to ask next time for what changed after this round. */
  deltaLink: string;
}

/** Who joined, changed or left the tenant since the last round (Graph's delta query over `users`). */
export interface DirectoryChangeFeed {
  /** Without a link: a full round (every user now). With the previous round's `deltaLink`: what changed since. */
  userChanges(deltaLink: string | undefined): Promise<DirectoryChanges>;
}

/** A round of the users delta reads at most this many pages (Graph answers up to a few hundred users a page). */
const maxDeltaPages = 2000;

/**
 * `$select` is required: without it Graph returns a default set of user properties that
 * lacks `department` and `userType` (https://learn.microsoft.com/en-us/graph/api/user-get).
 */
const userFields = ['id', 'displayName', 'jobTitle', 'department', 'mail', 'officeLocation', 'userPrincipalName', 'userType'] as const;

/** Photos larger than this are not a profile picture; refuse rather than hold them in memory. */
const maxPhotoBytes = 4 * 1024 * 1024;

export class GraphDirectoryGateway implements DirectoryGateway, DirectoryChangeFeed {
  private readonly graph: GraphClient;

  constructor(deps: { graph: GraphClient }) {
    this.graph = deps.graph;
  }

  async getUser(id: string): Promise<DirectoryUser | null> {
    const user = (await withGraphErrorsOrNull(() => this.graph.api(`/users/${segment(id)}`).select([...userFields]).get())) as User | null;
    return user ? fromGraphUser(user) : null;
  }

  async getUserPhoto(id: string): Promise<UserPhoto | null> {
    // RAW: we need the Content-Type header with the bytes; status handling is then ours.
    const response = (await withGraphErrors(() => this.graph.api(`/users/${segment(id)}/photo/$value`).responseType(ResponseType.RAW).get())) as Response;
    if (response.status === 404) {
      await response.arrayBuffer();
      return null;
    }
    if (!response.ok) {
      await response.arrayBuffer();
      throw errorForGraphStatus(response.status, parseRetryAfter(response.headers.get('retry-after'), Date.now()));
    }
    const declared = Number(response.headers.get('content-length') ?? '0');
    if (declared > maxPhotoBytes) {
      await response.body?.cancel();
      throw new GraphUnavailableError(undefined, 'graph_unavailable', 'The profile photo in Microsoft 365 is too large.');
    }
    const bytes = new Uint8Array(await response.arrayBuffer());
    if (bytes.byteLength > maxPhotoBytes) throw new GraphUnavailableError(undefined, 'graph_unavailable', 'The profile photo in Microsoft 365 is too large.');
    const contentType = (response.headers.get('content-type') ?? 'application/octet-stream').split(';')[0]?.trim() ?? 'application/octet-stream';
    return { contentType, bytes };
  }

  /**
   * Follows `@odata.nextLink` until Graph answers an `@odata.deltaLink`; both are opaque and
   * followed as given, and carry the first request's `$select`
   * (https://learn.microsoft.com/en-us/graph/delta-query-users,
   * https://learn.microsoft.com/en-us/graph/delta-query-overview). Throttling (429 with
   * Retry-After) is retried by the client's retry handler.
   */
  async userChanges(deltaLink: string | undefined): Promise<DirectoryChanges> {
    try {
      return await this.userChangesRound(deltaLink);
    } catch (err) {
      // An expired delta token answers 410 Gone: start over with a full round
      // (https://learn.microsoft.com/en-us/graph/delta-query-overview, "synchronization reset").
      if (deltaLink === undefined || !(err instanceof NotFoundError)) throw err;
      return { ...(await this.userChangesRound(undefined)), reset: true };
    }
  }

  private async userChangesRound(deltaLink: string | undefined): Promise<DirectoryChanges> {
    const changes: DirectoryUserChange[] = [];
    let link: string | undefined = deltaLink;
    for (let page = 0; page < maxDeltaPages; page++) {
      // A link carries our bearer token when followed: only ever to the Graph we were given.
      if (link !== undefined && !link.startsWith(`${this.graph.root}/`)) throw unreadable();
      const request = link === undefined ? this.graph.api('/users/delta').select(['id', 'userType']) : this.graph.api(link);
      const body = (await withGraphErrors(() => request.get())) as { value?: unknown; '@odata.nextLink'?: unknown; '@odata.deltaLink'?: unknown };
      if (!Array.isArray(body.value)) throw unreadable();
      for (const item of body.value as (User & { '@removed'?: { reason?: string } })[]) changes.push(fromDeltaUser(item));
      if (typeof body['@odata.deltaLink'] === 'string') return { changes, deltaLink: body['@odata.deltaLink'] };
      if (typeof body['@odata.nextLink'] !== 'string') throw unreadable();
      link = body['@odata.nextLink'];
    }
    throw new GraphUnavailableError(undefined, 'graph_unavailable', 'Microsoft 365 listed more users than Meent reads in one round.');
  }

  async findUserByEmail(email: string): Promise<DirectoryUser | null> {
    const address = email.trim();
    if (address === '' || address.length > 320 || hasControlCharacter(address)) {
      throw new ValidationError('That is not an e-mail address.', [{ path: 'email', message: 'must be an e-mail address' }]);
    }
    const literal = odataString(address);
    // The SDK puts $filter into the URL as given, so we percent-encode it ourselves: an
    // address may hold '+', '&' or '#', which would otherwise change the query.
    const filter = encodeURIComponent(`mail eq ${literal} or userPrincipalName eq ${literal}`);
    const page = (await withGraphErrors(() =>
      this.graph.api('/users').filter(filter).select([...userFields]).top(1).get(),
    )) as { value?: User[] };
    const first = page.value?.[0];
    return first ? fromGraphUser(first) : null;
  }

  searchUsers(text: string, limit: number): Promise<DirectorySearchHit[]> {
    return searchDirectoryUsers(this.graph, text, limit);
  }
}

/**
 * Graph's tokenized name search: `$search="displayName:<words>"`, which needs the
 * `ConsistencyLevel: eventual` header and `$count=true` (an advanced query:
 * https://learn.microsoft.com/graph/aad-advanced-queries, and `$search` on users:
 * https://learn.microsoft.com/graph/api/user-list, https://learn.microsoft.com/graph/search-query-parameter).
 * `$select` keeps to what the picker shows, so no e-mail address leaves Graph for it.
 * Throttling (429 with Retry-After) is retried by the client's retry handler.
 */
export async function searchDirectoryUsers(graph: GraphClient, text: string, limit: number): Promise<DirectorySearchHit[]> {
  const words = searchWords(text);
  if (words === '') return [];
  const top = Math.max(1, Math.min(Math.trunc(limit), maxSearchHits));
  // The SDK puts $search into the URL as given: we percent-encode it ourselves.
  const search = encodeURIComponent(`"displayName:${words}"`);
  const page = (await withGraphErrors(() =>
    graph.api('/users').header('ConsistencyLevel', 'eventual').search(search).count(true).select([...searchFields]).top(top).get(),
  )) as { value?: unknown };
  if (!Array.isArray(page.value)) throw unreadable();
  return (page.value as User[]).slice(0, top).map((u) => {
    const { id, displayName, jobTitle, department, userType } = fromGraphUser(u);
    return { id, displayName, jobTitle, department, userType };
  });
}

const searchFields = ['id', 'displayName', 'jobTitle', 'department', 'userType'] as const;

/**
 * The words of a name search as one `$search` clause may hold them: the double quote ends the
 * clause and the backslash escapes, so both go (with control characters), as do runs of spaces.
 * A name has neither, so nothing findable is lost.
 */
export function searchWords(text: string): string {
  let out = '';
  for (const ch of text) {
    const code = ch.charCodeAt(0);
    out += ch === '"' || ch === '\\' || code < 0x20 || code === 0x7f ? ' ' : ch;
  }
  return out.split(/\s+/).filter(Boolean).join(' ').slice(0, 100);
}

function hasControlCharacter(value: string): boolean {
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    if (code < 0x20 || code === 0x7f) return true;
  }
  return false;
}

/** An OData string literal: single quotes around, embedded quotes doubled (OData ABNF, `SQUOTE-in-string`). */
export function odataString(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

function unreadable(): GraphUnavailableError {
  return new GraphUnavailableError(undefined, 'graph_unavailable', 'Microsoft 365 answered with something Meent does not understand.');
}

/** An item of the users delta -> our `DirectoryUserChange`. */
function fromDeltaUser(user: User & { '@removed'?: { reason?: string } }): DirectoryUserChange {
  if (typeof user.id !== 'string' || user.id === '') throw unreadable();
  const removed = user['@removed'];
  // Any other reason Graph may add later still means "not in the tenant now".
  const reason = removed === undefined ? null : removed.reason === 'changed' ? 'changed' : 'deleted';
  return { id: user.id, removed: reason, userType: user.userType === 'Member' || user.userType === 'Guest' ? user.userType : null };
}

/** Graph's user -> our `DirectoryUser`; the one place that knows Graph's user shape. */
export function fromGraphUser(user: User): DirectoryUser {
  if (typeof user.id !== 'string' || user.id === '') {
    throw new GraphUnavailableError(undefined, 'graph_unavailable', 'Microsoft 365 answered with something Meent does not understand.');
  }
  const userType = user.userType === 'Member' || user.userType === 'Guest' ? user.userType : null;
  return {
    id: user.id,
    displayName: user.displayName ?? null,
    jobTitle: user.jobTitle ?? null,
    department: user.department ?? null,
    mail: user.mail ?? null,
    officeLocation: user.officeLocation ?? null,
    userPrincipalName: user.userPrincipalName ?? null,
    userType,
  };
}
