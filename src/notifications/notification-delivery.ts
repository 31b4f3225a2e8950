/**
 * Delivers the notifications outbox. This class wires the parts and runs a pass; the parts
 * are lot-claims.ts (lots), delivery-router.ts (preferences to channel), notification-sender.ts
 * (sending with retries), digest-delivery.ts (digests), delivery-records.ts (delivery records
 * and statuses) and notification-worker.ts (the loop). One pass (`runOnce`):
 *
 * 1. Lots: the worker claims a due lot (notification-lot.model.ts, the notifications one
 *    enqueue wrote) with one lease, reads its pending notifications with one query and routes
 *    them per the recipients' preferences: `off` and muted ones are skipped, digest ones are
 *    held for their digest slot, the rest are queued to send. It claims the next lot while the
 *    queued sends go out, so the rate budget never waits for the store.
 * 2. Send: up to `concurrency` sends in flight, each through the rate governor. When the channel
 *    has answered, the send's delivery record (delivery.model.ts) is written with its outcome
 *    before the send counts as done; the notifications' statuses follow, one update per lot and
 *    outcome. 429 and transient failures are retried with jittered exponential backoff
 *    (honouring Retry-After) up to `maxAttempts`; an outage longer than that (Graph or the
 *    connector down or throttling for minutes) is waited out with a slower backoff, up to
 *    `giveUpAfterMs` of retrying; only then is the notification dead-lettered
 *    (`failed`, listed for admins). 403 (blocked) and 404 (gone) are recorded on the
 *    conversation reference and the notification is skipped.
 * 3. Digests: held notifications whose slot has come go out as one message per person and
 *    period, grouped by community, each claimed by inserting its delivery record.
 *
 * A crash anywhere leaves a claimed lot (or digest record) whose lease runs out; any instance
 * then takes it over, reads the delivery records the lot already has and sends only what they
 * do not name: nothing is lost, and nothing recorded goes twice (a send the stopped instance
 * had in flight may).
 *
 * Why it works a lot at a time: on FerretDB 1.24 (PostgreSQL) every filtered read or write
 * scans its collection (equality is pushed down to PostgreSQL but uses no index; `$in` is not
 * pushed down, so FerretDB reads everything else the filter matches and filters it itself), and
 * an update rewrites each matched document in a transaction of its own. Measured on 10,000
 * notifications: a lookup by key 15-25 ms, an `$in` over 500 ids 2-4 s. So no query here is
 * per notification: a lot is claimed with one small write, read with one query, marked with
 * one update per outcome, delivery records go in batched inserts, and personal chats come from
 * a per-tenant copy (conversation-references.ts `personalChats`).
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { countHolders, registerHolder, unregisterHolder } from '../db/lease.js';
import { ConversationReferences } from './conversation-references.js';
import { emptyStats, type CommunityLookup, type DeliveryContext, type DeliveryObserver, type DeliveryStats } from './delivery-job.js';
import { RecordWriter } from './delivery-records.js';
import { DigestDelivery } from './digest-delivery.js';
import { LotDelivery } from './lot-claims.js';
import type { ActivityFeed, Messenger, NotificationRenderer } from './messenger.js';
import { NotificationPreferences } from './notification-preferences.js';
import { NotificationSender } from './notification-sender.js';
import { RateGovernor } from './rate-governor.js';
import type { TeamsReach } from './teams-reach.js';
import { clockOf } from '../time/clock.js';

export type { DeliveryObserver, DeliveryPhase, DeliveryStats } from './delivery-job.js';

export interface NotificationDeliveryDeps {
  renderer: NotificationRenderer;
  /** The bot (personal chats and channel posts); absent: only the activity feed is used. */
  messenger?: Messenger;
  /** Teams activity feed through Graph; absent: only the bot is used. */
  activityFeed?: ActivityFeed;
  governor?: RateGovernor;
  preferences?: NotificationPreferences;
  references?: ConversationReferences;
  communities: CommunityLookup;
  logger: Pick<Logger, 'info' | 'warn' | 'error' | 'debug'>;
  now?: () => Date;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  /** Identifies this instance in claims (default: a new UUID). */
  owner?: string;
  /** Notifications a pass takes at most (default 20,000); digests follow. */
  batchSize?: number;
  /** How long a pass goes on taking lots (default 5 minutes) before digests get their turn. */
  passMs?: number;
  /** Sends in flight at once (default 16). */
  concurrency?: number;
  /**
   * The next lot is taken when fewer sends than this are queued (default four times the
   * concurrency: a few seconds of sends at a share of the Teams rate, time enough to take a lot
   * on a busy store).
   */
  lookahead?: number;
  /** How long a claim holds (default 2 minutes); a lot's is renewed while it is worked on. */
  leaseMs?: number;
  /** Quick attempts (backoff up to `maxBackoffMs`) before the slower outage backoff (default 5). */
  maxAttempts?: number;
  baseBackoffMs?: number;
  maxBackoffMs?: number;
  /** After `maxAttempts`, the wait doubles from `maxBackoffMs` up to this (default 15 minutes). */
  outageBackoffMs?: number;
  /**
   * How long (by the retry schedule, Retry-After waits included) a send failing with 429 or a
   * transient error is retried before it is dead-lettered (default 6 hours; at least
   * `maxAttempts` attempts are made). Permanent failures are dead-lettered at once.
   */
  giveUpAfterMs?: number;
  /** A longer wait (a long Retry-After) gives the send back for a later pass. */
  maxInlineWaitMs?: number;
  /** From this many chats of one tenant in a lot on, that tenant's personal chats are read at once (default 25). */
  bulkReferencesFrom?: number;
  /** How often notifications written without a lot (older versions, other writers) are given one (default 1 minute). */
  adoptEveryMs?: number;
  /** Told where the time goes (benchmarks, profiling). */
  observer?: DeliveryObserver;
  /** Installs the app for people without a chat and e-mails those Teams refuses (absent: neither). */
  reach?: TeamsReach;
  /** How long a send waits for the bot's installation update after installing (default 10 seconds). */
  installWaitMs?: number;
}

const WORKER_LEASE_PREFIX = 'notifications:worker:';

export class NotificationDelivery {
  readonly owner: string;
  private readonly context: DeliveryContext;
  private readonly lots: LotDelivery;
  private readonly digests: DigestDelivery;

  constructor(deps: NotificationDeliveryDeps) {
    const concurrency = deps.concurrency ?? 16;
    this.owner = deps.owner ?? randomUUID();
    this.context = {
      renderer: deps.renderer,
      ...(deps.messenger ? { messenger: deps.messenger } : {}),
      ...(deps.activityFeed ? { activityFeed: deps.activityFeed } : {}),
      governor: deps.governor ?? new RateGovernor(),
      preferences: deps.preferences ?? new NotificationPreferences(),
      references: deps.references ?? new ConversationReferences(),
      communities: deps.communities,
      logger: deps.logger,
      now: clockOf(deps),
      sleep: deps.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms))),
      random: deps.random ?? Math.random,
      owner: this.owner,
      batchSize: deps.batchSize ?? 20_000,
      passMs: deps.passMs ?? 5 * 60_000,
      concurrency,
      lookahead: deps.lookahead ?? concurrency * 4,
      leaseMs: deps.leaseMs ?? 120_000,
      maxAttempts: deps.maxAttempts ?? 5,
      baseBackoffMs: deps.baseBackoffMs ?? 1_000,
      maxBackoffMs: deps.maxBackoffMs ?? 30_000,
      outageBackoffMs: deps.outageBackoffMs ?? 15 * 60_000,
      giveUpAfterMs: deps.giveUpAfterMs ?? 6 * 3_600_000,
      maxInlineWaitMs: deps.maxInlineWaitMs ?? 30_000,
      bulkReferencesFrom: deps.bulkReferencesFrom ?? 25,
      adoptEveryMs: deps.adoptEveryMs ?? 60_000,
      ...(deps.observer ? { observer: deps.observer } : {}),
      ...(deps.reach ? { reach: deps.reach } : {}),
      installWaitMs: deps.installWaitMs ?? 10_000,
    };
    const sender = new NotificationSender(this.context);
    this.lots = new LotDelivery(this.context, sender, new RecordWriter());
    this.digests = new DigestDelivery(this.context, sender);
  }

  /** One pass: the lots that are due (sending as it goes), then the digests that are due. */
  async runOnce(): Promise<DeliveryStats> {
    const stats = emptyStats();
    await this.lots.adoptLoose().catch((err: unknown) => this.context.logger.error({ err }, 'giving loose notifications a lot failed'));
    await this.lots.deliverLots(stats);
    const digestJobs = await this.digests.dueDigests(stats);
    await this.digests.deliverDigests(digestJobs, stats);
    return stats;
  }

  /** Registers this instance as delivering and shares the rate budgets with the others doing so. */
  async heartbeat(ttlMs: number): Promise<number> {
    await registerHolder(`${WORKER_LEASE_PREFIX}${this.owner}`, this.owner, new Date(this.context.now().getTime() + ttlMs));
    const active = await countHolders(WORKER_LEASE_PREFIX, this.context.now());
    this.context.governor.setShare(Math.max(1, active));
    return active;
  }

  /** Leaves the shared budget (on stop). */
  async signOff(): Promise<void> {
    await unregisterHolder(`${WORKER_LEASE_PREFIX}${this.owner}`, this.owner);
  }
}
