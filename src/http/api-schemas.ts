/** zod pieces shared by the API's operations: ids, pages, cursors. */
import { z } from 'zod';
import { MAX_PAGE_SIZE } from '../db/pagination.js';

/** A MongoDB ObjectId in hex; anything else is a 400 before any lookup. */
export const objectIdString = z
  .string()
  .regex(/^[0-9a-f]{24}$/i, { error: 'must be an id of 24 hexadecimal characters' })
  .transform((v) => v.toLowerCase())
  .meta({ description: 'An id (24 hexadecimal characters)', example: '6650f1a2b3c4d5e6f7a8b9c0' });

/** A person's id: an Entra object id (GUID) or, in local mode, a demo id. */
export const userIdString = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9._:-]+$/, { error: 'must be a user id' })
  .meta({ description: 'A user id (the Entra object id)' });

export const idParams = z.object({ id: objectIdString }).strict();

export const pageQuery = {
  cursor: z.string().min(1).max(2048).optional().meta({ description: 'The `nextCursor` of the previous page' }),
  limit: z.coerce.number().int().min(1).max(MAX_PAGE_SIZE).optional().meta({ description: `Items per page (1-${MAX_PAGE_SIZE})` }),
};

export function pageOf<T extends z.ZodType>(item: T) {
  return z.object({ items: z.array(item), nextCursor: z.string().optional() });
}

/** "true"/"false" in a query string. */
export const queryBoolean = z.enum(['true', 'false']).transform((v) => v === 'true');

