/**
 * Generated activity for demonstrations (local mode's demo seed, the tab's tests): days of
 * made-up visits by made-up pseudonymous visitors, rolled up by the same code as real events
 * (visits.ts) and stored as daily counters only. Deterministic (a seeded generator), so
 * writing it again writes the same counters.
 */
import { addDays, dayOf } from './analytics-day.js';
import { saveDay } from './analytics.repository.js';
import type { PageRoute } from './page-routes.js';
import { rollUpDay, type RawEvent } from './visits.js';

export interface ActivityPlace {
  communityId: string;
  discussionIds: readonly string[];
  eventIds: readonly string[];
}

export interface GeneratedActivityOptions {
  tenantId: string;
  places: readonly ActivityPlace[];
  /** The last day generated is the day of `until`. */
  until: Date;
  days: number;
  /** Visitors on a busy weekday at the end of the period (default 60); the start has half. */
  peakVisitors?: number;
  seed?: number;
}

/** Writes the daily counters of `days` generated days; answers how many days were written. */
export async function writeGeneratedActivity(options: GeneratedActivityOptions): Promise<number> {
  let state = options.seed ?? 16;
  const random = () => {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    return state / 2 ** 31;
  };
  const pick = <T>(list: readonly T[]): T | undefined => list[Math.floor(random() * list.length)];
  const last = dayOf(options.until);
  const peak = options.peakVisitors ?? 60;
  for (let n = options.days - 1; n >= 0; n--) {
    const day = addDays(last, -n);
    const weekday = new Date(`${day}T00:00:00Z`).getUTCDay();
    const growth = 0.5 + 0.5 * ((options.days - n) / options.days);
    const visitors = Math.round(peak * growth * (weekday === 0 || weekday === 6 ? 0.2 : 0.8 + random() * 0.4));
    const dayStart = Date.parse(`${day}T07:00:00Z`);
    const events: RawEvent[] = [];
    for (let v = 0; v < visitors; v++) {
      const visitor = `${day}-${v}-${Math.floor(random() * 1e9)}`.padEnd(32, '0').slice(0, 32);
      const guest = random() < 0.08;
      const visits = random() < 0.25 ? 2 : 1;
      let t = dayStart + random() * 4 * 3_600_000;
      for (let visit = 0; visit < visits; visit++) {
        const place = pick(options.places);
        const views = 2 + Math.floor(random() * 7);
        for (let i = 0; i < views; i++) {
          const route: PageRoute = i === 0 ? 'home' : (pick(['community', 'discussion', 'discussion', 'event', 'events', 'communities', 'search'] as const) ?? 'home');
          const objectId = !place ? null : route === 'community' ? place.communityId : route === 'discussion' ? (pick(place.discussionIds) ?? null) : route === 'event' ? (pick(place.eventIds) ?? null) : null;
          const communityId = objectId && place ? place.communityId : null;
          events.push({ at: new Date(t), visitor, guest, kind: 'view', communityId, page: objectId || !['community', 'discussion', 'event'].includes(route) ? route : 'home', objectId, action: null, source: null });
          t += (1 + random() * 4) * 60_000;
        }
        if (place && random() < 0.35) {
          const action = pick(['reply', 'reaction', 'reaction', 'signUp', 'search', 'discussionStarted'] as const) ?? 'reaction';
          events.push({ at: new Date(t), visitor, guest, kind: 'action', communityId: place.communityId, page: null, objectId: null, action, source: action === 'signUp' && random() < 0.4 ? 'card' : 'tab' });
        }
        if (place && random() < 0.1) events.push({ at: new Date(t), visitor, guest, kind: 'download', communityId: place.communityId, page: null, objectId: null, action: null, source: null });
        // The next visit starts after more than 30 minutes of quiet.
        t += (45 + random() * 240) * 60_000;
      }
    }
    await saveDay(options.tenantId, day, rollUpDay(events));
  }
  return options.days;
}
