// src/checks/reliability/availability.test.ts — a target whose health probe starts failing mid-scan is found and
// confirmed; the safe twin stays up; a probe that fails once and recovers stays tentative (flaky); one route that
// resets its connections is not an outage.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sendJson, serveFixture, type Fixture } from '../kit/fixture.js';
import { testCheck } from '../kit/tester.js';
import check from './availability.js';

let app: Fixture;
let dying = 0;
let blip = 0;
beforeAll(async () => {
  app = await serveFixture((_req, res, url) => {
    if (url.pathname === '/dying') return sendJson(res, dying++ >= 2 ? 503 : 200, {});
    if (url.pathname === '/blip') return sendJson(res, blip++ === 2 ? 502 : 200, {});
    if (url.pathname === '/reset') return void res.socket?.destroy();
    return sendJson(res, 200, { ok: true });
  });
});
afterAll(() => app.close());

const run = (path: string) => testCheck(check, { url: app.url, options: { path, probes: 4, intervalMs: 5 } });

describe('availability', () => {
  it('finds a target that goes down under test, confirmed by another probe', async () => {
    const r = await run('/dying');
    expect(r.findings.map((f) => [f.confidence, f.proof.summary])).toEqual([['confirmed', expect.stringContaining('probe 3/4 → 503') as string]]);
  });

  it('reports nothing on the safe twin', async () => {
    expect((await run('/health')).findings).toEqual([]);
  });

  it('one route that resets its connections while the health probe answers is not the target going down', async () => {
    const r = await testCheck(check, { url: app.url, options: { path: '/health', probes: 2, intervalMs: 5 }, warmup: ['/reset', '/reset'] });
    expect(r.findings).toEqual([]);
    expect(r.outcomes.map((o) => o.status)).toEqual(['clean']);
  });

  it('keeps a failure that recovers tentative', async () => {
    expect((await run('/blip')).findings.map((f) => f.confidence)).toEqual(['tentative']);
  });
});
