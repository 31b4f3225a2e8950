/**
 * English messages: the reference catalogue. Every other language must have exactly these
 * keys, and each message must keep the same `{placeholders}` (checked by the compiler through
 * `Catalogue`). Keys are grouped by the page or component that shows them.
 */
export const en = {
  'app.name': 'Meent',
  'app.loading': 'Loading Meent…',

  'shell.skipToContent': 'Skip to main content',
  'shell.signedInAs': 'Signed in as {name}',
  'shell.guest': 'Guest',
  'shell.pageLoading': 'Loading the page…',

  'nav.label': 'Meent sections',
  'nav.home': 'Home',
  'nav.communities': 'Communities',
  'nav.events': 'Events',
  'nav.people': 'People',
  'nav.search': 'Search',
  'nav.profile': 'My profile',

  'home.title': 'Home',
  'home.welcome': 'Welcome, {name}',
  'home.intro': 'What is happening in your communities, the sessions you signed up for, and communities you may like.',
  'home.guestNote': 'You are a guest from a partner organisation: you see the communities that invited you.',
  'home.feed.title': 'Your feed',
  'home.feed.emptyTitle': 'Nothing new yet',
  'home.feed.emptyBody': 'New discussions and replies in the communities and discussions you follow will appear here.',
  'home.feed.emptyAction': 'Browse communities',
  'home.upcoming.title': 'Your upcoming sessions',
  'home.upcoming.emptyTitle': 'No sign-ups yet',
  'home.upcoming.emptyBody': 'Knowledge sessions you sign up for will appear here, with the date and time in your time zone.',
  'home.upcoming.emptyAction': 'Find a session',
  'home.suggested.title': 'Communities for you',
  'home.suggested.emptyTitle': 'No suggestions yet',
  'home.suggested.emptyBody': 'Add your expertise and interests to your profile, and Meent will suggest communities to join.',
  'home.suggested.emptyAction': 'Go to my profile',

  'communities.title': 'Communities',
  'communities.emptyTitle': 'No communities to show',
  'communities.emptyBody': 'Communities you belong to, and the open ones you can join, will be listed here.',
  'community.title': 'Community',
  'community.emptyTitle': 'This community has nothing to show yet',
  'community.emptyBody': 'Its discussions, events and members will appear here.',

  'discussion.title': 'Discussion',
  'discussion.emptyTitle': 'This discussion cannot be shown yet',
  'discussion.emptyBody': 'The thread, its replies and reactions will appear here.',

  'events.title': 'Events',
  'events.emptyTitle': 'No upcoming events',
  'events.emptyBody': 'Knowledge sessions of your communities, online and on location, will be listed here.',
  'event.title': 'Event',
  'event.emptyTitle': 'This event cannot be shown yet',
  'event.emptyBody': 'Its details, seats left and sign-up will appear here.',

  'people.title': 'People',
  'people.emptyTitle': 'Nobody to show yet',
  'people.emptyBody': 'Colleagues and partners who share a community with you will be listed here, with what they know about.',

  'person.title': 'Person',
  'person.emptyTitle': 'This profile cannot be shown yet',
  'person.emptyBody': 'What they know about, their communities and their contributions will appear here.',

  'search.title': 'Search',
  'search.emptyTitle': 'Search Meent',
  'search.emptyBody': 'Find discussions, events, communities and people you may see, in Dutch and English.',

  'profile.title': 'My profile',
  'profile.name': 'Name',
  'profile.account': 'Account',
  'profile.accountMember': 'Member of the organisation',
  'profile.accountGuest': 'Guest from a partner organisation',
  'profile.emptyTitle': 'Tell others what you know',
  'profile.emptyBody': 'Your expertise, interests and organisation will be shown here, so that colleagues and partners can find you.',

  'notFound.title': 'Page not found',
  'notFound.body': 'This page does not exist (any more).',
  'notFound.hint': 'Check the link, or start again from Home.',
  'notFound.action': 'Go to Home',

  'config.title': 'Pin a community to this tab',
  'config.intro': 'Choose the community whose discussions and events this tab shows in {place}.',
  'config.place.channel': 'this channel',
  'config.place.meeting': 'this meeting',
  'config.place.chat': 'this chat',
  'config.place.other': 'this place',
  'config.mode.label': 'What do you want to pin?',
  'config.mode.existing': 'A community I belong to',
  'config.mode.create': 'A new community',
  'config.community.label': 'Community',
  'config.community.placeholder': 'Choose a community',
  'config.community.none': 'You do not belong to any community yet. Create a new one instead.',
  'config.create.name': 'Name',
  'config.create.description': 'Description (optional)',
  'config.create.visibility': 'Who can find it',
  'config.visibility.public': 'Public: everyone in the organisation can find and join it',
  'config.visibility.closed': 'Closed: everyone can find it, joining needs a manager’s approval',
  'config.visibility.secret': 'Secret: only invited members can find it',
  'config.ready': 'Ready: select Save to add the tab.',
  'config.fixFields': 'Check the highlighted fields, then select Save again.',
  'config.saveFailed': 'The tab could not be saved.',
  'config.outsideTeams': 'This page is shown by Teams when you add Meent as a tab to a channel, chat or meeting.',

  'sidePanel.title': 'Meent',
  'sidePanel.emptyTitle': 'Nothing planned here yet',
  'sidePanel.emptyBody': 'The discussions and sessions of the community pinned to this meeting will appear here.',
  'sidePanel.open': 'Open Meent',

  'error.retry': 'Try again',
  'error.reference': 'Reference: {reference}',
  'error.network.title': 'Meent cannot be reached',
  'error.network.body': 'Check your connection, then try again.',
  'error.notFound.title': 'Not found',
  'error.notFound.body': 'It may have been removed, or it is not shared with you.',
  'error.forbidden.title': 'You do not have access',
  'error.forbidden.body': 'Ask a manager of the community if you think you should.',
  'error.unauthenticated.title': 'You are not signed in',
  'error.unauthenticated.body': 'Your sign-in has expired or is missing.',
  'error.sso.title': 'Signing in through Teams did not work',
  'error.sso.body': 'Try again. If it keeps failing, close and reopen the tab.',
  'error.invalid.title': 'Please check what you entered',
  'error.conflict.title': 'This could not be done',
  'error.rateLimited.title': 'Too many requests',
  'error.rateLimited.body': 'Wait {seconds} seconds, then try again.',
  'error.unavailable.title': 'Meent is temporarily unavailable',
  'error.unavailable.body': 'Try again in a moment.',
  'error.server.title': 'Something went wrong on our side',
  'error.server.body': 'Try again. If it keeps happening, contact support and quote the reference.',
  'error.generic.title': 'Something went wrong',

  'consent.title': 'Meent needs your permission',
  'consent.body': 'To show this, Meent needs your consent to use your Microsoft 365 account on your behalf.',
  'consent.action': 'Give permission',
  'consent.declined': 'Permission was not given. You can try again whenever you like.',
  'consent.redirecting': 'Taking you to the Microsoft sign-in page…',
  'consent.done': 'Done. You can close this window.',
  'consent.failed': 'Permission was not given. Close this window and try again.',

  'signIn.title': 'Sign in to Meent',
  'signIn.body': 'You are using Meent outside Teams. Sign in with one of the demo accounts to continue.',
  'signIn.action': 'Sign in',
} as const;

/** A message id. */
export type MessageKey = keyof typeof en;

/** The names between braces in a message, e.g. `'name'` for `'Welcome, {name}'`. */
export type PlaceholderNames<S extends string> = S extends `${string}{${infer Name}}${infer Rest}` ? Name | PlaceholderNames<Rest> : never;

type UnionToIntersection<U> = (U extends unknown ? (x: U) => void : never) extends (x: infer I) => void ? I : never;

/** A string that contains every one of the given placeholders. */
type WithPlaceholders<Names extends string> = [Names] extends [never] ? string : UnionToIntersection<Names extends string ? `${string}{${Names}}${string}` : never>;

/**
 * The shape every catalogue has: exactly the English keys, and each message with the same
 * placeholders as its English original (a missing key or placeholder is a compile error).
 */
export type Catalogue = { readonly [K in MessageKey]: WithPlaceholders<PlaceholderNames<(typeof en)[K]>> };

// The English catalogue must satisfy its own contract too.
export const englishCatalogue: Catalogue = en;
