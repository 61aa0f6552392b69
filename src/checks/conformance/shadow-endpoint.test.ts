// src/checks/conformance/shadow-endpoint.test.ts — a live undocumented route is confirmed; a catch-all, a documented
// route and a gone one are not.
import { describe, expect, it } from 'vitest';
import { sendHtml, sendJson, serveFixture, type FixtureHandler } from '../kit/fixture.js';
import { testCheck } from '../kit/tester.js';
import check from './shadow-endpoint.js';

const shadow = (path: string) => ({ method: 'GET', path, params: [], sources: ['shadow' as const] });

async function run(handler: FixtureHandler, ops: NonNullable<Parameters<typeof testCheck>[1]['operations']>) {
  const site = await serveFixture(handler);
  try {
    return await testCheck(check, { url: site.url, operations: ops });
  } finally {
    await site.close();
  }
}

const router: FixtureHandler = (_req, res, url) => {
  if (url.pathname === '/api/internal/stats') return sendJson(res, 200, { users: 3, orders: 2, revenue: 41.5 });
  return sendJson(res, 404, { error: 'not found' });
};

describe('shadow-endpoint', () => {
  it('confirms a live route found only by probing, with a random-sibling control and a replay', async () => {
    const r = await run(router, [shadow('/api/internal/stats')]);
    expect(r.findings).toHaveLength(1);
    const f = r.findings[0]!;
    expect(f.confidence).toBe('confirmed');
    expect(f.operation).toEqual({ method: 'GET', path: '/api/internal/stats' });
    expect(f.proof.summary).toMatch(/200 .* random sibling path → 404/);
    expect(f.proof.exchanges.length).toBeGreaterThanOrEqual(3);
  });

  it('safe twin: the same route gone (404) gives nothing', async () => {
    const r = await run((_req, res) => sendJson(res, 404, { error: 'not found' }), [shadow('/api/internal/stats')]);
    expect(r.findings).toEqual([]);
    expect(r.outcomes.map((o) => o.status)).toEqual(['clean']);
  });

  it('a catch-all that answers every path the same is not a shadow route', async () => {
    const r = await run((_req, res) => sendHtml(res, 200, '<!doctype html><div id="root"></div>'), [shadow('/admin')]);
    expect(r.findings).toEqual([]);
  });

  it('does not apply to documented or linked routes', async () => {
    const r = await run(router, [{ method: 'GET', path: '/api/internal/stats', params: [], sources: ['spec'] }, { method: 'GET', path: '/x', params: [], sources: ['html'] }]);
    expect(r.findings).toEqual([]);
    expect(r.skipped.join('\n')).toMatch(/not a shadow route/);
  });
});
