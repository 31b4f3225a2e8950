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
import { DeliveryError, type ConversationRef, type DigestSection, type Messenger, type OutgoingMessage } from './messenger.js';
import type { NotificationRecord } from './notification.model.js';
import { openPersonalChat } from './personal-chat.js';
import type { Lane } from './rate-governor.js';
import { recordJobLag, recordNotificationSend } from '../telemetry/meent-metrics.js';
import type { Reach } from './teams-reach.js';

/** Where a job goes: the lanes it uses and the call that sends it, or why it cannot go. */
type SendTarget = { skip: string; error?: string } | { lanes: Lane[]; send: () => Promise<{ activityId?: string }>; referenceKey?: string; conversationId?: string; via?: 'mail' };

export class NotificationSender {
  constructor(private readonly context: DeliveryContext) {}

  async send(job: SendJob, stats: DeliveryStats): Promise<void> {
    const claim = job.claim;
    if (!claim) return;
    const target = await this.target(job);
    if ('skip' in target) {
      await claim.finish(job, 'skipped', { reason: target.skip, ...(target.error ? { error: target.error } : {}) });
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
        await claim.finish(job, 'sent', { tries: attempt, ...(result.activityId !== undefined ? { activityId: result.activityId } : {}), ...(target.conversationId !== undefined ? { conversationId: target.conversationId } : {}), ...(target.via ? { via: target.via } : {}) });
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
  private async target(job: SendJob): Promise<SendTarget> {
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
      ref = await this.openChat(job);
      if (!ref && !reference && this.context.reach) {
        // Never installed: install the app for the person, or reach them another way (teams-reach.ts).
        const reached = await this.reachNewcomer(job, messenger);
        if (reached) return reached;
      }
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

  private async openChat(job: SendJob): Promise<ConversationRef | undefined> {
    const messenger = this.context.messenger;
    if (!messenger) return undefined;
    const via = await this.context.references.anyActive(job.tenantId);
    if (!via) return undefined;
    return openPersonalChat({ references: this.context.references, messenger }, toConversationRef(via), { userId: job.recipientId, tenantId: job.tenantId });
  }

  /**
   * A person with no chat and none ever stored: Meent installs the app for them (once), waits
   * for the bot's installation update to store their chat, and sends there. Refused by policy:
   * unreachable by Teams, so by e-mail from the configured mailbox, or skipped with the reason.
   * Undefined: installation is off or impossible; the caller falls back as before.
   */
  private async reachNewcomer(job: SendJob, messenger: Messenger): Promise<SendTarget | undefined> {
    const reach = this.context.reach;
    if (!reach) return undefined;
    const tenantLane: Lane = { kind: 'tenant', tenantId: job.tenantId };
    const reached = await reach.ensureInstalled(job.tenantId, job.recipientId, this.context.governor);
    if (reached.state === 'off' || reached.state === 'gone') return undefined;
    if (reached.state === 'refused') return this.mailTarget(job, reached.reason);
    const message: OutgoingMessage = job.digest ? this.context.renderer.digest({ cadence: job.digest.cadence, sections: await this.sections(job), prefs: job.prefs }) : this.context.renderer.message(job.notifications[0] as NotificationRecord, job.prefs);
    let state: Reach = reached;
    return {
      lanes: [tenantLane],
      referenceKey: personalKey(job.recipientId),
      send: async () => {
        // Graph throttled or failed the installation: each retry of the send asks again.
        if (state.state === 'later') state = await reach.ensureInstalled(job.tenantId, job.recipientId, this.context.governor);
        if (state.state === 'later') throw new DeliveryError(state.status === 429 ? 'throttled' : 'transient', 'installing the app did not succeed yet', state.status, state.retryAfterMs);
        if (state.state !== 'installed') {
          // Refused (or gone) on a later try: unreachable by Teams after all.
          const reason = state.state === 'refused' ? state.reason : state.state;
          const mail = await this.mailTarget(job, reason);
          if ('skip' in mail) throw new DeliveryError('permanent', `unreachable_by_teams: ${mail.error ?? reason}`);
          return mail.send();
        }
        const ref = await this.waitForChat(job);
        // Not there yet: a transient failure, so the send is tried again with backoff.
        if (!ref) throw new DeliveryError('transient', 'the app is installed but its chat is not known yet');
        return messenger.sendToConversation(ref, message);
      },
    };
  }

  /** The chat the bot's installation update stores (bot/ saves it), polled for `installWaitMs`; then opened ourselves. */
  private async waitForChat(job: SendJob): Promise<ConversationRef | undefined> {
    const deadline = this.context.now().getTime() + this.context.installWaitMs;
    for (;;) {
      const stored = await this.context.references.find(job.tenantId, personalKey(job.recipientId));
      if (stored?.state === 'active') return toConversationRef(stored);
      if (this.context.now().getTime() >= deadline) break;
      await this.context.sleep(Math.min(500, Math.max(50, this.context.installWaitMs / 10)));
    }
    // The update may have been lost; with the app installed, Teams now lets the bot open the chat.
    return this.openChat(job);
  }

  /** Unreachable by Teams: e-mail from the mailbox when there is one and an address is known, else skipped with the reason. */
  private async mailTarget(job: SendJob, reason: string): Promise<SendTarget> {
    const mail = this.context.reach?.mail;
    if (!mail) return { skip: 'unreachable_by_teams', error: `${reason}; no mailbox configured` };
    const to = await this.context.reach?.addressOf(job.tenantId, job.recipientId);
    if (!to) return { skip: 'unreachable_by_teams', error: `${reason}; no e-mail address known` };
    const feed = job.digest ? this.context.renderer.digestFeed({ cadence: job.digest.cadence, count: job.notifications.length, prefs: job.prefs }) : this.context.renderer.feed(job.notifications[0] as NotificationRecord, job.prefs);
    const text = `${feed.previewText}\n\n${feed.topic.webUrl}\n`;
    return {
      lanes: [{ kind: 'mailbox', mailbox: mail.mailbox }, { kind: 'tenant', tenantId: job.tenantId }],
      via: 'mail',
      send: async () => {
        await mail.send(job.tenantId, { to, subject: feed.topic.title, text });
        return {};
      },
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

/** Which service a send went through: the activity feed and sendMail are Graph's, everything else the Bot connector. */
function channelOf(lanes: Lane[]): 'bot-connector' | 'activity-feed' | 'mail' {
  if (lanes.some((l) => l.kind === 'mailbox')) return 'mail';
  return lanes.some((l) => l.kind === 'activityFeed') ? 'activity-feed' : 'bot-connector';
}
