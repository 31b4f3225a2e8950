/**
 * Reads every document a filter matches, a page at a time in `_id` order, so a long scan
 * (a person's 10,000 replies in their data export) never holds more than one page in memory
 * and gives the event loop back between pages.
 */
import mongoose, { type Model, type Types } from 'mongoose';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';

export const READ_PAGE_SIZE = 500;

/** The stored (lean) shape of a model's documents. */
export type RawDoc<M> = M extends Model<infer T, infer _Q, infer _M, infer _V, infer _H, infer _S> ? T & { _id: Types.ObjectId } : never;

/** `filter` must not constrain `_id` (the pages do). */
export async function* pagedLean<M extends { modelName: string }>(model: M, filter: Record<string, unknown>, pageSize = READ_PAGE_SIZE): AsyncGenerator<RawDoc<M>> {
  let after: unknown;
  for (;;) {
    const page = await (model as unknown as Model<RawDoc<M>>)
      .find(after === undefined ? filter : { ...filter, _id: mongoose.trusted({ $gt: after }) })
      .sort({ _id: 1 })
      .limit(pageSize)
      .lean<RawDoc<M>[]>();
    for (const doc of page) yield doc;
    if (page.length < pageSize) return;
    after = page[page.length - 1]!._id;
    await yieldToEventLoop();
  }
}
