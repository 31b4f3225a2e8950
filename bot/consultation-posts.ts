/**
 * A quick poll launched from a meeting (its origin names the meeting chat): the poll's card,
 * posted by the bot into that chat, answerable in place by everyone there. The card is the one
 * everyone may see (the question, no one's own answer, no results); its `refresh` has no
 * `userIds`, so in a chat of at most 60 people every client fetches its reader's own card
 * (https://learn.microsoft.com/en-us/microsoftteams/platform/task-modules-and-cards/cards/universal-actions-for-adaptive-cards/work-with-universal-actions-for-adaptive-cards#user-ids-in-refresh),
 * and in a larger one the "answer" of the card itself does (answering works either way).
 *
 * The bot only posts where Meent is installed (a stored, active reference of the chat: Teams
 * lets a bot post proactively only there,
 * https://learn.microsoft.com/en-us/microsoftteams/platform/bots/how-to/conversations/send-proactive-messages),
 * and only into a meeting chat linked to the poll's own community: a poll cannot be dropped
 * into any chat whose id someone knows. A failure is logged, never shown in the meeting chat.
 */
import type { Logger } from 'pino';
import type { Actor } from '../src/auth/actor.js';
import { DEFAULT_LANGUAGE, type Language } from '../src/content/language.js';
import { chatKey, toConversationRef, type ConversationReferences } from '../src/notifications/conversation-references.js';
import type { Messenger } from '../src/notifications/messenger.js';
import { consultationView } from './consultation-views.js';
import type { BotConsultationsPort } from './consultations-port.js';
import type { Links } from './ports.js';

export interface ConsultationPostsDeps {
  consultations: Pick<BotConsultationsPort, 'get'>;
  references: Pick<ConversationReferences, 'find'>;
  messenger: Pick<Messenger, 'sendToConversation'>;
  links: Links;
  /** The community a meeting chat is linked to (the meetings capability's link), or null. */
  chatCommunity: (tenantId: string, chatId: string) => Promise<string | null>;
  logger: Pick<Logger, 'info' | 'warn' | 'error'>;
  language?: Language;
}

export type PollPostOutcome = 'posted' | 'notAPoll' | 'notLinked' | 'notInstalled' | 'failed';

export class ConsultationPosts {
  constructor(private readonly deps: ConsultationPostsDeps) {}

  /** After a quick poll was created (and opened) by `actor`: its card in the meeting chat it came from, when there is one. */
  async quickPollCreated(actor: Actor, consultationId: string): Promise<PollPostOutcome> {
    try {
      const c = await this.deps.consultations.get(actor, consultationId);
      const chatId = c.origin?.conversationId?.split(';')[0];
      if (!c.quickPoll || c.status !== 'open' || !chatId) return 'notAPoll';
      if ((await this.deps.chatCommunity(actor.tenantId, chatId)) !== c.communityId) {
        this.deps.logger.warn({ consultationId }, 'quick poll not posted: its meeting chat is not linked to its community');
        return 'notLinked';
      }
      const reference = await this.deps.references.find(actor.tenantId, chatKey(chatId));
      if (!reference || reference.state !== 'active') return 'notInstalled';
      // Shared by everyone in the chat: Meent's default language, as for a channel post.
      const card = consultationView({ language: this.deps.language ?? DEFAULT_LANGUAGE, links: this.deps.links }, c, { kind: 'poll', shared: true });
      await this.deps.messenger.sendToConversation(toConversationRef(reference), { summary: c.title, attachments: [card] });
      this.deps.logger.info({ consultationId }, 'quick poll posted in its meeting chat');
      return 'posted';
    } catch (err) {
      this.deps.logger.error({ err, consultationId }, 'quick poll could not be posted in its meeting chat');
      return 'failed';
    }
  }
}
