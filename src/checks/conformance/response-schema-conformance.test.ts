// src/checks/conformance/response-schema-conformance.test.ts — a response that breaks its schema, a conforming twin
// (with nullable and OpenAPI-only keywords), a flip-flopping response, a non-2xx answer, and the request bound.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JsonSchema } from '../../core/index.js';
import { sendJson, serveFixture, type Fixture } from '../kit/fixture.js';
import { testCheck } from '../kit/tester.js';
import check, { toJsonSchema, validatorFor } from './response-schema-conformance.js';

let app: Fixture;
let flips = 0;

beforeAll(async () => {
  app = await serveFixture((_req, res, url) => {
    switch (url.pathname) {
      case '/products/1':
        return sendJson(res, 200, { id: 1, name: 'pen', price: '12.50', discount: null }); // price became a string
      case '/safe-products/1':
        return sendJson(res, 200, { id: 1, name: 'pen', price: 12.5, discount: null, createdAt: '2026-01-01T00:00:00Z' });
      case '/flip/1':
        return sendJson(res, 200, flips++ % 2 === 0 ? { id: 1, name: 'pen' } : { id: 1, name: 'pen', price: 1 });
      default:
        return sendJson(res, 404, { error: 'not found' });
    }
  });
});
afterAll(() => app.close());

const PRODUCT: JsonSchema = {
  type: 'object',
  required: ['id', 'name', 'price'],
  properties: {
    id: { type: 'integer', example: 1 },
    name: { type: 'string', xml: { name: 'name' } },
    price: { type: 'number', minimum: 0, exclusiveMinimum: false },
    discount: { type: 'number', nullable: true },
    createdAt: { type: 'string', format: 'date-time' },
  },
  discriminator: { propertyName: 'name' },
};
const op = (path: string, schema: JsonSchema = PRODUCT) => ({
  method: 'GET',
  path,
  params: [],
  responses: { '200': { contentType: 'application/json', schema }, '404': { contentType: 'application/json', schema: { type: 'object' } } },
});

describe('response-schema-conformance', () => {
  it('rewrites OpenAPI 3.0 keywords into JSON Schema', () => {
    expect(toJsonSchema({ type: 'string', nullable: true, example: 'x' }, true)).toEqual({ type: ['string', 'null'] });
    expect(toJsonSchema({ type: 'number', minimum: 0, exclusiveMinimum: true }, true)).toEqual({ type: 'number', exclusiveMinimum: 0 });
    expect(toJsonSchema({ properties: { example: { type: 'string' } } }, true)).toEqual({ properties: { example: { type: 'string' } } });
    expect(toJsonSchema({ items: { $ref: '#/components/schemas/Node', 'x-vouch-recursive': true } }, true)).toEqual({ items: {} });
  });

  it('compiles once per schema and validates OpenAPI 3.1 with draft 2020-12', () => {
    const s: JsonSchema = { type: ['string', 'null'] };
    expect(validatorFor(s, '3.1.0')).toBe(validatorFor(s, '3.1.0'));
    expect(validatorFor(s, '3.1.0')(null)).toBe(true);
    expect(validatorFor({ prefixItems: [{ type: 'integer' }] }, '3.1.0')(['a'])).toBe(false);
  });

  it('confirms a response that breaks its schema, naming the ajv error', async () => {
    const r = await testCheck(check, { url: app.url, operations: [op('/products/1')] });
    expect(r.findings).toHaveLength(1);
    const f = r.findings[0]!;
    expect(f.confidence).toBe('confirmed');
    expect(f.vulnClass).toBe('schema:200');
    expect(f.proof.evidence).toBe('/price must be number');
    expect(f.proof.summary).toContain('/price must be number');
    expect(f.proof.exchanges).toHaveLength(2);
    expect(r.requests).toBe(2);
  });

  it('reports nothing on the conforming twin (nullable, example, xml, discriminator, formats)', async () => {
    const r = await testCheck(check, { url: app.url, operations: [op('/safe-products/1')] });
    expect(r.findings).toEqual([]);
    expect(r.outcomes[0]?.status).toBe('clean');
    expect(r.requests).toBe(1);
  });

  it('keeps a violation the replay does not show tentative', async () => {
    flips = 0;
    const r = await testCheck(check, { url: app.url, operations: [op('/flip/1')] });
    expect(r.findings).toHaveLength(1);
    expect(r.findings[0]!.confidence).toBe('tentative');
    expect(r.findings[0]!.proof.summary).toContain('the replay conforms');
  });

  it('is inconclusive when the operation does not answer 2xx', async () => {
    const r = await testCheck(check, { url: app.url, operations: [op('/missing/1')] });
    expect(r.findings).toEqual([]);
    expect(r.outcomes[0]).toMatchObject({ status: 'inconclusive', reason: expect.stringContaining('answered 404') as unknown });
  });

  it('is inconclusive, not crashed, on a schema that does not compile', async () => {
    const r = await testCheck(check, { url: app.url, operations: [op('/safe-products/1', { type: 'file' })] });
    expect(r.outcomes[0]).toMatchObject({ status: 'inconclusive', reason: expect.stringContaining('does not compile') as unknown });
  });

  it('skips operations without a 2xx JSON schema, and non-GET in safe mode', async () => {
    const r = await testCheck(check, {
      url: app.url,
      operations: [{ method: 'GET', path: '/products/1', params: [] }, { ...op('/products/1'), method: 'POST' }],
      safeMode: true,
    });
    expect(r.skipped).toHaveLength(2);
    expect(r.requests).toBe(0);
  });
});
