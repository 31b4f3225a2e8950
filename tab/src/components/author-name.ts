/** An author's name as shown: an erased person is "Former member" in the reader's language. */
import type { PersonRef } from '../api/discussions-api.js';
import type { Translator } from '../i18n/translator.js';

export function authorName(t: Translator['t'], author: PersonRef): string {
  return author.erased ? t('person.formerMember') : author.name;
}
