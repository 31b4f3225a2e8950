/**
 * Fuzz cases generated from the OpenAPI document: for each operation (method and path), its
 * path parameters, query parameters and JSON body schema are read from the document, a
 * plausible request is made from the schemas and the ids of a test world, and then broken in
 * one way per case: wrong types, missing required fields, unknown fields, huge strings, deep
 * nesting, Unicode edge cases, MongoDB operator objects, wrong ids, wrong content types,
 * wrong identities. Every choice comes from a seeded `Random`, so a seed gives the same cases.
 */
import type { Random } from './random.js';

// ---- the OpenAPI document ----

export interface JsonSchema {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  enum?: unknown[];
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  maxItems?: number;
  pattern?: string;
  format?: string;
  example?: unknown;
  additionalProperties?: boolean | JsonSchema;
  propertyNames?: JsonSchema;
  $ref?: string;
}

export interface Parameter {
  name: string;
  in: 'path' | 'query';
  required: boolean;
  schema: JsonSchema;
}

export interface Operation {
  /** `METHOD /path/{param}`, as the document names it. */
  key: string;
  method: string;
  /** The path relative to /api/v1, with `{param}` placeholders. */
  path: string;
  parameters: Parameter[];
  body?: JsonSchema;
}

interface OpenApiDocument {
  paths: Record<string, Record<string, { parameters?: Parameter[]; requestBody?: { content: Record<string, { schema: JsonSchema }> } }>>;
  components: { schemas: Record<string, JsonSchema> };
}

/** Every operation of the document, with `$ref`s resolved. */
export function operationsOf(document: unknown): Operation[] {
  const doc = document as OpenApiDocument;
  const resolve = (schema: JsonSchema, depth = 0): JsonSchema => {
    if (depth > 20) return schema;
    if (schema.$ref) {
      const name = schema.$ref.replace('#/components/schemas/', '');
      const target = doc.components.schemas[name];
      if (!target) throw new Error(`unresolved ${schema.$ref}`);
      return resolve(target, depth + 1);
    }
    const out: JsonSchema = { ...schema };
    if (schema.properties) out.properties = Object.fromEntries(Object.entries(schema.properties).map(([k, v]) => [k, resolve(v, depth + 1)]));
    if (schema.items) out.items = resolve(schema.items, depth + 1);
    if (schema.anyOf) out.anyOf = schema.anyOf.map((s) => resolve(s, depth + 1));
    if (schema.oneOf) out.oneOf = schema.oneOf.map((s) => resolve(s, depth + 1));
    if (typeof schema.additionalProperties === 'object') out.additionalProperties = resolve(schema.additionalProperties, depth + 1);
    return out;
  };
  const operations: Operation[] = [];
  for (const [path, methods] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(methods)) {
      const body = op.requestBody?.content['application/json']?.schema;
      operations.push({
        key: `${method.toUpperCase()} ${path}`,
        method: method.toUpperCase(),
        path,
        parameters: (op.parameters ?? []).map((p) => ({ ...p, schema: resolve(p.schema) })),
        ...(body ? { body: resolve(body) } : {}),
      });
    }
  }
  return operations;
}

// ---- the world the ids come from ----

export type IdKind = 'community' | 'discussion' | 'reply' | 'event' | 'report' | 'user' | 'deadLetter' | 'chat';

/** Ids of the test world: `own` in the home tenant (some hidden from the fuzzing actors), `foreign` of another tenant. */
export type WorldIds = Record<IdKind, { own: string[]; foreign: string[] }>;

/** Who sends a request: the test turns each into an Authorization header (or none); `malformed` cases carry their own. */
export type Identity = 'member' | 'guest' | 'outsider' | 'none' | 'foreignTenant' | 'malformed' | 'expired' | 'tampered';

const IDENTITIES: ReadonlyArray<readonly [Identity, number]> = [
  ['member', 42],
  ['guest', 21],
  ['outsider', 23],
  ['none', 4],
  ['foreignTenant', 3],
  ['malformed', 3],
  ['expired', 2],
  ['tampered', 2],
];

// ---- value corpora ----

/** Lone surrogates, NUL, bidirectional overrides, ZWJ sequences, overlong-looking and normalisation tricks. */
export const UNICODE_EDGES: readonly string[] = [
  '\uD800',
  'a\uDC00b',
  '\uDBFF\uDBFF',
  'tail\uD83D',
  '\u0000',
  'x\u0000y',
  'evil\u202Egnp.exe',
  '\u202B\u05E9\u05DC\u05D5\u05DD\u202C',
  '\u2066isolate\u2069',
  '\u{1F469}\u200D\u{1F469}\u200D\u{1F467}\u200D\u{1F466}',
  '\u{1F3F3}\uFE0F\u200D\u{1F308}',
  '\u200D\u200D\u200D',
  '\u200B',
  '\uFEFFbom',
  '\u00C0\u00AF',
  '\u00C0\u0080',
  '\u00E0\u0080\u00AF',
  '\uFFFD',
  '\uFFFE\uFFFF',
  '\u{10FFFF}',
  'Z\u0335\u0321\u032A\u0351'.repeat(40),
  '\uFF21\uFF24\uFF2D\uFF29\uFF2E',
  '\u2028\u2029',
  '\u0085',
  '\u0130\u0131\u00DF',
  'a\u0300'.repeat(200),
  '\r\n\t',
  '%00',
  '%C0%AF',
  '..\\..\\..\\etc\\passwd',
  '\u001B[31mred',
  '\u007F',
  '<script>alert(1)</script>',
  '[x](javascript:alert(1))',
];

/** MongoDB query and update operators as values (and as whole objects). */
export const OPERATORS: readonly unknown[] = [
  { $gt: '' },
  { $ne: null },
  { $where: 'sleep(1000) || true' },
  { $regex: '.*' },
  { $in: [] },
  { $nin: [null] },
  { $exists: true },
  { $expr: { $eq: [1, 1] } },
  { $function: { body: 'function () { return true; }', args: [], lang: 'js' } },
  { $set: { isOrgAdmin: true } },
  { $elemMatch: {} },
  { $type: 2 },
  { $or: [{}] },
  { _bsontype: 'ObjectId', id: 'aaaaaaaaaaaa' },
  { $oid: '6650f1a2b3c4d5e6f7a8b9c0' },
];

/** Values of every JSON type. */
const ANY_TYPE: readonly unknown[] = [0, -1, 1.5, 1e308, -1e308, 2 ** 53 + 1, true, false, null, [], [1, 'a'], {}, { a: 1 }, '', ' ', 'text', '0', 'true', 'null', '2030-01-01', '6650f1a2b3c4d5e6f7a8b9c0'];

/** Authorization headers that are not a bearer token, or not a token. */
const MALFORMED_AUTHORIZATIONS: readonly string[] = [
  'Bearer not.a.token',
  'Basic Zm9vOmJhcg==',
  `Bearer ${'a'.repeat(6_000)}`,
  'Bearer',
  'Bearer a b',
  'Bearer eyJhbGciOiJub25lIn0.eyJ0aWQiOiJ4In0.',
  'Bearer eyJhbGciOiJIUzI1NiJ9.eyJ0aWQiOiJ4In0.c2lnbmF0dXJl',
  'Negotiate YIIB',
];

const UNKNOWN_FIELDS: readonly string[] = ['x', '__proto__', 'constructor', 'prototype', 'tenantId', 'authorId', 'createdBy', 'isOrgAdmin', 'role', '_id', 'id', '$where', '$set', 'a.b', '', ' ', '\u0000', '\uD800', 'k'.repeat(1000), 'toString', 'hasOwnProperty'];

/** Path segments that are not a stored id of the right kind (already encoded for the wire). */
const MALFORMED_SEGMENTS: readonly string[] = [
  'not-an-id',
  '123',
  'zzzzzzzzzzzzzzzzzzzzzzzz',
  '0',
  '-1',
  'null',
  'undefined',
  'true',
  '__proto__',
  'constructor',
  'toString',
  'hasOwnProperty',
  '%24where',
  '%24ne',
  '%7B%22%24gt%22%3A%22%22%7D',
  '%5B%5D',
  '%00',
  '%',
  '%ZZ',
  '%E0%A4%A',
  '%ED%A0%80',
  '%C0%AF',
  '%C0%80',
  '%F8%88%80%80%80',
  '%FF%FE',
  '%F0%9F%91%A9%E2%80%8D%F0%9F%91%A9%E2%80%8D%F0%9F%91%A7',
  '%E2%80%AE',
  '%EF%BB%BF',
  '..',
  '%2e%2e',
  '%2F',
  '%2F..%2F..%2Fetc%2Fpasswd',
  '%5C',
  '%20',
  'a'.repeat(65),
  'a'.repeat(4000),
  'a'.repeat(110_000),
  'Z'.repeat(64),
  '6650f1a2b3c4d5e6f7a8b9c',
  '6650f1a2b3c4d5e6f7a8b9c0a',
  '6650f1a2b3c4d5e6f7a8b9cg',
  '6650F1A2B3C4D5E6F7A8B9C0',
  '%206650f1a2b3c4d5e6f7a8b9c0',
  '6650f1a2b3c4d5e6f7a8b9c0%0A',
  '6650f1a2b3c4d5e6f7a8b9c0%00',
  'ObjectId(%226650f1a2b3c4d5e6f7a8b9c0%22)',
  'like%3Bdrop',
  '%2A',
  '.',
];

/** Query parameter values that are wrong for most schemas (already encoded). */
const WRONG_QUERY_VALUES: readonly string[] = [
  '',
  'abc',
  '-1',
  '0',
  '1.5',
  '1e309',
  'NaN',
  'Infinity',
  '0x10',
  '9007199254740993',
  '99999999999999999999999',
  'true',
  'yes',
  'null',
  '%00',
  '%',
  '%ZZ',
  '%ED%A0%80',
  '%C0%AF',
  '%7B%22%24gt%22%3A%22%22%7D',
  '%24where',
  '%5B%5D',
  '2030-13-45T25:61:61Z',
  '2030-01-01',
  'not-a-cursor',
  'eyJhIjoxfQ',
  'eyJfaWQiOnsiJGd0IjoiIn19',
  '%E2%80%AE',
  '%F0%9F%91%A9%E2%80%8D%F0%9F%91%A9',
];

/**
 * `encodeURIComponent`, but lone surrogates go on the wire as the three bytes a careless
 * encoder would write for them (WTF-8, not valid UTF-8) instead of throwing.
 */
export function encodeLoose(text: string): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    const isHigh = code >= 0xd800 && code <= 0xdbff;
    const next = text.charCodeAt(i + 1);
    if (isHigh && next >= 0xdc00 && next <= 0xdfff) {
      out += encodeURIComponent(text.slice(i, i + 2));
      i++;
    } else if (code >= 0xd800 && code <= 0xdfff) {
      out += [0xe0 | (code >> 12), 0x80 | ((code >> 6) & 0x3f), 0x80 | (code & 0x3f)].map((b) => `%${b.toString(16).toUpperCase()}`).join('');
    } else out += encodeURIComponent(text[i] as string);
  }
  return out;
}

// ---- JSON text with raw pieces ----

/** A piece of a body that goes on the wire as it is (deep nesting, invalid UTF-8 bytes). */
export class RawJson {
  constructor(readonly bytes: Buffer) {}
}

/** `value` as JSON bytes, with every `RawJson` in it spliced in verbatim. */
export function jsonBytes(value: unknown): Buffer {
  const raws: Buffer[] = [];
  const text = JSON.stringify(value, (_key, v: unknown) => {
    if (v instanceof RawJson) {
      raws.push(v.bytes);
      return `@@raw${raws.length - 1}@@`;
    }
    return v;
  });
  if (raws.length === 0) return Buffer.from(text ?? 'null', 'utf8');
  const parts: Buffer[] = [];
  let rest = text ?? '';
  for (let i = 0; i < raws.length; i++) {
    const marker = `"@@raw${i}@@"`;
    const at = rest.indexOf(marker);
    parts.push(Buffer.from(rest.slice(0, at), 'utf8'), raws[i] as Buffer);
    rest = rest.slice(at + marker.length);
  }
  parts.push(Buffer.from(rest, 'utf8'));
  return Buffer.concat(parts);
}

function deeplyNested(depth: number, kind: 'array' | 'object'): RawJson {
  const text = kind === 'array' ? '['.repeat(depth) + ']'.repeat(depth) : '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);
  return new RawJson(Buffer.from(text, 'utf8'));
}

/** A JSON string literal with bytes that are not UTF-8 (overlong encodings, surrogates, stray continuation bytes). */
function invalidUtf8String(random: Random): RawJson {
  const bytes = random.pick([
    [0xc0, 0xaf],
    [0xc0, 0x80],
    [0xe0, 0x80, 0xaf],
    [0xed, 0xa0, 0x80],
    [0xf8, 0x88, 0x80, 0x80, 0x80],
    [0xff, 0xfe],
    [0x80],
    [0xf4, 0x90, 0x80, 0x80],
  ]);
  return new RawJson(Buffer.concat([Buffer.from('"a', 'utf8'), Buffer.from(bytes), Buffer.from('b"', 'utf8')]));
}

function hugeString(random: Random): string {
  return random.pick([
    () => 'a'.repeat(120_000),
    () => '\u20AC'.repeat(40_000),
    () => 'woord '.repeat(20_000),
    () => '<'.repeat(110_000),
    () => '\u{1F469}\u200D\u{1F469}'.repeat(12_000),
    () => 'a'.repeat(300_000),
    () => '\u0000'.repeat(50_000),
  ])();
}

// ---- the cases ----

export type Category =
  | 'plausible'
  | 'path-id'
  | 'query-wrong-type'
  | 'query-missing'
  | 'query-extra'
  | 'query-huge'
  | 'query-unicode'
  | 'query-operator'
  | 'body-wrong-type'
  | 'body-missing'
  | 'body-extra'
  | 'body-huge'
  | 'body-deep'
  | 'body-unicode'
  | 'body-operator'
  | 'body-wrong-id'
  | 'body-root'
  | 'body-invalid-utf8'
  | 'body-many'
  | 'content-type'
  | 'stray-body';

export interface FuzzCase {
  operation: Operation;
  category: Category;
  identity: Identity;
  method: string;
  /** Path and query relative to /api/v1, encoded for the wire. */
  path: string;
  headers: Record<string, string>;
  body?: Buffer;
}

/** What a case was, short enough for a failure message. */
export function describeCase(c: FuzzCase): string {
  const body = c.body === undefined ? '' : ` body(${c.body.length} B, ${c.headers['Content-Type'] ?? 'no type'}) ${c.body.subarray(0, 160).toString('utf8')}`;
  const extra = Object.entries(c.headers)
    .filter(([name]) => name !== 'Content-Type')
    .map(([name, value]) => [name, name === 'Authorization' && value.length > 40 ? `${value.slice(0, 40)}...` : value])
    .map(([name, value]) => ` ${name}: ${value}`)
    .join('');
  return `[${c.category} as ${c.identity}] ${c.method} /api/v1${c.path.slice(0, 300)}${extra}${body}`;
}

type Json = unknown;

function typesOf(schema: JsonSchema): Set<string> {
  const out = new Set<string>();
  const add = (s: JsonSchema) => {
    if (Array.isArray(s.type)) s.type.forEach((t) => out.add(t));
    else if (s.type) out.add(s.type);
    else if (s.enum) out.add('string');
    for (const branch of [...(s.anyOf ?? []), ...(s.oneOf ?? [])]) add(branch);
  };
  add(schema);
  return out;
}

function jsonTypeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

function idKindOfField(name: string): IdKind | undefined {
  if (name === 'communityId') return 'community';
  if (name === 'discussionId' || name === 'followUpDiscussionId') return 'discussion';
  if (name === 'replyId' || name === 'parentId') return 'reply';
  if (name === 'eventId') return 'event';
  if (name === 'userId' || name === 'organizers' || name === 'mentions') return 'user';
  if (name === 'chatId') return 'chat';
  return undefined;
}

function idKindOfPathParameter(path: string, name: string): IdKind | undefined {
  if (name !== 'id') return idKindOfField(name) ?? (name === 'targetId' ? 'discussion' : undefined);
  const before = path.split('/{id}')[0]?.split('/').pop();
  const kinds: Record<string, IdKind> = { communities: 'community', discussions: 'discussion', replies: 'reply', events: 'event', reports: 'report', people: 'user', notifications: 'deadLetter' };
  return before ? kinds[before] : undefined;
}

const INSTANTS = ['2031-05-06T09:00:00+02:00', '2031-05-06T11:30:00+02:00', '2031-05-01T12:00:00Z', '2031-06-01T00:00:00.000Z'];

/** Candidates tried, in order, for a string with a pattern and no example. */
const PATTERN_CANDIDATES = ['fuzz-1', 'nl', 'en-GB', 'fuzz@example.nl', '19:meeting_ZnV6eg@thread.v2', '6650f1a2b3c4d5e6f7a8b9c0', 'ZnV6eg', 'tag', ...INSTANTS];

export class CaseGenerator {
  constructor(
    private readonly random: Random,
    private readonly ids: WorldIds,
  ) {}

  /**
   * `count` cases for the operation: first one wrong type for every body field and query
   * parameter, one wrong value for every path parameter, and each required field and query
   * parameter left out; then each category in turn (the ones that apply), details at random.
   */
  casesFor(operation: Operation, count: number): FuzzCase[] {
    const query = operation.parameters.filter((p) => p.in === 'query');
    const systematic: Array<[Category, string]> = [
      ...(operation.body ? this.fieldsOf(operation.body) : []).map((f): [Category, string] => ['body-wrong-type', f.path.join('.')]),
      ...(operation.body?.required ?? []).map((name): [Category, string] => ['body-missing', name]),
      ...query.map((p): [Category, string] => ['query-wrong-type', p.name]),
      ...query.filter((p) => p.required).map((p): [Category, string] => ['query-missing', p.name]),
      ...operation.parameters.filter((p) => p.in === 'path').map((p): [Category, string] => ['path-id', p.name]),
    ];
    const out = systematic.slice(0, count).map(([category, focus]) => this.caseOf(operation, category, focus));
    const categories = this.categoriesOf(operation);
    for (let i = 0; out.length < count; i++) out.push(this.caseOf(operation, categories[i % categories.length] as Category));
    return out;
  }

  private categoriesOf(operation: Operation): Category[] {
    const query = operation.parameters.filter((p) => p.in === 'query');
    const path = operation.parameters.filter((p) => p.in === 'path');
    const out: Category[] = ['plausible', 'content-type', 'query-extra'];
    if (path.length > 0) out.push('path-id', 'path-id', 'path-id');
    if (query.length > 0) out.push('query-wrong-type', 'query-wrong-type', 'query-huge', 'query-unicode', 'query-operator');
    if (query.some((p) => p.required)) out.push('query-missing');
    if (operation.body) {
      out.push('body-wrong-type', 'body-wrong-type', 'body-extra', 'body-huge', 'body-deep', 'body-unicode', 'body-unicode', 'body-operator', 'body-operator', 'body-root', 'body-invalid-utf8', 'body-many', 'content-type');
      if ((operation.body.required ?? []).length > 0) out.push('body-missing');
      if (Object.keys(operation.body.properties ?? {}).some((name) => idKindOfField(name) !== undefined || name === 'targetId')) out.push('body-wrong-id', 'body-wrong-id');
    } else {
      out.push('stray-body', 'stray-body');
    }
    return out;
  }

  /** One case of the category; `focus` names the field or parameter it breaks (else one at random). */
  private caseOf(operation: Operation, category: Category, focus?: string): FuzzCase {
    const r = this.random;
    const identity = r.weighted(IDENTITIES);
    // Path: valid ids mostly, so the other categories reach past the lookups.
    const pathParams = operation.parameters.filter((p) => p.in === 'path');
    const brokenParam = category === 'path-id' ? (pathParams.find((p) => p.name === focus) ?? r.pick(pathParams)) : undefined;
    const segments = new Map<string, string>();
    for (const p of pathParams) segments.set(p.name, p === brokenParam ? this.wrongSegment(operation, p) : this.plausibleSegment(operation, p));
    let path = operation.path.replace(/\{([^}]+)\}/g, (_m, name: string) => segments.get(name) ?? 'x');

    // Query: the required parameters and some optional ones, plausible.
    const query: Array<[string, string]> = [];
    const queryParams = operation.parameters.filter((p) => p.in === 'query');
    const missing = category === 'query-missing' ? (queryParams.find((p) => p.name === focus) ?? r.pick(queryParams.filter((p) => p.required))) : undefined;
    for (const p of queryParams) {
      if (p === missing) continue;
      if (p.required || r.chance(0.3)) query.push([p.name, encodeLoose(this.plausibleScalar(p.name, p.schema))]);
    }
    const target = queryParams.find((p) => p.name === focus) ?? (queryParams.length > 0 ? r.pick(queryParams) : undefined);
    const setQuery = (name: string, value: string) => {
      const at = query.findIndex(([n]) => n === name);
      if (at >= 0) query.splice(at, 1);
      query.push([name, value]);
    };
    if (target) {
      if (category === 'query-wrong-type') {
        if (r.chance(0.2)) {
          // The same parameter twice: an array where a string is expected.
          setQuery(target.name, encodeLoose(this.plausibleScalar(target.name, target.schema)));
          query.push([target.name, r.pick(WRONG_QUERY_VALUES)]);
        } else setQuery(target.name, r.pick(WRONG_QUERY_VALUES));
      }
      // Up to Node's limit on the request line and headers (16 kB), and over it (a 431 from the server itself).
      if (category === 'query-huge') setQuery(target.name, encodeURIComponent('q'.repeat(r.pick([2_000, 6_000, 120_000]))));
      if (category === 'query-unicode') setQuery(target.name, encodeLoose(this.unicode()));
      if (category === 'query-operator') {
        if (r.chance(0.5)) query.push([`${target.name}[${r.pick(['$ne', '$gt', '$where', '$regex'])}]`, r.pick(['', '1', 'x'])]);
        else setQuery(target.name, encodeLoose(JSON.stringify(r.pick(OPERATORS))));
      }
    }
    if (category === 'query-extra') query.push([r.pick(['x', '__proto__', 'constructor[prototype][isOrgAdmin]', 'sort[$gt]', 'tenantId', '%24where', 'limit', '', 'a'.repeat(200), '%ED%A0%80']), r.pick(['1', '', 'true', '%7B%7D'])]);
    if (query.length > 0) path += `?${query.map(([k, v]) => `${k}=${v}`).join('&')}`;

    const headers: Record<string, string> = identity === 'malformed' ? { Authorization: r.pick(MALFORMED_AUTHORIZATIONS) } : {};
    let body: Buffer | undefined;
    const schema = operation.body;
    if (schema) {
      const plausible = this.plausibleValue('body', schema) as Record<string, Json>;
      body = jsonBytes(category.startsWith('body-') ? this.brokenBody(category, schema, plausible, focus) : plausible);
      headers['Content-Type'] = 'application/json';
    }
    if (category === 'stray-body') {
      body = jsonBytes(r.pick<Json>([{ x: 1 }, r.pick(OPERATORS), [1, 2], 'text', { deep: deeplyNested(1000, 'array') }, { huge: 'a'.repeat(120_000) }]));
      headers['Content-Type'] = 'application/json';
    }
    if (category === 'content-type') body = this.wrongContentType(headers, body ?? jsonBytes({ x: 1 }));
    return { operation, category, identity, method: operation.method, path, headers, ...(body !== undefined ? { body } : {}) };
  }

  private plausibleSegment(operation: Operation, p: Parameter): string {
    const r = this.random;
    const kind = idKindOfPathParameter(operation.path, p.name);
    if (kind) {
      const { own, foreign } = this.ids[kind];
      const choice = r.weighted<'own' | 'foreign' | 'random'>([
        ['own', own.length > 0 ? 80 : 0],
        ['foreign', foreign.length > 0 ? 10 : 0],
        ['random', 10],
      ]);
      const id = choice === 'own' ? r.pick(own) : choice === 'foreign' ? r.pick(foreign) : kind === 'user' ? `unknown-${r.int(1, 999)}` : r.objectId();
      return encodeURIComponent(id);
    }
    return encodeLoose(this.plausibleScalar(p.name, p.schema));
  }

  private wrongSegment(operation: Operation, p: Parameter): string {
    const r = this.random;
    const kind = idKindOfPathParameter(operation.path, p.name);
    const choice = r.weighted<'malformed' | 'foreign' | 'random' | 'unicode' | 'otherKind'>([
      ['malformed', 55],
      ['foreign', kind && this.ids[kind].foreign.length > 0 ? 15 : 0],
      ['random', 15],
      ['unicode', 10],
      ['otherKind', 5],
    ]);
    if (choice === 'foreign' && kind) return encodeURIComponent(r.pick(this.ids[kind].foreign));
    if (choice === 'random') return kind === 'user' ? encodeURIComponent(`unknown-${r.int(1, 999)}`) : r.objectId();
    if (choice === 'unicode') return encodeLoose(this.unicode());
    if (choice === 'otherKind') {
      const other = r.pick(['community', 'discussion', 'reply', 'event', 'report', 'user'] as const);
      const ids = this.ids[other].own;
      if (ids.length > 0) return encodeURIComponent(r.pick(ids));
    }
    return r.pick(MALFORMED_SEGMENTS);
  }

  private unicode(): string {
    const r = this.random;
    const edge = r.pick(UNICODE_EDGES);
    return r.chance(0.5) ? edge : `fuzz ${edge} text`;
  }

  /** A plausible scalar for a parameter or field (as text for the URL). */
  private plausibleScalar(name: string, schema: JsonSchema): string {
    const value = this.plausibleValue(name, schema);
    return typeof value === 'string' ? value : JSON.stringify(value);
  }

  /** A value the schema accepts (as far as a JSON Schema says: cross-field rules are the service's). */
  private plausibleValue(name: string, schema: JsonSchema, depth = 0): Json {
    const r = this.random;
    const kind = idKindOfField(name) ?? (name === 'targetId' ? r.pick(['discussion', 'reply', 'user'] as const) : undefined);
    const branches = [...(schema.anyOf ?? []), ...(schema.oneOf ?? [])];
    if (branches.length > 0) {
      const nonNull = branches.filter((b) => b.type !== 'null');
      return this.plausibleValue(name, r.chance(0.1) || nonNull.length === 0 ? r.pick(branches) : r.pick(nonNull), depth);
    }
    if (schema.enum) return r.pick(schema.enum);
    const type = Array.isArray(schema.type) ? schema.type[0] : schema.type;
    if (type === 'null') return null;
    if (type === 'boolean') return r.chance(0.5);
    if (type === 'integer' || type === 'number') {
      const min = schema.minimum ?? 0;
      const max = schema.maximum ?? min + 20;
      return r.int(Math.ceil(min), Math.floor(Math.min(max, min + 50)));
    }
    if (type === 'array') {
      if (!schema.items || depth > 4) return [];
      const n = r.int(0, Math.min(2, schema.maxItems ?? 2));
      return Array.from({ length: n }, () => this.plausibleValue(name, schema.items as JsonSchema, depth + 1));
    }
    if (type === 'object' || schema.properties) {
      const out: Record<string, Json> = {};
      const required = new Set(schema.required ?? []);
      for (const [key, property] of Object.entries(schema.properties ?? {})) {
        if (required.has(key) || r.chance(0.5)) out[key] = this.plausibleValue(key, property, depth + 1);
      }
      if (schema.propertyNames?.enum && typeof schema.additionalProperties === 'object') {
        out[String(r.pick(schema.propertyNames.enum))] = this.plausibleValue(name, schema.additionalProperties, depth + 1);
      }
      return out;
    }
    if (type === 'string' || type === undefined) return this.plausibleString(name, schema, kind);
    return null;
  }

  private plausibleString(name: string, schema: JsonSchema, kind: IdKind | undefined): string {
    const r = this.random;
    if (kind) {
      const { own } = this.ids[kind];
      if (own.length > 0 && r.chance(0.85)) return r.pick(own);
      return kind === 'user' ? `unknown-${r.int(1, 99)}` : kind === 'chat' ? '19:meeting_ZnV6eg@thread.v2' : r.objectId();
    }
    if (schema.format === 'date-time' || name === 'from' || name === 'to') {
      if (name === 'end') return INSTANTS[1] as string;
      if (name === 'signupDeadline') return INSTANTS[2] as string;
      return name === 'to' ? (INSTANTS[3] as string) : (INSTANTS[0] as string);
    }
    if (name === 'timeZone') return r.pick(['Europe/Amsterdam', 'UTC']);
    if (schema.format === 'email') return 'fuzz@example.nl';
    if (schema.format === 'uri') return 'https://example.nl/beeld.png';
    if (typeof schema.example === 'string') return schema.example;
    if (schema.pattern) {
      const pattern = new RegExp(schema.pattern, 'u');
      const found = PATTERN_CANDIDATES.find((c) => pattern.test(c) && c.length <= (schema.maxLength ?? Infinity) && c.length >= (schema.minLength ?? 0));
      if (found) return found;
    }
    const words = ['Peilbeheer', 'drainage', 'Waterschap', 'dijk', 'kennis'];
    const text = `${r.pick(words)} ${r.int(1, 999)}`;
    return schema.maxLength !== undefined ? text.slice(0, schema.maxLength) : text;
  }

  /** A wrong value for a field: another JSON type than the schema's, or (unless `typeOnly`) a string that breaks its rules. */
  private wrongValue(schema: JsonSchema, typeOnly = false): Json {
    const r = this.random;
    const allowed = typesOf(schema);
    const wrongTypes = ANY_TYPE.filter((v) => {
      const t = jsonTypeOf(v);
      return !(allowed.has(t) || (t === 'integer' && allowed.has('number')));
    });
    if (!typeOnly && allowed.has('string') && r.chance(0.3)) {
      return r.pick(['', ' ', '\t\n', 'x'.repeat((schema.maxLength ?? 200) + 1), 'NOT-IN-ENUM', '<b>', '{{x}}', '$x', 'javascript:alert(1)', '2030-02-30T00:00:00Z', '+31 6 12345678']);
    }
    return wrongTypes.length > 0 ? r.pick(wrongTypes) : r.pick(ANY_TYPE);
  }

  /** The fields a mutation can target: top-level properties and those of nested objects. */
  private fieldsOf(schema: JsonSchema): Array<{ path: string[]; schema: JsonSchema }> {
    const out: Array<{ path: string[]; schema: JsonSchema }> = [];
    for (const [key, property] of Object.entries(schema.properties ?? {})) {
      out.push({ path: [key], schema: property });
      const objectBranch = [property, ...(property.anyOf ?? [])].find((s) => s.properties);
      for (const [inner, innerSchema] of Object.entries(objectBranch?.properties ?? {})) out.push({ path: [key, inner], schema: innerSchema });
      const items = property.items;
      if (items) out.push({ path: [key, '0'], schema: items });
    }
    return out;
  }

  private brokenBody(category: Category, schema: JsonSchema, plausible: Record<string, Json>, focus?: string): Json {
    const r = this.random;
    const body: Record<string, Json> = structuredClone(plausible);
    const fields = this.fieldsOf(schema);
    const field = fields.find((f) => f.path.join('.') === focus) ?? (fields.length > 0 ? r.pick(fields) : undefined);
    const stringFields = fields.filter((f) => typesOf(f.schema).has('string'));
    const set = (path: string[], value: Json) => {
      let at: Record<string, Json> | Json[] = body;
      for (const [i, key] of path.entries()) {
        if (i === path.length - 1) {
          (at as Record<string, Json>)[key] = value;
          return;
        }
        const next: Json = (at as Record<string, Json>)[key];
        if (typeof next !== 'object' || next === null) (at as Record<string, Json>)[key] = /^\d+$/.test(path[i + 1] ?? '') ? [] : {};
        at = (at as Record<string, Json>)[key] as Record<string, Json>;
      }
    };
    // An own property even for `__proto__` (as JSON.parse makes it), so that it is sent.
    const setUnknown = (value: Json) => Object.defineProperty(body, r.pick(UNKNOWN_FIELDS), { value, enumerable: true, writable: true, configurable: true });
    switch (category) {
      case 'body-wrong-type':
        if (field) set(field.path, this.wrongValue(field.schema, focus !== undefined));
        else setUnknown(r.pick(ANY_TYPE));
        return body;
      case 'body-missing': {
        const required = schema.required ?? [];
        delete body[focus ?? r.pick(required)];
        if (focus === undefined && r.chance(0.3)) for (const name of required) delete body[name];
        return body;
      }
      case 'body-extra':
        setUnknown(r.pick<Json>([1, 'x', true, null, {}, [], { $gt: '' }, { isOrgAdmin: true }]));
        return body;
      case 'body-huge': {
        const huge = hugeString(r);
        if (stringFields.length > 0 && r.chance(0.7)) set(r.pick(stringFields).path, huge);
        else if (r.chance(0.5)) setUnknown(huge);
        else if (field) set(field.path, Array.from({ length: r.pick([1_000, 30_000]) }, () => 'tag'));
        return body;
      }
      case 'body-deep': {
        const deep = deeplyNested(r.pick([1_000, 1_000, 5_000, 100_000]), r.pick(['array', 'array', 'object'] as const));
        if (r.chance(0.25)) return deep;
        if (field) set(field.path, deep);
        else body.nested = deep;
        return body;
      }
      case 'body-unicode':
        if (stringFields.length > 0) set(r.pick(stringFields).path, this.unicode());
        else body[this.unicode()] = 'x';
        if (r.chance(0.15)) body[r.pick(UNICODE_EDGES)] = 'key';
        return body;
      case 'body-operator': {
        const operator = r.pick(OPERATORS);
        if (r.chance(0.2)) return { ...body, ...(operator as Record<string, Json>) };
        if (field) set(field.path, r.chance(0.8) ? operator : [operator]);
        else body[r.pick(['$where', '$set', '$gt'])] = operator;
        return body;
      }
      case 'body-wrong-id': {
        const idFields = fields.filter((f) => idKindOfField(f.path[0] ?? '') !== undefined || f.path[0] === 'targetId');
        const target = r.pick(idFields.length > 0 ? idFields : fields);
        const kind = idKindOfField(target.path[0] ?? '') ?? 'discussion';
        const foreign = this.ids[kind].foreign;
        const wrong = r.weighted<Json>([
          [r.pick(['not-an-id', '', '123', 'zzzzzzzzzzzzzzzzzzzzzzzz', '6650F1A2B3C4D5E6F7A8B9C0', '6650f1a2b3c4d5e6f7a8b9c0 ', 'a'.repeat(65), '__proto__', '$where', '..']), 40],
          [foreign.length > 0 ? r.pick(foreign) : r.objectId(), 25],
          [kind === 'user' ? `unknown-${r.int(1, 99)}` : r.objectId(), 20],
          [r.pick(this.ids.community.own.concat(this.ids.event.own, this.ids.reply.own)), 15],
        ]);
        set(target.path, typesOf(target.schema).has('array') ? [wrong] : wrong);
        return body;
      }
      case 'body-root':
        return r.pick<Json>([[], [body], 'text', 123, null, true, false, '', 0, new RawJson(Buffer.from('"\\ud800"', 'utf8'))]);
      case 'body-invalid-utf8':
        if (stringFields.length > 0) set(r.pick(stringFields).path, invalidUtf8String(r));
        else body.x = invalidUtf8String(r);
        return body;
      case 'body-many': {
        if (r.chance(0.5)) {
          for (let i = 0; i < 5_000; i++) body[`k${i}`] = i;
        } else if (field) set(field.path, Array.from({ length: 10_000 }, (_v, i) => i));
        return body;
      }
      default:
        return body;
    }
  }

  /** The body sent with a content type the API does not take, or as JSON that is not. */
  private wrongContentType(headers: Record<string, string>, json: Buffer): Buffer {
    const r = this.random;
    const text = json.toString('utf8');
    const variant = r.int(0, 17);
    delete headers['Content-Type'];
    switch (variant) {
      case 0:
        headers['Content-Type'] = 'text/plain';
        return json;
      case 1: {
        headers['Content-Type'] = 'application/x-www-form-urlencoded';
        let parsed: unknown = {};
        try {
          parsed = JSON.parse(text);
        } catch {
          parsed = {};
        }
        const entries = typeof parsed === 'object' && parsed !== null ? Object.entries(parsed) : [];
        return Buffer.from(entries.map(([k, v]) => `${encodeLoose(k)}=${encodeLoose(typeof v === 'string' ? v : JSON.stringify(v))}`).join('&'), 'utf8');
      }
      case 2:
        headers['Content-Type'] = 'application/json';
        return Buffer.from(r.pick(['{', '{"a":}', "{'a':1}", 'undefined', 'NaN', '{"a":1}garbage', '{"a":1,}', '[1,2', '{"a":"\\x41"}', '{"a":01}', '\u0000', '}{', '{"a":"unterminated']), 'utf8');
      case 3:
        headers['Content-Type'] = 'application/json';
        return Buffer.alloc(0);
      case 4:
        return json;
      case 5:
        headers['Content-Type'] = 'application/xml';
        return Buffer.from('<?xml version="1.0"?><!DOCTYPE a [<!ENTITY x SYSTEM "file:///etc/passwd">]><a>&x;</a>', 'utf8');
      case 6:
        headers['Content-Type'] = 'multipart/form-data; boundary=fuzz';
        return Buffer.from('--fuzz\r\nContent-Disposition: form-data; name="name"\r\n\r\nx\r\n--fuzz--\r\n', 'utf8');
      case 7:
        headers['Content-Type'] = 'application/json; charset=utf-16le';
        return Buffer.from(text, 'utf16le');
      case 8:
        headers['Content-Type'] = 'application/json; charset=latin1';
        return json;
      case 9:
        headers['Content-Type'] = 'application/json';
        headers['Content-Encoding'] = r.pick(['gzip', 'deflate']);
        return Buffer.from('this is not compressed', 'utf8');
      case 10:
        headers['Content-Type'] = 'application/json';
        headers['Content-Encoding'] = r.pick(['br', 'x-unknown', 'compress', 'gzip, gzip']);
        return json;
      case 11:
        headers['Content-Type'] = 'application/json';
        return Buffer.from(r.pick(['null', '"text"', '123', 'true', '[]']), 'utf8');
      case 12:
        headers['Content-Type'] = 'application/json';
        return Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), json]);
      case 13:
        headers['Content-Type'] = r.pick(['application/merge-patch+json', 'application/vnd.api+json', 'application/problem+json']);
        return json;
      case 14:
        headers['Content-Type'] = r.pick(['application/json; charset=utf-8; boundary=x', 'APPLICATION/JSON', 'application/json ; charset="utf-8"', 'application/json; charset=utf-7', 'json', '*/*', '']);
        return json;
      case 15:
        headers['Content-Type'] = 'application/octet-stream';
        return Buffer.from([0x00, 0x01, 0xff, 0xfe, 0x7b, 0x7d]);
      case 16:
        headers['Content-Type'] = 'application/json';
        return Buffer.from(`{"a":1,"a":${JSON.stringify(r.pick(OPERATORS))},"__proto__":{"isOrgAdmin":true}}`, 'utf8');
      default:
        headers['Content-Type'] = 'application/json';
        return Buffer.from(`{"n":${r.pick(['1e999', '-1e999', '123456789012345678901234567890', '-0', '1.7976931348623157e309'])}}`, 'utf8');
    }
  }
}
