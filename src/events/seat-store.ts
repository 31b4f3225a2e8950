/**
 * The seat allocator's store: the reads and bulk writes of one round of batches, which always
 * run while the round holds the lock of every event in it (src/events/seat-allocator.ts);
 * nothing else writes registrations or seat claims, and the events' counts and allocation
 * bookkeeping are written only here, under those same locks. A round's writes for several
 * events go out together (one insert of every new registration, say), in the order that keeps
 * each event's invariants after every single write.
 */
import mongoose, { type Types } from 'mongoose';
import { inLanes } from '../db/in-lanes.js';
import { storeCapabilities } from '../db/store-capabilities.js';
import { EventModel, type EventRecord } from './event.model.js';
import { RegistrationModel, SeatClaimModel, type RegistrationRecord, type RegistrationStatus } from './registration.model.js';

/** Single updates in flight at once on FerretDB (its pool; see `writeUpdates`). */
const WRITE_LANES = 3;

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

/**
 * A person's registration is looked up on its own, not within a `$in` over the batch, once the
 * event holds this many times more registrations than the batch has people (FerretDB only).
 */
const ROWS_PER_PERSON_FOR_SINGLE_LOOKUPS = 8;

/**
 * The event and the stored registrations of these people. FerretDB 1.24 does not push `$in`
 * down (https://docs.ferretdb.io/pushdown): a `$in` over the batch's people reads and decodes
 * every registration of the event, in one query that no other core can share, and a round of a
 * large event waited on it (309 sign-ups/s on one event with 2,000 seats, node 73% idle). An
 * equality per person is an index lookup, and those run side by side: 429/s. A young event (a
 * burst into an empty one) is cheaper with the one `$in`, and on MongoDB the `$in` is an index
 * lookup too.
 */
export async function loadBatch(tenantId: string, eventId: Types.ObjectId, userIds: readonly string[]): Promise<[EventRecord | null, RegistrationRecord[]]> {
  const event = await EventModel.findOne({ _id: eventId, tenantId }).lean<EventRecord>();
  if (!event || userIds.length === 0) return [event, []];
  const rows = event.allocation?.lastSeq ?? 0;
  if (storeCapabilities().product === 'ferretdb' && rows >= userIds.length * ROWS_PER_PERSON_FOR_SINGLE_LOOKUPS) {
    // The driver's own findOne: mongoose's per-query work would cost more than the lookup.
    const found = await Promise.all(userIds.map((userId) => RegistrationModel.collection.findOne({ eventId, userId }) as Promise<RegistrationRecord | null>));
    return [event, found.filter((r): r is RegistrationRecord => r !== null)];
  }
  return [event, await RegistrationModel.find({ eventId, userId: mongoose.trusted({ $in: [...userIds] }) }).lean<RegistrationRecord[]>()];
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

/**
 * Marks the events' bookkeeping as being rewritten (before a round's first write). On FerretDB
 * one update per event: it does not push `$in` down (https://docs.ferretdb.io/pushdown), so an
 * `updateMany` over the round's ids read every event of every tenant, in every round.
 */
export async function markAllocationDirty(eventIds: readonly Types.ObjectId[]): Promise<void> {
  if (eventIds.length === 0) return;
  const set = { $set: { 'allocation.dirty': true } };
  if (eventIds.length === 1 || storeCapabilities().product === 'ferretdb') {
    await inLanes(eventIds, WRITE_LANES, (_id) => EventModel.updateOne({ _id }, set).then(() => undefined));
    return;
  }
  await EventModel.updateMany({ _id: mongoose.trusted({ $in: [...eventIds] }) }, set);
}

/** Writes each event's counts, bookkeeping and edits (a round's last writes), a few at a time (see `writeUpdates`). */
export async function writeEventsAfterBatch(events: readonly { eventId: Types.ObjectId; set: Record<string, unknown> }[]): Promise<void> {
  await inLanes(events, WRITE_LANES, ({ eventId, set }) => EventModel.updateOne({ _id: eventId }, { $set: set }).then(() => undefined));
}

/** One event's part of a round's writes. */
export interface EventWrites {
  tenantId: string;
  eventId: Types.ObjectId;
  changed: readonly SeatEntry[];
  orphanClaims: readonly Types.ObjectId[];
}

/**
 * Writes a round's changed registrations and their seat claims, for every event of the round
 * at once. The order keeps "registered <= seat claims <= capacity" true for each event after
 * every write: registrations leave `registered` before their claims go; claims are written
 * before registrations take the seats; old seat numbers are released last. `orphanClaims`
 * (held by no registration) are released too.
 */
export async function writeChanges(events: readonly EventWrites[]): Promise<void> {
  const all = events.flatMap((w) => w.changed.map((entry) => ({ w, entry })));
  const leaving = all.filter(({ entry: e }) => e.initial?.status === 'registered' && e.current.status !== 'registered');
  const gaining = all.filter(({ entry: e }) => e.current.status === 'registered' && e.current.seat !== null && (e.initial?.status !== 'registered' || e.initial.seat !== e.current.seat));
  const moved = all.filter(({ entry: e }) => e.initial?.status === 'registered' && e.initial.seat !== null && e.current.status === 'registered' && e.current.seat !== e.initial.seat);
  const rest = all.filter((x) => !leaving.includes(x));

  await writeUpdates(leaving.map(({ entry }) => entry.current));
  await releaseClaims([
    ...events.flatMap((w) => (w.orphanClaims.length > 0 ? [{ eventId: w.eventId, _id: mongoose.trusted({ $in: [...w.orphanClaims] }) }] : [])),
    ...leaving.filter(({ entry: e }) => e.initial?.seat !== null && e.initial?.seat !== undefined).map(({ w, entry: e }) => ({ eventId: w.eventId, registrationId: e.current._id, seat: e.initial?.seat })),
  ]);
  await insertClaims(gaining.map(({ w, entry: e }) => ({ tenantId: w.tenantId, eventId: w.eventId, seat: e.current.seat, registrationId: e.current._id })));
  await insertRegistrations(rest.filter(({ entry: e }) => e.initial === null).map(({ entry }) => entry.current));
  await writeUpdates(rest.filter(({ entry: e }) => e.initial !== null).map(({ entry }) => entry.current));
  await releaseClaims(moved.map(({ w, entry: e }) => ({ eventId: w.eventId, registrationId: e.current._id, seat: e.initial?.seat })));
}

/** Releases the seat claims that match any of these conditions (each names its event). */
type ClaimCondition = { eventId: Types.ObjectId } & Record<string, unknown>;

async function releaseClaims(conditions: readonly ClaimCondition[]): Promise<void> {
  // Per event, its id outside the `$or` as well: an equality the store hands to its index
  // (FerretDB pushes nothing inside an `$or` down, and would read every seat claim it holds).
  const byEvent = new Map<string, ClaimCondition[]>();
  for (const c of conditions) {
    const own = byEvent.get(String(c.eventId));
    if (own) own.push(c);
    else byEvent.set(String(c.eventId), [c]);
  }
  await inLanes([...byEvent.values()], WRITE_LANES, async (own) => {
    await SeatClaimModel.deleteMany({ eventId: (own[0] as ClaimCondition).eventId, $or: own });
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
  await inLanes(records, WRITE_LANES, (r) => RegistrationModel.updateOne({ _id: r._id }, { $set: fieldsOf(r) }).then(() => undefined));
}
