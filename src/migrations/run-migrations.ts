/**
 * Runs the migrations that have not run yet, at start-up, before the process serves or works:
 * under the `migrations` lease, so that of several instances starting together exactly one
 * migrates while the others wait for it (and then find nothing left to do). A migration that
 * fails stops the start (the process exits and App Service restarts it; the migration is run
 * again, which is why each must be idempotent). A holder that died leaves the lease to expire.
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { isDuplicateKeyError } from '../db/mongo-errors.js';
import { releaseLease, takeLease } from '../db/lease.js';
import { MigrationModel } from './migration.model.js';
import { MIGRATIONS, type Migration } from './migrations.js';

export const MIGRATIONS_LEASE_KEY = 'migrations';

export interface MigrationRunOptions {
  logger: Pick<Logger, 'info' | 'warn'>;
  /** Default: MIGRATIONS (tests hand in their own). */
  migrations?: readonly Migration[];
  /** How long one migration may take before another instance may take over (default 10 min). */
  leaseMs?: number;
  /** Between looks at a lease another instance holds (default 1 s). */
  pollMs?: number;
  /** Give up waiting for another instance after this long (default 30 min). */
  maxWaitMs?: number;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

export interface MigrationRun {
  /** Ids this process applied (empty when everything was applied before, or by another instance). */
  applied: string[];
}

export async function runMigrations(options: MigrationRunOptions): Promise<MigrationRun> {
  const migrations = options.migrations ?? MIGRATIONS;
  assertUniqueIds(migrations);
  const leaseMs = options.leaseMs ?? 10 * 60_000;
  const pollMs = options.pollMs ?? 1000;
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const owner = `migrations:${randomUUID()}`;
  const giveUpAt = now() + (options.maxWaitMs ?? 30 * 60_000);
  let waited = false;

  for (;;) {
    // Nothing pending: no lease needed (the usual start of every instance after the first).
    if ((await pending(migrations)).length === 0) return { applied: [] };
    const lease = await takeLease(MIGRATIONS_LEASE_KEY, owner, leaseMs, now);
    if (lease) {
      try {
        return { applied: await applyPending(migrations, options.logger, leaseMs, now) };
      } finally {
        await releaseLease(lease);
      }
    }
    if (!waited) options.logger.info('another instance is migrating stored documents; waiting for it');
    waited = true;
    if (now() > giveUpAt) throw new Error('Gave up waiting for another instance to finish migrating stored documents');
    await sleep(pollMs);
  }
}

async function pending(migrations: readonly Migration[]): Promise<Migration[]> {
  const applied = new Set((await MigrationModel.find({}, { _id: 1 }).lean()).map((m) => m._id));
  return migrations.filter((m) => !applied.has(m.id));
}

async function applyPending(migrations: readonly Migration[], logger: MigrationRunOptions['logger'], leaseMs: number, now: () => number): Promise<string[]> {
  const applied: string[] = [];
  // Read again under the lease: the previous holder may have finished between our look and our lease.
  for (const migration of await pending(migrations)) {
    const started = now();
    const changed = await migration.up();
    const durationMs = now() - started;
    try {
      await MigrationModel.create({ _id: migration.id, appliedAt: new Date(now()), changed, durationMs });
    } catch (error) {
      // A holder whose lease ran out under a long migration recorded it too: it ran twice, harmlessly (idempotent).
      if (!isDuplicateKeyError(error)) throw error;
      logger.warn({ migration: migration.id }, 'migration was recorded by another instance as well');
    }
    logger.info({ migration: migration.id, changed, durationMs }, 'migrated stored documents');
    applied.push(migration.id);
    if (durationMs > leaseMs) logger.warn({ migration: migration.id, durationMs, leaseMs }, 'a migration took longer than its lease');
  }
  return applied;
}

function assertUniqueIds(migrations: readonly Migration[]): void {
  const ids = new Set<string>();
  for (const m of migrations) {
    if (ids.has(m.id)) throw new Error(`Two migrations have the id ${m.id}`);
    ids.add(m.id);
  }
}
