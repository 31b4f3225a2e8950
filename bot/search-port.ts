/**
 * The bot's SearchPort over the search service, which already leaves out whatever the actor
 * may not see (secret communities, closed ones' content, hidden items). A reply found is
 * shown as its discussion (the bot has no card for a single reply), once.
 */
import type { Actor } from '../src/auth/actor.js';
import { parseOrThrow } from '../src/http/api-spec.js';
import { searchQuery, type SearchHitView } from '../src/search/search.schemas.js';
import type { SearchService } from '../src/search/search.service.js';
import type { SearchHit, SearchPort } from './ports.js';

const SUBTITLE_LENGTH = 160;
/** The search service's page limit (search.schemas.ts). */
const MAX_PAGE = 50;

export class ServiceSearchPort implements SearchPort {
  constructor(private readonly deps: { search: Pick<SearchService, 'search'> }) {}

  async search(actor: Actor, query: string, limit: number): Promise<SearchHit[]> {
    // Replies fold into their discussions, so ask for more than will be shown.
    const parsed = parseOrThrow(searchQuery, { q: query.slice(0, 200), limit: Math.min(MAX_PAGE, Math.max(1, limit * 2)) }, 'query');
    const result = await this.deps.search.search(actor, parsed);
    const seen = new Set<string>();
    const hits: SearchHit[] = [];
    for (const item of result.items) {
      const hit = toHit(item);
      if (!hit || seen.has(`${hit.kind}:${hit.id}`)) continue;
      seen.add(`${hit.kind}:${hit.id}`);
      hits.push(hit);
      if (hits.length === limit) break;
    }
    return hits;
  }
}

export function toHit(item: SearchHitView): SearchHit | null {
  const subtitle = (...parts: (string | null)[]) => shorten(parts.filter((p): p is string => typeof p === 'string' && p.trim() !== '').join(' · '));
  switch (item.type) {
    case 'discussion':
      return { kind: 'discussion', id: item.id, title: item.title, subtitle: subtitle(item.communityName, item.snippet) };
    case 'reply':
      return item.discussionId ? { kind: 'discussion', id: item.discussionId, title: item.title, subtitle: subtitle(item.communityName, item.snippet) } : null;
    case 'event':
      return { kind: 'event', id: item.id, title: item.title, subtitle: subtitle(item.communityName, item.snippet) };
    case 'community':
      return { kind: 'community', id: item.id, title: item.title, subtitle: subtitle(item.snippet) };
    case 'person':
      return { kind: 'person', id: item.id, title: item.title, subtitle: subtitle(item.snippet) };
    case 'consultation':
      // The message extension has no consultation card (yet): the tab and the bot's own cards show them.
      return null;
  }
}

function shorten(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > SUBTITLE_LENGTH ? `${flat.slice(0, SUBTITLE_LENGTH - 1)}…` : flat;
}
