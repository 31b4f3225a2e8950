/**
 * Records the API's actions where they happen, at the route layer, so the services stay free
 * of analytics: a middleware before the capabilities' routes watches each answered request
 * and, when it succeeded and is one of the actions below, tells the recorder (which only
 * buffers). Nothing of the request but the action and the ids in its path is kept.
 */
import type { RequestHandler } from 'express';
import type { ActivityRecorder, Place } from './analytics-recorder.js';
import type { ActionKind } from './page-routes.js';

const ID = '([0-9a-f]{24})';
const act = (action: ActionKind, place: (m: RegExpMatchArray) => Place) => ({ action, place });

/** The API's actions by method and path (relative to /api/v1). */
const ACTIONS: { method: string; pattern: RegExp; action: ActionKind | 'download'; place: (m: RegExpMatchArray) => Place }[] = [
  { method: 'POST', pattern: new RegExp(`^/discussions/${ID}/replies$`), ...act('reply', (m) => ({ discussionId: m[1] })) },
  { method: 'PUT', pattern: new RegExp(`^/discussions/${ID}/reactions/[a-z]+$`), ...act('reaction', (m) => ({ discussionId: m[1] })) },
  { method: 'PUT', pattern: new RegExp(`^/replies/${ID}/reactions/[a-z]+$`), ...act('reaction', () => ({})) },
  { method: 'POST', pattern: new RegExp(`^/communities/${ID}/discussions$`), ...act('discussionStarted', (m) => ({ communityId: m[1] })) },
  { method: 'POST', pattern: new RegExp(`^/events/${ID}/registrations$`), ...act('signUp', (m) => ({ eventId: m[1] })) },
  { method: 'PUT', pattern: new RegExp(`^/consultations/${ID}/responses/me$`), ...act('consultationAnswered', () => ({})) },
  { method: 'GET', pattern: /^\/search$/, ...act('search', () => ({})) },
  { method: 'GET', pattern: new RegExp(`^/events/${ID}/[a-z.]+\\.(?:ics|csv)$`), action: 'download', place: (m) => ({ eventId: m[1] }) },
  { method: 'GET', pattern: new RegExp(`^/communities/${ID}/[a-z.]+\\.csv$`), action: 'download', place: (m) => ({ communityId: m[1] }) },
  { method: 'GET', pattern: new RegExp(`^/consultations/${ID}/[a-z.]+\\.csv$`), action: 'download', place: () => ({}) },
];

/** The middleware: mount it on the API router before the capabilities' routes. */
export function trackActions(recorder: ActivityRecorder): RequestHandler {
  return (req, res, next) => {
    const match = ACTIONS.find((a) => a.method === req.method && a.pattern.test(req.path));
    if (match) {
      res.on('finish', () => {
        const actor = req.actor;
        if (!actor || res.statusCode >= 400) return;
        const m = req.path.match(match.pattern);
        if (!m) return;
        const place = match.place(m);
        if (match.action === 'download') recorder.download(actor, place);
        else recorder.action(actor, match.action, place, 'tab');
      });
    }
    next();
  };
}
