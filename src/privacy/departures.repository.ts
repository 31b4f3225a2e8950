/** Storage of people who left the tenant and of where the users delta stopped; the only module touching those models. */
import mongoose from 'mongoose';
import { isDuplicateKeyError, upsertRetryingRace } from '../db/mongo-errors.js';
import { DepartureModel, type DepartureReason, type DepartureRecord } from './departure.model.js';
import { DirectorySyncModel } from './directory-sync.model.js';

/** Ids per `$in` query. */
const ID_SLICE = 500;

export class DeparturesRepository {
  /** Records a departure once; false when it was recorded before (the first noticing stands). */
  async record(tenantId: string, userId: string, reason: DepartureReason, at: Date): Promise<boolean> {
    try {
      await DepartureModel.create({ tenantId, userId, reason, leftAt: at });
      return true;
    } catch (err) {
      if (isDuplicateKeyError(err)) return false;
      throw err;
    }
  }

  /** Forgets a departure (the person came back, or was erased); true when there was one. */
  async remove(tenantId: string, userId: string): Promise<boolean> {
    return (await DepartureModel.deleteOne({ tenantId, userId })).deletedCount > 0;
  }

  /** Of `userIds`, those with a recorded departure (a full round lists every user: asked in slices). */
  async departed(tenantId: string, userIds: readonly string[]): Promise<string[]> {
    if (userIds.length === 0 || !(await DepartureModel.exists({ tenantId }))) return [];
    const found: string[] = [];
    for (let i = 0; i < userIds.length; i += ID_SLICE) {
      const slice = userIds.slice(i, i + ID_SLICE);
      const docs = await DepartureModel.find({ tenantId, userId: mongoose.trusted({ $in: slice }) }, { userId: 1 }).lean<{ userId: string }[]>();
      found.push(...docs.map((d) => d.userId));
    }
    return found;
  }

  /** Departures that left on or before `leftBy`, oldest first. */
  async due(tenantId: string, leftBy: Date, limit: number): Promise<DepartureRecord[]> {
    return DepartureModel.find({ tenantId, leftAt: mongoose.trusted({ $lte: leftBy }) }).sort({ leftAt: 1, _id: 1 }).limit(limit).lean<DepartureRecord[]>();
  }

  async failed(tenantId: string, userId: string, error: string): Promise<void> {
    await DepartureModel.updateOne({ tenantId, userId }, { $inc: { attempts: 1 }, $set: { lastError: error.slice(0, 200) } });
  }

  async tenants(): Promise<string[]> {
    return (await DepartureModel.distinct('tenantId')).map(String);
  }

  async deltaLink(tenantId: string): Promise<string | undefined> {
    return (await DirectorySyncModel.findOne({ tenantId }).lean())?.deltaLink ?? undefined;
  }

  async saveDeltaLink(tenantId: string, deltaLink: string, at: Date): Promise<void> {
    await upsertRetryingRace(() => DirectorySyncModel.updateOne({ tenantId }, { $set: { deltaLink, lastRunAt: at }, $setOnInsert: { tenantId } }, { upsert: true }));
  }
}
