// src/inspect/analyse.test.ts — the offline pipeline: operations, security, body summary, cases, budget, unusable parts.
import { describe, expect, it } from 'vitest';
import { VouchError } from '../core/index.js';
import { isValid, requestSchema } from '../generate/index.js';
import { analyseSpec, serverOf, summariseSchema } from './analyse.js';

const YAML = `openapi: 3.0.3
info: { title: Shop, version: '1' }
servers: [{ url: /api }]
security: [{ bearer: [] }]
components:
  securitySchemes:
    bearer: { type: http, scheme: bearer }
paths:
  /products:
    get:
      tags: [catalog]
      security: []
      parameters:
        - { name: limit, in: query, schema: { type: integer, minimum: 1, maximum: 50 } }
        - { name: raw, in: querystring }
      responses: { '200': { description: ok } }
  /orders:
    post:
      tags: [orders]
      requestBody:
        content:
          application/json:
            schema:
              type: object
              required: [productId, quantity]
              properties:
                productId: { type: integer, example: 3 }
                quantity: { type: integer, minimum: 1, maximum: 10 }
                note: { type: string, maxLength: 20 }
      responses: { '201': { description: created } }
  /broken:
    get: 7
  /ref:
    get:
      parameters: [{ $ref: '#/components/parameters/nope' }]
      responses: { '200': { description: ok } }
`;

describe('analyseSpec', () => {
  it('builds operations with tags, security, body summary and valid positives then negatives', async () => {
    const a = await analyseSpec({ text: YAML, location: 'shop.yaml' }, { positives: 3, negatives: 3, seed: 1 });
    expect(a.specVersion).toBe('3.0.3');
    expect(a.title).toBe('Shop');
    const ids = a.operations.map((o) => o.operation.id);
    expect(ids).toEqual(['GET /api/products', 'POST /api/orders', 'GET /api/ref']);
    const products = a.operations[0]!;
    expect(products.tags).toEqual(['catalog']);
    expect(products.security).toEqual([]);
    const orders = a.operations[1]!;
    expect(orders.security).toEqual(['bearer']);
    expect(orders.body).toBe('application/json {productId: integer, quantity: integer, note?: string}');
    const pos = orders.cases.filter((c) => c.phase !== 'negative');
    const neg = orders.cases.filter((c) => c.phase === 'negative');
    expect(pos.length).toBe(3);
    expect(neg.length).toBe(3);
    // positives first, and each validates against the request schema; each negative does not
    expect(orders.cases.slice(0, 3).every((c) => c.phase !== 'negative')).toBe(true);
    const schema = requestSchema(orders.operation);
    for (const c of pos) expect(isValid(schema, c.values, '3.0.3')).toBe(true);
    for (const c of neg) expect(isValid(schema, c.values, '3.0.3')).toBe(false);
  });

  it('is deterministic for a seed and differs across seeds', async () => {
    const run = (seed: number) => analyseSpec({ text: YAML, location: 'shop.yaml' }, { positives: 4, negatives: 0, seed });
    const [a, b, c] = await Promise.all([run(7), run(7), run(8)]);
    const vals = (x: typeof a) => JSON.stringify(x.operations.map((o) => o.cases.map((k) => k.values)));
    expect(vals(a)).toBe(vals(b));
    expect(vals(a)).not.toBe(vals(c));
  });

  it('names what it could not use with pointer and line', async () => {
    const a = await analyseSpec({ text: YAML, location: 'shop.yaml' }, { positives: 1, negatives: 0, seed: 1 });
    const broken = a.unusable.find((u) => u.where.includes('/paths/~1broken/get'));
    const line = YAML.split('\n').findIndex((l) => l.includes('get: 7')) + 1;
    expect(broken?.where).toBe(`shop.yaml#/paths/~1broken/get (line ${line})`);
    expect(broken?.reason).toMatch(/not an object/);
    expect(a.unusable.some((u) => /unresolved \$ref #\/components\/parameters\/nope/.test(u.reason))).toBe(true);
    // an ignored parameter is a warning: the operation stays
    const pline = YAML.split('\n').findIndex((l) => l.includes('querystring')) + 1;
    expect(a.warnings).toContain(`shop.yaml#/paths/~1products/get/parameters/1 (line ${pline}): parameter raw has an unknown location "querystring", ignored`);
  });

  it('accepts a parsed document and reports a schema it cannot generate', async () => {
    const doc = {
      swagger: '2.0',
      info: { title: 'x', version: '1' },
      paths: { '/x': { post: { parameters: [{ name: 'b', in: 'body', schema: { type: 'object', required: ['n'], properties: { n: { type: 'integer', minimum: 5, maximum: 1 } } } }], responses: {} } } },
    };
    const a = await analyseSpec({ doc, location: 'x.json' }, { positives: 2, negatives: 1, seed: 1 });
    expect(a.specVersion).toBe('2.0');
    expect(a.operations[0]!.skipped).toMatch(/no integer satisfies/);
    expect(a.unusable.some((u) => u.where === 'x.json#/paths/~1x/post' && /no request could be generated/.test(u.reason))).toBe(true);
  });

  it('stops an operation at its budget and goes on with the next', async () => {
    const a = await analyseSpec({ text: YAML, location: 'shop.yaml' }, { positives: 3, negatives: 3, seed: 1, opBudgetMs: 0 });
    // With a zero budget the first step runs, then generation stops: every operation is still listed
    expect(a.operations).toHaveLength(3);
    const orders = a.operations[1]!;
    expect(orders.timedOut).toBe(true);
    expect(orders.cases.every((c) => c.phase !== 'negative')).toBe(true);
  });

  it('throws VOUCH_SPEC_INVALID for a document that is not OpenAPI', async () => {
    await expect(analyseSpec({ text: 'hello: world\n', location: 'h.yaml' }, { positives: 1, negatives: 0, seed: 1 })).rejects.toBeInstanceOf(VouchError);
  });
});

describe('summariseSchema', () => {
  it('words nested, array, enum and recursive schemas in one capped line', () => {
    expect(summariseSchema({ type: 'array', items: { type: 'string', format: 'email' } })).toBe('string(email)[]');
    expect(summariseSchema({ type: 'string', enum: ['a', 'b'] })).toBe('enum("a"|"b")');
    expect(summariseSchema({ properties: { a: { properties: { b: { properties: { c: { type: 'integer' } } } } } } })).toBe('{a?: {b?: {…}}}');
    expect(summariseSchema({ $ref: '#/x', 'x-vouch-recursive': true })).toBe('(recursive #/x)');
    const wide = { type: 'object', properties: Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`field${i}`, { type: 'string' }])) };
    expect(summariseSchema(wide, 80)).toHaveLength(80);
  });
});

describe('serverOf', () => {
  it('places operations as a scan would: first server path as base path, its origin (or the spec URL origin) as base URL', () => {
    expect(serverOf({ openapi: '3.0.0', servers: [{ url: 'https://api.example.test/v2/' }] }, 'spec.yaml')).toEqual({ basePath: '/v2', baseUrl: 'https://api.example.test' });
    expect(serverOf({ openapi: '3.0.0', servers: [{ url: '/api' }] }, 'spec.yaml')).toEqual({ basePath: '/api', baseUrl: '{baseUrl}' });
    expect(serverOf({ openapi: '3.0.0', servers: [{ url: '/api' }] }, 'http://127.0.0.1:9/docs/openapi.json')).toEqual({ basePath: '/api', baseUrl: 'http://127.0.0.1:9' });
    // An empty server URL is the document's directory, never the document (FastAPI): not /openapi.json/…
    expect(serverOf({ openapi: '3.0.0', servers: [{ url: '' }] }, 'http://127.0.0.1:9/openapi.json')).toEqual({ basePath: '', baseUrl: 'http://127.0.0.1:9' });
    expect(serverOf({ openapi: '3.0.0', servers: [{ url: '' }] }, 'http://127.0.0.1:9/docs/openapi.json')).toEqual({ basePath: '/docs', baseUrl: 'http://127.0.0.1:9' });
    expect(serverOf({ openapi: '3.1.0' }, 'spec.yaml')).toEqual({ basePath: '', baseUrl: '{baseUrl}' });
    expect(serverOf({ swagger: '2.0', host: 'h.example.test', basePath: '/v1', schemes: ['http'] }, 'spec.json')).toEqual({ basePath: '/v1', baseUrl: 'http://h.example.test' });
    expect(serverOf({ swagger: '2.0', basePath: '/v1' }, 'spec.json')).toEqual({ basePath: '/v1', baseUrl: '{baseUrl}' });
    expect(serverOf({ openapi: '3.0.0', servers: [{ url: 'https://{tenant}.example.test/{v}', variables: { v: { default: 'v3' } } }] }, 'spec.yaml')).toEqual({ basePath: '/v3', baseUrl: 'https://{tenant}.example.test' });
  });
});
