/** A text in both of Meent's languages. */
export interface Explanation {
  nl: string;
  en: string;
}
