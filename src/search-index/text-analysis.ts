/**
 * Turns text into search keys, the same way for documents and queries: fold case and
 * accents ("ë" -> "e", "ĳ" -> "ij"), split into words, drop Dutch and English stop words,
 * and stem every word with both the Dutch and the English stemmer (we do not know a text's
 * language, and many texts mix them), so "bemesting" and "bemesten" both give "bemest" and
 * "meetings" gives "meet". A document's keys are the union; a query word matches when any
 * of its keys is among them.
 */
import { dutchStem } from './dutch-stemmer.js';
import { englishStem } from './english-stemmer.js';

const MAX_WORD_LENGTH = 40;

const STOP_WORDS = new Set(
  [
    // Dutch
    'aan', 'al', 'alle', 'als', 'bij', 'dan', 'dat', 'de', 'den', 'der', 'des', 'deze', 'die', 'dit', 'doch', 'door', 'dus', 'een', 'en', 'er', 'ge',
    'had', 'heb', 'hebben', 'heeft', 'het', 'hier', 'hij', 'hoe', 'hun', 'ik', 'in', 'is', 'je', 'kan', 'kon', 'maar', 'me', 'met', 'mij', 'mijn',
    'na', 'naar', 'niet', 'niets', 'nog', 'nu', 'of', 'om', 'omdat', 'onder', 'ons', 'ook', 'op', 'over', 'te', 'tot', 'u', 'uit', 'uw', 'van',
    'veel', 'voor', 'want', 'was', 'wat', 'we', 'wel', 'werd', 'wie', 'wij', 'wil', 'worden', 'wordt', 'zal', 'ze', 'zich', 'zij', 'zijn', 'zo',
    'zou', 'zoals',
    // English
    'a', 'an', 'and', 'are', 'as', 'at', 'be', 'been', 'but', 'by', 'can', 'do', 'does', 'for', 'from', 'has', 'have', 'he', 'her', 'his', 'how',
    'i', 'if', 'into', 'it', 'its', 'me', 'my', 'no', 'not', 'on', 'or', 'our', 'she', 'so', 'than', 'that', 'the', 'their', 'them', 'then',
    'there', 'these', 'they', 'this', 'those', 'to', 'too', 'us', 'was', 'we', 'were', 'what', 'when', 'where', 'which', 'who', 'why', 'will',
    'with', 'you', 'your',
  ],
);

const SPECIAL_LETTERS: Record<string, string> = { ß: 'ss', æ: 'ae', ø: 'o', œ: 'oe', ł: 'l', đ: 'd', ð: 'd', þ: 'th', ı: 'i' };

/** Lower case without accents: "Gemeenteraadsvergadering Één" -> "gemeenteraadsvergadering een". */
export function foldText(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .replace(/[ßæøœłđðþı]/g, (c) => SPECIAL_LETTERS[c] ?? c);
}

/** The words of a text, folded, without stop words. */
export function words(text: string): string[] {
  return foldText(text)
    .split(/[^\p{L}\p{N}]+/u)
    .filter((w) => w.length >= 2 && w.length <= MAX_WORD_LENGTH && !STOP_WORDS.has(w));
}

/** The keys one word stands for (its Dutch and its English stem). */
export function keysOfWord(word: string): string[] {
  if (/^\p{N}+$/u.test(word)) return [word];
  const nl = dutchStem(word);
  const en = englishStem(word);
  return nl === en ? [nl] : [nl, en];
}

/** The distinct search keys of some texts (for storing with a document). */
export function searchKeys(...texts: Array<string | undefined | null>): string[] {
  const keys = new Set<string>();
  for (const text of texts) {
    if (!text) continue;
    for (const w of words(text)) for (const k of keysOfWord(w)) keys.add(k);
  }
  return [...keys];
}

export interface QueryWord {
  word: string;
  keys: string[];
}

/** A query's words and their keys, duplicates removed, at most `maxWords`. */
export function analyseQuery(query: string, maxWords = 8): QueryWord[] {
  const seen = new Set<string>();
  const result: QueryWord[] = [];
  for (const w of words(query)) {
    if (seen.has(w)) continue;
    seen.add(w);
    result.push({ word: w, keys: keysOfWord(w) });
    if (result.length >= maxWords) break;
  }
  return result;
}
