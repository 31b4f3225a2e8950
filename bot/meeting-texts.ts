/** What the bot says in a meeting chat, in Dutch and English (the language of the event activity's locale). */
import type { Language } from './texts.js';

const nl = {
  startHeading: 'Notities en vragen bij dit overleg',
  startIntro: 'Zet afspraken, vragen en links in de gekoppelde discussie: daar gaat het gesprek na het overleg verder.',
  open: 'Open de discussie',
  endHeading: 'Het overleg is afgelopen, het gesprek niet',
  endIntro: 'Praat verder in de discussie die bij dit overleg hoort. Wie erbij was, volgt haar vanaf nu.',
  continue: 'Verder met de discussie',
  next: 'Volgende bijeenkomst',
  signUp: 'Aanmelden voor de volgende bijeenkomst',
};

const en: typeof nl = {
  startHeading: 'Notes and questions for this meeting',
  startIntro: 'Put decisions, questions and links in the linked discussion: that is where the conversation goes on after the meeting.',
  open: 'Open the discussion',
  endHeading: 'The meeting has ended, the conversation has not',
  endIntro: 'Carry on in the discussion that belongs to this meeting. Everyone who took part follows it from now on.',
  continue: 'Continue the discussion',
  next: 'Next session',
  signUp: 'Sign up for the next session',
};

export type MeetingTexts = typeof nl;

export function meetingTextsFor(language: Language): MeetingTexts {
  return language === 'nl' ? nl : en;
}
