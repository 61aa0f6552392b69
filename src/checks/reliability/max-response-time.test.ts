// src/checks/reliability/max-response-time.test.ts — a slow endpoint, its fast twin, a single slow outlier, path
// parameters without examples, and the request bound.
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveFixture, sendJson, type Fixture } from '../kit/fixture.js';
import { testCheck } from '../kit/tester.js';
import { percentile } from '../kit/compare.js';
import check from './max-response-time.js';

let app: Fixture;
let spikeCalls = 0;

beforeAll(async () => {
  app = await serveFixture(async (_req, res, url) => {
    if (url.pathname === '/slow') await sleep(80);
    if (url.pathname === '/spike' && spikeCalls++ === 0) await sleep(150); // one cold request, then fast
    if (url.pathname.startsWith('/slow-item/')) await sleep(80);
    return sendJson(res, 200, { ok: true });
  });
});
afterAll(() => app.close());

const get = (path: string) => ({ method: 'GET', path, params: [] });
const fastOptions = { thresholdMs: 40, samples: 3 };

describe('max-response-time', () => {
  it('computes nearest-rank percentiles', () => {
    expect(percentile([1503, 1490, 1520, 1500, 1510], 50)).toBe(1503);
    expect(percentile([1503, 1490, 1520, 1500, 1510], 95)).toBe(1520);
    expect(percentile([], 50)).toBeNaN();
  });

  it('reports a uniformly slow endpoint, citing every sample', async () => {
    const r = await testCheck(check, { url: app.url, operations: [get('/slow')], options: fastOptions });
    expect(r.findings).toHaveLength(1);
    const f = r.findings[0]!;
    expect(f.confidence).toBe('confirmed');
    expect(f.severity).toBe('medium');
    expect(f.proof.exchanges).toHaveLength(3);
    expect(f.proof.summary).toMatch(/^p50 \d+ ms, p95 \d+ ms over 3 requests > 40 ms/);
    expect(r.requests).toBe(3);
  });

  it('reports nothing on the fast twin', async () => {
    const r = await testCheck(check, { url: app.url, operations: [get('/fast')], options: fastOptions });
    expect(r.findings).toEqual([]);
    expect(r.outcomes[0]?.status).toBe('clean');
    expect(r.requests).toBe(3);
  });

  it('does not report one slow outlier (the median decides)', async () => {
    spikeCalls = 0;
    const r = await testCheck(check, { url: app.url, operations: [get('/spike')], options: fastOptions });
    expect(r.findings).toEqual([]);
  });

  it('sends the default of 5 samples', async () => {
    const r = await testCheck(check, { url: app.url, operations: [get('/fast')] });
    expect(r.requests).toBe(5);
  });

  it('refuses a single sample', () => {
    expect(check.options.safeParse({ samples: 1 }).success).toBe(false);
  });

  it('skips non-GET operations and path parameters without an example', async () => {
    const r = await testCheck(check, {
      url: app.url,
      operations: [
        { method: 'POST', path: '/slow', params: [] },
        { method: 'GET', path: '/slow-item/{id}', params: [{ name: 'id', in: 'path', schema: { type: 'integer' } }] },
      ],
      options: fastOptions,
    });
    expect(r.requests).toBe(0);
    expect(r.skipped).toHaveLength(2);
  });

  it('measures a path parameter that has an example', async () => {
    const r = await testCheck(check, { url: app.url, operations: [{ method: 'GET', path: '/slow-item/{id}', params: [{ name: 'id', in: 'path', examples: [42] }] }], options: fastOptions });
    expect(r.findings).toHaveLength(1);
    expect(r.findings[0]!.url).toContain('/slow-item/42');
  });
});
