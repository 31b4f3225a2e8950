/**
 * Checks a card the way a Teams client reads it: the `adaptivecards` library (the renderer's
 * own parser, which works without a DOM) parses it with a SerializationContext, and every
 * parse event (unknown element or action type, invalid value, version problem) is a failure.
 * Unknown properties are not reported by the parser but dropped, so the card is also
 * serialised back and every property of the original must have survived.
 */
import assert from 'node:assert/strict';
import * as AC from 'adaptivecards';

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
