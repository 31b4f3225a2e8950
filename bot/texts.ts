/**
 * Everything the bot says, in Dutch and English. The language follows the activity's
 * `locale` (Teams sends the client's, e.g. `nl-NL`) by `languageForLocale` (src/content/language.ts).
 */
import type { Language } from '../src/content/language.js';

export type { Language };

const nl = {
  appName: 'Meent',
  welcomeTitle: 'Welkom bij Meent',
  welcomeIntro: 'Meent brengt je community in Teams: discussies die na een overleg doorlopen, aanmelden voor kennissessies, en de collega of partner vinden die het antwoord weet.',
  helpTitle: 'Wat kan ik voor je doen?',
  helpIntro: 'Typ een van deze opdrachten (in het Nederlands of Engels):',
  commands: {
    help: 'deze uitleg',
    events: 'komende bijeenkomsten waar je je voor kunt aanmelden',
    myEvents: 'bijeenkomsten waarvoor je bent aangemeld',
    discussions: 'de nieuwste discussies in jouw communities',
    ask: 'stel een vraag in een community',
    search: 'zoek discussies, bijeenkomsten, communities en mensen',
    settings: 'stel in welke meldingen je krijgt',
    consultations: 'raadplegingen en peilingen die op jouw antwoord wachten',
  },
  commandNames: { help: 'help', events: 'bijeenkomsten', myEvents: 'mijn bijeenkomsten', discussions: 'discussies', ask: 'vraag <je vraag>', search: 'zoek <tekst>', settings: 'instellingen', consultations: 'raadplegingen' },
  openTab: 'Open Meent',
  // a command in a channel or group chat
  sentPrivately: 'Ik heb je het antwoord in een persoonlijke chat gestuurd: het kan dingen bevatten die alleen jij mag zien.',
  askPrivately: 'Je antwoord kan dingen bevatten die alleen jij mag zien, dus ik zet het niet in deze chat. Stuur me je vraag in een persoonlijke chat met Meent.',
  // events
  eventsTitle: 'Komende bijeenkomsten',
  myEventsTitle: 'Jouw bijeenkomsten',
  noEvents: 'Er zijn geen komende bijeenkomsten waar je je voor kunt aanmelden.',
  noMyEvents: 'Je bent nog niet aangemeld voor een komende bijeenkomst.',
  when: 'Wanneer',
  where: 'Waar',
  seats: 'Plaatsen',
  online: 'Online (Teams)',
  seatsLeft: (n: number) => (n === 1 ? 'nog 1 plaats vrij' : `nog ${n} plaatsen vrij`),
  seatsFull: 'vol',
  seatsUnlimited: 'onbeperkt',
  waitlistCount: (n: number) => `${n} op de wachtlijst`,
  signUp: 'Aanmelden',
  cancelSignUp: 'Afmelden',
  open: 'Openen',
  statusRegistered: 'Je bent aangemeld.',
  statusWaitlisted: (position?: number) => (position ? `Je staat op de wachtlijst (plaats ${position}).` : 'Je staat op de wachtlijst.'),
  statusRequested: 'Je aanmelding wacht op goedkeuring van de organisator.',
  statusCancelled: 'Deze bijeenkomst is afgelast.',
  statusCompleted: 'Deze bijeenkomst is voorbij.',
  // discussions
  discussionsTitle: 'Nieuwste discussies',
  noDiscussions: 'Er zijn nog geen discussies in jouw communities.',
  replies: (n: number) => (n === 1 ? '1 reactie' : `${n} reacties`),
  replyPlaceholder: 'Schrijf een reactie…',
  files: 'Bestanden',
  filesMore: (n: number) => (n === 1 ? 'en nog 1 bestand' : `en nog ${n} bestanden`),
  fileGone: 'Niet meer beschikbaar',
  openFile: (name: string) => `${name} openen`,
  sendReply: 'Reageren',
  follow: 'Volgen',
  unfollow: 'Niet meer volgen',
  replied: 'Je reactie is geplaatst.',
  followed: 'Je volgt deze discussie.',
  unfollowed: 'Je volgt deze discussie niet meer.',
  emptyReply: 'Schrijf eerst een reactie.',
  // ask
  askTitle: 'Stel je vraag',
  askCommunity: 'Community',
  askQuestion: 'Vraag',
  askDetails: 'Toelichting (optioneel)',
  askSubmit: 'Vraag plaatsen',
  askNoCommunities: 'Je bent nog geen lid van een community waarin je vragen kunt stellen. Word lid via de Meent-app.',
  askPosted: 'Je vraag is geplaatst.',
  askMissing: 'Kies een community en schrijf je vraag.',
  // search
  searchTitle: (q: string) => `Zoekresultaten voor "${q}"`,
  searchEmpty: (q: string) => `Niets gevonden voor "${q}".`,
  searchHowTo: 'Typ wat je zoekt na "zoek", bijvoorbeeld: zoek waterkwaliteit',
  kindDiscussion: 'Discussie',
  kindEvent: 'Bijeenkomst',
  kindCommunity: 'Community',
  kindPerson: 'Persoon',
  // settings
  settingsTitle: 'Meldingen',
  settingsIntro: 'Kies per soort melding hoe je die krijgt.',
  settingsProfile: 'Mijn profiel en gegevens (exporteren, account verwijderen)',
  groups: {
    conversations: 'Reacties en vermeldingen',
    newDiscussions: 'Nieuwe discussies in je communities',
    consultations: 'Raadplegingen: nieuw, herinnering, conclusie',
    events: 'Jouw bijeenkomsten (wijzigingen, herinneringen, wachtlijst)',
    management: 'Voor beheerders (aanvragen, meldingen van inhoud)',
    membership: 'Je lidmaatschappen',
  },
  cadences: { immediately: 'Direct', daily: 'Dagelijks overzicht', weekly: 'Wekelijks overzicht', off: 'Uit' },
  channelLabel: 'Waar',
  channels: { chat: 'Chat met Meent', activityFeed: 'Teams-activiteitenfeed' },
  save: 'Opslaan',
  saved: 'Je instellingen zijn opgeslagen.',
  mutedTitle: 'Gedempt',
  unmute: 'Dempen opheffen',
  // notifications
  muteCommunity: 'Community dempen',
  muteDiscussion: 'Discussie dempen',
  muted: 'Gedempt: je krijgt hier geen meldingen meer over. Je kunt dit terugdraaien bij instellingen.',
  digestDaily: 'Je dagelijkse overzicht',
  digestWeekly: 'Je wekelijkse overzicht',
  digestGeneral: 'Algemeen',
  digestMore: (n: number) => `en nog ${n}`,
  // errors
  errorTitle: 'Dat lukte niet',
  errorText: 'Er ging iets mis. Probeer het later opnieuw.',
  errorReference: (id: string) => `Referentie: ${id}`,
  notFound: 'Dit bestaat niet (meer), of je hebt er geen toegang toe.',
  forbidden: 'Dat mag je hier niet doen.',
  conflict: 'Dat kan nu niet.',
  rateLimited: 'Je hebt in korte tijd veel gewijzigd. Wacht even en probeer het dan opnieuw.',
  unavailable: 'Meent is even niet bereikbaar. Probeer het zo opnieuw.',
  invalid: 'Dat klopt niet helemaal.',
  mfaUnverifiable: 'Je organisatie vraagt voor Meent een aanmelding met meervoudige verificatie, en die kan de bot niet controleren. Gebruik Meent via het tabblad in Teams.',
  networkUnverifiable: 'Je organisatie laat Meent alleen gebruiken vanaf haar eigen netwerk, en de bot kan niet zien waar je bent. Gebruik Meent via het tabblad in Teams.',
  unknownAction: 'Deze kaart is verouderd. Vraag een nieuwe op.',
  // message extensions
  startDiscussionTitle: 'Start een discussie',
  shareEventTitle: 'Deel een bijeenkomst',
  chooseEvent: 'Bijeenkomst',
  share: 'Delen',
  eventMissing: 'Kies een bijeenkomst.',
};

export type Texts = typeof nl;

const en: Texts = {
  appName: 'Meent',
  welcomeTitle: 'Welcome to Meent',
  welcomeIntro: 'Meent brings your community into Teams: discussions that go on after a meeting, sign-ups for knowledge sessions, and a way to find the colleague or partner who knows the answer.',
  helpTitle: 'What can I do for you?',
  helpIntro: 'Type one of these commands (in English or Dutch):',
  commands: {
    help: 'this overview',
    events: 'upcoming events you can sign up for',
    myEvents: 'events you signed up for',
    discussions: 'the latest discussions in your communities',
    ask: 'ask a question in a community',
    search: 'search discussions, events, communities and people',
    settings: 'choose which notifications you get',
    consultations: 'consultations and polls waiting for your answer',
  },
  commandNames: { help: 'help', events: 'events', myEvents: 'my events', discussions: 'discussions', ask: 'ask <your question>', search: 'search <text>', settings: 'settings', consultations: 'consultations' },
  openTab: 'Open Meent',
  sentPrivately: 'I sent you the answer in a personal chat: it may hold things only you may see.',
  askPrivately: 'Your answer may hold things only you may see, so I do not post it in this chat. Ask me in a personal chat with Meent.',
  eventsTitle: 'Upcoming events',
  myEventsTitle: 'Your events',
  noEvents: 'There are no upcoming events you can sign up for.',
  noMyEvents: 'You have not signed up for an upcoming event yet.',
  when: 'When',
  where: 'Where',
  seats: 'Seats',
  online: 'Online (Teams)',
  seatsLeft: (n: number) => (n === 1 ? '1 seat left' : `${n} seats left`),
  seatsFull: 'full',
  seatsUnlimited: 'unlimited',
  waitlistCount: (n: number) => `${n} on the waitlist`,
  signUp: 'Sign up',
  cancelSignUp: 'Cancel my sign-up',
  open: 'Open',
  statusRegistered: 'You are signed up.',
  statusWaitlisted: (position?: number) => (position ? `You are on the waitlist (position ${position}).` : 'You are on the waitlist.'),
  statusRequested: 'Your sign-up is waiting for the organiser to approve it.',
  statusCancelled: 'This event has been cancelled.',
  statusCompleted: 'This event is over.',
  discussionsTitle: 'Latest discussions',
  noDiscussions: 'There are no discussions in your communities yet.',
  replies: (n: number) => (n === 1 ? '1 reply' : `${n} replies`),
  replyPlaceholder: 'Write a reply…',
  files: 'Files',
  filesMore: (n: number) => (n === 1 ? 'and 1 more file' : `and ${n} more files`),
  fileGone: 'No longer available',
  openFile: (name: string) => `Open ${name}`,
  sendReply: 'Reply',
  follow: 'Follow',
  unfollow: 'Unfollow',
  replied: 'Your reply was posted.',
  followed: 'You follow this discussion.',
  unfollowed: 'You no longer follow this discussion.',
  emptyReply: 'Write a reply first.',
  askTitle: 'Ask your question',
  askCommunity: 'Community',
  askQuestion: 'Question',
  askDetails: 'Details (optional)',
  askSubmit: 'Post question',
  askNoCommunities: 'You are not yet a member of a community where you can ask questions. Join one in the Meent app.',
  askPosted: 'Your question was posted.',
  askMissing: 'Choose a community and write your question.',
  searchTitle: (q: string) => `Results for "${q}"`,
  searchEmpty: (q: string) => `Nothing found for "${q}".`,
  searchHowTo: 'Type what you are looking for after "search", for example: search water quality',
  kindDiscussion: 'Discussion',
  kindEvent: 'Event',
  kindCommunity: 'Community',
  kindPerson: 'Person',
  settingsTitle: 'Notifications',
  settingsIntro: 'Choose how each kind of notification reaches you.',
  settingsProfile: 'My profile and data (export, delete account)',
  groups: {
    conversations: 'Replies and mentions',
    newDiscussions: 'New discussions in your communities',
    consultations: 'Consultations: new, reminder, conclusion',
    events: 'Your events (changes, reminders, waitlist)',
    management: 'For managers (requests, reported content)',
    membership: 'Your memberships',
  },
  cadences: { immediately: 'Immediately', daily: 'Daily digest', weekly: 'Weekly digest', off: 'Off' },
  channelLabel: 'Where',
  channels: { chat: 'Chat with Meent', activityFeed: 'Teams activity feed' },
  save: 'Save',
  saved: 'Your settings are saved.',
  mutedTitle: 'Muted',
  unmute: 'Unmute',
  muteCommunity: 'Mute this community',
  muteDiscussion: 'Mute this discussion',
  muted: 'Muted: you will not be notified about this any more. You can undo this in settings.',
  digestDaily: 'Your daily digest',
  digestWeekly: 'Your weekly digest',
  digestGeneral: 'General',
  digestMore: (n: number) => `and ${n} more`,
  errorTitle: 'That did not work',
  errorText: 'Something went wrong. Please try again later.',
  errorReference: (id: string) => `Reference: ${id}`,
  notFound: 'This does not exist (any more), or you have no access to it.',
  forbidden: 'You may not do that here.',
  conflict: 'That is not possible right now.',
  rateLimited: 'You made many changes in a short time. Wait a moment and try again.',
  unavailable: 'Meent cannot be reached right now. Please try again shortly.',
  invalid: 'That is not quite right.',
  mfaUnverifiable: 'Your organisation requires multi-factor sign-in for Meent, which the bot cannot check. Use Meent through its tab in Teams instead.',
  networkUnverifiable: 'Your organisation allows Meent only from its own network, and the bot cannot see where you are. Use Meent through its tab in Teams instead.',
  unknownAction: 'This card is out of date. Ask for a new one.',
  startDiscussionTitle: 'Start a discussion',
  shareEventTitle: 'Share an event',
  chooseEvent: 'Event',
  share: 'Share',
  eventMissing: 'Choose an event.',
};

export function textsFor(language: Language): Texts {
  return language === 'nl' ? nl : en;
}

/** Dates as people read them: "di 4 mrt 2025, 14:00–16:00" in the event's time zone. */
export function formatSpan(start: Date, end: Date, timeZone: string, language: Language): string {
  const locale = language === 'nl' ? 'nl-NL' : 'en-GB';
  const day = formatter(locale, timeZone, 'day');
  const time = formatter(locale, timeZone, 'time');
  const sameDay = day.format(start) === day.format(end);
  return sameDay ? `${day.format(start)}, ${time.format(start)}–${time.format(end)}` : `${day.format(start)} ${time.format(start)} – ${day.format(end)} ${time.format(end)}`;
}

// Making an Intl.DateTimeFormat costs far more than using one (a fan-out renders thousands of cards).
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(locale: string, timeZone: string, part: 'day' | 'time'): Intl.DateTimeFormat {
  const key = `${locale}|${timeZone}|${part}`;
  let made = formatters.get(key);
  if (!made) {
    made = new Intl.DateTimeFormat(locale, part === 'day' ? { timeZone, weekday: 'short', day: 'numeric', month: 'short', year: 'numeric' } : { timeZone, hour: '2-digit', minute: '2-digit' });
    if (formatters.size > 500) formatters.clear();
    formatters.set(key, made);
  }
  return made;
}
