/**
 * Checks a card the way a Teams client reads it: the `adaptivecards` library (the renderer's
 * own parser, which works without a DOM) parses it with a SerializationContext, and every
 * parse event (unknown element or action type, invalid value, version problem) is a failure.
 * Unknown properties are not reported by the parser but dropped, so the card is also
 * serialised back and every property of the original must have survived.
 */
import assert from 'node:assert/strict';
import * as AC from 'adaptivecards';
import { marked } from 'marked';

export function adaptiveCardProblems(card: unknown): string[] {
  const context = new AC.SerializationContext(AC.Versions.v1_5);
  const parsed = new AC.AdaptiveCard();
  parsed.parse(card as AC.PropertyBag, context);
  const problems: string[] = [];
  for (let i = 0; i < context.eventCount; i++) {
    const event = context.getEventAt(i);
    problems.push(`${AC.ValidationEvent[event.event] ?? event.event}: ${event.message}`);
  }
  const serialised = parsed.toJSON() as unknown;
  for (const path of missingPaths(card, serialised, '')) problems.push(`dropped (unknown to the schema): ${path}`);
  // The renderer's own checks: duplicate input ids, missing required properties, and the like.
  for (const event of parsed.validateProperties().validationEvents) problems.push(`invalid: ${AC.ValidationEvent[event.event] ?? event.event}: ${event.message}`);
  return problems;
}

export function assertValidCard(card: unknown, name = 'card'): void {
  const content = (card as { contentType?: string; content?: unknown }).contentType ? (card as { content: unknown }).content : card;
  assert.equal((content as { type?: string }).type, 'AdaptiveCard', `${name} is an Adaptive Card`);
  assert.equal((content as { version?: string }).version, '1.5', `${name} is version 1.5`);
  assert.deepEqual(adaptiveCardProblems(content), [], `${name} parses without warnings`);
}

/** Paths of `original` that `serialised` lacks (values the library normalises are fine). */
function missingPaths(original: unknown, serialised: unknown, path: string): string[] {
  if (Array.isArray(original)) {
    if (!Array.isArray(serialised)) return original.length === 0 ? [] : [path];
    return original.flatMap((item, i) => missingPaths(item, serialised[i], `${path}[${i}]`));
  }
  if (typeof original !== 'object' || original === null) return [];
  if (typeof serialised !== 'object' || serialised === null) return [path];
  const out: string[] = [];
  for (const [key, value] of Object.entries(original)) {
    const child = `${path}.${key}`;
    if (!(key in serialised)) {
      // The library leaves out properties that equal their default.
      if (isDefault(key, value)) continue;
      out.push(child);
      continue;
    }
    out.push(...missingPaths(value, (serialised as Record<string, unknown>)[key], child));
  }
  return out;
}

function isDefault(key: string, value: unknown): boolean {
  // Empty lists and empty input values are left out as well.
  if ((Array.isArray(value) && value.length === 0) || (key === 'value' && value === '')) return true;
  const defaults: Record<string, unknown[]> = {
    wrap: [false],
    isSubtle: [false],
    isMultiline: [false],
    isRequired: [false],
    separator: [false],
    style: ['default', 'compact'],
    size: ['default'],
    weight: ['default'],
    color: ['default'],
    spacing: ['default'],
    data: [{}],
  };
  return (defaults[key] ?? []).some((d) => JSON.stringify(d) === JSON.stringify(value));
}

/** Every text a Teams client renders as Markdown: TextBlock texts, fact titles and values. */
export function markdownTexts(node: unknown): string[] {
  if (Array.isArray(node)) return node.flatMap(markdownTexts);
  if (typeof node !== 'object' || node === null) return [];
  const element = node as Record<string, unknown>;
  const own = element.type === 'TextBlock' && typeof element.text === 'string' ? [element.text] : [];
  const facts = element.type === 'FactSet' && Array.isArray(element.facts) ? (element.facts as { title: string; value: string }[]).flatMap((f) => [f.title, f.value]) : [];
  return [...own, ...facts, ...Object.values(element).flatMap(markdownTexts)];
}

/** What a Markdown renderer makes of a text that a person could mistake for Meent's: links that hide their address, emphasis. */
export function formattingIn(text: string): string[] {
  const html = marked.parse(text, { async: false });
  const links = [...html.matchAll(/<a href="([^"]*)"[^>]*>(.*?)<\/a>/g)]
    // A bare address (web or e-mail) that the renderer turns into a link shows where it goes; Meent's own links may carry a title.
    .filter(([, href, shown]) => !/^(https?:\/\/|www\.)/.test(shown ?? '') && href !== shown && href !== `mailto:${shown}` && !(href ?? '').startsWith('https://meent.example/'))
    .map(([link]) => link ?? '');
  return [...links, ...(html.match(/<(em|strong|del|code|h\d|li|blockquote)>.*?<\/\1>|<hr>/gs) ?? [])];
}

/**
 * Takes off the templates' own Markdown (a reply's author in bold, a digest item as a list item
 * linking into Meent at https://meent.example): what is inside it must still be plain.
 */
export function ownMarkdownRemoved(text: string): string {
  return text.replace(/^\*\*(.*?)\*\*: /, '$1: ').replace(/^- \[(.*)\]\(https:\/\/meent\.example\/[^)]*\)$/s, '$1');
}

/** Every input of a card (content or attachment), in order, however deep in containers. */
export function cardInputs(card: unknown): Record<string, unknown>[] {
  const root = (card as { contentType?: string; content?: unknown } | undefined)?.contentType ? (card as { content: unknown }).content : card;
  const found: Record<string, unknown>[] = [];
  const walk = (node: unknown) => {
    if (Array.isArray(node)) node.forEach(walk);
    else if (node && typeof node === 'object') {
      const element = node as Record<string, unknown>;
      if (typeof element.type === 'string' && element.type.startsWith('Input.')) found.push(element);
      Object.values(element).forEach(walk);
    }
  };
  walk((root as { body?: unknown } | undefined)?.body ?? []);
  return found;
}
