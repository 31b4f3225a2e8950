/**
 * The languages Meent speaks, decided once for every surface: a person whose locale is known
 * is answered in it (Dutch for any Dutch locale, English for any other, and for a client that
 * sends none); where nothing is known of the reader (a proactive card, a channel post, the
 * notification settings before anyone chose), Meent speaks Dutch, as a Dutch government product.
 * Plain TypeScript without imports: the tab uses it too.
 */
export const LANGUAGES = ['nl', 'en'] as const;
export type Language = (typeof LANGUAGES)[number];

/** The language when nothing is known of the reader. */
export const DEFAULT_LANGUAGE: Language = 'nl';

/** The language for a person's locale (`nl`, `nl-NL`, `nl-be` -> Dutch; anything else -> English). */
export function languageForLocale(locale: string | undefined): Language {
  return typeof locale === 'string' && /^nl(?![a-z])/i.test(locale.trim()) ? 'nl' : 'en';
}

/** A stored language choice, or the default when there is none. */
export function languageOrDefault(value: unknown): Language {
  return value === 'nl' || value === 'en' ? value : DEFAULT_LANGUAGE;
}
