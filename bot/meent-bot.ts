/**
 * The Meent bot: a thin surface over the core. It stores conversation references on install
 * and uninstall (and refreshes them on every activity), greets with a welcome card, answers
 * commands in Dutch and English (unknown text gets help, never an error), and handles the
 * Universal Actions (`Action.Execute`) of its cards, answering each with the card refreshed
 * for the person who acted. Errors reach people as a friendly card (or card notice) with a
 * reference id that is also in the log; never a stack trace or an internal message. In a
 * channel or group chat a command's answer goes to the sender's 1:1 chat (see `answerPrivately`).
 */
import { randomUUID } from 'node:crypto';
import {
  ActivityTypes,
  TeamsActivityHandler,
  type AdaptiveCardInvokeResponse,
  type AdaptiveCardInvokeValue,
  type AppBasedLinkQuery,
  type ChannelAccount,
  type ConversationReference,
  type InvokeResponse,
  type MessagingExtensionAction,
  type MessagingExtensionActionResponse,
  type MessagingExtensionQuery,
  type MessagingExtensionResponse,
  type TurnContext,
} from 'botbuilder';
import type { Logger } from 'pino';
import type { Actor } from '../src/auth/actor.js';
import { languageForLocale } from '../src/content/language.js';
import { DomainError, type ErrorKind } from '../src/errors/domain-errors.js';
import type { PersonWriteLimit } from '../src/http/request-rate-limits.js';
import { ConversationReferences, personalKey, toConversationRef, type ConversationScope } from '../src/notifications/conversation-references.js';
import { DeliveryError, type ConversationRef, type Messenger, type OutgoingMessage } from '../src/notifications/messenger.js';
import { muteSchema, PREFERENCE_GROUPS, preferencesPatchSchema, type NotificationPreferences } from '../src/notifications/notification-preferences.js';
import { openPersonalChat } from '../src/notifications/personal-chat.js';
import type { ActorResolver } from './bot-actors.js';
import { askView, discussionListView, discussionView, errorView, eventListView, eventView, helpView, searchView, settingsView, type ViewContext } from './card-views.js';
import { ADAPTIVE_CARD, notificationCard, type CardAttachment } from './cards/cards.js';
import { parseCommand, type Command } from './commands.js';
import { dialog, fetchTask, searchQuery, submitAction, unfurl } from './message-extensions.js';
import type { MeetingHandler } from './meeting-handler.js';
import type { DiscussionsPort, EventsPort, Links, SearchPort } from './ports.js';
import { textsFor } from './texts.js';
import { ConsultationActions } from './consultation-actions.js';
import type { BotConsultationsPort } from './consultations-port.js';

export interface MeentBotDeps {
  actors: ActorResolver;
  events: EventsPort;
  discussions: DiscussionsPort;
  search: SearchPort;
  preferences: NotificationPreferences;
  references: ConversationReferences;
  /** Whether the organisation may use Meent: no conversation of another one is remembered (see src/auth/tenant-allowlist.ts). */
  tenantAllowed: (tenantId: string) => boolean;
  /** Card actions that change something take from the person's write budget, as the API's writes do. */
  writes: PersonWriteLimit;
  /** Sends a command's answer to the sender's 1:1 chat when it was given in a shared one. */
  messenger: Messenger;
  links: Links;
  /** Meent's public origin: pasted links to it are unfurled. */
  publicUrl: string;
  logger: Pick<Logger, 'info' | 'warn' | 'error'>;
  /** Teams meeting start and end (cards in the meeting chat, the follow-up): the meetings capability. */
  meetings?: MeetingHandler;
  /** Consultations answered inside cards, and the `consultations` command (bot/consultation-actions.ts). */
  consultations?: BotConsultationsPort;
}

const LIST_LIMIT = 10;

/**
 * The card actions that change something. Microsoft posts them to /api/messages from its own
 * addresses (so no per-address limit can apply), and each counts against the person's write
 * limit before it runs, like an API write; reads and refreshes do not.
 */
const WRITE_VERBS = new Set(['event.signUp', 'event.cancel', 'discussion.reply', 'discussion.follow', 'discussion.ask', 'settings.save', 'notifications.mute', 'notifications.unmute', 'consultation.respond']);

export class MeentBot extends TeamsActivityHandler {
  private readonly consultations: ConsultationActions;

  constructor(protected readonly deps: MeentBotDeps) {
    super();
    this.consultations = new ConsultationActions(deps.consultations, deps.links);

    this.onInstallationUpdateAdd(async (context, next) => {
      await this.installed(context);
      await next();
    });
    this.onInstallationUpdateRemove(async (context, next) => {
      await this.removed(context);
      await next();
    });
    this.onMembersAdded(async (context, next) => {
      if (context.activity.membersAdded?.some((m) => isBot(context, m))) await this.installed(context);
      await next();
    });
    this.onMembersRemoved(async (context, next) => {
      if (context.activity.membersRemoved?.some((m) => isBot(context, m))) await this.removed(context);
      await next();
    });
    this.onMessage(async (context, next) => {
      await this.message(context);
      await next();
    });
    // Not onTeamsMeetingStartEvent: its strict parse of `value` would end in onTurnError, whose apology lands in the meeting chat.
    this.on('TeamsMeetingStart', async (context, next) => {
      await this.deps.meetings?.started(context);
      await next();
    });
    this.on('TeamsMeetingEnd', async (context, next) => {
      await this.deps.meetings?.ended(context);
      await next();
    });
  }

  // ---- install ----

  /** The conversation to remember, unless it belongs to an organisation that may not use Meent (its turn is refused later, with a message). */
  private allowedReference(context: TurnContext): ReturnType<typeof referenceInput> {
    const input = referenceInput(context);
    return input && this.deps.tenantAllowed(input.tenantId) ? input : undefined;
  }

  private async installed(context: TurnContext): Promise<void> {
    const input = this.allowedReference(context);
    // Teams sends both installationUpdate and conversationUpdate for one install, at the same
    // moment: greet only from the turn whose write made the reference active.
    if (input && !(await this.deps.references.save(input, { installed: true }))) return;
    await context.sendActivity({ type: ActivityTypes.Message, attachments: [helpView(this.view(context), true)] });
  }

  private async removed(context: TurnContext): Promise<void> {
    const input = referenceInput(context);
    if (input) await this.deps.references.uninstalled(input);
  }

  // ---- messages ----

  private async message(context: TurnContext): Promise<void> {
    const input = this.allowedReference(context);
    // Someone who writes to the bot has not blocked it: a personal chat becomes active again.
    if (input) await this.deps.references.save(input, { active: input.scope === 'personal' }).catch((err: unknown) => this.deps.logger.warn({ err }, 'could not refresh the conversation reference'));
    // A submit from an old-style card carries `value` and no text: show help rather than guess.
    const command = parseCommand(context.activity.text);
    // Help is the same for everyone; every other command answers with what the sender may see.
    if (command.name !== 'help' && conversationScope(context.activity) !== 'personal') {
      await this.answerPrivately(context, command);
      return;
    }
    await context.sendActivity(cardsMessage(await this.cards(context, async () => this.runCommand(context, command))));
  }

  /**
   * A command given in a channel or group chat (meeting chats included). Everyone there, guests
   * too, reads what the bot posts, but the answer holds what the sender may see: discussions of
   * closed and secret communities, their registrations, their muted titles. So the answer goes
   * to the sender's 1:1 chat with Meent and the shared chat gets only a note that it did.
   *
   * Why a 1:1 message rather than a card refreshed per user (Universal Actions' user-specific
   * views, https://learn.microsoft.com/en-us/microsoftteams/platform/task-modules-and-cards/cards/universal-actions-for-adaptive-cards/user-specific-views):
   * the card everyone receives would still have to be one that everyone may read, the personal
   * version would exist only in clients that refresh it (automatically for at most 60 listed
   * users), and every refresh would run the command again for whoever looks. A 1:1 message is
   * private in every client, in the chat's history and in its exports. Teams opens a 1:1 chat
   * for a bot when the app is installed for the person or in a team they are in
   * (https://learn.microsoft.com/en-us/microsoftteams/platform/bots/how-to/conversations/send-proactive-messages);
   * when it will not, the note asks the person to ask in a personal chat with Meent.
   */
  private async answerPrivately(context: TurnContext, command: Command): Promise<void> {
    const v = this.view(context);
    let actor: Actor;
    let chat: ConversationRef | undefined;
    try {
      actor = await this.deps.actors.resolve(context);
      chat = await this.personalChat(context, actor);
    } catch (err) {
      // Not allowed, or Meent failed: said in the shared chat, which learns nothing private from it.
      await context.sendActivity(cardsMessage([errorView(v, ...this.explain(context, err))]));
      return;
    }
    if (!chat) {
      await context.sendActivity(v.t.askPrivately);
      return;
    }
    const answer = cardsMessage(await this.cards(context, async () => this.runCommand(context, command, actor)));
    try {
      await this.deps.messenger.sendToConversation(chat, answer);
    } catch (err) {
      if (err instanceof DeliveryError && (err.failure === 'blocked' || err.failure === 'gone')) {
        await this.deps.references.setState(actor.tenantId, personalKey(actor.userId), err.failure, err.code ?? String(err.status ?? ''));
        await context.sendActivity(v.t.askPrivately);
        return;
      }
      await context.sendActivity(cardsMessage([errorView(v, ...this.explain(context, err))]));
      return;
    }
    await context.sendActivity(v.t.sentPrivately);
  }

  /** The sender's 1:1 chat with Meent: the stored one, or one Teams opens now; undefined when Teams will not. */
  private async personalChat(context: TurnContext, actor: Actor): Promise<ConversationRef | undefined> {
    const stored = await this.deps.references.find(actor.tenantId, personalKey(actor.userId));
    if (stored?.state === 'active') return toConversationRef(stored);
    const via = referenceInput(context)?.reference;
    if (!via) return undefined;
    return openPersonalChat(this.deps, via, { tenantId: actor.tenantId, userId: actor.userId });
  }

  private async runCommand(context: TurnContext, command: Command, resolved?: Actor): Promise<CardAttachment[]> {
    const v = this.view(context);
    const { t } = v;
    if (command.name === 'help') return [helpView(v, false)];
    const actor = resolved ?? (await this.deps.actors.resolve(context));
    switch (command.name) {
      case 'events': {
        const events = await this.deps.events.upcoming(actor, LIST_LIMIT);
        if (events.length === 0) return [eventListView(v, t.eventsTitle, t.noEvents, [])];
        return events.map((e) => eventView(v, e, { refreshUserIds: refreshIds(context) }));
      }
      case 'myEvents':
        return [eventListView(v, t.myEventsTitle, t.noMyEvents, await this.deps.events.mine(actor, LIST_LIMIT))];
      case 'discussions':
        return [discussionListView(v, await this.deps.discussions.latest(actor, LIST_LIMIT))];
      case 'ask': {
        const communities = await this.deps.discussions.askableCommunities(actor);
        if (communities.length === 0) return [errorView(v, t.askNoCommunities)];
        return [askView(v, { communities, question: command.question, source: 'bot' })];
      }
      case 'search':
        return [searchView(v, command.query, command.query === '' ? [] : await this.deps.search.search(actor, command.query, LIST_LIMIT))];
      case 'settings': {
        const [prefs, mutes] = await Promise.all([this.deps.preferences.get(actor.tenantId, actor.userId), this.deps.preferences.listMutes(actor)]);
        return [settingsView(v, prefs, mutes)];
      }
      case 'consultations':
        return this.consultations.toAnswer(v.language, actor, LIST_LIMIT, refreshIds(context));
    }
  }

  /** The cards a command answers with; any failure becomes a friendly error card. */
  private async cards(context: TurnContext, produce: () => Promise<CardAttachment[]>): Promise<CardAttachment[]> {
    try {
      return await produce();
    } catch (err) {
      return [errorView(this.view(context), ...this.explain(context, err))];
    }
  }

  // ---- Universal Actions ----

  /**
   * A card action whose `value` has no `action` object made botbuilder's own reader throw a
   * TypeError, which came back as 501 (found by the bot fuzzing, test/reliability/bot-fuzz.test.ts).
   * It is a malformed request: 400 with the Universal Actions error shape, before anything runs.
   * (https://learn.microsoft.com/en-us/microsoftteams/platform/task-modules-and-cards/cards/universal-actions-for-adaptive-cards/work-with-universal-actions-for-adaptive-cards)
   */
  protected override async onInvokeActivity(context: TurnContext): Promise<InvokeResponse> {
    const value = context.activity.value as { action?: unknown } | undefined;
    if (context.activity.name === 'adaptiveCard/action' && (typeof value !== 'object' || value === null || typeof value.action !== 'object' || value.action === null)) {
      return { status: 400, body: { statusCode: 400, type: 'application/vnd.microsoft.error', value: { code: 'BadRequest', message: 'The card action is malformed.' } } };
    }
    return super.onInvokeActivity(context);
  }

  protected override async onAdaptiveCardInvoke(context: TurnContext, invoke: AdaptiveCardInvokeValue): Promise<AdaptiveCardInvokeResponse> {
    const verb = invoke.action?.verb ?? '';
    const data = (invoke.action?.data ?? {}) as Record<string, unknown>;
    try {
      const actor = await this.deps.actors.resolve(context);
      const card = await this.execute(context, actor, verb, data);
      return { statusCode: 200, type: ADAPTIVE_CARD, value: card.content as AdaptiveCardInvokeResponse['value'] };
    } catch (err) {
      const [text, reference] = this.explain(context, err);
      // An action that could not be done: the card stays, with the reason under it (Teams shows the error message).
      return { statusCode: isRefusal(err) ? 400 : 500, type: 'application/vnd.microsoft.error', value: { code: err instanceof DomainError ? err.code : 'internal_error', message: reference ? `${text} (${reference})` : text } as unknown as AdaptiveCardInvokeResponse['value'] };
    }
  }

  private async execute(context: TurnContext, actor: Actor, verb: string, data: Record<string, unknown>): Promise<CardAttachment> {
    const v = this.view(context);
    const { t } = v;
    const refresh = refreshIds(context);
    const id = (name: string) => (typeof data[name] === 'string' ? (data[name] as string) : '');
    if (WRITE_VERBS.has(verb)) await this.deps.writes.take(actor);
    switch (verb) {
      case 'event.refresh':
        return eventView(v, await this.deps.events.get(actor, id('eventId')), { refreshUserIds: refresh });
      case 'event.signUp':
        return this.eventAction(v, actor, id('eventId'), refresh, () => this.deps.events.signUp(actor, id('eventId')));
      case 'event.cancel':
        return this.eventAction(v, actor, id('eventId'), refresh, () => this.deps.events.cancel(actor, id('eventId')));
      case 'discussion.refresh':
        return discussionView(v, await this.deps.discussions.get(actor, id('discussionId')), { refreshUserIds: refresh });
      case 'discussion.reply': {
        const text = typeof data.reply === 'string' ? data.reply.trim().slice(0, 10_000) : '';
        if (text === '') return discussionView(v, await this.deps.discussions.get(actor, id('discussionId')), { notice: t.emptyReply, noticeColor: 'Attention', refreshUserIds: refresh });
        return discussionView(v, await this.deps.discussions.reply(actor, id('discussionId'), text), { notice: t.replied, refreshUserIds: refresh });
      }
      case 'discussion.follow': {
        const follow = data.follow !== false;
        return discussionView(v, await this.deps.discussions.follow(actor, id('discussionId'), follow), { notice: follow ? t.followed : t.unfollowed, refreshUserIds: refresh });
      }
      case 'discussion.ask': {
        const communityId = id('communityId');
        const title = typeof data.title === 'string' ? data.title.trim() : '';
        const body = typeof data.body === 'string' ? data.body.trim() : '';
        if (communityId === '' || title === '') {
          return askView(v, { communities: await this.deps.discussions.askableCommunities(actor), question: title, details: body, selectedCommunityId: communityId, notice: t.askMissing, source: 'bot' });
        }
        const created = await this.deps.discussions.ask(actor, { communityId, title, body });
        return discussionView(v, created, { notice: t.askPosted, refreshUserIds: refresh });
      }
      case 'settings.save':
        return this.saveSettings(v, actor, data);
      case 'consultation.refresh':
      case 'consultation.respond':
      case 'consultation.change':
        return (await this.consultations.execute(v.language, actor, verb, data, refresh)) ?? errorView(v, t.unknownAction);
      case 'notifications.mute':
      case 'notifications.unmute': {
        const parsed = muteSchema.safeParse({ target: data.target, targetId: data.targetId, ...(typeof data.title === 'string' && data.title !== '' ? { title: data.title.slice(0, 200) } : {}) });
        if (!parsed.success) return errorView(v, t.unknownAction);
        if (verb === 'notifications.mute') {
          await this.deps.preferences.mute(actor, parsed.data.target, parsed.data.targetId, parsed.data.title);
          return notificationCard({ context: '', title: parsed.data.title ?? '', text: '', notice: t.muted, url: parsed.data.target === 'community' ? v.links.community(parsed.data.targetId) : v.links.discussion(parsed.data.targetId), discussionId: '', discussionTitle: '', communityId: '', communityName: '', files: [], filesMore: '', labels: { open: t.open, muteDiscussion: t.muteDiscussion, muteCommunity: t.muteCommunity, files: t.files } });
        }
        await this.deps.preferences.unmute(actor, parsed.data.target, parsed.data.targetId);
        const [prefs, mutes] = await Promise.all([this.deps.preferences.get(actor.tenantId, actor.userId), this.deps.preferences.listMutes(actor)]);
        return settingsView(v, prefs, mutes, t.saved);
      }
      default:
        return errorView(v, t.unknownAction);
    }
  }

  /** Sign up or cancel: the refreshed card, or the current card with the reason it did not work. */
  private async eventAction(v: ViewContext, actor: Actor, eventId: string, refresh: string[], act: () => ReturnType<EventsPort['signUp']>): Promise<CardAttachment> {
    try {
      return eventView(v, await act(), { refreshUserIds: refresh });
    } catch (err) {
      if (!isRefusal(err) || err.kind === 'not_found') throw err;
      return eventView(v, await this.deps.events.get(actor, eventId), { notice: domainText(v, err), refreshUserIds: refresh });
    }
  }

  private async saveSettings(v: ViewContext, actor: Actor, data: Record<string, unknown>): Promise<CardAttachment> {
    // The card's fields, checked by the preferences' own rule: a value the card cannot have sent changes nothing.
    const groups = Object.fromEntries(Object.keys(PREFERENCE_GROUPS).flatMap((group) => (data[`group.${group}`] !== undefined ? [[group, data[`group.${group}`]]] : [])));
    const parsed = preferencesPatchSchema.safeParse({ groups, ...(data.channel !== undefined ? { channel: data.channel } : {}) });
    if (!parsed.success) return errorView(v, v.t.unknownAction);
    const prefs = await this.deps.preferences.update(actor, { ...parsed.data, locale: v.language });
    return settingsView(v, prefs, await this.deps.preferences.listMutes(actor), v.t.saved);
  }

  // ---- message extensions ----

  protected override async handleTeamsMessagingExtensionQuery(context: TurnContext, query: MessagingExtensionQuery): Promise<MessagingExtensionResponse> {
    try {
      return await searchQuery(this.deps, this.view(context), await this.deps.actors.resolve(context), query);
    } catch (err) {
      const [text, reference] = this.explain(context, err);
      return { composeExtension: { type: 'message', text: reference ? `${text} (${reference})` : text } };
    }
  }

  protected override async handleTeamsMessagingExtensionFetchTask(context: TurnContext, action: MessagingExtensionAction): Promise<MessagingExtensionActionResponse> {
    try {
      return await fetchTask(this.deps, this.view(context), await this.deps.actors.resolve(context), action);
    } catch (err) {
      return dialog(this.view(context).t.errorTitle, errorView(this.view(context), ...this.explain(context, err)));
    }
  }

  protected override async handleTeamsMessagingExtensionSubmitAction(context: TurnContext, action: MessagingExtensionAction): Promise<MessagingExtensionActionResponse> {
    try {
      return await submitAction(this.deps, this.view(context), await this.deps.actors.resolve(context), action);
    } catch (err) {
      return dialog(this.view(context).t.errorTitle, errorView(this.view(context), ...this.explain(context, err)));
    }
  }

  protected override async handleTeamsAppBasedLinkQuery(context: TurnContext, query: AppBasedLinkQuery): Promise<MessagingExtensionResponse> {
    try {
      return await unfurl(this.deps, this.view(context), await this.deps.actors.resolve(context), query);
    } catch (err) {
      // A link we cannot show (no access, gone) stays a plain link.
      this.explain(context, err);
      return { composeExtension: { type: 'result', attachmentLayout: 'list', attachments: [] } };
    }
  }

  // ---- helpers ----

  protected view(context: TurnContext): ViewContext {
    const language = languageForLocale(context.activity.locale);
    return { t: textsFor(language), language, links: this.deps.links };
  }

  /** A person-readable reason, and for unexpected failures a reference id that is also in the log. */
  protected explain(context: TurnContext, err: unknown): [string, string?] {
    const v = this.view(context);
    if (isRefusal(err)) return [domainText(v, err)];
    const reference = randomUUID().slice(0, 8);
    this.deps.logger.error({ err, reference, activityType: context.activity.type, name: context.activity.name }, 'bot request failed');
    return [err instanceof DomainError ? v.t.unavailable : v.t.errorText, reference];
  }
}

/**
 * A domain error that is an answer to what the person asked (not allowed, not found, not
 * now), shown as such; a dependency failing (`unavailable`) is a failure, logged with a reference.
 */
function isRefusal(err: unknown): err is DomainError {
  return err instanceof DomainError && err.kind !== 'unavailable';
}

/** The friendly text for each kind of domain error. */
const textOfKind: Record<ErrorKind, 'invalid' | 'forbidden' | 'notFound' | 'conflict' | 'rateLimited' | 'unavailable'> = {
  invalid: 'invalid',
  unauthenticated: 'forbidden',
  forbidden: 'forbidden',
  not_found: 'notFound',
  conflict: 'conflict',
  too_large: 'unavailable',
  rate_limited: 'rateLimited',
  unavailable: 'unavailable',
};

/** Refusals the person can do something about get their own text. */
const textOfCode: Partial<Record<string, 'mfaUnverifiable' | 'networkUnverifiable'>> = {
  mfa_unverifiable: 'mfaUnverifiable',
  network_unverifiable: 'networkUnverifiable',
};

function domainText(v: ViewContext, err: DomainError): string {
  const own = textOfCode[err.code];
  return own ? v.t[own] : v.t[textOfKind[err.kind]];
}

function isBot(context: TurnContext, member: ChannelAccount): boolean {
  return member.id === context.activity.recipient?.id;
}

/** Cards as one message (several side by side). */
function cardsMessage(cards: CardAttachment[]): OutgoingMessage & { type: string } {
  return { type: ActivityTypes.Message, attachments: cards, ...(cards.length > 1 ? { attachmentLayout: 'carousel' as const } : {}) };
}

/**
 * Who reads along: a channel, a group chat (a meeting's chat is one), or only the person. A
 * conversation that says it is a group is never taken for a personal one, whatever its type.
 */
export function conversationScope(activity: TurnContext['activity']): ConversationScope {
  const type = activity.conversation?.conversationType;
  if (type === 'channel') return 'channel';
  if (type === 'groupChat' || activity.conversation?.isGroup === true) return 'groupChat';
  return 'personal';
}

/** The person who acted, for the card's automatic refresh. */
function refreshIds(context: TurnContext): string[] {
  const id = context.activity.from?.id;
  return id ? [id] : [];
}

/** The conversation reference of this activity, with the scope and ids Meent files it under. */
export function referenceInput(context: TurnContext): { tenantId: string; scope: ConversationScope; userId?: string; teamId?: string; channelId?: string; reference: ConversationRef } | undefined {
  const activity = context.activity;
  const channelData = (activity.channelData ?? {}) as { tenant?: { id?: string }; team?: { id?: string }; channel?: { id?: string } };
  const tenantId = activity.conversation?.tenantId ?? channelData.tenant?.id;
  if (!tenantId || !activity.conversation?.id || !activity.serviceUrl) return undefined;
  const scope = conversationScope(activity);
  const ref = TurnContextReference(activity);
  const userId = activity.from?.aadObjectId;
  return {
    tenantId,
    scope,
    ...(scope === 'personal' && userId ? { userId: userId.toLowerCase() } : {}),
    ...(scope === 'channel' && channelData.team?.id ? { teamId: channelData.team.id } : {}),
    ...(scope === 'channel' ? { channelId: channelData.channel?.id ?? activity.conversation.id.split(';')[0] } : {}),
    reference: ref,
  };
}

function TurnContextReference(activity: TurnContext['activity']): ConversationRef {
  const reference: Partial<ConversationReference> = {
    channelId: activity.channelId,
    serviceUrl: activity.serviceUrl,
    conversation: activity.conversation,
    bot: activity.recipient,
    user: activity.from,
  };
  const conversation = reference.conversation ?? { id: '', isGroup: false, conversationType: '', name: '' };
  return {
    channelId: reference.channelId ?? 'msteams',
    serviceUrl: reference.serviceUrl ?? '',
    // A channel message's conversation id carries `;messageid=`: the channel itself is the part before it.
    conversation: {
      id: activity.conversation.conversationType === 'channel' ? conversation.id.split(';')[0] ?? conversation.id : conversation.id,
      ...(conversation.conversationType ? { conversationType: conversation.conversationType } : {}),
      ...(typeof conversation.isGroup === 'boolean' ? { isGroup: conversation.isGroup } : {}),
      ...(conversation.tenantId ? { tenantId: conversation.tenantId } : {}),
    },
    bot: { id: reference.bot?.id ?? '', ...(reference.bot?.name ? { name: reference.bot.name } : {}) },
    ...(reference.user && activity.conversation.conversationType !== 'channel'
      ? { user: { id: reference.user.id, ...(reference.user.name ? { name: reference.user.name } : {}), ...(reference.user.aadObjectId ? { aadObjectId: reference.user.aadObjectId } : {}) } }
      : {}),
  };
}
