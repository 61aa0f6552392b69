// src/discover/crawl-huge.test.ts — discovery on a hostile page of 20,000 links: bounded time, requests and memory,
// and the surface says what was left out.
import { describe, expect, it } from 'vitest';
import { createEngine } from '../net/index.js';
import { httpServer, localTarget } from '../../test/support/fault-servers.js';
import { SPEC_LOCATIONS, discover } from './index.js';

describe('crawl of a 20,000-link page', () => {
  it('ends within bounds and warns about what it did not visit', async () => {
    const links = Array.from({ length: 20_000 }, (_, i) => `<a href="/p${i}x/">p${i}</a>`).join('\n');
    let hits = 0;
    const server = await httpServer((_req, res) => {
      hits++;
      res.writeHead(200, { 'content-type': 'text/html' }).end(`<html><body>${links}</body></html>`);
    });
    const engine = createEngine({ ...localTarget(server.url), safeMode: false, ratePerSecond: 10_000 });
    try {
      const t0 = Date.now();
      const rss0 = process.memoryUsage().rss;
      const surface = await discover({ target: { name: 't', url: server.url, environment: 'local' }, engine, options: { graphql: false, maxPages: 5 } });
      expect(Date.now() - t0).toBeLessThan(20_000);
      expect(process.memoryUsage().rss - rss0).toBeLessThan(300 * 1024 * 1024);
      // The page cap, plus the spec locations, robots.txt, sitemap.xml and the soft-404 probes (a few path prefixes).
      expect(hits).toBeLessThanOrEqual(5 + SPEC_LOCATIONS.length + 10);
      expect(surface.operations.length).toBeLessThanOrEqual(10); // links not visited do not become operations
      expect(surface.warnings.join('\n')).toMatch(/HTML crawl stopped at 5 pages \(discovery\.maxPages\); \d+ URLs not visited/);
    } finally {
      await engine.close();
      await server.close();
    }
  }, 40_000);
});
