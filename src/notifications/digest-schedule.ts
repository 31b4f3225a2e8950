/**
 * When a digest goes out: daily at the person's digest hour, weekly on Monday at that hour,
 * in their time zone (daylight saving time included, through the runtime's zone data). A
 * notification held for a digest gets the first such moment after it was written; the
 * digest's `period` names that moment's date (`daily:2025-03-04`, `weekly:2025-03-03`), so
 * everything held for one person and period goes out as one message.
 */
import { utcOffsetMinutes, wallClock } from '../time/time-zone.js';

export type DigestCadence = 'daily' | 'weekly';

export interface DigestSlot {
  cadence: DigestCadence;
  /** e.g. `daily:2025-03-04`: unique per person and digest. */
  period: string;
  dueAt: Date;
}

const DAY_MS = 24 * 60 * 60 * 1000;

/** The digest slot a notification written at `after` falls into. */
export function nextDigestSlot(cadence: DigestCadence, after: Date, zone: string, hour: number): DigestSlot {
  const local = wallClock(after.getTime(), zone);
  // Start from the local calendar day of `after` and walk forward to the first qualifying day.
  let day = Date.UTC(local.year, local.month - 1, local.day);
  for (let i = 0; i < 9; i++) {
    const date = new Date(day);
    const isMonday = date.getUTCDay() === 1;
    if (cadence === 'daily' || isMonday) {
      const dueAt = instantOf(date.getUTCFullYear(), date.getUTCMonth() + 1, date.getUTCDate(), hour, zone);
      if (dueAt.getTime() > after.getTime()) {
        return { cadence, period: `${cadence}:${date.toISOString().slice(0, 10)}`, dueAt };
      }
    }
    day += DAY_MS;
  }
  throw new Error('no digest slot within nine days');
}

/** The instant of a local wall-clock time in `zone` (the later one when a DST change repeats it). */
export function instantOf(year: number, month: number, day: number, hour: number, zone: string): Date {
  const wall = Date.UTC(year, month - 1, day, hour, 0, 0);
  // Guess with the offset at the wall time read as UTC, then correct once for a DST change in between.
  let instant = wall - utcOffsetMinutes(wall, zone) * 60_000;
  instant = wall - utcOffsetMinutes(instant, zone) * 60_000;
  return new Date(instant);
}
