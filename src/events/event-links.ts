/** Links to an event: its page in the tab (the link back in invitations) and its .ics. */
import type { Types } from 'mongoose';

/** The event's page in the tab (the tab routes in the URL fragment; see tab/src/router/hash-router.ts). */
export function eventWebUrl(publicUrl: string, eventId: Types.ObjectId | string): string {
  return `${publicUrl.replace(/\/+$/, '')}/tab/#/event/${encodeURIComponent(String(eventId))}`;
}

/** The API path of the event's invitation file. */
export function eventCalendarPath(eventId: Types.ObjectId | string): string {
  return `/api/v1/events/${encodeURIComponent(String(eventId))}/calendar.ics`;
}
