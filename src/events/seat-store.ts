/**
 * The seat allocator's store: the reads and bulk writes of one batch, which always run while
 * the batch holds the event's lock (src/events/seat-allocator.ts); nothing else writes
 * registrations or seat claims, and the event's counts and allocation bookkeeping are written
 * only here, under that same lock.
 */
import mongoose, { type Types } from 'mongoose';
import { storeCapabilities } from '../db/store-capabilities.js';
import { EventModel, type EventRecord } from './event.model.js';
import { RegistrationModel, SeatClaimModel, type RegistrationRecord, type RegistrationStatus } from './registration.model.js';

/** A seat claim as the allocator reads it. */
export interface SeatClaim {
  _id: Types.ObjectId;
  seat: number;
  registrationId: Types.ObjectId;
}

/** A registration during a batch: as stored when the batch began, and as the batch leaves it. */
export interface SeatEntry {
  /** As stored when the batch began; null for a registration this batch creates. */
  initial: RegistrationRecord | null;
  current: RegistrationRecord;
}

/** The event and the stored registrations of these people. */
export async function loadBatch(tenantId: string, eventId: Types.ObjectId, userIds: readonly string[]): Promise<[EventRecord | null, RegistrationRecord[]]> {
  return Promise.all([
    EventModel.findOne({ _id: eventId, tenantId }).lean<EventRecord>(),
    userIds.length > 0 ? RegistrationModel.find({ eventId, userId: mongoose.trusted({ $in: userIds }) }).lean<RegistrationRecord[]>() : Promise.resolve([]),
  ]);
}

/** Registrations per status and the last arrival number, counted from the registrations. */
export async function countRegistrations(eventId: Types.ObjectId): Promise<{ count: (status: RegistrationStatus) => number; lastSeq: number }> {
  const [grouped, last] = await Promise.all([
    RegistrationModel.aggregate<{ _id: RegistrationStatus; n: number }>([{ $match: { eventId } }, { $group: { _id: '$status', n: { $sum: 1 } } }]),
    RegistrationModel.findOne({ eventId }).sort({ seq: -1 }).select({ seq: 1 }).lean<{ seq: number }>(),
  ]);
  return { count: (status) => grouped.find((g) => g._id === status)?.n ?? 0, lastSeq: last?.seq ?? 0 };
}

/** The next page of the waitlist, in line order, after queue number `after`. */
export async function waitlistPage(eventId: Types.ObjectId, after: number, limit: number): Promise<RegistrationRecord[]> {
  const filter: Record<string, unknown> = { eventId, status: 'waitlisted' };
  if (after !== -Infinity) filter.queue = mongoose.trusted({ $gt: after });
  return RegistrationModel.find(filter).sort({ queue: 1 }).limit(limit).lean<RegistrationRecord[]>();
}

export async function seatClaimsOf(eventId: Types.ObjectId): Promise<SeatClaim[]> {
  return SeatClaimModel.find({ eventId }).select({ _id: 1, seat: 1, registrationId: 1 }).lean<SeatClaim[]>();
}

/** Ids and seats of the event's registered registrations. */
export async function registeredSeats(eventId: Types.ObjectId): Promise<{ _id: Types.ObjectId; seat: number | null }[]> {
  return RegistrationModel.find({ eventId, status: 'registered' }).select({ _id: 1, seat: 1 }).lean<{ _id: Types.ObjectId; seat: number | null }[]>();
}

export async function registeredRows(eventId: Types.ObjectId): Promise<RegistrationRecord[]> {
  return RegistrationModel.find({ eventId, status: 'registered' }).lean<RegistrationRecord[]>();
}

/** The waitlist's queue numbers, in order. */
export async function waitlistQueues(eventId: Types.ObjectId): Promise<number[]> {
  const rows = await RegistrationModel.find({ eventId, status: 'waitlisted' }).select({ queue: 1, _id: 0 }).lean<{ queue: number }[]>();
  return rows.map((r) => r.queue).sort((a, b) => a - b);
}

/** Marks the event's bookkeeping as being rewritten (before a batch's first write). */
export async function markAllocationDirty(eventId: Types.ObjectId): Promise<void> {
  await EventModel.updateOne({ _id: eventId }, { $set: { 'allocation.dirty': true } });
}

/** Writes the event's counts, bookkeeping and edits (a batch's last write). */
export async function writeEventAfterBatch(eventId: Types.ObjectId, set: Record<string, unknown>): Promise<void> {
  await EventModel.updateOne({ _id: eventId }, { $set: set });
}

/**
 * Writes a batch's changed registrations and their seat claims. The order keeps "registered
 * <= seat claims <= capacity" true after every write: registrations leave `registered`
 * before their claims go; claims are written before registrations take the seats; old seat
 * numbers are released last. `orphanClaims` (held by no registration) are released too.
 */
export async function writeChanges(tenantId: string, eventId: Types.ObjectId, changed: readonly SeatEntry[], orphanClaims: readonly Types.ObjectId[]): Promise<void> {
  const leaving = changed.filter((e) => e.initial?.status === 'registered' && e.current.status !== 'registered');
  const gaining = changed.filter((e) => e.current.status === 'registered' && e.current.seat !== null && (e.initial?.status !== 'registered' || e.initial.seat !== e.current.seat));
  const moved = changed.filter((e) => e.initial?.status === 'registered' && e.initial.seat !== null && e.current.status === 'registered' && e.current.seat !== e.initial.seat);
  const rest = changed.filter((e) => !leaving.includes(e));

  await writeUpdates(leaving.map((e) => e.current));
  const leavingSeats = leaving.filter((e) => e.initial?.seat !== null && e.initial?.seat !== undefined);
  await releaseClaims(
    eventId,
    [...orphanClaims],
    leavingSeats.map((e) => ({ registrationId: e.current._id, seat: e.initial?.seat })),
  );
  await insertClaims(gaining.map((e) => ({ tenantId, eventId, seat: e.current.seat, registrationId: e.current._id })));
  await insertRegistrations(rest.filter((e) => e.initial === null).map((e) => e.current));
  await writeUpdates(rest.filter((e) => e.initial !== null).map((e) => e.current));
  await releaseClaims(
    eventId,
    [],
    moved.map((e) => ({ registrationId: e.current._id, seat: e.initial?.seat })),
  );
}

/** Releases seat claims by id, and the claims these registrations held on these seats. */
async function releaseClaims(eventId: Types.ObjectId, claimIds: readonly Types.ObjectId[], held: readonly { registrationId: Types.ObjectId; seat: number | null | undefined }[]): Promise<void> {
  if (claimIds.length === 0 && held.length === 0) return;
  await SeatClaimModel.deleteMany({
    eventId,
    $or: [...(claimIds.length > 0 ? [{ _id: mongoose.trusted({ $in: claimIds }) }] : []), ...held.map((h) => ({ registrationId: h.registrationId, seat: h.seat }))],
  });
}

async function insertClaims(claims: readonly { tenantId: string; eventId: Types.ObjectId; seat: number | null; registrationId: Types.ObjectId }[]): Promise<void> {
  if (claims.length > 0) await SeatClaimModel.insertMany(claims, { ordered: true });
}

async function insertRegistrations(records: readonly RegistrationRecord[]): Promise<void> {
  if (records.length > 0) await RegistrationModel.insertMany(records, { ordered: true });
}

const WRITTEN_FIELDS = [
  'displayName', 'email', 'organisation', 'isGuest', 'status', 'seq', 'queue', 'seat', 'revision',
  'message', 'addedBy', 'decidedBy', 'registeredAt', 'promotedAt', 'statusChangedAt',
] as const;

/** Whether a registration differs from its stored version in a field the allocator writes. */
export function differs(a: RegistrationRecord, b: RegistrationRecord): boolean {
  return WRITTEN_FIELDS.some((field) => !sameValue(a[field], b[field]));
}

function sameValue(a: unknown, b: unknown): boolean {
  if (a instanceof Date && b instanceof Date) return a.getTime() === b.getTime();
  return (a ?? null) === (b ?? null);
}

function fieldsOf(r: RegistrationRecord): Record<string, unknown> {
  const set: Record<string, unknown> = { updatedAt: new Date() };
  for (const field of WRITTEN_FIELDS) set[field] = r[field] ?? null;
  return set;
}

/**
 * Writes changed registrations. MongoDB takes them as one bulk write. FerretDB 1.24 does not:
 * an `update` command with several statements held a pool connection per statement and took
 * ~100 ms per statement here, and one with 16 statements never returned (with FerretDB's pool
 * of 16); so there they go as single updates, a few at a time (see also connection.ts on
 * concurrent updates and FerretDB's pool).
 */
async function writeUpdates(records: RegistrationRecord[]): Promise<void> {
  if (records.length === 0) return;
  if (!storeCapabilities().needsWriteSerialisation) {
    await RegistrationModel.bulkWrite(records.map((r) => ({ updateOne: { filter: { _id: r._id }, update: { $set: fieldsOf(r) } } })), { ordered: true });
    return;
  }
  let next = 0;
  const lanes = Array.from({ length: Math.min(3, records.length) }, async () => {
    while (next < records.length) {
      const r = records[next++] as RegistrationRecord;
      await RegistrationModel.updateOne({ _id: r._id }, { $set: fieldsOf(r) });
    }
  });
  await Promise.all(lanes);
}
