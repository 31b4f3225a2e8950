/**
 * From one tenant's raw events of one day to that day's counters, by Matomo's definitions
 * (https://matomo.org/faq/general/faq_21418/, /faq_36/): a visit ends after 30 minutes
 * without an action; a unique page view counts a page (route and object) once per visit;
 * actions per visit are (page views + downloads + actions) / visits. A community's counters
 * count the visits that touched it, and within them only its own pages and actions.
 * Visitor hashes change every day, so a visit cannot run on past midnight: it ends there.
 */
import type { ActionKind, PageRoute } from './page-routes.js';
import { EVENT_ROUTES } from './page-routes.js';
import type { CounterName } from './daily-rollup.model.js';

/** A visit ends after this long without an action. */
export const VISIT_TIMEOUT_MS = 30 * 60_000;
/** How many objects a day's top keeps per scope. */
const TOP_PER_DAY = 20;

export interface RawEvent {
  at: Date;
  visitor: string;
  guest: boolean;
  kind: 'view' | 'download' | 'action';
  communityId: string | null;
  page: PageRoute | null;
  objectId: string | null;
  action: ActionKind | null;
  source: 'tab' | 'card' | null;
}

export type DayCounters = Record<CounterName, number>;
export interface TopItem {
  route: string;
  objectId: string;
  views: number;
}
export interface ScopeDay {
  counters: DayCounters;
  top: TopItem[];
}

const ACTION_COUNTER: Record<ActionKind, CounterName> = {
  reply: 'replies',
  reaction: 'reactions',
  discussionStarted: 'discussionsStarted',
  signUp: 'signUps',
  consultationAnswered: 'consultationAnswers',
  search: 'searches',
};

export function emptyCounters(): DayCounters {
  return {
    visitors: 0,
    guestVisitors: 0,
    visits: 0,
    pageViews: 0,
    uniquePageViews: 0,
    downloads: 0,
    actions: 0,
    eventPageVisits: 0,
    replies: 0,
    reactions: 0,
    discussionsStarted: 0,
    signUps: 0,
    signUpsFromCards: 0,
    consultationAnswers: 0,
    searches: 0,
  };
}

/** Splits one visitor's events (any order) into visits. */
export function visitsOf(events: readonly RawEvent[]): RawEvent[][] {
  const sorted = [...events].sort((a, b) => a.at.getTime() - b.at.getTime());
  const visits: RawEvent[][] = [];
  let current: RawEvent[] = [];
  let last = -Infinity;
  for (const e of sorted) {
    if (e.at.getTime() - last >= VISIT_TIMEOUT_MS && current.length > 0) {
      visits.push(current);
      current = [];
    }
    current.push(e);
    last = e.at.getTime();
  }
  if (current.length > 0) visits.push(current);
  return visits;
}

/** The day's counters per scope: `null` is the whole organisation, otherwise a community id. */
export function rollUpDay(events: readonly RawEvent[]): Map<string | null, ScopeDay> {
  const byVisitor = new Map<string, RawEvent[]>();
  for (const e of events) {
    const list = byVisitor.get(e.visitor);
    if (list) list.push(e);
    else byVisitor.set(e.visitor, [e]);
  }
  const scopes = new Map<string | null, { counters: DayCounters; views: Map<string, TopItem> }>();
  const scope = (id: string | null) => {
    let s = scopes.get(id);
    if (!s) {
      s = { counters: emptyCounters(), views: new Map() };
      scopes.set(id, s);
    }
    return s;
  };
  for (const visitorEvents of byVisitor.values()) {
    const guest = visitorEvents.some((e) => e.guest);
    const seenIn = new Set<string | null>();
    for (const visit of visitsOf(visitorEvents)) {
      const communities = new Set(visit.map((e) => e.communityId).filter((c): c is string => c !== null));
      for (const id of [null, ...communities]) {
        const mine = id === null ? visit : visit.filter((e) => e.communityId === id);
        const s = scope(id);
        countVisit(s.counters, mine, s.views);
        seenIn.add(id);
      }
    }
    for (const id of seenIn) {
      const c = scope(id).counters;
      c.visitors += 1;
      if (guest) c.guestVisitors += 1;
    }
  }
  const result = new Map<string | null, ScopeDay>();
  for (const [id, s] of scopes) {
    const top = [...s.views.values()].sort((a, b) => b.views - a.views || a.objectId.localeCompare(b.objectId)).slice(0, TOP_PER_DAY);
    result.set(id, { counters: s.counters, top });
  }
  return result;
}

function countVisit(c: DayCounters, events: readonly RawEvent[], views: Map<string, TopItem>): void {
  c.visits += 1;
  const pages = new Set<string>();
  let eventPage = false;
  for (const e of events) {
    if (e.kind === 'view' && e.page) {
      c.pageViews += 1;
      pages.add(`${e.page}:${e.objectId ?? ''}`);
      if (EVENT_ROUTES.includes(e.page)) eventPage = true;
      if (e.objectId && (e.page === 'discussion' || e.page === 'event')) {
        const key = `${e.page}:${e.objectId}`;
        const item = views.get(key) ?? { route: e.page, objectId: e.objectId, views: 0 };
        item.views += 1;
        views.set(key, item);
      }
    } else if (e.kind === 'download') {
      c.downloads += 1;
    } else if (e.kind === 'action' && e.action) {
      c.actions += 1;
      c[ACTION_COUNTER[e.action]] += 1;
      if (e.action === 'signUp' && e.source === 'card') c.signUpsFromCards += 1;
    }
  }
  c.uniquePageViews += pages.size;
  if (eventPage) c.eventPageVisits += 1;
}
