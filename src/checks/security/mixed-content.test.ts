// src/checks/security/mixed-content.test.ts — http subresources on https pages (grouped, active vs passive), and
// safe twins: the same markup on http pages, https resources, plain links.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Exchange } from '../../core/index.js';
import type { CheckContext } from '../kit/define.js';
import { sendHtml, serveFixture, type Fixture } from '../kit/fixture.js';
import { testCheck } from '../kit/tester.js';
import check, { mixedResources } from './mixed-content.js';

const BAD = '<html><script src="http://cdn.example/app.js"></script><img src=http://img.example/a.png><a href="http://other.example/">x</a></html>';
const GOOD = '<html><script src="https://cdn.example/app.js"></script><link rel="canonical" href="http://x.example/"><a href="http://other.example/">x</a></html>';

const page = (id: string, url: string, body: string): Exchange => ({ id, identity: 'anonymous', timing: { startedAt: 0, totalMs: 1 }, request: { method: 'GET', url, headers: [] }, response: { status: 200, headers: [['content-type', 'text/html']], body } });

/** The check's run() over recorded https exchanges (the fixture kit serves http only). */
async function runOn(recorded: Exchange[]) {
  const ctx = { target: { name: 't', url: 'https://shop.example', environment: 'local' }, surface: { target: 'https://shop.example', operations: [], warnings: [] }, options: {}, recorded: () => recorded } as unknown as CheckContext<Record<string, never>>;
  return check.run(ctx);
}

let app: Fixture;
beforeAll(async () => {
  app = await serveFixture((_req, res) => sendHtml(res, 200, BAD));
});
afterAll(() => app.close());

describe('mixed-content', () => {
  it('finds http scripts and images, not plain links or canonical links', () => {
    expect(mixedResources(BAD)).toEqual([{ tag: 'script', url: 'http://cdn.example/app.js', active: true }, { tag: 'img', url: 'http://img.example/a.png', active: false }]);
    expect(mixedResources(GOOD)).toEqual([]);
  });

  it('groups https pages into one finding per kind, sorted by route', async () => {
    const r = await runOn([page('x2', 'https://shop.example/b', BAD), page('x1', 'https://shop.example/a', BAD), page('x3', 'https://shop.example/c', GOOD)]);
    expect(r.status).toBe('found');
    if (r.status !== 'found') return;
    expect(r.candidates.map((c) => c.vulnClass).sort()).toEqual(['mixed-content:active', 'mixed-content:passive']);
    const active = r.candidates.find((c) => c.vulnClass === 'mixed-content:active')!;
    expect(active.operation.path).toBe('/a');
    expect(active.locations?.map((l) => l.path)).toEqual(['/a', '/b']);
  });

  it('reports nothing for the same markup served over http (safe twin)', async () => {
    const r = await testCheck(check, { url: app.url, warmup: ['/'] });
    expect(r.findings).toEqual([]);
    expect(r.outcomes[0]?.status).toBe('clean');
  });
});
