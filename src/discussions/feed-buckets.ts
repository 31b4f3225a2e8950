/**
 * Paging long lists by "buckets" of consecutive sequence numbers. FerretDB 1.24 hands only
 * equality filters to its backend and sorts and limits in its own process, so a
 * `find().sort().limit(20)` over a community with 2,000 discussions reads and sorts all
 * 2,000 (measured here: ~2.4 s). Every item in such a list gets a sequence number (from a
 * counter on its parent, raised with `atomicUpdate`) and a bucket `floor(seq / BUCKET_SIZE)`;
 * a page reads a bucket or two with an equality filter (`{ communityId, bucket }`) and
 * sorts those few itself. FerretDB's own indexes cannot answer even that equality (it asks
 * PostgreSQL for `_jsonb->'bucket' @> ...`, which a btree cannot answer), so PostgreSQL scans
 * the table unless the GIN indexes of src/db/ferretdb-postgres-indexes.ts are there; either
 * way the bucket spares FerretDB decoding and sorting every document of the community, its
 * largest cost (about 0.4 ms of CPU per discussion). Because positions only grow, a cursor
 * (the last sequence number shown) neither skips nor repeats items while new ones arrive.
 * On MongoDB the same queries use the compound indexes.
 */
export const BUCKET_SIZE = 50;

/** Sequence numbers start at 1: bucket 0 holds 1-50, bucket 1 holds 51-100, ... (a page of 50 is one bucket). */
export function bucketOf(seq: number): number {
  return Math.floor((seq - 1) / BUCKET_SIZE);
}

/** The lowest sequence number in a bucket. */
export function firstSeqOf(bucket: number): number {
  return bucket * BUCKET_SIZE + 1;
}

export interface SeqCursor {
  /** Show items with a sequence number strictly below (newest-first lists) or above (oldest-first) this. */
  seq: number;
}

export function encodeSeqCursor(seq: number): string {
  return Buffer.from(JSON.stringify({ s: seq })).toString('base64url');
}

export function decodeSeqCursor(cursor: string): SeqCursor | null {
  try {
    const parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { s?: unknown };
    if (typeof parsed.s === 'number' && Number.isInteger(parsed.s) && parsed.s >= 0 && parsed.s < 2 ** 31) return { seq: parsed.s };
    return null;
  } catch {
    return null;
  }
}
