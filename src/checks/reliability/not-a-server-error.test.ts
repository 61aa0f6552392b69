// src/checks/reliability/not-a-server-error.test.ts — 5xx on edge-case input, its validating safe twin, a target that
// fails on everything, a flaky failure and the request bound.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveFixture, sendJson, type Fixture } from '../kit/fixture.js';
import { testCheck } from '../kit/tester.js';
import { WORK_SIZE_CAP } from '../../generate/index.js';
import check, { edgeCases } from './not-a-server-error.js';

let app: Fixture;
let flakyCalls = 0;
let maxDepth = 0;

beforeAll(async () => {
  app = await serveFixture((req, res, url) => {
    const limit = url.searchParams.get('limit') ?? '';
    switch (url.pathname) {
      case '/items': {
        // Crashes on a negative limit (unchecked slice of an undefined page).
        if (Number(limit) < 0) return sendJson(res, 500, { error: 'TypeError: Cannot read properties of undefined' });
        return sendJson(res, 200, [{ id: 1 }]);
      }
      case '/safe-items': {
        if (!/^\d{1,3}$/.test(limit) || Number(limit) < 1 || Number(limit) > 100) return sendJson(res, 400, { error: 'limit must be 1..100' });
        return sendJson(res, 200, [{ id: 1 }]);
      }
      case '/search': {
        // Fails on any letter: both "abc" and the 10,000-char string fail; the shorter one is reported.
        if (/[a-z]/i.test(url.searchParams.get('q') ?? '')) return sendJson(res, 500, { error: 'boom' });
        return sendJson(res, 200, []);
      }
      case '/orders': {
        const body = JSON.parse(req.body) as { quantity?: unknown };
        if (body.quantity === null) return sendJson(res, 500, { error: "Cannot read properties of null (reading 'toFixed')" });
        if (typeof body.quantity !== 'number') return sendJson(res, 400, { error: 'quantity must be a number' });
        return sendJson(res, 201, { id: 7 });
      }
      case '/sum': {
        const { a } = JSON.parse(req.body) as { a: number };
        if (a > 500 && a < 1000) return sendJson(res, 500, { error: 'RangeError: table index out of range' });
        return sendJson(res, 200, { ok: true });
      }
      case '/nested': {
        // Builds JSON nested `depth` levels: a huge depth would hang it (BrokenCrystals' nestedJson), so it records it.
        const depth = Number(url.searchParams.get('depth'));
        maxDepth = Math.max(maxDepth, Number.isFinite(depth) ? depth : 0);
        if (depth < 0) return sendJson(res, 500, { error: 'RangeError: Invalid array length' });
        return sendJson(res, 200, {});
      }
      case '/always-500':
        return sendJson(res, 500, { error: 'database is down' });
      case '/flaky': {
        if (limit === '-1' && flakyCalls++ === 0) return sendJson(res, 500, { error: 'deadlock detected' });
        return sendJson(res, 200, []);
      }
      default:
        return sendJson(res, 404, {});
    }
  });
});
afterAll(() => app.close());

const get = (path: string, name = 'limit', type = 'integer') => ({ method: 'GET', path, params: [{ name, in: 'query' as const, schema: { type }, examples: [name === 'limit' ? 10 : '1'] }] });
const sum = { method: 'POST', path: '/sum', params: [], requestBody: { contentType: 'application/json', schema: { type: 'object', required: ['a'], properties: { a: { type: 'integer', minimum: 0, maximum: 1000 } } }, example: { a: 1 } } };
const orders = { method: 'POST', path: '/orders', params: [], requestBody: { contentType: 'application/json', schema: { type: 'object', properties: { quantity: { type: 'integer' } } }, example: { quantity: 2 } } };

describe('not-a-server-error', () => {
  it('orders edge cases shortest first and caps them at 8', () => {
    for (const [type, loc] of [['integer', 'query'], ['string', 'json'], [undefined, 'header'], ['boolean', 'json']] as const) {
      const cases = edgeCases(type, loc);
      expect(cases.length).toBeLessThanOrEqual(8);
      const lengths = cases.map((c) => (c.json ?? c.value ?? '').length);
      expect(lengths).toEqual([...lengths].sort((a, b) => a - b));
    }
  });

  it('confirms a 500 on a negative number with an exact replay', async () => {
    const r = await testCheck(check, { url: app.url, operations: [get('/items')] });
    expect(r.findings).toHaveLength(1);
    const f = r.findings[0]!;
    expect(f.confidence).toBe('confirmed');
    expect(f.parameter).toBe('query:limit');
    expect(f.vulnClass).toBe('5xx:500');
    expect(f.proof.payload).toBe('-1');
    expect(f.proof.summary).toContain('limit="-1"');
    expect(f.proof.summary).toContain('→ 500');
    expect(f.proof.exchanges.map((x) => x.response?.status)).toEqual([500, 500]);
    expect(r.requests).toBeLessThanOrEqual(1 + 8 + 1);
  });

  it('reports the shortest failing payload', async () => {
    const r = await testCheck(check, { url: app.url, operations: [get('/search', 'q', 'string')] });
    expect(r.findings).toHaveLength(1);
    expect(r.findings[0]!.proof.payload).toBe('abc');
  });

  it('finds a null in a JSON body', async () => {
    const r = await testCheck(check, { url: app.url, operations: [orders] });
    expect(r.findings).toHaveLength(1);
    expect(r.findings[0]!.parameter).toBe('json:quantity');
    expect(r.findings[0]!.proof.payload).toBe('null');
    expect(r.findings[0]!.proof.summary).toContain('json quantity=null (null) → 500');
    expect(r.findings[0]!.proof.exchanges[0]!.request.body).toBe('{"quantity":null}');
  });

  it('reports nothing on the validating safe twin', async () => {
    const r = await testCheck(check, { url: app.url, operations: [get('/safe-items')] });
    expect(r.findings).toEqual([]);
    expect(r.outcomes[0]?.status).toBe('clean');
    expect(r.requests).toBeLessThanOrEqual(1 + 8 + 10);
  });

  it('finds a 5xx only generated data reaches, shrunk to the minimal value', async () => {
    const r = await testCheck(check, { url: app.url, operations: [sum], options: { generated: 20 } });
    expect(r.findings).toHaveLength(1);
    const f = r.findings[0]!;
    expect(f.confidence).toBe('confirmed');
    expect(f.proof.summary).toContain('with generated data (positive');
    expect((JSON.parse(f.proof.exchanges[0]!.request.body!) as { a: number }).a).toBe(501);
  });

  it('reports a target that fails on everything once, for the base request only', async () => {
    const r = await testCheck(check, { url: app.url, operations: [get('/always-500')] });
    expect(r.findings).toHaveLength(1);
    expect(r.findings[0]!.parameter).toBeUndefined();
    expect(r.findings[0]!.confidence).toBe('confirmed');
    expect(r.requests).toBe(2);
  });

  it('keeps a failure that does not reproduce tentative, as flaky', async () => {
    flakyCalls = 0;
    const r = await testCheck(check, { url: app.url, operations: [get('/flaky')] });
    expect(r.findings).toHaveLength(1);
    expect(r.findings[0]!.confidence).toBe('tentative');
    expect(r.findings[0]!.vulnClass).toBe('5xx:500');
    expect(r.findings[0]!.proof.summary).toContain('flaky: not reproduced');
  });

  it('skips non-GET operations in safe mode', async () => {
    const r = await testCheck(check, { url: app.url, operations: [orders], safeMode: true });
    expect(r.requests).toBe(0);
    expect(r.skipped[0]).toContain('safe mode');
  });

  it('honours the attempts option', async () => {
    const r = await testCheck(check, { url: app.url, operations: [get('/safe-items')], options: { attempts: 2, generated: 0 } });
    expect(r.requests).toBe(1 + 2);
  });

  it('never sends a huge number in a work-size parameter (depth, count, limit…): no overflow, generated values capped', async () => {
    const r = await testCheck(check, { url: app.url, operations: [get('/nested', 'depth')], options: { generated: 40 } });
    expect(r.findings.map((f) => f.parameter)).toEqual(['query:depth']); // the negative depth still crashes it
    expect(maxDepth).toBeGreaterThan(0);
    expect(maxDepth).toBeLessThanOrEqual(WORK_SIZE_CAP);
  });
});
