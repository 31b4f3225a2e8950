/**
 * What a person typed, as a command. Both languages are understood whatever the client's
 * language; a mention of the bot (in a channel or group chat) is removed first. Anything
 * unrecognised is `help`: the bot never answers text with an error.
 */
export type Command =
  | { name: 'help' }
  | { name: 'events' }
  | { name: 'myEvents' }
  | { name: 'discussions' }
  | { name: 'ask'; question: string }
  | { name: 'search'; query: string }
  | { name: 'settings' }
  | { name: 'consultations' };

const EXACT: Record<string, Command['name']> = {
  help: 'help',
  hulp: 'help',
  '?': 'help',
  'wat kun je': 'help',
  events: 'events',
  event: 'events',
  evenementen: 'events',
  bijeenkomsten: 'events',
  agenda: 'events',
  'my events': 'myEvents',
  'mijn evenementen': 'myEvents',
  'mijn bijeenkomsten': 'myEvents',
  'mijn agenda': 'myEvents',
  discussions: 'discussions',
  discussies: 'discussions',
  settings: 'settings',
  instellingen: 'settings',
  meldingen: 'settings',
  notifications: 'settings',
  consultations: 'consultations',
  consultation: 'consultations',
  raadplegingen: 'consultations',
  raadpleging: 'consultations',
  peilingen: 'consultations',
  polls: 'consultations',
};

const WITH_ARGUMENT: [RegExp, 'ask' | 'search'][] = [
  [/^(?:ask|vraag|stel)(?:\s+(.*))?$/is, 'ask'],
  [/^(?:search|find|zoek|zoeken)(?:\s+(.*))?$/is, 'search'],
];

export function parseCommand(text: string | undefined): Command {
  const cleaned = (text ?? '')
    .replace(/<at>[^<]*<\/at>/gi, ' ')
    .replace(/<[^>]+>/g, ' ')
    .replace(/&nbsp;/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  const lower = cleaned.toLowerCase().replace(/[.!]+$/, '');
  const exact = EXACT[lower];
  if (exact) return { name: exact } as Command;
  for (const [pattern, name] of WITH_ARGUMENT) {
    const match = pattern.exec(cleaned);
    if (match) {
      const argument = (match[1] ?? '').trim().slice(0, 500);
      return name === 'ask' ? { name, question: argument } : { name, query: argument };
    }
  }
  return { name: 'help' };
}
