/**
 * The bot in a Teams meeting: on `application/vnd.microsoft.meetingStart` it posts a short
 * card with the linked discussion (for notes), on `application/vnd.microsoft.meetingEnd` the
 * follow-up card, and starts the after-meeting follow-up. Teams sends these events to a bot
 * installed in the meeting when the app has the resource-specific permission
 * `OnlineMeeting.ReadBasic.Chat` (manifest `authorization.permissions.resourceSpecific`):
 * https://learn.microsoft.com/en-us/microsoftteams/platform/apps-in-teams-meetings/meeting-apps-apis#get-real-time-teams-meeting-events-api
 *
 * The meeting is the activity's conversation (the meeting chat) and `channelData.meeting.id`;
 * `value` carries Title, JoinUrl and StartTime or EndTime. Whether a card is posted is the
 * meetings service's claim (one card per start or end, however often Teams delivers it). A
 * failure is logged, never answered in the meeting chat: nobody there asked anything.
 */
import { ActivityTypes, type TurnContext } from 'botbuilder';
import type { Logger } from 'pino';
import { z } from 'zod';
import { languageForLocale } from '../src/content/language.js';
import type { CardClaim, MeetingCardInfo, MeetingEventInput } from '../src/meetings/meeting.service.js';
import { meetingFollowUpCard, meetingStartCard } from './cards/meeting-cards.js';
import { meetingTextsFor } from './meeting-texts.js';
import type { Language } from './texts.js';

/** What the handler needs from the meetings capability. */
export interface MeetingEventsPort {
  meetingStarted(input: MeetingEventInput): Promise<CardClaim | null>;
  meetingEnded(input: MeetingEventInput): Promise<CardClaim | null>;
}

/** Links from a card into the tab. */
export interface TabDeepLinks {
  discussion(id: string): string;
  event(id: string): string;
}

/**
 * Deep links into Meent's personal tab (`home`), which opens the item from the link's
 * `subEntityId` (tab/src/teams/deep-link.ts); without the Teams app id, the web address.
 * https://learn.microsoft.com/en-us/microsoftteams/platform/concepts/build-and-test/deep-link-application
 */
export function tabDeepLinks(options: { teamsAppId?: string | undefined; publicUrl: string }): TabDeepLinks {
  const base = `${options.publicUrl.replace(/\/+$/, '')}/tab/index.html`;
  const link = (kind: 'discussion' | 'event', id: string) => {
    const web = `${base}#/${kind}/${encodeURIComponent(id)}`;
    if (!options.teamsAppId) return web;
    const context = encodeURIComponent(JSON.stringify({ subEntityId: `${kind}:${id}` }));
    return `https://teams.microsoft.com/l/entity/${encodeURIComponent(options.teamsAppId)}/home?webUrl=${encodeURIComponent(web)}&label=Meent&context=${context}`;
  };
  return { discussion: (id) => link('discussion', id), event: (id) => link('event', id) };
}

export interface MeetingHandlerDeps {
  meetings: MeetingEventsPort;
  /** Starts the after-meeting follow-up in the background (the worker finishes what is left). */
  followUpSoon?: (tenantId: string, chatId: string) => void;
  links: TabDeepLinks;
  logger: Pick<Logger, 'info' | 'warn' | 'error'>;
}

const valueSchema = z.object({
  Title: z.string().max(1000).optional(),
  JoinUrl: z.string().max(4000).optional(),
  StartTime: z.string().max(100).optional(),
  EndTime: z.string().max(100).optional(),
});

export class MeetingHandler {
  constructor(private readonly deps: MeetingHandlerDeps) {}

  async started(context: TurnContext): Promise<void> {
    const input = meetingInput(context, 'StartTime');
    if (!input) return;
    await this.post(context, () => this.deps.meetings.meetingStarted(input));
  }

  async ended(context: TurnContext): Promise<void> {
    const input = meetingInput(context, 'EndTime');
    if (!input) return;
    const posted = await this.post(context, () => this.deps.meetings.meetingEnded(input));
    // Once per end (with its card); anything left over is the worker's.
    if (posted === 'posted') this.deps.followUpSoon?.(input.tenantId, input.chatId);
  }

  private async post(context: TurnContext, claim: () => Promise<CardClaim | null>): Promise<'posted' | 'nothing' | 'failed'> {
    let claimed: CardClaim | null;
    try {
      claimed = await claim();
    } catch (err) {
      this.deps.logger.error({ err, name: context.activity.name }, 'meeting event could not be handled');
      return 'failed';
    }
    if (!claimed) return 'nothing';
    try {
      const card = this.render(claimed.card, languageForLocale(context.activity.locale));
      const response = await context.sendActivity({ type: ActivityTypes.Message, attachments: [card], summary: claimed.card.discussion.title });
      await claimed.confirm(response?.id);
      this.deps.logger.info({ chatId: claimed.card.chatId, kind: claimed.card.kind }, 'meeting card posted');
      return 'posted';
    } catch (err) {
      await claimed.release().catch((releaseErr: unknown) => this.deps.logger.warn({ err: releaseErr }, 'could not release a meeting card claim'));
      this.deps.logger.error({ err, chatId: claimed.card.chatId, kind: claimed.card.kind }, 'meeting card could not be posted');
      return 'failed';
    }
  }

  private render(card: MeetingCardInfo, language: Language) {
    const t = meetingTextsFor(language);
    const discussionUrl = this.deps.links.discussion(card.discussion.id);
    if (card.kind === 'start') {
      return meetingStartCard({ heading: t.startHeading, intro: t.startIntro, discussionTitle: card.discussion.title, communityName: card.community.name, discussionUrl, openLabel: t.open });
    }
    const next = card.nextEvent;
    return meetingFollowUpCard({
      heading: t.endHeading,
      intro: t.endIntro,
      discussionTitle: card.discussion.title,
      communityName: card.community.name,
      discussionUrl,
      continueLabel: t.continue,
      nextEventTitle: next?.title ?? '',
      nextEventWhen: next ? new Intl.DateTimeFormat(language === 'nl' ? 'nl-NL' : 'en-GB', { dateStyle: 'full', timeStyle: 'short', timeZone: next.timeZone }).format(next.start) : '',
      nextEventUrl: next ? this.deps.links.event(next.id) : discussionUrl,
      nextLabel: t.next,
      signUpLabel: t.signUp,
    });
  }
}

/** The meeting event's facts; undefined when the activity is not a meeting chat's (nothing to do). */
export function meetingInput(context: TurnContext, timeField: 'StartTime' | 'EndTime'): MeetingEventInput | undefined {
  const activity = context.activity;
  const channelData = (activity.channelData ?? {}) as { tenant?: { id?: unknown }; meeting?: { id?: unknown } };
  const tenantId = activity.conversation?.tenantId ?? (typeof channelData.tenant?.id === 'string' ? channelData.tenant.id : undefined);
  const chatId = activity.conversation?.id;
  const value = valueSchema.safeParse(activity.value ?? {});
  const at = value.success ? value.data[timeField] : undefined;
  if (!tenantId || !chatId || !value.success || !at) return undefined;
  return {
    tenantId: tenantId.toLowerCase(),
    // Teams names the meeting chat in conversation.id (a channel meeting adds ;messageid=...).
    chatId: chatId.split(';')[0] ?? chatId,
    teamsMeetingId: typeof channelData.meeting?.id === 'string' ? channelData.meeting.id : null,
    joinUrl: value.data.JoinUrl ?? null,
    title: value.data.Title ?? null,
    at,
  };
}
