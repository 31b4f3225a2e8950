/**
 * Delivers the notifications outbox. One pass (`runOnce`):
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
 *    (honouring Retry-After) up to `maxAttempts`, then the notification is dead-lettered
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
import mongoose, { type Model } from 'mongoose';
import type { Logger } from 'pino';
import { atomicDelete } from '../db/atomic-delete.js';
import { atomicUpdate } from '../db/atomic-update.js';
import { documentLocks } from '../db/document-lock.js';
import { countHolders, registerHolder, unregisterHolder } from '../db/lease.js';
import { isDuplicateKeyError } from '../db/mongo-errors.js';
import { startPeriodicJob } from '../worker/scheduler.js';
import { communityLookup as defaultCommunityLookup, type CommunityLookup } from './community-lookup.js';
import { channelKey, ConversationReferences, personalKey, toConversationRef } from './conversation-references.js';
import type { ConversationReferenceRecord } from './conversation-reference.model.js';
import { DeliveryModel, type DeliveryRecord } from './delivery.model.js';
import { nextDigestSlot } from './digest-schedule.js';
import { DeliveryError, type ActivityFeed, type ConversationRef, type DigestSection, type Messenger, type NotificationRenderer, type OutgoingMessage } from './messenger.js';
import { LotModel, type LotRecord } from './notification-lot.model.js';
import { DEFAULT_LOT_SIZE } from './notification-outbox.js';
import { NotificationModel, type NotificationRecord } from './notification.model.js';
import { muteKeysOf, NotificationPreferences, UNMUTABLE_KINDS, type EffectivePreferences, type PersonalKind } from './notification-preferences.js';
import { RateGovernor, type Lane } from './rate-governor.js';

export interface NotificationDeliveryDeps {
  renderer: NotificationRenderer;
  /** The bot (personal chats and channel posts); absent: only the activity feed is used. */
  messenger?: Messenger;
  /** Teams activity feed through Graph; absent: only the bot is used. */
  activityFeed?: ActivityFeed;
  governor?: RateGovernor;
  preferences?: NotificationPreferences;
  references?: ConversationReferences;
  communities?: CommunityLookup;
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
  /** Attempts before a notification is dead-lettered (default 5). */
  maxAttempts?: number;
  baseBackoffMs?: number;
  maxBackoffMs?: number;
  /** A longer wait (a long Retry-After) gives the send back for a later pass. */
  maxInlineWaitMs?: number;
  /** From this many chats of one tenant in a lot on, that tenant's personal chats are read at once (default 25). */
  bulkReferencesFrom?: number;
  /** How often notifications written without a lot (older versions, other writers) are given one (default 1 minute). */
  adoptEveryMs?: number;
}

export interface DeliveryStats {
  routed: number;
  held: number;
  skipped: number;
  sent: number;
  failed: number;
  retries: number;
  released: number;
  digests: number;
  /** Lots claimed. */
  lots: number;
  /** Notifications taken over from an instance that stopped before finishing them (sent again). */
  inDoubt: number;
}

type Route = 'chat' | 'activityFeed' | 'channel';

/** Where a worker's time went (milliseconds, summed over its passes and concurrent sends): for benchmarks and profiling. */
export interface DeliveryTimings {
  /** Claiming lots, reading and routing them (the store). */
  takingLots: number;
  /** Sends waiting for a lot to be taken (nothing queued): the store holding back the sends. */
  waitingForLots: number;
  /** Waiting for the rate governor: the budget holding back the sends. */
  governor: number;
  /** The channel's answer (HTTP). */
  channel: number;
  /** Writing delivery records. */
  records: number;
  /** Marking notifications and finishing lots. */
  marking: number;
}

/** What a worker needs of its own digest claim. */
type ClaimedRecord = Pick<DeliveryRecord, '_id' | 'key' | 'notificationIds' | 'leaseUntil'>;

/** A send is not started this close to the end of its claim's lease (a lot's is renewed first). */
const LEASE_MARGIN_MS = 15_000;

/** Due lots listed per look (a handful are being worked on by others; the rest are candidates). */
const LOT_PROBE = 50;

interface Outcome {
  activityId?: string;
  conversationId?: string;
  reason?: string;
  error?: string;
  /** Failed: the attempts made (also written on the notification). */
  attempts?: number;
  /** The attempt that settled it (for the delivery record). */
  tries?: number;
}

/** How a send's claim behaves: a lot's lease or a digest's delivery record. */
interface Claim {
  /** Whether a send may start now (renewing the lease when it is about to run out). */
  usable(): Promise<boolean>;
  finish(job: SendJob, state: 'sent' | 'skipped' | 'failed', outcome: Outcome): Promise<void>;
  /** Gives the send back for a later pass (after a long Retry-After), keeping count of attempts. */
  release(job: SendJob, attempts: number, notBefore: Date, error: string): Promise<void>;
}

interface SendJob {
  key: string;
  tenantId: string;
  recipientId: string;
  route: Route;
  notifications: NotificationRecord[];
  prefs: EffectivePreferences;
  /** The person's chat as looked up for the lot (null: none); undefined: look it up at send time. */
  personal?: ConversationReferenceRecord | null;
  digest?: { cadence: 'daily' | 'weekly' };
  claim?: Claim;
  /** The lot it came from (sends of single notifications). */
  run?: LotRun;
}

/** A lot this instance holds, while its sends go out. */
interface LotRun {
  id: mongoose.Types.ObjectId;
  leaseUntil: Date;
  renewing?: Promise<boolean>;
  /** Claimed before (released, or taken over): its delivery records may name sends not marked yet. */
  reclaimed: boolean;
  /** The lease went to another instance: send nothing more. */
  lost: boolean;
  /** A send failed unexpectedly (a store error): leave the lot claimed, its lease runs out and it is taken again. */
  broken: boolean;
  /** Sends not finished yet. */
  open: number;
  /** Earliest time something of the lot is due again (not due yet, or given back). */
  later?: number;
  /** Status changes not written yet, grouped by the change. */
  marks: Map<string, { set: Record<string, unknown>; ids: mongoose.Types.ObjectId[] }>;
  marked: number;
}

const WORKER_LEASE_PREFIX = 'notifications:worker:';

/** The lots model as the atomic helpers take it. */
const lots = LotModel as unknown as Model<LotRecord>;

export class NotificationDelivery {
  private readonly deps: NotificationDeliveryDeps;
  private readonly governor: RateGovernor;
  private readonly preferences: NotificationPreferences;
  private readonly references: ConversationReferences;
  private readonly communities: CommunityLookup;
  private readonly now: () => Date;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly random: () => number;
  readonly owner: string;
  private readonly batchSize: number;
  private readonly passMs: number;
  private readonly concurrency: number;
  private readonly lookahead: number;
  private readonly leaseMs: number;
  private readonly maxAttempts: number;
  private readonly baseBackoffMs: number;
  private readonly maxBackoffMs: number;
  private readonly maxInlineWaitMs: number;
  private readonly bulkReferencesFrom: number;
  private readonly adoptEveryMs: number;
  private readonly records = new RecordWriter();
  private lastAdoption = Number.NEGATIVE_INFINITY;
  readonly timings: DeliveryTimings = { takingLots: 0, waitingForLots: 0, governor: 0, channel: 0, records: 0, marking: 0 };

  constructor(deps: NotificationDeliveryDeps) {
    this.deps = deps;
    this.governor = deps.governor ?? new RateGovernor();
    this.preferences = deps.preferences ?? new NotificationPreferences();
    this.references = deps.references ?? new ConversationReferences();
    this.communities = deps.communities ?? defaultCommunityLookup;
    this.now = deps.now ?? (() => new Date());
    this.sleep = deps.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.random = deps.random ?? Math.random;
    this.owner = deps.owner ?? randomUUID();
    this.batchSize = deps.batchSize ?? 20_000;
    this.passMs = deps.passMs ?? 5 * 60_000;
    this.concurrency = deps.concurrency ?? 16;
    this.lookahead = deps.lookahead ?? this.concurrency * 4;
    this.leaseMs = deps.leaseMs ?? 120_000;
    this.maxAttempts = deps.maxAttempts ?? 5;
    this.baseBackoffMs = deps.baseBackoffMs ?? 1_000;
    this.maxBackoffMs = deps.maxBackoffMs ?? 30_000;
    this.maxInlineWaitMs = deps.maxInlineWaitMs ?? 30_000;
    this.bulkReferencesFrom = deps.bulkReferencesFrom ?? 25;
    this.adoptEveryMs = deps.adoptEveryMs ?? 60_000;
  }

  /** One pass: the lots that are due (sending as it goes), then the digests that are due. */
  async runOnce(): Promise<DeliveryStats> {
    const stats: DeliveryStats = { routed: 0, held: 0, skipped: 0, sent: 0, failed: 0, retries: 0, released: 0, digests: 0, lots: 0, inDoubt: 0 };
    await this.adoptLoose().catch((err: unknown) => this.deps.logger.error({ err }, 'giving loose notifications a lot failed'));
    await this.deliverLots(stats);
    const digestJobs = await this.dueDigests(stats);
    await this.deliverDigests(digestJobs, stats);
    return stats;
  }

  /** Registers this instance as delivering and shares the rate budgets with the others doing so. */
  async heartbeat(ttlMs: number): Promise<number> {
    const key = `${WORKER_LEASE_PREFIX}${this.owner}`;
    await registerHolder(key, this.owner, new Date(this.now().getTime() + ttlMs));
    const active = await countHolders(WORKER_LEASE_PREFIX, this.now());
    this.governor.setShare(Math.max(1, active));
    return active;
  }

  /** Leaves the shared budget (on stop). */
  async signOff(): Promise<void> {
    await unregisterHolder(`${WORKER_LEASE_PREFIX}${this.owner}`, this.owner);
  }

  // ---- lots ----

  /**
   * Takes lots and sends their notifications until none is due (or the pass has taken
   * `batchSize` or run `passMs`). The next lot is taken as soon as fewer than a few seconds of
   * sends are queued, so the sends do not wait for the store; every lot taken is finished
   * before the pass ends.
   */
  private async deliverLots(stats: DeliveryStats): Promise<void> {
    const queue: SendJob[] = [];
    const candidates: Pick<LotRecord, '_id' | 'state' | 'owner'>[] = [];
    const lowWater = Math.max(1, this.lookahead);
    const startedAt = Date.now();
    let taken = 0;
    let exhausted = false;
    let feeding: Promise<void> | undefined;

    const feedOnce = async () => {
      while (!exhausted && queue.length < lowWater) {
        if (taken >= this.batchSize || Date.now() - startedAt > this.passMs) {
          exhausted = true;
          break;
        }
        const took = Date.now();
        const claimed = await this.claimLot(candidates);
        if (!claimed) {
          exhausted = true;
          this.timings.takingLots += Date.now() - took;
          break;
        }
        stats.lots++;
        const jobs = await this.openLot(claimed.run, claimed.takenOver, stats);
        this.timings.takingLots += Date.now() - took;
        taken += jobs.length;
        if (jobs.length === 0) await this.closeLot(claimed.run);
        queue.push(...jobs);
      }
    };
    const feed = () => {
      feeding ??= feedOnce()
        .catch((err: unknown) => {
          exhausted = true;
          this.deps.logger.error({ err }, 'taking notification lots failed');
        })
        .finally(() => {
          feeding = undefined;
        });
      return feeding;
    };
    const worker = async () => {
      for (;;) {
        if (queue.length < lowWater && !exhausted) void feed();
        const job = queue.shift();
        if (job) {
          await this.runLotJob(job, stats);
          continue;
        }
        if (feeding) {
          const waited = Date.now();
          await feeding;
          this.timings.waitingForLots += Date.now() - waited;
        } else if (exhausted) return;
      }
    };
    await Promise.all(Array.from({ length: this.concurrency }, worker));
  }

  /** Claims a due lot: open, or claimed by an instance whose lease ran out. */
  private async claimLot(candidates: Pick<LotRecord, '_id' | 'state' | 'owner'>[]): Promise<{ run: LotRun; takenOver: boolean } | undefined> {
    for (let looks = 0; looks < 3; looks++) {
      if (candidates.length === 0) {
        candidates.push(...(await this.dueLots()));
        if (candidates.length === 0) return undefined;
      }
      while (candidates.length > 0) {
        // At random among the due ones: instances looking at the same list rarely want the same lot.
        const [candidate] = candidates.splice(Math.floor(this.random() * candidates.length), 1);
        if (!candidate) continue;
        const now = this.now();
        const leaseUntil = new Date(now.getTime() + this.leaseMs);
        const lot = await atomicUpdate(
          lots,
          { _id: candidate._id, dueAt: mongoose.trusted({ $lte: now }), $or: [{ state: 'open' }, { state: 'claimed', leaseUntil: mongoose.trusted({ $lt: now }) }] },
          { $set: { state: 'claimed', owner: this.owner, leaseUntil }, $inc: { claims: 1 } },
        );
        if (!lot) continue;
        const takenOver = candidate.state === 'claimed';
        if (takenOver) this.deps.logger.warn({ lot: String(lot._id), owner: candidate.owner }, 'taking over a lot another instance did not finish');
        return { run: { id: lot._id, leaseUntil, reclaimed: (lot.claims ?? 0) > 1, lost: false, broken: false, open: 0, marks: new Map(), marked: 0 }, takenOver };
      }
    }
    return undefined;
  }

  /** Lots that may be claimed now (the collection holds only lots with work left). */
  private async dueLots(): Promise<Pick<LotRecord, '_id' | 'state' | 'owner'>[]> {
    const now = this.now();
    const lots = await LotModel.find({ dueAt: mongoose.trusted({ $lte: now }) })
      .limit(LOT_PROBE)
      .select({ _id: 1, state: 1, owner: 1, leaseUntil: 1 })
      .lean<Pick<LotRecord, '_id' | 'state' | 'owner' | 'leaseUntil'>[]>()
      .exec();
    return lots.filter((l) => l.state === 'open' || (l.leaseUntil ?? new Date(0)).getTime() < now.getTime());
  }

  /**
   * Reads a claimed lot's pending notifications and routes them; answers the sends. A lot
   * claimed before may hold notifications whose send its earlier owner recorded but did not
   * mark: the lot's delivery records settle those instead of a second send.
   */
  private async openLot(run: LotRun, takenOver: boolean, stats: DeliveryStats): Promise<SendJob[]> {
    const pending = await NotificationModel.find({ lot: run.id, status: 'pending' }).lean<NotificationRecord[]>().exec();
    stats.routed += pending.length;
    const recorded = new Map<string, DeliveryRecord>();
    if (run.reclaimed) {
      for (const record of await DeliveryModel.find({ lot: run.id }).lean<DeliveryRecord[]>().exec()) {
        for (const id of record.notificationIds) recorded.set(String(id), record);
      }
    }
    const now = this.now();
    const due: NotificationRecord[] = [];
    for (const n of pending) {
      const record = recorded.get(String(n._id));
      if (record && (record.state === 'sent' || record.state === 'skipped' || record.state === 'failed')) {
        mark(run, [n], { status: record.state });
      } else if (n.notBefore && n.notBefore.getTime() > now.getTime()) {
        run.later = Math.min(run.later ?? Number.POSITIVE_INFINITY, n.notBefore.getTime());
      } else {
        due.push(n);
      }
    }
    // The stopped owner's unrecorded sends go again: one it had in flight may arrive twice.
    if (takenOver) stats.inDoubt += due.length;
    const jobs = await this.route(due, run, stats);
    run.open = jobs.length;
    for (const job of jobs) {
      job.run = run;
      job.claim = this.lotClaim(run);
    }
    return jobs;
  }

  /** Skips, holds for a digest, or makes a send of each notification, per its recipient's preferences. */
  private async route(due: NotificationRecord[], run: LotRun, stats: DeliveryStats): Promise<SendJob[]> {
    const now = this.now();
    const jobs: SendJob[] = [];
    const skips = new Map<string, mongoose.Types.ObjectId[]>();
    const holds = new Map<string, { digest: { cadence: 'daily' | 'weekly'; period: string; dueAt: Date }; ids: mongoose.Types.ObjectId[] }>();
    for (const [tenantId, items] of groupBy(due, (n) => n.tenantId)) {
      const people = items.filter((n) => n.kind !== 'eventAnnounced').map((n) => n.recipientId);
      const [prefs, mutes] = await Promise.all([this.preferences.forDelivery(tenantId, people), this.preferences.mutedFor(tenantId, people)]);
      const sends: SendJob[] = [];
      for (const n of items) {
        const p = prefs.get(n.recipientId) ?? this.preferences.defaults();
        if (n.kind === 'eventAnnounced') {
          sends.push({ key: `c:${String(n._id)}`, tenantId, recipientId: n.recipientId, route: 'channel', notifications: [n], prefs: p });
          continue;
        }
        const cadence = p.kinds[n.kind as PersonalKind] ?? 'immediately';
        const muted = !UNMUTABLE_KINDS.has(n.kind) && muteKeysOf(n).some((k) => mutes.get(n.recipientId)?.has(k));
        if (cadence === 'off' || muted) {
          const reason = cadence === 'off' ? 'off' : 'muted';
          skips.set(reason, [...(skips.get(reason) ?? []), n._id]);
        } else if (cadence === 'daily' || cadence === 'weekly') {
          const digest = nextDigestSlot(cadence, now, p.timeZone, p.digestHour);
          const key = `${digest.period}|${digest.dueAt.toISOString()}`;
          const hold = holds.get(key) ?? { digest, ids: [] };
          hold.ids.push(n._id);
          holds.set(key, hold);
        } else {
          sends.push({ key: `n:${String(n._id)}`, tenantId, recipientId: n.recipientId, route: p.channel, notifications: [n], prefs: p });
        }
      }
      // Personal chats for the whole lot at once (see ConversationReferences.personalChats).
      const chatters = sends.filter((j) => j.route === 'chat').map((j) => j.recipientId);
      if (chatters.length > 0) {
        const chats = await this.references.personalChats(tenantId, chatters, { bulk: chatters.length >= this.bulkReferencesFrom });
        for (const job of sends) if (job.route === 'chat') job.personal = chats.get(job.recipientId) ?? null;
      }
      jobs.push(...sends);
    }
    for (const [reason, ids] of skips) {
      await markInLot(run.id, ids, { status: 'skipped', skipReason: reason });
      stats.skipped += ids.length;
    }
    for (const { digest, ids } of holds.values()) {
      await markInLot(run.id, ids, { status: 'held', digest });
      stats.held += ids.length;
    }
    return jobs;
  }

  private async runLotJob(job: SendJob, stats: DeliveryStats): Promise<void> {
    const run = job.run;
    if (!run) return;
    try {
      await this.send(job, stats);
    } catch (err) {
      // A store error mid-send: the lot stays claimed and its lease runs out; it is taken again then.
      run.broken = true;
      this.deps.logger.error({ err, key: job.key }, 'notification delivery failed unexpectedly');
    }
    if (--run.open === 0) {
      await this.closeLot(run).catch((err: unknown) => this.deps.logger.error({ err, lot: String(run.id) }, 'finishing a notification lot failed'));
    }
  }

  /** Writes the lot's status changes, then deletes the lot, or opens it again for what is due later. */
  private async closeLot(run: LotRun): Promise<void> {
    const started = Date.now();
    try {
      await this.finishLot(run);
    } finally {
      this.timings.marking += Date.now() - started;
    }
  }

  private async finishLot(run: LotRun): Promise<void> {
    await this.writeMarks(run);
    if (run.lost || run.broken) return;
    const mine = { _id: run.id, state: 'claimed' as const, owner: this.owner };
    if (run.later !== undefined) {
      await atomicUpdate(lots, mine, { $set: { state: 'open', dueAt: new Date(run.later) }, $unset: { owner: 1, leaseUntil: 1 } });
    } else {
      await atomicDelete(lots, mine);
    }
  }

  private async writeMarks(run: LotRun): Promise<void> {
    const marks = [...run.marks.values()];
    run.marks = new Map();
    run.marked = 0;
    // The time they are marked, not each one's own (that is in its delivery record): one update for all.
    for (const { set, ids } of marks) await markInLot(run.id, ids, set.status === 'sent' ? { ...set, sentAt: this.now() } : set);
  }

  private lotClaim(run: LotRun): Claim {
    return {
      usable: async () => {
        if (run.lost) return false;
        if (this.now().getTime() <= run.leaseUntil.getTime() - LEASE_MARGIN_MS) return true;
        run.renewing ??= this.renewLot(run).finally(() => {
          run.renewing = undefined;
        });
        return run.renewing;
      },
      finish: async (job, state, outcome) => {
        const now = this.now();
        const writing = Date.now();
        const written = await this.records.write(this.recordDoc(job, state, outcome, { lot: run.id, leaseUntil: run.leaseUntil, at: now }));
        this.timings.records += Date.now() - writing;
        if (written === 'duplicate') this.deps.logger.warn({ key: job.key }, 'this send was recorded before (taken over while in flight): it may have arrived twice');
        mark(run, job.notifications, statusSet(state, outcome));
        // Most marks wait for the end of the lot; a long lot (a throttled tenant) writes them as it goes.
        if (run.marked >= DEFAULT_LOT_SIZE / 2) {
          const marking = Date.now();
          await this.writeMarks(run);
          this.timings.marking += Date.now() - marking;
        }
      },
      release: async (job, attempts, notBefore, error) => {
        run.later = Math.min(run.later ?? Number.POSITIVE_INFINITY, notBefore.getTime());
        const ids = job.notifications.map((n) => n._id);
        await markInLot(run.id, ids, { notBefore, attempts, lastError: error });
      },
    };
  }

  private async renewLot(run: LotRun): Promise<boolean> {
    const leaseUntil = new Date(this.now().getTime() + this.leaseMs);
    const renewed = await atomicUpdate(lots, { _id: run.id, state: 'claimed', owner: this.owner }, { $set: { leaseUntil } });
    if (renewed) run.leaseUntil = leaseUntil;
    else run.lost = true;
    return !run.lost;
  }

  /**
   * Gives notifications written without a lot one (a few lots per look, one instance at a time,
   * so no notification ends up in two lots).
   */
  private async adoptLoose(): Promise<void> {
    const at = Date.now();
    if (at - this.lastAdoption < this.adoptEveryMs) return;
    this.lastAdoption = at;
    await documentLocks.withLock('notifications:adopt-loose', async () => {
      for (let round = 0; round < 10; round++) {
        const loose = await NotificationModel.find({ status: 'pending', lot: null }).select({ _id: 1 }).limit(DEFAULT_LOT_SIZE).lean<{ _id: mongoose.Types.ObjectId }[]>().exec();
        if (loose.length === 0) return;
        const lot = new mongoose.Types.ObjectId();
        await LotModel.create({ _id: lot, state: 'open', dueAt: new Date(0) });
        await NotificationModel.updateMany({ status: 'pending', lot: null, _id: mongoose.trusted({ $in: loose.map((n) => n._id) }) }, { $set: { lot } });
        if (loose.length < DEFAULT_LOT_SIZE) return;
      }
    });
  }

  // ---- digests ----

  private async dueDigests(stats: DeliveryStats): Promise<SendJob[]> {
    const now = this.now();
    const held = await NotificationModel.find({ status: 'held', 'digest.dueAt': mongoose.trusted({ $lte: now }) })
      .sort({ 'digest.dueAt': 1, _id: 1 })
      .limit(DEFAULT_LOT_SIZE * 10)
      .lean<NotificationRecord[]>()
      .exec();
    const groups = groupBy(held, (n) => `${n.tenantId}\u0000${n.recipientId}\u0000${n.digest?.period ?? ''}`);
    const prefsByTenant = new Map<string, Map<string, EffectivePreferences>>();
    for (const [tenantId, items] of groupBy(held, (n) => n.tenantId)) {
      prefsByTenant.set(tenantId, await this.preferences.forDelivery(tenantId, items.map((n) => n.recipientId)));
    }
    const jobs: SendJob[] = [];
    for (const [groupKey, items] of groups) {
      const first = items[0];
      if (!first?.digest) continue;
      const [tenantId, recipientId, period] = groupKey.split('\u0000') as [string, string, string];
      const prefs = prefsByTenant.get(tenantId)?.get(recipientId) ?? this.preferences.defaults();
      jobs.push({ key: `d:${tenantId}:${recipientId}:${period}`, tenantId, recipientId, route: prefs.channel, notifications: items, prefs, digest: { cadence: first.digest.cadence as 'daily' | 'weekly' } });
    }
    stats.digests += jobs.length;
    return jobs;
  }

  /**
   * Claims and sends digests in chunks of a few times the concurrency: a claim is taken just
   * before its send, so its lease is fresh when the send starts however slow the pass is.
   */
  private async deliverDigests(jobs: SendJob[], stats: DeliveryStats): Promise<void> {
    const chunk = this.concurrency * 4;
    for (let i = 0; i < jobs.length; i += chunk) {
      const claimed = await this.claimDigests(jobs.slice(i, i + chunk), stats);
      let next = 0;
      const worker = async () => {
        while (next < claimed.length) {
          const job = claimed[next++];
          if (!job) break;
          try {
            await this.send(job, stats);
          } catch (err) {
            // A store error mid-send: the claim stays and expires; a later pass picks it up.
            this.deps.logger.error({ err, key: job.key }, 'notification delivery failed unexpectedly');
          }
        }
      };
      await Promise.all(Array.from({ length: Math.min(this.concurrency, claimed.length) }, worker));
    }
  }

  /**
   * Inserts the digests' delivery records; answers the jobs this instance now owns. Lookups are
   * by equality on the unique key, one per contested job (see the module comment on `$in`).
   */
  private async claimDigests(jobs: SendJob[], stats: DeliveryStats): Promise<SendJob[]> {
    const mine: SendJob[] = [];
    const take = (job: SendJob, record: ClaimedRecord) => {
      // A digest claimed by us goes out with exactly the notifications the record names.
      const named = new Set(record.notificationIds.map(String));
      job.notifications = job.notifications.filter((n) => named.has(String(n._id)));
      job.claim = this.digestClaim(record);
      mine.push(job);
    };

    const inserted = await this.insertClaims(jobs);
    const takeOver: SendJob[] = [];
    for (const job of jobs) {
      const own = inserted.get(job.key);
      if (own) {
        take(job, own);
        continue;
      }
      const record = await DeliveryModel.findOne({ key: job.key }).lean<DeliveryRecord>().exec();
      if (!record) {
        takeOver.push(job); // released in the meantime: try again
      } else if (record.owner === this.owner && record.state === 'claimed') {
        take(job, record); // inserted by us, though the store did not say so
      } else if (record.state === 'sent' || record.state === 'skipped' || record.state === 'failed') {
        await this.settleFinished(job, record);
      } else if (record.leaseUntil.getTime() < this.now().getTime()) {
        // The owner stopped (crashed, or was cut off) before finishing: whatever it had not
        // marked is sent again; a send it had in flight at that moment may arrive twice.
        stats.inDoubt++;
        this.deps.logger.warn({ key: record.key, owner: record.owner }, 'taking over a claim another instance did not finish');
        // Exactly that record, by its id: a late owner can never remove a newer claim.
        const removed = await DeliveryModel.deleteOne({ _id: record._id, owner: record.owner });
        if (removed.deletedCount === 1) takeOver.push(job);
      }
    }
    if (takeOver.length > 0) {
      const again = await this.insertClaims(takeOver);
      for (const job of takeOver) {
        const own = again.get(job.key);
        if (own) take(job, own);
      }
    }
    return mine;
  }

  /** Inserts claims; answers those this call inserted (a duplicate key means someone else holds it). */
  private async insertClaims(list: SendJob[]): Promise<Map<string, ClaimedRecord>> {
    const leaseUntil = new Date(this.now().getTime() + this.leaseMs);
    const docs = list.map((j) => ({
      key: j.key,
      tenantId: j.tenantId,
      recipientId: j.recipientId,
      notificationIds: j.notifications.map((n) => n._id),
      route: j.route,
      state: 'claimed',
      owner: this.owner,
      leaseUntil,
      attempts: 0,
    }));
    let inserted: { _id: mongoose.Types.ObjectId; key: string; notificationIds: mongoose.Types.ObjectId[]; leaseUntil: Date }[];
    try {
      inserted = (await DeliveryModel.insertMany(docs, { ordered: false })) as unknown as typeof inserted;
    } catch (err) {
      if (!onlyDuplicates(err)) throw err;
      inserted = ((err as { insertedDocs?: unknown[] }).insertedDocs ?? []) as typeof inserted;
    }
    return new Map(inserted.map((d) => [d.key, { _id: d._id, key: d.key, notificationIds: d.notificationIds, leaseUntil: d.leaseUntil }]));
  }

  /** Someone finished this digest: bring our view of its notifications in line (and re-home late ones). */
  private async settleFinished(job: SendJob, record: DeliveryRecord): Promise<void> {
    const included = new Set(record.notificationIds.map(String));
    const settled = job.notifications.filter((n) => included.has(String(n._id)));
    const late = job.notifications.filter((n) => !included.has(String(n._id)));
    const status = record.state === 'sent' ? 'sent' : record.state === 'skipped' ? 'skipped' : 'failed';
    await markHeld(job, settled, { status, deliveryKey: record.key });
    if (late.length > 0 && job.digest) {
      // Held for a digest that already went: they join the person's next one.
      const slot = nextDigestSlot(job.digest.cadence, this.now(), job.prefs.timeZone, job.prefs.digestHour);
      await markHeld(job, late, { digest: slot });
    }
  }

  private digestClaim(record: ClaimedRecord): Claim {
    return {
      usable: () => Promise.resolve(this.now().getTime() <= record.leaseUntil.getTime() - LEASE_MARGIN_MS),
      finish: async (job, state, outcome) => {
        const now = this.now();
        await DeliveryModel.updateOne(
          { _id: record._id },
          {
            $set: {
              state,
              ...(state === 'sent' ? { sentAt: now } : {}),
              ...(outcome.activityId ? { activityId: outcome.activityId } : {}),
              ...(outcome.conversationId ? { conversationId: outcome.conversationId } : {}),
              ...(outcome.error ? { lastError: outcome.error } : {}),
            },
          },
        );
        await markHeld(job, job.notifications, { ...statusSet(state, outcome), ...(state === 'sent' ? { sentAt: now } : {}), deliveryKey: job.key });
      },
      release: async (job, attempts, notBefore, error) => {
        // Digest items stay held, with a later due time.
        await markHeld(job, job.notifications, { 'digest.dueAt': notBefore, attempts, lastError: error });
        await DeliveryModel.deleteOne({ _id: record._id, owner: this.owner });
      },
    };
  }

  // ---- sending ----

  private async send(job: SendJob, stats: DeliveryStats): Promise<void> {
    const claim = job.claim;
    if (!claim) return;
    const target = await this.target(job);
    if ('skip' in target) {
      await claim.finish(job, 'skipped', { reason: target.skip });
      stats.skipped += job.notifications.length;
      return;
    }
    const priorAttempts = Math.max(0, ...job.notifications.map((n) => n.attempts ?? 0));
    for (let attempt = priorAttempts + 1; ; attempt++) {
      // Our claim must outlast the call: past its lease another instance may take it over, so we leave it to them.
      if (!(await claim.usable())) return;
      const waiting = Date.now();
      await this.governor.acquire(target.lanes);
      const sending = Date.now();
      this.timings.governor += sending - waiting;
      try {
        const result = await target.send().finally(() => {
          this.timings.channel += Date.now() - sending;
        });
        await claim.finish(job, 'sent', { tries: attempt, ...(result.activityId !== undefined ? { activityId: result.activityId } : {}), ...(target.conversationId !== undefined ? { conversationId: target.conversationId } : {}) });
        stats.sent += job.notifications.length;
        return;
      } catch (err) {
        const failure = err instanceof DeliveryError ? err : new DeliveryError('transient', err instanceof Error ? err.message : String(err));
        if (failure.failure === 'blocked' || failure.failure === 'gone') {
          if (target.referenceKey) await this.references.setState(job.tenantId, target.referenceKey, failure.failure, failure.code ?? String(failure.status ?? ''), this.now());
          await claim.finish(job, 'skipped', { reason: failure.failure, error: describe(failure), tries: attempt });
          stats.skipped += job.notifications.length;
          return;
        }
        if (failure.failure === 'permanent' || attempt >= this.maxAttempts) {
          await claim.finish(job, 'failed', { error: describe(failure), attempts: attempt });
          stats.failed += job.notifications.length;
          this.deps.logger.warn({ key: job.key, attempts: attempt, status: failure.status }, 'notification dead-lettered');
          return;
        }
        // Not delivered (429 certainly, 5xx as good as): wait and try again within our claim.
        if (failure.failure === 'throttled') {
          const lane = target.lanes[0];
          if (lane) this.governor.pause(lane, failure.retryAfterMs ?? this.backoff(attempt));
        }
        const wait = this.retryDelay(attempt, failure);
        stats.retries++;
        if (wait > this.maxInlineWaitMs) {
          await claim.release(job, attempt, new Date(this.now().getTime() + wait), describe(failure));
          stats.released++;
          return;
        }
        await this.sleep(wait);
      }
    }
  }

  /** Where a job goes: the lanes it uses and the call that sends it, or why it cannot go. */
  private async target(job: SendJob): Promise<{ skip: string } | { lanes: Lane[]; send: () => Promise<{ activityId?: string }>; referenceKey?: string; conversationId?: string }> {
    const { messenger, activityFeed, renderer } = this.deps;
    const prefs = job.prefs;
    const tenantLane: Lane = { kind: 'tenant', tenantId: job.tenantId };
    if (job.route === 'channel') {
      const notification = job.notifications[0];
      const communityId = job.recipientId.startsWith('community:') ? job.recipientId.slice('community:'.length) : job.recipientId;
      const pinned = await this.communities.channelOf(job.tenantId, communityId);
      const reference = pinned ? await this.references.find(job.tenantId, channelKey(pinned.teamId, pinned.channelId)) : null;
      if (!messenger || !notification || !reference) return { skip: 'no_channel' };
      if (reference.state !== 'active') return { skip: reference.state };
      const ref = toConversationRef(reference);
      const message = renderer.channelPost(notification);
      return { lanes: [{ kind: 'conversation', conversationId: ref.conversation.id }, tenantLane], send: () => messenger.sendToConversation(ref, message), referenceKey: reference.key, conversationId: ref.conversation.id };
    }

    const feedTarget = () => {
      if (!activityFeed) return undefined;
      const feed = job.digest ? renderer.digestFeed({ cadence: job.digest.cadence, count: job.notifications.length, prefs }) : renderer.feed(job.notifications[0] as NotificationRecord, prefs);
      return { lanes: [{ kind: 'activityFeed', tenantId: job.tenantId } as Lane, tenantLane], send: async () => (await activityFeed.notify(job.tenantId, job.recipientId, feed), {}) };
    };
    if (job.route === 'activityFeed' || !messenger) return feedTarget() ?? { skip: 'no_channel' };

    let reference = job.personal === undefined ? await this.references.find(job.tenantId, personalKey(job.recipientId)) : job.personal;
    if (reference && reference.state !== 'active') {
      // Blocked or uninstalled: the activity feed would be refused too (it needs the app installed).
      return { skip: reference.state };
    }
    let ref: ConversationRef | undefined = reference ? toConversationRef(reference) : undefined;
    if (!ref) {
      // No personal chat yet: open one from any installation in the tenant (Teams answers 403 when the app is not installed for the person).
      const via = await this.references.anyActive(job.tenantId);
      if (!via) return feedTarget() ?? { skip: 'not_installed' };
      try {
        ref = await messenger.createPersonalConversation(toConversationRef(via), { userId: job.recipientId, tenantId: job.tenantId });
      } catch (err) {
        if (err instanceof DeliveryError && (err.failure === 'blocked' || err.failure === 'gone' || err.failure === 'permanent')) return feedTarget() ?? { skip: 'not_installed' };
        throw err;
      }
      await this.references.save({ tenantId: job.tenantId, scope: 'personal', userId: job.recipientId, reference: ref });
      reference = await this.references.find(job.tenantId, personalKey(job.recipientId));
    }
    const message: OutgoingMessage = job.digest ? renderer.digest({ cadence: job.digest.cadence, sections: await this.sections(job), prefs }) : renderer.message(job.notifications[0] as NotificationRecord, prefs);
    const conversationRef = ref;
    return {
      lanes: [{ kind: 'conversation', conversationId: conversationRef.conversation.id }, tenantLane],
      send: () => messenger.sendToConversation(conversationRef, message),
      referenceKey: personalKey(job.recipientId),
      conversationId: conversationRef.conversation.id,
    };
  }

  private async sections(job: SendJob): Promise<DigestSection[]> {
    const byCommunity = groupBy(job.notifications, (n) => {
      const id = (n.data as Record<string, unknown> | undefined)?.communityId;
      return typeof id === 'string' ? id : '';
    });
    const names = await this.communities.names(job.tenantId, [...byCommunity.keys()].filter(Boolean));
    return [...byCommunity].map(([communityId, items]) => {
      const named = items.map((n) => (n.data as Record<string, unknown> | undefined)?.communityName).find((v): v is string => typeof v === 'string');
      return { communityId: communityId || null, communityName: names.get(communityId) ?? named ?? '', items };
    });
  }

  /** The delivery record of a finished send of a lot's notification. */
  private recordDoc(job: SendJob, state: 'sent' | 'skipped' | 'failed', outcome: Outcome, claim: { lot: mongoose.Types.ObjectId; leaseUntil: Date; at: Date }): Record<string, unknown> {
    return {
      key: job.key,
      tenantId: job.tenantId,
      recipientId: job.recipientId,
      notificationIds: job.notifications.map((n) => n._id),
      lot: claim.lot,
      route: job.route,
      state,
      owner: this.owner,
      leaseUntil: claim.leaseUntil,
      attempts: outcome.tries ?? outcome.attempts ?? 0,
      ...(state === 'sent' ? { sentAt: claim.at } : {}),
      ...(outcome.activityId ? { activityId: outcome.activityId } : {}),
      ...(outcome.conversationId ? { conversationId: outcome.conversationId } : {}),
      ...(outcome.error ? { lastError: outcome.error } : {}),
      createdAt: claim.at,
      updatedAt: claim.at,
    };
  }

  private backoff(attempt: number): number {
    return Math.min(this.maxBackoffMs, this.baseBackoffMs * 2 ** Math.max(0, attempt - 1));
  }

  /**
   * Exponential backoff with jitter (half fixed, half random), and never sooner than
   * Retry-After, plus up to a quarter of it at random so that throttled senders do not return together.
   */
  private retryDelay(attempt: number, failure: DeliveryError): number {
    const backoff = this.backoff(attempt);
    const jittered = backoff / 2 + this.random() * (backoff / 2);
    if (failure.retryAfterMs === undefined) return Math.round(jittered);
    return Math.round(Math.max(failure.retryAfterMs * (1 + 0.25 * this.random()), failure.failure === 'throttled' ? 0 : jittered));
  }
}

export interface NotificationWorker {
  stop(): Promise<void>;
  /** Resolves after the next complete pass (tests). */
  drained(): Promise<void>;
}

/**
 * Runs passes until stopped: back to back while there is work, every `intervalMs` otherwise.
 * The heartbeat (which sets this instance's share of the rate budgets) is a job of its own,
 * so the share follows the instances delivering during a long pass too.
 */
export function startNotificationWorker(delivery: NotificationDelivery, options: { intervalMs?: number; logger: Pick<Logger, 'error' | 'info'> }): NotificationWorker {
  const intervalMs = options.intervalMs ?? 2_000;
  // Long enough that a slow store (a heartbeat late by seconds) never makes the others think this instance left.
  const ttlMs = Math.max(intervalMs * 5, 10_000);
  const heartbeat = startPeriodicJob({ everyMs: intervalMs, run: async () => void (await delivery.heartbeat(ttlMs)), logger: options.logger, failureMessage: 'notification worker heartbeat failed' });
  const passes = startPeriodicJob({
    everyMs: intervalMs,
    // Registered before the first send, so that the share counts this instance from the start.
    startAfter: heartbeat.drained(),
    run: async () => {
      const stats = await delivery.runOnce();
      return stats.lots > 0 || stats.digests > 0;
    },
    logger: options.logger,
    failureMessage: 'notification pass failed',
  });
  return {
    async stop() {
      await Promise.all([heartbeat.stop(), passes.stop()]);
      await delivery.signOff().catch(() => undefined);
    },
    drained: () => passes.drained(),
  };
}

/**
 * Writes delivery records in batches: what is waiting goes in one insert while the previous
 * insert runs (each insert is a transaction, and a commit on PostgreSQL waits for the disk).
 * Answers, per record, whether it was inserted or a record with its key existed.
 */
class RecordWriter {
  private waiting: { doc: Record<string, unknown>; done: (result: 'inserted' | 'duplicate') => void; fail: (err: unknown) => void }[] = [];
  private writing = false;

  async write(doc: Record<string, unknown>): Promise<'inserted' | 'duplicate'> {
    const model = new DeliveryModel(doc);
    await model.validate();
    return new Promise((done, fail) => {
      this.waiting.push({ doc: model.toObject(), done, fail });
      if (!this.writing) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.writing = true;
    try {
      while (this.waiting.length > 0) {
        const batch = this.waiting.splice(0, 200);
        try {
          await DeliveryModel.collection.insertMany(
            batch.map((b) => b.doc),
            { ordered: false },
          );
          for (const b of batch) b.done('inserted');
        } catch (err) {
          const writeErrors = (err as { writeErrors?: { index?: number; code?: number }[] }).writeErrors;
          if (!Array.isArray(writeErrors)) {
            for (const b of batch) b.fail(err);
            continue;
          }
          const failed = new Map(writeErrors.map((e) => [e.index ?? -1, e]));
          batch.forEach((b, i) => {
            const e = failed.get(i);
            if (e === undefined) b.done('inserted');
            else if (isDuplicateKeyError(e)) b.done('duplicate');
            else b.fail(err);
          });
        }
      }
    } finally {
      this.writing = false;
    }
  }
}

/** Notes a status change of a lot's notifications, written with the others of the same change. */
function mark(run: LotRun, notifications: Pick<NotificationRecord, '_id'>[], set: Record<string, unknown>): void {
  const key = JSON.stringify(set);
  const group = run.marks.get(key) ?? { set, ids: [] };
  group.ids.push(...notifications.map((n) => n._id));
  run.marks.set(key, group);
  run.marked += notifications.length;
}

/** One update for pending notifications of a lot (`lot` and `status` narrow the scan on FerretDB; see the module comment). */
async function markInLot(lot: mongoose.Types.ObjectId, ids: mongoose.Types.ObjectId[], set: Record<string, unknown>): Promise<void> {
  if (ids.length === 0) return;
  await NotificationModel.updateMany({ lot, status: 'pending', _id: mongoose.trusted({ $in: ids }) }, { $set: set });
}

/** One update for a digest's held notifications (narrowed by tenant, person and status). */
async function markHeld(job: SendJob, notifications: Pick<NotificationRecord, '_id'>[], set: Record<string, unknown>): Promise<void> {
  if (notifications.length === 0) return;
  await NotificationModel.updateMany({ tenantId: job.tenantId, recipientId: job.recipientId, status: 'held', _id: mongoose.trusted({ $in: notifications.map((n) => n._id) }) }, { $set: set });
}

/** A send's outcome as notification fields (without `sentAt`: see `writeMarks`). */
function statusSet(state: 'sent' | 'skipped' | 'failed', outcome: Outcome): Record<string, unknown> {
  const set: Record<string, unknown> = { status: state };
  if (state === 'skipped') set.skipReason = outcome.reason ?? 'skipped';
  if (outcome.error) set.lastError = outcome.error;
  if (outcome.attempts !== undefined) set.attempts = outcome.attempts;
  return set;
}

function groupBy<T>(items: T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const list = groups.get(k);
    if (list) list.push(item);
    else groups.set(k, [item]);
  }
  return groups;
}

function onlyDuplicates(err: unknown): boolean {
  if (isDuplicateKeyError(err)) return true;
  const writeErrors = (err as { writeErrors?: unknown[] }).writeErrors;
  return Array.isArray(writeErrors) && writeErrors.length > 0 && writeErrors.every((e) => isDuplicateKeyError(e) || isDuplicateKeyError((e as { err?: unknown }).err));
}

function describe(error: DeliveryError): string {
  return `${error.failure}${error.status !== undefined ? ` ${error.status}` : ''}${error.code ? ` ${error.code}` : ''}`.slice(0, 500);
}
