// src/engine/events.test.ts — what a progress display needs from a real scan: each task's start (check, operation,
// identity) before its end, and the requests sent so far while stages run, the last count equal to the report's.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allChecks } from '../checks/index.js';
import { parseConfig, resolveRun } from '../config/index.js';
import type { VouchEvent } from '../core/index.js';
import type { Fixture } from '../checks/kit/fixture.js';
import { serveSlowApi } from '../../test/support/slow-api.js';
import { runScan } from './scan.js';

let site: Fixture;
beforeAll(async () => {
  process.env.CHROME_PATH = '/nonexistent/chromium';
  // Slow answers: execution lasts a few seconds, so requests are counted while it runs.
  site = await serveSlowApi(4, 120);
});

afterAll(async () => {
  await site.close();
});

describe('progress events of a scan', () => {
  it('task-started before task-finished for every task; requests counts that grow and end at the report total', async () => {
    const config = parseConfig('discovery: { crawl: false, robots: false, graphql: false }\n', 'test');
    const run = resolveRun(config, { url: site.url, spec: '/openapi.json' });
    const events: VouchEvent[] = [];
    const scanDir = mkdtempSync(join(tmpdir(), 'vouch-events-'));
    const report = await runScan({ run, config, checks: allChecks, only: ['not-a-server-error'], scanDir, onEvent: (e) => void events.push(e) });
    const started = new Map<string, number>();
    events.forEach((e, i) => e.type === 'task-started' && started.set(e.task.id, i));
    const finished = events.flatMap((e, i) => (e.type === 'task-finished' ? [{ id: e.outcome.taskId, i }] : []));
    expect(finished.length).toBe(report.stats.tasks.length);
    for (const f of finished) expect(started.get(f.id)).toBeLessThan(f.i);
    const first = events.find((e) => e.type === 'task-started');
    const operationId = expect.stringMatching(/^GET \/api\/items\d$/u);
    expect(first).toMatchObject({ task: { checkId: 'not-a-server-error', operationId, identity: 'anonymous' }, total: report.stats.tasks.length });
    const counts = events.flatMap((e) => (e.type === 'requests' ? [e] : []));
    expect(counts.some((c) => c.stage === 'execute')).toBe(true);
    expect(counts.map((c) => c.sent)).toEqual([...counts.map((c) => c.sent)].sort((a, b) => a - b));
    expect(counts.at(-1)?.sent).toBe(report.stats.requests.sent);
  }, 60_000);
});
