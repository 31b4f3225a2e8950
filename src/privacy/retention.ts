/**
 * Retention: the registry of rules (one per kind of data, handed in by the capability that
 * owns the data) and the worker job that applies the organisation's periods to them. A pass
 * visits every tenant and every rule, deleting in batches of `batchSize`; it stops after
 * `maxBatchesPerPass` batches and says more is waiting, so one pass holds the lease for a
 * bounded time and the next starts at once. Passes run under a lease: one instance at a time.
 */
import type { Logger } from 'pino';
import { clockOf, type Clock } from '../time/clock.js';
import { idleJob, startPeriodicJob, type PeriodicJob } from '../worker/scheduler.js';
import type { PrivacySettingsReader } from './privacy-settings.service.js';
import type { RetentionKind } from '../personal-data/retention-kinds.js';
import type { RetentionRule } from '../personal-data/retention.port.js';

export type { RetentionRule };

const DAY_MS = 86_400_000;

export class RetentionRegistry {
  private readonly registered: RetentionRule[] = [];

  register(rule: RetentionRule): this {
    this.registered.push(rule);
    return this;
  }

  rules(): readonly RetentionRule[] {
    return this.registered;
  }
}

export interface RetentionPassDeps {
  registry: RetentionRegistry;
  settings: PrivacySettingsReader;
  /** The tenants whose data to visit. */
  tenants: () => Promise<string[]>;
  logger: Pick<Logger, 'info' | 'error'>;
  now?: Clock;
  /** Items per purge call (default 500). */
  batchSize?: number;
  /** Purge calls per pass before it yields (default 20). */
  maxBatchesPerPass?: number;
}

export interface RetentionPassResult {
  purged: Partial<Record<RetentionKind, number>>;
  batches: number;
  /** The pass stopped at its bound with work left. */
  more: boolean;
}

export async function runRetentionPass(deps: RetentionPassDeps): Promise<RetentionPassResult> {
  const now = clockOf(deps)();
  const batchSize = deps.batchSize ?? 500;
  const maxBatches = deps.maxBatchesPerPass ?? 20;
  const result: RetentionPassResult = { purged: {}, batches: 0, more: false };
  for (const tenantId of await deps.tenants()) {
    const settings = await deps.settings.effective(tenantId);
    for (const rule of deps.registry.rules()) {
      const days = settings.retentionDays[rule.kind];
      // 0: the organisation keeps this kind (only a configured default can be 0).
      if (!(days > 0)) continue;
      const before = new Date(now.getTime() - days * DAY_MS);
      for (;;) {
        if (result.batches >= maxBatches) {
          result.more = true;
          return result;
        }
        const removed = await rule.purge(tenantId, before, batchSize);
        result.batches++;
        result.purged[rule.kind] = (result.purged[rule.kind] ?? 0) + removed;
        if (removed < batchSize) break;
      }
    }
  }
  return result;
}

/** The retention pass every `everyMs` (default an hour), one instance at a time. */
export function startRetentionJob(deps: RetentionPassDeps & { everyMs?: number }): PeriodicJob {
  if (deps.registry.rules().length === 0) return idleJob();
  return startPeriodicJob({
    everyMs: deps.everyMs ?? 3_600_000,
    lease: { key: 'privacy:retention', ms: 15 * 60_000 },
    logger: deps.logger,
    failureMessage: 'retention pass failed; continuing',
    run: async () => {
      const pass = await runRetentionPass(deps);
      if (Object.values(pass.purged).some((n) => n > 0)) deps.logger.info({ purged: pass.purged, batches: pass.batches }, 'data past its retention removed');
      return pass.more;
    },
  });
}
