/**
 * IANA time zones without a zone library: validation, wall-clock time of an instant in a
 * zone, and the zone's UTC-offset transitions in a span of time (for the VTIMEZONE of an
 * .ics). Everything comes from the runtime's own zone database through `Intl`.
 */

/** The default zone of events and digests (the product is Dutch). */
export const DEFAULT_TIME_ZONE = 'Europe/Amsterdam';

/** Whether `zone` is an IANA zone name the runtime knows (`UTC` included; bare abbreviations such as `CET` are not accepted). */
export function isIanaTimeZone(zone: string): boolean {
  if (typeof zone !== 'string' || zone.length === 0 || zone.length > 64) return false;
  if (zone !== 'UTC' && !zone.includes('/')) return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

export interface WallClock {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(zone: string): Intl.DateTimeFormat {
  let f = formatters.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(zone, f);
  }
  return f;
}

/** The wall-clock time at `instantMs` in `zone`. */
export function wallClock(instantMs: number, zone: string): WallClock {
  const parts = formatter(zone).formatToParts(new Date(instantMs));
  const get = (type: Intl.DateTimeFormatPartTypes) => Number(parts.find((p) => p.type === type)?.value ?? '0');
  return { year: get('year'), month: get('month'), day: get('day'), hour: get('hour'), minute: get('minute'), second: get('second') };
}

/** The zone's offset from UTC at `instantMs`, in minutes (Amsterdam in summer: 120). */
export function utcOffsetMinutes(instantMs: number, zone: string): number {
  const w = wallClock(instantMs, zone);
  const asUtc = Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second);
  return Math.round((asUtc - Math.floor(instantMs / 1000) * 1000) / 60_000);
}

export interface OffsetTransition {
  /** The first instant of the new offset. */
  atMs: number;
  fromMinutes: number;
  toMinutes: number;
}

const HOUR = 3_600_000;

/**
 * The offset changes of `zone` between `fromMs` and `toMs`. Offsets are sampled every twelve
 * hours (no zone in use changes twice within that) and each change is narrowed to the minute.
 */
export function offsetTransitions(zone: string, fromMs: number, toMs: number): OffsetTransition[] {
  const out: OffsetTransition[] = [];
  const step = 12 * HOUR;
  fromMs = Math.floor(fromMs / 60_000) * 60_000;
  let previousAt = fromMs;
  let previous = utcOffsetMinutes(fromMs, zone);
  for (let t = fromMs + step; t <= toMs + step; t += step) {
    const offset = utcOffsetMinutes(t, zone);
    if (offset !== previous) {
      // Narrow down: the last instant with the old offset and the first with the new one.
      let lo = previousAt;
      let hi = t;
      while (hi - lo > 60_000) {
        const mid = lo + Math.floor((hi - lo) / 2 / 60_000) * 60_000 || lo + 60_000;
        if (utcOffsetMinutes(mid, zone) === previous) lo = mid;
        else hi = mid;
      }
      out.push({ atMs: hi, fromMinutes: previous, toMinutes: offset });
      previous = offset;
    }
    previousAt = t;
  }
  return out.filter((tr) => tr.atMs >= fromMs && tr.atMs <= toMs);
}

const yearCache = new Map<string, OffsetTransition[]>();

/** The transitions of `zone` in a calendar year (UTC), cached: zones are few and years repeat. */
export function transitionsInYear(zone: string, year: number): OffsetTransition[] {
  const key = `${zone}:${year}`;
  let cached = yearCache.get(key);
  if (!cached) {
    cached = offsetTransitions(zone, Date.UTC(year, 0, 1), Date.UTC(year + 1, 0, 1) - 60_000);
    if (yearCache.size > 1000) yearCache.clear();
    yearCache.set(key, cached);
  }
  return cached;
}
