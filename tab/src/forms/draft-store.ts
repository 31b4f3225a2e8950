/**
 * Unsent text kept for the visit (sessionStorage), so a failed post or a wander to another
 * page loses nothing; or kept on the device (localStorage, `{ keep: true }`), for what must
 * outlast the tab being closed: a half-filled questionnaire, an anonymous response's key.
 * Inside Teams the tab is a third-party frame, where the browser may deny storage altogether
 * (reading `sessionStorage` then throws; Chromium does so when third-party cookies are blocked,
 * as in a private window): the draft then lives in memory, for as long as the page does.
 */
export interface DraftPlace {
  /** localStorage instead of sessionStorage. */
  keep?: boolean;
}

function storage({ keep = false }: DraftPlace): Storage | undefined {
  try {
    return keep ? window.localStorage : window.sessionStorage;
  } catch {
    return undefined;
  }
}

/** Where drafts go when the browser keeps none: this page's memory. */
const inMemory = new Map<string, string>();

export function loadDraft(key: string, place: DraftPlace = {}): string {
  try {
    const store = storage(place);
    if (store) return store.getItem(key) ?? inMemory.get(key) ?? '';
  } catch {
    // Denied: fall back to memory below.
  }
  return inMemory.get(key) ?? '';
}

export function saveDraft(key: string, text: string, place: DraftPlace = {}): void {
  if (text) inMemory.set(key, text);
  else inMemory.delete(key);
  try {
    const store = storage(place);
    if (!store) return;
    if (text) store.setItem(key, text);
    else store.removeItem(key);
  } catch {
    // Quota or policy: the draft stays in memory only.
  }
}

/** A structured draft (JSON); undefined when there is none or it cannot be read. */
export function loadJsonDraft(key: string, place: DraftPlace = {}): unknown {
  const text = loadDraft(key, place);
  if (!text) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** Keeps `value` as JSON; undefined removes the draft. */
export function saveJsonDraft(key: string, value: unknown, place: DraftPlace = {}): void {
  saveDraft(key, value === undefined ? '' : JSON.stringify(value), place);
}
