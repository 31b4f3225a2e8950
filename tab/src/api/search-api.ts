/** `GET /api/v1/search?q=`: discussions, events, communities and people I may see. */
import type { ApiClient } from './api-client.js';

export type SearchKind = 'discussion' | 'event' | 'community' | 'person';

export interface SearchHit {
  kind: SearchKind;
  id: string;
  title: string;
  /** A short plain-text excerpt. */
  snippet: string;
  /** When it happened or starts (events). */
  at: string | null;
}

type Raw = Record<string, unknown>;
const record = (v: unknown): Raw => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Raw) : {});
const KINDS: Record<string, SearchKind> = { discussion: 'discussion', discussions: 'discussion', reply: 'discussion', event: 'event', events: 'event', community: 'community', communities: 'community', person: 'person', people: 'person', user: 'person' };

function readHit(value: unknown, kindHint?: SearchKind): SearchHit | undefined {
  const raw = record(value);
  const kind = KINDS[String(raw.type ?? raw.kind ?? '')] ?? kindHint;
  // A reply points at its discussion.
  const id = kind === 'discussion' && typeof raw.discussionId === 'string' ? raw.discussionId : typeof raw.id === 'string' ? raw.id : undefined;
  if (!kind || !id) return undefined;
  const title = [raw.title, raw.name, raw.displayName].find((v): v is string => typeof v === 'string') ?? '';
  const snippet = [raw.snippet, raw.excerpt, raw.summary].find((v): v is string => typeof v === 'string') ?? '';
  const at = [raw.start, raw.at, raw.lastActivityAt, raw.createdAt].find((v): v is string => typeof v === 'string') ?? null;
  return { kind, id, title, snippet, at };
}

/** Accepts `{ items: [{ type, ... }] }` or results grouped by kind (`{ discussions: [...], ... }`). */
export function readSearchResults(value: unknown): SearchHit[] {
  const raw = record(value);
  if (Array.isArray(raw.items)) return raw.items.flatMap((v) => readHit(v) ?? []);
  const groups: Array<[string, SearchKind]> = [
    ['communities', 'community'],
    ['discussions', 'discussion'],
    ['events', 'event'],
    ['people', 'person'],
  ];
  const source = Object.keys(record(raw.results)).length > 0 ? record(raw.results) : raw;
  return groups.flatMap(([key, kind]) => {
    const list = source[key];
    const items = Array.isArray(list) ? list : Array.isArray(record(list).items) ? (record(list).items as unknown[]) : [];
    return items.flatMap((v) => readHit(v, kind) ?? []);
  });
}

export async function search(api: ApiClient, q: string, signal?: AbortSignal): Promise<SearchHit[]> {
  return readSearchResults(await api.get<unknown>('/search', { query: { q }, signal }));
}
