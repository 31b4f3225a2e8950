/**
 * Reading a whole Graph collection: Graph pages its lists and puts the next page's URL in
 * `@odata.nextLink`, which is opaque and must be followed as given
 * (https://learn.microsoft.com/en-us/graph/paging).
 */
import type { GraphRequest } from '@microsoft/microsoft-graph-client';
import type { GraphClient } from './graph-client.js';
import { GraphUnavailableError, withGraphErrors } from './graph-errors.js';

export interface ListAllResult<T> {
  items: T[];
  /** False when the page cap stopped the walk before Graph ran out of pages. */
  complete: boolean;
}

export interface ListAllOptions {
  /** Pages to read at most (the first included); default 50. */
  maxPages?: number;
}

interface GraphPage {
  value: unknown[];
  '@odata.nextLink'?: string;
}

/**
 * Follow `@odata.nextLink` from `first` until the last page or `maxPages`. Items are Graph's
 * wire objects; the caller maps them (in its one mapping function) to domain values.
 */
export async function listAll<T>(graph: GraphClient, first: GraphRequest, options: ListAllOptions = {}): Promise<ListAllResult<T>> {
  const maxPages = options.maxPages ?? 50;
  if (!Number.isInteger(maxPages) || maxPages < 1) throw new RangeError('maxPages must be an integer of at least 1');
  const items: T[] = [];
  let request: GraphRequest = first;
  for (let page = 1; ; page++) {
    const body: unknown = await withGraphErrors(() => request.get());
    if (!isPage(body)) throw new GraphUnavailableError(undefined, 'graph_unavailable', 'Microsoft 365 answered with something Meent does not understand.');
    items.push(...(body.value as T[]));
    const next = body['@odata.nextLink'];
    if (next === undefined) return { items, complete: true };
    if (page >= maxPages) return { items, complete: false };
    // The link carries our bearer token when followed: only ever to the Graph we were given.
    if (!next.startsWith(`${graph.root}/`)) {
      throw new GraphUnavailableError(undefined, 'graph_unavailable', 'Microsoft 365 answered with something Meent does not understand.');
    }
    request = graph.api(next);
  }
}

function isPage(body: unknown): body is GraphPage {
  if (typeof body !== 'object' || body === null) return false;
  const page = body as Record<string, unknown>;
  const next = page['@odata.nextLink'];
  return Array.isArray(page.value) && (next === undefined || typeof next === 'string');
}
