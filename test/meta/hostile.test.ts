// test/meta/hostile.test.ts — every registered active security check against hostile targets: one that answers 500 to
// everything, one that echoes every input raw (into HTML it cannot run in, and into JSON), one that is uniformly slow
// and one that rate-limits everything. None may yield a confirmed finding; every inconclusive outcome says why.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allChecks } from '../../src/checks/index.js';
import type { AnyCheck } from '../../src/checks/kit/define.js';
import { sendHtml, sendJson, serveFixture, type Fixture } from '../../src/checks/kit/fixture.js';
import { testCheck, type CheckTestResult } from '../../src/checks/kit/tester.js';

const security = allChecks.filter((c) => c.family === 'security' && c.kind === 'active');
/** Time-based checks: their options take a delay. Only they meet the slow target (it costs 1.5 s a request). */
const timeBased = security.filter((c) => c.options.safeParse({ delaySeconds: 2 }).success);
const SLOW_MS = 1500;

const targets: Record<string, Fixture> = {};
beforeAll(async () => {
  targets.errors = await serveFixture((_req, res) => {
    res.writeHead(500, { 'content-type': 'text/plain' });
    res.end('Internal Server Error');
  });
  targets.echo = await serveFixture((req, res, url) => {
    const input = `${decodeURIComponent(url.search)} ${req.body} ${req.headers.cookie ?? ''}`;
    // Raw reflection into HTML, but under a CSP that forbids every script: reflected, never executed.
    if (url.pathname === '/page') return sendHtml(res, 200, `<html><body><p>You asked for ${input}</p></body></html>`, { 'content-security-policy': "default-src 'none'" });
    return sendJson(res, 200, { youSent: Object.fromEntries(url.searchParams), body: req.body, raw: input });
  });
  targets.slow = await serveFixture(async (_req, res, url) => {
    await new Promise((r) => setTimeout(r, SLOW_MS));
    sendJson(res, 200, { ok: true, q: url.searchParams.get('q') });
  });
  targets.limited = await serveFixture((_req, res) => sendJson(res, 429, { error: 'too many requests' }, { 'retry-after': '0' }));
}, 10_000);
afterAll(async () => {
  await Promise.all(Object.values(targets).map((t) => t.close()));
});

const operations = [
  { method: 'GET', path: '/page', params: [{ name: 'q', in: 'query' as const, examples: ['shoes'] }] },
  { method: 'POST', path: '/api/items', params: [], requestBody: { contentType: 'application/json', example: { name: 'lamp', owner: { id: 'u1' } } } },
];

async function runAll(checks: readonly AnyCheck[], url: string, ops = operations): Promise<Array<[AnyCheck, CheckTestResult]>> {
  return Promise.all(checks.map(async (c) => [c, await testCheck(c, { url, operations: ops, strength: 'low' })] as [AnyCheck, CheckTestResult]));
}

function expectNothingProven(results: Array<[AnyCheck, CheckTestResult]>): void {
  for (const [check, r] of results) {
    expect(r.findings.filter((f) => f.confidence === 'confirmed').map((f) => `${check.id}: ${f.proof.summary}`)).toEqual([]);
    for (const o of r.outcomes) {
      expect(o.status, `${check.id}: ${'reason' in o ? o.reason : ''}`).not.toBe('crashed');
      if (o.status === 'inconclusive') expect(o.reason.length, check.id).toBeGreaterThan(5);
    }
  }
}

describe.concurrent('hostile targets', () => {
  it('covers the injection checks', () => {
    expect(security.map((c) => c.id)).toEqual(expect.arrayContaining(['sql-injection', 'nosql-injection', 'command-injection', 'template-injection', 'path-traversal']));
    expect(timeBased.map((c) => c.id)).toEqual(expect.arrayContaining(['sql-injection', 'command-injection']));
  });

  it.each([
    ['errors', 'answers 500 to everything'],
    ['limited', 'answers 429 with Retry-After to everything'],
  ])('%s: nothing confirmed; injection checks are inconclusive and say why (target %s)', async (name) => {
    // One point only: after a run of 429s the engine halves its rate down to 1 request a second, as it should.
    const results = await runAll(security, targets[name]!.url, [operations[0]!]);
    expectNothingProven(results);
    for (const [check, r] of results.filter(([c]) => c.requestsPerPoint)) {
      expect(r.findings, check.id).toEqual([]);
      for (const o of r.outcomes) expect(o.status, `${check.id} on ${name}`).toBe('inconclusive');
    }
  }, 60_000);

  it('echo: raw reflection (HTML it cannot run in, JSON) proves nothing', async () => {
    expectNothingProven(await runAll(security, targets.echo!.url));
  }, 60_000);

  it('slow: +1.5 s on every answer does not look like a time-based injection', async () => {
    const results = await runAll(timeBased, targets.slow!.url, [operations[0]!]);
    expectNothingProven(results);
    for (const [check, r] of results) expect(r.findings, check.id).toEqual([]);
  }, 60_000);
});
