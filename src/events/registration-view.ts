/**
 * A registration as the API shows it, shared by the server (event-signup.service.ts) and the
 * tab (tab/src/api/events-api.ts), so the two cannot drift apart. Nothing here may import
 * server code: the tab's compiler reads this file too.
 */
export const REGISTRATION_STATUSES = ['registered', 'waitlisted', 'requested', 'cancelled', 'declined', 'removed'] as const;
export type RegistrationStatus = (typeof REGISTRATION_STATUSES)[number];

/** Contact details only to organisers and the person. */
export interface RegistrationView {
  id: string;
  eventId: string;
  userId: string;
  displayName: string;
  status: RegistrationStatus;
  /** 1-based, when waitlisted. */
  position?: number;
  organisation?: string | null;
  email?: string | null;
  isGuest?: boolean;
  message?: string | null;
  registeredAt?: string | null;
  statusChangedAt?: string;
  createdAt?: string;
}
