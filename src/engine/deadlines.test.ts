// src/engine/deadlines.test.ts — a stage that reaches its deadline ends with what it has, says so (warning, event) and
// the scan is partial; a long stage keeps saying what is in flight; a target that never answers does not hold the scan.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allChecks } from '../checks/index.js';
import { parseConfig, resolveRun } from '../config/index.js';
import type { VouchEvent } from '../core/index.js';
import { validateReport } from '../report/index.js';
import { serveFixture, sendHtml, type Fixture } from '../checks/kit/fixture.js';
import { runScan } from './scan.js';

let site: Fixture;
const held: Array<() => void> = [];
const spec = {
  openapi: '3.0.3',
  info: { title: 'hang', version: '1' },
  paths: Object.fromEntries(
    Array.from({ length: 6 }, (_, i) => [`/api/slow${i}`, { get: { parameters: [{ name: 'q', in: 'query', schema: { type: 'string' } }], responses: { '200': { description: 'ok' } } } }]),
  ),
};

beforeAll(async () => {
  // No Chromium: the browser crawl is skipped at once (its own deadlines are tested in src/discover/stop.test.ts).
  process.env.CHROME_PATH = '/nonexistent/chromium';
  site = await serveFixture((_req, res, url) => {
    if (url.pathname === '/') return sendHtml(res, 200, '<p>api only</p>');
    if (url.pathname === '/openapi.json') return res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(spec));
    // The API accepts the request and never answers.
    if (url.pathname.startsWith('/api/slow')) return new Promise<void>((resolve) => held.push(resolve));
    return sendHtml(res, 404, 'not here');
  });
});

afterAll(async () => {
  for (const r of held) r();
  await site.close();
});

describe('stage deadlines', () => {
  it('discover and execute at their deadlines: requests hanging on the target are left, the report is partial and says why', async () => {
    const config = parseConfig('deadlines: { discover: 1500, execute: 1500 }\nbudget: { timeoutMs: 60000 }\ndiscovery: { robots: false, graphql: false }\n', 'test');
    const run = resolveRun(config, { url: site.url, spec: '/openapi.json' });
    const events: VouchEvent[] = [];
    const t0 = Date.now();
    const report = await runScan({ run, config, checks: allChecks, only: ['not-a-server-error'], scanDir: mkdtempSync(join(tmpdir(), 'vouch-deadline-')), onEvent: (e) => void events.push(e), progressMs: 300 });
    const took = Date.now() - t0;
    // Two deadlines of 1.5 s, the graces of discovery (2 s), execute (5 s) and the engine's close (2 s), and slack for a
    // loaded machine: never the 60 s request timeout the hung requests would otherwise wait for.
    expect(took).toBeLessThan(1_500 + 2_000 + 1_500 + 5_000 + 2_000 + 8_000);
    expect(report.partial?.reason).toBe('the execute stage reached its deadline of 2 s');
    // Discovery kept the operations of the spec, found before its authentication probes hung.
    expect(report.surface.operations.filter((o) => o.path.startsWith('/api/slow'))).toHaveLength(6);
    expect(report.surface.warnings.join('\n')).toMatch(/discovery stopped early \(the discover stage reached its deadline of 2 s\)/);
    expect(report.stats.tasks.length).toBeGreaterThan(0);
    expect(report.stats.tasks.every((t) => t.status === 'not-run')).toBe(true);
    expect(events).toContainEqual({ type: 'stage-deadline', stage: 'execute', target: site.url, deadlineMs: 1500 });
    expect(events.some((e) => e.type === 'warning' && /the execute stage reached its deadline of 2 s \(deadlines\.execute in vouch\.yaml\)/.test(e.message))).toBe(true);
    const beats = events.filter((e) => e.type === 'stage-progress' && e.stage === 'execute');
    expect(beats.length).toBeGreaterThanOrEqual(2);
    expect(beats[0]).toMatchObject({ detail: expect.stringMatching(/^0\/\d+ tasks done; \d+ requests sent$/) });
    expect(validateReport(report)).toEqual({ valid: true });
  }, 40_000);
});
