/**
 * "Erase me": runs every capability's erasure for a person, as a persisted job with one step
 * per contributor. Each step is idempotent and recorded when it finishes, so a crash half-way
 * and a rerun (the same call again) finish the job; a finished job answers `alreadyErased`.
 * While it runs, the job holds the person's id, names and addresses (a rerun needs them);
 * when it is done, only the pseudonym is left.
 */
import type { Logger } from 'pino';
import type { Actor } from '../auth/actor.js';
import type { AuditSink } from '../audit/audit.port.js';
import { tryLease } from '../db/lease.js';
import { isDuplicateKeyError } from '../db/mongo-errors.js';
import { ConflictError, ForbiddenError, NotFoundError } from '../errors/domain-errors.js';
import { clockOf, type Clock } from '../time/clock.js';
import { scrubText, type DataSubject, type PersonalDataContributor } from '../personal-data/personal-data.js';
import type { ErasureOutcome, ErasureRequest, PersonEraser } from './privacy.port.js';
import { ErasureJobModel, type ErasureJobRecord } from './privacy.model.js';
import { existingPseudonymOf, pseudonymOf } from './pseudonyms.js';

export interface ErasureDeps {
  contributors: readonly PersonalDataContributor[];
  /** The names and addresses Meent knows the person by (before anything is erased). */
  identifiers(tenantId: string, userId: string): Promise<{ names: string[]; emails: string[]; known: boolean }>;
  /** The organisation's choice to keep erased people's text (default: keep). */
  keepTextFor?: (tenantId: string) => Promise<boolean>;
  audit: AuditSink;
  logger: Pick<Logger, 'info' | 'warn' | 'error'>;
  now?: Clock;
}

export const ERASURE_IN_PROGRESS = 'erasure_in_progress';

export class ErasureService implements PersonEraser {
  private readonly now: Clock;

  constructor(private readonly deps: ErasureDeps) {
    this.now = clockOf(deps);
  }

  /** DELETE /me: the person erases themselves. */
  eraseMe(actor: Actor): Promise<ErasureOutcome> {
    return this.erase(actor.tenantId, actor.userId, { by: 'self' });
  }

  /** POST /admin/people/{id}/erase: organisation admins only; the reason is audited. */
  async eraseByAdmin(actor: Actor, userId: string, reason: string): Promise<ErasureOutcome> {
    if (!actor.isOrgAdmin) throw new ForbiddenError('Only organisation admins may erase someone else.', 'not_org_admin');
    const pseudonym = await existingPseudonymOf(actor.tenantId, userId);
    const job = pseudonym ? await ErasureJobModel.findOne({ tenantId: actor.tenantId, pseudonym }).lean<ErasureJobRecord>() : null;
    if (!job && !(await this.deps.identifiers(actor.tenantId, userId)).known) throw new NotFoundError('This person is not known to Meent.', 'user_not_found');
    return this.erase(actor.tenantId, userId, { by: 'admin', actorId: actor.userId, reason });
  }

  async erase(tenantId: string, userId: string, request: ErasureRequest): Promise<ErasureOutcome> {
    // The tenant's first erasure: what refuses it must do so before its key is written.
    if (!(await existingPseudonymOf(tenantId, userId))) await this.precheck({ tenantId, userId, ...(await this.deps.identifiers(tenantId, userId)), pseudonym: '' });
    const pseudonym = await pseudonymOf(tenantId, userId);
    const lease = await tryLease(`privacy.erase:${tenantId}:${pseudonym}`, 10 * 60_000);
    if (!lease) throw new ConflictError('This person is being erased already; look again in a minute.', ERASURE_IN_PROGRESS);
    try {
      let job = await ErasureJobModel.findOne({ tenantId, pseudonym }).lean<ErasureJobRecord>();
      if (job?.status === 'done') {
        // Signed in again after the erasure, as someone new: that new data is erased anew.
        if (!(await this.deps.identifiers(tenantId, userId)).known) return { status: 'alreadyErased' };
        await ErasureJobModel.deleteOne({ _id: job._id, status: 'done' });
        job = null;
      }
      if (!job) job = await this.startJob(tenantId, userId, pseudonym, request);
      const subject: DataSubject = { tenantId, userId, names: job.names ?? [], emails: job.emails ?? [], pseudonym };
      await ErasureJobModel.updateOne({ _id: job._id }, { $inc: { attempts: 1 } });
      for (const contributor of this.deps.contributors) {
        if (job.done.includes(contributor.name)) continue;
        await contributor.erase(subject, { keepText: job.keepText });
        await ErasureJobModel.updateOne({ _id: job._id }, { $addToSet: { done: contributor.name } });
        await lease.renew();
      }
      await ErasureJobModel.updateOne({ _id: job._id }, { $set: { status: 'done', finishedAt: this.now() }, $unset: { userId: 1, names: 1, emails: 1 } });
      const actorId = request.by === 'admin' && request.actorId ? request.actorId : `pseudonym:${pseudonym}`;
      await this.deps.audit.record({
        tenantId,
        kind: 'person.erased',
        actorId,
        subjectId: `pseudonym:${pseudonym}`,
        details: { by: request.by, keepText: job.keepText, ...(request.reason ? { reason: scrubText(request.reason, subject, '[…]').slice(0, 500) } : {}) },
      });
      this.deps.logger.info({ by: request.by }, 'a person was erased');
      return { status: 'erased' };
    } finally {
      await lease.release();
    }
  }

  private async precheck(subject: DataSubject): Promise<void> {
    for (const contributor of this.deps.contributors) await contributor.precheck?.(subject);
  }

  /** Checks what would refuse the erasure, then records the job before the first change. */
  private async startJob(tenantId: string, userId: string, pseudonym: string, request: ErasureRequest): Promise<ErasureJobRecord> {
    const { names, emails } = await this.deps.identifiers(tenantId, userId);
    await this.precheck({ tenantId, userId, names, emails, pseudonym });
    const keepText = request.keepText ?? (this.deps.keepTextFor ? await this.deps.keepTextFor(tenantId) : true);
    try {
      const created = await ErasureJobModel.create({ tenantId, pseudonym, status: 'running', by: request.by, keepText, userId, names, emails, done: [] });
      return created.toObject() as ErasureJobRecord;
    } catch (error) {
      if (!isDuplicateKeyError(error)) throw error;
      const existing = await ErasureJobModel.findOne({ tenantId, pseudonym }).lean<ErasureJobRecord>();
      if (!existing) throw error;
      return existing;
    }
  }
}
