/**
 * What came of each address of an invitation by e-mail (issue 14), as stable codes; also why
 * an invitation failed. Free of dependencies, so the tab reads the same list.
 */
export const INVITE_OUTCOMES = [
  'invited_member',
  'invited_guest',
  'already_member',
  'already_invited',
  'registered',
  'waitlisted',
  'already_registered',
  'event_full',
  'event_closed',
  'invalid_address',
  'guests_not_allowed',
  'needs_community_manager',
  'refused_by_policy',
  'address_refused',
  'throttled',
  'graph_failed',
  'not_found',
] as const;
export type InviteOutcome = (typeof INVITE_OUTCOMES)[number];
