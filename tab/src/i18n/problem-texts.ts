/**
 * The reader's text for a problem code or a field code the API answers (the `problem.*` and
 * `field.*` messages). Pure, so the API client can put field messages in the reader's language
 * as it reads a problem; test/errors/problem-codes.test.ts checks every code has both texts.
 */
import { en, type MessageKey } from './en.js';
import { nl } from './nl.js';
import type { Language } from './translator.js';

function lookup(key: string, language: string | undefined): string | undefined {
  if (!Object.hasOwn(en, key)) return undefined;
  const catalogue = language?.toLowerCase().startsWith('nl') ? nl : en;
  return catalogue[key as MessageKey];
}

/** What a problem code means, in the reader's language; undefined for a code this tab does not know. */
export function problemText(code: string, language: Language | string | undefined): string | undefined {
  return lookup(`problem.${code}`, language);
}

/**
 * What a field code means, in the reader's language; undefined for a code this tab does not
 * know. A size code with its bound names the number ("At most 20,000 characters.").
 */
export function fieldText(code: string | undefined, language: Language | string | undefined, bound?: { limit: number; unit?: 'characters' | 'items' | undefined }): string | undefined {
  if (code === undefined) return undefined;
  if (bound && (code === 'too_big' || code === 'too_small')) {
    const text = lookup(`field.${code}.${bound.unit ?? 'number'}`, language);
    const locale = language?.toLowerCase().startsWith('nl') ? 'nl-NL' : 'en-GB';
    if (text) return text.replace('{limit}', new Intl.NumberFormat(locale).format(bound.limit));
  }
  return lookup(`field.${code}`, language);
}
