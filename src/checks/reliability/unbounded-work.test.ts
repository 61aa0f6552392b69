// src/checks/reliability/unbounded-work.test.ts — a nesting depth and a page size with no cap (size grows), a loop
// count (time grows), against twins that clamp, refuse with 400, echo the value or are quadratic (never pushed past
// the bound), and targets that give no answer.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Operation } from '../../core/index.js';
import { serveFixture, sendJson, type Fixture } from '../kit/fixture.js';
import { testCheck } from '../kit/tester.js';
import check, { LADDERS, risingRun, rungs, workPoints } from './unbounded-work.js';

const wait = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
/** `{"1":{"2":…"Leaf"…}}`: a document `n` levels deep, as brokencrystals' nestedJson builds it. */
const nested = (n: number): string => `${Array.from({ length: n - 1 }, (_, i) => `{"${i + 1}":`).join('')}{"0":"Leaf"}${'}'.repeat(n - 1)}`;
const sent: string[] = [];

let app: Fixture;
beforeAll(async () => {
  app = await serveFixture(async (req, res, url) => {
    sent.push(`${url.pathname}${url.search}`);
    const n = Number(url.searchParams.get('depth') ?? url.searchParams.get('limit') ?? url.searchParams.get('iterations') ?? url.searchParams.get('n') ?? (JSON.parse(req.body || '{}') as { variables?: { count?: number } }).variables?.count ?? 1);
    if (!Number.isInteger(n) || n < 1) return sendJson(res, 400, { message: 'invalid' });
    const json = (body: string): void => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(body);
    };
    switch (url.pathname) {
      case '/nested': // no cap; deep enough documents overflow the serializer, as in brokencrystals
        return n > 5000 ? sendJson(res, 500, { message: 'Internal server error' }) : json(nested(n));
      case '/nested-clamped':
        return json(nested(Math.min(n, 50)));
      case '/nested-refused':
        return n > 100 ? sendJson(res, 400, { message: 'depth must be at most 100' }) : json(nested(n));
      case '/items': // a page size with no maximum over a large table
        return sendJson(res, 200, Array.from({ length: Math.min(n, 20_000) }, (_, i) => ({ id: i, name: `item ${i}` })));
      case '/graphql': // a GraphQL query's count variable, no cap
        return sendJson(res, 200, { data: { rows: Array.from({ length: Math.min(n, 20_000) }, (_, i) => i) } });
      case '/echo':
        return sendJson(res, 200, { youAsked: n });
      case '/loop': // a loop whose time follows its count, the answer the same size
        await wait(Math.min(n / 4, 4000));
        return sendJson(res, 200, { done: true });
      case '/quad': // quadratic: 1 000 takes 0.5 s, 10 000 would take 50 s
        await wait(Math.min((n * n) / 2000, 60_000));
        return sendJson(res, 200, { done: true });
      case '/down':
        return sendJson(res, 503, { error: 'maintenance' });
      default:
        return sendJson(res, 404, {});
    }
  });
});
afterAll(() => app.close());

const q = (path: string, name: string, schema: Record<string, unknown> = { type: 'number' }) => ({ method: 'GET', path, params: [{ name, in: 'query' as const, required: true, schema }] });
const graphqlRows = (kind: 'query' | 'mutation') => ({
  method: 'POST',
  path: '/graphql',
  params: [{ name: 'variables.count', in: 'body' as const, schema: { type: 'integer' } }, { name: 'variables.format', in: 'body' as const, schema: { type: 'string' } }],
  requestBody: { contentType: 'application/json', schema: { type: 'object' } },
  sources: ['graphql' as const],
  graphql: { kind, field: 'rows', query: `${kind} rows($count: Int, $format: String) { rows(count: $count, format: $format) }` },
});
const op = (o: Omit<Operation, 'id' | 'auth' | 'sources'>): Operation => ({ ...o, id: `${o.method} ${o.path}`, auth: 'none', sources: ['spec'] });

describe('unbounded-work', () => {
  it('picks work-size numbers first, then numbers without a maximum; never ids, strings or enums', () => {
    const o = op({ method: 'GET', path: '/x', params: [
      { name: 'userId', in: 'query', schema: { type: 'integer' } },
      { name: 'q', in: 'query', schema: { type: 'string' } },
      { name: 'sort', in: 'query', schema: { type: 'integer', enum: [1, 2] } },
      { name: 'scale', in: 'query', schema: { type: 'integer' } },
      { name: 'year', in: 'query', schema: { type: 'integer', maximum: 2100 } },
      { name: 'depth', in: 'query', schema: { type: 'integer', maximum: 10 } },
    ] });
    expect(workPoints(o).map((p) => p.name)).toEqual(['depth', 'scale']);
    expect(workPoints(op(graphqlRows('query'))).map((p) => p.name)).toEqual(['variables.count']);
    expect(rungs(LADDERS.default, 10_000, { minimum: 5 })).toEqual([5, 10, 100, 1000, 10_000]);
    expect(rungs(LADDERS.default, 1000, undefined)).toEqual([1, 10, 100, 1000]);
  });

  it('counts the rungs that rose in a row, over noise and in proportion to the value', () => {
    const x = (bytes: number, ms = 1) => ({ response: { status: 200, headers: [], body: 'a'.repeat(bytes) }, timing: { totalMs: ms } }) as never;
    const base = { bytes: 10, ms: 1, bytesNoise: 0, msNoise: 0 };
    const grow = [10, 100, 1000].map((v) => ({ v, x: x(10 + 6 * v) }));
    expect(risingRun('size', grow, base, 0.3)).toBe(3);
    const clamped = [...grow, { v: 10_000, x: x(10 + 6 * 1000) }];
    expect(risingRun('size', clamped, base, 0.3)).toBe(1); // the last rung is no larger (clamped): a run starts again
    const echo = [10, 100, 1000].map((v) => ({ v, x: x(10 + String(v).length) }));
    expect(risingRun('size', echo, base, 0.3)).toBe(0); // a few bytes more is noise
    expect(risingRun('size', grow, { ...base, bytesNoise: 400 }, 0.3)).toBe(1); // only the top is over a noisy floor
  });

  it('confirms an uncapped nesting depth by its size (stopped at the 500), with at most 6 requests and a replay', async () => {
    sent.length = 0;
    const r = await testCheck(check, { url: app.url, operations: [q('/nested', 'depth')] });
    expect(r.findings.map((f) => [f.parameter, f.vulnClass, f.confidence])).toEqual([['query:depth', 'unbounded-work:size', 'confirmed']]);
    const f = r.findings[0]!;
    expect(f.proof.summary).toContain('10000 → HTTP 500');
    expect(f.proof.summary).toMatch(/still grows with the value \(replayed: 1 → 12 B, 100 → 696 B, 1000 → 7896 B\)/);
    expect(r.requests).toBe(6 + 3);
    expect(sent.map((s) => Number(s.split('=')[1]))).toEqual([1, 1, 10, 100, 1000, 10_000, 1, 100, 1000]); // never past 10 000, never the failing rung again
  });

  it('a depth clamped by the server, or refused past 100 with a 400, is clean (the safe twins)', async () => {
    for (const path of ['/nested-clamped', '/nested-refused']) {
      const r = await testCheck(check, { url: app.url, operations: [q(path, 'depth')] });
      expect(r.findings, path).toEqual([]);
      expect(r.outcomes.map((o) => o.status), path).toEqual(['clean']);
    }
  });

  it('confirms a page size and a GraphQL count without a maximum; a number only echoed back is clean; never a write', async () => {
    const r = await testCheck(check, { url: app.url, operations: [q('/items', 'limit', { type: 'integer' }), graphqlRows('query')] });
    expect(r.findings.map((f) => [f.operation.path, f.parameter, f.confidence]).sort()).toEqual([['/graphql', 'graphql:variables.count', 'confirmed'], ['/items', 'query:limit', 'confirmed']]);
    const writes = await testCheck(check, { url: app.url, operations: [graphqlRows('mutation'), { ...q('/items', 'limit'), method: 'POST' }] });
    expect(writes.requests).toBe(0);
    expect(writes.skipped.join(' ')).toMatch(/a GraphQL mutation: a ladder of writes.*method POST: a ladder of writes/);
    const echo = await testCheck(check, { url: app.url, operations: [q('/echo', 'n')] });
    expect(echo.findings).toEqual([]);
    expect(echo.outcomes.map((o) => o.status)).toEqual(['clean']);
  });

  // Timing proof: on a machine loaded by the rest of the suite one measurement can drown in noise; retried.
  it('confirms a loop count by its time, stopped at the first rung over the bound', { retry: 1, timeout: 30_000 }, async () => {
    const r = await testCheck(check, { url: app.url, operations: [q('/loop', 'iterations')] });
    expect(r.findings.map((f) => [f.vulnClass, f.confidence])).toEqual([['unbounded-work:time', 'confirmed']]);
    expect(r.findings[0]!.proof.summary).toMatch(/10000 → \d+ ms, \d+ bytes: over the bound, stopped/);
  });

  it('never sends a rung predicted past the bound: a quadratic loop stops at 1 000 and says why it proved nothing', async () => {
    sent.length = 0;
    const started = Date.now();
    const r = await testCheck(check, { url: app.url, operations: [q('/quad', 'n', { type: 'integer' })] });
    expect(sent.some((s) => s.endsWith('=10000'))).toBe(false);
    expect(Date.now() - started).toBeLessThan(5000);
    expect(r.findings).toEqual([]);
    expect(r.outcomes).toEqual([expect.objectContaining({ status: 'inconclusive', reason: expect.stringMatching(/stopped at its bound.*10000 not sent: it would take about \d+ s/) })]);
  }, 15_000);

  it('is inconclusive, naming the answer, when the smallest value gets none; skipped in safe mode', async () => {
    const r = await testCheck(check, { url: app.url, operations: [q('/down', 'depth')] });
    expect(r.outcomes).toEqual([expect.objectContaining({ status: 'inconclusive', reason: expect.stringContaining('query:depth=1 → HTTP 503') })]);
    const safe = await testCheck(check, { url: app.url, operations: [q('/nested', 'depth')], safeMode: true });
    expect(safe.requests).toBe(0);
    expect(safe.skipped.join(' ')).toContain('safe mode');
  });
});
