/**
 * Every card the bot sends: an Adaptive Card 1.5 template (the JSON files beside this one,
 * expanded with `adaptivecards-templating`) with a type for its data and one render function.
 * Handlers never build card JSON themselves. Values are data, never template text, so
 * whatever a person typed cannot change the card's structure, and it is Markdown-escaped
 * where a TextBlock shows it, so it cannot become a link or formatting either.
 */
import { Template } from 'adaptivecards-templating';
import askTemplate from './ask.json' with { type: 'json' };
import digestTemplate from './digest.json' with { type: 'json' };
import discussionTemplate from './discussion.json' with { type: 'json' };
import errorTemplate from './error.json' with { type: 'json' };
import filesPart from './parts/files.json' with { type: 'json' };
import eventTemplate from './event.json' with { type: 'json' };
import helpTemplate from './help.json' with { type: 'json' };
import listTemplate from './list.json' with { type: 'json' };
import notificationTemplate from './notification.json' with { type: 'json' };
import settingsTemplate from './settings.json' with { type: 'json' };
import shareEventTemplate from './share-event.json' with { type: 'json' };
import { escapeMarkdown } from './escape-markdown.js';

export const ADAPTIVE_CARD = 'application/vnd.microsoft.card.adaptive';

export interface CardAttachment {
  contentType: typeof ADAPTIVE_CARD;
  content: Record<string, unknown>;
}

export interface HelpCardData {
  title: string;
  intro: string;
  commandsIntro: string;
  commands: { name: string; description: string }[];
  openLabel: string;
  appUrl: string;
}

export interface EventCardData {
  id: string;
  title: string;
  community: string;
  when: string;
  where: string;
  seats: string;
  /** The person's own status ("You are on the waitlist (position 2)."), or ''. */
  status: string;
  /** Why the last action did not work, or ''. */
  notice: string;
  canSignUp: boolean;
  canCancel: boolean;
  url: string;
  /** Teams user ids (`29:...`) whose clients refresh the card automatically (at most 60). */
  refreshUserIds: string[];
  labels: { when: string; where: string; seats: string; signUp: string; cancel: string; open: string };
}

export interface DiscussionCardData {
  id: string;
  title: string;
  community: string;
  byline: string;
  excerpt: string;
  latestReplies: { author: string; text: string }[];
  canReply: boolean;
  following: boolean;
  notice: string;
  noticeColor: 'Good' | 'Attention' | 'Default';
  url: string;
  refreshUserIds: string[];
  /** A few of the files (`url` '' when no longer available: shown without "Open"), and "and N more" or ''. */
  files: { name: string; detail: string; url: string; tooltip: string }[];
  filesMore: string;
  labels: { replyPlaceholder: string; reply: string; follow: string; unfollow: string; open: string; files: string };
}

export interface ListCardData {
  title: string;
  empty: string;
  items: { title: string; subtitle: string; url: string }[];
  openLabel: string;
  appUrl: string;
}

export interface AskCardData {
  labels: { title: string; community: string; question: string; details: string; submit: string; missing: string };
  communities: { id: string; name: string }[];
  selectedCommunityId: string;
  question: string;
  details: string;
  notice: string;
  /** Where the form was opened: the bot's `ask` command or the message extension. */
  source: 'bot' | 'messageExtension';
}

export interface SettingsCardData {
  labels: { title: string; intro: string; channel: string; muted: string; unmute: string; save: string; profile: string };
  /** The tab's profile page, where a person exports their data or deletes their account. */
  profileUrl: string;
  groups: { key: string; label: string; value: string }[];
  cadences: { title: string; value: string }[];
  channel: string;
  channels: { title: string; value: string }[];
  mutes: { title: string; target: string; targetId: string }[];
  notice: string;
}

export interface NotificationCardData {
  context: string;
  title: string;
  text: string;
  notice: string;
  url: string;
  discussionId: string;
  discussionTitle: string;
  communityId: string;
  communityName: string;
  /** A reply's first few files, as on the discussion card (`url` '' when no longer available), and "and N more" or ''. */
  files: { name: string; detail: string; url: string; tooltip: string }[];
  filesMore: string;
  labels: { open: string; muteDiscussion: string; muteCommunity: string; files: string };
}

export interface DigestCardData {
  title: string;
  sections: { name: string; items: { title: string; url: string }[]; more: string }[];
  openLabel: string;
  appUrl: string;
}

export interface ShareEventCardData {
  labels: { title: string; event: string; share: string; missing: string };
  events: { id: string; title: string }[];
  empty: string;
}

export interface ErrorCardData {
  title: string;
  text: string;
  reference: string;
}

/**
 * A template parsed once (parsing the expression language is the expensive part: a fan-out
 * renders thousands of cards), expanded per card.
 */
/** Parts several cards share, kept once: `{ "$include": "files.json" }` in a card's body stands for the file list. */
const PARTS: Record<string, object> = { 'files.json': filesPart };

function withParts<T extends { body: unknown[] }>(template: T): T {
  return {
    ...template,
    body: template.body.map((element) => {
      const name = (element as { $include?: unknown }).$include;
      if (typeof name !== 'string') return element;
      const part = PARTS[name];
      if (!part) throw new Error(`card part ${name} does not exist`);
      return part;
    }),
  };
}

export function cardRenderer<T extends object>(template: object): (data: T) => CardAttachment {
  const prepared = new Template(template);
  return (data) => ({ contentType: ADAPTIVE_CARD, content: prepared.expand({ $root: data }) as Record<string, unknown> });
}

const renderEvent = cardRenderer<EventCardData>(eventTemplate);
const renderDiscussion = cardRenderer<DiscussionCardData>(withParts(discussionTemplate));
const renderList = cardRenderer<ListCardData>(listTemplate);
const renderSettings = cardRenderer<SettingsCardData>(settingsTemplate);
const renderNotification = cardRenderer<NotificationCardData>(withParts(notificationTemplate));
const renderDigest = cardRenderer<DigestCardData>(digestTemplate);

// What people wrote is escaped where a TextBlock or Fact shows it (escape-markdown.ts); our own
// texts, ids, links, input values and action data are not.
const md = escapeMarkdown;

export const helpCard = cardRenderer<HelpCardData>(helpTemplate);
export const eventCard = (data: EventCardData) => renderEvent({ ...data, title: md(data.title), community: md(data.community), where: md(data.where), refreshUserIds: data.refreshUserIds.slice(0, 60) });
export const discussionCard = (data: DiscussionCardData) =>
  renderDiscussion({
    ...data,
    title: md(data.title),
    community: md(data.community),
    byline: md(data.byline),
    excerpt: md(data.excerpt),
    latestReplies: data.latestReplies.map((r) => ({ author: md(r.author), text: md(r.text) })),
    files: data.files.map((f) => ({ ...f, name: md(f.name) })),
    refreshUserIds: data.refreshUserIds.slice(0, 60),
  });
export const listCard = (data: ListCardData) => renderList({ ...data, title: md(data.title), empty: md(data.empty), items: data.items.map((i) => ({ ...i, title: md(i.title), subtitle: md(i.subtitle) })) });
export const askCard = cardRenderer<AskCardData>(askTemplate);
export const settingsCard = (data: SettingsCardData) => renderSettings({ ...data, mutes: data.mutes.map((m) => ({ ...m, title: md(m.title) })) });
export const notificationCard = (data: NotificationCardData) => renderNotification({ ...data, context: md(data.context), title: md(data.title), text: md(data.text), files: data.files.map((f) => ({ ...f, name: md(f.name) })) });
export const digestCard = (data: DigestCardData) => renderDigest({ ...data, sections: data.sections.map((s) => ({ ...s, name: md(s.name), items: s.items.map((i) => ({ ...i, title: md(i.title) })) })) });
export const errorCard = cardRenderer<ErrorCardData>(errorTemplate);
export const shareEventCard = cardRenderer<ShareEventCardData>(shareEventTemplate);
