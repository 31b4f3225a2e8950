/**
 * A local Microsoft Graph over HTTPS for tests. It keeps state (users, photos, events in
 * users' calendars) and answers the calls Meent makes with Graph's documented shapes:
 *
 *   GET    /v1.0/users?$filter=mail eq '..' or userPrincipalName eq '..'&$select&$top  (paged, @odata.nextLink)
 *   GET    /v1.0/users?$search="displayName:words"&$count=true&$select&$top  (needs ConsistencyLevel: eventual;
 *                                                         each word a prefix of a word of the name; bad syntax 400)
 *   GET    /v1.0/users/{id | userPrincipalName}?$select=..
 *   GET    /v1.0/users/delta[?$select=..]                (paged by `pageSize`; @odata.nextLink, then @odata.deltaLink;
 *                                                         with $deltatoken: what changed since, removed users as
 *                                                         { id, "@removed": { reason: "changed" | "deleted" } })
 *   GET    /v1.0/users/{id}/photo/$value
 *   POST   /v1.0/users/{id}/events                      (Teams meeting when isOnlineMeeting; transactionId de-duplicates)
 *   GET | PATCH | DELETE /v1.0/users/{id}/events/{eventId}
 *   POST   /v1.0/users/{id}/events/{eventId}/cancel
 *   POST   /v1.0/users/{id}/teamwork/sendActivityNotification  (activity-feed notification; 204, recorded in `activityNotifications`)
 *   GET    /v1.0/chats/{chatId}?$select=..               (a meeting chat: onlineMeetingInfo with organiser and join URL)
 *   GET    /v1.0/chats/{chatId}/members                  (aadUserConversationMember list)
 *   GET    /v1.0/users/{id}/onlineMeetings?$filter=JoinWebUrl eq '..'   (the organiser's meeting with that join URL)
 *   GET    /v1.0/users/{id}/onlineMeetings/{meetingId}/attendanceReports[/{reportId}[/attendanceRecords]]  (records paged)
 *   GET    /v1.0/teams/{teamId}/members[?$filter=(microsoft.graph.aadUserConversationMember/userId eq '..')]  (paged)
 *   GET    /v1.0/teams/{teamId}/channels/{channelId}?$select=..   (404 when the team has no such channel)
 *   GET    /v1.0/teams/{teamId}/channels/{channelId}/members      (paged; a standard channel's are the team's)
 *   POST   /v1.0/$batch                                  (at most 20 sub-requests, dispatched through the routes above)
 *   POST   /v1.0/invitations, POST|GET /v1.0/users/{id}/teamwork/installedApps, POST /v1.0/users/{id}/sendMail
 *                                                         (reaching people, issue 14: state and contracts in graph-reach.ts, `reach`)
 *   /v1.0/drives/..., /v1.0/me/drive/..., /v1.0/groups/{id}/drive, upload and thumbnail URLs
 *                                                         (OneDrive and SharePoint, issue 21: state and contracts in graph-drives.ts, `drives`)
 *
 * Every request needs `Authorization: Bearer <token>` (401 in Graph's error shape otherwise;
 * `validToken` makes it check the token itself) and is recorded, batch sub-requests too, so
 * tests can count calls. Faults: `failNext` (429 with Retry-After, 503, ...), also for batch
 * sub-requests, and `dropConnections` (the socket is destroyed). It answers batch responses
 * in reverse order, which Graph allows, so that callers must match them by id.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { GraphDrives, type DriveAnswer, type Pager } from './graph-drives.js';
import { GraphReach, type ReachAnswer, type ReachDirectory } from './graph-reach.js';
import { testTlsCredentials } from './tls.js';

export interface RecordedRequest {
  method: string;
  /** Path as requested, `/v1.0/...` (batch sub-requests get the `/v1.0` prefix added). */
  path: string;
  query: URLSearchParams;
  /** Lower-case header names; sub-requests carry their own headers plus the envelope's Authorization. */
  headers: Record<string, string>;
  body: unknown;
  via: 'http' | 'batch';
  /** The status answered, 0 when the connection was dropped; set once answered. */
  status?: number;
  /** When it arrived, by the server's clock (`GraphServerOptions.now`, default the system clock). */
  at: number;
}

export interface FailNextOptions {
  status: number;
  /** Seconds, or an HTTP date, for the Retry-After header. */
  retryAfter?: number | string;
  /** How many matching requests fail (default 1). */
  times?: number;
  /** Which requests fail; default any (the first request to arrive, a $batch envelope included). */
  match?: (request: RecordedRequest) => boolean;
  /** Graph error code in the body; a usual one for the status by default. */
  code?: string;
  /** `before` (default): the request is refused and changes nothing; `after`: it is carried out, and the answer is the failure. */
  when?: 'before' | 'after';
}

export interface StandInUser {
  id: string;
  displayName: string | null;
  givenName: string | null;
  surname: string | null;
  jobTitle: string | null;
  department: string | null;
  mail: string | null;
  officeLocation: string | null;
  userPrincipalName: string;
  userType: 'Member' | 'Guest';
  businessPhones: string[];
  mobilePhone: string | null;
  preferredLanguage: string | null;
}

export interface GraphServerOptions {
  /** Accept only this bearer token (or those the function accepts); default any non-empty one. */
  validToken?: string | ((token: string) => boolean);
  /** Users per page when the caller gives no $top (Graph's default is 100). */
  pageSize?: number;
  /** The clock that stamps each request's `at` (default the system clock; a test with simulated time hands in its own). */
  now?: () => number;
}

/** A Teams activity-feed notification Graph accepted (https://learn.microsoft.com/en-us/graph/api/userteamwork-sendactivitynotification). */
export interface ActivityNotificationRecord {
  userId: string;
  topic: { source: string; value: string; webUrl?: string };
  activityType: string;
  previewText: { content: string };
  templateParameters: { name: string; value: string }[];
}

export interface Cancellation {
  userId: string;
  eventId: string;
  comment: string | undefined;
}

/** Someone in a meeting: invited, in its chat, or in an attendance report. */
export interface MeetingParticipantInput {
  userId: string;
  displayName: string;
  tenantId: string | null;
  email?: string | null;
}

export interface OnlineMeetingInput {
  organizerId: string;
  subject: string;
  start: Date;
  end: Date;
  /** The organiser's tenant (in the chat and participants). */
  tenantId?: string;
  chatId?: string;
  joinUrl?: string;
  attendees?: MeetingParticipantInput[];
  chatMembers?: MeetingParticipantInput[];
}

export interface StandInOnlineMeeting {
  id: string;
  chatId: string;
  joinUrl: string;
}

export interface AttendanceRecordInput {
  /** An Entra object id; anonymous and phone participants have another kind of id. */
  id: string;
  displayName: string;
  email?: string | null;
  tenantId?: string | null;
  role?: 'Organizer' | 'Presenter' | 'Attendee' | 'None';
  intervals: { join: Date; leave: Date }[];
}

export interface AttendanceReportInput {
  start: Date;
  end: Date;
  records: AttendanceRecordInput[];
}

/** A person in a team or channel; `roles` as Graph gives them (`[]` for an ordinary member). */
export interface TeamMemberInput {
  userId: string;
  displayName?: string;
  email?: string | null;
  roles?: ('owner' | 'guest')[];
}

export interface TeamChannelInput {
  id?: string;
  displayName?: string;
  membershipType?: 'standard' | 'private' | 'shared';
  /** Who is in a private or shared channel (user ids; all must be in the team); ignored for standard channels. */
  members?: string[];
}

export interface TeamInput {
  /** The team's id is its Microsoft 365 group's id (default: a new GUID). */
  id?: string;
  displayName?: string;
  tenantId?: string;
  members: TeamMemberInput[];
  /** Besides General, which every team has. */
  channels?: TeamChannelInput[];
}

export interface StandInTeam {
  id: string;
  /** General first, then the channels asked for, in order. */
  channelIds: string[];
}

interface StoredChannel {
  id: string;
  displayName: string;
  membershipType: 'standard' | 'private' | 'shared';
  members: string[];
  createdDateTime: string;
}

interface StoredTeam {
  id: string;
  displayName: string;
  tenantId: string | null;
  members: TeamMemberInput[];
  channels: Map<string, StoredChannel>;
}

interface StoredOnlineMeeting {
  id: string;
  chatId: string;
  joinUrl: string;
  subject: string;
  start: string;
  end: string;
  organizer: StandInUser;
  attendees: MeetingParticipantInput[];
  chatMembers: MeetingParticipantInput[];
  tenantId: string | null;
  reports: { id: string; start: string; end: string; records: AttendanceRecordInput[] }[];
}

interface Reply {
  status: number;
  headers: Record<string, string>;
  body?: unknown;
}

interface Fault extends FailNextOptions {
  remaining: number;
}

interface DropRule {
  remaining: number;
  match: ((request: RecordedRequest) => boolean) | undefined;
  when: 'before' | 'after';
}

interface StoredAttendee {
  type: 'required' | 'optional' | 'resource';
  emailAddress: { name?: string; address: string };
}

interface StoredLocation {
  displayName: string;
  address?: Record<string, string>;
}

interface StoredEvent {
  id: string;
  iCalUId: string;
  changeKey: string;
  transactionId: string | null;
  createdDateTime: string;
  lastModifiedDateTime: string;
  subject: string;
  body: { contentType: 'html' | 'text'; content: string };
  start: number;
  end: number;
  startTimeZone: string;
  endTimeZone: string;
  location: StoredLocation | null;
  isOnlineMeeting: boolean;
  onlineMeetingProvider: string;
  joinUrl: string | null;
  attendees: StoredAttendee[];
  hideAttendees: boolean;
  allowNewTimeProposals: boolean;
}

/** Graph's user properties without $select (https://learn.microsoft.com/en-us/graph/api/user-get). */
const defaultUserFields = ['businessPhones', 'displayName', 'givenName', 'id', 'jobTitle', 'mail', 'mobilePhone', 'officeLocation', 'preferredLanguage', 'surname', 'userPrincipalName'];
const userFields = new Set([...defaultUserFields, 'department', 'userType']);
const filterableUserFields = new Set(['id', 'mail', 'userPrincipalName', 'displayName']);
const writableEventFields = new Set([
  'subject', 'body', 'start', 'end', 'location', 'locations', 'attendees', 'isOnlineMeeting', 'onlineMeetingProvider',
  'transactionId', 'allowNewTimeProposals', 'hideAttendees', 'showAs', 'sensitivity', 'importance', 'isReminderOn',
  'reminderMinutesBeforeStart', 'responseRequested', 'categories',
]);
const MAX_BATCH = 20;
const JSON_TYPE = 'application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8';

export class GraphServer {
  /** Every request received, in order of arrival (batch sub-requests after their envelope). */
  readonly requests: RecordedRequest[] = [];
  readonly cancellations: Cancellation[] = [];
  readonly activityNotifications: ActivityNotificationRecord[] = [];
  /** When set, `@odata.nextLink` points at this origin instead of our own (to test link checks). */
  nextLinkOrigin: string | undefined;
  /** Invitations, app installations and mail (graph-reach.ts). */
  readonly reach = new GraphReach();
  /** OneDrive and SharePoint: drives, items, permissions, upload sessions (graph-drives.ts). */
  readonly drives: GraphDrives;

  private readonly users = new Map<string, StandInUser>();
  /** Users deleted but restorable (the tenant's recycle bin): the delta says `changed` for them. */
  private readonly softDeleted = new Map<string, StandInUser>();
  /** Every change to the user list, in order: the users delta answers from it. */
  private userChanges: string[] = [];
  /** Delta tokens of an earlier generation have expired (410). */
  private deltaGeneration = 0;
  private readonly photos = new Map<string, { contentType: string; bytes: Buffer }>();
  private readonly events = new Map<string, Map<string, StoredEvent>>();
  private faults: Fault[] = [];
  private drops: DropRule[] = [];
  /** Users without the Teams app installed: activity-feed notifications to them are refused (403). */
  private readonly withoutApp = new Set<string>();
  /** Online meetings by id, and which meeting each meeting chat belongs to. */
  private readonly onlineMeetings = new Map<string, StoredOnlineMeeting>();
  private readonly meetingChats = new Map<string, string>();
  private readonly teams = new Map<string, StoredTeam>();

  private constructor(
    private readonly server: Server,
    readonly baseUrl: string,
    private readonly options: GraphServerOptions,
  ) {
    this.drives = new GraphDrives(baseUrl, () => this.options.now?.() ?? Date.now(), (id) => {
      const user = this.users.get(id);
      return user ? user.displayName : undefined;
    });
  }

  static async start(options: GraphServerOptions = {}): Promise<GraphServer> {
    const { key, cert } = testTlsCredentials();
    // The handler needs the instance, the instance needs the listening server's port.
    const holder: { instance?: GraphServer } = {};
    const server = createServer({ key, cert }, (req, res) => {
      const instance = holder.instance;
      if (!instance) {
        res.destroy();
        return;
      }
      instance.handleHttp(req, res).catch((error: unknown) => {
        res.destroy(error instanceof Error ? error : new Error(String(error)));
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    const { port } = server.address() as AddressInfo;
    holder.instance = new GraphServer(server, `https://127.0.0.1:${port}`, options);
    return holder.instance;
  }

  async stop(): Promise<void> {
    this.drives.dispose();
    this.server.closeAllConnections();
    await new Promise<void>((resolve, reject) => this.server.close((error) => (error ? reject(error) : resolve())));
  }

  /** Forget all state, faults and recorded requests. */
  reset(): void {
    this.requests.length = 0;
    this.cancellations.length = 0;
    this.activityNotifications.length = 0;
    this.withoutApp.clear();
    this.onlineMeetings.clear();
    this.meetingChats.clear();
    this.teams.clear();
    this.users.clear();
    this.softDeleted.clear();
    this.userChanges = [];
    this.deltaGeneration = 0;
    this.photos.clear();
    this.events.clear();
    this.faults = [];
    this.drops = [];
    this.nextLinkOrigin = undefined;
    this.reach.reset();
    this.drives.reset();
  }

  addUser(input: Partial<StandInUser> = {}): StandInUser {
    const id = input.id ?? randomUUID();
    const user: StandInUser = {
      id,
      displayName: input.displayName ?? null,
      givenName: input.givenName ?? null,
      surname: input.surname ?? null,
      jobTitle: input.jobTitle ?? null,
      department: input.department ?? null,
      mail: input.mail ?? null,
      officeLocation: input.officeLocation ?? null,
      userPrincipalName: input.userPrincipalName ?? input.mail ?? `${id}@contoso.onmicrosoft.com`,
      userType: input.userType ?? 'Member',
      businessPhones: input.businessPhones ?? [],
      mobilePhone: input.mobilePhone ?? null,
      preferredLanguage: input.preferredLanguage ?? null,
    };
    this.users.set(id, user);
    this.userChanges.push(id);
    return user;
  }

  /**
   * Deletes a user: into the recycle bin (restorable, the delta says `changed`), or for good
   * (`permanently`, the delta says `deleted`). Either way GET /users/{id} answers 404 after.
   */
  removeUser(id: string, options: { permanently?: boolean } = {}): void {
    const user = this.users.get(id) ?? this.softDeleted.get(id);
    if (!user) throw new Error(`No user ${id} in the Graph stand-in`);
    this.users.delete(id);
    if (options.permanently) this.softDeleted.delete(id);
    else this.softDeleted.set(id, user);
    this.userChanges.push(id);
  }

  /** Every delta token handed out so far expires: asking with one answers 410, as Graph does when its state is gone. */
  expireDeltaTokens(): void {
    this.deltaGeneration++;
  }

  /** Restores a user from the recycle bin. */
  restoreUser(id: string): void {
    const user = this.softDeleted.get(id);
    if (!user) throw new Error(`No deleted user ${id} in the Graph stand-in`);
    this.softDeleted.delete(id);
    this.users.set(id, user);
    this.userChanges.push(id);
  }

  setPhoto(userId: string, bytes: Uint8Array, contentType = 'image/jpeg'): void {
    if (!this.users.has(userId)) throw new Error(`No user ${userId} in the Graph stand-in`);
    this.photos.set(userId, { contentType, bytes: Buffer.from(bytes) });
  }

  /** Activity-feed notifications to this user are refused with 403 (the app is not installed for them). */
  uninstallApp(userId: string): void {
    this.withoutApp.add(userId);
  }

  /**
   * A Teams meeting the user organises, with its meeting chat (`19:meeting_...@thread.v2`),
   * the people invited and the chat's members (default: organiser and invitees).
   */
  addOnlineMeeting(input: OnlineMeetingInput): StandInOnlineMeeting {
    const organizer = this.users.get(input.organizerId);
    if (!organizer) throw new Error(`No user ${input.organizerId} in the Graph stand-in`);
    const thread = randomBytes(24).toString('base64url');
    const chatId = input.chatId ?? `19:meeting_${thread}@thread.v2`;
    const joinUrl = input.joinUrl ?? `https://teams.microsoft.com/l/meetup-join/${encodeURIComponent(chatId)}/0?context=${encodeURIComponent(JSON.stringify({ Tid: randomUUID(), Oid: organizer.id }))}`;
    const id = Buffer.from(`1*${organizer.id}*0**${chatId}`).toString('base64url');
    const attendees = input.attendees ?? [];
    const meeting: StoredOnlineMeeting = {
      id,
      chatId,
      joinUrl,
      subject: input.subject,
      start: input.start.toISOString(),
      end: input.end.toISOString(),
      organizer,
      attendees,
      chatMembers: input.chatMembers ?? [{ userId: organizer.id, displayName: organizer.displayName ?? '', tenantId: input.tenantId ?? null, email: organizer.mail }, ...attendees],
      tenantId: input.tenantId ?? null,
      reports: [],
    };
    this.onlineMeetings.set(id, meeting);
    this.meetingChats.set(chatId, id);
    return { id, chatId, joinUrl };
  }

  /** An attendance report for a session of the meeting (Graph makes one when a session ends); answers its id. */
  addAttendanceReport(meetingId: string, input: AttendanceReportInput): string {
    const meeting = this.onlineMeetings.get(meetingId);
    if (!meeting) throw new Error(`No online meeting ${meetingId} in the Graph stand-in`);
    const id = randomUUID();
    meeting.reports.push({ id, start: input.start.toISOString(), end: input.end.toISOString(), records: input.records });
    return id;
  }

  /**
   * A team with its members and channels: General (standard) and those asked for. Channel ids
   * have Teams' thread shape (`19:...@thread.tacv2`) and belong to this team only.
   */
  addTeam(input: TeamInput): StandInTeam {
    const id = input.id ?? randomUUID();
    const now = new Date().toISOString();
    const inTeam = new Set(input.members.map((m) => m.userId.toLowerCase()));
    const channels = new Map<string, StoredChannel>();
    for (const c of [{ displayName: 'General' } as TeamChannelInput, ...(input.channels ?? [])]) {
      const channelId = c.id ?? `19:${randomBytes(16).toString('hex')}@thread.tacv2`;
      const membershipType = c.membershipType ?? 'standard';
      const members = membershipType === 'standard' ? [] : (c.members ?? []);
      for (const m of members) if (!inTeam.has(m.toLowerCase())) throw new Error(`${m} is not in team ${id}: a channel's members are the team's`);
      channels.set(channelId, { id: channelId, displayName: c.displayName ?? 'Channel', membershipType, members, createdDateTime: now });
    }
    this.teams.set(id, { id, displayName: input.displayName ?? 'Team', tenantId: input.tenantId ?? null, members: input.members, channels });
    // A team's id is its group's, whose document library holds the channels' files.
    this.drives.addGroup(id, input.members.map((m) => m.userId));
    return { id, channelIds: [...channels.keys()] };
  }

  /** The next `times` matching requests get `status` (with Retry-After when given). */
  failNext(fault: FailNextOptions): void {
    this.faults.push({ ...fault, remaining: fault.times ?? 1 });
  }

  /**
   * Destroy the socket of the next `count` matching HTTP requests instead of answering:
   * `before` handling them (nothing changed), or `after` (the change is made, the answer lost).
   */
  dropConnections(count: number, match?: (request: RecordedRequest) => boolean, when: 'before' | 'after' = 'before'): void {
    this.drops.push({ remaining: count, match, when });
  }

  /** An event as Graph would return it (times in UTC), or undefined when the calendar lacks it. */
  event(userId: string, eventId: string): Record<string, unknown> | undefined {
    const stored = this.events.get(userId)?.get(eventId);
    return stored ? this.eventJson(userId, stored, 'UTC') : undefined;
  }

  /** All events in a user's calendar, as Graph would return them. */
  eventsOf(userId: string): Record<string, unknown>[] {
    return [...(this.events.get(userId)?.values() ?? [])].map((e) => this.eventJson(userId, e, 'UTC'));
  }

  /** Requests (HTTP and batch sub-requests) matching `predicate`. */
  count(predicate: (request: RecordedRequest) => boolean): number {
    return this.requests.filter(predicate).length;
  }

  // ---- HTTP ----

  private async handleHttp(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.baseUrl);
    const raw = await readBody(req);
    const headers = lowerCaseHeaders(req.headers);
    const recorded: RecordedRequest = { method: (req.method ?? 'GET').toUpperCase(), path: url.pathname, query: url.searchParams, headers, body: undefined, via: 'http', at: this.options.now?.() ?? Date.now() };
    this.requests.push(recorded);

    const drop = this.drops.find((d) => d.remaining > 0 && (d.match?.(recorded) ?? true));
    if (drop) drop.remaining--;
    if (drop?.when === 'before') {
      recorded.status = 0;
      req.socket.destroy();
      return;
    }

    let reply: Reply;
    // Upload URLs take fragments up to 60 MiB as bytes (graph-drives.ts); Graph's API takes JSON.
    const upload = this.drives.isUploadPath(url.pathname);
    if (raw.length > (upload ? 64 : 4) * 1024 * 1024) {
      reply = graphError(413, 'RequestEntityTooLarge', 'The request is too large.', headers);
    } else {
      const parsed = upload ? (raw.length > 0 ? raw : undefined) : parseJsonBody(raw, headers['content-type']);
      if (parsed === invalidJson) {
        reply = graphError(400, 'BadRequest', 'Unable to read JSON request payload.', headers);
      } else {
        recorded.body = parsed;
        reply = this.answer(recorded);
      }
    }
    if (drop?.when === 'after') {
      recorded.status = 0;
      req.socket.destroy();
      return;
    }
    recorded.status = reply.status;
    send(res, reply);
  }

  /** Authorization, injected faults, then the route; shared by HTTP requests and batch sub-requests. */
  private answer(request: RecordedRequest): Reply {
    // Upload and thumbnail URLs are pre-authenticated: no bearer token (graph-drives.ts checks their own).
    const upload = request.via === 'http' && this.drives.isUploadPath(request.path);
    const thumbnail = request.via === 'http' && this.drives.isThumbnailPath(request.path);
    const unauthorized = upload || thumbnail ? undefined : this.checkAuthorization(request.headers);
    if (unauthorized) return unauthorized;
    const fault = this.faults.find((f) => f.remaining > 0 && (f.match?.(request) ?? true));
    if (fault) fault.remaining--;
    if (fault && fault.when !== 'after') return faultReply(fault, request.headers);
    let reply: Reply;
    try {
      reply = upload ? driveReply(this.drives.upload(request), request.headers) : thumbnail ? driveReply(this.drives.thumbnailContent(request), request.headers) : this.route(request);
    } catch (error) {
      if (!(error instanceof HttpError)) throw error;
      reply = graphError(error.status, error.code, error.message, request.headers);
    }
    return fault ? faultReply(fault, request.headers) : reply;
  }

  private checkAuthorization(headers: Record<string, string>): Reply | undefined {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(headers.authorization ?? '');
    if (!match?.[1]) return graphError(401, 'InvalidAuthenticationToken', 'Access token is empty.', headers);
    const token = match[1];
    const valid = this.options.validToken;
    const ok = valid === undefined ? true : typeof valid === 'string' ? token === valid : valid(token);
    return ok ? undefined : graphError(401, 'InvalidAuthenticationToken', 'Access token validation failure. Invalid audience.', headers);
  }

  private route(request: RecordedRequest): Reply {
    const segments = request.path.split('/').slice(1).map((s) => decodeURIComponent(s));
    if (segments[0] !== 'v1.0') throw new HttpError(400, 'BadRequest', `Invalid version: ${segments[0] ?? ''}`);
    const [resource, id, child, eventId, action, ...rest] = segments.slice(1);
    const method = request.method;
    if (resource === 'chats' && id !== undefined) {
      if (method !== 'GET') throw notAllowed();
      return this.chat(id, child, request);
    }
    if (resource === 'users' && id !== undefined && child === 'onlineMeetings') {
      if (method !== 'GET') throw notAllowed();
      return this.onlineMeeting(id, segments.slice(4), request);
    }
    if (resource === 'teams' && id !== undefined) {
      if (method !== 'GET') throw notAllowed();
      return this.team(id, segments.slice(3), request);
    }
    if (resource === 'drives' || resource === 'me' || resource === 'groups') {
      const pager: Pager = (req, items, defaultTop) => this.paged(req as RecordedRequest, items, undefined, defaultTop);
      return driveReply(this.drives.handle(segments.slice(1), request, pager), request.headers);
    }
    if (rest.length > 0) throw unknownSegment(rest[0]);

    if (resource === '$batch' && id === undefined) {
      if (method !== 'POST') throw notAllowed();
      if (request.via === 'batch') throw new HttpError(400, 'BadRequest', 'A batch cannot contain a batch.');
      return this.batch(request);
    }
    if (resource === 'invitations' && id === undefined) {
      if (method !== 'POST') throw notAllowed();
      return reachReply(this.reach.invite(request.body, this.reachDirectory(), request.at), request.headers);
    }
    if (resource !== 'users') throw unknownSegment(resource);
    if ((id === 'delta' || id === 'microsoft.graph.delta') && child === undefined) {
      if (method !== 'GET') throw notAllowed();
      return this.usersDelta(request);
    }
    if (id === undefined) {
      if (method !== 'GET') throw notAllowed();
      return this.listUsers(request);
    }
    const user = this.findUser(id);
    if (child === undefined) {
      if (method !== 'GET') throw notAllowed();
      if (!user) throw userNotFound(id);
      return ok(200, this.userJson(user, request.query.get('$select')));
    }
    if (child === 'photo' && eventId === '$value' && action === undefined) {
      if (method !== 'GET') throw notAllowed();
      const photo = user ? this.photos.get(user.id) : undefined;
      if (!photo) throw new HttpError(404, 'ImageNotFound', 'Exception of type \'Microsoft.Fast.Profile.Core.Exception.ImageNotFoundException\' was thrown.');
      return { status: 200, headers: { 'Content-Type': photo.contentType }, body: photo.bytes };
    }
    if (child === 'teamwork' && eventId === 'sendActivityNotification' && action === undefined) {
      if (method !== 'POST') throw notAllowed();
      if (!user) throw userNotFound(id);
      return this.sendActivityNotification(user, request.body);
    }
    if (child === 'teamwork' && eventId === 'installedApps' && action === undefined) {
      if (method === 'POST') return reachReply(this.reach.install(id, request.body, this.reachDirectory()), request.headers);
      if (method === 'GET') return reachReply(this.reach.listInstalled(id, this.reachDirectory()), request.headers);
      throw notAllowed();
    }
    if (child === 'sendMail' && eventId === undefined) {
      if (method !== 'POST') throw notAllowed();
      return reachReply(this.reach.sendMail(id, request.body, this.reachDirectory()), request.headers);
    }
    if (child !== 'events') throw unknownSegment(child);
    if (!user) throw new HttpError(404, 'ErrorInvalidUser', `The requested user '${id}' is invalid.`);
    const tz = preferredTimeZone(request.headers.prefer);
    if (eventId === undefined) {
      if (method === 'POST') return this.createEvent(user, request.body, tz);
      throw new HttpError(501, 'NotImplemented', 'Listing events is not part of the Graph stand-in.');
    }
    const calendar = this.calendar(user.id);
    const event = calendar.get(eventId);
    if (action === 'cancel') {
      if (method !== 'POST') throw notAllowed();
      if (!event) throw itemNotFound();
      const comment = readComment(request.body);
      calendar.delete(eventId);
      this.cancellations.push({ userId: user.id, eventId, comment });
      return { status: 202, headers: {} };
    }
    if (action !== undefined) throw unknownSegment(action);
    if (!event) throw itemNotFound();
    if (method === 'GET') return ok(200, selectFields(this.eventJson(user.id, event, tz), request.query.get('$select')));
    if (method === 'PATCH') {
      this.applyEventChanges(event, request.body, false);
      touch(event);
      return ok(200, this.eventJson(user.id, event, tz));
    }
    if (method === 'DELETE') {
      calendar.delete(eventId);
      return { status: 204, headers: {} };
    }
    throw notAllowed();
  }

  // ---- users ----

  /** The directory as graph-reach.ts sees it: find by id, UPN or mail, and add a B2B guest. */
  private reachDirectory(): ReachDirectory {
    return {
      find: (idOrUpn) => this.findUser(idOrUpn),
      findByMail: (mail) => [...this.users.values()].find((u) => (u.mail ?? '').toLowerCase() === mail.toLowerCase()),
      addGuest: ({ mail, displayName }) => this.addUser({ mail, displayName, userType: 'Guest', userPrincipalName: `${mail.replace('@', '_')}#EXT#@contoso.onmicrosoft.com` }),
    };
  }

  private findUser(idOrUpn: string): StandInUser | undefined {
    const direct = this.users.get(idOrUpn);
    if (direct) return direct;
    const wanted = idOrUpn.toLowerCase();
    return [...this.users.values()].find((u) => u.userPrincipalName.toLowerCase() === wanted);
  }

  private listUsers(request: RecordedRequest): Reply {
    const filter = request.query.get('$filter');
    const clauses = filter === null ? [] : parseUserFilter(filter);
    const search = request.query.get('$search');
    const words = search === null ? null : parseUserSearch(search, request.headers.consistencylevel);
    const matching = [...this.users.values()].filter(
      (u) =>
        (clauses.length === 0 || clauses.some(([field, value]) => String(u[field as keyof StandInUser] ?? '').toLowerCase() === value.toLowerCase())) &&
        (words === null || matchesNameSearch(u.displayName ?? '', words)),
    );
    const { page, nextLink } = this.paged(request, matching, { top: 'Request_UnsupportedQuery', token: 'Directory_ExpiredPageToken' });
    const select = request.query.get('$select');
    const body: Record<string, unknown> = { '@odata.context': `${this.baseUrl}/v1.0/$metadata#users`, value: page.map((u) => this.userJson(u, select, false)) };
    if (request.query.get('$count') === 'true') body['@odata.count'] = matching.length;
    if (nextLink) body['@odata.nextLink'] = nextLink;
    return ok(200, body);
  }

  /**
   * One page of `items` as Graph pages a collection: `$top` (default `pageSize`), `$skiptoken`
   * for where the page starts, and `@odata.nextLink` (to `nextLinkOrigin` when set) while more follow.
   */
  private paged<T>(request: RecordedRequest, items: readonly T[], codes = { top: 'BadRequest', token: 'BadRequest' }, defaultTop?: number): { page: T[]; offset: number; nextLink: string | undefined } {
    const topParam = request.query.get('$top');
    const top = topParam === null ? (defaultTop ?? this.options.pageSize ?? 100) : Number(topParam);
    if (!Number.isInteger(top) || top < 1 || top > 999) throw new HttpError(400, codes.top, 'Invalid page size specified.');
    const skipToken = request.query.get('$skiptoken');
    const offset = skipToken === null ? 0 : Number(Buffer.from(skipToken, 'base64url').toString('utf8'));
    if (!Number.isInteger(offset) || offset < 0) throw new HttpError(400, codes.token, 'The specified page token value has expired.');
    let nextLink: string | undefined;
    if (offset + top < items.length) {
      const next = new URLSearchParams(request.query);
      next.set('$skiptoken', Buffer.from(String(offset + top), 'utf8').toString('base64url'));
      nextLink = `${this.nextLinkOrigin ?? this.baseUrl}${request.path}?${next.toString()}`;
    }
    return { page: items.slice(offset, offset + top), offset, nextLink };
  }

  /**
   * The users delta (https://learn.microsoft.com/en-us/graph/api/user-delta): a round without a
   * token lists every user; its last page carries `@odata.deltaLink`, whose `$deltatoken` asks
   * for what changed since (each changed user once, in its state now; removed ones as `@removed`).
   * Tokens are opaque to the caller: here they encode where in the change log the round stands,
   * and the `$select` of the first request, which Graph carries in its links too.
   */
  private usersDelta(request: RecordedRequest): Reply {
    const skip = request.query.get('$skiptoken');
    const delta = request.query.get('$deltatoken');
    let state: { since: number | null; upto: number; offset: number; select: string | null; generation?: number };
    try {
      if (skip !== null) state = JSON.parse(Buffer.from(skip, 'base64url').toString('utf8')) as typeof state;
      else if (delta !== null) state = { ...(JSON.parse(Buffer.from(delta, 'base64url').toString('utf8')) as { since: number; select: string | null }), upto: this.userChanges.length, offset: 0 };
      else state = { since: null, upto: this.userChanges.length, offset: 0, select: request.query.get('$select') };
    } catch {
      throw new HttpError(400, 'Request_BadRequest', 'The delta token is not valid.');
    }
    if (typeof state.upto !== 'number' || typeof state.offset !== 'number' || (state.since !== null && typeof state.since !== 'number')) {
      throw new HttpError(400, 'Request_BadRequest', 'The delta token is not valid.');
    }
    if (state.since !== null && state.generation !== this.deltaGeneration) throw new HttpError(410, 'SyncStateNotFound', 'The sync state generation is not found. Start a new synchronization.');
    const ids = state.since === null ? [...this.users.keys()] : [...new Set(this.userChanges.slice(state.since, state.upto))];
    const items = ids.map((id): Record<string, unknown> => {
      const user = this.users.get(id);
      if (user) return this.userJson(user, state.select, false);
      return { id, '@removed': { reason: this.softDeleted.has(id) ? 'changed' : 'deleted' } };
    });
    const size = this.options.pageSize ?? 100;
    const page = items.slice(state.offset, state.offset + size);
    const body: Record<string, unknown> = { '@odata.context': `${this.baseUrl}/v1.0/$metadata#users`, value: page };
    const token = (value: object) => Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');
    if (state.offset + size < items.length) {
      body['@odata.nextLink'] = `${this.nextLinkOrigin ?? this.baseUrl}/v1.0/users/delta?$skiptoken=${token({ ...state, offset: state.offset + size })}`;
    } else {
      body['@odata.deltaLink'] = `${this.nextLinkOrigin ?? this.baseUrl}/v1.0/users/delta?$deltatoken=${token({ since: state.upto, select: state.select, generation: this.deltaGeneration })}`;
    }
    return ok(200, body);
  }

  private userJson(user: StandInUser, select: string | null, withContext = true): Record<string, unknown> {
    const fields = select === null ? defaultUserFields : select.split(',').map((f) => f.trim()).filter(Boolean);
    for (const field of fields) {
      if (!userFields.has(field)) throw new HttpError(400, 'Request_BadRequest', `Could not find a property named '${field}' on type 'microsoft.graph.user'.`);
    }
    const out: Record<string, unknown> = withContext ? { '@odata.context': `${this.baseUrl}/v1.0/$metadata#users/$entity` } : {};
    for (const field of fields) out[field] = user[field as keyof StandInUser];
    return out;
  }

  // ---- events ----

  private calendar(userId: string): Map<string, StoredEvent> {
    let calendar = this.events.get(userId);
    if (!calendar) {
      calendar = new Map();
      this.events.set(userId, calendar);
    }
    return calendar;
  }

  private createEvent(user: StandInUser, body: unknown, tz: string): Reply {
    const input = asObject(body);
    const calendar = this.calendar(user.id);
    const transactionId = input.transactionId;
    if (transactionId !== undefined && typeof transactionId !== 'string') throw invalidProperty('transactionId');
    if (typeof transactionId === 'string') {
      // transactionId lets a client retry a create without making a second event.
      const existing = [...calendar.values()].find((e) => e.transactionId === transactionId);
      if (existing) return ok(201, this.eventJson(user.id, existing, tz));
    }
    if (input.start === undefined || input.end === undefined) throw new HttpError(400, 'ErrorInvalidRequest', 'Start and End are required.');
    const now = new Date().toISOString();
    const event: StoredEvent = {
      id: `AAMkAD${randomBytes(24).toString('base64url')}`,
      iCalUId: `040000008200E00074C5B7101A82E008000000${randomBytes(16).toString('hex').toUpperCase()}`,
      changeKey: randomBytes(12).toString('base64'),
      transactionId: typeof transactionId === 'string' ? transactionId : null,
      createdDateTime: now,
      lastModifiedDateTime: now,
      subject: '',
      body: { contentType: 'text', content: '' },
      start: 0,
      end: 0,
      startTimeZone: 'UTC',
      endTimeZone: 'UTC',
      location: null,
      isOnlineMeeting: false,
      onlineMeetingProvider: 'unknown',
      joinUrl: null,
      attendees: [],
      hideAttendees: false,
      allowNewTimeProposals: true,
    };
    this.applyEventChanges(event, input, true);
    calendar.set(event.id, event);
    return ok(201, this.eventJson(user.id, event, tz));
  }

  private applyEventChanges(event: StoredEvent, body: unknown, creating: boolean): void {
    const input = asObject(body);
    for (const key of Object.keys(input)) {
      if (!writableEventFields.has(key)) throw new HttpError(400, 'RequestBodyRead', `The property '${key}' does not exist on type 'microsoft.graph.event' or is read-only.`);
    }
    const next = { ...event, attendees: [...event.attendees] };
    if ('transactionId' in input && !creating && input.transactionId !== event.transactionId) {
      throw new HttpError(400, 'ErrorInvalidRequest', 'The transactionId of an event cannot be changed.');
    }
    if ('subject' in input) next.subject = requireString(input.subject, 'subject');
    if ('body' in input) {
      const b = asObject(input.body, 'body');
      const contentType = b.contentType ?? 'text';
      if (contentType !== 'html' && contentType !== 'text') throw invalidProperty('body.contentType');
      next.body = { contentType, content: requireString(b.content ?? '', 'body.content') };
    }
    if ('start' in input) ({ instant: next.start, zone: next.startTimeZone } = readDateTimeTimeZone(input.start, 'start'));
    if ('end' in input) ({ instant: next.end, zone: next.endTimeZone } = readDateTimeTimeZone(input.end, 'end'));
    if (next.end < next.start) throw new HttpError(400, 'ErrorPropertyValidationFailure', 'The end of the event must not be before its start.');
    if ('location' in input) next.location = readLocation(input.location);
    if ('attendees' in input) next.attendees = readAttendees(input.attendees);
    if ('hideAttendees' in input) next.hideAttendees = requireBoolean(input.hideAttendees, 'hideAttendees');
    if ('allowNewTimeProposals' in input) next.allowNewTimeProposals = requireBoolean(input.allowNewTimeProposals, 'allowNewTimeProposals');
    if ('onlineMeetingProvider' in input) {
      const provider = input.onlineMeetingProvider;
      if (provider !== 'teamsForBusiness' && provider !== 'skypeForBusiness' && provider !== 'skypeForConsumer' && provider !== 'unknown') throw invalidProperty('onlineMeetingProvider');
      if (!next.isOnlineMeeting) next.onlineMeetingProvider = provider;
    }
    if ('isOnlineMeeting' in input) {
      const online = requireBoolean(input.isOnlineMeeting, 'isOnlineMeeting');
      // Once online, Outlook ignores isOnlineMeeting: false; the meeting stays.
      if (online && !next.isOnlineMeeting) {
        if (next.onlineMeetingProvider === 'unknown') next.onlineMeetingProvider = 'teamsForBusiness';
        next.isOnlineMeeting = true;
        next.joinUrl = `https://teams.microsoft.com/l/meetup-join/19%3ameeting_${randomBytes(18).toString('base64url')}%40thread.v2/0?context=%7b%22Tid%22%3a%22${randomUUID()}%22%7d`;
        // Graph writes the join details into the invitation body.
        next.body = {
          contentType: 'html',
          content: `${next.body.content}<br>________________________________________________________________________________<div><b>Microsoft Teams meeting</b></div><div><a href="${next.joinUrl}">Click here to join the meeting</a></div>`,
        };
      }
    }
    Object.assign(event, next);
  }

  private eventJson(userId: string, event: StoredEvent, tz: string): Record<string, unknown> {
    const organizer = this.users.get(userId);
    const location = event.location ? { ...event.location, locationType: 'default', uniqueIdType: 'private' } : { displayName: '', locationType: 'default', uniqueIdType: 'unknown' };
    return {
      '@odata.context': `${this.baseUrl}/v1.0/$metadata#users('${userId}')/events/$entity`,
      '@odata.etag': `W/"${event.changeKey}"`,
      id: event.id,
      createdDateTime: event.createdDateTime,
      lastModifiedDateTime: event.lastModifiedDateTime,
      changeKey: event.changeKey,
      categories: [],
      ...(event.transactionId !== null ? { transactionId: event.transactionId } : {}),
      originalStartTimeZone: event.startTimeZone,
      originalEndTimeZone: event.endTimeZone,
      iCalUId: event.iCalUId,
      reminderMinutesBeforeStart: 15,
      isReminderOn: true,
      hasAttachments: false,
      subject: event.subject,
      bodyPreview: event.body.content.replace(/<[^>]*>/g, ' ').replace(/\s+/g, ' ').trim().slice(0, 255),
      importance: 'normal',
      sensitivity: 'normal',
      isAllDay: false,
      isCancelled: false,
      isOrganizer: true,
      responseRequested: true,
      seriesMasterId: null,
      showAs: 'busy',
      type: 'singleInstance',
      webLink: `https://outlook.office365.com/owa/?itemid=${encodeURIComponent(event.id)}&exvsurl=1&path=/calendar/item`,
      onlineMeetingUrl: null,
      isOnlineMeeting: event.isOnlineMeeting,
      onlineMeetingProvider: event.onlineMeetingProvider,
      allowNewTimeProposals: event.allowNewTimeProposals,
      hideAttendees: event.hideAttendees,
      responseStatus: { response: 'organizer', time: '0001-01-01T00:00:00Z' },
      body: { ...event.body },
      start: { dateTime: formatInZone(event.start, tz), timeZone: tz },
      end: { dateTime: formatInZone(event.end, tz), timeZone: tz },
      location,
      locations: event.location ? [location] : [],
      recurrence: null,
      attendees: event.attendees.map((a) => ({ type: a.type, status: { response: 'none', time: '0001-01-01T00:00:00Z' }, emailAddress: { ...a.emailAddress } })),
      organizer: { emailAddress: { name: organizer?.displayName ?? '', address: organizer?.mail ?? organizer?.userPrincipalName ?? '' } },
      onlineMeeting: event.joinUrl ? { joinUrl: event.joinUrl } : null,
    };
  }

  // ---- activity feed ----

  private sendActivityNotification(user: StandInUser, body: unknown): Reply {
    const input = asObject(body);
    const topic = asObject(input.topic, 'topic');
    const source = requireString(topic.source, 'topic.source');
    if (source !== 'text' && source !== 'entityUrl') throw invalidProperty('topic.source');
    const value = requireString(topic.value, 'topic.value');
    // A text topic needs a webUrl to open.
    if (source === 'text' && typeof topic.webUrl !== 'string') throw new HttpError(400, 'BadRequest', 'WebUrl is required when topic source is text.');
    const activityType = requireString(input.activityType, 'activityType');
    const preview = asObject(input.previewText, 'previewText');
    const content = requireString(preview.content, 'previewText.content');
    const parameters = input.templateParameters === undefined ? [] : input.templateParameters;
    if (!Array.isArray(parameters)) throw invalidProperty('templateParameters');
    const templateParameters = parameters.map((p: unknown) => {
      const pair = asObject(p, 'templateParameters');
      return { name: requireString(pair.name, 'templateParameters.name'), value: requireString(pair.value, 'templateParameters.value') };
    });
    if (this.withoutApp.has(user.id)) throw new HttpError(403, 'Forbidden', 'The app is not installed for the recipient.');
    this.activityNotifications.push({ userId: user.id, topic: { source, value, ...(typeof topic.webUrl === 'string' ? { webUrl: topic.webUrl } : {}) }, activityType, previewText: { content }, templateParameters });
    return { status: 204, headers: {} };
  }

  // ---- meetings ----

  private chat(chatId: string, child: string | undefined, request: RecordedRequest): Reply {
    const meetingId = this.meetingChats.get(chatId);
    const meeting = meetingId ? this.onlineMeetings.get(meetingId) : undefined;
    if (!meeting) throw new HttpError(404, 'NotFound', `Chat '${chatId}' not found.`);
    if (child === 'members') {
      return ok(200, {
        '@odata.context': `${this.baseUrl}/v1.0/$metadata#chats('${chatId}')/members`,
        '@odata.count': meeting.chatMembers.length,
        value: meeting.chatMembers.map((m) => ({
          '@odata.type': '#microsoft.graph.aadUserConversationMember',
          id: Buffer.from(`${chatId}#${m.userId}`).toString('base64url'),
          roles: m.userId === meeting.organizer.id ? ['owner'] : [],
          displayName: m.displayName,
          visibleHistoryStartDateTime: '0001-01-01T00:00:00Z',
          userId: m.userId,
          email: m.email ?? null,
          tenantId: m.tenantId,
        })),
      });
    }
    if (child !== undefined) throw unknownSegment(child);
    const json: Record<string, unknown> = {
      '@odata.context': `${this.baseUrl}/v1.0/$metadata#chats/$entity`,
      id: chatId,
      topic: meeting.subject,
      createdDateTime: meeting.start,
      lastUpdatedDateTime: meeting.start,
      chatType: 'meeting',
      webUrl: `https://teams.microsoft.com/l/chat/${encodeURIComponent(chatId)}/0?tenantId=${meeting.tenantId ?? ''}`,
      tenantId: meeting.tenantId,
      onlineMeetingInfo: {
        calendarEventId: null,
        joinWebUrl: meeting.joinUrl,
        organizer: { id: meeting.organizer.id, displayName: null, userIdentityType: 'aadUser', tenantId: meeting.tenantId },
      },
      viewpoint: null,
    };
    return ok(200, selectFields(json, request.query.get('$select'), 'chat'));
  }

  private onlineMeeting(userId: string, rest: string[], request: RecordedRequest): Reply {
    const user = this.findUser(userId);
    if (!user) throw userNotFound(userId);
    const [meetingId, reports, reportId, records, ...extra] = rest;
    if (extra.length > 0) throw unknownSegment(extra[0]);
    const own = [...this.onlineMeetings.values()].filter((m) => m.organizer.id === user.id);
    if (meetingId === undefined) {
      // App-only access finds meetings by join URL (or video teleconference id) only.
      const filter = request.query.get('$filter');
      const wanted = /^JoinWebUrl eq '((?:[^']|'')*)'$/i.exec(filter ?? '')?.[1]?.replace(/''/g, "'");
      if (wanted === undefined) throw new HttpError(400, 'BadRequest', 'Filter expression expected - /onlineMeetings?$filter=JoinWebUrl eq \'joinWebUrl\'.');
      const found = own.filter((m) => m.joinUrl === wanted);
      return ok(200, { '@odata.context': `${this.baseUrl}/v1.0/$metadata#users('${user.id}')/onlineMeetings`, value: found.map((m) => this.onlineMeetingJson(m)) });
    }
    const meeting = own.find((m) => m.id === meetingId);
    if (!meeting) throw new HttpError(404, 'NotFound', 'Online meeting not found.');
    if (reports === undefined) return ok(200, this.onlineMeetingJson(meeting));
    if (reports !== 'attendanceReports') throw unknownSegment(reports);
    if (reportId === undefined) {
      return ok(200, {
        '@odata.context': `${this.baseUrl}/v1.0/$metadata#users('${user.id}')/onlineMeetings('${meeting.id}')/attendanceReports`,
        value: meeting.reports.map((r) => ({ id: r.id, totalParticipantCount: r.records.length, meetingStartDateTime: r.start, meetingEndDateTime: r.end })),
      });
    }
    const report = meeting.reports.find((r) => r.id === reportId);
    if (!report) throw new HttpError(404, 'NotFound', 'Attendance report not found.');
    if (records === undefined) return ok(200, { id: report.id, totalParticipantCount: report.records.length, meetingStartDateTime: report.start, meetingEndDateTime: report.end });
    if (records !== 'attendanceRecords') throw unknownSegment(records);
    const { page, offset, nextLink } = this.paged(request, report.records);
    const body: Record<string, unknown> = { '@odata.context': `${this.baseUrl}/v1.0/$metadata#attendanceRecords`, value: page.map((r, i) => attendanceRecordJson(r, offset + i)) };
    if (nextLink) body['@odata.nextLink'] = nextLink;
    return ok(200, body);
  }

  private onlineMeetingJson(m: StoredOnlineMeeting): Record<string, unknown> {
    const participant = (p: MeetingParticipantInput, role: string) => ({
      upn: p.email ?? null,
      role,
      identity: { user: { id: p.userId, displayName: p.displayName, tenantId: p.tenantId, identityProvider: 'AAD' } },
    });
    return {
      id: m.id,
      creationDateTime: m.start,
      startDateTime: m.start,
      endDateTime: m.end,
      joinWebUrl: m.joinUrl,
      subject: m.subject,
      isBroadcast: false,
      chatInfo: { threadId: m.chatId, messageId: '0', replyChainMessageId: null },
      participants: {
        organizer: participant({ userId: m.organizer.id, displayName: m.organizer.displayName ?? '', email: m.organizer.userPrincipalName, tenantId: m.tenantId }, 'presenter'),
        attendees: m.attendees.map((a) => participant(a, 'attendee')),
      },
    };
  }

  // ---- teams and channels ----

  private team(teamId: string, rest: string[], request: RecordedRequest): Reply {
    const team = this.teams.get(teamId);
    // Graph's answer for a group without a team, or no group at all.
    if (!team) throw new HttpError(404, 'NotFound', `No team found with Group Id ${teamId}`);
    const [child, channelId, grandchild, ...extra] = rest;
    if (extra.length > 0) throw unknownSegment(extra[0]);
    if (child === 'members' && channelId === undefined) {
      const filter = request.query.get('$filter');
      const wanted = filter === null ? null : parseMemberFilter(filter);
      const members = team.members.filter((m) => wanted === null || m.userId.toLowerCase() === wanted.toLowerCase());
      return this.memberPage(request, `teams('${team.id}')/members`, team, members);
    }
    if (child !== 'channels' || channelId === undefined) throw unknownSegment(child);
    const channel = team.channels.get(channelId);
    if (!channel) throw new HttpError(404, 'NotFound', 'Channel not found');
    if (grandchild === undefined) {
      const json: Record<string, unknown> = {
        '@odata.context': `${this.baseUrl}/v1.0/$metadata#teams('${team.id}')/channels/$entity`,
        id: channel.id,
        createdDateTime: channel.createdDateTime,
        displayName: channel.displayName,
        description: null,
        isFavoriteByDefault: null,
        email: '',
        webUrl: `https://teams.microsoft.com/l/channel/${encodeURIComponent(channel.id)}/${encodeURIComponent(channel.displayName)}?groupId=${team.id}&tenantId=${team.tenantId ?? ''}`,
        membershipType: channel.membershipType,
        isArchived: false,
      };
      return ok(200, selectFields(json, request.query.get('$select'), 'channel'));
    }
    if (grandchild !== 'members') throw unknownSegment(grandchild);
    if (request.query.has('$filter')) throw new HttpError(400, 'BadRequest', 'Query option \'$filter\' is not supported for channel members in the Graph stand-in.');
    const inChannel = channel.membershipType === 'standard' ? team.members : team.members.filter((m) => channel.members.some((id) => id.toLowerCase() === m.userId.toLowerCase()));
    return this.memberPage(request, `teams('${team.id}')/channels('${encodeURIComponent(channel.id)}')/members`, team, inChannel);
  }

  /** A page of conversationMember objects, with `@odata.nextLink` while more follow (`pageSize`, or `$top`). */
  private memberPage(request: RecordedRequest, context: string, team: StoredTeam, members: TeamMemberInput[]): Reply {
    const { page, nextLink } = this.paged(request, members);
    const value = page.map((m) => ({
      '@odata.type': '#microsoft.graph.aadUserConversationMember',
      id: Buffer.from(`${team.id}##${m.userId}`).toString('base64url'),
      roles: [...(m.roles ?? [])],
      displayName: m.displayName ?? null,
      visibleHistoryStartDateTime: '0001-01-01T00:00:00Z',
      userId: m.userId,
      email: m.email ?? null,
      tenantId: team.tenantId,
    }));
    const body: Record<string, unknown> = { '@odata.context': `${this.baseUrl}/v1.0/$metadata#${context}`, '@odata.count': members.length, value };
    if (nextLink) body['@odata.nextLink'] = nextLink;
    return ok(200, body);
  }

  // ---- $batch ----

  private batch(envelope: RecordedRequest): Reply {
    const body = asObject(envelope.body);
    const steps = body.requests;
    if (!Array.isArray(steps)) throw new HttpError(400, 'BadRequest', 'Invalid batch payload format.');
    if (steps.length > MAX_BATCH) throw new HttpError(400, 'BadRequest', `Number of batch request steps exceeds the maximum of ${MAX_BATCH}.`);
    const ids = new Set<string>();
    const parsed = steps.map((step: unknown) => {
      const s = asObject(step, 'requests');
      if (typeof s.id !== 'string' || s.id === '' || typeof s.method !== 'string' || typeof s.url !== 'string') {
        throw new HttpError(400, 'BadRequest', 'Each batch request needs an id, a method and a url.');
      }
      if (ids.has(s.id)) throw new HttpError(400, 'BadRequest', `Batch request id '${s.id}' is used more than once.`);
      ids.add(s.id);
      if (/^[a-z]+:/i.test(s.url)) throw new HttpError(400, 'BadRequest', `Batch request '${s.id}' must use a relative url.`);
      const headers = lowerCaseHeaders(typeof s.headers === 'object' && s.headers !== null ? (s.headers as Record<string, unknown>) : {});
      if (s.body !== undefined && headers['content-type'] === undefined) {
        throw new HttpError(400, 'BadRequest', `Write request id : ${s.id} does not contain Content-Type header or body.`);
      }
      return { id: s.id, method: s.method.toUpperCase(), url: s.url, headers, body: s.body };
    });

    const responses = parsed.map((step) => {
      const url = new URL(`/v1.0${step.url.startsWith('/') ? '' : '/'}${step.url}`, this.baseUrl);
      const request: RecordedRequest = {
        method: step.method,
        path: url.pathname,
        query: url.searchParams,
        headers: { ...step.headers, authorization: envelope.headers.authorization ?? '' },
        body: step.body,
        via: 'batch',
        at: this.options.now?.() ?? Date.now(),
      };
      this.requests.push(request);
      const reply = this.answer(request);
      request.status = reply.status;
      const out: Record<string, unknown> = { id: step.id, status: reply.status, headers: { ...reply.headers } };
      if (Buffer.isBuffer(reply.body)) out.body = reply.body.toString('base64');
      else if (reply.body !== undefined) out.body = reply.body;
      return out;
    });
    // Graph may answer in any order; reversing makes callers match by id.
    return ok(200, { responses: responses.reverse() });
  }
}

/** An attendance record as Graph answers it (https://learn.microsoft.com/en-us/graph/api/resources/attendancerecord). */
function attendanceRecordJson(r: AttendanceRecordInput, index: number): Record<string, unknown> {
  const intervals = r.intervals.map((i) => ({ joinDateTime: i.join.toISOString(), leaveDateTime: i.leave.toISOString(), durationInSeconds: Math.round((i.leave.getTime() - i.join.getTime()) / 1000) }));
  return {
    id: `${index}-${r.id}`,
    emailAddress: r.email ?? null,
    totalAttendanceInSeconds: intervals.reduce((sum, i) => sum + i.durationInSeconds, 0),
    role: r.role ?? 'Attendee',
    registrationId: null,
    identity: { '@odata.type': '#microsoft.graph.communicationsUserIdentity', id: r.id, displayName: r.displayName, tenantId: r.tenantId ?? null },
    attendanceIntervals: intervals,
    externalRegistrationInformation: null,
  };
}

/** Start a Graph stand-in on 127.0.0.1 (a free port) over HTTPS with the test CA. */
export function startGraphServer(options: GraphServerOptions = {}): Promise<GraphServer> {
  return GraphServer.start(options);
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

const invalidJson = Symbol('invalid JSON');

function ok(status: number, body: Record<string, unknown>): Reply {
  return { status, headers: { 'Content-Type': JSON_TYPE }, body };
}

/** An injected fault's answer (with Retry-After when given). */
function faultReply(fault: Fault, requestHeaders: Record<string, string>): Reply {
  const reply = graphError(fault.status, fault.code ?? defaultCode(fault.status), defaultMessage(fault.status), requestHeaders);
  if (fault.retryAfter !== undefined) reply.headers['Retry-After'] = String(fault.retryAfter);
  return reply;
}

function graphError(status: number, code: string, message: string, requestHeaders: Record<string, string>): Reply {
  const requestId = randomUUID();
  const clientRequestId = requestHeaders['client-request-id'] ?? requestId;
  return {
    status,
    headers: { 'Content-Type': JSON_TYPE },
    body: { error: { code, message, innerError: { date: new Date().toISOString().slice(0, 19), 'request-id': requestId, 'client-request-id': clientRequestId } } },
  };
}

function reachReply(answer: ReachAnswer, requestHeaders: Record<string, string>): Reply {
  if (answer.error) {
    const reply = graphError(answer.status, answer.error.code, answer.error.message, requestHeaders);
    if (answer.retryAfter !== undefined) reply.headers['Retry-After'] = String(answer.retryAfter);
    return reply;
  }
  return answer.body ? ok(answer.status, answer.body) : { status: answer.status, headers: {} };
}

/** A drive answer: bytes (a thumbnail) or a redirect with their headers, else as the reach answers. */
function driveReply(answer: DriveAnswer, requestHeaders: Record<string, string>): Reply {
  if (answer.error) return reachReply(answer, requestHeaders);
  if (answer.bytes) return { status: answer.status, headers: answer.headers ?? {}, body: answer.bytes };
  if (answer.headers) return { status: answer.status, headers: answer.headers };
  return reachReply(answer, requestHeaders);
}

function send(res: ServerResponse, reply: Reply): void {
  const headers: Record<string, string> = { 'request-id': randomUUID(), ...reply.headers };
  if (reply.body === undefined) {
    res.writeHead(reply.status, { ...headers, 'Content-Length': '0' });
    res.end();
    return;
  }
  const payload = Buffer.isBuffer(reply.body) ? reply.body : Buffer.from(JSON.stringify(reply.body), 'utf8');
  // Chunked: the length is not declared, and the bytes go out in pieces.
  if (headers['Transfer-Encoding'] === 'chunked') {
    res.writeHead(reply.status, headers);
    for (let at = 0; at < payload.length; at += 64 * 1024) res.write(payload.subarray(at, at + 64 * 1024));
    res.end();
    return;
  }
  res.writeHead(reply.status, { ...headers, 'Content-Length': String(payload.length) });
  res.end(payload);
}

function defaultCode(status: number): string {
  switch (status) {
    case 400: return 'BadRequest';
    case 401: return 'InvalidAuthenticationToken';
    case 403: return 'Authorization_RequestDenied';
    case 404: return 'ResourceNotFound';
    case 409: return 'ErrorIrresolvableConflict';
    case 429: return 'TooManyRequests';
    case 503: return 'serviceNotAvailable';
    case 504: return 'UnknownError';
    default: return 'generalException';
  }
}

function defaultMessage(status: number): string {
  switch (status) {
    case 403: return 'Insufficient privileges to complete the operation.';
    case 429: return 'Application is over its MailboxConcurrency limit.';
    case 503: return 'The service is temporarily unavailable for mailbox 7f1c-internal-node-42.';
    default: return `Stand-in failure ${status}.`;
  }
}

function unknownSegment(segment: string | undefined): HttpError {
  return new HttpError(400, 'BadRequest', `Resource not found for the segment '${segment ?? ''}'.`);
}

function notAllowed(): HttpError {
  return new HttpError(405, 'Request_BadRequest', 'Specified HTTP method is not allowed for the request target.');
}

function userNotFound(id: string): HttpError {
  return new HttpError(404, 'Request_ResourceNotFound', `Resource '${id}' does not exist or one of its queried reference-property objects are not present.`);
}

function itemNotFound(): HttpError {
  return new HttpError(404, 'ErrorItemNotFound', 'The specified object was not found in the store.');
}

function invalidProperty(name: string): HttpError {
  return new HttpError(400, 'RequestBodyRead', `Invalid value for property '${name}'.`);
}

function asObject(value: unknown, name = 'body'): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value) || Buffer.isBuffer(value)) throw new HttpError(400, 'BadRequest', `Expected a JSON object for ${name}.`);
  return value as Record<string, unknown>;
}

function requireString(value: unknown, name: string): string {
  if (typeof value !== 'string') throw invalidProperty(name);
  return value;
}

function requireBoolean(value: unknown, name: string): boolean {
  if (typeof value !== 'boolean') throw invalidProperty(name);
  return value;
}

function readComment(body: unknown): string | undefined {
  if (body === undefined) return undefined;
  const input = asObject(body);
  const comment = input.Comment ?? input.comment;
  return comment === undefined ? undefined : requireString(comment, 'Comment');
}

function readLocation(value: unknown): StoredLocation | null {
  if (value === null) return null;
  const input = asObject(value, 'location');
  const location: StoredLocation = { displayName: requireString(input.displayName ?? '', 'location.displayName') };
  if (input.address !== undefined && input.address !== null) {
    const address: Record<string, string> = {};
    for (const [key, v] of Object.entries(asObject(input.address, 'location.address'))) {
      if (!['street', 'city', 'state', 'postalCode', 'countryOrRegion'].includes(key)) throw invalidProperty(`location.address.${key}`);
      if (v !== undefined && v !== null) address[key] = requireString(v, `location.address.${key}`);
    }
    location.address = address;
  }
  return location;
}

function readAttendees(value: unknown): StoredAttendee[] {
  if (!Array.isArray(value)) throw invalidProperty('attendees');
  return value.map((item: unknown) => {
    const a = asObject(item, 'attendees');
    const email = asObject(a.emailAddress, 'attendees.emailAddress');
    const address = email.address;
    if (typeof address !== 'string' || !/^[^@\s]+@[^@\s]+$/.test(address)) {
      throw new HttpError(400, 'ErrorInvalidRecipients', 'At least one recipient is not valid.');
    }
    const type = a.type ?? 'required';
    if (type !== 'required' && type !== 'optional' && type !== 'resource') throw invalidProperty('attendees.type');
    const name = email.name;
    return { type, emailAddress: { address, ...(typeof name === 'string' ? { name } : {}) } };
  });
}

function touch(event: StoredEvent): void {
  event.lastModifiedDateTime = new Date().toISOString();
  event.changeKey = randomBytes(12).toString('base64');
}

function lowerCaseHeaders(headers: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (typeof value === 'string') out[name.toLowerCase()] = value;
    else if (Array.isArray(value)) out[name.toLowerCase()] = value.join(', ');
  }
  return out;
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function parseJsonBody(raw: Buffer, contentType: string | undefined): unknown {
  if (raw.length === 0) return undefined;
  if (!contentType?.toLowerCase().startsWith('application/json')) return raw;
  try {
    return JSON.parse(raw.toString('utf8')) as unknown;
  } catch {
    return invalidJson;
  }
}

/**
 * `$search` on users as Graph documents it for names: `"displayName:<words>"` in double quotes,
 * an advanced query that needs `ConsistencyLevel: eventual`
 * (https://learn.microsoft.com/graph/search-query-parameter, https://learn.microsoft.com/graph/aad-advanced-queries).
 * Anything else is refused with 400 as Graph does. Answers the words, lower-case.
 */
function parseUserSearch(search: string, consistencyLevel: string | undefined): string[] {
  if (consistencyLevel?.toLowerCase() !== 'eventual') {
    throw new HttpError(400, 'Request_UnsupportedQuery', "Request with $search query parameter only works through MSGraph with a special request header: 'ConsistencyLevel: eventual'");
  }
  const clause = /^"([A-Za-z]+):([^"\\]*)"$/.exec(search.trim());
  if (!clause?.[1]) throw new HttpError(400, 'Request_UnsupportedQuery', 'Syntax error: the $search clause is not valid.');
  if (clause[1] !== 'displayName') throw new HttpError(400, 'Request_UnsupportedQuery', `Unsupported or invalid search clause specified for property '${clause[1]}' of resource 'User'.`);
  const words = (clause[2] ?? '').toLowerCase().split(/\s+/).filter(Boolean);
  if (words.length === 0) throw new HttpError(400, 'Request_UnsupportedQuery', 'Syntax error: the $search clause is empty.');
  return words;
}

/** Graph's tokenized search, simply: each searched word starts a word of the name. */
function matchesNameSearch(displayName: string, words: string[]): boolean {
  const nameWords = displayName.toLowerCase().split(/[\s\-_.,()]+/).filter(Boolean);
  return words.every((w) => nameWords.some((n) => n.startsWith(w)));
}

/**
 * `$filter` for users as Meent sends it: `field eq 'literal'` clauses joined by `or`, with
 * OData string literals (quotes inside doubled). Anything else is refused as Graph would.
 */
function parseUserFilter(filter: string): [string, string][] {
  const clauses: [string, string][] = [];
  let rest = filter.trim();
  for (;;) {
    const head = /^([A-Za-z]+)\s+eq\s+'/.exec(rest);
    if (!head?.[1]) throw new HttpError(400, 'BadRequest', 'Invalid filter clause');
    const field = head[1];
    if (!filterableUserFields.has(field)) throw new HttpError(400, 'Request_UnsupportedQuery', `Unsupported or invalid query filter clause specified for property '${field}' of resource 'User'.`);
    let i = head[0].length;
    let value = '';
    for (;;) {
      const ch = rest[i];
      if (ch === undefined) throw new HttpError(400, 'BadRequest', 'Invalid filter clause: unterminated string literal.');
      if (ch === "'") {
        if (rest[i + 1] === "'") {
          value += "'";
          i += 2;
          continue;
        }
        i += 1;
        break;
      }
      value += ch;
      i += 1;
    }
    clauses.push([field, value]);
    rest = rest.slice(i).trim();
    if (rest === '') return clauses;
    const or = /^or\s+/.exec(rest);
    if (!or) throw new HttpError(400, 'BadRequest', 'Invalid filter clause');
    rest = rest.slice(or[0].length);
  }
}

/**
 * `$filter` for team members as Graph documents it, and nothing else:
 * `(microsoft.graph.aadUserConversationMember/userId eq '<id>')`, parentheses optional
 * (https://learn.microsoft.com/en-us/graph/api/team-list-members, example 2).
 */
function parseMemberFilter(filter: string): string {
  const match = /^\(?\s*microsoft\.graph\.aadUserConversationMember\/userId\s+eq\s+'((?:[^']|'')*)'\s*\)?$/.exec(filter.trim());
  if (!match?.[1]) throw new HttpError(400, 'BadRequest', 'Invalid filter clause');
  return match[1].replace(/''/g, "'");
}

function selectFields(json: Record<string, unknown>, select: string | null, type = 'event'): Record<string, unknown> {
  if (select === null) return json;
  const fields = select.split(',').map((f) => f.trim()).filter(Boolean);
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(json)) {
    if (key.startsWith('@odata.') || key === 'id' || fields.includes(key)) out[key] = value;
  }
  for (const field of fields) {
    if (!(field in json)) throw new HttpError(400, 'RequestBodyRead', `Could not find a property named '${field}' on type 'microsoft.graph.${type}'.`);
  }
  return out;
}

// ---- time zones: Graph's dateTimeTimeZone, for UTC and IANA names ----

function isUtc(zone: string): boolean {
  return zone === 'UTC' || zone === 'Etc/UTC' || zone === 'Etc/GMT';
}

function isKnownZone(zone: string): boolean {
  if (isUtc(zone)) return true;
  if (!zone.includes('/')) return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** The zone of `Prefer: outlook.timezone="..."`; Graph answers in UTC without it. */
function preferredTimeZone(prefer: string | undefined): string {
  const zone = /outlook\.timezone\s*=\s*"([^"]+)"/i.exec(prefer ?? '')?.[1];
  return zone !== undefined && isKnownZone(zone) ? zone : 'UTC';
}

function readDateTimeTimeZone(value: unknown, name: string): { instant: number; zone: string } {
  const input = asObject(value, name);
  const dateTime = requireString(input.dateTime, `${name}.dateTime`);
  const zone = requireString(input.timeZone ?? 'UTC', `${name}.timeZone`);
  if (!isKnownZone(zone)) throw new HttpError(400, 'TimeZoneNotSupportedException', `A valid TimeZone value must be specified. The following TimeZone value is not supported: '${zone}'.`);
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?$/.exec(dateTime);
  if (!m) throw new HttpError(400, 'BadRequest', `Cannot convert the literal '${dateTime}' to the expected type 'Edm.DateTime'.`);
  const wall = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6] ?? 0), Math.floor(Number(m[7] ?? 0) * 1000));
  if (isUtc(zone)) return { instant: wall, zone };
  // Wall-clock time in `zone` -> instant: subtract the zone's offset, then correct once for
  // a DST change between the guess and the answer.
  let instant = wall - zoneOffsetMs(wall, zone);
  instant = wall - zoneOffsetMs(instant, zone);
  return { instant, zone };
}

function zoneOffsetMs(instant: number, zone: string): number {
  const parts = wallClockParts(instant, zone);
  return Date.UTC(parts.year, parts.month - 1, parts.day, parts.hour, parts.minute, parts.second) - Math.floor(instant / 1000) * 1000;
}

function wallClockParts(instant: number, zone: string): { year: number; month: number; day: number; hour: number; minute: number; second: number } {
  const format = new Intl.DateTimeFormat('en-US', { timeZone: zone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' });
  const get = (type: Intl.DateTimeFormatPartTypes) => Number(format.formatToParts(new Date(instant)).find((p) => p.type === type)?.value ?? '0');
  return { year: get('year'), month: get('month'), day: get('day'), hour: get('hour'), minute: get('minute'), second: get('second') };
}

/** `2025-03-01T09:30:00.0000000` in `zone`, as Graph writes dateTime. */
function formatInZone(instant: number, zone: string): string {
  const p = isUtc(zone) ? null : wallClockParts(instant, zone);
  const d = new Date(instant);
  const pad = (n: number, w = 2) => String(n).padStart(w, '0');
  const [year, month, day, hour, minute, second] = p
    ? [p.year, p.month, p.day, p.hour, p.minute, p.second]
    : [d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate(), d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds()];
  return `${pad(year, 4)}-${pad(month)}-${pad(day)}T${pad(hour)}:${pad(minute)}:${pad(second)}.0000000`;
}
