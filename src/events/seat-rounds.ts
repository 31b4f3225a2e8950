/**
 * Which events a round of the seat allocator began writing and did not finish.
 *
 * A batch's writes must be noticed if they stop half-way (see seat-allocator.ts). For a round
 * of one event, the event itself carries the mark (`allocation.dirty`, set before the first
 * write and cleared with the last). A round of several events writes one document here instead
 * of marking each event: on FerretDB an update of an event costs a read, decode and rewrite of
 * the whole event document, and over 20 events those marks were a quarter of a round's
 * updates. The document is deleted with the round's last write; one that stays names events
 * whose next batch must count afresh, and that batch takes its event out of it.
 *
 * Only rounds that hold the events' locks read or write their entries, so an entry found under
 * a lock was left by a round that no longer runs. The collection holds the rounds being
 * written (normally none or one per instance), so reading all of it is cheap on any store.
 * No personal data: event ids and a time.
 */
import mongoose, { Schema, type Types } from 'mongoose';

const seatRoundSchema = new Schema(
  {
    eventIds: { type: [Schema.Types.ObjectId], required: true },
    /** When the round began writing (for an operator looking at a leftover). */
    at: { type: Date, required: true },
  },
  { versionKey: false },
);

export const SeatRoundModel = mongoose.model('EventSeatRound', seatRoundSchema, 'event_seat_rounds');

interface SeatRoundDocument {
  _id: Types.ObjectId;
  eventIds: Types.ObjectId[];
  at: Date;
}

/** The driver's collection: each call here is one small command, without mongoose's per-query work. */
const rounds = (): mongoose.mongo.Collection<SeatRoundDocument> => SeatRoundModel.collection as unknown as mongoose.mongo.Collection<SeatRoundDocument>;

/** Records that a round is about to write these events; returns the record's id. */
export async function beginRound(eventIds: readonly Types.ObjectId[], at: Date): Promise<Types.ObjectId> {
  const _id = new mongoose.Types.ObjectId();
  await rounds().insertOne({ _id, eventIds: [...eventIds], at });
  return _id;
}

/** The round wrote everything: its record goes. */
export async function endRound(id: Types.ObjectId): Promise<void> {
  await rounds().deleteOne({ _id: id });
}

/** Of these events (whose locks the caller holds), those an unfinished round names. */
export async function unfinishedAmong(eventIds: readonly Types.ObjectId[]): Promise<Set<string>> {
  const open = await rounds().find({}, { projection: { eventIds: 1 } }).toArray();
  if (open.length === 0) return new Set();
  const named = new Set(open.flatMap((r) => r.eventIds.map(String)));
  return new Set(eventIds.map(String).filter((id) => named.has(id)));
}

/** These events were counted afresh and written: no unfinished round names them any more. */
export async function repaired(eventIds: readonly Types.ObjectId[]): Promise<void> {
  if (eventIds.length === 0) return;
  const ids = [...eventIds];
  await rounds().updateMany({ eventIds: { $in: ids } }, { $pullAll: { eventIds: ids } });
  await rounds().deleteMany({ eventIds: { $size: 0 } });
}
