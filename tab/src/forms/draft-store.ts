/**
 * Unsent text kept for the visit (sessionStorage), so a failed post or a wander to another
 * page loses nothing. Inside Teams the tab is a third-party frame, where the browser may deny
 * storage altogether (reading `sessionStorage` then throws): the draft then lives in memory only.
 */
function storage(): Storage | undefined {
  try {
    return window.sessionStorage;
  } catch {
    return undefined;
  }
}

export function loadDraft(key: string): string {
  try {
    return storage()?.getItem(key) ?? '';
  } catch {
    return '';
  }
}

export function saveDraft(key: string, text: string): void {
  try {
    const store = storage();
    if (!store) return;
    if (text) store.setItem(key, text);
    else store.removeItem(key);
  } catch {
    // Quota or policy: the draft stays in memory only.
  }
}
