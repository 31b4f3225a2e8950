/**
 * Typed API operations and the OpenAPI document made from them. A route is declared once,
 * with zod schemas for its path parameters, query, body and answer; `ApiSpec.route` mounts
 * it on an express router (parsing the input at the edge: bad input is a 400 problem and
 * reaches no service) and records it, and `ApiSpec.document()` turns the records into an
 * OpenAPI 3.1 document with `z.toJSONSchema`. So the document cannot drift from the routes.
 */
import express, { type Request, type Response, type Router } from 'express';
import { z } from 'zod';
import type { Actor } from '../auth/actor.js';
import { unstorableTextIn } from '../content/plain-text.js';
import { UnauthorizedError, ValidationError, type ErrorDetail, type FieldCode } from '../errors/domain-errors.js';
import { sendProblem } from './problem.js';

type HttpMethod = 'get' | 'post' | 'put' | 'patch' | 'delete';

export interface OperationSpec<P extends z.ZodType, Q extends z.ZodType, B extends z.ZodType> {
  method: HttpMethod;
  /** Express-style path relative to /api/v1, e.g. `/communities/:id`. */
  path: string;
  operationId: string;
  summary: string;
  tags: string[];
  params?: P;
  query?: Q;
  body?: B;
  success: {
    status: 200 | 201 | 204;
    description: string;
    schema?: z.ZodType;
    /**
     * Default application/json. Several types when the answer comes in one of them (a photo
     * as stored); a handler answering anything but JSON sends the answer itself.
     */
    contentType?: string | readonly [string, ...string[]];
  };
  /** Problem statuses worth documenting besides 400, 401 and 500. */
  errors?: number[];
}

export interface OperationInput<P, Q, B> {
  actor: Actor;
  params: P;
  query: Q;
  body: B;
  req: Request;
  res: Response;
}

/** A handler's answer with a status other than the operation's usual one (e.g. 200 instead of 201 for "already there"). */
export class Answer {
  constructor(
    readonly status: number,
    readonly body: unknown,
  ) {}
}

/**
 * A JSON body already serialised (a thread page renders its text from parts cached per
 * version, reply-views.ts): sent as it is, with the content type and ETag `res.json` gives.
 */
export class JsonText {
  constructor(readonly text: string) {}
}

export function answer(status: number, body: unknown): Answer {
  return new Answer(status, body);
}

export interface RecordedOperation {
  method: HttpMethod;
  path: string;
  spec: OperationSpec<z.ZodType, z.ZodType, z.ZodType>;
}

const problemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    code: z.string().meta({ description: 'Stable machine-readable code' }),
    detail: z.string().optional(),
    errors: z
      .array(
        z.object({
          path: z.string(),
          message: z.string(),
          code: z.string().meta({ description: 'Stable code of what is wrong with the field' }),
          limit: z.number().optional().meta({ description: 'For too_big and too_small: the bound the value broke' }),
          unit: z.enum(['characters', 'items']).optional().meta({ description: 'What the limit counts; absent for a number' }),
        }),
      )
      .optional(),
    requestId: z.string().optional(),
  })
  .meta({ id: 'Problem' });

const statusText: Record<number, string> = {
  400: 'The input is not valid',
  401: 'Not signed in',
  403: 'Not allowed',
  404: 'Not found (or not visible to you)',
  409: 'Conflict with the current state',
  413: 'The body is too large',
  415: 'The body is not JSON',
  429: 'Too many requests',
  500: 'Unexpected error',
  503: 'A dependency is unavailable',
};

/** zod issues -> our error details with a dotted path prefixed by where the value came from. */
export function issuesToDetails(where: string, error: z.ZodError): ErrorDetail[] {
  return error.issues.slice(0, 20).map((issue) => {
    const code = fieldCodeOfIssue(issue);
    return { path: [where, ...issue.path.map(String)].join('.'), message: issue.message, code, ...(code === 'too_big' || code === 'too_small' ? limitOfIssue(issue) : {}) };
  });
}

/** The bound of a size issue, so the reader's text can name it ("at most 20,000 characters"). */
function limitOfIssue(issue: z.core.$ZodIssue): Pick<ErrorDetail, 'limit' | 'unit'> {
  if (issue.code !== 'too_big' && issue.code !== 'too_small') return {};
  const limit = Number(issue.code === 'too_big' ? issue.maximum : issue.minimum);
  if (!Number.isFinite(limit)) return {};
  switch (issue.origin) {
    case 'string': return { limit, unit: 'characters' };
    case 'array': case 'set': return { limit, unit: 'items' };
    case 'number': case 'int': return { limit };
    default: return {};
  }
}

/**
 * A missing or empty required value is `required`; a refinement may name its own code
 * (`params: { fieldCode }`); any other issue keeps zod's code.
 */
function fieldCodeOfIssue(issue: z.core.$ZodIssue): FieldCode {
  const own = issue.code === 'custom' ? (issue.params as { fieldCode?: FieldCode } | undefined)?.fieldCode : undefined;
  if (own !== undefined) return own;
  if (issue.code === 'invalid_type' && /received undefined$/.test(issue.message)) return 'required';
  if (issue.code === 'too_small' && issue.origin === 'string' && Number(issue.minimum) === 1) return 'required';
  return issue.code;
}

/**
 * Input parsed with its schema, or a `ValidationError` (400) saying what is wrong. Text the
 * store cannot keep as it is (U+0000, lone surrogates) is refused in every field, whatever
 * the field's own rules.
 */
export function parseOrThrow<S extends z.ZodType>(schema: S, value: unknown, where: string): z.output<S> {
  const what = `The ${where === 'body' ? 'request body' : where} is not valid.`;
  const result = schema.safeParse(value);
  if (!result.success) throw new ValidationError(what, issuesToDetails(where, result.error));
  const unstorable = unstorableTextIn(result.data, where);
  if (unstorable) throw new ValidationError(what, [unstorable]);
  return result.data;
}


/** The media types an operation's body may have (those the JSON body parser reads). */
const JSON_TYPES = ['application/json', 'application/*+json'];

/** Whether the request carries a body (RFC 9112 section 6.3: a transfer coding, or a length above 0). */
function hasBody(req: Request): boolean {
  const length = req.headers['content-length'];
  return req.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}

function requireActor(req: Request): Actor {
  if (!req.actor) throw new UnauthorizedError();
  return req.actor;
}

export class ApiSpec {
  private readonly operations: RecordedOperation[] = [];

  /** Mounts the operation on the router and records it for the document. */
  route<P extends z.ZodType = z.ZodType, Q extends z.ZodType = z.ZodType, B extends z.ZodType = z.ZodType>(
    router: Router,
    spec: OperationSpec<P, Q, B>,
    handler: (input: OperationInput<z.output<P>, z.output<Q>, z.output<B>>) => Promise<unknown>,
  ): void {
    this.operations.push({ method: spec.method, path: spec.path, spec: spec as unknown as OperationSpec<z.ZodType, z.ZodType, z.ZodType> });
    router[spec.method](spec.path, async (req, res) => {
      const actor = requireActor(req);
      const params = (spec.params ? parseOrThrow(spec.params, req.params, 'params') : {}) as z.output<P>;
      const query = (spec.query ? parseOrThrow(spec.query, { ...req.query }, 'query') : {}) as z.output<Q>;
      if (spec.body && hasBody(req) && !req.is(JSON_TYPES)) {
        // Read as empty, it would be another request than the one sent (an invitation that joins, a cancellation without its reason).
        sendProblem(res, { status: 415, code: 'unsupported_media_type', detail: 'The request body must be JSON (Content-Type: application/json).', instance: req.originalUrl.split('?')[0], requestId: String(req.id ?? '') });
        return;
      }
      const body = (spec.body ? parseOrThrow(spec.body, req.body ?? {}, 'body') : undefined) as z.output<B>;
      let result = await handler({ actor, params, query, body, req, res });
      if (res.headersSent) return;
      let status: number = spec.success.status;
      if (result instanceof Answer) {
        status = result.status;
        result = result.body;
      }
      if (spec.success.status === 204) {
        res.status(204).end();
        return;
      }
      if (result instanceof JsonText) {
        res.status(status).type('application/json').send(result.text);
        return;
      }
      const [contentType] = contentTypesOf(spec);
      if (contentType !== 'application/json') {
        res.status(status).type(contentType).send(result);
        return;
      }
      res.status(status).json(result);
    });
  }

  /** Every operation recorded so far (method and express path). */
  list(): ReadonlyArray<RecordedOperation> {
    return this.operations;
  }

  /** The OpenAPI 3.1 document of the recorded operations. */
  document(info: { title: string; version: string; description?: string }): Record<string, unknown> {
    const components: Record<string, unknown> = {};
    const problemRef = jsonSchema(problemSchema, 'output', components);
    if (!components.Problem) components.Problem = problemRef;
    const paths: Record<string, Record<string, unknown>> = {};
    for (const { method, path, spec } of this.operations) {
      const openApiPath = path.replace(/:([A-Za-z_][A-Za-z0-9_]*)/g, '{$1}');
      const parameters = [...parametersOf(spec.params, 'path', components), ...parametersOf(spec.query, 'query', components)];
      const problem = { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } };
      const responses: Record<string, unknown> = {
        [String(spec.success.status)]: {
          description: spec.success.description,
          ...(spec.success.status !== 204
            ? { content: Object.fromEntries(contentTypesOf(spec).map((type) => [type, { schema: spec.success.schema ? jsonSchema(spec.success.schema, 'output', components) : {} }])) }
            : {}),
        },
      };
      for (const status of [...new Set([400, 401, ...(spec.body ? [415] : []), ...(spec.errors ?? []), 500])]) responses[String(status)] = { description: statusText[status] ?? 'Error', content: problem };
      (paths[openApiPath] ??= {})[method] = {
        operationId: spec.operationId,
        summary: spec.summary,
        tags: spec.tags,
        ...(parameters.length > 0 ? { parameters } : {}),
        ...(spec.body ? { requestBody: { required: true, content: { 'application/json': { schema: jsonSchema(spec.body, 'input', components) } } } } : {}),
        responses,
        security: [{ bearer: [] }],
      };
    }
    return {
      openapi: '3.1.0',
      info,
      servers: [{ url: '/api/v1' }],
      paths,
      components: {
        schemas: components,
        securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'A Teams SSO token for this app (Entra ID).' } },
      },
    };
  }

  /** GET /api/v1/openapi.json, public (it describes the API, it holds no data). */
  router(info: { title: string; version: string; description?: string }): Router {
    const router = express.Router();
    let cached: Record<string, unknown> | undefined;
    router.get('/api/v1/openapi.json', (_req, res) => {
      cached ??= this.document(info);
      res.setHeader('Cache-Control', 'no-cache');
      res.json(cached);
    });
    return router;
  }
}

function contentTypesOf(spec: OperationSpec<z.ZodType, z.ZodType, z.ZodType>): readonly [string, ...string[]] {
  const { contentType } = spec.success;
  return typeof contentType === 'string' ? [contentType] : (contentType ?? ['application/json']);
}

/**
 * A zod schema as JSON Schema 2020-12 for the document. Schemas named with `.meta({ id })`
 * come out of zod under `$defs`; they are moved to `components.schemas` and referenced from
 * there, because inside an OpenAPI document `#/$defs/...` would point at the document's root.
 */
function jsonSchema(schema: z.ZodType, io: 'input' | 'output', components: Record<string, unknown>): Record<string, unknown> {
  const result = z.toJSONSchema(schema, { io, unrepresentable: 'any', target: 'draft-2020-12' }) as Record<string, unknown>;
  delete result.$schema;
  const defs = (result.$defs ?? {}) as Record<string, unknown>;
  delete result.$defs;
  const relink = <T>(value: T): T => JSON.parse(JSON.stringify(value).replace(/"#\/\$defs\//g, '"#/components/schemas/')) as T;
  for (const [name, def] of Object.entries(defs)) components[name] ??= relink(def);
  return relink(result);
}

function parametersOf(schema: z.ZodType | undefined, where: 'path' | 'query', components: Record<string, unknown>): Record<string, unknown>[] {
  if (!schema) return [];
  const json = jsonSchema(schema, 'input', components);
  const properties = (json.properties ?? {}) as Record<string, Record<string, unknown>>;
  const required = new Set((json.required as string[] | undefined) ?? []);
  return Object.entries(properties).map(([name, property]) => ({
    name,
    in: where,
    required: where === 'path' ? true : required.has(name),
    ...(typeof property.description === 'string' ? { description: property.description } : {}),
    schema: property,
  }));
}
