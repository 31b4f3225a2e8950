/** The people directory and profile API's input and output, as zod schemas. */
import { z } from 'zod';
import { tagListSchema } from '../content/tags.js';
import { hasControlCharacter } from '../content/plain-text.js';
import { pageQuery, userIdString } from '../http/api-schemas.js';

const line = (max: number) =>
  z
    .string()
    .trim()
    .max(max, { error: `at most ${max} characters` })
    .regex(/^[^<>]*$/, { error: 'cannot hold < or >' })
    .refine((v) => !hasControlCharacter(v), { error: 'cannot hold control characters', params: { fieldCode: 'control_characters' } });

export const updateProfileSchema = z
  .object({
    organisation: line(200).nullable().optional(),
    function: line(200).nullable().optional(),
    expertise: tagListSchema.optional(),
    interests: tagListSchema.optional(),
    askMeAbout: z.string().trim().max(1000, { error: 'at most 1000 characters' }).nullable().optional(),
    languages: z
      .array(z.string().regex(/^[a-z]{2,3}(-[A-Z]{2})?$/, { error: 'a language code such as nl, en or fy' }))
      .max(10)
      .optional(),
  })
  .strict()
  .refine((v) => Object.values(v).some((x) => x !== undefined), { error: 'nothing to change' });
export type UpdateProfileInput = z.output<typeof updateProfileSchema>;

export const listPeopleQuery = z
  .object({
    q: z.string().max(200).optional().meta({ description: 'Words in the name, organisation, function or expertise' }),
    expertise: z.string().max(40).optional().meta({ description: 'A declared expertise (tag)' }),
    source: z
      .enum(['meent', 'directory'])
      .optional()
      .meta({ description: "`directory`: also the organisation's directory (Microsoft 365) by name, for people who never used Meent; one page, no cursor, `q` required" }),
    ...pageQuery,
  })
  .strict()
  .superRefine((query, ctx) => {
    if (query.source !== 'directory') return;
    if (!query.q?.trim()) ctx.addIssue({ code: 'custom', path: ['q'], message: 'a name to search for is required' });
    if (query.cursor !== undefined) ctx.addIssue({ code: 'custom', path: ['cursor'], message: 'the directory search answers one page' });
  });
export type ListPeopleQuery = z.output<typeof listPeopleQuery>;

export const expertsQuery = z
  .object({
    topic: z.string().trim().min(1, { error: 'a topic is required' }).max(40),
    limit: z.coerce.number().int().min(1).max(50).optional(),
  })
  .strict();

export const personParams = z.object({ id: userIdString }).strict();

export const personView = z
  .object({
    id: z.string(),
    displayName: z.string(),
    jobTitle: z.string().nullable(),
    department: z.string().nullable(),
    mail: z.string().nullable(),
    isGuest: z.boolean(),
    organisation: z.string().nullable(),
    function: z.string().nullable(),
    expertise: z.array(z.string()),
    interests: z.array(z.string()),
    askMeAbout: z.string().nullable(),
    languages: z.array(z.string()),
  })
  .meta({ id: 'Person' });
export type PersonView = z.output<typeof personView>;

export const expertView = z
  .object({
    person: personView,
    score: z.number(),
    declaredExpertise: z.boolean(),
    acceptedAnswers: z.number().int(),
    replies: z.number().int(),
  })
  .meta({ id: 'Expert' });
export type ExpertView = z.output<typeof expertView>;
