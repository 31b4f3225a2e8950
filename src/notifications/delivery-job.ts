/**
 * What the parts of notification delivery share: a send (`SendJob`) and the claim it goes
 * out under, the lot being worked on, a pass's counts, and the context every part is built
 * with (notification-delivery.ts builds it once from the deps).
 */
import type mongoose from 'mongoose';
import type { Logger } from 'pino';
import type { ConversationReferenceRecord } from './conversation-reference.model.js';
import type { ConversationReferences } from './conversation-references.js';
import type { DeliveryRecord } from './delivery.model.js';
import type { ActivityFeed, Messenger, NotificationRenderer } from './messenger.js';
import type { NotificationRecord } from './notification.model.js';
import type { EffectivePreferences, NotificationPreferences } from './notification-preferences.js';
import type { RateGovernor } from './rate-governor.js';
import type { TeamsReach } from './teams-reach.js';

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

export function emptyStats(): DeliveryStats {
  return { routed: 0, held: 0, skipped: 0, sent: 0, failed: 0, retries: 0, released: 0, digests: 0, lots: 0, inDoubt: 0 };
}

export type Route = 'chat' | 'activityFeed' | 'channel';

/**
 * Where a worker's time goes, as reported to a `DeliveryObserver` (milliseconds; concurrent
 * sends each report their own):
 * - `takingLots`: claiming lots, reading and routing them (the store);
 * - `waitingForLots`: sends waiting for a lot to be taken (nothing queued): the store holding back the sends;
 * - `governor`: waiting for the rate governor: the budget holding back the sends;
 * - `channel`: the channel's answer (HTTP);
 * - `records`: writing delivery records;
 * - `marking`: marking notifications and finishing lots.
 */
export type DeliveryPhase = 'takingLots' | 'waitingForLots' | 'governor' | 'channel' | 'records' | 'marking';

/** Hooks for benchmarks and profiling, given from outside; delivery keeps no counters of its own. */
export interface DeliveryObserver {
  spent(phase: DeliveryPhase, ms: number): void;
}

/** What every part of delivery is built with (resolved from `NotificationDeliveryDeps`). */
export interface DeliveryContext {
  renderer: NotificationRenderer;
  messenger?: Messenger;
  activityFeed?: ActivityFeed;
  governor: RateGovernor;
  preferences: NotificationPreferences;
  references: ConversationReferences;
  communities: CommunityLookup;
  logger: Pick<Logger, 'info' | 'warn' | 'error' | 'debug'>;
  now: () => Date;
  sleep: (ms: number) => Promise<void>;
  random: () => number;
  owner: string;
  batchSize: number;
  passMs: number;
  concurrency: number;
  lookahead: number;
  leaseMs: number;
  maxAttempts: number;
  baseBackoffMs: number;
  maxBackoffMs: number;
  outageBackoffMs: number;
  giveUpAfterMs: number;
  maxInlineWaitMs: number;
  bulkReferencesFrom: number;
  adoptEveryMs: number;
  observer?: DeliveryObserver;
  /** Installing the app for people without a chat, and e-mail for those Teams refuses (issue 14). */
  reach?: TeamsReach;
  /** How long a send waits for the bot's installation update after installing the app. */
  installWaitMs: number;
}

/** Runs `work` and tells the observer, if any, how long it took. */
export async function timed<T>(context: Pick<DeliveryContext, 'observer'>, phase: DeliveryPhase, work: () => Promise<T>): Promise<T> {
  const observer = context.observer;
  if (!observer) return work();
  const started = Date.now();
  try {
    return await work();
  } finally {
    observer.spent(phase, Date.now() - started);
  }
}

/** A send is not started this close to the end of its claim's lease (a lot's is renewed first). */
export const LEASE_MARGIN_MS = 15_000;

export interface Outcome {
  activityId?: string;
  conversationId?: string;
  reason?: string;
  error?: string;
  /** Failed: the attempts made (also written on the notification). */
  attempts?: number;
  /** The attempt that settled it (for the delivery record). */
  tries?: number;
  /** Sent by e-mail instead of Teams (the person is unreachable by Teams). */
  via?: 'mail';
}

export type FinalState = 'sent' | 'skipped' | 'failed';

/** How a send's claim behaves: a lot's lease or a digest's delivery record. */
export interface Claim {
  /** Whether a send may start now (renewing the lease when it is about to run out). */
  usable(): Promise<boolean>;
  finish(job: SendJob, state: FinalState, outcome: Outcome): Promise<void>;
  /** Gives the send back for a later pass (after a long Retry-After), keeping count of attempts. */
  release(job: SendJob, attempts: number, notBefore: Date, error: string): Promise<void>;
}

export interface SendJob {
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
export interface LotRun {
  id: mongoose.Types.ObjectId;
  leaseUntil: Date;
  renewing?: Promise<boolean> | undefined;
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

/** What a worker needs of its own digest claim. */
export type ClaimedRecord = Pick<DeliveryRecord, '_id' | 'key' | 'notificationIds' | 'leaseUntil'>;

export function groupBy<T>(items: T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const list = groups.get(k);
    if (list) list.push(item);
    else groups.set(k, [item]);
  }
  return groups;
}

/** What delivery needs to know about communities; the communities capability answers (src/communities/community-lookup.ts). */
export interface CommunityLookup {
  names(tenantId: string, communityIds: string[]): Promise<Map<string, string>>;
  channelOf(tenantId: string, communityId: string): Promise<{ teamId: string; channelId: string } | null>;
}
