/**
 * The ports notification delivery talks to, owned here and implemented at the edges: the
 * `Messenger` sends an activity into a stored conversation (the bot's implementation uses
 * `botbuilder`'s CloudAdapter, bot/bot-messenger.ts), the `ActivityFeed` posts a Teams
 * activity-feed notification (Microsoft Graph, src/notifications/activity-feed-gateway.ts), and the
 * `NotificationRenderer` turns notifications into messages (cards, bot/notification-cards.ts).
 * Failures come back as `DeliveryError`s that say what happened in Teams' terms, so the
 * worker decides retry, skip or dead-letter without knowing any wire format.
 */
import type { NotificationRecord } from './notification.model.js';
import type { EffectivePreferences } from './notification-preferences.js';

/** A stored conversation reference, as the Bot Framework defines it. */
export interface ConversationRef {
  channelId: string;
  serviceUrl: string;
  conversation: { id: string; conversationType?: string; isGroup?: boolean; tenantId?: string; name?: string };
  bot: { id: string; name?: string };
  user?: { id: string; name?: string; aadObjectId?: string };
}

/** What to send: text and/or attachments (Adaptive Cards), as a message activity carries them. */
export interface OutgoingMessage {
  text?: string;
  /** Shown in the notification toast and chat list when the message is a card. */
  summary?: string;
  attachments?: { contentType: string; content: unknown }[];
  /** How several attachments are shown: one under the other (default) or side by side. */
  attachmentLayout?: 'list' | 'carousel';
}

export interface Messenger {
  /** Sends into the conversation; answers the activity id the channel gave it. */
  sendToConversation(ref: ConversationRef, message: OutgoingMessage): Promise<{ activityId?: string }>;
  /** Opens (or finds) the 1:1 chat of the bot with a person, from any reference in their tenant. */
  createPersonalConversation(via: ConversationRef, person: { userId: string; tenantId: string }): Promise<ConversationRef>;
}

/** A Teams activity-feed notification (https://learn.microsoft.com/en-us/graph/api/userteamwork-sendactivitynotification). */
export interface ActivityFeedNotification {
  /** Declared in the manifest's `activities.activityTypes`. */
  activityType: string;
  /** The first 150 characters are shown. */
  previewText: string;
  topic: { title: string; webUrl: string };
  templateParameters: { name: string; value: string }[];
}

export interface ActivityFeed {
  notify(tenantId: string, userId: string, notification: ActivityFeedNotification): Promise<void>;
}

/** Digest contents: one section per community. */
export interface DigestSection {
  communityId: string | null;
  communityName: string;
  items: NotificationRecord[];
}

export interface NotificationRenderer {
  message(notification: NotificationRecord, prefs: EffectivePreferences): OutgoingMessage;
  /** A channel post (an `eventAnnounced` notification). */
  channelPost(notification: NotificationRecord): OutgoingMessage;
  digest(input: { cadence: 'daily' | 'weekly'; sections: DigestSection[]; prefs: EffectivePreferences }): OutgoingMessage;
  feed(notification: NotificationRecord, prefs: EffectivePreferences): ActivityFeedNotification;
  digestFeed(input: { cadence: 'daily' | 'weekly'; count: number; prefs: EffectivePreferences }): ActivityFeedNotification;
}

export type DeliveryFailure =
  /** 429: try again after `retryAfterMs`. */
  | 'throttled'
  /** 403: the person blocked the bot, or the app is not allowed there. */
  | 'blocked'
  /** 404: the conversation (or the app installation) is gone. */
  | 'gone'
  /** 5xx, 412, a network error: try again later. */
  | 'transient'
  /** 400, 401, 413: sending again will not help. */
  | 'permanent';

export class DeliveryError extends Error {
  constructor(
    readonly failure: DeliveryFailure,
    message: string,
    readonly status?: number,
    readonly retryAfterMs?: number,
    readonly code?: string,
  ) {
    super(message);
    this.name = 'DeliveryError';
  }
}

/** Maps an HTTP status (and Retry-After) to a DeliveryError; shared by the Bot and Graph implementations. */
export function deliveryErrorFor(status: number | undefined, message: string, retryAfterHeader?: string | null, code?: string): DeliveryError {
  const retryAfterMs = parseRetryAfter(retryAfterHeader);
  if (status === 429) return new DeliveryError('throttled', message, status, retryAfterMs, code);
  if (status === 403) return new DeliveryError('blocked', message, status, undefined, code);
  if (status === 404) return new DeliveryError('gone', message, status, undefined, code);
  // https://learn.microsoft.com/en-us/microsoftteams/platform/bots/how-to/rate-limit: 412, 502 and 504 are retried too.
  if (status === undefined || status === 0 || status === 408 || status === 412 || status >= 500) return new DeliveryError('transient', message, status, retryAfterMs, code);
  return new DeliveryError('permanent', message, status, undefined, code);
}

/** Retry-After as seconds or an HTTP date, in milliseconds; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | null | undefined, now: number = Date.now()): number | undefined {
  if (value === null || value === undefined || value.trim() === '') return undefined;
  const trimmed = value.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}
