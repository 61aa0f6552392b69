// src/discover/openapi.test.ts — OpenAPI sources: external $refs (files, in-scope URLs), places in errors, links, servers.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sendJson, serveFixture, type Fixture } from '../checks/kit/fixture.js';
import { VouchError } from '../core/index.js';
import type { Surface } from '../core/index.js';
import { createEngine, type Engine } from '../net/index.js';
import { discover, parseSpec, specToOperations } from './index.js';

const OUT = 'http://127.0.0.2:9';
let site: Fixture;
const dir = mkdtempSync(join(tmpdir(), 'vouch-spec-'));

beforeAll(async () => {
  site = await serveFixture((req, res, url) => {
    if (url.pathname === '/docs') return res.writeHead(302, { location: '/openapi.json' }).end();
    if (url.pathname === '/spec-elsewhere') return res.writeHead(301, { location: `${OUT}/openapi.json` }).end();
    if (url.pathname === '/schemas/user.json') return sendJson(res, 200, { type: 'object', properties: { id: { type: 'integer' }, name: { type: 'string' } } });
    if (url.pathname === '/openapi.json') {
      return sendJson(res, 200, {
        openapi: '3.0.3',
        info: { title: 't', version: '1' },
        servers: [{ url: `${OUT}/v1` }, { url: `http://127.0.0.1:${req.socket.localPort}/{base}`, variables: { base: { default: 'api' } } }],
        paths: {
          '/users/{id}': {
            get: {
              parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'integer' } }],
              responses: { '200': { description: 'ok', content: { 'application/json': { schema: { $ref: 'schemas/user.json' } } } } },
            },
          },
          '/remote': { get: { responses: { '200': { description: 'ok', content: { 'application/json': { schema: { $ref: `${OUT}/schema.json` } } } } } } },
        },
      });
    }
    return res.writeHead(200, { 'content-type': 'text/html' }).end('<p>home</p>');
  });
});
afterAll(() => site.close());

async function scan(spec?: string): Promise<{ surface: Surface; engine: Engine }> {
  const target = { name: 't', url: site.url, environment: 'local' as const, ...(spec ? { spec } : {}) };
  const engine = createEngine({ target, scope: { origins: [site.url], include: [], exclude: [] }, safeMode: false });
  try {
    return { surface: await discover({ target, engine, options: { crawl: false, graphql: false } }), engine };
  } catch (e) {
    await engine.close();
    throw e;
  }
}

describe('OpenAPI sources', () => {
  it('reads a YAML file with external $refs to relative files, and spec links', async () => {
    writeFileSync(join(dir, 'common.yaml'), 'Pet:\n  type: object\n  properties:\n    id: { type: integer }\n    owner: { $ref: "./more/owner.json" }\n');
    const { mkdirSync } = await import('node:fs');
    mkdirSync(join(dir, 'more'), { recursive: true });
    writeFileSync(join(dir, 'more', 'owner.json'), JSON.stringify({ type: 'object', properties: { name: { type: 'string' } } }));
    writeFileSync(
      join(dir, 'api.yaml'),
      `openapi: 3.1.0
info: { title: pets, version: "1" }
servers: [{ url: /v2 }]
paths:
  /pets:
    post:
      operationId: createPet
      requestBody: { content: { application/json: { schema: { $ref: "common.yaml#/Pet" } } } }
      responses:
        "201":
          description: made
          content: { application/json: { schema: { $ref: "common.yaml#/Pet" } } }
          links:
            GetPet: { operationId: getPet, parameters: { petId: "$response.body#/id" } }
            Owner: { operationRef: "#/paths/~1pets~1{petId}/get", parameters: { petId: "$response.body#/items/0/id" } }
  /pets/{petId}:
    get:
      operationId: getPet
      parameters: [{ name: petId, in: path, required: true, schema: { type: integer } }]
      responses: { "200": { description: ok, content: { application/xml: { schema: { type: object } } } } }
`,
    );
    const { surface, engine } = await scan(join(dir, 'api.yaml'));
    await engine.close();
    expect(surface.spec).toEqual({ location: join(dir, 'api.yaml'), version: '3.1.0' });
    const post = surface.operations.find((o) => o.id === 'POST /v2/pets')!;
    expect(post.requestBody?.schema).toEqual({ type: 'object', properties: { id: { type: 'integer' }, owner: { type: 'object', properties: { name: { type: 'string' } } } } });
    expect(post.links).toEqual([
      { field: 'id', operation: 'GET /v2/pets/{petId}', parameter: 'petId', source: 'spec' },
      { field: 'items[].id', operation: 'GET /v2/pets/{petId}', parameter: 'petId', source: 'spec' },
    ]);
    expect(surface.operations.find((o) => o.id === 'GET /v2/pets/{petId}')?.responses?.['200']?.contentType).toBe('application/xml');
    expect(surface.warnings).toEqual([]);
  });

  it('fetches a spec by URL with in-scope $refs; out-of-scope servers and refs are refused, never contacted', async () => {
    const { surface, engine } = await scan('/openapi.json');
    try {
      expect(surface.operations.map((o) => o.id)).toEqual(['GET /api/remote', 'GET /api/users/{id}']);
      expect(surface.operations[1]?.responses?.['200']?.schema).toEqual({ type: 'object', properties: { id: { type: 'integer' }, name: { type: 'string' } } });
      expect(surface.warnings.join('\n')).toMatch(/OpenAPI server http:\/\/127\.0\.0\.2:9\/v1 is outside the scope: refused, never contacted/);
      expect(surface.warnings.join('\n')).toMatch(/\$ref http:\/\/127\.0\.0\.2:9\/schema\.json could not be loaded \(outside the scope/);
      const refused = engine.exchanges().filter((e) => e.error?.code === 'VOUCH_SCOPE_REFUSED').map((e) => `${e.checkId} ${e.request.url}`);
      expect(refused).toEqual([`discover:spec ${OUT}/schema.json`, `discover:spec-server ${OUT}/v1`]);
      expect(engine.stats().refused).toBe(2);
    } finally {
      await engine.close();
    }
  });

  it('follows a spec redirect on the target, and refuses one that leaves the scope', async () => {
    const moved = await scan('/docs');
    await moved.engine.close();
    expect(moved.surface.operations.map((o) => o.id)).toEqual(['GET /api/remote', 'GET /api/users/{id}']);
    await expect(scan('/spec-elsewhere')).rejects.toThrow(`/spec-elsewhere: the spec could not be fetched (redirected to ${OUT}/openapi.json, outside the scope: refused, never contacted)`);
  });

  it('names the place of a fatal problem: file, JSON pointer and YAML line', () => {
    const bad = 'openapi: 3.0.0\ninfo: { title: t, version: "1" }\npaths:\n  - not: a map\n';
    expect(() => parseSpec(bad, 'bad.yaml')).toThrow(VouchError);
    expect(() => parseSpec(bad, 'bad.yaml')).toThrow('bad.yaml#/paths (line 4): not an object');
    expect(() => parseSpec('{"openapi": "3.0.0",\n "paths": {\n  "/a": }\n}', 'bad.json')).toThrow(/bad\.json line 3: not valid JSON/);
    expect(() => parseSpec('openapi: 4.0.0\npaths: {}\n', 'v4.yaml')).toThrow('v4.yaml#/openapi (line 1): OpenAPI version 4.0.0 is not supported');
  });

  it('keeps the usable rest of a document, warning with the place of each broken operation', () => {
    const text = 'openapi: 3.0.0\ninfo: { title: t, version: "1" }\npaths:\n  /ok:\n    get: { responses: { "200": { description: ok } } }\n  /broken:\n    get: 42\n  /params:\n    post:\n      parameters: { name: x }\n';
    const { doc, lineOf } = parseSpec(text, 's.yaml');
    const parsed = specToOperations(doc, 's.yaml', { lineOf });
    expect(parsed.operations.map((o) => o.id)).toEqual(['GET /ok']);
    expect(parsed.warnings).toEqual(['s.yaml#/paths/~1broken/get (line 7): the operation is not an object, skipped', 's.yaml#/paths/~1params/post/parameters (line 10): not a list, skipped']);
  });

  it('reads Swagger 2.0 host, basePath, formData and produces', () => {
    const doc = parseSpec(JSON.stringify({ swagger: '2.0', host: 'api.example.com', basePath: '/v1/', produces: ['application/xml', 'application/json'], paths: { '/up': { post: { consumes: ['multipart/form-data'], parameters: [{ name: 'file', in: 'formData', type: 'file' }], responses: { '200': { description: 'ok', schema: { type: 'string' } } } } } } }), 's.json').doc;
    const op = specToOperations(doc, 's.json').operations[0]!;
    expect(op.id).toBe('POST /v1/up');
    expect(op.params).toEqual([{ name: 'file', in: 'form', schema: { type: 'file' } }]);
    expect(op.requestBody).toEqual({ contentType: 'multipart/form-data' });
    expect(op.responses?.['200']).toEqual({ contentType: 'application/json', schema: { type: 'string' } });
  });
});
