/**
 * Invitations by e-mail address to a community (`/api/v1/communities/{id}/invitations`,
 * src/invitations/invitations.routes.ts), for managers, and to an event
 * (`/api/v1/events/{id}/invitations`), for its organisers: invite pasted addresses, list,
 * withdraw, re-send; and the organisation's switch for installing the app for people Meent
 * must reach (`/api/v1/admin/notifications/reach`, src/notifications/reach-settings.routes.ts).
 */
import { INVITE_OUTCOMES } from '../../../src/invitations/invite-outcomes.js';
import type { ApiClient } from './api-client.js';

export const INVITATION_OUTCOMES = INVITE_OUTCOMES;
export type InvitationOutcome = (typeof INVITATION_OUTCOMES)[number];
export type InvitationState = 'pending' | 'accepted' | 'failed' | 'withdrawn';

export interface AddressOutcome {
  address: string;
  outcome: InvitationOutcome;
  invitationId?: string;
}

export interface Invitation {
  id: string;
  address: string | null;
  userId: string | null;
  kind: 'member' | 'guest' | null;
  state: InvitationState;
  reason: string | null;
  sends: number;
  createdAt: string;
}

const path = (id: string) => `/communities/${encodeURIComponent(id)}/invitations`;

export async function inviteByEmail(api: ApiClient, communityId: string, addresses: string, language: 'nl' | 'en'): Promise<AddressOutcome[]> {
  return (await api.post<{ outcomes: AddressOutcome[] }>(path(communityId), { addresses, language })).outcomes;
}

export async function listInvitations(api: ApiClient, communityId: string, signal?: AbortSignal): Promise<Invitation[]> {
  return (await api.get<{ items: Invitation[] }>(path(communityId), signal ? { signal } : {})).items;
}

export function withdrawInvitation(api: ApiClient, communityId: string, invitationId: string): Promise<Invitation> {
  return api.delete<Invitation>(`${path(communityId)}/${encodeURIComponent(invitationId)}`);
}

export function resendInvitation(api: ApiClient, communityId: string, invitationId: string, language: 'nl' | 'en'): Promise<{ invitation: Invitation; outcome: InvitationOutcome }> {
  return api.post(`${path(communityId)}/${encodeURIComponent(invitationId)}/resend`, { language });
}

const eventPath = (id: string) => `/events/${encodeURIComponent(id)}/invitations`;

export async function inviteToEventByEmail(api: ApiClient, eventId: string, addresses: string, language: 'nl' | 'en'): Promise<AddressOutcome[]> {
  return (await api.post<{ outcomes: AddressOutcome[] }>(eventPath(eventId), { addresses, language })).outcomes;
}

export async function listEventInvitations(api: ApiClient, eventId: string, signal?: AbortSignal): Promise<Invitation[]> {
  return (await api.get<{ items: Invitation[] }>(eventPath(eventId), signal ? { signal } : {})).items;
}

export function withdrawEventInvitation(api: ApiClient, eventId: string, invitationId: string): Promise<Invitation> {
  return api.delete<Invitation>(`${eventPath(eventId)}/${encodeURIComponent(invitationId)}`);
}

export function resendEventInvitation(api: ApiClient, eventId: string, invitationId: string, language: 'nl' | 'en'): Promise<{ invitation: Invitation; outcome: InvitationOutcome }> {
  return api.post(`${eventPath(eventId)}/${encodeURIComponent(invitationId)}/resend`, { language });
}

export interface NotificationReach {
  autoInstall: boolean;
  /** Installing is possible at all (a catalogue app id is configured). */
  available: boolean;
  /** People Teams refuses get the message by e-mail. */
  mailbox: boolean;
}

export function getNotificationReach(api: ApiClient, signal?: AbortSignal): Promise<NotificationReach> {
  return api.get('/admin/notifications/reach', signal ? { signal } : {});
}

export function setNotificationReach(api: ApiClient, autoInstall: boolean): Promise<NotificationReach> {
  return api.put('/admin/notifications/reach', { autoInstall });
}
