/**
 * The sign-in page of local mode (`AUTH_MODE=local`): a server-rendered page, in Dutch with
 * English alongside, listing the demo people; choosing one starts a session cookie and goes
 * on to the tab. Works without JavaScript and with a keyboard or screen reader alone.
 *
 *   GET  /auth/local            the page (?returnTo=/tab/...)
 *   POST /auth/local            person=<id>&returnTo=<path>  -> 303 to returnTo
 *   POST /auth/local/sign-out   -> 303 to the page
 */
import { Router, type Request } from 'express';
import { z } from 'zod';
import { AuthenticationFailedError } from '../auth/auth-errors.js';
import { ValidationError } from '../errors/domain-errors.js';
import { DEMO_ORGANISATION, DEMO_PEOPLE, findDemoPerson, type DemoPerson } from './demo-people.js';
import { actorForDemoPerson, assertSameOrigin, endSession, sessionPerson, SIGN_IN_PATH, startSession, withSignedCookies } from './local-session.js';
import type { Actor } from '../auth/actor.js';
import { clockOf } from '../time/clock.js';

export interface LocalSignInDeps {
  secret: string;
  publicUrl: string;
  adminRole: string;
  /** Called when someone signs in (records the person, audits a first sign-in). */
  onSignIn: (actor: Actor) => Promise<void>;
  now?: () => Date;
}

const DEFAULT_RETURN = '/tab/';

const signInForm = z.object({
  person: z.string().regex(/^[0-9a-f-]{36}$/),
  returnTo: z.string().max(512).optional(),
});

export function localSignInRouter(deps: LocalSignInDeps): Router {
  const router = Router();
  const now = clockOf(deps);
  const secure = new URL(deps.publicUrl).protocol === 'https:';

  router.get(
    SIGN_IN_PATH,
    withSignedCookies(deps.secret, (req, res) => {
      const current = currentPerson(req, now());
      res.setHeader('Cache-Control', 'no-store');
      res.type('html').send(renderPage(DEMO_PEOPLE, current, safeReturnTo(req.query.returnTo)));
    }),
  );

  router.post(
    SIGN_IN_PATH,
    withSignedCookies(deps.secret, async (req, res) => {
      assertSameOrigin(req, deps.publicUrl);
      const form = signInForm.safeParse(req.body);
      const person = form.success ? findDemoPerson(form.data.person) : undefined;
      if (!form.success || !person) {
        throw new ValidationError('Choose one of the demo people.', [{ path: 'body.person', message: 'must be one of the demo people' }], 'unknown_demo_person');
      }
      await deps.onSignIn(actorForDemoPerson(person, deps.adminRole));
      startSession(res, person, secure, now());
      res.redirect(303, safeReturnTo(form.data.returnTo));
    }),
  );

  router.post(
    `${SIGN_IN_PATH}/sign-out`,
    withSignedCookies(deps.secret, (req, res) => {
      assertSameOrigin(req, deps.publicUrl);
      endSession(res, secure);
      res.redirect(303, SIGN_IN_PATH);
    }),
  );

  return router;
}

function currentPerson(req: Request, now: Date): DemoPerson | undefined {
  try {
    return sessionPerson(req, now);
  } catch (error) {
    if (error instanceof AuthenticationFailedError) return undefined;
    throw error;
  }
}

/** Only a path on this site: no scheme, no host, no `//evil.example` or backslash tricks. */
export function safeReturnTo(value: unknown): string {
  if (typeof value !== 'string' || value.length > 512) return DEFAULT_RETURN;
  if (!/^\/(?![/\\])[A-Za-z0-9\-._~!$&'()*+,;=:@/%?#]*$/.test(value)) return DEFAULT_RETURN;
  return value;
}

function escapeHtml(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

function renderPage(people: readonly DemoPerson[], current: DemoPerson | undefined, returnTo: string): string {
  const rows = people
    .map((person) => {
      const idBase = `person-${person.id.slice(-4)}`;
      const badges = [
        person.isGuest ? '<span class="badge">Gast <span lang="en">/ Guest</span></span>' : '',
        person.isOrgAdmin ? '<span class="badge">Beheerder <span lang="en">/ Admin</span></span>' : '',
      ].join(' ');
      return `
      <li class="person">
        <form method="post" action="${SIGN_IN_PATH}">
          <input type="hidden" name="person" value="${escapeHtml(person.id)}">
          <input type="hidden" name="returnTo" value="${escapeHtml(returnTo)}">
          <div>
            <h2 id="${idBase}-name">${escapeHtml(person.displayName)}</h2>
            <p id="${idBase}-details">
              ${escapeHtml(person.jobTitle)}, ${escapeHtml(person.organisation)}<br>
              ${escapeHtml(person.description.nl)} <span lang="en">/ ${escapeHtml(person.description.en)}</span>
              ${badges}
            </p>
          </div>
          <button type="submit" aria-describedby="${idBase}-details">Aanmelden als ${escapeHtml(person.displayName)} <span lang="en">/ Sign in</span></button>
        </form>
      </li>`;
    })
    .join('');
  const signedIn = current
    ? `<section aria-labelledby="current-heading" class="current">
        <h2 id="current-heading">Aangemeld <span lang="en">/ Signed in</span></h2>
        <p>Je bent aangemeld als <strong>${escapeHtml(current.displayName)}</strong>. <span lang="en">You are signed in as ${escapeHtml(current.displayName)}.</span></p>
        <p><a href="${escapeHtml(returnTo)}">Verder naar Meent <span lang="en">/ Continue to Meent</span></a></p>
        <form method="post" action="${SIGN_IN_PATH}/sign-out"><button type="submit">Afmelden <span lang="en">/ Sign out</span></button></form>
      </section>`
    : '';
  return `<!doctype html>
<html lang="nl">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Aanmelden bij Meent (lokale modus) / Sign in to Meent (local mode)</title>
<style>
  body { font-family: "Segoe UI", system-ui, sans-serif; margin: 0; background: #f5f5f5; color: #242424; line-height: 1.5; }
  main { max-width: 44rem; margin: 0 auto; padding: 2rem 1rem; }
  h1 { font-size: 1.6rem; margin: 0 0 .5rem; }
  h2 { font-size: 1.1rem; margin: 0; }
  ul { list-style: none; padding: 0; margin: 1.5rem 0 0; }
  .person form { display: flex; gap: 1rem; align-items: center; justify-content: space-between; flex-wrap: wrap; background: #fff; border: 1px solid #d1d1d1; border-radius: 8px; padding: 1rem; margin-bottom: .75rem; }
  .person p { margin: .25rem 0 0; }
  .badge { display: inline-block; border: 1px solid #616161; border-radius: 4px; padding: 0 .4rem; font-size: .85rem; margin-left: .25rem; }
  button { font: inherit; background: #115ea3; color: #fff; border: 0; border-radius: 4px; padding: .5rem 1rem; cursor: pointer; }
  button:hover { background: #0f548c; }
  button:focus-visible, a:focus-visible { outline: 3px solid #242424; outline-offset: 2px; }
  .current { background: #fff; border-left: 4px solid #107c10; padding: .75rem 1rem; margin-top: 1rem; }
  .note { color: #424242; }
</style>
</head>
<body>
<main>
  <h1>Aanmelden bij Meent <span lang="en">/ Sign in to Meent</span></h1>
  <p class="note">Lokale modus: kies een demopersoon van ${escapeHtml(DEMO_ORGANISATION)}. Er wordt geen wachtwoord gevraagd.
    <span lang="en">Local mode: choose a demo person. No password is asked.</span></p>
  ${signedIn}
  <ul aria-label="Demopersonen / Demo people">${rows}
  </ul>
</main>
</body>
</html>`;
}
