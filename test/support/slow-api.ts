// test/support/slow-api.ts — a small OpenAPI app whose operations answer slowly, so a scan of it runs long enough to be
// watched (progress events, the live view); test-only: not built into dist.
import { sendHtml, serveFixture, type Fixture } from '../../src/checks/kit/fixture.js';

/** Serves `/openapi.json` with `count` operations `GET /api/items<n>?q=`, each answering `{"items":[]}` after `delayMs`. */
export function serveSlowApi(count: number, delayMs: number): Promise<Fixture> {
  const spec = {
    openapi: '3.0.3',
    info: { title: 'slow', version: '1' },
    paths: Object.fromEntries(
      Array.from({ length: count }, (_, i) => [
        `/api/items${i}`,
        { get: { parameters: [{ name: 'q', in: 'query', schema: { type: 'string' } }], responses: { '200': { description: 'ok' } } } },
      ]),
    ),
  };
  return serveFixture(async (_req, res, url) => {
    if (url.pathname === '/openapi.json') {
      return res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(spec));
    }
    if (url.pathname.startsWith('/api/items')) {
      await new Promise((r) => setTimeout(r, delayMs));
      return res.writeHead(200, { 'content-type': 'application/json' }).end('{"items":[]}');
    }
    return sendHtml(res, 404, 'not here');
  });
}
