/** Rules for plain-text fields (names, titles, tags): no control characters. */

/** Whether text holds a control character (C0 or DEL). */
export function hasControlCharacter(value: string): boolean {
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    if (code < 0x20 || code === 0x7f) return true;
  }
  return false;
}
