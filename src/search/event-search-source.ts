/**
 * Events for the search, read from the events capability's model: the events of the
 * communities whose content the actor may read, and the organisation-wide ones (for guests
 * only those that admit guests), not cancelled. Matched with the same text analysis as the
 * search entries; events are few per tenant, so they are matched here instead of indexed.
 */
import type { Actor } from '../auth/actor.js';
import { markdownToText } from '../content/markdown.js';
import { eventsOf } from '../events/events.port.js';
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

export async function matchingEvents(actor: Actor, words: QueryWord[], readable: Set<string>): Promise<EventCandidate[]> {
  const events = await eventsOf(actor.tenantId);
  const found: EventCandidate[] = [];
  for (const e of events) {
    if (e.status === 'cancelled') continue;
    const communityId = e.communityId ? String(e.communityId) : null;
    // Being listed as an organiser adds nothing: an organiser's rights hold only while these rules admit them (events.policy.ts).
    const visible = actor.isOrgAdmin || (communityId ? readable.has(communityId) : !actor.isGuest || e.guestsAllowed === true);
    if (!visible) continue;
    const strong = new Set(searchKeys(e.title));
    const text = markdownToText(e.description?.source ?? '');
    const all = new Set([...strong, ...searchKeys(text, e.location?.name)]);
    const weights = words.map((w) => (w.keys.some((k) => strong.has(k)) ? 3 : w.keys.some((k) => all.has(k)) ? 1 : 0));
    if (weights.some((x) => x > 0)) found.push({ id: String(e._id), title: e.title, snippet: text.slice(0, 300), communityId, at: e.start, weights });
  }
  return found;
}
