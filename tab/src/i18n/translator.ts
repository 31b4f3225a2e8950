/**
 * Turns message ids into text in the user's language, and dates and times into text in the
 * user's locale and time zone. Pure (no React), so it can be tested on its own.
 */
import { en, englishCatalogue, type Catalogue, type MessageKey, type PlaceholderNames } from './en.js';
import { nl } from './nl.js';
import { languageForLocale, type Language } from '../../../src/content/language.js';

export type { Language };

const catalogues: Record<Language, Catalogue> = { en: englishCatalogue, nl };

/** Message ids with a `.one` and an `.other` form, e.g. `event.seatsLeft` (see `tp`). */
export type PluralKey = { [K in MessageKey]: K extends `${infer Base}.other` ? (`${Base}.one` extends MessageKey ? Base : never) : never }[MessageKey];

/** Message ids without placeholders: a component can take one and translate it itself. */
export type PlainKey = { [K in MessageKey]: [PlaceholderNames<(typeof en)[K]>] extends [never] ? K : never }[MessageKey];

/** The values a message needs: none, or one per placeholder. */
export type MessageArgs<K extends MessageKey> = [PlaceholderNames<(typeof en)[K]>] extends [never] ? [] : [values: Record<PlaceholderNames<(typeof en)[K]>, string | number>];

export interface Translator {
  readonly language: Language;
  /** The BCP 47 tag used to format dates and numbers, e.g. `nl-NL`. */
  readonly locale: string;
  /** The IANA time zone dates and times are shown in. */
  readonly timeZone: string;
  t<K extends MessageKey>(key: K, ...args: MessageArgs<K>): string;
  /** A message that depends on a number: `<key>.one` or `<key>.other` by the language's plural rules; `{count}` is filled in. */
  tp(key: PluralKey, count: number, values?: Record<string, string | number>): string;
  formatDateTime(value: Date | string | number, options?: Intl.DateTimeFormatOptions): string;
  formatDate(value: Date | string | number): string;
  formatTime(value: Date | string | number): string;
}

/** Dutch for any Dutch locale (nl, nl-NL, nl-BE), otherwise English: the rule every surface uses (src/content/language.ts). */
export const languageFor: (locale: string | undefined) => Language = languageForLocale;

/** Teams reports locales in lower case (`nl-nl`); Intl wants the canonical form (`nl-NL`). */
export function canonicalLocale(locale: string | undefined, language: Language): string {
  if (locale) {
    try {
      const [canonical] = Intl.getCanonicalLocales(locale.trim());
      if (canonical && canonical.split('-')[0]!.toLowerCase() === language) return canonical;
    } catch {
      // Not a valid BCP 47 tag: fall back to the plain language below.
    }
  }
  return language;
}

function defaultTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone;
}

function toDate(value: Date | string | number): Date {
  return value instanceof Date ? value : new Date(value);
}

export function createTranslator(localeTag: string | undefined, timeZone: string = defaultTimeZone()): Translator {
  const language = languageFor(localeTag);
  const locale = canonicalLocale(localeTag, language);
  const messages = catalogues[language];
  const numbers = new Intl.NumberFormat(locale);
  const plurals = new Intl.PluralRules(locale);
  const formatters = new Map<string, Intl.DateTimeFormat>();
  const formatter = (options: Intl.DateTimeFormatOptions) => {
    const key = JSON.stringify(options);
    let f = formatters.get(key);
    if (!f) {
      f = new Intl.DateTimeFormat(locale, { ...options, timeZone });
      formatters.set(key, f);
    }
    return f;
  };

  const fill = (message: string, values: Record<string, string | number> | undefined) => {
    if (!values) return message;
    return message.replace(/\{(\w+)\}/g, (whole, name: string) => {
      const value = values[name];
      if (value === undefined) return whole;
      return typeof value === 'number' ? numbers.format(value) : value;
    });
  };

  return {
    language,
    locale,
    timeZone,
    t(key, ...args) {
      return fill(messages[key], args[0] as Record<string, string | number> | undefined);
    },
    tp(key, count, values) {
      // Dutch and English have the same two forms; other categories fall back to "other".
      const form = plurals.select(count) === 'one' ? 'one' : 'other';
      return fill(messages[`${key}.${form}` as MessageKey], { ...values, count });
    },
    formatDateTime(value, options = { dateStyle: 'full', timeStyle: 'short' }) {
      return formatter(options).format(toDate(value));
    },
    formatDate(value) {
      return formatter({ dateStyle: 'long' }).format(toDate(value));
    },
    formatTime(value) {
      return formatter({ timeStyle: 'short' }).format(toDate(value));
    },
  };
}
