/**
 * Sends one job (a notification, a channel post or a digest) under its claim: finds where it
 * goes (the person's chat, opened if need be, the activity feed, or the community's channel),
 * waits for the rate governor, and retries 429 and transient failures with jittered
 * exponential backoff (honouring Retry-After): `maxAttempts` quick ones, then slower ones
 * (Graph or the connector down or throttling for minutes must not lose a notification), and
 * dead-letters it once it has been retried for `giveUpAfterMs`. A Retry-After, on a 429 or a
 * 503, pauses the lane it came from before anything else is decided, so no other send goes
 * there before it has passed. A long wait gives the send back for a later pass; 403 (blocked)
 * and 404 (gone) are recorded on the conversation reference and the send is skipped.
 */
import { channelKey, personalKey, toConversationRef } from './conversation-references.js';
import { groupBy, timed, type DeliveryContext, type DeliveryStats, type SendJob } from './delivery-job.js';
import { DeliveryError, type ConversationRef, type DigestSection, type OutgoingMessage } from './messenger.js';
import type { NotificationRecord } from './notification.model.js';
import { openPersonalChat } from './personal-chat.js';
import type { Lane } from './rate-governor.js';
import { recordJobLag, recordNotificationSend } from '../telemetry/meent-metrics.js';

export class NotificationSender {
  constructor(private readonly context: DeliveryContext) {}

  async send(job: SendJob, stats: DeliveryStats): Promise<void> {
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
      await timed(this.context, 'governor', () => this.context.governor.acquire(target.lanes));
      try {
        const result = await timed(this.context, 'channel', () => target.send());
        recordNotificationSend(channelOf(target.lanes), 'sent', false);
        // Lag: from the oldest notification of the job being written to its delivery.
        const oldest = Math.min(...job.notifications.map((n) => new Date(n.createdAt).getTime()));
        if (Number.isFinite(oldest)) recordJobLag('notification-delivery', (this.context.now().getTime() - oldest) / 1000);
        await claim.finish(job, 'sent', { tries: attempt, ...(result.activityId !== undefined ? { activityId: result.activityId } : {}), ...(target.conversationId !== undefined ? { conversationId: target.conversationId } : {}) });
        stats.sent += job.notifications.length;
        return;
      } catch (err) {
        const failure = err instanceof DeliveryError ? err : new DeliveryError('transient', err instanceof Error ? err.message : String(err));
        recordNotificationSend(channelOf(target.lanes), failure.failure, failure.failure === 'throttled');
        if (failure.failure === 'blocked' || failure.failure === 'gone') {
          if (target.referenceKey) await this.context.references.setState(job.tenantId, target.referenceKey, failure.failure, failure.code ?? String(failure.status ?? ''), this.context.now());
          await claim.finish(job, 'skipped', { reason: failure.failure, error: describe(failure), tries: attempt });
          stats.skipped += job.notifications.length;
          return;
        }
        // Retry-After speaks for the lane (a 429, or a 503 that carries one): nothing else goes
        // there before it has passed, whatever becomes of this send.
        if (failure.failure === 'throttled' || failure.retryAfterMs !== undefined) {
          const lane = target.lanes[0];
          if (lane) this.context.governor.pause(lane, failure.retryAfterMs ?? this.backoff(attempt));
        }
        if (failure.failure === 'permanent' || this.exhausted(attempt)) {
          await claim.finish(job, 'failed', { error: describe(failure), attempts: attempt });
          stats.failed += job.notifications.length;
          this.context.logger.warn({ key: job.key, attempts: attempt, status: failure.status }, 'notification dead-lettered');
          return;
        }
        // Not delivered (429 certainly, 5xx as good as): wait and try again within our claim.
        const wait = this.retryDelay(attempt, failure);
        stats.retries++;
        if (wait > this.context.maxInlineWaitMs) {
          await claim.release(job, attempt, new Date(this.context.now().getTime() + wait), describe(failure));
          stats.released++;
          return;
        }
        await this.context.sleep(wait);
      }
    }
  }

  /** Where a job goes: the lanes it uses and the call that sends it, or why it cannot go. */
  private async target(job: SendJob): Promise<{ skip: string } | { lanes: Lane[]; send: () => Promise<{ activityId?: string }>; referenceKey?: string; conversationId?: string }> {
    const { messenger, activityFeed, renderer } = this.context;
    const prefs = job.prefs;
    const tenantLane: Lane = { kind: 'tenant', tenantId: job.tenantId };
    if (job.route === 'channel') {
      const notification = job.notifications[0];
      const communityId = job.recipientId.startsWith('community:') ? job.recipientId.slice('community:'.length) : job.recipientId;
      const pinned = await this.context.communities.channelOf(job.tenantId, communityId);
      const reference = pinned ? await this.context.references.find(job.tenantId, channelKey(pinned.teamId, pinned.channelId)) : null;
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

    const reference = job.personal === undefined ? await this.context.references.find(job.tenantId, personalKey(job.recipientId)) : job.personal;
    if (reference && reference.state !== 'active') {
      // Blocked or uninstalled: the activity feed would be refused too (it needs the app installed).
      return { skip: reference.state };
    }
    let ref: ConversationRef | undefined = reference ? toConversationRef(reference) : undefined;
    if (!ref) {
      // No personal chat yet: open one from any installation in the tenant.
      const via = await this.context.references.anyActive(job.tenantId);
      if (via) ref = await openPersonalChat({ references: this.context.references, messenger }, toConversationRef(via), { userId: job.recipientId, tenantId: job.tenantId });
      if (!ref) return feedTarget() ?? { skip: 'not_installed' };
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
    const names = await this.context.communities.names(job.tenantId, [...byCommunity.keys()].filter(Boolean));
    return [...byCommunity].map(([communityId, items]) => {
      const named = items.map((n) => (n.data as Record<string, unknown> | undefined)?.communityName).find((v): v is string => typeof v === 'string');
      return { communityId: communityId || null, communityName: names.get(communityId) ?? named ?? '', items };
    });
  }

  /**
   * The wait after a failed attempt: doubling from `baseBackoffMs` up to `maxBackoffMs` for the
   * first `maxAttempts`, then (an outage) doubling from there up to `outageBackoffMs`.
   */
  private backoff(attempt: number): number {
    const { baseBackoffMs, maxBackoffMs, maxAttempts, outageBackoffMs } = this.context;
    if (attempt < maxAttempts) return Math.min(maxBackoffMs, baseBackoffMs * 2 ** Math.max(0, attempt - 1));
    return Math.min(Math.max(maxBackoffMs, outageBackoffMs), maxBackoffMs * 2 ** (attempt - maxAttempts));
  }

  /**
   * Whether a send that failed its `attempt`-th time is given up: after at least `maxAttempts`
   * attempts, once the retry schedule (without jitter) has spanned `giveUpAfterMs`. Counted from
   * the attempts, which are stored, so that it holds across passes, instances and clocks.
   */
  private exhausted(attempt: number): boolean {
    if (attempt < this.context.maxAttempts) return false;
    let spanned = 0;
    for (let a = 1; a < attempt && spanned < this.context.giveUpAfterMs; a++) spanned += this.backoff(a);
    return spanned >= this.context.giveUpAfterMs;
  }

  /**
   * Exponential backoff with jitter (half fixed, half random), and never sooner than
   * Retry-After, plus up to a quarter of it at random so that throttled senders do not return together.
   */
  private retryDelay(attempt: number, failure: DeliveryError): number {
    const backoff = this.backoff(attempt);
    const jittered = backoff / 2 + this.context.random() * (backoff / 2);
    if (failure.retryAfterMs === undefined) return Math.round(jittered);
    return Math.round(Math.max(failure.retryAfterMs * (1 + 0.25 * this.context.random()), failure.failure === 'throttled' ? 0 : jittered));
  }
}

export function describe(error: DeliveryError): string {
  return `${error.failure}${error.status !== undefined ? ` ${error.status}` : ''}${error.code ? ` ${error.code}` : ''}`.slice(0, 500);
}

/** Which service a send went through: the activity feed is Graph's, everything else the Bot connector. */
function channelOf(lanes: Lane[]): 'bot-connector' | 'activity-feed' {
  return lanes.some((l) => l.kind === 'activityFeed') ? 'activity-feed' : 'bot-connector';
}
