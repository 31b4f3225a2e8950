/**
 * The OpenAPI document at /api/v1/openapi.json lists every route the communities module
 * mounts (read from the express routers themselves), its schemas are valid JSON Schema
 * 2020-12, and real answers validate against the response schemas it declares.
 */
import assert from 'node:assert/strict';
import { Ajv2020 } from 'ajv/dist/2020.js';
import type { Router } from 'express';
import request from 'supertest';
import { useTestDatabase } from '../support/database.js';
import { as, buildWorld, community, person, type TestWorld } from '../communities/communities-fixtures.js';

interface Layer {
  route?: { path: string; methods: Record<string, boolean> };
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
});

/** `#/components/...` inside an operation's schema points into the whole document, registered as "doc". */
function rewriteRefs(schema: unknown): Record<string, unknown> {
  return JSON.parse(JSON.stringify(schema).replace(/"#\/components\//g, '"doc#/components/')) as Record<string, unknown>;
}
