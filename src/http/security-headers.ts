/**
 * Security headers. The tab is loaded in an iframe by Teams, Outlook and the Microsoft 365
 * app, so `frame-ancestors` names exactly those hosts (and no others):
 * https://learn.microsoft.com/en-us/microsoftteams/platform/tabs/how-to/tab-requirements
 */
import helmet from 'helmet';
import type { RequestHandler } from 'express';

export const TEAMS_FRAME_ANCESTORS = [
  "'self'",
  'https://*.cloud.microsoft',
  'https://teams.microsoft.com',
  'https://*.teams.microsoft.com',
  'https://*.microsoft365.com',
  'https://*.office.com',
  'https://outlook.office.com',
  'https://outlook.office365.com',
  'https://outlook-sdf.office.com',
  'https://outlook-sdf.office365.com',
] as const;

export interface SecurityHeaderOptions {
  extraFrameAncestors?: string[];
  /**
   * The identity provider's origin (entra mode): the tab's browser sign-in (msal-browser) reads its
   * metadata and redeems codes and refresh tokens there (fetch), and may renew in a hidden frame.
   */
  identityProviderOrigin?: string;
}

export function securityHeaders(options: SecurityHeaderOptions = {}): RequestHandler {
  const idp = options.identityProviderOrigin ? [options.identityProviderOrigin] : [];
  return helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        baseUri: ["'self'"],
        scriptSrc: ["'self'"],
        // Fluent UI (Griffel) injects its atomic CSS at run time.
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:', 'blob:'],
        fontSrc: ["'self'", 'data:'],
        // The Teams JS library fetches its list of valid host origins from this CDN
        // (validOriginsCdnEndpoint in @microsoft/teams-js src/internal/constants.ts) and falls
        // back to a built-in list; allowing it keeps the tab's console free of CSP errors.
        connectSrc: ["'self'", 'https://res.cdn.office.net', ...idp],
        frameSrc: ["'self'", ...idp],
        objectSrc: ["'none'"],
        formAction: ["'self'"],
        frameAncestors: [...TEAMS_FRAME_ANCESTORS, ...(options.extraFrameAncestors ?? [])],
      },
    },
    // Teams embeds the tab cross-origin: X-Frame-Options would forbid it, CSP governs framing.
    xFrameOptions: false,
    // The tab's scripts are served from our own origin; COEP would break Teams' iframe.
    crossOriginEmbedderPolicy: false,
    crossOriginResourcePolicy: { policy: 'same-site' },
    referrerPolicy: { policy: 'strict-origin-when-cross-origin' },
  });
}
