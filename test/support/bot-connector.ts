/**
 * A local Bot Framework connector (the service behind an activity's `serviceUrl`) over HTTPS
 * for tests and benchmarks. It answers the Connector REST API operations the bot uses, with
 * the documented shapes, and records every activity the bot sends:
 *
 *   POST /v3/conversations                                  Create Conversation (proactive 1:1;
 *                                                            Teams hands back the existing 1:1 chat)
 *   POST /v3/conversations/{conversationId}/activities      Send to Conversation
 *   POST /v3/conversations/{conversationId}/activities/{id} Reply to Activity (behaves like Send when
 *                                                            the activity is unknown, as the API allows)
 *   PUT  /v3/conversations/{conversationId}/activities/{id} Update Activity
 *   GET  /v3/conversations/{conversationId}/members/{id}    Get Conversation Member (Teams: a TeamsChannelAccount
 *                                                            with `userRole` user | guest)
 *
 * Any path prefix before `/v3/` is accepted (Teams' service URLs carry one, e.g. `/emea/`).
 * Every request needs `Authorization: Bearer <token>` (`validToken` makes it check the token
 * itself); 4xx/5xx answers carry an ErrorResponse `{ error: { code, message } }` with the
 * codes Teams uses: 403 `ConversationBlockedByUser` (the person blocked the bot), 404
 * `ConversationNotFound` (uninstalled, or never existed), 429 `Throttled` with Retry-After.
 *
 * Faults: `failNext` (any status, optionally with Retry-After), `throttleRandomly` (a fraction
 * of sends answered 429), `block` / `remove` a conversation, and `enforceLimits`: the Teams
 * limits per conversation and per app (sliding windows); a request over a limit gets 429 and
 * is counted in `overLimit`, so a benchmark can tell governor failures from injected ones.
 *
 * Sources: https://learn.microsoft.com/en-us/azure/bot-service/rest-api/bot-framework-rest-connector-api-reference,
 * https://learn.microsoft.com/en-us/microsoftteams/platform/bots/how-to/conversations/conversation-messages#status-codes-from-bot-conversational-apis,
 * https://learn.microsoft.com/en-us/microsoftteams/platform/bots/how-to/rate-limit
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { testTlsCredentials, type TlsCredentials } from './tls.js';

export type ConnectorOperation = 'createConversation' | 'sendToConversation' | 'replyToActivity' | 'updateActivity' | 'getMember';

/** One activity the bot sent (accepted by the connector). */
export interface SentActivity {
  operation: ConnectorOperation;
  conversationId: string;
  /** The id the connector gave the activity (for updates: the updated activity's id). */
  activityId: string;
  /** Reply to Activity: the activity replied to. */
  replyToId?: string;
  activity: Record<string, unknown>;
  at: number;
}

/** Every request, accepted or not. */
export interface ConnectorRequest {
  method: string;
  path: string;
  operation: ConnectorOperation | 'unknown';
  conversationId?: string;
  status: number;
  /** Why it was refused, when it was: the error code sent. */
  error?: string;
  at: number;
}

export interface ConnectorFault {
  status: number;
  /** Seconds for Retry-After. */
  retryAfter?: number;
  times?: number;
  code?: string;
  match?: (request: { method: string; operation: ConnectorOperation | 'unknown'; conversationId?: string }) => boolean;
}

export interface ConnectorLimit {
  /** At most `count` requests in any `windowMs`. */
  count: number;
  windowMs: number;
}

export interface ConnectorLimits {
  /** Per conversation (Teams: 7 per second, 8 per 2 seconds, 60 per 30 seconds, 1800 per hour per bot per thread). */
  perConversation?: ConnectorLimit[];
  /** For the whole app (Teams: 50 requests per second per app per tenant). */
  global?: ConnectorLimit[];
  /** Retry-After seconds sent with a limit's 429 (default 1). */
  retryAfterSeconds?: number;
}

export interface ConversationInfo {
  id: string;
  tenantId: string;
  conversationType: 'personal' | 'groupChat' | 'channel';
  /** The user of a 1:1 conversation (their `29:` id and Entra object id). */
  user?: { id: string; aadObjectId?: string; name?: string };
  state: 'active' | 'blocked' | 'gone';
  /** The roster, as Teams answers it (https://learn.microsoft.com/en-us/microsoftteams/platform/bots/how-to/get-teams-context). */
  members: TeamsMember[];
}

export interface TeamsMember {
  id: string;
  name: string;
  aadObjectId: string;
  userPrincipalName?: string;
  email?: string;
  tenantId: string;
  userRole: 'user' | 'guest' | 'anonymous';
}

export interface BotConnectorOptions {
  /** Accept only this bearer token, or those the function accepts; default any non-empty one. */
  validToken?: string | ((token: string) => boolean);
  /** Accept sends to conversations nobody registered (default false: 404 as Teams does). */
  acceptUnknownConversations?: boolean;
  tls?: TlsCredentials;
  /** The clock that stamps `at` (default the system clock; a test with simulated time hands in its own). */
  now?: () => number;
}

interface Window {
  limit: ConnectorLimit;
  times: number[];
}

export class BotConnector {
  readonly activities: SentActivity[] = [];
  readonly requests: ConnectorRequest[] = [];
  /** Requests refused because they went over `enforceLimits` (not the injected ones). */
  overLimit = 0;
  /** Requests answered 429 by `throttleRandomly`. */
  injectedThrottles = 0;

  private readonly conversations = new Map<string, ConversationInfo>();
  /** People (object ids) the app is not installed for: Create Conversation is refused for them. */
  private readonly notInstalled = new Set<string>();
  private faults: (ConnectorFault & { remaining: number })[] = [];
  private randomThrottle: { fraction: number; retryAfter: number; random: () => number } | undefined;
  private limits: ConnectorLimits | undefined;
  private globalWindows: Window[] = [];
  private readonly conversationWindows = new Map<string, Window[]>();
  /** Delay before answering (to simulate latency). */
  latencyMs = 0;

  private constructor(
    private readonly server: Server,
    readonly baseUrl: string,
    private readonly options: BotConnectorOptions,
  ) {}

  static async start(options: BotConnectorOptions = {}): Promise<BotConnector> {
    const { key, cert } = options.tls ?? testTlsCredentials();
    const holder: { instance?: BotConnector } = {};
    const server = createServer({ key, cert, keepAlive: true }, (req, res) => {
      const instance = holder.instance;
      if (!instance) {
        res.destroy();
        return;
      }
      instance.handle(req, res).catch((error: unknown) => {
        res.destroy(error instanceof Error ? error : new Error(String(error)));
      });
    });
    // Longer than any client keeps an idle socket, so a reused socket is never closed under a request.
    server.keepAliveTimeout = 120_000;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    const { port } = server.address() as AddressInfo;
    holder.instance = new BotConnector(server, `https://127.0.0.1:${port}`, options);
    return holder.instance;
  }

  /** The service URL to put in activities and conversation references (with a path prefix, as Teams' have). */
  get serviceUrl(): string {
    return `${this.baseUrl}/teams/`;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve, reject) => this.server.close((error) => (error ? reject(error) : resolve())));
  }

  /** Forget activities, requests, faults and limits (conversations stay). */
  reset(): void {
    this.activities.length = 0;
    this.notInstalled.clear();
    this.requests.length = 0;
    this.faults = [];
    this.randomThrottle = undefined;
    this.limits = undefined;
    this.globalWindows = [];
    this.conversationWindows.clear();
    this.overLimit = 0;
    this.injectedThrottles = 0;
    this.latencyMs = 0;
  }

  // ---- conversations ----

  /** Registers a conversation the bot is part of (as an install would). */
  addConversation(input: Partial<ConversationInfo> & { tenantId: string }): ConversationInfo {
    const conversation: ConversationInfo = {
      id: input.id ?? `a:${randomUUID().replace(/-/g, '')}`,
      tenantId: input.tenantId,
      conversationType: input.conversationType ?? 'personal',
      ...(input.user ? { user: input.user } : {}),
      state: input.state ?? 'active',
      members: input.members ?? [],
    };
    this.conversations.set(conversation.id, conversation);
    return conversation;
  }

  conversation(id: string): ConversationInfo | undefined {
    return this.conversations.get(id);
  }

  /**
   * The app is not installed for this person (Entra object id): Create Conversation answers 403
   * BotNotInConversationRoster, as Teams does for a bot the person never added
   * (https://learn.microsoft.com/en-us/microsoftteams/platform/bots/how-to/conversations/conversation-messages#status-codes-from-bot-conversational-apis).
   */
  withoutApp(aadObjectId: string): void {
    this.notInstalled.add(aadObjectId.toLowerCase());
  }

  /** The app was installed for this person: Create Conversation works for them again. */
  appInstalled(aadObjectId: string): void {
    this.notInstalled.delete(aadObjectId.toLowerCase());
  }

  /** The person blocked the bot: sends answer 403 ConversationBlockedByUser. */
  block(conversationId: string): void {
    this.requireConversation(conversationId).state = 'blocked';
  }

  /** The conversation is gone (app uninstalled): sends answer 404 ConversationNotFound. */
  remove(conversationId: string): void {
    this.requireConversation(conversationId).state = 'gone';
  }

  /** Activities sent to one conversation, in order. */
  sentTo(conversationId: string): SentActivity[] {
    return this.activities.filter((a) => a.conversationId === conversationId);
  }

  // ---- faults and limits ----

  failNext(fault: ConnectorFault): void {
    this.faults.push({ ...fault, remaining: fault.times ?? 1 });
  }

  /** Answer this fraction of sends with 429 and Retry-After (before any other check passes them). */
  throttleRandomly(fraction: number, retryAfterSeconds = 1, random: () => number = Math.random): void {
    this.randomThrottle = { fraction, retryAfter: retryAfterSeconds, random };
  }

  /** Enforce rate limits on sends; a request over one is refused with 429 (and counted in `overLimit`). */
  enforceLimits(limits: ConnectorLimits): void {
    this.limits = limits;
    this.globalWindows = (limits.global ?? []).map((limit) => ({ limit, times: [] }));
    this.conversationWindows.clear();
  }

  // ---- HTTP ----

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.baseUrl);
    const method = (req.method ?? 'GET').toUpperCase();
    const raw = await readBody(req);
    const at = this.options.now?.() ?? Date.now();
    const route = parseRoute(method, url.pathname);
    const record: ConnectorRequest = { method, path: url.pathname, operation: route.operation, ...(route.conversationId !== undefined ? { conversationId: route.conversationId } : {}), status: 0, at };
    this.requests.push(record);
    if (this.latencyMs > 0) await new Promise((r) => setTimeout(r, this.latencyMs));

    const reply = this.answer(req, route, raw, at);
    record.status = reply.status;
    if (reply.status >= 400) record.error = (reply.body as { error?: { code?: string } } | undefined)?.error?.code ?? String(reply.status);
    const payload = reply.body === undefined ? Buffer.alloc(0) : Buffer.from(JSON.stringify(reply.body), 'utf8');
    res.writeHead(reply.status, {
      'Content-Type': 'application/json; charset=utf-8',
      'Content-Length': String(payload.length),
      'X-Correlating-OperationId': randomUUID(),
      ...reply.headers,
    });
    res.end(payload);
  }

  private answer(req: IncomingMessage, route: Route, raw: Buffer, at: number): Reply {
    const token = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '')?.[1];
    const valid = this.options.validToken;
    if (!token || (valid !== undefined && !(typeof valid === 'string' ? token === valid : valid(token)))) {
      return error(401, 'Unauthorized', 'Authorization has been denied for this request.');
    }
    if (route.operation === 'unknown') return error(404, 'NotFound', `No such operation: ${req.method ?? ''} ${req.url ?? ''}`);

    let body: Record<string, unknown>;
    try {
      const parsed = raw.length === 0 && route.operation === 'getMember' ? {} : raw.length === 0 ? undefined : (JSON.parse(raw.toString('utf8')) as unknown);
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return error(400, 'BadSyntax', 'The request body must be a JSON object.');
      body = parsed as Record<string, unknown>;
    } catch {
      return error(400, 'BadSyntax', 'The request body is not valid JSON.');
    }

    const fault = this.faults.find((f) => f.remaining > 0 && (f.match?.({ method: req.method ?? '', operation: route.operation, ...(route.conversationId !== undefined ? { conversationId: route.conversationId } : {}) }) ?? true));
    if (fault) {
      fault.remaining--;
      const reply = error(fault.status, fault.code ?? defaultCode(fault.status), defaultMessage(fault.status));
      if (fault.retryAfter !== undefined) reply.headers['Retry-After'] = String(fault.retryAfter);
      return reply;
    }

    if (route.operation === 'createConversation') return this.createConversation(body, at);
    if (route.operation === 'getMember') {
      const conversation = this.conversations.get(route.conversationId ?? '');
      if (!conversation || conversation.state === 'gone') return error(404, 'ConversationNotFound', 'Conversation not found.');
      const member = conversation.members.find((m) => m.id === route.activityId || m.aadObjectId === route.activityId);
      return member ? { status: 200, headers: {}, body: member } : error(404, 'MemberNotFound', 'The member was not found in the conversation.');
    }

    const conversationId = route.conversationId ?? '';
    let conversation = this.conversations.get(conversationId);
    if (!conversation && this.options.acceptUnknownConversations) {
      conversation = this.addConversation({ id: conversationId, tenantId: tenantOf(body) ?? 'unknown' });
    }
    if (!conversation || conversation.state === 'gone') return error(404, 'ConversationNotFound', 'Conversation not found.');
    if (conversation.state === 'blocked') return error(403, 'ConversationBlockedByUser', 'User blocked the conversation with the bot.');

    const limited = this.checkLimits(conversationId, at);
    if (limited) return limited;
    const random = this.randomThrottle;
    if (random && random.random() < random.fraction) {
      this.injectedThrottles++;
      return { ...error(429, 'Throttled', 'Too many requests.'), headers: { 'Retry-After': String(random.retryAfter) } };
    }

    const problem = validateActivity(body);
    if (problem) return error(400, 'BadArgument', problem);

    if (route.operation === 'updateActivity') {
      const existing = this.activities.find((a) => a.conversationId === conversationId && a.activityId === route.activityId);
      if (!existing) return error(404, 'ActivityNotFound', 'The activity to update was not found.');
      this.activities.push({ operation: 'updateActivity', conversationId, activityId: existing.activityId, activity: body, at });
      return { status: 200, headers: {}, body: { id: existing.activityId } };
    }
    const activityId = `1${String(at)}${String(this.activities.length).padStart(6, '0')}`;
    const sent: SentActivity = { operation: route.operation, conversationId, activityId, activity: body, at };
    if (route.operation === 'replyToActivity' && route.activityId !== undefined) sent.replyToId = route.activityId;
    this.activities.push(sent);
    return { status: 201, headers: {}, body: { id: activityId } };
  }

  private createConversation(body: Record<string, unknown>, at: number): Reply {
    const members = body.members;
    const bot = body.bot as { id?: unknown } | undefined;
    if (typeof bot?.id !== 'string' || bot.id === '') return error(400, 'BadArgument', 'The bot account is required.');
    if (!Array.isArray(members) || members.length === 0) return error(400, 'BadArgument', 'At least one member is required.');
    if (body.isGroup !== true && members.length !== 1) return error(400, 'BadArgument', 'A 1:1 conversation has exactly one member.');
    const tenantId = tenantOf(body);
    // Teams needs the tenant to create a conversation (channelData.tenant.id or tenantId).
    if (!tenantId) return error(400, 'BadArgument', 'Tenant ID is required.');
    const member = members[0] as { id?: unknown; aadObjectId?: unknown; name?: unknown };
    if (typeof member.id !== 'string' || member.id === '') return error(400, 'BadArgument', 'The member id is required.');
    // Teams answers with the existing 1:1 chat between the bot and this person.
    let conversation = [...this.conversations.values()].find((c) => c.conversationType === 'personal' && c.tenantId === tenantId && (c.user?.id === member.id || (typeof member.aadObjectId === 'string' && c.user?.aadObjectId === member.aadObjectId)));
    if (conversation?.state === 'blocked') return error(403, 'ConversationBlockedByUser', 'User blocked the conversation with the bot.');
    if (typeof member.aadObjectId === 'string' && this.notInstalled.has(member.aadObjectId.toLowerCase())) return error(403, 'BotNotInConversationRoster', 'The bot is not part of the conversation roster.');
    if (!conversation || conversation.state === 'gone') {
      conversation = this.addConversation({
        tenantId,
        conversationType: 'personal',
        user: { id: member.id, ...(typeof member.aadObjectId === 'string' ? { aadObjectId: member.aadObjectId } : {}), ...(typeof member.name === 'string' ? { name: member.name } : {}) },
      });
    }
    const response: Record<string, unknown> = { id: conversation.id };
    if (typeof body.activity === 'object' && body.activity !== null) {
      const activityId = `1${String(at)}${String(this.activities.length).padStart(6, '0')}`;
      this.activities.push({ operation: 'createConversation', conversationId: conversation.id, activityId, activity: body.activity as Record<string, unknown>, at });
      response.activityId = activityId;
    }
    return { status: 201, headers: {}, body: response };
  }

  /** Sliding windows: refuses (and does not count) a request that would exceed a limit. */
  private checkLimits(conversationId: string, at: number): Reply | undefined {
    const limits = this.limits;
    if (!limits) return undefined;
    let perConversation = this.conversationWindows.get(conversationId);
    if (!perConversation) {
      perConversation = (limits.perConversation ?? []).map((limit) => ({ limit, times: [] }));
      this.conversationWindows.set(conversationId, perConversation);
    }
    const windows = [...perConversation, ...this.globalWindows];
    for (const w of windows) {
      while (w.times.length > 0 && (w.times[0] ?? 0) <= at - w.limit.windowMs) w.times.shift();
    }
    if (windows.some((w) => w.times.length >= w.limit.count)) {
      this.overLimit++;
      return { ...error(429, 'Throttled', 'Too many requests.'), headers: { 'Retry-After': String(limits.retryAfterSeconds ?? 1) } };
    }
    for (const w of windows) w.times.push(at);
    return undefined;
  }

  private requireConversation(id: string): ConversationInfo {
    const conversation = this.conversations.get(id);
    if (!conversation) throw new Error(`No conversation ${id} in the connector stand-in`);
    return conversation;
  }
}

export function startBotConnector(options: BotConnectorOptions = {}): Promise<BotConnector> {
  return BotConnector.start(options);
}

interface Route {
  operation: ConnectorOperation | 'unknown';
  conversationId?: string;
  activityId?: string;
}

interface Reply {
  status: number;
  headers: Record<string, string>;
  body?: unknown;
}

function parseRoute(method: string, pathname: string): Route {
  const at = pathname.indexOf('/v3/');
  if (at < 0) return { operation: 'unknown' };
  const segments = pathname.slice(at + 4).split('/').filter(Boolean).map((s) => decodeURIComponent(s));
  const [resource, conversationId, child, activityId, ...rest] = segments;
  if (resource !== 'conversations' || rest.length > 0) return { operation: 'unknown' };
  if (conversationId === undefined) return method === 'POST' ? { operation: 'createConversation' } : { operation: 'unknown' };
  if (child === 'members' && activityId !== undefined) return method === 'GET' ? { operation: 'getMember', conversationId, activityId } : { operation: 'unknown', conversationId };
  if (child !== 'activities') return { operation: 'unknown', conversationId };
  if (activityId === undefined) return method === 'POST' ? { operation: 'sendToConversation', conversationId } : { operation: 'unknown', conversationId };
  if (method === 'POST') return { operation: 'replyToActivity', conversationId, activityId };
  if (method === 'PUT') return { operation: 'updateActivity', conversationId, activityId };
  return { operation: 'unknown', conversationId };
}

function validateActivity(body: Record<string, unknown>): string | undefined {
  if (typeof body.type !== 'string' || body.type === '') return 'The activity type is required.';
  if (body.attachments !== undefined && !Array.isArray(body.attachments)) return 'attachments must be an array.';
  for (const attachment of (body.attachments as unknown[] | undefined) ?? []) {
    if (typeof attachment !== 'object' || attachment === null || typeof (attachment as { contentType?: unknown }).contentType !== 'string') return 'Every attachment needs a contentType.';
  }
  return undefined;
}

function tenantOf(body: Record<string, unknown>): string | undefined {
  const channelData = body.channelData as { tenant?: { id?: unknown } } | undefined;
  const conversation = body.conversation as { tenantId?: unknown } | undefined;
  const candidates = [body.tenantId, channelData?.tenant?.id, conversation?.tenantId];
  return candidates.find((c): c is string => typeof c === 'string' && c !== '');
}

function error(status: number, code: string, message: string): Reply {
  return { status, headers: {}, body: { error: { code, message } } };
}

function defaultCode(status: number): string {
  switch (status) {
    case 400: return 'BadArgument';
    case 401: return 'Unauthorized';
    case 403: return 'ConversationBlockedByUser';
    case 404: return 'ConversationNotFound';
    case 412: return 'PreconditionFailed';
    case 413: return 'MessageSizeTooBig';
    case 429: return 'Throttled';
    case 502: return 'BadGateway';
    case 503: return 'ServiceUnavailable';
    case 504: return 'GatewayTimeout';
    default: return 'InternalServerError';
  }
}

function defaultMessage(status: number): string {
  switch (status) {
    case 403: return 'User blocked the conversation with the bot.';
    case 404: return 'Conversation not found.';
    case 412: return 'Precondition failed, please try again.';
    case 429: return 'Too many requests.';
    default: return `Stand-in failure ${status}.`;
  }
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
