/**
 * Records page views, downloads and actions write-behind: a call only appends to an
 * in-process buffer (never a database round trip inside a request), and the buffer is
 * written in one batch every few seconds and on close. The buffer is bounded: past
 * `maxBuffered` entries new ones are dropped and counted, so a flood or a store outage cannot
 * take the process's memory. Who did it lives only in the buffer; what is stored is the
 * day's pseudonymous hash (analytics-event.model.ts).
 */
import { createHmac } from 'node:crypto';
import type { Logger } from 'pino';
import type { Actor } from '../auth/actor.js';
import { clockOf, type Clock } from '../time/clock.js';
import { dayOf } from './analytics-day.js';
import { insertEvents, saltOf, type StoredEvent } from './analytics.repository.js';
import { OBJECT_ROUTES, type ActionKind, type ActionSource, type PageRoute } from './page-routes.js';

/** What an object id belongs to, for finding its community. */
export type ObjectKind = 'community' | 'discussion' | 'event';

/** Finds the community of a tenant's object (null: none, or not the tenant's). */
export type CommunityResolver = (tenantId: string, kind: ObjectKind, id: string) => Promise<string | null>;

export interface PageView {
  route: PageRoute;
  objectId?: string | undefined;
  /** How long ago the tab saw it (the beacon batches; the server's clock decides the time). */
  msAgo?: number | undefined;
}

/** Where an action or download happened: a community, or an object of one. */
export interface Place {
  communityId?: string | undefined;
  discussionId?: string | undefined;
  eventId?: string | undefined;
}

/** The port services, routes and bot handlers record through. */
export interface ActivityRecorder {
  pageViews(actor: Actor, views: readonly PageView[]): void;
  action(actor: Actor, action: ActionKind, place?: Place, source?: ActionSource): void;
  download(actor: Actor, place?: Place): void;
}

interface Buffered {
  tenantId: string;
  userId: string;
  guest: boolean;
  at: Date;
  kind: StoredEvent['kind'];
  page: PageRoute | null;
  objectId: string | null;
  action: ActionKind | null;
  source: ActionSource | null;
  ref: { kind: ObjectKind; id: string } | null;
}

export interface AnalyticsRecorderOptions {
  resolveCommunity: CommunityResolver;
  logger: Pick<Logger, 'warn' | 'error'>;
  now?: Clock;
  /** Between batches (default 3 s). */
  flushEveryMs?: number;
  /** The most entries held (default 10,000). */
  maxBuffered?: number;
  /** Off for tests that flush by hand. */
  autoFlush?: boolean;
}

const RESOLVED_CACHE = 5_000;

export class AnalyticsRecorder implements ActivityRecorder {
  private buffer: Buffered[] = [];
  private readonly now: Clock;
  private readonly maxBuffered: number;
  private readonly timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> = Promise.resolve();
  private readonly communities = new Map<string, string | null>();
  /** Entries dropped because the buffer was full, since the last warning. */
  dropped = 0;

  constructor(private readonly options: AnalyticsRecorderOptions) {
    this.now = clockOf(options);
    this.maxBuffered = options.maxBuffered ?? 10_000;
    if (options.autoFlush !== false) {
      this.timer = setInterval(() => void this.flush(), options.flushEveryMs ?? 3_000);
      this.timer.unref();
    }
  }

  pageViews(actor: Actor, views: readonly PageView[]): void {
    const now = this.now().getTime();
    for (const v of views) {
      const objectKind = OBJECT_ROUTES[v.route];
      // Only objects of communities keep their id: a person's page never stores whose it is.
      const objectId = objectKind && v.objectId ? v.objectId : null;
      this.push(actor, {
        at: new Date(now - (v.msAgo ?? 0)),
        kind: 'view',
        page: v.route,
        objectId,
        action: null,
        source: null,
        ref: objectKind && objectId ? { kind: objectKind, id: objectId } : null,
      });
    }
  }

  action(actor: Actor, action: ActionKind, place: Place = {}, source: ActionSource = 'tab'): void {
    this.push(actor, { at: this.now(), kind: 'action', page: null, objectId: null, action, source, ref: refOf(place) });
  }

  download(actor: Actor, place: Place = {}): void {
    this.push(actor, { at: this.now(), kind: 'download', page: null, objectId: null, action: null, source: null, ref: refOf(place) });
  }

  /** Writes what is buffered now; batches never overlap. */
  flush(): Promise<void> {
    this.flushing = this.flushing.then(() => this.write()).catch((err: unknown) => this.options.logger.error({ err }, 'analytics batch not written; its events are lost'));
    return this.flushing;
  }

  /** Stops the timer and writes what is left. */
  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.flush();
  }

  private push(actor: Actor, entry: Omit<Buffered, 'tenantId' | 'userId' | 'guest'>): void {
    if (this.buffer.length >= this.maxBuffered) {
      this.dropped += 1;
      return;
    }
    this.buffer.push({ tenantId: actor.tenantId, userId: actor.userId, guest: actor.isGuest, ...entry });
  }

  private async write(): Promise<void> {
    if (this.dropped > 0) {
      this.options.logger.warn({ dropped: this.dropped }, 'analytics buffer was full; events dropped');
      this.dropped = 0;
    }
    const batch = this.buffer;
    this.buffer = [];
    if (batch.length === 0) return;
    const salts = new Map<string, string>();
    const stored: StoredEvent[] = [];
    for (const b of batch) {
      const day = dayOf(b.at);
      const saltKey = `${b.tenantId}\u0000${day}`;
      let salt = salts.get(saltKey);
      if (!salt) {
        salt = await saltOf(b.tenantId, day);
        salts.set(saltKey, salt);
      }
      stored.push({
        tenantId: b.tenantId,
        day,
        at: b.at,
        visitor: visitorHash(salt, b.tenantId, b.userId),
        guest: b.guest,
        kind: b.kind,
        communityId: b.ref ? await this.communityOf(b.tenantId, b.ref) : null,
        page: b.page,
        objectId: b.objectId,
        action: b.action,
        source: b.source,
      });
    }
    await insertEvents(stored);
  }

  private async communityOf(tenantId: string, ref: { kind: ObjectKind; id: string }): Promise<string | null> {
    const key = `${tenantId}:${ref.kind}:${ref.id}`;
    if (this.communities.has(key)) return this.communities.get(key) ?? null;
    const found = await this.options.resolveCommunity(tenantId, ref.kind, ref.id);
    if (this.communities.size >= RESOLVED_CACHE) this.communities.clear();
    this.communities.set(key, found);
    return found;
  }
}

/** The visitor's pseudonym for the day: an HMAC under the day's salt, so without the salt it is an opaque token. */
export function visitorHash(salt: string, tenantId: string, userId: string): string {
  return createHmac('sha256', salt).update(`${tenantId}\u0000${userId}`).digest('hex').slice(0, 32);
}

function refOf(place: Place): Buffered['ref'] {
  if (place.discussionId) return { kind: 'discussion', id: place.discussionId };
  if (place.eventId) return { kind: 'event', id: place.eventId };
  if (place.communityId) return { kind: 'community', id: place.communityId };
  return null;
}

/** A recorder that records nothing (the worker process, scripts). */
export const noRecorder: ActivityRecorder = { pageViews: () => undefined, action: () => undefined, download: () => undefined };
