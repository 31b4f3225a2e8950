/**
 * The free seat numbers of an event as its allocation bookkeeping records them, so that a
 * batch of the seat allocator can hand out seats without reading the event's seat claims
 * (on FerretDB a read of every claim of an event, each round, for each event in it). Every
 * seat from `next` up is free; `free` lists the free seats below `next`. The bookkeeping is
 * written with the batch's counts and trusted only while the event is not marked dirty (an
 * interrupted batch), and it is dropped when the list of free seats grows past `MAX_FREE`;
 * in both cases the next batch reads the claims and writes it afresh.
 */

/** More free seats below `next` than this and the bookkeeping is not kept (the claims are read instead). */
export const MAX_FREE = 1000;

/** The bookkeeping as stored on the event (`allocation.seats`). */
export interface SeatPoolRecord {
  next: number;
  free: number[];
}

const isSeat = (value: unknown): value is number => Number.isSafeInteger(value) && (value as number) >= 1;

export class SeatPool {
  private constructor(
    private next: number,
    private readonly free: Set<number>,
  ) {}

  /** The stored bookkeeping, or nothing when it is absent or not well-formed. */
  static from(record: unknown): SeatPool | undefined {
    if (typeof record !== 'object' || record === null) return undefined;
    const { next, free } = record as { next?: unknown; free?: unknown };
    if (!isSeat(next) || !Array.isArray(free) || free.length > MAX_FREE) return undefined;
    if (!free.every((seat) => isSeat(seat) && seat < next)) return undefined;
    return new SeatPool(next, new Set(free as number[]));
  }

  /** The bookkeeping that goes with these held seats. */
  static ofHeld(held: Iterable<number>): SeatPool {
    const taken = new Set(held);
    let next = 1;
    for (const seat of taken) if (seat >= next) next = seat + 1;
    const free = new Set<number>();
    for (let seat = 1; seat < next && free.size <= MAX_FREE; seat++) if (!taken.has(seat)) free.add(seat);
    return new SeatPool(next, free);
  }

  /** The lowest free seat within the capacity, taken; undefined when there is none. */
  take(capacity: number): number | undefined {
    let lowest: number | undefined;
    for (const seat of this.free) if (seat <= capacity && (lowest === undefined || seat < lowest)) lowest = seat;
    if (lowest !== undefined) {
      this.free.delete(lowest);
      return lowest;
    }
    if (this.next > capacity) return undefined;
    return this.next++;
  }

  release(seat: number): void {
    if (seat < this.next) this.free.add(seat);
  }

  /** What to store, or undefined when too many seats below `next` are free to list. */
  toRecord(): SeatPoolRecord | undefined {
    if (this.free.size > MAX_FREE) return undefined;
    return { next: this.next, free: [...this.free].sort((a, b) => a - b) };
  }
}
