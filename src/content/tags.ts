/**
 * Tags on communities, discussions and profiles (expertise, interests): trimmed, lower case,
 * inner white space collapsed, at most 40 characters, no duplicates, at most 20. Accents are
 * kept for display; search folds them (src/search-index/text-analysis.ts).
 */
import { z } from 'zod';
import { hasControlCharacter } from './plain-text.js';

export const MAX_TAGS = 20;
export const MAX_TAG_LENGTH = 40;

export function normalizeTag(tag: string): string {
  return tag.normalize('NFC').trim().replace(/\s+/g, ' ').toLowerCase();
}

export function normalizeTags(tags: readonly string[]): string[] {
  return [...new Set(tags.map(normalizeTag).filter((t) => t.length > 0))];
}

/** A list of tags in an API body. */
export const tagListSchema = z
  .array(
    z
      .string()
      .max(MAX_TAG_LENGTH, { error: `a tag has at most ${MAX_TAG_LENGTH} characters` })
      .regex(/^[^<>{}$]*$/, { error: 'a tag cannot hold <, >, {, } or $' })
      .refine((v) => !hasControlCharacter(v), { error: 'a tag cannot hold control characters', params: { fieldCode: 'control_characters' } }),
  )
  .max(MAX_TAGS, { error: `at most ${MAX_TAGS} tags` })
  .transform(normalizeTags);
