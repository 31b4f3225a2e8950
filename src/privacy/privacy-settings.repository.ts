/** Storage of the per-tenant privacy settings; the only module that touches `PrivacySettingsModel`. */
import { upsertRetryingRace } from '../db/mongo-errors.js';
import { PrivacySettingsModel, type PrivacySettingsRecord } from './privacy-settings.model.js';
import type { RetentionKind } from '../personal-data/retention-kinds.js';

/** What an admin chose; an absent field means "the default". */
export interface PrivacyChoices {
  retentionDays: Partial<Record<RetentionKind, number>>;
  leaverGraceDays?: number;
  erasureKeepText?: boolean;
}

export class PrivacySettingsRepository {
  async find(tenantId: string): Promise<PrivacySettingsRecord | null> {
    return PrivacySettingsModel.findOne({ tenantId }).lean<PrivacySettingsRecord>();
  }

  /** Replaces the tenant's choices as a whole (PUT): what is not chosen goes back to the default. */
  async replace(tenantId: string, choices: PrivacyChoices, updatedBy: string, at: Date): Promise<void> {
    const set: Record<string, unknown> = { retentionDays: choices.retentionDays, updatedBy, updatedAt: at };
    const unset: Record<string, ''> = {};
    if (choices.leaverGraceDays === undefined) unset.leaverGraceDays = '';
    else set.leaverGraceDays = choices.leaverGraceDays;
    if (choices.erasureKeepText === undefined) unset.erasureKeepText = '';
    else set.erasureKeepText = choices.erasureKeepText;
    // Two first saves at once: one insert wins the unique key, the other becomes an update.
    await upsertRetryingRace(() =>
      PrivacySettingsModel.updateOne(
        { tenantId },
        { $set: set, ...(Object.keys(unset).length > 0 ? { $unset: unset } : {}), $setOnInsert: { tenantId, createdAt: at } },
        { upsert: true, timestamps: false },
      ),
    );
  }

  /** Tenants that have chosen settings (the retention job visits these besides the ones it is given). */
  async tenants(): Promise<string[]> {
    return (await PrivacySettingsModel.distinct('tenantId')).map(String);
  }
}
