/**
 * The Messenger port (src/notifications/messenger.ts) over `botbuilder`: proactive messages
 * through `CloudAdapter.continueConversationAsync` with a stored conversation reference, and
 * new 1:1 chats through `createConversationAsync` (`POST /v3/conversations`).
 * https://learn.microsoft.com/en-us/microsoftteams/platform/bots/how-to/conversations/send-proactive-messages
 *
 * Retries belong to the rate governor of notification delivery: the connector client's own
 * retry policy (core-rest-pipeline's `defaultRetryPolicy`, which re-sends 429s and 5xx without
 * jitter and outside any budget) is removed from the client of each proactive turn, so every
 * request the connector sees was counted by the governor. Failures become `DeliveryError`s.
 */
import { ActivityTypes, type CloudAdapter, type ConversationParameters, type ConversationReference, type TurnContext } from 'botbuilder';
import { deliveryErrorFor, DeliveryError, type ConversationRef, type Messenger, type OutgoingMessage } from '../src/notifications/messenger.js';

/** The OAuth scope of the Bot Framework channel (public cloud). */
const CHANNEL_AUDIENCE = 'https://api.botframework.com';

export class BotMessenger implements Messenger {
  constructor(
    private readonly adapter: CloudAdapter,
    /** The bot's app id (`BOT_ID`); empty in local mode without authentication. */
    private readonly botAppId: string,
  ) {}

  async sendToConversation(ref: ConversationRef, message: OutgoingMessage): Promise<{ activityId?: string }> {
    let activityId: string | undefined;
    try {
      await this.adapter.continueConversationAsync(this.botAppId, ref as Partial<ConversationReference>, async (context) => {
        withoutClientRetries(context);
        const response = await context.sendActivity({ type: ActivityTypes.Message, ...message });
        activityId = response?.id;
      });
    } catch (err) {
      throw toDeliveryError(err);
    }
    return activityId !== undefined ? { activityId } : {};
  }

  async createPersonalConversation(via: ConversationRef, person: { userId: string; tenantId: string }): Promise<ConversationRef> {
    const parameters = {
      isGroup: false,
      bot: via.bot,
      // Teams opens (or finds) the 1:1 chat by the person's Entra object id and tenant.
      members: [{ id: person.userId, aadObjectId: person.userId }],
      tenantId: person.tenantId,
      channelData: { tenant: { id: person.tenantId } },
    } as ConversationParameters;
    let created: ConversationRef | undefined;
    try {
      await this.adapter.createConversationAsync(this.botAppId, via.channelId, via.serviceUrl, CHANNEL_AUDIENCE, parameters, async (context) => {
        const reference = context.activity;
        created = {
          channelId: via.channelId,
          serviceUrl: reference.serviceUrl || via.serviceUrl,
          conversation: { id: reference.conversation.id, conversationType: 'personal', isGroup: false, tenantId: person.tenantId },
          bot: via.bot,
          user: { id: person.userId, aadObjectId: person.userId },
        };
      });
    } catch (err) {
      throw toDeliveryError(err);
    }
    if (!created) throw new DeliveryError('transient', 'The connector did not answer with a conversation');
    return created;
  }
}

/** Removes core-rest-pipeline's retry policy from this turn's connector client (see the module comment). */
function withoutClientRetries(context: TurnContext): void {
  const adapter = context.adapter as CloudAdapter;
  const connector = context.turnState.get(adapter.ConnectorClientKey) as unknown;
  const pipeline = (connector as { client?: { pipeline?: { removePolicy(options: { name: string }): unknown } } } | undefined)?.client?.pipeline;
  pipeline?.removePolicy({ name: 'defaultRetryPolicy' });
}

/** botbuilder's RestError (statusCode, code from the ErrorResponse, the raw response) as a DeliveryError. */
export function toDeliveryError(err: unknown): DeliveryError {
  if (err instanceof DeliveryError) return err;
  const e = err as { statusCode?: unknown; code?: unknown; message?: unknown; response?: { headers?: { get?(name: string): string | undefined } } };
  const status = typeof e.statusCode === 'number' ? e.statusCode : undefined;
  const code = typeof e.code === 'string' ? e.code : undefined;
  const retryAfter = typeof e.response?.headers?.get === 'function' ? e.response.headers.get('retry-after') : undefined;
  return deliveryErrorFor(status, `Bot connector: ${status ?? 'no answer'}${code ? ` ${code}` : ''}`, retryAfter, code);
}
