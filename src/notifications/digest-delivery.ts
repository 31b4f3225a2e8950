/**
 * Digests: held notifications whose slot has come go out as one message per person and
 * period, grouped by community. Each digest is claimed by inserting its delivery record
 * (the unique key admits one owner); a claim whose lease ran out unfinished is taken over by
 * deleting exactly that record, and a digest someone else finished settles our view of it.
 */
import mongoose from 'mongoose';
import { LEASE_MARGIN_MS, groupBy, type Claim, type ClaimedRecord, type DeliveryContext, type DeliveryStats, type SendJob } from './delivery-job.js';
import { digestKeyOf } from './delivery-keys.js';
import { markHeld, onlyDuplicates, statusSet } from './delivery-records.js';
import { DeliveryModel, type DeliveryRecord } from './delivery.model.js';
import { nextDigestSlot } from './digest-schedule.js';
import { DEFAULT_LOT_SIZE } from './notification-outbox.js';
import { NotificationModel, type NotificationRecord } from './notification.model.js';
import type { EffectivePreferences } from './notification-preferences.js';
import type { NotificationSender } from './notification-sender.js';

export class DigestDelivery {
  constructor(
    private readonly context: DeliveryContext,
    private readonly sender: NotificationSender,
  ) {}

  async dueDigests(stats: DeliveryStats): Promise<SendJob[]> {
    const now = this.context.now();
    const held = await NotificationModel.find({ status: 'held', 'digest.dueAt': mongoose.trusted({ $lte: now }) })
      .sort({ 'digest.dueAt': 1, _id: 1 })
      .limit(DEFAULT_LOT_SIZE * 10)
      .lean<NotificationRecord[]>()
      .exec();
    const groups = groupBy(held, (n) => `${n.tenantId}\u0000${n.recipientId}\u0000${n.digest?.period ?? ''}`);
    const prefsByTenant = new Map<string, Map<string, EffectivePreferences>>();
    for (const [tenantId, items] of groupBy(held, (n) => n.tenantId)) {
      prefsByTenant.set(tenantId, await this.context.preferences.forDelivery(tenantId, items.map((n) => n.recipientId)));
    }
    const jobs: SendJob[] = [];
    for (const [groupKey, items] of groups) {
      const first = items[0];
      if (!first?.digest) continue;
      const [tenantId, recipientId, period] = groupKey.split('\u0000') as [string, string, string];
      const prefs = prefsByTenant.get(tenantId)?.get(recipientId) ?? this.context.preferences.defaults();
      jobs.push({ key: digestKeyOf(tenantId, recipientId, period), tenantId, recipientId, route: prefs.channel, notifications: items, prefs, digest: { cadence: first.digest.cadence as 'daily' | 'weekly' } });
    }
    stats.digests += jobs.length;
    return jobs;
  }

  /**
   * Claims and sends digests in chunks of a few times the concurrency: a claim is taken just
   * before its send, so its lease is fresh when the send starts however slow the pass is.
   */
  async deliverDigests(jobs: SendJob[], stats: DeliveryStats): Promise<void> {
    const chunk = this.context.concurrency * 4;
    for (let i = 0; i < jobs.length; i += chunk) {
      const claimed = await this.claimDigests(jobs.slice(i, i + chunk), stats);
      let next = 0;
      const worker = async () => {
        while (next < claimed.length) {
          const job = claimed[next++];
          if (!job) break;
          try {
            await this.sender.send(job, stats);
          } catch (err) {
            // A store error mid-send: the claim stays and expires; a later pass picks it up.
            this.context.logger.error({ err, key: job.key }, 'notification delivery failed unexpectedly');
          }
        }
      };
      await Promise.all(Array.from({ length: Math.min(this.context.concurrency, claimed.length) }, worker));
    }
  }

  /**
   * Inserts the digests' delivery records; answers the jobs this instance now owns. Lookups are
   * by equality on the unique key, one per contested job (see notification-delivery.ts on `$in`).
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
      } else if (record.owner === this.context.owner && record.state === 'claimed') {
        take(job, record); // inserted by us, though the store did not say so
      } else if (record.state === 'sent' || record.state === 'skipped' || record.state === 'failed') {
        await this.settleFinished(job, record);
      } else if (record.leaseUntil.getTime() < this.context.now().getTime()) {
        // The owner stopped (crashed, or was cut off) before finishing: whatever it had not
        // marked is sent again; a send it had in flight at that moment may arrive twice.
        stats.inDoubt++;
        this.context.logger.warn({ key: record.key, owner: record.owner }, 'taking over a claim another instance did not finish');
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
    const leaseUntil = new Date(this.context.now().getTime() + this.context.leaseMs);
    const docs = list.map((j) => ({
      key: j.key,
      tenantId: j.tenantId,
      recipientId: j.recipientId,
      notificationIds: j.notifications.map((n) => n._id),
      route: j.route,
      state: 'claimed',
      owner: this.context.owner,
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
      const slot = nextDigestSlot(job.digest.cadence, this.context.now(), job.prefs.timeZone, job.prefs.digestHour);
      await markHeld(job, late, { digest: slot });
    }
  }

  private digestClaim(record: ClaimedRecord): Claim {
    return {
      usable: () => Promise.resolve(this.context.now().getTime() <= record.leaseUntil.getTime() - LEASE_MARGIN_MS),
      finish: async (job, state, outcome) => {
        const now = this.context.now();
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
        await DeliveryModel.deleteOne({ _id: record._id, owner: this.context.owner });
      },
    };
  }
}
