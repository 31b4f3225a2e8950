/**
 * Teams single sign-on: the host gives the tab an access token for the Meent API
 * (audience `ENTRA_APP_ID_URI`), which the API validates.
 * https://learn.microsoft.com/en-us/microsoftteams/platform/tabs/how-to/authentication/tab-sso-code
 */
import { authentication } from '@microsoft/teams-js';
import { ApiProblem } from '../api/api-problem.js';

/** Asks Teams for a token; a refusal becomes an `ApiProblem` the error UI understands. */
export async function getTeamsSsoToken(): Promise<string> {
  try {
    return await authentication.getAuthToken();
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    // Teams answers `resourceRequiresConsent` when the user has not consented to the app yet.
    const code = /consent/i.test(reason) ? 'consent_required' : 'sso_failed';
    throw new ApiProblem({ status: 0, code, detail: reason });
  }
}
