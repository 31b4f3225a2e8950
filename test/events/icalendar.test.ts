import assert from 'node:assert/strict';
import { escapeText, fold, writeCalendar, type IcsEvent } from '../../src/events/icalendar.js';
import { isIanaTimeZone, offsetTransitions, utcOffsetMinutes } from '../../src/time/time-zone.js';

interface Property {
  name: string;
  params: Record<string, string>;
  value: string;
}

/** A strict reader for what we write: CRLF lines of at most 75 octets, folding, nesting. */
function parse(text: string): { components: { name: string; properties: Property[] }[]; lines: Property[] } {
  assert.ok(text.endsWith('\r\n'), 'ends with CRLF');
  const physical = text.slice(0, -2).split('\r\n');
  for (const line of physical) {
    assert.ok(Buffer.byteLength(line, 'utf8') <= 75, `line longer than 75 octets: ${line}`);
    assert.doesNotMatch(line, /[\r\n]/);
  }
  const logical: string[] = [];
  for (const line of physical) {
    if (line.startsWith(' ')) logical[logical.length - 1] += line.slice(1);
    else logical.push(line);
  }
  const lines = logical.map((line) => {
    const colon = indexOfUnquoted(line, ':');
    const [name, ...params] = splitUnquoted(line.slice(0, colon), ';');
    return {
      name: name ?? '',
      params: Object.fromEntries(params.map((p) => [p.slice(0, p.indexOf('=')), p.slice(p.indexOf('=') + 1).replace(/^"|"$/g, '')])),
      value: line.slice(colon + 1),
    };
  });
  const stack: { name: string; properties: Property[] }[] = [];
  const components: { name: string; properties: Property[] }[] = [];
  for (const p of lines) {
    if (p.name === 'BEGIN') stack.push({ name: p.value, properties: [] });
    else if (p.name === 'END') {
      const done = stack.pop();
      assert.equal(done?.name, p.value, 'BEGIN/END nest');
      components.push(done);
    } else stack[stack.length - 1]?.properties.push(p);
  }
  assert.equal(stack.length, 0);
  return { components, lines };
}

function indexOfUnquoted(line: string, ch: string): number {
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    if (line[i] === '"') quoted = !quoted;
    else if (line[i] === ch && !quoted) return i;
  }
  return -1;
}

function splitUnquoted(text: string, sep: string): string[] {
  const out: string[] = [];
  let rest = text;
  for (let i = indexOfUnquoted(rest, sep); i >= 0; i = indexOfUnquoted(rest, sep)) {
    out.push(rest.slice(0, i));
    rest = rest.slice(i + 1);
  }
  out.push(rest);
  return out;
}

function unescape(value: string): string {
  return value.replace(/\\([\\;,nN])/g, (_, c: string) => (c === 'n' || c === 'N' ? '\n' : c));
}

/** The instant a `DTSTART;TZID=...` names, computed from the VTIMEZONE in the document (as a calendar client would). */
function resolve(doc: ReturnType<typeof parse>, property: Property): number {
  if (property.value.endsWith('Z')) return parseStamp(property.value);
  const local = parseStamp(property.value);
  const zone = doc.components.find((c) => c.name === 'VTIMEZONE' && c.properties.some((p) => p.name === 'TZID' && p.value === property.params.TZID));
  assert.ok(zone, `a VTIMEZONE for ${property.params.TZID}`);
  // The documents resolved here hold one zone, so every observance belongs to it.
  const observances = doc.components.filter((c) => c.name === 'STANDARD' || c.name === 'DAYLIGHT');
  let best: { onset: number; to: number } | undefined;
  for (const o of observances) {
    const onset = parseStamp(o.properties.find((p) => p.name === 'DTSTART')?.value ?? '');
    const to = offsetMinutes(o.properties.find((p) => p.name === 'TZOFFSETTO')?.value ?? '');
    if (onset <= local && (!best || onset > best.onset)) best = { onset, to };
  }
  assert.ok(best, 'an observance covers the time');
  return local - best.to * 60_000;
}

function parseStamp(value: string): number {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z?$/.exec(value);
  assert.ok(m, `a DATE-TIME: ${value}`);
  return Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]));
}

function offsetMinutes(value: string): number {
  const m = /^([+-])(\d{2})(\d{2})$/.exec(value);
  assert.ok(m);
  return (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3]));
}

function event(overrides: Partial<IcsEvent> = {}): IcsEvent {
  return {
    uid: '6650a1b2c3d4e5f601234569@meent.example',
    sequence: 3,
    start: new Date('2030-03-01T08:00:00Z'),
    end: new Date('2030-03-01T09:30:00Z'),
    timeZone: 'Europe/Amsterdam',
    summary: 'Kennissessie klimaatadaptatie',
    status: 'CONFIRMED',
    ...overrides,
  };
}

describe('iCalendar (RFC 5545)', () => {
  it('writes a REQUEST with UID, SEQUENCE, the organiser, the attendee, the join URL and the link back', () => {
    const text = writeCalendar({
      method: 'REQUEST',
      stamp: new Date('2029-12-01T10:00:00Z'),
      events: [event({ organizer: { email: 'olga@waterschap.example', name: 'Olga, "organisator"' }, attendees: [{ email: 'bram@boer.example', name: 'Bram', partstat: 'ACCEPTED' }], joinUrl: 'https://teams.microsoft.com/l/meetup-join/19%3ameeting_x%40thread.v2/0', url: 'https://meent.example/tab/#/event/6650a1b2c3d4e5f601234569', location: 'Gemeentehuis, zaal 3' })],
    });
    const doc = parse(text);
    const get = (name: string) => doc.lines.find((p) => p.name === name);
    assert.equal(get('VERSION')?.value, '2.0');
    assert.equal(get('METHOD')?.value, 'REQUEST');
    assert.ok(get('PRODID'));
    assert.equal(get('UID')?.value, '6650a1b2c3d4e5f601234569@meent.example');
    assert.equal(get('SEQUENCE')?.value, '3');
    assert.equal(get('DTSTAMP')?.value, '20291201T100000Z');
    assert.equal(get('STATUS')?.value, 'CONFIRMED');
    assert.equal(get('URL')?.value, 'https://meent.example/tab/#/event/6650a1b2c3d4e5f601234569');
    assert.equal(get('CONFERENCE')?.value, 'https://teams.microsoft.com/l/meetup-join/19%3ameeting_x%40thread.v2/0');
    assert.equal(get('X-MICROSOFT-SKYPETEAMSMEETINGURL')?.value, get('CONFERENCE')?.value);
    assert.equal(unescape(get('LOCATION')?.value ?? ''), 'Gemeentehuis, zaal 3');
    assert.match(unescape(get('DESCRIPTION')?.value ?? ''), /Join the Microsoft Teams meeting: https:\/\/teams/);
    assert.deepEqual(get('ORGANIZER'), { name: 'ORGANIZER', params: { CN: 'Olga, organisator' }, value: 'mailto:olga@waterschap.example' });
    assert.equal(get('ATTENDEE')?.params.PARTSTAT, 'ACCEPTED');
    assert.equal(get('ATTENDEE')?.value, 'mailto:bram@boer.example');
    assert.deepEqual(doc.components.filter((c) => c.name === 'VEVENT').length, 1);
  });

  it('writes the event in its own zone with a VTIMEZONE that resolves to the right instants across DST', () => {
    for (const [zone, start] of [
      ['Europe/Amsterdam', '2030-03-01T08:00:00Z'],
      ['Europe/Amsterdam', '2030-07-01T07:00:00Z'],
      ['Europe/Amsterdam', '2030-03-31T00:30:00Z'],
      ['Europe/Amsterdam', '2030-10-27T01:30:00Z'],
      ['Australia/Sydney', '2030-04-07T00:00:00Z'],
      ['America/New_York', '2030-11-03T05:30:00Z'],
      ['Asia/Tokyo', '2030-01-15T01:00:00Z'],
      ['Asia/Kolkata', '2030-01-15T01:00:00Z'],
    ] as const) {
      const s = new Date(start);
      const e = new Date(s.getTime() + 90 * 60_000);
      const doc = parse(writeCalendar({ events: [event({ timeZone: zone, start: s, end: e })] }));
      const vevent = doc.components.find((c) => c.name === 'VEVENT');
      const dtstart = vevent?.properties.find((p) => p.name === 'DTSTART');
      const dtend = vevent?.properties.find((p) => p.name === 'DTEND');
      if (!dtstart?.value.endsWith('Z')) assert.equal(dtstart?.params.TZID, zone);
      assert.equal(resolve(doc, dtstart!), s.getTime(), `${zone} ${start}: DTSTART ${dtstart?.value}`);
      assert.equal(resolve(doc, dtend!), e.getTime(), `${zone} ${start}: DTEND ${dtend?.value}`);
    }
    // 02:30 on 27 October 2030 happens twice in Amsterdam; the second one is written in UTC.
    const repeated = parse(writeCalendar({ events: [event({ start: new Date('2030-10-27T01:30:00Z'), end: new Date('2030-10-27T02:30:00Z') })] }));
    assert.equal(repeated.components.find((c) => c.name === 'VEVENT')?.properties.find((p) => p.name === 'DTSTART')?.value, '20301027T013000Z');
    const amsterdam = parse(writeCalendar({ events: [event()] }));
    const onsets = amsterdam.components.filter((c) => c.name === 'DAYLIGHT' || c.name === 'STANDARD').map((c) => `${c.name} ${c.properties.find((p) => p.name === 'DTSTART')?.value} ${c.properties.find((p) => p.name === 'TZOFFSETTO')?.value}`);
    assert.ok(onsets.includes('DAYLIGHT 20300331T020000 +0200'), onsets.join('\n'));
    assert.ok(onsets.includes('STANDARD 20301027T030000 +0100'), onsets.join('\n'));
  });

  it('writes UTC events without a VTIMEZONE', () => {
    const doc = parse(writeCalendar({ events: [event({ timeZone: 'UTC' })] }));
    assert.equal(doc.components.find((c) => c.name === 'VEVENT')?.properties.find((p) => p.name === 'DTSTART')?.value, '20300301T080000Z');
    assert.equal(doc.components.some((c) => c.name === 'VTIMEZONE'), false);
  });

  it('escapes text and folds long lines at 75 octets without splitting a character', () => {
    const summary = 'Mest; stikstof, en \\ water\nRegel 2';
    assert.equal(escapeText(summary), 'Mest\\; stikstof\\, en \\\\ water\\nRegel 2');
    const description = 'Één sessie over grondwater 💧 en de Kaderrichtlijn Water, met veel uitleg. '.repeat(8);
    const doc = parse(writeCalendar({ events: [event({ summary, description })] }));
    assert.equal(unescape(doc.lines.find((p) => p.name === 'SUMMARY')?.value ?? ''), summary);
    assert.equal(unescape(doc.lines.find((p) => p.name === 'DESCRIPTION')?.value ?? ''), description);
    const folded = fold(`DESCRIPTION:${'é'.repeat(100)}`);
    assert.ok(folded.split('\r\n').every((l) => Buffer.byteLength(l) <= 75));
    assert.equal(folded.replace(/\r\n /g, ''), `DESCRIPTION:${'é'.repeat(100)}`);
  });

  it('writes a CANCEL with STATUS:CANCELLED, and a feed without METHOD holding several events', () => {
    const cancel = parse(writeCalendar({ method: 'CANCEL', events: [event({ status: 'CANCELLED', sequence: 4 })] }));
    assert.equal(cancel.lines.find((p) => p.name === 'METHOD')?.value, 'CANCEL');
    assert.equal(cancel.lines.find((p) => p.name === 'STATUS')?.value, 'CANCELLED');
    const feed = parse(writeCalendar({ name: 'Meent', events: [event(), event({ uid: 'other@meent.example', timeZone: 'Asia/Tokyo' })] }));
    assert.equal(feed.lines.some((p) => p.name === 'METHOD'), false);
    assert.equal(feed.components.filter((c) => c.name === 'VEVENT').length, 2);
    assert.equal(feed.components.filter((c) => c.name === 'VTIMEZONE').length, 2);
  });

  it('knows IANA zones and their transitions', () => {
    assert.equal(isIanaTimeZone('Europe/Amsterdam'), true);
    assert.equal(isIanaTimeZone('UTC'), true);
    assert.equal(isIanaTimeZone('CET'), false);
    assert.equal(isIanaTimeZone('Europe/Atlantis'), false);
    assert.equal(isIanaTimeZone(''), false);
    assert.equal(utcOffsetMinutes(Date.parse('2030-07-01T00:00:00Z'), 'Europe/Amsterdam'), 120);
    const transitions = offsetTransitions('Europe/Amsterdam', Date.parse('2030-01-01T00:00:00Z'), Date.parse('2030-12-31T00:00:00Z'));
    assert.deepEqual(transitions.map((t) => [new Date(t.atMs).toISOString(), t.fromMinutes, t.toMinutes]), [
      ['2030-03-31T01:00:00.000Z', 60, 120],
      ['2030-10-27T01:00:00.000Z', 120, 60],
    ]);
  });
});
