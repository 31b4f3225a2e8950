/**
 * Events for the search, read from the events capability's model: the events of the
 * communities whose content the actor may read, and the organisation-wide ones (for guests
 * only those that admit guests), not cancelled. Matched with the same text analysis as the
 * search entries; events are few per tenant, so they are matched here instead of indexed.
 * The names of files attached to an event find it as a discussion's do (weighted like its title).
 */
import { attachedFileNames } from '../attachments/attachments.port.js';
import type { Actor } from '../auth/actor.js';
import { markdownToText } from '../content/markdown.js';
import { latestEventsOf, type EventRecord } from '../events/events.port.js';
import { searchKeys, type QueryWord } from '../search-index/text-analysis.js';
import { derivedOnce, readCache } from '../db/read-cache.js';
import { stampScope } from '../db/version-stamps.js';

export interface EventCandidate {
  id: string;
  title: string;
  snippet: string;
  communityId: string | null;
  at: Date;
  /** Per query word: 0 no match, 1 in the description, 3 in the title. */
  weights: number[];
}

/**
 * How many events a search looks at: the latest by start. A municipality holds a few hundred
 * sessions a year; the bound keeps a search's cost fixed however long Meent has run.
 */
export const MAX_EVENTS_SEARCHED = 1000;

/** What matching needs of an event, derived once per cached list of events: Markdown is parsed and words stemmed once, not on every search. */
interface SearchableEvent {
  event: EventRecord;
  text: string;
  /** Keys of the title and of the attached files' names (weighted like a title). */
  strong: ReadonlySet<string>;
  /** Those and the description's and location's keys. */
  all: ReadonlySet<string>;
}

interface CachedEvents {
  events: readonly EventRecord[];
  /** Attached files' names per event id. */
  files: Readonly<Record<string, readonly string[]>>;
}

/**
 * The tenant's latest events and their files' names, through the read cache: any write of an
 * event or an attachment of the tenant renews it (version stamps, src/db/read-cache.ts). Who may
 * see which is decided per request, below.
 */
async function latestEventsWithFiles(tenantId: string): Promise<CachedEvents> {
  const scopes = [stampScope.tenantEvents(tenantId), stampScope.wholeModel('Event'), stampScope.tenantAttachments(tenantId), stampScope.wholeModel('Attachment')];
  return readCache().get(`search-events:${tenantId}:${MAX_EVENTS_SEARCHED}`, scopes, async () => {
    const events = await latestEventsOf(tenantId, MAX_EVENTS_SEARCHED);
    const files = await attachedFileNames(
      'event',
      events.map((e) => e._id),
    );
    return { events, files: Object.fromEntries(files) };
  });
}

/** The events' search keys, once per cached version of the list (a new list after a write gets new keys). */
const searchableOf = derivedOnce((cached: CachedEvents): SearchableEvent[] =>
  cached.events.map((event) => {
    const text = markdownToText(event.description?.source ?? '');
    const strong = new Set([...searchKeys(event.title), ...searchKeys(...(cached.files[String(event._id)] ?? []))]);
    return { event, text, strong, all: new Set([...strong, ...searchKeys(text, event.location?.name)]) };
  }),
);

export async function matchingEvents(actor: Actor, words: QueryWord[], readable: Set<string>): Promise<EventCandidate[]> {
  const found: EventCandidate[] = [];
  for (const { event: e, text, strong, all } of searchableOf(await latestEventsWithFiles(actor.tenantId))) {
    const communityId = e.communityId ? String(e.communityId) : null;
    // Being listed as an organiser adds nothing: an organiser's rights hold only while these rules admit them (events.policy.ts).
    if (!(actor.isOrgAdmin || (communityId ? readable.has(communityId) : !actor.isGuest || e.guestsAllowed === true))) continue;
    const weights = words.map((w) => (w.keys.some((k) => strong.has(k)) ? 3 : w.keys.some((k) => all.has(k)) ? 1 : 0));
    if (weights.some((x) => x > 0)) found.push({ id: String(e._id), title: e.title, snippet: text.slice(0, 300), communityId, at: e.start, weights });
  }
  return found;
}
