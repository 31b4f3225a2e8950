/**
 * The consent prompt. When the API answers `consent_required` (or `interaction_required`,
 * `mfa_required`), Teams opens a pop-up on our own page (`#/auth/start`), which sends the
 * user to the server's consent route; the server's callback comes back to `#/auth/end`,
 * which reports the outcome to Teams.
 * https://learn.microsoft.com/en-us/microsoftteams/platform/tabs/how-to/authentication/auth-tab-aad
 */
import { authentication } from '@microsoft/teams-js';

/** The pop-up's first page, inside the tab (same origin, so Teams allows it). */
export function consentStartUrl(origin: string = window.location.origin, reason = 'consent_required'): string {
  return `${origin}/tab/index.html#/auth/start?reason=${encodeURIComponent(reason)}`;
}

/** The server route that starts the consent (or step-up sign-in) with Entra ID. */
export const SERVER_CONSENT_PATH = '/auth/consent';

/** Resolves true when the user consented, false when they closed or declined the pop-up. */
export async function askForConsent(reason = 'consent_required'): Promise<boolean> {
  try {
    await authentication.authenticate({ url: consentStartUrl(window.location.origin, reason), width: 600, height: 535 });
    return true;
  } catch {
    // Teams rejects with "CancelledByUser" or the reason given to notifyFailure.
    return false;
  }
}
