/** Rules for plain-text fields (names, titles, tags): no control characters. */

/** Whether text holds a control character (C0 or DEL). */
export function hasControlCharacter(value: string): boolean {
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    if (code < 0x20 || code === 0x7f) return true;
  }
  return false;
}

/** A UTF-16 surrogate without its partner: not a Unicode character, and UTF-8 has no bytes for it. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * Why the store cannot keep text as it was sent, if it cannot: U+0000 (PostgreSQL, under
 * FerretDB, refuses it in a document, so the write fails) or a lone surrogate (the driver's
 * UTF-8 turns it into U+FFFD, so other text is stored than was accepted).
 */
export function unstorableText(value: string): string | undefined {
  if (value.includes('\u0000')) return 'cannot hold the character U+0000';
  if (LONE_SURROGATE.test(value)) return 'is not well-formed Unicode (it holds a lone surrogate)';
  return undefined;
}
