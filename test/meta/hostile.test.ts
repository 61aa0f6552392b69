// test/meta/hostile.test.ts — every registered active security check against hostile targets: one that answers 500 to
// everything, one that echoes every input raw (into HTML it cannot run in, and into JSON), one that is uniformly slow
// and one that rate-limits everything. None may yield a confirmed finding; every inconclusive outcome says why; on the
// all-500 and all-429 targets no check may report clean. Every check gets an operation it applies to (onePoint).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allChecks } from '../../src/checks/index.js';
import type { Operation } from '../../src/core/index.js';
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

const operations: FixtureOp[] = [
  { method: 'GET', path: '/page', params: [{ name: 'q', in: 'query' as const, examples: ['shoes'] }] },
  { method: 'POST', path: '/api/items', params: [], requestBody: { contentType: 'application/json', example: { name: 'lamp', owner: { id: 'u1' } } } },
];

type FixtureOp = Omit<Operation, 'id' | 'sources' | 'auth'> & Partial<Pick<Operation, 'sources'>>;
/** Operations for checks that do not apply to the page: a redirect and a URL parameter, an XML body, a page with
 *  script, a write whose values pages may show, a file upload, an HTML form. Each has one injection point. */
const others: FixtureOp[] = [
  { method: 'GET', path: '/go', params: [{ name: 'next', in: 'query' as const, examples: ['/home'] }] },
  { method: 'GET', path: '/fetch', params: [{ name: 'url', in: 'query' as const, examples: ['https://example.com/a.png'] }] },
  { method: 'POST', path: '/import', params: [], requestBody: { contentType: 'application/xml', example: '<item><name>lamp</name></item>' } },
  { method: 'GET', path: '/welcome', params: [], sources: ['html'] },
  { method: 'POST', path: '/api/comments', params: [], requestBody: { contentType: 'application/json', example: { text: 'hello' } } },
  { method: 'POST', path: '/api/files', params: [], requestBody: { contentType: 'multipart/form-data', schema: { type: 'object', properties: { file: { type: 'string', format: 'binary' } } } } },
  { method: 'POST', path: '/account/settings', params: [{ name: 'email', in: 'form' as const, examples: ['a@example.com'] }], sources: ['html'] },
];
const welcome = others[3]!;

/** One point a check applies to: the page's query parameter if it can, else the first other operation it can (with
 *  the HTML page beside it, where stored values may show); every check gets something it runs on. */
function onePoint(check: AnyCheck): FixtureOp[] {
  const applies = (o: FixtureOp): boolean => !check.appliesTo?.({ auth: 'unknown', sources: ['spec'], ...o, id: `${o.method} ${o.path}` }, { safeMode: false });
  const first = [operations[0]!, ...others].find(applies);
  if (!first) throw new Error(`${check.id} applies to none of the hostile fixture operations: add one it applies to`);
  return first === welcome ? [first] : [first, welcome];
}

async function runAll(checks: readonly AnyCheck[], url: string, ops?: FixtureOp[]): Promise<Array<[AnyCheck, CheckTestResult]>> {
  return Promise.all(checks.map(async (c) => [c, await testCheck(c, { url, operations: ops ?? onePoint(c), strength: 'low' })] as [AnyCheck, CheckTestResult]));
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
  ])('%s: nothing confirmed, nothing clean; injection checks are inconclusive and say why (target %s)', async (name) => {
    // One point only: after a run of 429s the engine halves its rate down to 1 request a second, as it should.
    const results = await runAll(security, targets[name]!.url);
    for (const [check, r] of results) expect(r.outcomes.length, `${check.id} runs on its fixture operation`).toBeGreaterThan(0);
    expectNothingProven(results);
    for (const [check, r] of results.filter(([c]) => c.requestsPerPoint)) {
      expect(r.findings, check.id).toEqual([]);
      for (const o of r.outcomes) expect(o.status, `${check.id} on ${name}`).toBe('inconclusive');
    }
    // No active check may call a target clean when nothing it sent got an answer it could judge.
    for (const [check, r] of results) for (const o of r.outcomes) expect(o.status, `${check.id} on ${name}`).not.toBe('clean');
  }, 60_000);

  it('echo: raw reflection (HTML it cannot run in, JSON) proves nothing', async () => {
    expectNothingProven(await runAll(security, targets.echo!.url, [...operations, ...others]));
  }, 60_000);

  it('slow: +1.5 s on every answer does not look like a time-based injection', async () => {
    const results = await runAll(timeBased, targets.slow!.url, [operations[0]!]);
    expectNothingProven(results);
    for (const [check, r] of results) expect(r.findings, check.id).toEqual([]);
  }, 60_000);
});
