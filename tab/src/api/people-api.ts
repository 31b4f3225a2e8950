/**
 * The people directory (`/api/v1/people`), one person, and my own profile
 * (`PATCH /api/v1/me/profile`): expertise, interests, organisation, function.
 */
import type { ApiClient } from './api-client.js';
import type { Page, PageOptions } from './page.js';

export interface Profile {
  organisation: string | null;
  function: string | null;
  expertise: string[];
  interests: string[];
  askMeAbout: string | null;
  languages: string[];
}

export interface Person {
  id: string;
  name: string;
  jobTitle: string | null;
  department: string | null;
  isGuest: boolean;
  profile: Profile;
  /** Communities we share, when the API says. */
  communities: Array<{ id: string; name: string }>;
}

export type ProfileChanges = Partial<{ organisation: string | null; function: string | null; expertise: string[]; interests: string[]; askMeAbout: string | null; languages: string[] }>;

type Raw = Record<string, unknown>;
const record = (v: unknown): Raw => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Raw) : {});
const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);
const optional = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);

export function readPerson(value: unknown): Person {
  const raw = record(value);
  const profile = record(raw.profile);
  // Profile fields may come nested (`profile.expertise`) or flat (`expertise`).
  const field = (name: string) => profile[name] ?? raw[name];
  const id = typeof raw.id === 'string' ? raw.id : typeof raw.userId === 'string' ? raw.userId : '';
  return {
    id,
    name: typeof raw.name === 'string' ? raw.name : typeof raw.displayName === 'string' ? raw.displayName : id,
    jobTitle: optional(raw.jobTitle),
    department: optional(raw.department),
    isGuest: raw.isGuest === true,
    profile: {
      organisation: optional(field('organisation')),
      function: optional(field('function')),
      expertise: strings(field('expertise')),
      interests: strings(field('interests')),
      askMeAbout: optional(field('askMeAbout')),
      languages: strings(field('languages')),
    },
    communities: Array.isArray(raw.communities)
      ? raw.communities.map(record).flatMap((c) => (typeof c.id === 'string' && typeof c.name === 'string' ? [{ id: c.id, name: c.name }] : []))
      : [],
  };
}

/** `source: 'directory'` also searches the organisation's directory by name (one page, for inviting people new to Meent). */
export async function listPeople(api: ApiClient, options: PageOptions & { q?: string; expertise?: string; source?: 'directory' } = {}): Promise<Page<Person>> {
  const answer = record(
    await api.get<unknown>('/people', { query: { q: options.q || undefined, expertise: options.expertise || undefined, source: options.source, cursor: options.cursor, limit: options.limit }, signal: options.signal }),
  );
  const items = Array.isArray(answer.items) ? answer.items.map(readPerson) : [];
  return typeof answer.nextCursor === 'string' ? { items, nextCursor: answer.nextCursor } : { items };
}

/** Someone who knows about a topic, and why Meent thinks so. */
export interface Expert {
  person: Person;
  declaredExpertise: boolean;
  acceptedAnswers: number;
  replies: number;
}

/** "Who knows about …": declared expertise, accepted answers and replies on the topic, best first. */
export async function findExperts(api: ApiClient, topic: string, options: { limit?: number; signal?: AbortSignal } = {}): Promise<Expert[]> {
  const answer = record(await api.get<unknown>('/people/experts', { query: { topic, limit: options.limit }, signal: options.signal }));
  const items = Array.isArray(answer.items) ? answer.items.map(record) : [];
  return items.map((e) => ({
    person: readPerson(e.person),
    declaredExpertise: e.declaredExpertise === true,
    acceptedAnswers: typeof e.acceptedAnswers === 'number' ? e.acceptedAnswers : 0,
    replies: typeof e.replies === 'number' ? e.replies : 0,
  }));
}

export async function getPerson(api: ApiClient, id: string, signal?: AbortSignal): Promise<Person> {
  return readPerson(await api.get<unknown>(`/people/${encodeURIComponent(id)}`, { signal }));
}

export async function updateMyProfile(api: ApiClient, changes: ProfileChanges): Promise<Person> {
  return readPerson(await api.patch<unknown>('/me/profile', changes));
}
