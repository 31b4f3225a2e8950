/**
 * "Export my data": one export at a time per person, run in the background (started by the
 * request, taken over by the worker when its runner stopped), reading every contributor's
 * records a page at a time and streaming them into a ZIP on disk with yazl, so neither the
 * archive nor a file of it is ever held in memory. The download link is private (the owner's
 * own sign-in plus a random token), expires after 24 hours and is audited.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { finished } from 'node:stream/promises';
import mongoose from 'mongoose';
import type { Logger } from 'pino';
import yazl from 'yazl';
import type { Actor } from '../auth/actor.js';
import type { AuditSink } from '../audit/audit.port.js';
import type { Language } from '../content/language.js';
import { atomicUpdate } from '../db/atomic-update.js';
import { tryLease, type WorkerLease } from '../db/lease.js';
import { isDuplicateKeyError } from '../db/mongo-errors.js';
import { NotFoundError } from '../errors/domain-errors.js';
import { clockOf, type Clock } from '../time/clock.js';
import { exportReadme } from './export-readme.js';
import type { DataSubject, ExportFile, PersonalDataContributor } from '../personal-data/personal-data.js';
import { ExportJobModel, type ExportJobRecord } from './privacy.model.js';
import { pseudonymOf } from './pseudonyms.js';

export const EXPORT_LIFETIME_MS = 24 * 3_600_000;
/** A running export whose runner has not shown life for this long is taken over. */
const STALE_MS = 2 * 60_000;
const MAX_ATTEMPTS = 3;
/** Progress is written (and the lease renewed) every this many records. */
const PROGRESS_EVERY = 250;

export interface ExportView {
  status: 'pending' | 'running' | 'ready' | 'failed' | 'expired';
  done: number;
  total: number;
  requestedAt: string;
  downloadUrl: string | null;
  expiresAt: string | null;
}

export interface ExportDeps {
  contributors: readonly PersonalDataContributor[];
  /** Where ZIP files are written (under the data directory). */
  directory: string;
  audit: AuditSink;
  logger: Pick<Logger, 'info' | 'warn' | 'error'>;
  now?: Clock;
}

export class ExportService {
  private readonly now: Clock;
  private readonly running = new Set<Promise<unknown>>();

  constructor(private readonly deps: ExportDeps) {
    this.now = clockOf(deps);
  }

  private get files(): ExportFile[] {
    return this.deps.contributors.flatMap((c) => c.files);
  }

  /** Starts an export, or answers the one that runs (two requests at once make one export). */
  async start(actor: Actor, language: Language): Promise<{ view: ExportView; created: boolean }> {
    const key = { tenantId: actor.tenantId, userId: actor.userId };
    const fresh = () => {
      const exportId = randomUUID();
      return { exportId, file: this.pathOf(exportId), status: 'pending' as const, language, done: 0, total: 0, attempts: 0, heartbeatAt: this.now() };
    };
    for (let attempt = 0; attempt < 3; attempt++) {
      const current = await ExportJobModel.findOne(key).lean<ExportJobRecord>();
      if (current && (current.status === 'pending' || current.status === 'running')) return { view: this.view(current), created: false };
      let started: ExportJobRecord | null;
      if (!current) {
        try {
          started = (await ExportJobModel.create({ ...key, ...fresh() })).toObject() as ExportJobRecord;
        } catch (error) {
          if (!isDuplicateKeyError(error)) throw error;
          continue;
        }
      } else {
        // Replaces the finished one, unless another request replaced it first.
        started = (await atomicUpdate(ExportJobModel, { _id: current._id, exportId: current.exportId }, { $set: fresh(), $unset: { token: 1, readyAt: 1, expiresAt: 1, bytes: 1 } })) as ExportJobRecord | null;
        if (!started) continue;
        await rm(this.pathOf(current.exportId), { force: true });
      }
      this.runInBackground(started.exportId);
      return { view: this.view(started), created: true };
    }
    const current = await ExportJobModel.findOne(key).lean<ExportJobRecord>();
    if (!current) throw new Error('the export could not be started');
    return { view: this.view(current), created: false };
  }

  async status(actor: Actor): Promise<ExportView> {
    const job = await ExportJobModel.findOne({ tenantId: actor.tenantId, userId: actor.userId }).lean<ExportJobRecord>();
    if (!job) throw new NotFoundError('You have not asked for an export of your data.', 'export_not_found');
    return this.view(job);
  }

  /** The ZIP, for its owner only, while the link lives; anything else is "not found". */
  async download(actor: Actor, token: string): Promise<{ stream: Readable; fileName: string; bytes: number }> {
    const job = await ExportJobModel.findOne({ tenantId: actor.tenantId, userId: actor.userId, status: 'ready', token }).lean<ExportJobRecord>();
    if (!job?.expiresAt || job.expiresAt.getTime() <= this.now().getTime()) throw new NotFoundError('This download link does not exist or has expired.', 'export_link_not_found');
    const path = this.pathOf(job.exportId);
    const bytes = (await stat(path).catch(() => null))?.size;
    if (bytes === undefined) throw new NotFoundError('This download link does not exist or has expired.', 'export_link_not_found');
    await this.deps.audit.record({ tenantId: actor.tenantId, kind: 'privacy.export_downloaded', actorId: actor.userId, subjectId: actor.userId, details: { bytes } });
    return { stream: createReadStream(path), fileName: `meent-export-${job.readyAt?.toISOString().slice(0, 10) ?? 'data'}.zip`, bytes };
  }

  /** Runs exports that wait or whose runner stopped (the worker's pass); answers how many it ran. */
  async resumeStale(limit = 5): Promise<number> {
    const staleBefore = new Date(this.now().getTime() - STALE_MS);
    const jobs = await ExportJobModel.find({ status: mongoose.trusted({ $in: ['pending', 'running'] }), heartbeatAt: mongoose.trusted({ $lt: staleBefore }) })
      .limit(limit)
      .lean<ExportJobRecord[]>();
    for (const job of jobs) await this.run(job.exportId);
    return jobs.length;
  }

  /** Resolves when the exports this process started have finished (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.running.size > 0) await Promise.allSettled([...this.running]);
  }

  /** Runs one export to the end; does nothing when another runner holds it or it is done. */
  async run(exportId: string): Promise<void> {
    const lease = await tryLease(`privacy.export:${exportId}`, 5 * 60_000);
    if (!lease) return;
    try {
      const found = await ExportJobModel.findOne({ exportId }).select({ _id: 1 }).lean<{ _id: ExportJobRecord['_id'] }>();
      const job = found
        ? ((await atomicUpdate(ExportJobModel, { _id: found._id, exportId, status: mongoose.trusted({ $in: ['pending', 'running'] }) }, { $set: { status: 'running', heartbeatAt: this.now(), done: 0 }, $inc: { attempts: 1 } })) as ExportJobRecord | null)
        : null;
      if (!job) return;
      try {
        await this.write(job, lease);
      } catch (err) {
        this.deps.logger.error({ err, attempts: job.attempts }, 'a data export failed');
        // Left running with its heartbeat: the worker takes it over, until it gave up.
        if (job.attempts >= MAX_ATTEMPTS) await ExportJobModel.updateOne({ exportId }, { $set: { status: 'failed' } });
        await rm(`${this.pathOf(exportId)}.part`, { force: true });
      }
    } finally {
      await lease.release();
    }
  }

  private async write(job: ExportJobRecord, lease: WorkerLease): Promise<void> {
    const subject: DataSubject = { tenantId: job.tenantId, userId: job.userId, names: [], emails: [], pseudonym: await pseudonymOf(job.tenantId, job.userId) };
    const files = this.files;
    let total = 0;
    for (const file of files) total += await file.count(subject);
    await ExportJobModel.updateOne({ exportId: job.exportId }, { $set: { total, heartbeatAt: this.now() } });

    await mkdir(this.deps.directory, { recursive: true });
    const part = `${this.pathOf(job.exportId)}.part`;
    const zip = new yazl.ZipFile();
    const output = createWriteStream(part);
    const failed = new Promise<never>((_, reject) => zip.on('error', reject));
    zip.outputStream.pipe(output);
    let done = 0;
    const progress = async () => {
      done++;
      if (done % PROGRESS_EVERY !== 0) return;
      await ExportJobModel.updateOne({ exportId: job.exportId }, { $set: { done, heartbeatAt: this.now() } });
      await lease.renew();
    };
    zip.addBuffer(Buffer.from(exportReadme(job.language, files, this.now()), 'utf8'), 'README.html');
    for (const file of files) {
      zip.addReadStreamLazy(file.name, (cb) => cb(null, Readable.from(jsonArray(file.records(subject), progress))));
    }
    zip.end();
    await Promise.race([finished(output), failed]);
    await rename(part, this.pathOf(job.exportId));
    const bytes = (await stat(this.pathOf(job.exportId))).size;
    const readyAt = this.now();
    const updated = await ExportJobModel.updateOne(
      { exportId: job.exportId, status: 'running' },
      { $set: { status: 'ready', done: Math.max(done, total), total: Math.max(done, total), token: randomBytes(24).toString('base64url'), readyAt, expiresAt: new Date(readyAt.getTime() + EXPORT_LIFETIME_MS), bytes, heartbeatAt: readyAt } },
    );
    // The person was erased (or asked again) meanwhile: the file is nobody's.
    if (updated.matchedCount !== 1) await rm(this.pathOf(job.exportId), { force: true });
  }

  private runInBackground(exportId: string): void {
    const work = this.run(exportId).catch((err: unknown) => this.deps.logger.error({ err }, 'a data export could not run'));
    this.running.add(work);
    void work.finally(() => this.running.delete(work));
  }

  private view(job: ExportJobRecord): ExportView {
    const expired = job.status === 'ready' && (!job.expiresAt || job.expiresAt.getTime() <= this.now().getTime());
    return {
      status: expired ? 'expired' : job.status,
      done: job.done,
      total: job.total,
      requestedAt: job.createdAt.toISOString(),
      downloadUrl: job.status === 'ready' && !expired && job.token ? `/api/v1/me/export/download/${job.token}` : null,
      expiresAt: job.status === 'ready' && job.expiresAt ? job.expiresAt.toISOString() : null,
    };
  }

  pathOf(exportId: string): string {
    return join(this.deps.directory, `${exportId}.zip`);
  }
}

/** A JSON array as text chunks: one record at a time, so a file of 10,000 records is never one string. */
async function* jsonArray(records: AsyncIterable<unknown>, onRecord: () => Promise<void>): AsyncGenerator<string> {
  yield '[';
  let first = true;
  for await (const record of records) {
    yield `${first ? '\n' : ',\n'}${JSON.stringify(record)}`;
    first = false;
    await onRecord();
  }
  yield first ? ']\n' : '\n]\n';
}

/**
 * Removes export files whose link expired before `before`, at most `limit` of them (the
 * retention job's bounded batch); answers how many it removed.
 */
export async function purgeExpiredExports(before: Date, limit: number): Promise<number> {
  const jobs = await ExportJobModel.find({ expiresAt: mongoose.trusted({ $lt: before }) }).limit(limit).lean<ExportJobRecord[]>();
  for (const job of jobs) {
    await rm(job.file, { force: true });
    await ExportJobModel.deleteOne({ _id: job._id, exportId: job.exportId });
  }
  return jobs.length;
}

/** The privacy capability's own part of erasure: the person's exports and their files. */
export function exportsPersonalData(): PersonalDataContributor {
  return {
    name: 'privacy-exports',
    files: [],
    async erase(s) {
      const jobs = await ExportJobModel.find({ tenantId: s.tenantId, userId: s.userId }).lean<ExportJobRecord[]>();
      for (const job of jobs) {
        await rm(job.file, { force: true });
        await rm(`${job.file}.part`, { force: true });
      }
      await ExportJobModel.deleteMany({ tenantId: s.tenantId, userId: s.userId });
    },
  };
}
