/**
 * The OpenAPI document at /api/v1/openapi.json lists every route the communities module
 * mounts, and every route the whole application mounts under /api/v1 (read from the express
 * routers themselves), its schemas are valid JSON Schema 2020-12, and real answers validate
 * against the response schemas it declares.
 */
import assert from 'node:assert/strict';
import { Ajv2020 } from 'ajv/dist/2020.js';
import type { Express, Router } from 'express';
import request from 'supertest';
import { buildApplication, type Application } from '../../src/composition.js';
import { loadConfig } from '../../src/config/config.js';
import { DEMO_PEOPLE } from '../../src/local/demo-people.js';
import { createLogger } from '../../src/logging/logger.js';
import { useTestDatabase } from '../support/database.js';
import { entraEnvironment } from '../support/identity-app.js';
import { as, buildWorld, community, person, type TestWorld } from '../communities/communities-fixtures.js';

interface Layer {
  route?: { path: string; methods: Record<string, boolean> };
}

interface AppLayer {
  route?: { path: unknown; methods: Record<string, boolean> };
  /** The path a router or middleware is mounted at (router 2.x keeps what `use` was given). */
  rawPath?: unknown;
  handle?: { stack?: AppLayer[] };
}

function routesOf(routers: Router[]): string[] {
  const found: string[] = [];
  for (const router of routers) {
    for (const layer of (router as unknown as { stack: Layer[] }).stack) {
      if (!layer.route) continue;
      for (const [method, on] of Object.entries(layer.route.methods)) if (on) found.push(`${method.toUpperCase()} ${layer.route.path.replace(/:([A-Za-z_]\w*)/g, '{$1}')}`);
    }
  }
  return found.sort();
}

/** Every method and path the application answers under /api/v1, found by walking its routers, mounts included. */
function apiRoutesOf(app: Express): string[] {
  const found: string[] = [];
  const walk = (stack: AppLayer[], prefix: string) => {
    for (const layer of stack) {
      if (layer.route) {
        if (typeof layer.route.path !== 'string') continue;
        for (const [method, on] of Object.entries(layer.route.methods)) if (on) found.push(`${method.toUpperCase()} ${prefix}${layer.route.path}`);
      } else if (layer.handle?.stack) {
        assert.ok(typeof layer.rawPath === 'string', `a router mounted at ${String(layer.rawPath)}`);
        walk(layer.handle.stack, layer.rawPath === '/' ? prefix : `${prefix}${layer.rawPath}`);
      }
    }
  };
  walk((app as unknown as { router: { stack: AppLayer[] } }).router.stack, '');
  return found
    .filter((route) => route.split(' ')[1]?.startsWith('/api/v1/'))
    .map((route) => route.replace(' /api/v1/', ' /').replace(/:([A-Za-z_]\w*)/g, '{$1}'))
    .sort();
}

type Doc = { paths: Record<string, Record<string, { responses: Record<string, { content?: Record<string, { schema: unknown }> }> }>>; components: { schemas: Record<string, unknown> } };

describe('the OpenAPI document', function () {
  this.timeout(60_000);
  useTestDatabase('openapi');
  let world: TestWorld;
  let doc: Doc;

  before(async () => {
    world = buildWorld();
    // Public: it describes the API and holds no data.
    const res = await request(world.app).get('/api/v1/openapi.json').expect(200);
    doc = res.body as Doc;
  });

  it('lists every route the module mounts, and nothing else', () => {
    const routes = routesOf(world.module.apiRouters);
    const documented = Object.entries(doc.paths)
      .flatMap(([path, methods]) => Object.keys(methods).map((m) => `${m.toUpperCase()} ${path}`))
      .sort();
    assert.ok(routes.length >= 40, `${routes.length} routes`);
    assert.deepEqual(documented, routes);
    for (const expected of ['GET /feed', 'GET /search', 'GET /people', 'PATCH /me/profile', 'POST /reports', 'PUT /discussions/{id}/answer', 'PUT /replies/{id}/reactions/{kind}']) {
      assert.ok(routes.includes(expected), expected);
    }
  });

  it('is OpenAPI 3.1 with valid JSON Schemas and a problem response on every operation', () => {
    assertValidDocument(doc);
  });

  it('describes the answers as they really are', async () => {
    const me = await person({ userId: 'oa-me' });
    const c = await community(world, me);
    const d = await world.module.services.discussions.create(me, c.id, { title: 'Schema', body: 'x', kind: 'question', tags: ['api'] });
    await world.module.services.replies.create(me, d.id, { body: 'y' });
    const ajv = new Ajv2020({ strict: false });
    ajv.addSchema({ $id: 'doc', components: doc.components });
    const checks: Array<[string, string]> = [
      ['/communities/{id}', `/communities/${c.id}`],
      ['/communities', '/communities'],
      ['/communities/{id}/members', `/communities/${c.id}/members`],
      ['/communities/{id}/discussions', `/communities/${c.id}/discussions`],
      ['/discussions/{id}', `/discussions/${d.id}`],
      ['/discussions/{id}/replies', `/discussions/${d.id}/replies`],
      ['/feed', '/feed'],
      ['/search', '/search?q=schema'],
      ['/people', '/people'],
      ['/people/experts', '/people/experts?topic=api'],
      ['/settings/communities', '/settings/communities'],
      ['/reports', `/reports?communityId=${c.id}`],
    ];
    for (const [documented, actual] of checks) {
      const schema = doc.paths[documented]?.get?.responses['200']?.content?.['application/json']?.schema;
      assert.ok(schema, documented);
      const validate = ajv.compile(rewriteRefs(schema));
      const res = await as(world.app, me).get(actual).expect(200);
      assert.ok(validate(res.body), `${documented}: ${JSON.stringify(validate.errors)}`);
    }
  });
  describe('of the whole application', () => {
    const logger = createLogger('silent');
    const localConfig = () => loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', AUTH_MODE: 'local' });
    const built: Application[] = [];
    async function build(config: ReturnType<typeof loadConfig>): Promise<Application> {
      const application = await buildApplication(config, logger);
      built.push(application);
      return application;
    }
    after(async () => {
      for (const application of built) await application.close();
    });

    for (const mode of ['local', 'entra'] as const) {
      it(`documents every method and path mounted under /api/v1, and nothing else (${mode} mode)`, async () => {
        const application = await build(mode === 'local' ? localConfig() : loadConfig(entraEnvironment('https://login.microsoftonline.com', 'https://graph.microsoft.com')));
        const whole = (await request(application.app).get('/api/v1/openapi.json').expect(200)).body as Doc;
        // The document itself is served under /api/v1 and is not one of the operations it lists.
        const routes = apiRoutesOf(application.app).filter((route) => route !== 'GET /openapi.json');
        assert.ok(routes.length >= 70, `${routes.length} routes`);
        assert.deepEqual(documentedRoutes(whole), routes);
        for (const expected of [
          'GET /me',
          'GET /me/photo',
          'GET /audit',
          'GET /me/notification-preferences',
          'PATCH /me/notification-preferences',
          'PUT /me/notification-mutes/{target}/{targetId}',
          'DELETE /me/notification-mutes/{target}/{targetId}',
          'GET /admin/notifications/failed',
          'POST /admin/notifications/{id}/retry',
          'GET /events/{id}/calendar.ics',
          'GET /communities',
        ]) {
          assert.ok(routes.includes(expected), expected);
        }
        assertValidDocument(whole);
      });
    }

    it('documents binary answers with their content types', async () => {
      const application = await build(localConfig());
      const whole = (await request(application.app).get('/api/v1/openapi.json').expect(200)).body as Doc;
      const typesOf = (path: string) => Object.keys(whole.paths[path]?.get?.responses['200']?.content ?? {});
      assert.deepEqual(typesOf('/me/photo'), ['image/jpeg', 'image/png', 'image/gif', 'image/webp', 'application/octet-stream']);
      assert.deepEqual(typesOf('/events/{id}/calendar.ics'), ['text/calendar']);
      assert.deepEqual(typesOf('/events/{id}/registrations.csv'), ['text/csv']);
    });

    it('describes the answers of /me, the notification settings, the dead letters and the audit log as they really are', async () => {
      const application = await build(localConfig());
      const config = localConfig();
      const whole = (await request(application.app).get('/api/v1/openapi.json').expect(200)).body as Doc;
      const admin = DEMO_PEOPLE.find((p) => p.isOrgAdmin);
      assert.ok(admin, 'a demo organisation admin');
      const agent = request.agent(application.app);
      await agent.post('/auth/local').set('Origin', config.publicUrl).type('form').send({ person: admin.id }).expect(303);
      const ajv = new Ajv2020({ strict: false });
      ajv.addSchema({ $id: 'doc', components: whole.components });
      for (const path of ['/me', '/me/notification-preferences', '/admin/notifications/failed', '/audit']) {
        const schema = whole.paths[path]?.get?.responses['200']?.content?.['application/json']?.schema;
        assert.ok(schema, path);
        const validate = ajv.compile(rewriteRefs(schema));
        const res = await agent.get(`/api/v1${path}`).set('Origin', config.publicUrl).expect(200);
        assert.ok(validate(res.body), `${path}: ${JSON.stringify(validate.errors)}`);
      }
      const patched = await agent.patch('/api/v1/me/notification-preferences').set('Origin', config.publicUrl).send({ channel: 'activityFeed' }).expect(200);
      const patchSchema = whole.paths['/me/notification-preferences']?.patch?.responses['200']?.content?.['application/json']?.schema;
      assert.ok(patchSchema);
      assert.ok(ajv.compile(rewriteRefs(patchSchema))(patched.body));
    });
  });
});

/** OpenAPI 3.1, an operation id and the 400 and 401 problems on every operation, and every schema compiles. */
function assertValidDocument(doc: Doc): void {
  assert.equal((doc as unknown as { openapi: string }).openapi, '3.1.0');
  const ajv = new Ajv2020({ strict: false });
  ajv.addSchema({ $id: 'doc', components: doc.components });
  for (const [path, methods] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(methods)) {
      const operation = op as unknown as { operationId: string; requestBody?: { content: Record<string, { schema: unknown }> }; responses: Record<string, unknown>; parameters?: Array<{ schema: unknown }> };
      assert.ok(operation.operationId, `${method} ${path}`);
      assert.ok(operation.responses['400'] && operation.responses['401'], `${method} ${path} documents problems`);
      const schemas = [
        ...Object.values(operation.responses).flatMap((r) => Object.values((r as { content?: Record<string, { schema: unknown }> }).content ?? {}).map((c) => c.schema)),
        ...Object.values(operation.requestBody?.content ?? {}).map((c) => c.schema),
        ...(operation.parameters ?? []).map((p) => p.schema),
      ];
      for (const schema of schemas) assert.doesNotThrow(() => ajv.compile(rewriteRefs(schema)), `${method} ${path}`);
    }
  }
}

function documentedRoutes(doc: Doc): string[] {
  return Object.entries(doc.paths)
    .flatMap(([path, methods]) => Object.keys(methods).map((m) => `${m.toUpperCase()} ${path}`))
    .sort();
}

/** `#/components/...` inside an operation's schema points into the whole document, registered as "doc". */
function rewriteRefs(schema: unknown): Record<string, unknown> {
  return JSON.parse(JSON.stringify(schema).replace(/"#\/components\//g, '"doc#/components/')) as Record<string, unknown>;
}
