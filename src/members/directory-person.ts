/**
 * A person as the organisation's directory describes them, in the shape Meent keeps for
 * someone it has not seen sign in yet (`ensurePersonKnown`): found by e-mail address, by id
 * from the people picker's directory search, or as a meeting attendee.
 */
import type { DirectoryUser } from '../graph/directory-gateway.js';
import type { DirectoryPerson } from './people.repository.js';

export function directoryPerson(user: Pick<DirectoryUser, 'id' | 'displayName' | 'mail' | 'userPrincipalName' | 'jobTitle' | 'department' | 'userType'>): DirectoryPerson {
  return {
    userId: user.id,
    displayName: user.displayName ?? user.mail ?? user.userPrincipalName ?? user.id,
    ...(user.mail ? { mail: user.mail } : {}),
    ...(user.userPrincipalName ? { userPrincipalName: user.userPrincipalName } : {}),
    ...(user.jobTitle ? { jobTitle: user.jobTitle } : {}),
    ...(user.department ? { department: user.department } : {}),
    // Guests are marked #EXT# in their UPN when Graph does not say (https://learn.microsoft.com/en-us/entra/external-id/user-properties).
    isGuest: isDirectoryGuest(user),
  };
}

/** Whether the directory's person is a guest: Graph's `userType`, else the #EXT# mark of a guest's UPN. */
export function isDirectoryGuest(user: Pick<DirectoryUser, 'userType'> & { userPrincipalName?: string | null }): boolean {
  return user.userType === 'Guest' || (user.userType === null && (user.userPrincipalName ?? '').includes('#EXT#'));
}
