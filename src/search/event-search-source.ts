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

/** Plain text and keys of an event's description, kept per version of the event: Markdown is parsed once, not on every search. */
const described = new Map<string, { text: string; keys: string[] }>();
const MAX_DESCRIBED = 2 * MAX_EVENTS_SEARCHED;

function descriptionOf(e: EventRecord): { text: string; keys: string[] } {
  const version = `${String(e._id)}:${e.updatedAt?.getTime() ?? 0}`;
  let found = described.get(version);
  if (!found) {
    const text = markdownToText(e.description?.source ?? '');
    found = { text, keys: searchKeys(text, e.location?.name) };
    if (described.size >= MAX_DESCRIBED) described.delete(described.keys().next().value as string);
    described.set(version, found);
  }
  return found;
}

export async function matchingEvents(actor: Actor, words: QueryWord[], readable: Set<string>): Promise<EventCandidate[]> {
  const events = (await latestEventsOf(actor.tenantId, MAX_EVENTS_SEARCHED)).filter((e) => {
    const communityId = e.communityId ? String(e.communityId) : null;
    // Being listed as an organiser adds nothing: an organiser's rights hold only while these rules admit them (events.policy.ts).
    return actor.isOrgAdmin || (communityId ? readable.has(communityId) : !actor.isGuest || e.guestsAllowed === true);
  });
  // Only the events the actor may see: one query for their files.
  const files = await attachedFileNames(
    'event',
    events.map((e) => e._id),
  );
  const found: EventCandidate[] = [];
  for (const e of events) {
    const communityId = e.communityId ? String(e.communityId) : null;
    const strong = new Set([...searchKeys(e.title), ...searchKeys(...(files.get(String(e._id)) ?? []))]);
    const { text, keys } = descriptionOf(e);
    const all = new Set([...strong, ...keys]);
    const weights = words.map((w) => (w.keys.some((k) => strong.has(k)) ? 3 : w.keys.some((k) => all.has(k)) ? 1 : 0));
    if (weights.some((x) => x > 0)) found.push({ id: String(e._id), title: e.title, snippet: text.slice(0, 300), communityId, at: e.start, weights });
  }
  return found;
}
