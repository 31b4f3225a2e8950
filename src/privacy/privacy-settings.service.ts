/**
 * The organisation's privacy settings: retention per kind of data, the grace period before
 * people who left are erased, and whether an erased person's texts stay. Organisation admins
 * read and replace them (audited); the retention job, the leavers job and erasure read the
 * effective values (choices over defaults) through `effective(tenantId)`.
 */
import { z } from 'zod';
import type { Actor } from '../auth/actor.js';
import { definePolicy, orgAdmin } from '../auth/authorize.js';
import type { AuditSink } from '../audit/audit.port.js';
import { clockOf, type Clock } from '../time/clock.js';
import { PrivacySettingsRepository, type PrivacyChoices } from './privacy-settings.repository.js';
import { LEAVER_GRACE, RETENTION_KIND_NAMES, RETENTION_KINDS, type RetentionKind } from '../personal-data/retention-kinds.js';

export interface EffectivePrivacySettings {
  /** Days per kind; 0 means "kept" (only NOTIFY_RETENTION_DAYS=0 can make a default 0). */
  retentionDays: Record<RetentionKind, number>;
  leaverGraceDays: number;
  erasureKeepText: boolean;
}

export interface PrivacySettingsView extends EffectivePrivacySettings {
  defaults: EffectivePrivacySettings;
  bounds: { retentionDays: Record<RetentionKind, { min: number; max: number }>; leaverGraceDays: { min: number; max: number } };
  updatedAt?: string;
  updatedBy?: string;
}

/** What the erasure and the jobs need: the effective settings of a tenant. */
export interface PrivacySettingsReader {
  effective(tenantId: string): Promise<EffectivePrivacySettings>;
}

export const privacySettingsPolicy = definePolicy<'privacy.settings.read' | 'privacy.settings.update'>({
  'privacy.settings.read': { allow: orgAdmin, message: 'Only organisation admins may see the privacy settings.' },
  'privacy.settings.update': { allow: orgAdmin, message: 'Only organisation admins may change the privacy settings.' },
});

const days = (min: number, max: number) => z.number().int({ error: 'must be a whole number of days' }).min(min, { error: `must be at least ${min} days` }).max(max, { error: `must be at most ${max} days` });

/** PUT body: the whole set of choices; a field left out goes back to its default. */
export const privacySettingsBodySchema = z.strictObject({
  retentionDays: z
    .strictObject(Object.fromEntries(RETENTION_KIND_NAMES.map((kind) => [kind, days(RETENTION_KINDS[kind].minDays, RETENTION_KINDS[kind].maxDays).optional()])) as Record<RetentionKind, z.ZodOptional<z.ZodNumber>>)
    .optional(),
  leaverGraceDays: days(LEAVER_GRACE.minDays, LEAVER_GRACE.maxDays).optional(),
  erasureKeepText: z.boolean().optional(),
});
export type PrivacySettingsBody = z.infer<typeof privacySettingsBodySchema>;

export class PrivacySettingsService implements PrivacySettingsReader {
  private readonly repository: PrivacySettingsRepository;
  private readonly audit: AuditSink;
  private readonly now: Clock;
  private readonly defaults: EffectivePrivacySettings;

  /** `defaultDays` overrides a kind's default (NOTIFY_RETENTION_DAYS for notification deliveries). */
  constructor(deps: { audit: AuditSink; repository?: PrivacySettingsRepository; now?: Clock; defaultDays?: Partial<Record<RetentionKind, number>> }) {
    this.repository = deps.repository ?? new PrivacySettingsRepository();
    this.audit = deps.audit;
    this.now = clockOf(deps);
    const retentionDays = Object.fromEntries(RETENTION_KIND_NAMES.map((kind) => [kind, deps.defaultDays?.[kind] ?? RETENTION_KINDS[kind].defaultDays])) as Record<RetentionKind, number>;
    this.defaults = { retentionDays, leaverGraceDays: LEAVER_GRACE.defaultDays, erasureKeepText: true };
  }

  async effective(tenantId: string): Promise<EffectivePrivacySettings> {
    return (await this.view(tenantId)).effective;
  }

  async get(actor: Actor): Promise<PrivacySettingsView> {
    privacySettingsPolicy.authorize(actor, 'privacy.settings.read', {});
    return this.toView(await this.view(actor.tenantId));
  }

  async replace(actor: Actor, body: PrivacySettingsBody): Promise<PrivacySettingsView> {
    privacySettingsPolicy.authorize(actor, 'privacy.settings.update', {});
    const choices: PrivacyChoices = {
      retentionDays: Object.fromEntries(Object.entries(body.retentionDays ?? {}).filter(([, v]) => v !== undefined)) as Partial<Record<RetentionKind, number>>,
      ...(body.leaverGraceDays !== undefined ? { leaverGraceDays: body.leaverGraceDays } : {}),
      ...(body.erasureKeepText !== undefined ? { erasureKeepText: body.erasureKeepText } : {}),
    };
    await this.repository.replace(actor.tenantId, choices, actor.userId, this.now());
    const after = await this.view(actor.tenantId);
    const details: Record<string, number | boolean> = { leaverGraceDays: after.effective.leaverGraceDays, erasureKeepText: after.effective.erasureKeepText };
    for (const kind of RETENTION_KIND_NAMES) details[`${kind}Days`] = after.effective.retentionDays[kind];
    await this.audit.record({ tenantId: actor.tenantId, kind: 'privacy.settings_changed', actorId: actor.userId, details });
    return this.toView(after);
  }

  private async view(tenantId: string): Promise<{ effective: EffectivePrivacySettings; updatedAt?: Date; updatedBy?: string }> {
    const stored = await this.repository.find(tenantId);
    const chosen = (stored?.retentionDays ?? {}) as Partial<Record<RetentionKind, number | null>>;
    const retentionDays = Object.fromEntries(RETENTION_KIND_NAMES.map((kind) => [kind, chosen[kind] ?? this.defaults.retentionDays[kind]])) as Record<RetentionKind, number>;
    return {
      effective: {
        retentionDays,
        leaverGraceDays: stored?.leaverGraceDays ?? this.defaults.leaverGraceDays,
        erasureKeepText: stored?.erasureKeepText ?? this.defaults.erasureKeepText,
      },
      ...(stored?.updatedAt ? { updatedAt: stored.updatedAt } : {}),
      ...(stored?.updatedBy ? { updatedBy: stored.updatedBy } : {}),
    };
  }

  private toView(v: { effective: EffectivePrivacySettings; updatedAt?: Date; updatedBy?: string }): PrivacySettingsView {
    return {
      ...v.effective,
      defaults: this.defaults,
      bounds: {
        retentionDays: Object.fromEntries(RETENTION_KIND_NAMES.map((kind) => [kind, { min: RETENTION_KINDS[kind].minDays, max: RETENTION_KINDS[kind].maxDays }])) as Record<RetentionKind, { min: number; max: number }>,
        leaverGraceDays: { min: LEAVER_GRACE.minDays, max: LEAVER_GRACE.maxDays },
      },
      ...(v.updatedAt ? { updatedAt: v.updatedAt.toISOString() } : {}),
      ...(v.updatedBy ? { updatedBy: v.updatedBy } : {}),
    };
  }
}
