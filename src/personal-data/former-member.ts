/**
 * What stands in for an erased person: the author id of their discussions and replies (and of
 * other references to them, such as who closed a discussion), shown as "Former member" in
 * the reader's language. Not a user id anyone can sign in with (it has no tenant and no oid form).
 */
import { DEFAULT_LANGUAGE, type Language } from '../content/language.js';

export const FORMER_MEMBER_ID = 'former-member';

const NAMES: Record<Language, string> = { nl: 'Voormalig lid', en: 'Former member' };

export function formerMemberName(language: Language): string {
  return NAMES[language];
}

export function isFormerMember(userId: string | null | undefined): boolean {
  return userId === FORMER_MEMBER_ID;
}

/**
 * An author as the API shows them. An erased author is marked `erased` (the tab renders
 * "Former member" in the reader's language); `displayName` then carries the organisation's
 * default language for clients that do not know the mark.
 */
export function authorView(authorId: string, authorName: string | null | undefined): { id: string; displayName: string; erased?: true } {
  if (isFormerMember(authorId)) return { id: FORMER_MEMBER_ID, displayName: formerMemberName(DEFAULT_LANGUAGE), erased: true };
  return { id: authorId, displayName: authorName || authorId };
}
