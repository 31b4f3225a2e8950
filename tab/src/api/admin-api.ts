/**
 * The organisation admin area's calls: the audit log (`GET /audit`, `/audit.csv`), failed
 * notifications (`GET /admin/notifications/failed`, `POST /admin/notifications/{id}/retry`)
 * and the tenant's community settings (`GET|PATCH /settings/communities`).
 */
import type { ApiClient, DownloadedFile } from './api-client.js';
import type { Page, PageOptions } from './page.js';

type Raw = Record<string, unknown>;
const record = (v: unknown): Raw => (typeof v === 'object' && v !== null ? (v as Raw) : {});
const text = (v: unknown): string => (typeof v === 'string' ? v : '');
const optional = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

function pageOf<T>(answer: unknown, read: (v: unknown) => T): Page<T> {
  const b = record(answer);
  const next = optional(b.nextCursor);
  return { items: Array.isArray(b.items) ? b.items.map(read) : [], ...(next ? { nextCursor: next } : {}) };
}

export interface AuditEntry {
  id: string;
  kind: string;
  actorId: string | undefined;
  subjectId: string | undefined;
  reason: string | undefined;
  path: string | undefined;
  details: Record<string, unknown> | undefined;
  count: number;
  at: string;
}

/** What the audit log is filtered by; `from` and `to` are ISO instants, `kind` a kind or a group of kinds. */
export interface AuditFilter {
  kind?: string;
  person?: string;
  from?: string;
  to?: string;
}

function readAuditEntry(v: unknown): AuditEntry {
  const e = record(v);
  return {
    id: text(e.id),
    kind: text(e.kind),
    actorId: optional(e.actorId),
    subjectId: optional(e.subjectId),
    reason: optional(e.reason),
    path: optional(e.path),
    details: typeof e.details === 'object' && e.details !== null ? (e.details as Record<string, unknown>) : undefined,
    count: typeof e.count === 'number' ? e.count : 1,
    at: text(e.at),
  };
}

const filterQuery = (f: AuditFilter) => ({ kind: f.kind || undefined, person: f.person || undefined, from: f.from || undefined, to: f.to || undefined });

export async function listAuditEntries(api: ApiClient, filter: AuditFilter, options: PageOptions = {}): Promise<Page<AuditEntry>> {
  const answer = await api.get<unknown>('/audit', { query: { ...filterQuery(filter), cursor: options.cursor, limit: options.limit }, signal: options.signal });
  return pageOf(answer, readAuditEntry);
}

export function downloadAuditLog(api: ApiClient, filter: AuditFilter): Promise<DownloadedFile> {
  return api.file('/audit.csv', { query: filterQuery(filter) });
}

export interface FailedNotification {
  id: string;
  recipientId: string;
  kind: string;
  subject: { type: string; id: string };
  attempts: number;
  lastError: string | null;
  failedAt: string;
}

function readFailed(v: unknown): FailedNotification {
  const f = record(v);
  const subject = record(f.subject);
  return {
    id: text(f.id),
    recipientId: text(f.recipientId),
    kind: text(f.kind),
    subject: { type: text(subject.type), id: text(subject.id) },
    attempts: typeof f.attempts === 'number' ? f.attempts : 0,
    lastError: optional(f.lastError) ?? null,
    failedAt: text(f.failedAt),
  };
}

export async function listFailedNotifications(api: ApiClient, options: PageOptions = {}): Promise<Page<FailedNotification>> {
  const answer = await api.get<unknown>('/admin/notifications/failed', { query: { cursor: options.cursor, limit: options.limit }, signal: options.signal });
  return pageOf(answer, readFailed);
}

export async function retryFailedNotification(api: ApiClient, id: string): Promise<FailedNotification> {
  return readFailed(await api.post<unknown>(`/admin/notifications/${encodeURIComponent(id)}/retry`));
}

export const COMMUNITY_CREATION = ['members', 'admins'] as const;
export type CommunityCreation = (typeof COMMUNITY_CREATION)[number];

export interface CommunitySettings {
  communityCreation: CommunityCreation;
  autoHideThreshold: number;
}

function readSettings(v: unknown): CommunitySettings {
  const s = record(v);
  return { communityCreation: s.communityCreation === 'admins' ? 'admins' : 'members', autoHideThreshold: typeof s.autoHideThreshold === 'number' ? s.autoHideThreshold : 0 };
}

export async function getCommunitySettings(api: ApiClient, signal?: AbortSignal): Promise<CommunitySettings> {
  return readSettings(await api.get<unknown>('/settings/communities', { signal }));
}

/** `autoHideThreshold` goes as typed (a number, or the text when it is not one) so the server judges it and names the field. */
export async function updateCommunitySettings(api: ApiClient, changes: { communityCreation: CommunityCreation; autoHideThreshold: number | string }): Promise<CommunitySettings> {
  return readSettings(await api.patch<unknown>('/settings/communities', changes));
}
