/** The attachments API's input and output as zod schemas (also the OpenAPI document's). */
import { z } from 'zod';
import { hasControlCharacter } from '../content/plain-text.js';
import { MAX_ATTACHMENTS } from './attachment-limits.js';

const graphId = z
  .string({ error: 'must be text' })
  .trim()
  .min(1, { error: 'is required' })
  .max(300, { error: 'at most 300 characters' })
  .regex(/^[A-Za-z0-9!_.,:=+-]+$/, { error: 'is not a drive or item id' });

export const attachmentRefSchema = z.object({ driveId: graphId, itemId: graphId }).strict();

/** The `attachments` field of a post's create and edit input. */
export const attachmentRefsSchema = z.array(attachmentRefSchema).max(MAX_ATTACHMENTS, { error: `at most ${MAX_ATTACHMENTS} files per post` });

export const attachmentView = z
  .object({
    id: z.string(),
    name: z.string(),
    size: z.number().int(),
    mimeType: z.string().nullable(),
    webUrl: z.string().nullable().meta({ description: 'null when the file is no longer available' }),
    thumbnailUrl: z
      .string()
      .nullable()
      .meta({ description: "Meent's own thumbnail route for this file (same origin, GET with the API's credential: GET /attachments/{id}/thumbnail); null when the file has no thumbnail or is no longer available" }),
    lastModifiedAt: z.string().nullable(),
    author: z.object({ id: z.string(), displayName: z.string() }),
    available: z.boolean().meta({ description: 'false: the file vanished or access was revoked; show "no longer available"' }),
    driveId: z.string(),
    itemId: z.string(),
  })
  .meta({ id: 'Attachment' });

const fileName = z
  .string({ error: 'the name must be text' })
  .trim()
  .min(1, { error: 'a file name is required' })
  .max(250, { error: 'at most 250 characters' })
  .refine((v) => !hasControlCharacter(v) && !/["*:<>?/\\|]/.test(v), { error: 'cannot hold control characters or any of " * : < > ? / \\ |' });

export const startUploadSchema = z.object({ name: fileName, size: z.number().int().min(1, { error: 'the file is empty' }) }).strict();

export const uploadView = z
  .object({
    id: z.string(),
    name: z.string(),
    size: z.number().int(),
    nextOffset: z.number().int(),
    fragmentBytes: z.number().int().meta({ description: 'Send fragments of this many bytes (a multiple of 320 KiB), the last one shorter' }),
    done: z.boolean(),
    item: z.object({ driveId: z.string(), itemId: z.string() }).nullable(),
  })
  .meta({ id: 'Upload' });

export const driveItemView = z
  .object({
    driveId: z.string(),
    itemId: z.string(),
    name: z.string(),
    size: z.number().int(),
    mimeType: z.string().nullable(),
    folder: z.boolean(),
    webUrl: z.string(),
    lastModifiedAt: z.string().nullable(),
    thumbnailUrl: z.string().nullable(),
  })
  .meta({ id: 'DriveItem' });

export const browseQuery = z
  .object({
    q: z.string().trim().min(1).max(200).optional(),
    driveId: graphId.optional(),
    itemId: graphId.optional(),
  })
  .strict();

/** `Content-Range: bytes <start>-<end>/<total>` of a fragment. */
export function parseContentRange(value: string | undefined): { start: number; end: number; total: number } | null {
  const match = /^bytes (\d{1,15})-(\d{1,15})\/(\d{1,15})$/.exec(value ?? '');
  if (!match) return null;
  const [start, end, total] = [Number(match[1]), Number(match[2]), Number(match[3])];
  if (end < start || end >= total) return null;
  return { start, end, total };
}
