/**
 * Lots: the unit a worker claims (notification-lot.model.ts, the notifications one enqueue
 * wrote). A due lot is claimed with one guarded update (open, or claimed by an instance whose
 * lease ran out), its pending notifications read with one query and routed (delivery-router.ts),
 * and its sends go out while the next lot is claimed, so the rate budget never waits for the
 * store. The lease is renewed while the lot is worked on; once its sends are done, the lot's
 * status changes are written and the lot is deleted, or opened again for what is due later.
 * A lot taken over from a stopped instance is settled from its delivery records first.
 */
import mongoose, { type Model } from 'mongoose';
import { atomicDelete } from '../db/atomic-delete.js';
import { atomicUpdate } from '../db/atomic-update.js';
import { documentLocks } from '../db/document-lock.js';
import { groupBy, LEASE_MARGIN_MS, timed, type Claim, type DeliveryContext, type DeliveryStats, type LotRun, type SendJob } from './delivery-job.js';
import { lotRecordDoc, mark, markInLot, statusSet, type RecordWriter } from './delivery-records.js';
import { isPersonal, routeNotification } from './delivery-router.js';
import { DeliveryModel, type DeliveryRecord } from './delivery.model.js';
import type { DigestSlot } from './digest-schedule.js';
import { LotModel, type LotRecord } from './notification-lot.model.js';
import { DEFAULT_LOT_SIZE } from './notification-outbox.js';
import { NotificationModel, type NotificationRecord } from './notification.model.js';
import type { NotificationSender } from './notification-sender.js';

/** Due lots listed per look (a handful are being worked on by others; the rest are candidates). */
const LOT_PROBE = 50;

/** The lots model as the atomic helpers take it. */
const lots = LotModel as unknown as Model<LotRecord>;

export class LotDelivery {
  private lastAdoption = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly context: DeliveryContext,
    private readonly sender: NotificationSender,
    private readonly records: RecordWriter,
  ) {}

  /**
   * Takes lots and sends their notifications until none is due (or the pass has taken
   * `batchSize` or run `passMs`). The next lot is taken as soon as fewer than a few seconds of
   * sends are queued, so the sends do not wait for the store; every lot taken is finished
   * before the pass ends.
   */
  async deliverLots(stats: DeliveryStats): Promise<void> {
    const queue: SendJob[] = [];
    const candidates: Pick<LotRecord, '_id' | 'state' | 'owner'>[] = [];
    const lowWater = Math.max(1, this.context.lookahead);
    const startedAt = Date.now();
    let taken = 0;
    let exhausted = false;
    let feeding: Promise<void> | undefined;

    const feedOnce = async () => {
      while (!exhausted && queue.length < lowWater) {
        if (taken >= this.context.batchSize || Date.now() - startedAt > this.context.passMs) {
          exhausted = true;
          break;
        }
        const took = await timed(this.context, 'takingLots', async () => {
          const claimed = await this.claimLot(candidates);
          if (!claimed) return undefined;
          stats.lots++;
          return { run: claimed.run, jobs: await this.openLot(claimed.run, claimed.takenOver, stats) };
        });
        if (!took) {
          exhausted = true;
          break;
        }
        taken += took.jobs.length;
        if (took.jobs.length === 0) await this.closeLot(took.run);
        queue.push(...took.jobs);
      }
    };
    const feed = () => {
      feeding ??= feedOnce()
        .catch((err: unknown) => {
          exhausted = true;
          this.context.logger.error({ err }, 'taking notification lots failed');
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
          const waiting = feeding;
          await timed(this.context, 'waitingForLots', () => waiting);
        } else if (exhausted) return;
      }
    };
    await Promise.all(Array.from({ length: this.context.concurrency }, worker));
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
        const [candidate] = candidates.splice(Math.floor(this.context.random() * candidates.length), 1);
        if (!candidate) continue;
        const now = this.context.now();
        const leaseUntil = new Date(now.getTime() + this.context.leaseMs);
        const lot = await atomicUpdate(
          lots,
          { _id: candidate._id, dueAt: mongoose.trusted({ $lte: now }), $or: [{ state: 'open' }, { state: 'claimed', leaseUntil: mongoose.trusted({ $lt: now }) }] },
          { $set: { state: 'claimed', owner: this.context.owner, leaseUntil }, $inc: { claims: 1 } },
        );
        if (!lot) continue;
        const takenOver = candidate.state === 'claimed';
        if (takenOver) this.context.logger.warn({ lot: String(lot._id), owner: candidate.owner }, 'taking over a lot another instance did not finish');
        return { run: { id: lot._id, leaseUntil, reclaimed: (lot.claims ?? 0) > 1, lost: false, broken: false, open: 0, marks: new Map(), marked: 0 }, takenOver };
      }
    }
    return undefined;
  }

  /** Lots that may be claimed now (the collection holds only lots with work left). */
  private async dueLots(): Promise<Pick<LotRecord, '_id' | 'state' | 'owner'>[]> {
    const now = this.context.now();
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
    const now = this.context.now();
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

  /** Skips, holds for a digest, or makes a send of each notification, per its recipient's preferences (delivery-router.ts). */
  private async route(due: NotificationRecord[], run: LotRun, stats: DeliveryStats): Promise<SendJob[]> {
    const now = this.context.now();
    const { preferences } = this.context;
    const jobs: SendJob[] = [];
    const skips = new Map<string, mongoose.Types.ObjectId[]>();
    const holds = new Map<string, { digest: DigestSlot; ids: mongoose.Types.ObjectId[] }>();
    for (const [tenantId, items] of groupBy(due, (n) => n.tenantId)) {
      const people = items.filter(isPersonal).map((n) => n.recipientId);
      const [prefs, mutes] = await Promise.all([preferences.forDelivery(tenantId, people), preferences.mutedFor(tenantId, people)]);
      const sends: SendJob[] = [];
      for (const n of items) {
        const p = prefs.get(n.recipientId) ?? preferences.defaults();
        const decision = routeNotification(n, p, mutes.get(n.recipientId), now);
        if ('skip' in decision) {
          skips.set(decision.skip, [...(skips.get(decision.skip) ?? []), n._id]);
        } else if ('hold' in decision) {
          const key = `${decision.hold.period}|${decision.hold.dueAt.toISOString()}`;
          const hold = holds.get(key) ?? { digest: decision.hold, ids: [] };
          hold.ids.push(n._id);
          holds.set(key, hold);
        } else {
          sends.push({ key: decision.key, tenantId, recipientId: n.recipientId, route: decision.send, notifications: [n], prefs: p });
        }
      }
      // Personal chats for the whole lot at once (see ConversationReferences.personalChats).
      const chatters = sends.filter((j) => j.route === 'chat').map((j) => j.recipientId);
      if (chatters.length > 0) {
        const chats = await this.context.references.personalChats(tenantId, chatters, { bulk: chatters.length >= this.context.bulkReferencesFrom });
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
      await this.sender.send(job, stats);
    } catch (err) {
      // A store error mid-send: the lot stays claimed and its lease runs out; it is taken again then.
      run.broken = true;
      this.context.logger.error({ err, key: job.key }, 'notification delivery failed unexpectedly');
    }
    if (--run.open === 0) {
      await this.closeLot(run).catch((err: unknown) => this.context.logger.error({ err, lot: String(run.id) }, 'finishing a notification lot failed'));
    }
  }

  /** Writes the lot's status changes, then deletes the lot, or opens it again for what is due later. */
  private async closeLot(run: LotRun): Promise<void> {
    await timed(this.context, 'marking', () => this.finishLot(run));
  }

  private async finishLot(run: LotRun): Promise<void> {
    await this.writeMarks(run);
    if (run.lost || run.broken) return;
    const mine = { _id: run.id, state: 'claimed' as const, owner: this.context.owner };
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
    for (const { set, ids } of marks) await markInLot(run.id, ids, set.status === 'sent' ? { ...set, sentAt: this.context.now() } : set);
  }

  private lotClaim(run: LotRun): Claim {
    return {
      usable: async () => {
        if (run.lost) return false;
        if (this.context.now().getTime() <= run.leaseUntil.getTime() - LEASE_MARGIN_MS) return true;
        run.renewing ??= this.renewLot(run).finally(() => {
          run.renewing = undefined;
        });
        return run.renewing;
      },
      finish: async (job, state, outcome) => {
        const now = this.context.now();
        const written = await timed(this.context, 'records', () => this.records.write(lotRecordDoc(job, state, outcome, { owner: this.context.owner, lot: run.id, leaseUntil: run.leaseUntil, at: now })));
        if (written === 'duplicate') this.context.logger.warn({ key: job.key }, 'this send was recorded before (taken over while in flight): it may have arrived twice');
        mark(run, job.notifications, statusSet(state, outcome));
        // Most marks wait for the end of the lot; a long lot (a throttled tenant) writes them as it goes.
        if (run.marked >= DEFAULT_LOT_SIZE / 2) {
          await timed(this.context, 'marking', () => this.writeMarks(run));
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
    const leaseUntil = new Date(this.context.now().getTime() + this.context.leaseMs);
    const renewed = await atomicUpdate(lots, { _id: run.id, state: 'claimed', owner: this.context.owner }, { $set: { leaseUntil } });
    if (renewed) run.leaseUntil = leaseUntil;
    else run.lost = true;
    return !run.lost;
  }

  /**
   * Gives notifications written without a lot one (a few lots per look, one instance at a time,
   * so no notification ends up in two lots).
   */
  async adoptLoose(): Promise<void> {
    const at = Date.now();
    if (at - this.lastAdoption < this.context.adoptEveryMs) return;
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
}
