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
import type { DigestSection, NotificationRenderer, OutgoingMessage, ActivityFeedNotification } from '../src/notifications/messenger.js';
import type { NotificationRecord } from '../src/notifications/notification.model.js';
import type { EffectivePreferences } from '../src/notifications/notification-preferences.js';
import { digestCard, notificationCard } from './cards/cards.js';
import { eventView } from './card-views.js';
import type { Links } from './ports.js';
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
          labels: { open: t.open, muteDiscussion: t.muteDiscussion, muteCommunity: t.muteCommunity },
        }),
      ],
    };
  }

  channelPost(n: NotificationRecord): OutgoingMessage {
    const data = (n.data ?? {}) as Data;
    const language: Language = languageOrDefault(data.locale);
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
        timeZone: str(data.timeZone) || 'Europe/Amsterdam',
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
    const actor = str(data.actorName) || 'Meent';
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
  const actor = str(d.actorName) || (nl ? 'Iemand' : 'Someone');
  const discussion = quote(str(d.discussionTitle));
  const event = quote(str(d.eventTitle));
  const community = str(d.communityName);
  const when = date(d.startsAt) ? formatSpan(date(d.startsAt) as Date, date(d.endsAt) ?? (date(d.startsAt) as Date), str(d.timeZone) || 'Europe/Amsterdam', language).replace(/[–-]\d\d:\d\d$/, '') : '';
  const url = urlFor(n, links);
  const excerpt = str(d.excerpt);
  const pick = (nlText: string, enText: string) => (nl ? nlText : enText);
  let title: string;
  let text = '';
  switch (n.kind) {
    case 'reply':
      title = pick(`${actor} reageerde op ${discussion}`, `${actor} replied to ${discussion}`);
      text = excerpt;
      break;
    case 'mention':
      title = pick(`${actor} noemde je in ${discussion}`, `${actor} mentioned you in ${discussion}`);
      text = excerpt;
      break;
    case 'newDiscussion':
      title = pick(`Nieuwe discussie: ${discussion}`, `New discussion: ${discussion}`);
      text = excerpt;
      break;
    case 'answerAccepted':
      title = pick(`Je antwoord in ${discussion} is als beste gekozen`, `Your answer in ${discussion} was accepted`);
      break;
    case 'discussionClosed':
      title = pick(`${discussion} is gesloten`, `${discussion} was closed`);
      break;
    case 'discussionReopened':
      title = pick(`${discussion} is heropend`, `${discussion} was reopened`);
      break;
    case 'membershipRequested':
      title = pick(`${actor} wil lid worden van ${community}`, `${actor} asks to join ${community}`);
      break;
    case 'membershipApproved':
      title = pick(`Je bent nu lid van ${community}`, `You are now a member of ${community}`);
      break;
    case 'membershipDeclined':
      title = pick(`Je aanvraag voor ${community} is afgewezen`, `Your request to join ${community} was declined`);
      break;
    case 'membershipInvited':
      title = pick(`${actor} nodigt je uit voor ${community}`, `${actor} invited you to ${community}`);
      break;
    case 'roleChanged':
      title = pick(`Je rol in ${community} is gewijzigd`, `Your role in ${community} changed`);
      break;
    case 'contentReported':
      title = pick(`Er is inhoud gemeld in ${community}`, `Content was reported in ${community}`);
      break;
    case 'contentHidden':
      title = pick(`Een bijdrage van je is verborgen`, `A post of yours was hidden`);
      break;
    case 'eventPromoted':
      title = pick(`Je hebt een plaats bij ${event}`, `You have a place at ${event}`);
      text = pick('Je stond op de wachtlijst; er is een plaats voor je vrijgekomen.', 'You were on the waitlist; a place has come free for you.');
      break;
    case 'eventChanged':
      title = pick(`${event} is gewijzigd`, `${event} has changed`);
      text = when;
      break;
    case 'eventCancelled':
      title = pick(`${event} is afgelast`, `${event} has been cancelled`);
      text = str(d.reason);
      break;
    case 'eventRegistrationRequested':
      title = pick(`${actor} wil zich aanmelden voor ${event}`, `${actor} asks to sign up for ${event}`);
      break;
    case 'eventRegistrationApproved':
      title = pick(`Je aanmelding voor ${event} is goedgekeurd`, `Your sign-up for ${event} was approved`);
      break;
    case 'eventRegistrationDeclined':
      title = pick(`Je aanmelding voor ${event} is afgewezen`, `Your sign-up for ${event} was declined`);
      break;
    case 'reminder':
      title = pick(`Herinnering: ${event}`, `Reminder: ${event}`);
      text = when;
      break;
    case 'eventAnnounced':
      title = pick(`Nieuwe bijeenkomst: ${event}`, `New event: ${event}`);
      text = when;
      break;
    default:
      title = 'Meent';
  }
  return { title: title.replace(/\s+/g, ' ').trim(), text, context: community, url };
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
    default:
      if (str(d.eventId)) return links.event(str(d.eventId));
      if (str(d.discussionId)) return links.discussion(str(d.discussionId));
      if (str(d.communityId)) return links.community(str(d.communityId));
      return links.app();
  }
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
