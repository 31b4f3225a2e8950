/**
 * Reads every document a filter matches in `_id` order, through one cursor that hands them
 * out a batch at a time, so a long scan (a person's 10,000 replies in their data export) never
 * holds more than a batch in memory and gives the event loop back between batches.
 *
 * One query, not a query per page: FerretDB 1.24 hands only the filter's equalities to
 * PostgreSQL (https://docs.ferretdb.io/pushdown), not `_id > last`, the sort or the limit, so
 * each page query read every matching document again (10,000 replies exported in 35-45 s, the
 * work growing with the square of a person's rows). The cursor holds one of FerretDB's
 * PostgreSQL connections until it is exhausted or closed (see whole-results.ts); it is closed
 * when the reader stops early, and only a few scans at a time hold one (`MAX_OPEN_SCANS`).
 */
import mongoose, { type Model, type Types } from 'mongoose';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';

export const READ_PAGE_SIZE = 500;

/** The stored (lean) shape of a model's documents. */
export type RawDoc<M> = M extends Model<infer T, infer _Q, infer _M, infer _V, infer _H, infer _S> ? T & { _id: Types.ObjectId } : never;

/**
 * Scans that may hold a cursor at once in this process; more fall back to page queries, which
 * hold no connection between pages (slower on FerretDB, never stuck). Nested scans therefore
 * never wait for each other, and one process's scans hold at most this many of FerretDB's
 * PostgreSQL connections, well below its pool (see whole-results.ts for what happens when
 * cursors hold them all).
 */
export const MAX_OPEN_SCANS = 4;
let openScans = 0;

/** Documents written while the scan runs may or may not be among those read. */
export async function* pagedLean<M extends { modelName: string }>(model: M, filter: Record<string, unknown>, pageSize = READ_PAGE_SIZE): AsyncGenerator<RawDoc<M>> {
  if (openScans >= MAX_OPEN_SCANS) {
    yield* pageQueries(model, filter, pageSize);
    return;
  }
  openScans++;
  const cursor = (model as unknown as Model<RawDoc<M>>).find(filter).sort({ _id: 1 }).batchSize(pageSize).lean<RawDoc<M>[]>().cursor();
  try {
    let read = 0;
    for (let doc = await cursor.next(); doc !== null; doc = await cursor.next()) {
      yield doc as RawDoc<M>;
      if (++read % pageSize === 0) await yieldToEventLoop();
    }
  } finally {
    openScans--;
    await cursor.close().catch(() => undefined);
  }
}

/** The fallback: a query per page, after the last `_id` read (`filter` must not constrain `_id`). */
async function* pageQueries<M extends { modelName: string }>(model: M, filter: Record<string, unknown>, pageSize: number): AsyncGenerator<RawDoc<M>> {
  let after: unknown;
  for (;;) {
    const page = await (model as unknown as Model<RawDoc<M>>)
      .find(after === undefined ? filter : { ...filter, _id: mongoose.trusted({ $gt: after }) })
      .sort({ _id: 1 })
      .limit(pageSize)
      .lean<RawDoc<M>[]>();
    for (const doc of page) yield doc;
    const last = page[page.length - 1];
    if (page.length < pageSize || !last) return;
    after = last._id;
    await yieldToEventLoop();
  }
}
