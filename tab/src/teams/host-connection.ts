/**
 * Finds out where the tab runs. Inside Teams (or Outlook / the Microsoft 365 app) the host
 * answers the SDK's `initialize` message; then the context says who the user is, which
 * language and theme they use, and which frame we are in (content, settings, sidePanel,
 * authentication). Outside Teams nothing answers: after a short wait, or at once with
 * `?inTeams=false`, the tab runs as a plain web page with the local sign-in.
 * https://learn.microsoft.com/en-us/microsoftteams/platform/tabs/how-to/using-teams-client-library
 */
import { app } from '@microsoft/teams-js';

/** Teams' theme names. */
export type HostTheme = 'default' | 'dark' | 'contrast';

export interface HostConnection {
  inTeams: boolean;
  /** The Teams context, when in Teams. */
  context: app.Context | undefined;
  /** `content`, `settings`, `sidePanel`, `authentication`, ...; undefined in the browser. */
  frameContext: string | undefined;
  /** BCP 47 locale of the user (Teams' UI language, or the browser's). */
  locale: string | undefined;
  /** The theme at start. */
  theme: HostTheme;
}

/** How long to wait for a host before running as a plain web page. */
export const HOST_TIMEOUT_MS = 2000;

export function toHostTheme(name: string | undefined): HostTheme {
  return name === 'dark' || name === 'contrast' ? name : 'default';
}

/** The theme a browser asks for: forced colours win, then the dark preference. */
export function browserTheme(win: Window = window): HostTheme {
  if (win.matchMedia('(forced-colors: active)').matches) return 'contrast';
  return win.matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'default';
}

function standalone(win: Window): HostConnection {
  return { inTeams: false, context: undefined, frameContext: undefined, locale: win.navigator.language, theme: browserTheme(win) };
}

function mayHaveHost(win: Window): boolean {
  if (new URLSearchParams(win.location.search).get('inTeams') === 'false') return false;
  // Framed (desktop and web), opened as a pop-up (authentication), or in a mobile web view.
  return win.parent !== win || Boolean(win.opener) || 'nativeInterface' in win;
}

export async function connectToHost(win: Window = window, timeoutMs = HOST_TIMEOUT_MS): Promise<HostConnection> {
  if (!mayHaveHost(win)) return standalone(win);
  let timer: number | undefined;
  const timedOut = new Promise<'timeout'>((resolve) => {
    timer = win.setTimeout(() => resolve('timeout'), timeoutMs);
  });
  try {
    const outcome = await Promise.race([app.initialize().then(() => 'initialized' as const), timedOut]);
    if (outcome === 'timeout') return standalone(win);
    const context = await app.getContext();
    return {
      inTeams: true,
      context,
      frameContext: context.page.frameContext,
      locale: context.app.locale || win.navigator.language,
      theme: toHostTheme(context.app.theme),
    };
  } catch {
    // No parent answered in the SDK's sense (e.g. a plain browser window opened by script).
    return standalone(win);
  } finally {
    win.clearTimeout(timer);
  }
}
