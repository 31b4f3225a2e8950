/**
 * The people directory, profiles and "who knows about X". People are visible to those who
 * share the organisation or a community with them: the organisation's own people see each
 * other and the guests of their communities; guests see only the members of their
 * communities; organisation admins see everyone in the tenant.
 */
import type { Actor } from '../auth/actor.js';
import { readableCommunityIds } from '../communities/community-access.js';
import { coMembersOf, shareACommunity } from '../communities/communities.port.js';
import { normalizeTag, normalizeTags } from '../content/tags.js';
import { MAX_PAGE_SIZE, type Page } from '../db/pagination.js';
import { NotFoundError, ValidationError } from '../errors/domain-errors.js';
import { repliesByTag } from '../discussions/reply.service.js';
import { analyseQuery, foldText, searchKeys, words as wordsOf, type QueryWord } from '../search-index/text-analysis.js';
import { maxSearchHits, type DirectoryGateway, type DirectorySearchHit } from '../graph/directory-gateway.js';
import { isDirectoryGuest } from '../members/directory-person.js';
import type { PeopleRepository } from '../members/people.repository.js';
import type { ExpertView, ListPeopleQuery, PersonView, UpdateProfileInput } from '../members/profile.schemas.js';
import type { UserRecord } from '../members/user.model.js';
import { derivedOnce, readCache } from '../db/read-cache.js';
import { stampScope } from '../db/version-stamps.js';

/** Weights of "who knows about X", per signal. */
export const EXPERT_WEIGHTS = { declaredExpertise: 5, acceptedAnswer: 3, reply: 1 } as const;

export interface PeopleServiceDeps {
  people: PeopleRepository;
  /** The organisation's directory for an actor (the picker's search by name); absent in local mode. */
  directoryFor?: (actor: Actor) => DirectoryGateway | undefined;
}

export class PeopleService {
  private readonly people: PeopleRepository;
  private readonly directoryFor: ((actor: Actor) => DirectoryGateway | undefined) | undefined;

  constructor(deps: PeopleServiceDeps) {
    this.people = deps.people;
    this.directoryFor = deps.directoryFor;
  }

  async get(actor: Actor, userId: string): Promise<PersonView> {
    const user = await this.people.find(actor.tenantId, userId);
    if (!user || !(await this.canSee(actor, user))) throw new NotFoundError('There is no such person.', 'user_not_found');
    return personToView(user);
  }

  /** The directory, by name; `q` matches name, organisation, function, job title, department and expertise. */
  async list(actor: Actor, query: ListPeopleQuery): Promise<Page<PersonView>> {
    if (query.source === 'directory') return { items: await this.withDirectory(actor, query) };
    let visible = await this.visiblePeople(actor);
    if (query.q) {
      const words = analyseQuery(query.q);
      if (words.length > 0) visible = visible.filter((u) => matchesAll(u, words));
    }
    if (query.expertise) {
      const tag = normalizeTag(query.expertise);
      const keys = new Set(searchKeys(tag));
      visible = visible.filter((u) => (u.profile?.expertise ?? []).some((e) => normalizeTag(e) === tag || searchKeys(e).some((k) => keys.has(k))));
    }
    visible.sort(byName);
    let start = 0;
    if (query.cursor) {
      const after = decodeNameCursor(query.cursor);
      start = visible.findIndex((u) => byName(u, { displayName: after.name, userId: after.id } as UserRecord) > 0);
      if (start < 0) start = visible.length;
    }
    const limit = Math.min(query.limit ?? 20, MAX_PAGE_SIZE);
    const items = visible.slice(start, start + limit);
    const last = items[items.length - 1];
    return { items: items.map(personToView), ...(start + limit < visible.length && last ? { nextCursor: encodeNameCursor(last) } : {}) };
  }

  /** People ranked for a topic: declared expertise, accepted answers and replies in discussions tagged with it. */
  async experts(actor: Actor, topic: string, limit = 10): Promise<ExpertView[]> {
    const tag = normalizeTag(topic);
    const keys = new Set(searchKeys(tag));
    const [visible, readable] = await Promise.all([this.visiblePeople(actor), readableCommunityIds(actor)]);
    const replies = await repliesByTag(actor.tenantId, tag, new Set(readable.map(String)));
    const tally = new Map<string, { accepted: number; replies: number }>();
    for (const r of replies) {
      const t = tally.get(r.authorId) ?? { accepted: 0, replies: 0 };
      t.replies++;
      if (r.accepted) t.accepted++;
      tally.set(r.authorId, t);
    }
    const results: ExpertView[] = [];
    for (const user of visible) {
      const declared = (user.profile?.expertise ?? []).some((e) => normalizeTag(e) === tag || searchKeys(e).some((k) => keys.has(k)));
      const t = tally.get(user.userId) ?? { accepted: 0, replies: 0 };
      const score = (declared ? EXPERT_WEIGHTS.declaredExpertise : 0) + t.accepted * EXPERT_WEIGHTS.acceptedAnswer + t.replies * EXPERT_WEIGHTS.reply;
      if (score > 0) results.push({ person: personToView(user), score, declaredExpertise: declared, acceptedAnswers: t.accepted, replies: t.replies });
    }
    results.sort((a, b) => b.score - a.score || a.person.displayName.localeCompare(b.person.displayName, 'nl'));
    return results.slice(0, Math.min(limit, 50));
  }

  /** PATCH /me/profile. */
  async updateProfile(actor: Actor, input: UpdateProfileInput): Promise<PersonView> {
    const updated = await this.people.updateProfile(actor.tenantId, actor.userId, {
      ...input,
      ...(input.expertise ? { expertise: normalizeTags(input.expertise) } : {}),
      ...(input.interests ? { interests: normalizeTags(input.interests) } : {}),
    });
    if (!updated) throw new NotFoundError('Meent does not know you yet; sign in again.', 'user_not_found');
    return personToView(updated);
  }

  /** People matching query words, for /search: per word 3 (name or expertise), 1 (other profile fields) or 0. */
  async search(actor: Actor, words: QueryWord[], limit: number): Promise<Array<{ person: PersonView; weights: number[] }>> {
    if (words.length === 0) return [];
    const everyone = await this.everyoneIn(actor.tenantId);
    const keysOf = searchKeysOfPeople(everyone);
    const visible = await this.visiblePeople(actor, everyone);
    const found: Array<{ person: PersonView; weights: number[]; total: number }> = [];
    for (const user of visible) {
      const { strong, all, names } = keysOf.get(user.userId) ?? personSearchKeys(user);
      const weights: number[] = words.map((w): number => (w.keys.some((k) => strong.has(k)) || names.some((n) => n.startsWith(w.word)) ? 3 : w.keys.some((k) => all.has(k)) ? 1 : 0));
      const total = weights.reduce((a: number, b: number) => a + b, 0);
      if (total > 0) found.push({ person: personToView(user), weights, total });
    }
    found.sort((a, b) => b.total - a.total);
    return found.slice(0, limit).map(({ person, weights }) => ({ person, weights }));
  }

  /**
   * `source=directory`: the people Meent knows who match (as the list), merged with the
   * organisation's directory by name, so that someone who never used Meent can be invited;
   * one page, by name. A person Meent knows appears once, as Meent shows them (a known person
   * the actor may not see stays hidden). Directory-only people come without an e-mail
   * address. Guests search only Meent's people: the directory is the organisation's.
   */
  private async withDirectory(actor: Actor, query: ListPeopleQuery): Promise<PersonView[]> {
    const limit = Math.min(query.limit ?? 20, MAX_PAGE_SIZE);
    const known = (await this.list(actor, { q: query.q, limit: MAX_PAGE_SIZE, ...(query.expertise ? { expertise: query.expertise } : {}) })).items;
    const directory = actor.isGuest ? undefined : this.directoryFor?.(actor);
    const hits = directory && query.q && !query.expertise ? await directory.searchUsers(query.q, Math.min(limit, maxSearchHits)) : [];
    // Known to Meent but not matched or not visible: Meent's rules decide, not the directory's.
    const knownToMeent = await this.people.findMany(actor.tenantId, hits.map((h) => h.id));
    const seen = new Set(known.map((p) => p.id));
    const unknown: PersonView[] = [];
    for (const hit of hits) {
      if (seen.has(hit.id) || knownToMeent.has(hit.id)) continue;
      seen.add(hit.id);
      unknown.push(directoryOnlyView(hit));
    }
    return [...known, ...unknown].sort((a, b) => byName({ displayName: a.displayName, userId: a.id } as UserRecord, { displayName: b.displayName, userId: b.id } as UserRecord)).slice(0, limit);
  }

  /** Whether the actor may see this person in the directory. */
  async canSee(actor: Actor, user: UserRecord): Promise<boolean> {
    if (user.tenantId !== actor.tenantId) return false;
    if (user.userId === actor.userId || actor.isOrgAdmin) return true;
    if (!actor.isGuest && !user.isGuest) return true;
    return shareACommunity(actor.tenantId, actor.userId, user.userId);
  }

  /**
   * Everyone of the tenant Meent knows, through the read cache: any write of a person of the
   * tenant renews it (version stamps, src/db/read-cache.ts). Frozen: copy before sorting.
   */
  private everyoneIn(tenantId: string): Promise<readonly UserRecord[]> {
    return readCache().get(`people:${tenantId}`, [stampScope.tenantPeople(tenantId), stampScope.wholeModel('User')], () => this.people.allInTenant(tenantId));
  }

  private async visiblePeople(actor: Actor, known?: readonly UserRecord[]): Promise<UserRecord[]> {
    const everyone = known ?? (await this.everyoneIn(actor.tenantId));
    if (actor.isOrgAdmin) return [...everyone];
    // The organisation's own people see each other; shared communities matter only where guests are involved.
    if (!actor.isGuest && !everyone.some((u) => u.isGuest)) return [...everyone];
    const coMembers = await coMembersOf(actor.tenantId, actor.userId);
    return everyone.filter((u) => u.userId === actor.userId || coMembers.has(u.userId) || (!actor.isGuest && !u.isGuest));
  }

}

interface PersonSearchKeys {
  /** Keys of the name and declared expertise (weighted like a title). */
  strong: ReadonlySet<string>;
  /** Those and the keys of organisation, function, job title, department, interests and "ask me about". */
  all: ReadonlySet<string>;
  /** The name's words, for prefix matches ("Jan" finds "Janssen"). */
  names: readonly string[];
}

function personSearchKeys(user: UserRecord): PersonSearchKeys {
  const strong = new Set(searchKeys(user.displayName, ...(user.profile?.expertise ?? [])));
  const all = new Set([...strong, ...searchKeys(user.profile?.organisation, user.profile?.function, user.jobTitle, user.department, ...(user.profile?.interests ?? []), user.profile?.askMeAbout)]);
  return { strong, all, names: wordsOf(user.displayName) };
}

/** Stemming runs once per cached version of a tenant's list of people, not per search. */
const searchKeysOfPeople = derivedOnce((everyone: readonly UserRecord[]): Map<string, PersonSearchKeys> => new Map(everyone.map((u) => [u.userId, personSearchKeys(u)])));

function matchesAll(user: UserRecord, words: QueryWord[]): boolean {
  const keys = new Set(
    searchKeys(user.displayName, user.profile?.organisation, user.profile?.function, user.jobTitle, user.department, ...(user.profile?.expertise ?? []), ...(user.profile?.interests ?? [])),
  );
  const names = wordsOf(`${user.displayName} ${user.mail ?? ''}`);
  return words.every((w) => w.keys.some((k) => keys.has(k)) || names.some((n) => n.startsWith(w.word)));
}

function byName(a: UserRecord, b: UserRecord): number {
  const an = foldText(a.displayName);
  const bn = foldText(b.displayName);
  return an < bn ? -1 : an > bn ? 1 : a.userId < b.userId ? -1 : a.userId > b.userId ? 1 : 0;
}

function encodeNameCursor(u: UserRecord): string {
  return Buffer.from(JSON.stringify({ n: u.displayName, u: u.userId })).toString('base64url');
}

function decodeNameCursor(cursor: string): { name: string; id: string } {
  try {
    const parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { n?: unknown; u?: unknown };
    if (typeof parsed.n === 'string' && typeof parsed.u === 'string') return { name: parsed.n, id: parsed.u };
  } catch {
    // fall through
  }
  throw new ValidationError('The cursor is not valid; start again without one.', [{ path: 'query.cursor', message: 'invalid cursor' }], 'invalid_cursor');
}

/** Someone only the organisation's directory knows: the picker's fields, no e-mail address, no profile yet. */
function directoryOnlyView(hit: DirectorySearchHit): PersonView {
  return {
    id: hit.id,
    displayName: hit.displayName ?? hit.id,
    jobTitle: hit.jobTitle,
    department: hit.department,
    mail: null,
    isGuest: isDirectoryGuest(hit),
    organisation: null,
    function: null,
    expertise: [],
    interests: [],
    askMeAbout: null,
    languages: [],
  };
}

export function personToView(u: UserRecord): PersonView {
  return {
    id: u.userId,
    displayName: u.displayName,
    jobTitle: u.jobTitle ?? null,
    department: u.department ?? null,
    mail: u.mail ?? null,
    isGuest: u.isGuest === true,
    organisation: u.profile?.organisation ?? null,
    function: u.profile?.function ?? null,
    expertise: u.profile?.expertise ?? [],
    interests: u.profile?.interests ?? [],
    askMeAbout: u.profile?.askMeAbout ?? null,
    languages: u.profile?.languages ?? [],
  };
}
