/**
 * The NotificationRenderer (src/notifications/messenger.ts) of the bot: a notification as a
 * card in the personal chat (with "open" and one-click mute buttons), a new event as a card
 * in the community's channel (with a sign-up button), a digest as one card grouped per
 * community, and the same news as a Teams activity-feed notification. Activity types are the
 * ones the manifest declares (`appPackage/manifest.json`, `activities`); other kinds use the
 * reserved `systemDefault` type with free text.
 * https://learn.microsoft.com/en-us/graph/teams-send-activityfeednotifications
 */
import { languageOrDefault } from '../src/content/language.js';
import { formerMemberName } from '../src/personal-data/former-member.js';
import { DEFAULT_TIME_ZONE } from '../src/time/time-zone.js';
import type { DigestSection, NotificationRenderer, OutgoingMessage, ActivityFeedNotification } from '../src/notifications/messenger.js';
import type { NotificationKind, NotificationRecord } from '../src/notifications/notification.model.js';
import type { EffectivePreferences } from '../src/notifications/notification-preferences.js';
import { digestCard, notificationCard } from './cards/cards.js';
import { eventView, fileList } from './card-views.js';
import { closesText, consultationTeaser } from './consultation-views.js';
import { consultationTextsFor } from './consultation-texts.js';
import type { ConsultationCardKind } from './cards/consultation-cards.js';
import type { FileSummary, Links } from './ports.js';
import { formatSpan, textsFor, type Language } from './texts.js';

type Data = Record<string, unknown>;

interface Described {
  title: string;
  text: string;
  context: string;
  url: string;
}

const DIGEST_ITEMS_PER_SECTION = 8;

/** Activity types declared in the manifest, with the template parameters each one names. */
const DECLARED_FEED_TYPES: Record<string, (d: Data, actor: string) => { name: string; value: string }[]> = {
  eventPromoted: (d) => [{ name: 'eventTitle', value: str(d.eventTitle) }],
  eventChanged: (d, actor) => [{ name: 'actor', value: actor }, { name: 'eventTitle', value: str(d.eventTitle) }],
  eventCancelled: (d, actor) => [{ name: 'actor', value: actor }, { name: 'eventTitle', value: str(d.eventTitle) }],
  reply: (d, actor) => [{ name: 'actor', value: actor }, { name: 'discussionTitle', value: str(d.discussionTitle) }],
  mention: (d, actor) => [{ name: 'actor', value: actor }, { name: 'discussionTitle', value: str(d.discussionTitle) }],
  reminder: (d) => [{ name: 'eventTitle', value: str(d.eventTitle) }],
};

export class NotificationCards implements NotificationRenderer {
  constructor(private readonly links: Links) {}

  message(n: NotificationRecord, prefs: EffectivePreferences): OutgoingMessage {
    const language = prefs.locale;
    const consultation = consultationMessage(n, language, this.links);
    if (consultation) return consultation;
    const t = textsFor(language);
    const d = describe(n, language, this.links);
    const data = (n.data ?? {}) as Data;
    const discussionId = n.subject.type === 'discussion' ? n.subject.id : str(data.discussionId);
    const communityId = n.subject.type === 'community' ? n.subject.id : str(data.communityId);
    return {
      summary: d.title,
      attachments: [
        notificationCard({
          context: d.context,
          title: d.title,
          text: d.text,
          notice: '',
          url: d.url,
          discussionId,
          discussionTitle: str(data.discussionTitle),
          communityId,
          communityName: str(data.communityName),
          ...fileList({ t, language }, filesOf(data), typeof data.fileCount === 'number' ? data.fileCount : 0),
          labels: { open: t.open, muteDiscussion: t.muteDiscussion, muteCommunity: t.muteCommunity, files: t.files },
        }),
      ],
    };
  }

  channelPost(n: NotificationRecord): OutgoingMessage {
    const data = (n.data ?? {}) as Data;
    const language: Language = languageOrDefault(data.locale);
    const consultation = consultationMessage(n, language, this.links);
    if (consultation) return consultation;
    const t = textsFor(language);
    const start = date(data.startsAt) ?? n.createdAt;
    const end = date(data.endsAt) ?? start;
    const capacity = typeof data.capacity === 'number' ? data.capacity : null;
    const card = eventView(
      { t, language, links: this.links },
      {
        id: n.subject.id,
        title: str(data.eventTitle),
        communityName: str(data.communityName) || null,
        start,
        end,
        timeZone: str(data.timeZone) || DEFAULT_TIME_ZONE,
        location: str(data.location) || null,
        online: data.online === true,
        status: 'scheduled',
        capacity,
        registered: typeof data.registered === 'number' ? data.registered : 0,
        waitlisted: 0,
        mine: null,
        // What the events service said when it announced the event (its sign-up window rule);
        // an announcement written before it said anything keeps the button it had.
        canSignUp: data.canSignUp !== false,
      },
    );
    return { summary: str(data.eventTitle), attachments: [card] };
  }

  digest(input: { cadence: 'daily' | 'weekly'; sections: DigestSection[]; prefs: EffectivePreferences }): OutgoingMessage {
    const language = input.prefs.locale;
    const t = textsFor(language);
    const title = input.cadence === 'daily' ? t.digestDaily : t.digestWeekly;
    const sections = [...input.sections]
      .sort((a, b) => (a.communityId === null ? 1 : b.communityId === null ? -1 : a.communityName.localeCompare(b.communityName)))
      .map((s) => ({
        name: s.communityName || t.digestGeneral,
        items: s.items.slice(0, DIGEST_ITEMS_PER_SECTION).map((n) => {
          const d = describe(n, language, this.links);
          return { title: d.title, url: d.url };
        }),
        more: s.items.length > DIGEST_ITEMS_PER_SECTION ? t.digestMore(s.items.length - DIGEST_ITEMS_PER_SECTION) : '',
      }));
    return { summary: title, attachments: [digestCard({ title, sections, openLabel: t.openTab, appUrl: this.links.app() })] };
  }

  feed(n: NotificationRecord, prefs: EffectivePreferences): ActivityFeedNotification {
    const d = describe(n, prefs.locale, this.links);
    const data = (n.data ?? {}) as Data;
    const declared = DECLARED_FEED_TYPES[n.kind];
    const actor = actorNameOf(data, prefs.locale) || 'Meent';
    return {
      activityType: declared ? n.kind : 'systemDefault',
      previewText: d.text || d.title,
      topic: { title: d.context || 'Meent', webUrl: d.url },
      templateParameters: declared ? declared(data, actor) : [{ name: 'systemDefaultText', value: d.title }],
    };
  }

  digestFeed(input: { cadence: 'daily' | 'weekly'; count: number; prefs: EffectivePreferences }): ActivityFeedNotification {
    const t = textsFor(input.prefs.locale);
    const title = input.cadence === 'daily' ? t.digestDaily : t.digestWeekly;
    return { activityType: 'systemDefault', previewText: `${title} (${input.count})`, topic: { title: 'Meent', webUrl: this.links.app() }, templateParameters: [{ name: 'systemDefaultText', value: title }] };
  }
}

/** Title, text, context line and link of a notification, in the person's language. */
export function describe(n: NotificationRecord, language: Language, links: Links): Described {
  const d = (n.data ?? {}) as Data;
  const nl = language === 'nl';
  const actor = actorNameOf(d, language) || (nl ? 'Iemand' : 'Someone');
  // The discussions capability stores its notifications' title as `title` (meetings store
  // `discussionTitle`); read both, so reply, mention and closing cards name their discussion.
  const discussion = quote(str(d.discussionTitle) || (n.subject.type === 'discussion' || n.subject.type === 'reply' ? str(d.title) : ''));
  const event = quote(str(d.eventTitle));
  const community = str(d.communityName);
  const when = date(d.startsAt) ? formatSpan(date(d.startsAt) as Date, date(d.endsAt) ?? (date(d.startsAt) as Date), str(d.timeZone) || DEFAULT_TIME_ZONE, language).replace(/[–-]\d\d:\d\d$/, '') : '';
  const url = urlFor(n, links);
  const excerpt = str(d.excerpt) || str(d.conclusionExcerpt);
  const consultation = quote(str(d.title));
  const closes = n.kind.startsWith('consultation') && date(d.closesAt) ? closesText(consultationTextsFor(language), date(d.closesAt)?.toISOString() ?? null, str(d.timeZone) || DEFAULT_TIME_ZONE, language) : '';
  const vars: Vars = { actor, discussion, event, community, when, excerpt, reason: str(d.reason), consultation, closes };
  const wording = WORDING[n.kind];
  const title = wording ? wording.title(vars)[nl ? 0 : 1] : 'Meent';
  const text = wording?.text ? wording.text(vars)[nl ? 0 : 1] : '';
  return { title: title.replace(/\s+/g, ' ').trim(), text, context: community, url };
}

/** What a notification's title and text are made of (already quoted and formatted). */
interface Vars {
  actor: string;
  discussion: string;
  event: string;
  community: string;
  when: string;
  excerpt: string;
  reason: string;
  consultation: string;
  closes: string;
}

/** [Dutch, English]. */
type Wording = (v: Vars) => readonly [string, string];
const same = (text: string) => [text, text] as const;
const excerptText: Wording = (v) => same(v.excerpt);
const whenText: Wording = (v) => same(v.when);

/** Title and text per kind, in both languages; one table, so a new kind is one row. */
const WORDING: Partial<Record<NotificationKind, { title: Wording; text?: Wording }>> = {
  reply: { title: (v) => [`${v.actor} reageerde op ${v.discussion}`, `${v.actor} replied to ${v.discussion}`], text: excerptText },
  mention: { title: (v) => [`${v.actor} noemde je in ${v.discussion}`, `${v.actor} mentioned you in ${v.discussion}`], text: excerptText },
  newDiscussion: { title: (v) => [`Nieuwe discussie: ${v.discussion}`, `New discussion: ${v.discussion}`], text: excerptText },
  answerAccepted: { title: (v) => [`Je antwoord in ${v.discussion} is als beste gekozen`, `Your answer in ${v.discussion} was accepted`] },
  discussionClosed: { title: (v) => [`${v.discussion} is gesloten`, `${v.discussion} was closed`] },
  discussionReopened: { title: (v) => [`${v.discussion} is heropend`, `${v.discussion} was reopened`] },
  membershipRequested: { title: (v) => [`${v.actor} wil lid worden van ${v.community}`, `${v.actor} asks to join ${v.community}`] },
  membershipApproved: { title: (v) => [`Je bent nu lid van ${v.community}`, `You are now a member of ${v.community}`] },
  membershipDeclined: { title: (v) => [`Je aanvraag voor ${v.community} is afgewezen`, `Your request to join ${v.community} was declined`] },
  membershipInvited: { title: (v) => [`${v.actor} nodigt je uit voor ${v.community}`, `${v.actor} invited you to ${v.community}`] },
  roleChanged: { title: (v) => [`Je rol in ${v.community} is gewijzigd`, `Your role in ${v.community} changed`] },
  contentReported: { title: (v) => [`Er is inhoud gemeld in ${v.community}`, `Content was reported in ${v.community}`] },
  contentHidden: { title: () => ['Een bijdrage van je is verborgen', 'A post of yours was hidden'] },
  eventPromoted: {
    title: (v) => [`Je hebt een plaats bij ${v.event}`, `You have a place at ${v.event}`],
    text: () => ['Je stond op de wachtlijst; er is een plaats voor je vrijgekomen.', 'You were on the waitlist; a place has come free for you.'],
  },
  eventChanged: { title: (v) => [`${v.event} is gewijzigd`, `${v.event} has changed`], text: whenText },
  eventCancelled: { title: (v) => [`${v.event} is afgelast`, `${v.event} has been cancelled`], text: (v) => same(v.reason) },
  eventRegistrationRequested: { title: (v) => [`${v.actor} wil zich aanmelden voor ${v.event}`, `${v.actor} asks to sign up for ${v.event}`] },
  eventRegistrationApproved: { title: (v) => [`Je aanmelding voor ${v.event} is goedgekeurd`, `Your sign-up for ${v.event} was approved`] },
  eventRegistrationDeclined: { title: (v) => [`Je aanmelding voor ${v.event} is afgewezen`, `Your sign-up for ${v.event} was declined`] },
  reminder: { title: (v) => [`Herinnering: ${v.event}`, `Reminder: ${v.event}`], text: whenText },
  eventAnnounced: { title: (v) => [`Nieuwe bijeenkomst: ${v.event}`, `New event: ${v.event}`], text: whenText },
  consultationOpened: { title: (v) => [`Nieuwe raadpleging: ${v.consultation}`, `New consultation: ${v.consultation}`], text: (v) => same(v.closes) },
  consultationAnnounced: { title: (v) => [`Nieuwe raadpleging: ${v.consultation}`, `New consultation: ${v.consultation}`], text: (v) => same(v.closes) },
  consultationReminder: { title: (v) => [`Herinnering: ${v.consultation} wacht op je antwoord`, `Reminder: ${v.consultation} is waiting for your answer`], text: (v) => same(v.closes) },
  consultationConclusion: { title: (v) => [`Wat we hoorden in ${v.consultation}`, `What we heard in ${v.consultation}`], text: excerptText },
  consultationConcluded: { title: (v) => [`Wat we hoorden in ${v.consultation}`, `What we heard in ${v.consultation}`], text: excerptText },
};

/** The card of each consultation kind: the heading it keeps when it refreshes. */
const CONSULTATION_CARDS: Partial<Record<NotificationKind, ConsultationCardKind>> = {
  consultationOpened: 'opened',
  consultationAnnounced: 'announced',
  consultationReminder: 'reminder',
  consultationConclusion: 'conclusion',
  consultationConcluded: 'conclusion',
};

/**
 * A consultation's notification or channel post: its card, from what the notification carries
 * (title, community, closing time, the conclusion's excerpt). It refreshes to the reader's own
 * card (the questions, or "you answered"): automatically in a chat or channel of at most 60
 * people (no `userIds`, as the refresh contract allows), with the "answer" button otherwise.
 */
function consultationMessage(n: NotificationRecord, language: Language, links: Links): OutgoingMessage | undefined {
  const kind = CONSULTATION_CARDS[n.kind];
  if (!kind) return undefined;
  const d = (n.data ?? {}) as Data;
  const id = n.subject.type === 'consultation' ? n.subject.id : str(d.consultationId);
  const card = consultationTeaser(
    { language, links },
    { kind, id, title: str(d.title), communityName: str(d.communityName), closesAt: date(d.closesAt)?.toISOString() ?? null, timeZone: str(d.timeZone) || DEFAULT_TIME_ZONE, conclusion: str(d.conclusionExcerpt) },
  );
  return { summary: describe(n, language, links).title, attachments: [card] };
}

function urlFor(n: NotificationRecord, links: Links): string {
  const d = (n.data ?? {}) as Data;
  switch (n.subject.type) {
    case 'event':
      return links.event(n.subject.id);
    case 'discussion':
      return links.discussion(n.subject.id);
    case 'community':
      return links.community(n.subject.id);
    case 'user':
      return links.person(n.subject.id);
    case 'consultation':
      return links.consultation(n.subject.id);
    default:
      if (str(d.eventId)) return links.event(str(d.eventId));
      if (str(d.discussionId)) return links.discussion(str(d.discussionId));
      if (str(d.communityId)) return links.community(str(d.communityId));
      return links.app();
  }
}

/** Erasure leaves "Former member" in the organisation's language and the mark `actorErased`: the reader's language wins. */
function actorNameOf(d: Data, language: Language): string {
  return d.actorErased === true ? formerMemberName(language) : str(d.actorName);
}

function str(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

function quote(title: string): string {
  return title ? `"${title}"` : '';
}

function date(value: unknown): Date | undefined {
  if (typeof value !== 'string' && !(value instanceof Date)) return undefined;
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? undefined : d;
}

/** The files a notification carries (a reply's, src/discussions/reply.service.ts); anything malformed is left out. */
function filesOf(d: Data): FileSummary[] {
  if (!Array.isArray(d.files)) return [];
  return d.files.flatMap((f: unknown) => {
    const file = (f ?? {}) as Data;
    if (typeof file.name !== 'string' || typeof file.size !== 'number') return [];
    return [{ name: file.name, size: file.size, url: typeof file.url === 'string' && /^https?:\/\//.test(file.url) ? file.url : null }];
  });
}
