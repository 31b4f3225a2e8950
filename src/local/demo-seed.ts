/**
 * The demo organisation of local mode (people from demo-people.ts, content from
 * demo-content.ts), written through the same services the API uses, so the counts, search
 * keys, rendered Markdown and waitlist come out as they would for real users.
 * Idempotent: each person, community, discussion, reply and event is looked up by a stable
 * key first, and sign-ups return the existing registration, so a second run changes nothing.
 */
import type { Actor } from '../auth/actor.js';
import type { CommunityService } from '../communities/community.service.js';
import { communityNamed, membershipOf } from '../communities/communities.port.js';
import type { Config } from '../config/config.js';
import type { ConsultationService } from '../consultations/consultation.service.js';
import { writeDemoConsultations } from './demo-consultations.js';
import type { MembershipService } from '../communities/membership.service.js';
import type { DiscussionService } from '../discussions/discussion.service.js';
import { discussionTitled, replyWithBody } from '../discussions/discussions.port.js';
import type { ReplyService } from '../discussions/reply.service.js';
import type { EventSignupService } from '../events/event-signup.service.js';
import type { EventService } from '../events/event.service.js';
import { eventById, eventTitled } from '../events/events.port.js';
import type { SeatAllocator } from '../events/seat-allocator.js';
import { addPersonIfAbsent } from '../members/people.repository.js';
import { DEMO_COMMUNITIES, DEMO_DISCUSSIONS, DEMO_EVENTS, DEMO_PERSON_IDS, type DemoPersonKey } from './demo-content.js';
import { DEMO_PEOPLE, DEMO_TENANT_ID, findDemoPerson } from './demo-people.js';
import { actorForDemoPerson } from './local-session.js';
import { clockOf } from '../time/clock.js';
import { writeGeneratedActivity } from '../analytics/generated-activity.js';

export interface SeedResult {
  created: boolean;
  users: number;
  communities: number;
  discussions: number;
  replies: number;
  events: number;
}

/** The services the demo content is written through (the composition root builds them). */
export interface DemoServices {
  communities: { communities: CommunityService; memberships: MembershipService; discussions: DiscussionService; replies: ReplyService };
  events: { events: EventService; signups: EventSignupService; allocator: SeatAllocator };
}

export interface SeedDependencies extends DemoServices {
  config: Pick<Config, 'adminRole'>;
  /** The consultations written by writeDemoConsultations (demo-consultations.ts), when given. */
  consultations?: ConsultationService;
  now?: () => Date;
}

export async function writeDemoOrganisation(deps: SeedDependencies): Promise<SeedResult> {
  const result: SeedResult = { created: false, users: 0, communities: 0, discussions: 0, replies: 0, events: 0 };
  const actor = (key: DemoPersonKey): Actor => {
    const person = findDemoPerson(DEMO_PERSON_IDS[key]);
    if (!person) throw new Error(`demo person ${key} is missing from demo-people.ts`);
    return actorForDemoPerson(person, deps.config.adminRole);
  };

  for (const person of DEMO_PEOPLE) {
    const added = await addPersonIfAbsent({
      tenantId: person.tenantId,
      userId: person.id,
      homeTenantId: person.homeTenantId,
      displayName: person.displayName,
      userPrincipalName: person.userPrincipalName,
      mail: person.mail,
      jobTitle: person.jobTitle,
      department: person.department,
      officeLocation: person.officeLocation,
      isGuest: person.isGuest,
      isOrgAdmin: person.isOrgAdmin,
      profile: { organisation: person.organisation, expertise: person.expertise, interests: [], languages: ['nl', 'en'] },
    });
    if (added) result.users++;
  }

  const now = clockOf(deps);
  const { communities, events } = deps;

  const communityIds = new Map<string, string>();
  for (const c of DEMO_COMMUNITIES) {
    let existing = await communityNamed(DEMO_TENANT_ID, c.name);
    if (!existing) {
      await communities.communities.create(actor(c.createdBy), {
        name: c.name,
        description: c.description,
        tags: c.tags,
        visibility: c.visibility,
        guestsAllowed: c.guestsAllowed,
      });
      existing = await communityNamed(DEMO_TENANT_ID, c.name);
      result.communities++;
    }
    if (!existing) throw new Error(`seeding the community "${c.name}" failed`);
    const id = String(existing._id);
    communityIds.set(c.key, id);
    await seedMembers(communities, id, c, actor);
  }

  for (const d of DEMO_DISCUSSIONS) {
    const communityId = required(communityIds.get(d.community), d.community);
    let discussion = await discussionTitled(communityId, d.title);
    if (!discussion) {
      await communities.discussions.create(actor(d.author), communityId, { title: d.title, body: d.body, tags: d.tags, kind: d.kind });
      discussion = await discussionTitled(communityId, d.title);
      result.discussions++;
    }
    if (!discussion) throw new Error(`seeding the discussion "${d.title}" failed`);
    const discussionId = String(discussion._id);
    for (const r of d.reactions) await communities.discussions.react(actor(r.person), 'discussion', discussionId, r.kind);
    for (const r of d.replies) {
      let reply = await replyWithBody(discussion._id, r.body);
      if (!reply) {
        await communities.replies.create(actor(r.author), discussionId, { body: r.body });
        reply = await replyWithBody(discussion._id, r.body);
        result.replies++;
      }
      if (!reply) throw new Error(`seeding a reply to "${d.title}" failed`);
      for (const reaction of r.reactions ?? []) await communities.discussions.react(actor(reaction.person), 'reply', String(reply._id), reaction.kind);
      if (r.accepted && !reply.accepted) await communities.discussions.acceptAnswer(actor(d.author), discussionId, String(reply._id));
    }
  }

  for (const e of DEMO_EVENTS) {
    const communityId = required(communityIds.get(e.community), e.community);
    let event = await eventTitled(DEMO_TENANT_ID, communityId, e.title);
    if (!event) {
      const start = atLocalHour(now(), e.inDays, e.startHour);
      const created = await events.events.create(actor(e.organiser), {
        title: e.title,
        description: e.description,
        start,
        end: new Date(start.getTime() + e.durationHours * 3_600_000),
        timeZone: 'Europe/Amsterdam',
        online: e.online,
        ...(e.location ? { location: e.location } : {}),
        capacity: e.capacity ?? null,
        waitlist: e.waitlist,
        signupMethod: 'open',
        guestsAllowed: e.guestsMaySignUp,
        communityId,
      });
      event = await eventById(created.id);
      result.events++;
    }
    if (!event) throw new Error(`seeding the event "${e.title}" failed`);
    // Signing up twice returns the existing registration: safe to repeat.
    for (const person of e.signUps) await events.signups.signUp(actor(person), String(event._id));
  }
  await events.allocator.idle();
  const consultationsWritten = deps.consultations ? await writeDemoConsultations(deps.consultations, required(communityIds.get('bodem-water'), 'bodem-water'), actor, now()) : 0;
  await writeDemoAnalytics(now());

  result.created = result.users + result.communities + result.discussions + result.replies + result.events + consultationsWritten > 0;
  return result;
}

/**
 * Analytics (issue 16): three months of generated visits to the demo communities, their
 * discussions and events, written as daily counters, so the dashboard has something to show.
 * The same counters every run (deterministic), so seeding twice changes nothing.
 */
async function writeDemoAnalytics(now: Date): Promise<void> {
  const places = [];
  for (const c of DEMO_COMMUNITIES) {
    const community = await communityNamed(DEMO_TENANT_ID, c.name);
    if (!community) continue;
    const discussionIds: string[] = [];
    for (const d of DEMO_DISCUSSIONS.filter((x) => x.community === c.key)) {
      const found = await discussionTitled(community._id, d.title);
      if (found) discussionIds.push(String(found._id));
    }
    const eventIds: string[] = [];
    for (const e of DEMO_EVENTS.filter((x) => x.community === c.key)) {
      const found = await eventTitled(DEMO_TENANT_ID, community._id, e.title);
      if (found) eventIds.push(String(found._id));
    }
    places.push({ communityId: String(community._id), discussionIds, eventIds });
  }
  await writeGeneratedActivity({ tenantId: DEMO_TENANT_ID, places, until: now, days: 91 });
}

async function seedMembers(services: DemoServices['communities'], communityId: string, c: (typeof DEMO_COMMUNITIES)[number], actor: (key: DemoPersonKey) => Actor): Promise<void> {
  const manager = c.members.find((m) => m.role === 'manager')?.person ?? c.createdBy;
  for (const m of c.members) {
    const userId = DEMO_PERSON_IDS[m.person];
    let membership = await membershipOf(communityId, userId);
    if (!membership) {
      // Public communities are joined; closed ones are requested and then approved.
      await services.memberships.add(actor(m.person), communityId, {});
      membership = await membershipOf(communityId, userId);
    }
    if (membership && membership.status !== 'active') {
      await services.memberships.update(actor(c.createdBy), communityId, userId, { status: 'active' });
    }
    if (m.role === 'manager' && membership?.role !== 'manager') {
      await services.memberships.update(actor(c.createdBy === m.person ? manager : c.createdBy), communityId, userId, { role: 'manager' });
    }
  }
}

/** `days` from `now` at `hour`:00 in Amsterdam (CET/CEST), as an instant. */
function atLocalHour(now: Date, days: number, hour: number): Date {
  const day = new Date(now.getTime() + days * 86_400_000);
  const ymd = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Amsterdam', year: 'numeric', month: '2-digit', day: '2-digit' }).format(day);
  const utcGuess = new Date(`${ymd}T${String(hour).padStart(2, '0')}:00:00Z`);
  const offsetHours = Number(new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Amsterdam', hour: '2-digit', hourCycle: 'h23' }).format(utcGuess)) - utcGuess.getUTCHours();
  return new Date(utcGuess.getTime() - offsetHours * 3_600_000);
}

function required<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new Error(`demo content refers to an unknown ${what}`);
  return value;
}
