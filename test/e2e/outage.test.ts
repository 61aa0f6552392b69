// test/e2e/outage.test.ts — whole scans (in process) of an API that hangs after one request: the outage becomes a
// target-outage finding at that request (confirmed, or tentative in safe mode) and the rest of the plan runs; a target
// that never recovers ends the scan with the remaining tasks not run and a `target-unavailable:` reason.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { IncomingMessage } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { allChecks } from '../../src/checks/index.js';
import { parseConfig, resolveRun } from '../../src/config/index.js';
import type { Environment, Report } from '../../src/core/index.js';
import { runScan } from '../../src/engine/scan.js';
import { validateReport } from '../../src/report/index.js';
import { fallingServer, type Falling } from '../support/fault-servers.js';

const spec = {
  openapi: '3.0.3',
  info: { title: 'falls over', version: '1' },
  paths: {
    '/api/items': { get: { responses: { 200: { description: 'ok' } } } },
    '/api/items/{id}': { get: { parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'integer' }, example: 1 }], responses: { 200: { description: 'ok' } } } },
    '/api/search': { get: { parameters: [{ name: 'q', in: 'query', required: true, schema: { type: 'string' }, example: 'lamp' }], responses: { 200: { description: 'ok' } } } },
    '/api/users': { get: { responses: { 200: { description: 'ok' } } } },
  },
};

const servers: Falling[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
});

const searchMinusOne = (req: IncomingMessage): boolean => {
  const u = new URL(req.url ?? '/', 'http://x');
  return u.pathname === '/api/search' && u.searchParams.get('q') === '-1';
};

/**
 * An API whose worker hangs on the request `trigger` picks (by default `GET /api/search?q=-1`, an edge case
 * not-a-server-error sends): `hang(n)` ms for fall n.
 */
async function api(hang: (fall: number) => number, trigger: (req: IncomingMessage) => boolean = searchMinusOne): Promise<Falling> {
  const s = await fallingServer(
    trigger,
    hang,
    (req, res) => {
      const path = new URL(req.url ?? '/', 'http://x').pathname;
      if (path === '/openapi.json') return void res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(spec));
      if (path === '/' || path.startsWith('/api/')) return void res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
      res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"not found"}');
    },
  );
  servers.push(s);
  return s;
}

async function scan(s: Falling, environment: Environment, waitMs: number): Promise<{ report: Report; audit: Array<{ at: string; url: string; status?: number; checkId?: string }> }> {
  const yaml = `target: { environment: ${environment}, spec: /openapi.json }
discovery: { crawl: false, robots: false, graphql: false }
budget: { timeoutMs: 800, concurrency: 4, ratePerSecond: 2000, outage: { waitMs: ${waitMs}, probeTimeoutMs: 400 } }
`;
  const config = parseConfig(yaml, 'vouch.yaml', {});
  const run = resolveRun(config, { url: s.url });
  const scanDir = mkdtempSync(join(tmpdir(), 'vouch-outage-'));
  const report = await runScan({ run, config, checks: allChecks, only: ['not-a-server-error', 'target-outage'], scanDir, seed: 7 });
  const audit = readFileSync(join(scanDir, 'audit.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { at: string; url: string; status?: number; checkId?: string });
  return { report, audit };
}

const outageFinding = (r: Report) => r.findings.filter((f) => f.checkId === 'target-outage');

describe('a target that falls over during the scan', () => {
  it('hangs for 20 s after GET /api/search?q=-1: a confirmed finding at that request, then the rest of the plan runs', async () => {
    // The first fall hangs 20 s; the confirmation replay's fall 4 s (the test stays bounded).
    const s = await api((n) => (n === 1 ? 20_000 : 4_000));
    const { report, audit } = await scan(s, 'staging', 60_000);
    expect(validateReport(report)).toEqual({ valid: true });
    expect(report.partial).toBeUndefined();
    const [f, ...more] = outageFinding(report);
    expect(more).toEqual([]);
    expect(f).toMatchObject({ confidence: 'confirmed', operation: { method: 'GET', path: '/api/search' } });
    expect(f!.proof.summary).toMatch(/GET http:\/\/127\.0\.0\.1:\d+\/api\/search\?q=-1 \(exchange x\d+\) was the last request before the target stopped answering/);
    expect(f!.proof.summary).toMatch(/brought it down again \(outage-2\)/);
    const recovery = /recovery (\d+\.\d) s/.exec(f!.proof.evidence ?? '');
    expect(Number(recovery?.[1])).toBeGreaterThanOrEqual(19.5);
    expect(s.falls()).toBe(2);
    // Every task got a real answer: none was left inconclusive by the outage or not run.
    const statuses = report.stats.tasks.filter((t) => t.checkId === 'not-a-server-error').map((t) => t.status);
    expect(statuses.length).toBeGreaterThanOrEqual(4);
    expect(statuses.every((st) => st === 'clean')).toBe(true);
    // Requests of the plan were answered after the target came back.
    const endedAt = /answered again at (\S+) /.exec(f!.proof.evidence ?? '')?.[1];
    expect(endedAt).toBeDefined();
    expect(audit.filter((e) => e.checkId === 'not-a-server-error' && e.status === 200 && e.at > endedAt!).length).toBeGreaterThan(0);
  });

  it('in safe mode the finding stays tentative: the request is not replayed', async () => {
    const s = await api(() => 2_000);
    const { report } = await scan(s, 'production', 60_000);
    const found = outageFinding(report);
    expect(found.map((f) => [f.confidence, f.operation.path])).toEqual([['tentative', '/api/search']]);
    expect(found[0]!.proof.summary).toMatch(/not confirmed: safe mode/);
    expect(s.falls()).toBe(1);
    expect(report.partial).toBeUndefined();
  });

  it('hangs on the very first request for 3 s: the scan waits, resends it, and runs the whole plan', async () => {
    let first = true;
    const s = await api(
      () => 3_000,
      () => {
        const was = first;
        first = false;
        return was;
      },
    );
    const { report } = await scan(s, 'staging', 60_000);
    expect(report.partial).toBeUndefined();
    expect(report.surface.operations.length).toBeGreaterThanOrEqual(4);
    expect(report.stats.tasks.filter((t) => t.checkId === 'not-a-server-error').every((t) => t.status === 'clean')).toBe(true);
    // Attributed to that first request; its replay does not bring the target down again, so it stays tentative.
    const found = outageFinding(report);
    expect(found.map((f) => f.confidence)).toEqual(['tentative']);
    expect(found[0]!.proof.summary).toMatch(/^GET http:\/\/127\.0\.0\.1:\d+\/? \(exchange x000001\) was the last request/);
    expect(found[0]!.proof.summary).toMatch(/did not bring the target down/);
    expect(s.falls()).toBe(1);
  });

  it('the confirmation replay brings it down for good: confirmed, and the report is partial (target-unavailable)', async () => {
    const s = await api((n) => (n === 1 ? 2_000 : Number.POSITIVE_INFINITY));
    const { report } = await scan(s, 'staging', 2_000);
    expect(validateReport(report)).toEqual({ valid: true });
    const found = outageFinding(report);
    expect(found.map((f) => f.confidence)).toEqual(['confirmed']);
    expect(found[0]!.proof.summary).toMatch(/brought it down again \(outage-2\); it did not answer again/);
    expect(report.partial?.reason).toMatch(/^target-unavailable: /);
    expect(s.falls()).toBe(2);
  });

  it('never recovers: the scan ends, the remaining tasks are not run with a target-unavailable reason', async () => {
    const s = await api(() => Number.POSITIVE_INFINITY);
    const { report } = await scan(s, 'staging', 1_500);
    expect(validateReport(report)).toEqual({ valid: true });
    expect(report.partial?.reason).toMatch(/^target-unavailable: http:\/\/127\.0\.0\.1:\d+ stopped answering at .* \(first failure: GET .*\/api\/search\?q=-1/);
    const notRun = report.stats.tasks.filter((t) => t.status === 'not-run');
    expect(notRun.length).toBeGreaterThan(0);
    expect(report.partial?.notRun).toBe(notRun.length);
    expect(notRun.every((t) => t.reason?.startsWith('target-unavailable: '))).toBe(true);
    // The passive check still ran over what was recorded: the finding names the request, unconfirmed.
    const found = outageFinding(report);
    expect(found.map((f) => [f.confidence, f.operation.path])).toEqual([['tentative', '/api/search']]);
    expect(found[0]!.proof.summary).toMatch(/did not answer again/);
    expect(s.falls()).toBe(1);
  });
});
