// src/discover/crawl.test.ts — the crawler on a hostile site: a page with 20,000 links ends in bounded time and pages,
// through the engine, and says what it did not visit.
import { describe, expect, it } from 'vitest';
import { createEngine } from '../net/index.js';
import { httpServer, localTarget } from '../../test/support/fault-servers.js';
import { crawlHtml } from './html.js';

describe('crawl', () => {
  it('a page with 20,000 links is crawled to the page cap, quickly, with a warning naming what was left', async () => {
    const links = Array.from({ length: 20_000 }, (_, i) => `<a href="/p${i}x/">p${i}</a>`).join('\n');
    let hits = 0;
    const server = await httpServer((_req, res) => {
      hits++;
      res.writeHead(200, { 'content-type': 'text/html' }).end(`<html><body>${links}</body></html>`);
    });
    const engine = createEngine({ ...localTarget(server.url), safeMode: false, ratePerSecond: 10_000 });
    try {
      const t0 = Date.now();
      const r = await crawlHtml(engine, `${server.url}/`, { maxPages: 5 });
      expect(Date.now() - t0).toBeLessThan(15_000);
      expect(hits).toBe(5);
      expect(engine.stats().sent).toBe(5);
      expect(r.warnings.join('\n')).toMatch(/HTML crawl stopped at 5 pages; \d+ links not visited/);
      // Thousands of links do not become thousands of operations (and tasks): the rest is named as not tested.
      expect(r.operations.length).toBe(500);
      expect(r.warnings.join('\n')).toMatch(/kept 500 operations; \d+ more routes .* not tested/);
    } finally {
      await engine.close();
      await server.close();
    }
  }, 30_000);
});
