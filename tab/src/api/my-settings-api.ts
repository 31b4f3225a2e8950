/**
 * My notification settings (`GET|PATCH /me/notification-preferences`, unmute with `DELETE
 * /me/notification-mutes/{target}/{id}`: the same service and rules as the bot's settings
 * card) and my private calendar feed (`GET|POST|DELETE /me/calendar-feed`).
 */
import type { ApiClient } from './api-client.js';

export const CADENCES = ['immediately', 'daily', 'weekly', 'off'] as const;
export type Cadence = (typeof CADENCES)[number];

export interface Mute {
  target: 'community' | 'discussion';
  targetId: string;
  title: string | undefined;
}

export interface NotificationSettings {
  kinds: Record<string, Cadence>;
  /** Headings the kinds are listed under (the bot's groups), in the server's order. */
  groups: Array<{ group: string; kinds: string[] }>;
  channel: 'chat' | 'activityFeed';
  digestHour: number;
  mutes: Mute[];
}

type Raw = Record<string, unknown>;
const record = (v: unknown): Raw => (typeof v === 'object' && v !== null ? (v as Raw) : {});
const isCadence = (v: unknown): v is Cadence => typeof v === 'string' && (CADENCES as readonly string[]).includes(v);

function readSettings(body: unknown): NotificationSettings {
  const b = record(body);
  const kinds = Object.fromEntries(Object.entries(record(b.kinds)).filter((entry): entry is [string, Cadence] => isCadence(entry[1])));
  const groups = Object.entries(record(b.groups)).map(([group, list]) => ({ group, kinds: Array.isArray(list) ? list.filter((k): k is string => typeof k === 'string' && k in kinds) : [] }));
  const mutes = (Array.isArray(b.mutes) ? b.mutes : []).map((m): Mute => {
    const r = record(m);
    return { target: r.target === 'discussion' ? 'discussion' : 'community', targetId: typeof r.targetId === 'string' ? r.targetId : '', title: typeof r.title === 'string' ? r.title : undefined };
  });
  return { kinds, groups, channel: b.channel === 'activityFeed' ? 'activityFeed' : 'chat', digestHour: typeof b.digestHour === 'number' ? b.digestHour : 8, mutes };
}

export async function getNotificationSettings(api: ApiClient, signal?: AbortSignal): Promise<NotificationSettings> {
  return readSettings(await api.get<unknown>('/me/notification-preferences', { signal }));
}

export async function updateNotificationSettings(api: ApiClient, changes: { kinds?: Record<string, Cadence>; channel?: 'chat' | 'activityFeed'; digestHour?: number | string }): Promise<NotificationSettings> {
  return readSettings(await api.patch<unknown>('/me/notification-preferences', changes));
}

export function unmute(api: ApiClient, mute: Mute): Promise<void> {
  return api.delete(`/me/notification-mutes/${encodeURIComponent(mute.target)}/${encodeURIComponent(mute.targetId)}`);
}

export interface CalendarFeedState {
  active: boolean;
  createdAt: string | null;
  lastUsedAt: string | null;
}

export async function getCalendarFeed(api: ApiClient, signal?: AbortSignal): Promise<CalendarFeedState> {
  const b = record(await api.get<unknown>('/me/calendar-feed', { signal }));
  return { active: b.active === true, createdAt: typeof b.createdAt === 'string' ? b.createdAt : null, lastUsedAt: typeof b.lastUsedAt === 'string' ? b.lastUsedAt : null };
}

/** A new (or replacing) feed URL: the only time it is shown. */
export async function createCalendarFeed(api: ApiClient): Promise<{ url: string; createdAt: string }> {
  const b = record(await api.post<unknown>('/me/calendar-feed'));
  return { url: typeof b.url === 'string' ? b.url : '', createdAt: typeof b.createdAt === 'string' ? b.createdAt : '' };
}

export function revokeCalendarFeed(api: ApiClient): Promise<void> {
  return api.delete('/me/calendar-feed');
}
