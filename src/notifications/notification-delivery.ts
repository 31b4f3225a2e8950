/**
 * Delivers the notifications outbox. One pass (`runOnce`):
 *
 * 1. Route what is pending and due, per the recipient's preferences: `off` and muted ones are
 *    skipped, digest ones are held for their digest slot, the rest are sent now.
 * 2. Send: each send is claimed by inserting its delivery record (delivery.model.ts; the
 *    unique key makes the claim exclusive across instances), goes through the rate governor,
 *    and is marked `sent` once the channel accepted it. 429 and transient failures are
 *    retried with jittered exponential backoff (honouring Retry-After) up to `maxAttempts`,
 *    then the notification is dead-lettered (`failed`, listed for admins). 403 (blocked) and
 *    404 (gone) are recorded on the conversation reference and the notification is skipped.
 * 3. Digests: held notifications whose slot has come go out as one message per person and
 *    period, grouped by community.
 *
 * A crash anywhere leaves claims that expire (`leaseMs`); the next pass of any instance takes
 * over the unsent ones, so nothing is lost, and nothing already marked `sent` goes twice.
 */
import { randomUUID } from 'node:crypto';
import mongoose from 'mongoose';
import type { Logger } from 'pino';
import { LeaseModel } from '../db/document-lock.js';
import { isDuplicateKeyError } from '../db/mongo-errors.js';
import { communityLookup as defaultCommunityLookup, type CommunityLookup } from './community-lookup.js';
import { channelKey, ConversationReferences, personalKey, toConversationRef } from './conversation-references.js';
import type { ConversationReferenceRecord } from './conversation-reference.model.js';
import { DeliveryModel, type DeliveryRecord } from './delivery.model.js';
import { nextDigestSlot } from './digest-schedule.js';
import { DeliveryError, type ActivityFeed, type ConversationRef, type DigestSection, type Messenger, type NotificationRenderer, type OutgoingMessage } from './messenger.js';
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
  /** Notifications taken per pass (default 200). */
  batchSize?: number;
  /** Sends in flight at once (default 16). */
  concurrency?: number;
  /** How long a claim holds (default 2 minutes); inline waits stay well below it. */
  leaseMs?: number;
  /** Attempts before a notification is dead-lettered (default 5). */
  maxAttempts?: number;
  baseBackoffMs?: number;
  maxBackoffMs?: number;
  /** A longer wait (a long Retry-After) releases the claim and retries in a later pass. */
  maxInlineWaitMs?: number;
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
  /** Claims taken over from an instance that stopped before finishing them (sent again). */
  inDoubt: number;
}

type Route = 'chat' | 'activityFeed' | 'channel';

/** What a worker needs of its own claim. */
type ClaimedRecord = Pick<DeliveryRecord, '_id' | 'key' | 'notificationIds' | 'leaseUntil'>;

/** A send is not started this close to the end of its claim's lease. */
const LEASE_MARGIN_MS = 15_000;

interface SendJob {
  key: string;
  tenantId: string;
  recipientId: string;
  route: Route;
  notifications: NotificationRecord[];
  digest?: { cadence: 'daily' | 'weekly' };
}

const WORKER_LEASE_PREFIX = 'notifications:worker:';

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
  private readonly concurrency: number;
  private readonly leaseMs: number;
  private readonly maxAttempts: number;
  private readonly baseBackoffMs: number;
  private readonly maxBackoffMs: number;
  private readonly maxInlineWaitMs: number;

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
    this.batchSize = deps.batchSize ?? 200;
    this.concurrency = deps.concurrency ?? 16;
    this.leaseMs = deps.leaseMs ?? 120_000;
    this.maxAttempts = deps.maxAttempts ?? 5;
    this.baseBackoffMs = deps.baseBackoffMs ?? 1_000;
    this.maxBackoffMs = deps.maxBackoffMs ?? 30_000;
    this.maxInlineWaitMs = deps.maxInlineWaitMs ?? 30_000;
  }

  /** One pass: route and send what is due now, then the digests that are due. */
  async runOnce(): Promise<DeliveryStats> {
    const stats: DeliveryStats = { routed: 0, held: 0, skipped: 0, sent: 0, failed: 0, retries: 0, released: 0, digests: 0, inDoubt: 0 };
    const jobs = await this.routePending(stats);
    await this.deliver(jobs, stats);
    const digestJobs = await this.dueDigests(stats);
    await this.deliver(digestJobs, stats);
    return stats;
  }

  /** Registers this instance as delivering and shares the rate budgets with the others doing so. */
  async heartbeat(ttlMs: number): Promise<number> {
    const key = `${WORKER_LEASE_PREFIX}${this.owner}`;
    const expiresAt = new Date(this.now().getTime() + ttlMs);
    const updated = await LeaseModel.updateOne({ key }, { $set: { expiresAt } });
    if (updated.matchedCount === 0) {
      await LeaseModel.create({ key, owner: this.owner, expiresAt }).catch((err: unknown) => {
        if (!isDuplicateKeyError(err)) throw err;
      });
    }
    const active = await LeaseModel.countDocuments({ key: mongoose.trusted({ $regex: `^${WORKER_LEASE_PREFIX}` }), expiresAt: mongoose.trusted({ $gt: this.now() }) });
    this.governor.setShare(Math.max(1, active));
    return active;
  }

  /** Leaves the shared budget (on stop). */
  async signOff(): Promise<void> {
    await LeaseModel.deleteOne({ key: `${WORKER_LEASE_PREFIX}${this.owner}` });
  }

  // ---- routing ----

  private async routePending(stats: DeliveryStats): Promise<SendJob[]> {
    const now = this.now();
    // No sort: FerretDB sorts in its own process after a full scan (four times the cost of the
    // scan); every pass handles all it takes, so nothing waits for long either way.
    const pending = await NotificationModel.find({
      status: 'pending',
      $or: [{ notBefore: null }, { notBefore: mongoose.trusted({ $lte: now }) }],
    })
      .limit(this.batchSize)
      .lean<NotificationRecord[]>()
      .exec();
    if (pending.length === 0) return [];
    stats.routed += pending.length;

    const jobs: SendJob[] = [];
    const skips = new Map<string, mongoose.Types.ObjectId[]>();
    const holds: { id: mongoose.Types.ObjectId; digest: { cadence: 'daily' | 'weekly'; period: string; dueAt: Date } }[] = [];
    for (const [tenantId, items] of groupBy(pending, (n) => n.tenantId)) {
      const people = items.filter((n) => n.kind !== 'eventAnnounced').map((n) => n.recipientId);
      const [prefs, mutes] = await Promise.all([this.preferences.forDelivery(tenantId, people), this.preferences.mutedFor(tenantId, people)]);
      for (const n of items) {
        if (n.kind === 'eventAnnounced') {
          jobs.push({ key: `c:${String(n._id)}`, tenantId, recipientId: n.recipientId, route: 'channel', notifications: [n] });
          continue;
        }
        const p = prefs.get(n.recipientId) ?? this.preferences.defaults();
        const cadence = p.kinds[n.kind as PersonalKind] ?? 'immediately';
        const muted = !UNMUTABLE_KINDS.has(n.kind) && muteKeysOf(n).some((k) => mutes.get(n.recipientId)?.has(k));
        if (cadence === 'off' || muted) {
          const reason = cadence === 'off' ? 'off' : 'muted';
          skips.set(reason, [...(skips.get(reason) ?? []), n._id]);
        } else if (cadence === 'daily' || cadence === 'weekly') {
          holds.push({ id: n._id, digest: nextDigestSlot(cadence, now, p.timeZone, p.digestHour) });
        } else {
          jobs.push({ key: `n:${String(n._id)}`, tenantId, recipientId: n.recipientId, route: p.channel, notifications: [n] });
        }
      }
    }
    for (const [reason, ids] of skips) {
      await Promise.all(ids.map((id) => NotificationModel.updateOne({ _id: id, status: 'pending' }, { $set: { status: 'skipped', skipReason: reason } })));
      stats.skipped += ids.length;
    }
    await Promise.all(holds.map((h) => NotificationModel.updateOne({ _id: h.id, status: 'pending' }, { $set: { status: 'held', digest: h.digest } })));
    stats.held += holds.length;
    return jobs;
  }

  private async dueDigests(stats: DeliveryStats): Promise<SendJob[]> {
    const now = this.now();
    const held = await NotificationModel.find({ status: 'held', 'digest.dueAt': mongoose.trusted({ $lte: now }) })
      .sort({ 'digest.dueAt': 1, _id: 1 })
      .limit(this.batchSize * 5)
      .lean<NotificationRecord[]>()
      .exec();
    const jobs: SendJob[] = [];
    for (const [groupKey, items] of groupBy(held, (n) => `${n.tenantId}\u0000${n.recipientId}\u0000${n.digest?.period ?? ''}`)) {
      const first = items[0];
      if (!first?.digest) continue;
      const [tenantId, recipientId, period] = groupKey.split('\u0000') as [string, string, string];
      const prefs = await this.preferences.get(tenantId, recipientId);
      jobs.push({ key: `d:${tenantId}:${recipientId}:${period}`, tenantId, recipientId, route: prefs.channel, notifications: items, digest: { cadence: first.digest.cadence as 'daily' | 'weekly' } });
    }
    stats.digests += jobs.length;
    return jobs;
  }

  // ---- claiming and sending ----

  /**
   * Claims and sends in chunks of a few times the concurrency: a claim is taken just before
   * its send, so its lease is fresh when the send starts however slow the pass is (a throttled
   * tenant, a slow store); a claim taken long before would expire unsent and change hands.
   */
  private async deliver(jobs: SendJob[], stats: DeliveryStats): Promise<void> {
    const chunk = this.concurrency * 4;
    for (let i = 0; i < jobs.length; i += chunk) await this.deliverChunk(jobs.slice(i, i + chunk), stats);
  }

  private async deliverChunk(jobs: SendJob[], stats: DeliveryStats): Promise<void> {
    if (jobs.length === 0) return;
    const claimed = await this.claim(jobs, stats);
    if (claimed.length === 0) return;
    const prefsByTenant = new Map<string, Map<string, EffectivePreferences>>();
    for (const [tenantId, items] of groupBy(claimed, (c) => c.job.tenantId)) {
      prefsByTenant.set(tenantId, await this.preferences.forDelivery(tenantId, items.filter((c) => c.job.route !== 'channel').map((c) => c.job.recipientId)));
    }
    let next = 0;
    const worker = async () => {
      while (next < claimed.length) {
        const item = claimed[next++];
        if (!item) break;
        const prefs = prefsByTenant.get(item.job.tenantId)?.get(item.job.recipientId) ?? this.preferences.defaults();
        try {
          // The person's chat, looked up per send by its unique key (cheap on every store, and
          // spread over the pass instead of one large `$in` before it).
          const personal = item.job.route === 'chat' ? await this.references.find(item.job.tenantId, personalKey(item.job.recipientId)) : null;
          await this.send(item.job, item.record, prefs, personal, stats);
        } catch (err) {
          // A store error mid-send: the claim stays and expires; a later pass picks it up.
          this.deps.logger.error({ err, key: item.job.key }, 'notification delivery failed unexpectedly');
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.concurrency, claimed.length) }, worker));
  }

  /**
   * Inserts the delivery records; answers the jobs this instance now owns. Lookups are by
   * equality on the unique key, one per contested job: FerretDB scans the whole collection
   * for `$in`, which a fan-out of thousands cannot afford.
   */
  private async claim(jobs: SendJob[], stats: DeliveryStats): Promise<{ job: SendJob; record: ClaimedRecord }[]> {
    const mine: { job: SendJob; record: ClaimedRecord }[] = [];
    const take = (job: SendJob, record: ClaimedRecord) => {
      // A digest claimed by us goes out with exactly the notifications the record names.
      if (job.digest) {
        const named = new Set(record.notificationIds.map(String));
        job.notifications = job.notifications.filter((n) => named.has(String(n._id)));
      }
      mine.push({ job, record });
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

  /** Someone finished this send: bring our view of its notifications in line (and re-home late digest items). */
  private async settleFinished(job: SendJob, record: DeliveryRecord): Promise<void> {
    const included = new Set(record.notificationIds.map(String));
    const settled = job.notifications.filter((n) => included.has(String(n._id)));
    const late = job.notifications.filter((n) => !included.has(String(n._id)));
    if (settled.length > 0) {
      const status = record.state === 'sent' ? 'sent' : record.state === 'skipped' ? 'skipped' : 'failed';
      await updateEach(settled, { status: mongoose.trusted({ $in: ['pending', 'held'] }) }, { $set: { status, deliveryKey: record.key } });
    }
    if (late.length > 0 && job.digest) {
      // Held for a digest that already went: they join the person's next one.
      const prefs = await this.preferences.get(job.tenantId, job.recipientId);
      const slot = nextDigestSlot(job.digest.cadence, this.now(), prefs.timeZone, prefs.digestHour);
      await updateEach(late, { status: 'held' }, { $set: { digest: slot } });
    }
  }

  private async send(job: SendJob, record: ClaimedRecord, prefs: EffectivePreferences, personal: ConversationReferenceRecord | null, stats: DeliveryStats): Promise<void> {
    const target = await this.target(job, prefs, personal);
    if ('skip' in target) {
      await this.finish(job, record, 'skipped', { reason: target.skip });
      stats.skipped += job.notifications.length;
      return;
    }
    const priorAttempts = Math.max(0, ...job.notifications.map((n) => n.attempts ?? 0));
    for (let attempt = priorAttempts + 1; ; attempt++) {
      // Our claim must outlast the call: past its lease another instance may take it over, so we leave it to them.
      if (this.now().getTime() > record.leaseUntil.getTime() - LEASE_MARGIN_MS) return;
      await this.governor.acquire(target.lanes);
      try {
        const result = await target.send();
        await this.finish(job, record, 'sent', { ...(result.activityId !== undefined ? { activityId: result.activityId } : {}), ...(target.conversationId !== undefined ? { conversationId: target.conversationId } : {}) });
        stats.sent += job.notifications.length;
        return;
      } catch (err) {
        const failure = err instanceof DeliveryError ? err : new DeliveryError('transient', err instanceof Error ? err.message : String(err));
        if (failure.failure === 'blocked' || failure.failure === 'gone') {
          if (target.referenceKey) await this.references.setState(job.tenantId, target.referenceKey, failure.failure, failure.code ?? String(failure.status ?? ''), this.now());
          await this.finish(job, record, 'skipped', { reason: failure.failure, error: describe(failure) });
          stats.skipped += job.notifications.length;
          return;
        }
        if (failure.failure === 'permanent' || attempt >= this.maxAttempts) {
          await this.finish(job, record, 'failed', { error: describe(failure), attempts: attempt });
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
          await this.release(job, record, attempt, wait, failure);
          stats.released++;
          return;
        }
        await this.sleep(wait);
      }
    }
  }

  /** Where a job goes: the lanes it uses and the call that sends it, or why it cannot go. */
  private async target(
    job: SendJob,
    prefs: EffectivePreferences,
    personal: ConversationReferenceRecord | null,
  ): Promise<{ skip: string } | { lanes: Lane[]; send: () => Promise<{ activityId?: string }>; referenceKey?: string; conversationId?: string }> {
    const { messenger, activityFeed, renderer } = this.deps;
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

    let reference = personal;
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

  private async finish(job: SendJob, record: ClaimedRecord, state: 'sent' | 'skipped' | 'failed', detail: { activityId?: string; conversationId?: string; reason?: string; error?: string; attempts?: number }): Promise<void> {
    const now = this.now();
    await DeliveryModel.updateOne(
      { _id: record._id },
      {
        $set: {
          state,
          ...(state === 'sent' ? { sentAt: now } : {}),
          ...(detail.activityId ? { activityId: detail.activityId } : {}),
          ...(detail.conversationId ? { conversationId: detail.conversationId } : {}),
          ...(detail.error ? { lastError: detail.error } : {}),
        },
      },
    );
    const set: Record<string, unknown> = { status: state, deliveryKey: job.key };
    if (state === 'sent') set.sentAt = now;
    if (state === 'skipped') set.skipReason = detail.reason ?? 'skipped';
    if (detail.error) set.lastError = detail.error;
    if (detail.attempts !== undefined) set.attempts = detail.attempts;
    await updateEach(job.notifications, {}, { $set: set });
  }

  /** Gives the send back for a later pass (after a long Retry-After), keeping count of attempts. */
  private async release(job: SendJob, record: ClaimedRecord, attempts: number, waitMs: number, failure: DeliveryError): Promise<void> {
    const notBefore = new Date(this.now().getTime() + waitMs);
    // Digest items stay held (with a later due time); the rest become pending again.
    if (job.digest) {
      await updateEach(job.notifications, {}, { $set: { 'digest.dueAt': notBefore, attempts, lastError: describe(failure) } });
    } else {
      await updateEach(job.notifications, {}, { $set: { status: 'pending', notBefore, attempts, lastError: describe(failure) } });
    }
    await DeliveryModel.deleteOne({ _id: record._id, owner: this.owner });
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

/** Runs passes until stopped: back to back while there is work, every `intervalMs` otherwise. */
export function startNotificationWorker(delivery: NotificationDelivery, options: { intervalMs?: number; logger: Pick<Logger, 'error' | 'info'> }): NotificationWorker {
  const intervalMs = options.intervalMs ?? 2_000;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let waiters: (() => void)[] = [];
  const loop = async () => {
    let busy = false;
    try {
      await delivery.heartbeat(intervalMs * 5);
      const stats = await delivery.runOnce();
      busy = stats.routed > 0 || stats.digests > 0;
    } catch (err) {
      options.logger.error({ err }, 'notification pass failed');
    }
    const done = waiters;
    waiters = [];
    for (const w of done) w();
    if (!stopped) timer = setTimeout(tick, busy ? 0 : intervalMs);
  };
  const tick = () => {
    running = loop();
  };
  tick();
  return {
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running;
      await delivery.signOff().catch(() => undefined);
    },
    drained: () => new Promise<void>((resolve) => waiters.push(resolve)),
  };
}

/** One update per notification, each by `_id` equality (see `claim` on FerretDB and `$in`). */
async function updateEach(notifications: Pick<NotificationRecord, '_id'>[], filter: Record<string, unknown>, update: Record<string, unknown>): Promise<void> {
  for (const n of notifications) await NotificationModel.updateOne({ ...filter, _id: n._id }, update);
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
