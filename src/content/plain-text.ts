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

/** The first text in `value` (a string, or a property name) the store cannot keep, with its path. Iterative: input may nest deeply. */
export function unstorableTextIn(value: unknown, where: string): { path: string; message: string; code: 'unstorable_text' } | undefined {
  interface Visit {
    value: unknown;
    key: string;
    parent?: Visit;
  }
  const pathOf = (visit: Visit): string => {
    const keys: string[] = [];
    for (let at: Visit | undefined = visit; at; at = at.parent) keys.unshift(at.key);
    return keys.length > 12 ? `${keys.slice(0, 12).join('.')}...` : keys.join('.');
  };
  const stack: Visit[] = [{ value, key: where }];
  for (let visit = stack.pop(); visit; visit = stack.pop()) {
    if (typeof visit.value === 'string') {
      const fault = unstorableText(visit.value);
      if (fault) return { path: pathOf(visit), message: fault, code: 'unstorable_text' };
    } else if (typeof visit.value === 'object' && visit.value !== null) {
      for (const [key, child] of Object.entries(visit.value)) {
        const next: Visit = { value: child, key, parent: visit };
        const fault = unstorableText(key);
        if (fault) return { path: pathOf(next), message: `the name ${fault}`, code: 'unstorable_text' };
        stack.push(next);
      }
    }
  }
  return undefined;
}
