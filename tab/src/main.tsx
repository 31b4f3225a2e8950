/**
 * Entry point: connect to the host (Teams, or none), follow a deep link if Teams gave one,
 * then render. Inside Teams the host answers within milliseconds; a plain browser with
 * `?inTeams=false` or no frame does not wait at all.
 */
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app.js';
import { startBrowserSession } from './auth/browser-session.js';
import { navigate } from './router/hash-router.js';
import { routeForSubPageId } from './teams/deep-link.js';
import { connectToHost } from './teams/host-connection.js';

const container = document.getElementById('root');
if (!container) throw new Error('index.html has no #root element');

const host = await connectToHost();
// Outside Teams: how to sign in, and the end of a sign-in round trip (back to the deep link it started from).
const session = host.inTeams ? undefined : await startBrowserSession();
if (session?.mode === 'entra' && session.returnTo) navigate(session.returnTo, { replace: true });

// A deep link (`subPageId`) opens its page, unless the URL already names one.
const deepLink = routeForSubPageId(host.context?.page.subPageId);
if (deepLink && (window.location.hash === '' || window.location.hash === '#/')) navigate(deepLink, { replace: true });

createRoot(container).render(
  <StrictMode>
    <App host={host} session={session} />
  </StrictMode>,
);
