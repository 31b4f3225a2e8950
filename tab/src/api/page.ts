/** A page of a cursor-paginated list (src/db/pagination.ts): pass `nextCursor` back as `cursor`. */
export interface Page<T> {
  items: T[];
  nextCursor?: string;
}

/** Options every list call takes. */
export interface PageOptions {
  cursor?: string;
  limit?: number;
  signal?: AbortSignal;
}
