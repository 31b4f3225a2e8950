/**
 * @mentions in the composer: finding the `@name` being typed, and which of the people picked
 * from the list are still mentioned when the text is posted (their ids go to the API, which
 * notifies only those who may read the discussion).
 */

/** Someone picked in the mention list. */
export interface Mention {
  id: string;
  name: string;
}

/** The `@query` just before the caret, if the user is typing one. */
export function mentionQueryAt(text: string, caret: number): { start: number; query: string } | undefined {
  const match = /(^|\s)@([\p{L}\p{N}][\p{L}\p{N}.' -]{0,39})$/u.exec(text.slice(0, caret));
  if (!match) return undefined;
  const query = match[2]!;
  // A name may have spaces, but two spaces in a row (or a trailing one) end the mention.
  if (/\s{2}|\s$/.test(query)) return undefined;
  return { start: caret - query.length - 1, query };
}

/** The people picked whose `@Name` is still in the text: the ones to notify. */
export function mentionsIn(text: string, picked: readonly Mention[]): Mention[] {
  const seen = new Set<string>();
  return picked.filter((m) => {
    if (seen.has(m.id) || !text.includes(`@${m.name}`)) return false;
    seen.add(m.id);
    return true;
  });
}
