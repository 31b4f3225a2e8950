/**
 * Opening a person's 1:1 chat with the bot when Meent has none stored: Teams creates it, or
 * answers with the one that exists, when the app is installed for the person or in a team
 * they are a member of; otherwise it refuses.
 * https://learn.microsoft.com/en-us/microsoftteams/platform/bots/how-to/conversations/send-proactive-messages
 * Notification delivery opens one to deliver a notification; the bot opens one to answer a
 * command given in a shared chat privately.
 */
import type { ConversationReferences } from './conversation-references.js';
import { DeliveryError, type ConversationRef, type Messenger } from './messenger.js';

/**
 * The opened chat, stored for later sends; undefined when Teams refuses it (not installed for
 * the person, blocked, or a request it will never accept). Throttling and transient failures
 * are thrown: the same request may succeed later.
 */
export async function openPersonalChat(
  deps: { references: Pick<ConversationReferences, 'save'>; messenger: Pick<Messenger, 'createPersonalConversation'> },
  via: ConversationRef,
  person: { tenantId: string; userId: string },
): Promise<ConversationRef | undefined> {
  let ref: ConversationRef;
  try {
    ref = await deps.messenger.createPersonalConversation(via, person);
  } catch (err) {
    if (err instanceof DeliveryError && (err.failure === 'blocked' || err.failure === 'gone' || err.failure === 'permanent')) return undefined;
    throw err;
  }
  await deps.references.save({ tenantId: person.tenantId, scope: 'personal', userId: person.userId, reference: ref });
  return ref;
}
