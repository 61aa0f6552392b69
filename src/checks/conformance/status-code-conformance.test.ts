// src/checks/conformance/status-code-conformance.test.ts — an undeclared 500 is found and confirmed; the safe twin
// answers only declared statuses (including through a `4XX` range); a flip-flopping status stays tentative.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sendJson, serveFixture, type Fixture } from '../kit/fixture.js';
import { testCheck } from '../kit/tester.js';
import check, { declared } from './status-code-conformance.js';

let app: Fixture;
let flips = 0;
beforeAll(async () => {
  app = await serveFixture((_req, res, url) => {
    const n = Number(url.searchParams.get('n') ?? '1');
    if (url.pathname === '/crash') return sendJson(res, n > 10 ? 500 : 200, { ok: n <= 10 });
    if (url.pathname === '/safe') return sendJson(res, n > 10 ? 422 : 200, { ok: true });
    if (url.pathname === '/flip') return sendJson(res, flips++ === 0 ? 418 : 200, {});
    return sendJson(res, 404, {});
  });
});
afterAll(() => app.close());

const op = (path: string, responses: Record<string, object> = { '200': { contentType: 'application/json' } }) => ({
  method: 'GET',
  path,
  params: [{ name: 'n', in: 'query' as const, required: true, schema: { type: 'integer', minimum: 1, maximum: 100, example: 50 } }],
  responses,
});

describe('status-code-conformance', () => {
  it('knows exact codes, ranges and default', () => {
    const o = { id: 'x', method: 'GET', path: '/', params: [], auth: 'none' as const, sources: ['spec' as const], responses: { '200': {}, '4XX': {} } };
    expect(declared(o, 404)).toBe(true);
    expect(declared(o, 500)).toBe(false);
    expect(declared({ ...o, responses: { default: {} } }, 500)).toBe(true);
  });

  it('finds an undeclared 500 and confirms it by replay', async () => {
    const r = await testCheck(check, { url: app.url, operations: [op('/crash')], options: { cases: 3 } });
    expect(r.findings).toHaveLength(1);
    expect(r.findings[0]!.confidence).toBe('confirmed');
    expect(r.findings[0]!.proof.summary).toContain('→ 500, which the spec does not declare');
  });

  it('reports nothing on the safe twin (422 declared via 4XX)', async () => {
    const r = await testCheck(check, { url: app.url, operations: [op('/safe', { '200': {}, '4XX': {} })], options: { cases: 6 } });
    expect(r.findings).toEqual([]);
  });

  it('keeps a status that does not come back tentative (flaky)', async () => {
    const r = await testCheck(check, { url: app.url, operations: [op('/flip')], options: { cases: 1 } });
    expect(r.findings.map((f) => f.confidence)).toEqual(['tentative']);
  });
});
