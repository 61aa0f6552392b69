// src/discover/discover.test.ts — OpenAPI parsing into operations, HTML link/form extraction, route templates.
import { describe, expect, it } from 'vitest';
import { VouchError } from '../core/index.js';
import { extractLinks, parseSpecText, routeTemplate, specToOperations } from './index.js';

const spec = {
  openapi: '3.0.3',
  info: { title: 't', version: '1' },
  components: {
    schemas: { Node: { type: 'object', properties: { id: { type: 'integer' }, child: { $ref: '#/components/schemas/Node' } } } },
    securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
  },
  paths: {
    '/items/{id}': {
      parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'integer' } }],
      get: { security: [{ bearer: [] }], responses: { '200': { description: 'ok', content: { 'application/json': { schema: { $ref: '#/components/schemas/Node' } } } } } },
    },
    '/search': { get: { parameters: [{ name: 'q', in: 'query', schema: { type: 'string' } }], responses: { '200': { description: 'ok' } } } },
  },
};

describe('OpenAPI', () => {
  it('turns paths into operations with parameters, auth and response schemas, cutting recursive refs', () => {
    const parsed = specToOperations(parseSpecText(JSON.stringify(spec), 'spec.json'), 'spec.json');
    expect(parsed.operations.map((o) => `${o.id} ${o.auth}`)).toEqual(['GET /items/{id} required', 'GET /search none']);
    const item = parsed.operations[0]!;
    expect(item.params).toEqual([{ name: 'id', in: 'path', required: true, schema: { type: 'integer' } }]);
    const schema = item.responses?.['200']?.schema as { properties: { id: unknown; child: Record<string, unknown> } };
    expect(schema.properties.id).toEqual({ type: 'integer' });
    expect(schema.properties.child).toEqual({ $ref: '#/components/schemas/Node', 'x-vouch-recursive': true });
  });

  it('refuses what is not OpenAPI with the location named', () => {
    expect(() => parseSpecText('{"hello": 1}', 'x.json')).toThrow(VouchError);
    expect(() => parseSpecText('{"hello": 1}', 'x.json')).toThrow(/x\.json: not an OpenAPI document/);
    expect(() => parseSpecText(': : :\n\t- [', 'y.yaml')).toThrow(/y\.yaml line 1: not valid YAML/);
  });

  it('reads YAML and Swagger 2.0', () => {
    const doc = parseSpecText('swagger: "2.0"\nbasePath: /v1\npaths:\n  /pets:\n    post:\n      parameters:\n        - { name: body, in: body, schema: { type: object } }\n      responses: { "201": { description: ok } }\n', 's.yaml');
    const ops = specToOperations(doc, 's.yaml').operations;
    expect(ops[0]?.id).toBe('POST /v1/pets');
    expect(ops[0]?.requestBody?.contentType).toBe('application/json');
  });
});

describe('HTML', () => {
  it('extracts links and forms, tolerating junk', () => {
    const r = extractLinks('<a href="/a?x=1">a</a><A HREF=\'/b\'>b</A><form action="/login" method="post"><input name="user"><input type="password" name="pw"><input type="submit"></form>\u0000<<<');
    expect(r.links).toEqual(['/a?x=1', '/b']);
    expect(r.forms).toEqual([{ action: '/login', method: 'POST', fields: [{ name: 'user', type: 'text', value: '' }, { name: 'pw', type: 'password', value: '' }] }]);
    expect(extractLinks('\u0000\u0001 not html at all')).toEqual({ links: [], forms: [] });
    expect(extractLinks('<meta http-equiv="refresh" content="0; url=/next"><link rel="service-desc" href="/api.yaml"><script src="/a.js"></script><script>go("/b")</script>')).toEqual({
      links: ['/api.yaml', '/next'],
      forms: [],
      scripts: ['/a.js'],
      inline: ['go("/b")'],
    });
  });

  it('groups pages by route template', () => {
    expect(routeTemplate('/item/12/reviews/550e8400-e29b-41d4-a716-446655440000')).toBe('/item/{id}/reviews/{id}');
    expect(routeTemplate('/about')).toBe('/about');
  });
});
