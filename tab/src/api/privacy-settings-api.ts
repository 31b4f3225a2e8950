/** `GET|PUT /api/v1/admin/privacy-settings`: the organisation's retention periods and erasure rules (organisation admins). */
import { RETENTION_KIND_NAMES, type RetentionKind } from '../../../src/personal-data/retention-kinds.js';
import type { ApiClient } from './api-client.js';
import { ApiProblem } from './api-problem.js';

export interface Bounds {
  min: number;
  max: number;
}

export interface PrivacyChoices {
  retentionDays: Record<RetentionKind, number>;
  leaverGraceDays: number;
  erasureKeepText: boolean;
}

export interface PrivacySettings extends PrivacyChoices {
  defaults: PrivacyChoices;
  bounds: { retentionDays: Record<RetentionKind, Bounds>; leaverGraceDays: Bounds };
}

/** What the form sends: a setting left out goes back to its default; a number the server refuses comes back as a field error. */
export interface PrivacySettingsInput {
  retentionDays: Partial<Record<RetentionKind, number>>;
  leaverGraceDays?: number;
  erasureKeepText: boolean;
}

const record = (v: unknown): Record<string, unknown> => (typeof v === 'object' && v !== null ? (v as Record<string, unknown>) : {});
const int = (v: unknown): number => {
  if (typeof v !== 'number') throw new ApiProblem({ status: 200, code: 'invalid_response', detail: 'privacy settings answered without a number' });
  return v;
};
const bounds = (v: unknown): Bounds => ({ min: int(record(v).min), max: int(record(v).max) });
const perKind = <T>(v: unknown, read: (item: unknown) => T): Record<RetentionKind, T> =>
  Object.fromEntries(RETENTION_KIND_NAMES.map((kind) => [kind, read(record(v)[kind])])) as Record<RetentionKind, T>;

function readChoices(v: unknown): PrivacyChoices {
  const b = record(v);
  return { retentionDays: perKind(b.retentionDays, int), leaverGraceDays: int(b.leaverGraceDays), erasureKeepText: b.erasureKeepText !== false };
}

function readSettings(body: unknown): PrivacySettings {
  const b = record(body);
  const limits = record(b.bounds);
  return { ...readChoices(b), defaults: readChoices(b.defaults), bounds: { retentionDays: perKind(limits.retentionDays, bounds), leaverGraceDays: bounds(limits.leaverGraceDays) } };
}

export async function getPrivacySettings(api: ApiClient, signal?: AbortSignal): Promise<PrivacySettings> {
  return readSettings(await api.get<unknown>('/admin/privacy-settings', { signal }));
}

export async function replacePrivacySettings(api: ApiClient, input: PrivacySettingsInput): Promise<PrivacySettings> {
  return readSettings(await api.put<unknown>('/admin/privacy-settings', input));
}
