// src/discover/stop.test.ts — discovery and the browser crawl never hang: a page whose script never settles, an
// interrupt in the middle of the crawl (Chromium killed, what was recorded kept), a target that accepts and never answers.
import { createServer, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserRunning, closeBrowser } from '../browser/chromium.js';
import { sendHtml, serveFixture, type Fixture } from '../checks/kit/fixture.js';
import { createEngine } from '../net/index.js';
import { crawlBrowser } from './browser.js';
import { discover } from './index.js';

let site: Fixture;
let pageHits = 0;
let hung: Server;
let hungUrl = '';
const sockets = new Set<Socket>();

beforeAll(async () => {
  site = await serveFixture(async (_req, res, url) => {
    // A renderer stuck in a script: no action on this page ever answers.
    if (url.pathname === '/stuck') return sendHtml(res, 200, '<a href="/stuck2">more</a><script>for (;;) {}</script>');
    if (url.pathname === '/') return sendHtml(res, 200, '<a href="/page0">app</a>');
    if (url.pathname === '/api/calls') return res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
    // An app whose pages keep the crawl busy: each calls the API at run time, links ten more, and loads slowly.
    const page = /^\/page(\d+)$/.exec(url.pathname);
    if (page) {
      pageHits++;
      const n = Number(page[1]);
      await new Promise((r) => setTimeout(r, 400));
      const links = Array.from({ length: 10 }, (_, i) => `<a href="/page${n * 10 + i + 1}">p</a>`).join('');
      return sendHtml(res, 200, `${links}<script>fetch(['/api', 'calls'].join('/'));</script>`);
    }
    return sendHtml(res, 404, 'not here');
  });
  // Accepts every connection and never answers.
  hung = createServer((s) => {
    sockets.add(s);
    s.on('error', () => undefined);
  });
  await new Promise<void>((r) => hung.listen(0, '127.0.0.1', r));
  hungUrl = `http://127.0.0.1:${(hung.address() as { port: number }).port}`;
});

afterAll(async () => {
  await closeBrowser();
  await site.close();
  for (const s of sockets) s.destroy();
  await new Promise<void>((r) => hung.close(() => r()));
});

const engineFor = (url: string, timeoutMs = 60_000): ReturnType<typeof createEngine> =>
  createEngine({ target: { name: 't', url, environment: 'local' }, scope: { origins: [url], include: [], exclude: [] }, safeMode: false, ratePerSecond: 10_000, timeoutMs });

describe('the browser crawl', () => {
  it('a page whose script never settles: the crawl ends near its time limit, not with the page', async () => {
    const engine = engineFor(site.url);
    const t0 = Date.now();
    const r = await crawlBrowser({ engine, origin: site.url, start: [`${site.url}/stuck`], identities: ['anonymous'], safeMode: false, timeoutMs: 2_000, actionMs: 1_000 });
    const took = Date.now() - t0;
    // Time limit 2 s, plus at most the 5 s a stuck crawl is given before Chromium is killed, plus the launch.
    expect(took).toBeLessThan(2_000 + 5_000 + 4_000);
    expect(r.warnings.join('\n')).toMatch(/did not answer within 1000 ms|time limit|browser crawl stopped/);
    await engine.close({ withinMs: 100 });
  }, 30_000);

  it('an interrupt ends it at once: Chromium is killed and the operations recorded so far are kept', async () => {
    const engine = engineFor(site.url);
    const ac = new AbortController();
    const crawl = crawlBrowser({ engine, origin: site.url, start: [`${site.url}/page0`], identities: ['anonymous'], safeMode: false, timeoutMs: 60_000, maxPages: 500, signal: ac.signal });
    // Interrupted once a few pages were rendered (their run-time calls recorded).
    while (pageHits < 4) await new Promise((r) => setTimeout(r, 50));
    expect(browserRunning()).toBe(true);
    const t0 = Date.now();
    ac.abort(new Error('interrupted by test'));
    const r = await crawl;
    expect(Date.now() - t0).toBeLessThan(1_500);
    expect(browserRunning()).toBe(false);
    expect(r.warnings.join('\n')).toMatch(/browser crawl stopped: interrupted by test; Chromium was killed/);
    expect(r.operations.map((o) => `${o.method} ${o.path}`)).toContain('GET /api/calls');
    await engine.close({ withinMs: 100 });
  }, 30_000);
});

describe('discovery', () => {
  it('a target that accepts connections and never answers: its stop signal ends discovery with a warning', async () => {
    const engine = engineFor(hungUrl);
    const t0 = Date.now();
    const s = await discover({ target: { name: 't', url: hungUrl, environment: 'local' }, engine, explore: false, signal: AbortSignal.timeout(800) });
    expect(Date.now() - t0).toBeLessThan(3_000);
    expect(s.operations).toEqual([]);
    expect(s.warnings.join('\n')).toMatch(/discovery stopped early/);
    await engine.close({ withinMs: 100 });
  }, 20_000);

  it('stopped in the middle of the HTML crawl: the pages crawled so far are in the surface', async () => {
    const engine = engineFor(site.url);
    const ac = new AbortController();
    const steps: string[] = [];
    const before = pageHits;
    const run = discover({ target: { name: 't', url: site.url, environment: 'local' }, engine, explore: false, options: { robots: false, graphql: false, maxPages: 500, samplesPerTemplate: 500, timeLimitMs: 60_000 }, signal: ac.signal, onProgress: (w) => steps.push(w) });
    await new Promise((r) => setTimeout(r, 100));
    ac.abort(new Error('interrupted by test'));
    const s = await run;
    expect(pageHits - before).toBeLessThan(20);
    expect(s.warnings.join('\n')).toMatch(/discovery stopped early \(interrupted by test\)/);
    expect(steps[0]).toBe('first request to the target');
    await engine.close({ withinMs: 100 });
  }, 20_000);
});
