// src/checks/kit/strength.test.ts — every registered check that declares `requestsPerPoint` sends at most that many
// requests per injection point at each strength, more at high than at low, against a harmless echo fixture.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allChecks } from '../index.js';
import { serveFixture, sendJson, type Fixture } from './fixture.js';
import { forStrength, sumCounts } from './strength.js';
import { testCheck } from './tester.js';

let echo: Fixture;
beforeAll(async () => {
  // Echoes the raw input as one string, so every answer has the same JSON shape and no technique stops early.
  echo = await serveFixture((req, res, url) => sendJson(res, 200, { echo: `${url.search} ${req.body}`.slice(0, 300) }));
});
afterAll(() => echo.close());

/** A GET operation with `n` query parameters: one injection point each (path-like values, so redirect checks apply). */
const op = (n: number) => ({ method: 'GET', path: '/echo', params: Array.from({ length: n }, (_, i) => ({ name: `p${i}`, in: 'query' as const, examples: [`/v${i}`] })) });

const declaring = allChecks.filter((c) => c.requestsPerPoint);

describe('attack strength', () => {
  it('kit helpers slice and add per strength', () => {
    expect(forStrength([1, 2, 3, 4], { low: 1, default: 3, high: 9 }, 'default')).toEqual([1, 2, 3]);
    expect(sumCounts({ low: 1, default: 2, high: 3 }, { low: 1, default: 1, high: 1 })).toEqual({ low: 2, default: 3, high: 4 });
  });

  it('is declared by the injection checks', () => {
    expect(declaring.map((c) => c.id)).toEqual(expect.arrayContaining(['sql-injection', 'nosql-injection', 'command-injection', 'template-injection', 'path-traversal', 'open-redirect']));
  });

  describe.each(declaring.map((c) => [c.id, c] as const))('%s', (_id, check) => {
    it('sends at most requestsPerPoint per injection point at each strength, growing with it', async () => {
      const perPoint: Record<string, number> = {};
      for (const strength of ['low', 'default', 'high'] as const) {
        const one = await testCheck(check, { url: echo.url, operations: [op(1)], strength });
        const three = await testCheck(check, { url: echo.url, operations: [op(3)], strength });
        expect(one.findings.filter((f) => f.confidence === 'confirmed'), strength).toEqual([]);
        perPoint[strength] = (three.requests - one.requests) / 2;
        expect(perPoint[strength], strength).toBeGreaterThan(0);
        expect(perPoint[strength], strength).toBeLessThanOrEqual(check.requestsPerPoint![strength]);
      }
      expect(perPoint.low).toBeLessThanOrEqual(perPoint.default!);
      expect(perPoint.default).toBeLessThanOrEqual(perPoint.high!);
      expect(perPoint.low).toBeLessThan(perPoint.high!);
    });
  });
});
