/**
 * From the core's answers to card data: the one place that decides what a card shows (seats
 * left, the person's status, which buttons), in the person's language.
 */
import { formerMemberName } from '../src/personal-data/former-member.js';
import type { EffectivePreferences, MuteView } from '../src/notifications/notification-preferences.js';
import { PREFERENCE_GROUPS, type PreferenceGroup } from '../src/notifications/notification-preferences.js';
import type { Cadence } from '../src/notifications/notification-preference.model.js';
import { askCard, discussionCard, errorCard, eventCard, helpCard, listCard, settingsCard, type CardAttachment } from './cards/cards.js';
import type { DiscussionSummary, EventSummary, FileSummary, Links, SearchHit } from './ports.js';
import { formatFileSize } from '../src/content/file-size.js';
import { formatSpan, type Language, type Texts } from './texts.js';

/** A card lists this many files; the rest are "and N more" (the tab has them all). */
const CARD_FILES = 3;

export interface ViewContext {
  t: Texts;
  language: Language;
  links: Links;
}

export function helpView(v: ViewContext, welcome: boolean): CardAttachment {
  const { t } = v;
  const names = t.commandNames;
  return helpCard({
    title: welcome ? t.welcomeTitle : t.helpTitle,
    intro: welcome ? t.welcomeIntro : '',
    commandsIntro: t.helpIntro,
    commands: (['help', 'events', 'myEvents', 'discussions', 'ask', 'search', 'consultations', 'settings'] as const).map((c) => ({ name: names[c], description: t.commands[c] })),
    openLabel: t.openTab,
    appUrl: v.links.app(),
  });
}

export function eventView(v: ViewContext, e: EventSummary, options: { notice?: string; refreshUserIds?: string[] } = {}): CardAttachment {
  const { t } = v;
  const scheduled = e.status === 'scheduled';
  return eventCard({
    id: e.id,
    title: e.title,
    community: e.communityName ?? '',
    when: formatSpan(e.start, e.end, e.timeZone, v.language),
    where: [e.location, e.online ? t.online : null].filter(Boolean).join(' · '),
    seats: seatsText(t, e),
    status: statusText(t, e),
    notice: options.notice ?? '',
    canSignUp: scheduled && e.mine === null && e.canSignUp,
    canCancel: scheduled && e.mine !== null,
    url: v.links.event(e.id),
    refreshUserIds: options.refreshUserIds ?? [],
    labels: { when: t.when, where: t.where, seats: t.seats, signUp: t.signUp, cancel: t.cancelSignUp, open: t.open },
  });
}

function seatsText(t: Texts, e: EventSummary): string {
  if (e.capacity === null) return t.seatsUnlimited;
  const left = Math.max(0, e.capacity - e.registered);
  const base = left === 0 ? t.seatsFull : t.seatsLeft(left);
  return e.waitlisted > 0 ? `${base} · ${t.waitlistCount(e.waitlisted)}` : base;
}

function statusText(t: Texts, e: EventSummary): string {
  if (e.status === 'cancelled') return t.statusCancelled;
  if (e.status === 'completed') return t.statusCompleted;
  if (!e.mine) return '';
  if (e.mine.status === 'registered') return t.statusRegistered;
  if (e.mine.status === 'waitlisted') return t.statusWaitlisted(e.mine.position);
  return t.statusRequested;
}

export function discussionView(v: ViewContext, d: DiscussionSummary, options: { notice?: string; noticeColor?: 'Good' | 'Attention'; refreshUserIds?: string[] } = {}): CardAttachment {
  const { t } = v;
  return discussionCard({
    id: d.id,
    title: d.title,
    community: d.communityName,
    byline: `${authorName(v.language, d.authorName, d.authorErased)} · ${t.replies(d.replyCount)}`,
    excerpt: d.excerpt,
    latestReplies: d.latestReplies.slice(-3).map((r) => ({ author: authorName(v.language, r.author, r.authorErased), text: r.text })),
    canReply: d.canReply,
    following: d.following,
    notice: options.notice ?? '',
    noticeColor: options.noticeColor ?? 'Good',
    url: v.links.discussion(d.id),
    refreshUserIds: options.refreshUserIds ?? [],
    ...fileList(v, d.files ?? []),
    labels: { replyPlaceholder: t.replyPlaceholder, reply: t.sendReply, follow: t.follow, unfollow: t.unfollow, open: t.open, files: t.files },
  });
}

/** The first few files, each with "Open" when it is still there, and how many more there are. */
export function fileList(v: Pick<ViewContext, 't' | 'language'>, files: FileSummary[], total = files.length): { files: { name: string; detail: string; url: string; tooltip: string }[]; filesMore: string } {
  const { t } = v;
  const shown = files.slice(0, CARD_FILES);
  return {
    files: shown.map((f) => ({ name: f.name, detail: f.url ? formatFileSize(f.size, v.language) : t.fileGone, url: f.url ?? '', tooltip: t.openFile(f.name) })),
    filesMore: total > shown.length ? t.filesMore(total - shown.length) : '',
  };
}

/** An erased author is "Former member" / "Voormalig lid" in the card's language, whatever name came along. */
function authorName(language: Language, name: string, erased: true | undefined): string {
  return erased ? formerMemberName(language) : name;
}

export function eventListView(v: ViewContext, title: string, empty: string, events: EventSummary[]): CardAttachment {
  return listCard({
    title,
    empty,
    items: events.map((e) => ({ title: e.title, subtitle: [formatSpan(e.start, e.end, e.timeZone, v.language), e.communityName].filter(Boolean).join(' · '), url: v.links.event(e.id) })),
    openLabel: v.t.openTab,
    appUrl: v.links.app(),
  });
}

export function discussionListView(v: ViewContext, discussions: DiscussionSummary[]): CardAttachment {
  const { t } = v;
  return listCard({
    title: t.discussionsTitle,
    empty: t.noDiscussions,
    items: discussions.map((d) => ({ title: d.title, subtitle: `${d.communityName} · ${t.replies(d.replyCount)}`, url: v.links.discussion(d.id) })),
    openLabel: t.openTab,
    appUrl: v.links.app(),
  });
}

export function searchView(v: ViewContext, query: string, hits: SearchHit[]): CardAttachment {
  const { t } = v;
  const kind = { discussion: t.kindDiscussion, event: t.kindEvent, community: t.kindCommunity, person: t.kindPerson };
  return listCard({
    title: query === '' ? t.searchHowTo : t.searchTitle(query),
    empty: query === '' ? '' : t.searchEmpty(query),
    items: hits.map((h) => ({ title: h.title, subtitle: [kind[h.kind], h.subtitle].filter(Boolean).join(' · '), url: linkFor(v.links, h) })),
    openLabel: t.openTab,
    appUrl: v.links.app(),
  });
}

export function linkFor(links: Links, hit: Pick<SearchHit, 'kind' | 'id'>): string {
  switch (hit.kind) {
    case 'discussion':
      return links.discussion(hit.id);
    case 'event':
      return links.event(hit.id);
    case 'community':
      return links.community(hit.id);
    case 'person':
      return links.person(hit.id);
  }
}

export function askView(
  v: ViewContext,
  input: { communities: { id: string; name: string }[]; question: string; details?: string; selectedCommunityId?: string; notice?: string; source: 'bot' | 'messageExtension' },
): CardAttachment {
  const { t } = v;
  return askCard({
    labels: { title: t.askTitle, community: t.askCommunity, question: t.askQuestion, details: t.askDetails, submit: t.askSubmit, missing: t.askMissing },
    communities: input.communities,
    selectedCommunityId: input.selectedCommunityId ?? (input.communities.length === 1 ? (input.communities[0]?.id ?? '') : ''),
    question: input.question,
    details: input.details ?? '',
    notice: input.notice ?? '',
    source: input.source,
  });
}

export function settingsView(v: ViewContext, prefs: EffectivePreferences, mutes: MuteView[], notice = ''): CardAttachment {
  const { t } = v;
  const groups = (Object.keys(PREFERENCE_GROUPS) as PreferenceGroup[]).map((key) => ({ key, label: t.groups[key], value: groupValue(prefs, key) }));
  return settingsCard({
    labels: { title: t.settingsTitle, intro: t.settingsIntro, channel: t.channelLabel, muted: t.mutedTitle, unmute: t.unmute, save: t.save, profile: t.settingsProfile },
    profileUrl: v.links.profile(),
    groups,
    cadences: (['immediately', 'daily', 'weekly', 'off'] as const).map((c) => ({ title: t.cadences[c], value: c })),
    channel: prefs.channel,
    channels: (['chat', 'activityFeed'] as const).map((c) => ({ title: t.channels[c], value: c })),
    mutes: mutes.map((m) => ({ title: m.title ?? `${m.target === 'community' ? t.kindCommunity : t.kindDiscussion} ${m.targetId}`, target: m.target, targetId: m.targetId })),
    notice,
  });
}

/** A group's cadence as the card shows it: the one its first kind has (the card sets a group at once). */
function groupValue(prefs: EffectivePreferences, group: PreferenceGroup): Cadence {
  const first = PREFERENCE_GROUPS[group][0];
  return prefs.kinds[first];
}

export function errorView(v: ViewContext, text: string, reference?: string): CardAttachment {
  return errorCard({ title: v.t.errorTitle, text, reference: reference ? v.t.errorReference(reference) : '' });
}
