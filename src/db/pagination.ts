/**
 * Keyset ("cursor") pagination, newest first. The cursor holds the sort value and `_id` of
 * the last item returned, so inserts made while someone pages never shift a page: no item
 * is skipped or repeated. Cursors are opaque to clients (base64url JSON) and validated.
 */
import mongoose, { Types, type QueryFilter, type Model } from 'mongoose';
import { z } from 'zod';
import { ValidationError } from '../errors/domain-errors.js';

export const MAX_PAGE_SIZE = 100;

export interface Page<T> {
  items: T[];
  /** Pass back as `cursor` to get the next page; absent on the last page. */
  nextCursor?: string;
}

const cursorSchema = z.object({ v: z.union([z.string(), z.number()]), id: z.string().regex(/^[0-9a-f]{24}$/) });

interface CursorPosition {
  value: Date | number;
  id: Types.ObjectId;
}

export function encodeCursor(value: Date | number, id: Types.ObjectId | string): string {
  const v = value instanceof Date ? value.toISOString() : value;
  return Buffer.from(JSON.stringify({ v, id: String(id) })).toString('base64url');
}

export function decodeCursor(cursor: string): CursorPosition {
  try {
    const parsed = cursorSchema.parse(JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')));
    const value = typeof parsed.v === 'string' ? new Date(parsed.v) : parsed.v;
    if (value instanceof Date && Number.isNaN(value.getTime())) throw new Error('bad date');
    return { value, id: new Types.ObjectId(parsed.id) };
  } catch {
    throw new ValidationError('The cursor is not valid; start again without one.', [{ path: 'query.cursor', message: 'invalid cursor' }], 'invalid_cursor');
  }
}

export interface PageOptions<T> {
  filter: QueryFilter<T>;
  /** A Date or number field; ties are broken by `_id`. Default `createdAt`. */
  sortField?: string;
  limit?: number;
  cursor?: string;
}

export async function findPage<T extends { _id: Types.ObjectId }>(model: Model<T>, options: PageOptions<T>): Promise<Page<T>> {
  const sortField = options.sortField ?? 'createdAt';
  const limit = Math.min(Math.max(options.limit ?? 20, 1), MAX_PAGE_SIZE);
  let filter: QueryFilter<T> = options.filter;
  if (options.cursor) {
    const at = decodeCursor(options.cursor);
    const after = {
      // sanitizeFilter is on for the whole process: operators we build ourselves are marked trusted.
      $or: [{ [sortField]: mongoose.trusted({ $lt: at.value }) }, { [sortField]: at.value, _id: mongoose.trusted({ $lt: at.id }) }],
    } as QueryFilter<T>;
    filter = { $and: [options.filter, after] } as QueryFilter<T>;
  }
  const docs = await model
    .find(filter)
    .sort({ [sortField]: -1, _id: -1 })
    .limit(limit + 1)
    .lean<T[]>();
  const items = docs.slice(0, limit);
  const last = items[items.length - 1];
  const more = docs.length > limit;
  const lastValue = last ? (last as Record<string, unknown>)[sortField] : undefined;
  return {
    items,
    ...(more && last && (lastValue instanceof Date || typeof lastValue === 'number') ? { nextCursor: encodeCursor(lastValue, last._id) } : {}),
  };
}
