/**
 * The keys of delivery records (delivery.model.ts), built here only: a notification posted
 * to its community's channel is `c:<id>`, one sent to its recipient on its own `n:<id>`, and a
 * digest `d:<tenant>:<person>:<period>`. The delivery router, the digests and the dead-letter
 * list all name records through these functions, so they cannot disagree on a key.
 */

/** Whether a notification of this kind is posted to its community's channel rather than sent to a person. */
export function isChannelPost(kind: string): boolean {
  return CHANNEL_POST_KINDS.has(kind);
}

/** The kinds that are posts in a community's channel rather than a person's notification. */
export const CHANNEL_POST_KINDS: ReadonlySet<string> = new Set(['eventAnnounced', 'consultationAnnounced', 'consultationConcluded']);

/** The key of the send of one notification. */
export function sendKeyOf(notification: { _id: unknown; kind: string }): string {
  return `${isChannelPost(notification.kind) ? 'c' : 'n'}:${String(notification._id)}`;
}

/** The key of a person's digest for a period. */
export function digestKeyOf(tenantId: string, recipientId: string, period: string): string {
  return `d:${tenantId}:${recipientId}:${period}`;
}
