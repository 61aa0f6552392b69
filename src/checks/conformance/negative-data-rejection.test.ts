// src/checks/conformance/negative-data-rejection.test.ts — an endpoint that stores anything, its validating twin, one
// missing rule, an endpoint that crashes on invalid data (not this check's finding), safe mode and request bounds.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JsonSchema } from '../../core/index.js';
import { sendJson, serveFixture, type Fixture } from '../kit/fixture.js';
import { testCheck } from '../kit/tester.js';
import check, { negativeCases } from './negative-data-rejection.js';

const ORDER: JsonSchema = {
  type: 'object',
  required: ['product', 'quantity'],
  properties: {
    id: { type: 'integer', readOnly: true },
    product: { type: 'string', maxLength: 20 },
    quantity: { type: 'integer', minimum: 1, maximum: 100 },
    color: { type: 'string', enum: ['red', 'blue'] },
  },
};

/** Validates like a careful server would; `skip` names a rule it forgets. */
function problems(body: Record<string, unknown>, skip?: string): string[] {
  const out: string[] = [];
  if (typeof body.product !== 'string') out.push('product');
  else if (body.product.length > 20) out.push('product too long');
  if (!Number.isInteger(body.quantity)) out.push('quantity');
  else if ((body.quantity as number) < 1) out.push('quantity too small');
  else if ((body.quantity as number) > 100 && skip !== 'maximum') out.push('quantity too large');
  if (body.color !== undefined && !['red', 'blue'].includes(body.color as string)) out.push('color');
  return out;
}

let app: Fixture;
beforeAll(async () => {
  app = await serveFixture((req, res, url) => {
    const body = JSON.parse(req.body) as Record<string, unknown>;
    switch (url.pathname) {
      case '/orders':
        return sendJson(res, 201, { id: 1, ...body }); // stores whatever it gets
      case '/safe-orders':
      case '/partial-orders': {
        const p = problems(body, url.pathname === '/partial-orders' ? 'maximum' : undefined);
        return p.length ? sendJson(res, 400, { errors: p }) : sendJson(res, 201, { id: 1, ...body });
      }
      case '/envelope-orders': // GraphQL and RPC-style APIs refuse inside a 200
        return problems(body).length ? sendJson(res, 200, { data: null, errors: [{ message: 'bad input' }] }) : sendJson(res, 200, { data: { id: 1 } });
      case '/success-false-orders':
        return problems(body).length ? sendJson(res, 200, { success: false, message: 'bad input' }) : sendJson(res, 200, { success: true });
      case '/crashy-orders':
        return problems(body).length ? sendJson(res, 500, { error: 'TypeError' }) : sendJson(res, 201, { id: 1 });
      default:
        return sendJson(res, 404, {});
    }
  });
});
afterAll(() => app.close());

const op = (path: string) => ({ method: 'POST', path, params: [], requestBody: { contentType: 'application/json', schema: ORDER } });

describe('negative-data-rejection', () => {
  it('makes one case per keyword first, each breaking one constraint', () => {
    const cases = negativeCases(ORDER, { product: 'test', quantity: 1, color: 'red' }, 6);
    expect(cases.map((c) => `${c.keyword}:${c.path}`)).toEqual(['required:product', 'type:product', 'maxLength:product', 'minimum:quantity', 'maximum:quantity', 'enum:color']);
    expect(cases.find((c) => c.keyword === 'minimum')?.value).toBe('0');
    expect(cases.find((c) => c.keyword === 'maxLength')?.value).toBe(JSON.stringify('testaaaaaaaaaaaaaaaaa'));
    expect(negativeCases(ORDER, { product: 'test', quantity: 1, color: 'red' }, 20)).toHaveLength(8);
  });

  it('confirms every invalid body the server accepts', async () => {
    const r = await testCheck(check, { url: app.url, operations: [op('/orders')] });
    expect(r.findings).toHaveLength(6);
    expect(r.findings.every((f) => f.confidence === 'confirmed')).toBe(true);
    const min = r.findings.find((f) => f.vulnClass === 'accepted-invalid:minimum')!;
    expect(min.parameter).toBe('json:quantity');
    expect(min.proof.summary).toContain('quantity=0 (quantity below minimum 1) → 201');
    expect(min.proof.exchanges[0]!.request.body).toBe('{"product":"test","quantity":0,"color":"red"}');
    const missing = r.findings.find((f) => f.vulnClass === 'accepted-invalid:required')!;
    expect(missing.proof.exchanges[0]!.request.body).not.toContain('product');
    expect(r.requests).toBe(6 + 6);
  });

  it('reports nothing on the validating safe twin', async () => {
    const r = await testCheck(check, { url: app.url, operations: [op('/safe-orders')] });
    expect(r.findings).toEqual([]);
    expect(r.outcomes[0]?.status).toBe('clean');
    expect(r.requests).toBe(6);
  });

  it('reads a 200 with an error envelope (GraphQL errors, success: false) as a refusal', async () => {
    for (const path of ['/envelope-orders', '/success-false-orders']) {
      const r = await testCheck(check, { url: app.url, operations: [op(path)] });
      expect(r.findings, path).toEqual([]);
      expect(r.outcomes[0]?.status).toBe('clean');
    }
  });

  it('names the one rule a server forgets', async () => {
    const r = await testCheck(check, { url: app.url, operations: [op('/partial-orders')] });
    expect(r.findings.map((f) => [f.vulnClass, f.parameter])).toEqual([['accepted-invalid:maximum', 'json:quantity']]);
  });

  it('leaves 5xx answers to not-a-server-error', async () => {
    const r = await testCheck(check, { url: app.url, operations: [op('/crashy-orders')] });
    expect(r.findings).toEqual([]);
  });

  it('does not run in safe mode', async () => {
    const r = await testCheck(check, { url: app.url, operations: [op('/orders')], safeMode: true });
    expect(r.requests).toBe(0);
    expect(r.skipped[0]).toContain('safe mode');
  });

  it('is inconclusive on a schema without constraints to break', async () => {
    const r = await testCheck(check, { url: app.url, operations: [{ ...op('/orders'), requestBody: { contentType: 'application/json', schema: { type: 'object' } } }] });
    expect(r.outcomes[0]?.status).toBe('inconclusive');
    expect(r.requests).toBe(0);
  });
});
