/**
 * People who leave the organisation: the worker reads, per tenant, what changed in Microsoft
 * 365's user list since last time (Graph's `users` delta, deltaLink kept per tenant). A person
 * Meent knows who was removed (deleted, or a guest removed from the tenant) is recorded as
 * left since now; once the organisation's grace period has passed, and Graph still does not
 * know them (a last lookup: 404), they are erased through the `PersonEraser`, audited. Someone
 * who comes back (restored from the recycle bin) within the grace period is forgotten.
 */
import type { Logger } from 'pino';
import type { AuditSink } from '../audit/audit.port.js';
import type { DirectoryChangeFeed, DirectoryGateway } from '../graph/directory-gateway.js';
import { clockOf, type Clock } from '../time/clock.js';
import { startPeriodicJob, type PeriodicJob } from '../worker/scheduler.js';
import type { DepartureRecord } from './departure.model.js';
import { DeparturesRepository } from './departures.repository.js';
import type { PrivacySettingsReader } from './privacy-settings.service.js';
import type { PersonEraser } from './privacy.port.js';

const DAY_MS = 86_400_000;

export interface LeaversDeps {
  /** The tenant's directory as the app itself; undefined where there is no Graph (local mode). */
  directory: (tenantId: string) => (DirectoryChangeFeed & Pick<DirectoryGateway, 'getUser'>) | undefined;
  /** Of these user ids, the ones Meent knows in the tenant. */
  knownPeople: (tenantId: string, userIds: readonly string[]) => Promise<string[]>;
  eraser: PersonEraser;
  settings: PrivacySettingsReader;
  audit: AuditSink;
  tenants: () => Promise<string[]>;
  logger: Pick<Logger, 'info' | 'warn' | 'error'>;
  now?: Clock;
  repository?: DeparturesRepository;
  /** Erasures per tenant per pass (default 50): a pass stays bounded, the rest follows next pass. */
  erasuresPerPass?: number;
}

export interface LeaversPassResult {
  noticed: number;
  returned: number;
  erased: number;
  failed: number;
}

export async function runLeaversPass(deps: LeaversDeps): Promise<LeaversPassResult> {
  const now = clockOf(deps)();
  const repository = deps.repository ?? new DeparturesRepository();
  const result: LeaversPassResult = { noticed: 0, returned: 0, erased: 0, failed: 0 };
  for (const tenantId of await deps.tenants()) {
    const directory = deps.directory(tenantId);
    if (!directory) continue;
    try {
      await readChanges(deps, repository, directory, tenantId, now, result);
      await eraseDue(deps, repository, directory, tenantId, now, result);
    } catch (err) {
      // One tenant's Graph refusing (consent withdrawn, throttled past the retries) must not stop the others.
      deps.logger.warn({ err, tenantId }, 'could not read who left this tenant; trying again next pass');
    }
  }
  return result;
}

async function readChanges(deps: LeaversDeps, repository: DeparturesRepository, directory: DirectoryChangeFeed, tenantId: string, now: Date, result: LeaversPassResult): Promise<void> {
  const round = await directory.userChanges(await repository.deltaLink(tenantId));
  // Removals between the lost state and this full round are not in it; the next rounds are.
  if (round.reset) deps.logger.warn({ tenantId }, 'Microsoft Graph reset the users delta; removals since the last round may be missed');
  const removed = round.changes.filter((c) => c.removed !== null);
  const present = round.changes.filter((c) => c.removed === null).map((c) => c.id);
  for (const userId of await repository.departed(tenantId, present)) {
    if (await repository.remove(tenantId, userId)) {
      result.returned++;
      await deps.audit.record({ tenantId, kind: 'privacy.leaver_returned', subjectId: userId });
    }
  }
  const known = new Set(await deps.knownPeople(tenantId, removed.map((c) => c.id)));
  for (const change of removed) {
    if (!known.has(change.id) || change.removed === null) continue;
    if (await repository.record(tenantId, change.id, change.removed, now)) {
      result.noticed++;
      await deps.audit.record({ tenantId, kind: 'privacy.leaver_noticed', subjectId: change.id, details: { reason: change.removed, guest: change.userType === 'Guest' } });
    }
  }
  // Saved only after the round's changes are recorded: a crash reads the same changes again.
  await repository.saveDeltaLink(tenantId, round.deltaLink, now);
}

async function eraseDue(deps: LeaversDeps, repository: DeparturesRepository, directory: Pick<DirectoryGateway, 'getUser'>, tenantId: string, now: Date, result: LeaversPassResult): Promise<void> {
  const { leaverGraceDays } = await deps.settings.effective(tenantId);
  const due = await repository.due(tenantId, new Date(now.getTime() - leaverGraceDays * DAY_MS), deps.erasuresPerPass ?? 50);
  for (const departure of due) {
    try {
      await eraseOne(deps, repository, directory, departure, leaverGraceDays, result);
    } catch (err) {
      result.failed++;
      await repository.failed(tenantId, departure.userId, err instanceof Error ? err.name : 'Error');
      deps.logger.error({ err, tenantId }, 'erasing someone who left the organisation failed; the next pass tries again');
    }
  }
}

async function eraseOne(deps: LeaversDeps, repository: DeparturesRepository, directory: Pick<DirectoryGateway, 'getUser'>, departure: DepartureRecord, graceDays: number, result: LeaversPassResult): Promise<void> {
  const { tenantId, userId } = departure;
  // The last word is a lookup: someone restored since the last delta round is not erased.
  if ((await directory.getUser(userId)) !== null) {
    await repository.remove(tenantId, userId);
    result.returned++;
    await deps.audit.record({ tenantId, kind: 'privacy.leaver_returned', subjectId: userId });
    return;
  }
  const leftAt = departure.leftAt.toISOString();
  // Recorded before erasing, with the person as subject: the erasure pseudonymises it with the rest.
  await deps.audit.record({ tenantId, kind: 'privacy.leaver_erasure', subjectId: userId, details: { reason: departure.reason, leftAt, graceDays } });
  await deps.eraser.erase(tenantId, userId, { by: 'leaver', reason: `Left the organisation (Microsoft 365: ${departure.reason}) on ${leftAt.slice(0, 10)}; grace period of ${graceDays} days passed.` });
  // The departure holds the object id: it goes once the erasure is done (a rerun erases idempotently).
  await repository.remove(tenantId, userId);
  result.erased++;
}

/** The leavers pass every `everyMs` (default 6 hours), one instance at a time. */
export function startLeaversJob(deps: LeaversDeps & { everyMs?: number }): PeriodicJob {
  return startPeriodicJob({
    everyMs: deps.everyMs ?? 6 * 3_600_000,
    lease: { key: 'privacy:leavers', ms: 30 * 60_000 },
    logger: deps.logger,
    failureMessage: 'leavers pass failed; continuing',
    run: async () => {
      const pass = await runLeaversPass(deps);
      if (pass.noticed + pass.returned + pass.erased + pass.failed > 0) deps.logger.info({ ...pass }, 'people who left the organisation handled');
    },
  });
}
