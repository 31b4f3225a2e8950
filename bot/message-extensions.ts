/**
 * The message extensions of the manifest (`composeExtensions`), as functions the bot calls:
 *
 * - `searchMeent` (query): discussions, events, communities and people; each result inserts
 *   the item's card (an event with its sign-up button, a discussion with inline reply);
 * - `startDiscussion` (message action): a dialog with the message's text and a community
 *   picker; submitting posts the question and answers with its card;
 * - `shareEvent` (compose action): a dialog to pick an upcoming event; its card is inserted;
 * - link unfurling (`composeExtension/queryLink`): a pasted Meent link to an event or a
 *   discussion becomes its card.
 *
 * Dialogs use `Action.Submit` (Universal Actions do not run inside dialogs); the cards they
 * insert use `Action.Execute` as everywhere else.
 * https://learn.microsoft.com/en-us/microsoftteams/platform/messaging-extensions/what-are-messaging-extensions
 */
import type { AppBasedLinkQuery, MessagingExtensionAction, MessagingExtensionActionResponse, MessagingExtensionQuery, MessagingExtensionResponse } from 'botbuilder';
import type { Actor } from '../src/auth/actor.js';
import { ValidationError } from '../src/errors/domain-errors.js';
import type { PersonWriteLimit } from '../src/http/request-rate-limits.js';
import { askView, discussionView, errorView, eventView, linkFor, type ViewContext } from './card-views.js';
import { listCard, shareEventCard, type CardAttachment } from './cards/cards.js';
import type { DiscussionsPort, EventsPort, SearchHit, SearchPort } from './ports.js';

export interface MessageExtensionDeps {
  events: EventsPort;
  discussions: DiscussionsPort;
  search: SearchPort;
  /** Starting a discussion takes from the person's write budget, as the API's writes do. */
  writes: PersonWriteLimit;
  /** The tab's origin: only links to it are unfurled. */
  publicUrl: string;
}

const RESULTS = 10;
const HERO = 'application/vnd.microsoft.card.hero';

type ResultAttachment = CardAttachment & { preview: { contentType: string; content: { title: string; text?: string } } };

export async function searchQuery(deps: MessageExtensionDeps, v: ViewContext, actor: Actor, query: MessagingExtensionQuery): Promise<MessagingExtensionResponse> {
  const text = String(query.parameters?.find((p) => p.name === 'query')?.value ?? '').trim().slice(0, 200);
  const hits = text === '' ? [] : await deps.search.search(actor, text, RESULTS);
  const attachments = await Promise.all(hits.map((hit) => resultFor(deps, v, actor, hit)));
  return { composeExtension: { type: 'result', attachmentLayout: 'list', attachments } };
}

async function resultFor(deps: MessageExtensionDeps, v: ViewContext, actor: Actor, hit: SearchHit): Promise<ResultAttachment> {
  const preview = { contentType: HERO, content: { title: hit.title, text: hit.subtitle } };
  let card: CardAttachment;
  try {
    if (hit.kind === 'event') card = eventView(v, await deps.events.get(actor, hit.id));
    else if (hit.kind === 'discussion') card = discussionView(v, await deps.discussions.get(actor, hit.id));
    else card = single(v, hit);
  } catch {
    // The full card could not be made (gone, or not available): the item's link still works.
    card = single(v, hit);
  }
  return { ...card, preview };
}

function single(v: ViewContext, hit: SearchHit): CardAttachment {
  return listCard({ title: hit.title, empty: '', items: hit.subtitle ? [{ title: hit.subtitle, subtitle: '', url: linkFor(v.links, hit) }] : [], openLabel: v.t.open, appUrl: linkFor(v.links, hit) });
}

export async function fetchTask(deps: MessageExtensionDeps, v: ViewContext, actor: Actor, action: MessagingExtensionAction): Promise<MessagingExtensionActionResponse> {
  const { t } = v;
  if (action.commandId === 'startDiscussion') {
    const communities = await deps.discussions.askableCommunities(actor);
    if (communities.length === 0) return dialog(t.startDiscussionTitle, errorView(v, t.askNoCommunities));
    const message = textOf(action.messagePayload?.body?.content ?? '', action.messagePayload?.body?.contentType);
    const firstLine = message.split('\n').find((l) => l.trim() !== '')?.trim() ?? '';
    return dialog(t.startDiscussionTitle, askView(v, { communities, question: firstLine.slice(0, 200), details: message.slice(0, 10_000), source: 'messageExtension' }));
  }
  if (action.commandId === 'shareEvent') {
    const events = await deps.events.upcoming(actor, 25);
    return dialog(t.shareEventTitle, shareEventCard({ labels: { title: t.shareEventTitle, event: t.chooseEvent, share: t.share, missing: t.eventMissing }, events: events.map((e) => ({ id: e.id, title: e.title })), empty: t.noEvents }));
  }
  throw new ValidationError('Unknown command.', [], 'unknown_command');
}

export async function submitAction(deps: MessageExtensionDeps, v: ViewContext, actor: Actor, action: MessagingExtensionAction): Promise<MessagingExtensionActionResponse> {
  const data = (action.data ?? {}) as Record<string, unknown>;
  const str = (name: string) => (typeof data[name] === 'string' ? (data[name] as string).trim() : '');
  if (action.commandId === 'startDiscussion') {
    await deps.writes.take(actor);
    if (str('communityId') === '' || str('title') === '') {
      const communities = await deps.discussions.askableCommunities(actor);
      return dialog(v.t.startDiscussionTitle, askView(v, { communities, question: str('title'), details: str('body'), selectedCommunityId: str('communityId'), notice: v.t.askMissing, source: 'messageExtension' }));
    }
    const created = await deps.discussions.ask(actor, { communityId: str('communityId'), title: str('title').slice(0, 200), body: str('body').slice(0, 10_000), kind: 'discussion' });
    return result(discussionView(v, created), created.title);
  }
  if (action.commandId === 'shareEvent') {
    if (str('eventId') === '') throw new ValidationError('Choose an event.', [{ path: 'eventId', message: 'is required' }], 'event_required');
    const event = await deps.events.get(actor, str('eventId'));
    return result(eventView(v, event), event.title);
  }
  throw new ValidationError('Unknown command.', [], 'unknown_command');
}

/** A pasted link to an event or a discussion in Meent's tab: its card. Other links: nothing. */
export async function unfurl(deps: MessageExtensionDeps, v: ViewContext, actor: Actor, query: AppBasedLinkQuery): Promise<MessagingExtensionResponse> {
  const target = meentLink(deps.publicUrl, query.url ?? '');
  if (!target) return { composeExtension: { type: 'result', attachmentLayout: 'list', attachments: [] } };
  if (target.kind === 'event') {
    const event = await deps.events.get(actor, target.id);
    return { composeExtension: { type: 'result', attachmentLayout: 'list', attachments: [{ ...eventView(v, event), preview: { contentType: HERO, content: { title: event.title } } }] } };
  }
  const discussion = await deps.discussions.get(actor, target.id);
  return { composeExtension: { type: 'result', attachmentLayout: 'list', attachments: [{ ...discussionView(v, discussion), preview: { contentType: HERO, content: { title: discussion.title } } }] } };
}

/** `https://<our host>/tab/#/event/<id>` (or `/discussion/<id>`), only on our own origin. */
export function meentLink(publicUrl: string, url: string): { kind: 'event' | 'discussion'; id: string } | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return undefined;
  }
  if (parsed.origin !== new URL(publicUrl).origin) return undefined;
  const route = /^#\/(event|discussion)\/([0-9a-fA-F]{24})(?:[/?].*)?$/.exec(parsed.hash);
  if (!route?.[1] || !route[2]) return undefined;
  return { kind: route[1] as 'event' | 'discussion', id: route[2].toLowerCase() };
}

export function dialog(title: string, card: CardAttachment): MessagingExtensionActionResponse {
  return { task: { type: 'continue', value: { title, card, width: 'medium', height: 'medium' } } } as MessagingExtensionActionResponse;
}

function result(card: CardAttachment, title: string): MessagingExtensionActionResponse {
  return { composeExtension: { type: 'result', attachmentLayout: 'list', attachments: [{ ...card, preview: { contentType: HERO, content: { title } } }] } };
}

/** The text of a Teams message (its body is HTML for messages typed in Teams). */
export function textOf(content: string, contentType?: string): string {
  if (contentType === 'text' || (contentType !== 'html' && !/<[a-z][^>]*>/i.test(content))) return content.trim();
  return content
    .replace(/<br\s*\/?>/gi, '\n')
    .replace(/<\/(p|div|li|h[1-6])>/gi, '\n')
    .replace(/<[^>]+>/g, '')
    .replace(/&nbsp;/g, ' ')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

