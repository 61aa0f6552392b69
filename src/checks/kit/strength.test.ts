// src/checks/kit/strength.test.ts — every registered check that declares `requestsPerPoint` sends at most that many
// requests per injection point at each strength, more at high than at low, against a harmless fixture it applies to.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Operation } from '../../core/index.js';
import { allChecks } from '../index.js';
import { sendHtml, sendJson, serveFixture, type Fixture } from './fixture.js';
import { forStrength, sumCounts } from './strength.js';
import { testCheck, type CheckTestInput } from './tester.js';

type FixtureOp = NonNullable<CheckTestInput['operations']>[number];
const esc = (s: string): string => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
/** Values stored by the write fixture, shown escaped on its pages. */
const stored: string[] = [];

let app: Fixture;
beforeAll(async () => {
  app = await serveFixture((req, res, url) => {
    const raw = `${url.search} ${req.body}`.slice(0, 300);
    // Copies the query into a response header, percent-encoded: a reflection into a header with no line break.
    if (url.pathname === '/header') return sendJson(res, 200, { ok: true }, { 'x-echo': encodeURIComponent(decodeURIComponent(url.search)).slice(0, 300) });
    // A page whose script writes location.hash into innerHTML, escaped first: a DOM source and sink, no XSS.
    if (url.pathname.startsWith('/page')) return sendHtml(res, 200, `<!doctype html><div id="o"></div><script>const esc = (s) => s.replace(/[&<>"']/g, (c) => '&#' + c.charCodeAt(0) + ';'); document.getElementById('o').innerHTML = esc(decodeURIComponent(location.hash.slice(1)));</script>`);
    // A write that stores its body, and pages that show what was stored, escaped.
    if (url.pathname.startsWith('/items') && req.method === 'POST') {
      stored.push(req.body.slice(0, 200));
      return sendJson(res, 201, { id: stored.length });
    }
    if (url.pathname.startsWith('/board')) return sendHtml(res, 200, `<!doctype html><ul>${stored.slice(-5).map((s) => `<li>${esc(s)}</li>`).join('')}</ul>`);
    // Everything else echoes the raw input as one string, so every answer has the same JSON shape and no technique stops early.
    return sendJson(res, 200, { echo: raw });
  });
});
afterAll(() => app.close());

const params = (n: number, example: (i: number) => string): Operation['params'] => Array.from({ length: n }, (_, i) => ({ name: `p${i}`, in: 'query' as const, examples: [example(i)] }));

/**
 * What a check's injection point is, as fixture operations carrying `n` of them. Default: one GET with `n` query
 * parameters (path-like values, so redirect checks apply) on the JSON echo. Checks that apply to something else get
 * the smallest harmless fixture they apply to, and their options shortened where they only wait.
 */
interface PointFixture {
  operations(n: number): FixtureOp[];
  options?: unknown;
}
const DEFAULT: PointFixture = { operations: (n) => [{ method: 'GET', path: '/echo', params: params(n, (i) => `/v${i}`) }] };
const FIXTURES: Record<string, PointFixture> = {
  // Probes find header reflections first; the line-break forms follow only where one is seen.
  'crlf-injection': { operations: (n) => [{ method: 'GET', path: '/header', params: params(n, (i) => `v${i}`) }] },
  // Applies to URL-valued parameters; waits for callbacks that never come, so the wait is short.
  ssrf: { operations: (n) => [{ method: 'GET', path: '/echo', params: params(n, (i) => `https://example.com/v${i}`) }], options: { waitMs: 100 } },
  // Numeric work-size parameters (the echo only grows by the digits: no finding).
  'unbounded-work': { operations: (n) => [{ method: 'GET', path: '/echo', params: Array.from({ length: n }, (_, i) => ({ name: `count${i}`, in: 'query' as const, schema: { type: 'integer' } })) }], options: { maxPoints: 5 } },
  // One point per XML-bodied operation (the whole document is the point).
  xxe: { operations: (n) => Array.from({ length: n }, (_, i) => ({ method: 'POST', path: `/xml${i}`, params: [], requestBody: { contentType: 'application/xml', example: '<item><name>lamp</name></item>' } })), options: { waitMs: 100 } },
  // One point per URL source; each page has one (location.hash) reaching an escaped innerHTML sink.
  'xss-dom': { operations: (n) => Array.from({ length: n }, (_, i) => ({ method: 'GET', path: `/page${i}`, params: [], sources: ['html' as const] })) },
  // Declared for a write operation with one string field: the write, then every page read up to the strength's
  // cap, so the surface has more pages (26) than the highest cap (25).
  'xss-stored': {
    operations: (n) => [
      ...Array.from({ length: n }, (_, i) => ({ method: 'POST', path: `/items${i}`, params: [], requestBody: { contentType: 'application/json', example: { text: 'hello' } } })),
      ...Array.from({ length: 26 }, (_, i) => ({ method: 'GET', path: `/board${String(i).padStart(2, '0')}`, params: [], sources: ['html' as const] })),
    ],
  },
};

const declaring = allChecks.filter((c) => c.requestsPerPoint);

describe('attack strength', () => {
  it('kit helpers slice and add per strength', () => {
    expect(forStrength([1, 2, 3, 4], { low: 1, default: 3, high: 9 }, 'default')).toEqual([1, 2, 3]);
    expect(sumCounts({ low: 1, default: 2, high: 3 }, { low: 1, default: 1, high: 1 })).toEqual({ low: 2, default: 3, high: 4 });
  });

  it('is declared by the injection checks', () => {
    expect(declaring.map((c) => c.id)).toEqual(expect.arrayContaining(['sql-injection', 'nosql-injection', 'command-injection', 'template-injection', 'path-traversal', 'open-redirect', 'xss-reflected']));
    // A fixture for a check that no longer declares a budget (or was renamed) is a stale fixture.
    for (const id of Object.keys(FIXTURES)) expect(declaring.map((c) => c.id), id).toContain(id);
  });

  describe.each(declaring.map((c) => [c.id, c] as const))('%s', (id, check) => {
    it('sends at most requestsPerPoint per injection point at each strength, growing with it', async () => {
      const fixture = FIXTURES[id] ?? DEFAULT;
      const run = (n: number, strength: 'low' | 'default' | 'high') => testCheck(check, { url: app.url, operations: fixture.operations(n), strength, ...(fixture.options ? { options: fixture.options } : {}) });
      const perPoint: Record<string, number> = {};
      for (const strength of ['low', 'default', 'high'] as const) {
        const one = await run(1, strength);
        const three = await run(3, strength);
        expect(one.outcomes.length, `${strength}: the check applies to the fixture`).toBeGreaterThan(0);
        expect(one.findings.filter((f) => f.confidence === 'confirmed'), strength).toEqual([]);
        perPoint[strength] = (three.requests - one.requests) / 2;
        expect(perPoint[strength], strength).toBeGreaterThan(0);
        expect(perPoint[strength], strength).toBeLessThanOrEqual(check.requestsPerPoint![strength]);
      }
      expect(perPoint.low).toBeLessThanOrEqual(perPoint.default!);
      expect(perPoint.default).toBeLessThanOrEqual(perPoint.high!);
      expect(perPoint.low).toBeLessThan(perPoint.high!);
    }, 120_000); // six runs; xss-dom starts Chromium for each, which takes long on a loaded 2-core machine
  });
});
