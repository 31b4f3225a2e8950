/** The moderation API's input and output as zod schemas. */
import { z } from 'zod';
import { objectIdString, pageQuery, userIdString } from '../http/api-schemas.js';
import { REPORT_REASONS, REPORT_STATUSES, REPORT_TARGETS } from './report.model.js';

export const createReportSchema = z
  .object({
    targetType: z.enum(REPORT_TARGETS),
    /** A discussion or reply id, or a person's user id. */
    targetId: z.string().min(1).max(64),
    reason: z.enum(REPORT_REASONS),
    text: z.string().trim().max(1000, { error: 'at most 1000 characters' }).optional(),
    /** For a person: the community where it happened (its managers handle it); without it, organisation admins do. */
    communityId: objectIdString.optional(),
  })
  .strict()
  .superRefine((v, ctx) => {
    if (v.targetType !== 'person' && !/^[0-9a-f]{24}$/i.test(v.targetId)) ctx.addIssue({ code: 'custom', path: ['targetId'], message: 'must be an id of 24 hexadecimal characters' });
    if (v.targetType === 'person' && !userIdString.safeParse(v.targetId).success) ctx.addIssue({ code: 'custom', path: ['targetId'], message: 'must be a user id' });
    if (v.reason === 'other' && !v.text) ctx.addIssue({ code: 'custom', path: ['text'], message: 'say what is wrong' });
  });
export type CreateReportInput = z.output<typeof createReportSchema>;

export const listReportsQuery = z
  .object({
    status: z.enum(REPORT_STATUSES).default('open'),
    communityId: objectIdString.optional(),
    ...pageQuery,
  })
  .strict();
export type ListReportsQuery = z.output<typeof listReportsQuery>;

export const updateReportSchema = z.object({ status: z.enum(['resolved', 'dismissed']) }).strict();

export const reportView = z
  .object({
    id: z.string(),
    communityId: z.string().nullable(),
    targetType: z.enum(REPORT_TARGETS),
    targetId: z.string(),
    targetAuthorId: z.string().nullable(),
    reporterId: z.string(),
    reason: z.enum(REPORT_REASONS),
    text: z.string().nullable(),
    status: z.enum(REPORT_STATUSES),
    reportCount: z.number().int().meta({ description: 'Open reports of the same target' }),
    targetHidden: z.boolean(),
    createdAt: z.string(),
  })
  .meta({ id: 'Report' });
export type ReportView = z.output<typeof reportView>;

export const hiddenView = z.object({ hidden: z.boolean(), hiddenReason: z.string().nullable() });
